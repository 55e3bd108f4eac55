import type { Context } from '../../platform/graphql/context.js';
import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { limitErrors } from '../../platform/graphql/limit-errors.js';
import { decodeId, decodeTypedId, globalId as globalIdOf } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { BusyError, ConflictError, InvalidCredentialsError } from '../../platform/errors.js';
import { isAdmin } from '../../platform/auth.js';
import * as repo from './accounts.repo.js';
import * as accounts from './accounts.service.js';

export const RoleEnum = builder.enumType('Role', {
  description: 'A role, granted on an organisation (none for ADMIN).',
  values: {
    ADMIN: { description: 'Platform admin: creates brands, users and grants roles.' },
    BRAND_MANAGER: { description: 'Owns a communal brand: products, grades, membership, orders, allocations.' },
    CURATOR: { description: 'Rumah Kurasi curator of a brand: reviews memberships, assesses lots.' },
    COOP_MANAGER: { description: 'Manages the member producers of a cooperative.' },
    PRODUCER: { description: 'A farmer or UMKM: plots, lots, commitments, own allocations.' },
    BUYER: { description: 'Roaster, importer or exporter: availability, orders, provenance.' },
  } as const,
});

export const LanguageEnum = builder.enumType('Language', {
  description: 'A language of the API\'s messages.',
  values: {
    ID: { value: 'id', description: 'Indonesian (Bahasa Indonesia).' },
    EN: { value: 'en', description: 'English.' },
  } as const,
});

export const User = builder.loadableNode('User', {
  description: 'A person who signs in.',
  authScopes: (user, ctx) => accounts.canSeeUser(ctx.principal, user.id),
  id: { resolve: (u) => u.id },
  load: (ids: string[], ctx: Context) => repo.findUsersByIds(ctx.db, ids.map(Number)),
  sort: (u) => String(u.id),
  fields: (t) => ({
    email: t.exposeString('email', { description: 'Sign-in email (unique, case-insensitive).' }),
    displayName: t.exposeString('display_name', { description: 'Name shown to others.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the account was created.' }),
    preferredLanguage: t.field({
      type: LanguageEnum,
      nullable: true,
      description: 'The language the person reads messages in, which wins over Accept-Language; null: the header decides. Only the person and admins see it.',
      resolve: (u, _args, ctx) => (ctx.principal && (ctx.principal.userId === u.id || isAdmin(ctx.principal)) ? u.preferred_language : null),
    }),
    roles: t.loadableList({
      type: RoleGrantRef,
      description: 'Roles held, each on an organisation.',
      load: async (userIds: number[], ctx) => {
        const grants = await repo.grantsOfUsers(ctx.db, userIds);
        return userIds.map((id) => grants.filter((g) => g.user_id === id));
      },
      resolve: (u) => u.id,
    }),
  }),
});

const RoleGrantRef = builder.objectRef<repo.GrantRow>('RoleGrant').implement({
  description: 'A role held on an organisation.',
  authScopes: (g, ctx) => accounts.canSeeGrant(ctx.principal, g),
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the grant, used to revoke it.' }),
    role: t.expose('role', { type: RoleEnum, description: 'The role.' }),
    organizationId: t.id({
      nullable: true,
      description: 'Global ID of the organisation the role is on (null for ADMIN).',
      resolve: (g) => {
        const org = accounts.ROLE_ORG[g.role];
        const id = g.brand_id ?? g.cooperative_id ?? g.producer_id ?? g.buyer_org_id;
        return org && id !== null ? globalIdOf(org.typename, id) : null;
      },
    }),
    grantedAt: t.expose('granted_at', { type: 'DateTime', description: 'When it was granted.' }),
  }),
});



export const BuyerOrganization = builder.loadableNode('BuyerOrganization', {
  description: 'A roaster, importer or exporter that places orders.',
  authScopes: (org, ctx) => isAdmin(ctx.principal) || ctx.principal?.grants.some((g) => g.role === 'BUYER' && g.orgId === org.id) === true,
  id: { resolve: (o) => o.id },
  load: (ids: string[], ctx: Context) => repo.findBuyerOrgsByIds(ctx.db, ids.map(Number)),
  sort: (o) => String(o.id),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Organisation name.' }),
    country: t.exposeString('country', { description: 'ISO 3166-1 alpha-2 country.' }),
  }),
});

const LoginPayload = builder.objectRef<{ token: string; expiresAt: Date }>('LoginPayload').implement({
  description: 'A bearer token for the Authorization header.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as "Authorization: Bearer <token>".' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the token stops working.' }),
  }),
});

const LoginInput = builder.inputType('LoginInput', {
  description: 'Credentials.',
  fields: (t) => ({
    email: t.string({ description: 'Sign-in email.' }),
    password: t.string({ description: 'Password.' }),
  }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  description: 'A new account.',
  fields: (t) => ({
    email: t.string({ description: 'Sign-in email; unique, case-insensitive.' }),
    password: t.string({ description: 'At least 12 characters.' }),
    displayName: t.string({ description: 'Name shown to others.' }),
  }),
});

const GrantRoleInput = builder.inputType('GrantRoleInput', {
  description: 'A role to grant.',
  fields: (t) => ({
    userId: t.id({ description: 'The user.' }),
    role: t.field({ type: RoleEnum, description: 'The role.' }),
    organizationId: t.id({ required: false, description: 'Brand, Cooperative, Producer or BuyerOrganization ID; empty for ADMIN.' }),
  }),
});

const RevokeRoleInput = builder.inputType('RevokeRoleInput', {
  description: 'A grant to revoke.',
  fields: (t) => ({ grantId: t.id({ description: 'RoleGrant.id.' }) }),
});

const SetPreferredLanguageInput = builder.inputType('SetPreferredLanguageInput', {
  description: 'The caller\'s preferred language.',
  fields: (t) => ({
    language: t.field({ type: LanguageEnum, required: false, description: 'ID or EN; null clears it, so Accept-Language decides again.' }),
  }),
});

const BuyerOrgInput = builder.inputType('CreateBuyerOrganizationInput', {
  description: 'A new buyer organisation.',
  fields: (t) => ({
    name: t.string({ description: 'Organisation name.' }),
    country: t.string({ description: 'ISO 3166-1 alpha-2 country, e.g. EG.' }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: User,
    description: 'The caller.',
    authScopes: { authenticated: true },
    resolve: async (_root, _args, ctx) => (await repo.findUsersByIds(ctx.db, [ctx.principal!.userId]))[0]!,
  }),
  users: t.connection({
    type: User,
    description: 'All users (admin).',
    authScopes: { admin: true },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => resolveKeysetConnection(args, (page) => accounts.listUsers(ctx.db, ctx.principal, page)),
  }),
}));

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginPayload,
    description: 'Exchange email and password for a bearer token. Public.',
    errors: { types: [InvalidCredentialsError, ...limitErrors, ...commonErrors] },
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      // Brute force is slowed per account and per IP (TooManyAttemptsError); hashing is bounded (ServiceBusyError).
      await ctx.loginThrottle.check(input.email, ctx.clientIp);
      const user = await accounts.login(ctx.db, input).catch(async (error: unknown) => {
        if (error instanceof InvalidCredentialsError) await ctx.loginThrottle.failed(input.email, ctx.clientIp);
        throw error;
      });
      await ctx.loginThrottle.succeeded(input.email, ctx.clientIp);
      return ctx.signToken(user.id);
    },
  }),
  createUser: t.field({
    type: User,
    description: 'Create an account (admin).',
    authScopes: { admin: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_root, { input }, ctx) => accounts.createUser(ctx.db, ctx.principal, input),
  }),
  grantRole: t.field({
    type: RoleGrantRef,
    description: 'Grant a role on an organisation. Admins grant any; brand managers appoint curators and cooperative managers.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: GrantRoleInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const org = input.organizationId
        ? decodeTypedId(input.organizationId, ['Brand', 'Cooperative', 'Producer', 'BuyerOrganization'], 'input.organizationId')
        : null;
      return accounts.grantRole(ctx.db, ctx.principal, {
        userId: decodeId(input.userId, 'User', 'input.userId'),
        role: input.role,
        organizationId: org?.id ?? null,
        organizationType: org?.typename ?? null,
      });
    },
  }),
  revokeRole: t.field({
    type: RoleGrantRef,
    description: 'Revoke a role grant; effective on the next request.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: RevokeRoleInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      if (!/^\d{1,15}$/.test(input.grantId)) throw new (ConflictError)('grantId is not a RoleGrant id', 'input.grantId');
      return accounts.revokeRole(ctx.db, ctx.principal, Number(input.grantId));
    },
  }),
  setPreferredLanguage: t.field({
    type: User,
    description: 'Set the language your messages come in (errors, validation issues, allocation reasons, statements), whatever Accept-Language says; null clears it. Effective from the next request.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: SetPreferredLanguageInput, required: true }) },
    resolve: (_root, { input }, ctx) => accounts.setPreferredLanguage(ctx.db, ctx.principal, input.language ?? null),
  }),
  createBuyerOrganization: t.field({
    type: BuyerOrganization,
    description: 'Create a buyer organisation (admin).',
    authScopes: { admin: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: BuyerOrgInput, required: true }) },
    resolve: (_root, { input }, ctx) => accounts.createBuyerOrganization(ctx.db, ctx.principal, input),
  }),
}));
