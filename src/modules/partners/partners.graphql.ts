import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId, decodeTypedId, globalId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Context } from '../../platform/graphql/context.js';
import type { ClientRow, SecretRow } from './partners.repo.js';
import { orgIdOf } from './partners.repo.js';
import * as partners from './partners.service.js';
import { SCOPES } from './scopes.js';
import { secretKey } from './secrets.js';

const keys = (ctx: Context): partners.Keys => ({ secretKey: secretKey(ctx.config.jwt.secret!) });

const ORG_TYPENAME = { BRAND_MANAGER: 'Brand', COOP_MANAGER: 'Cooperative', BUYER: 'BuyerOrganization' } as const;

const ClientSecretRef = builder.objectRef<SecretRow>('PartnerClientSecret').implement({
  description: 'One secret of a machine client; only its last 4 characters are kept readable.',
  fields: (t) => ({
    id: t.id({ description: 'ID of the secret, used to revoke it.', resolve: (s) => globalId('PartnerClientSecret', s.id) }),
    last4: t.exposeString('last4', { description: 'The last 4 characters, to recognise it.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was issued.' }),
    lastUsedAt: t.expose('last_used_at', { type: 'DateTime', nullable: true, description: 'When it last obtained a token (to the minute).' }),
    revokedAt: t.expose('revoked_at', { type: 'DateTime', nullable: true, description: 'When it was revoked; null while active.' }),
  }),
});

export const PartnerClientRef = builder.objectRef<ClientRow>('PartnerClient').implement({
  description: 'A machine client (OAuth 2.0 client credentials) of an organisation, for a partner app.',
  authScopes: (c, ctx) => partners.canSeeClient(ctx.principal, c),
  fields: (t) => ({
    id: t.id({ description: 'Global ID of the client.', resolve: (c) => globalId('PartnerClient', c.id) }),
    clientId: t.exposeString('client_id', { description: 'The public client_id for HTTP Basic authentication at /oauth/token.' }),
    name: t.exposeString('name', { description: 'Name of the partner app.' }),
    scopes: t.stringList({ description: 'Scopes the client holds (see the README for the list).', resolve: (c) => c.scopes }),
    organizationId: t.id({
      nullable: true,
      description: 'Global ID of the organisation the client acts for; null for a platform client.',
      resolve: (c) => (c.role === 'ADMIN' ? null : globalId(ORG_TYPENAME[c.role], orgIdOf(c)!)),
    }),
    ownerId: t.id({ description: 'Global ID of the user who registered it.', resolve: (c) => globalId('User', c.owner_user_id) }),
    disabled: t.boolean({ description: 'Whether the client is disabled (its tokens stop working at once).', resolve: (c) => c.disabled_at !== null }),
    lastUsedAt: t.expose('last_used_at', { type: 'DateTime', nullable: true, description: 'When the client last made a request (to the minute).' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was registered.' }),
    trustedDocumentsOnly: t.exposeBoolean('trusted_documents_only', {
      description: 'Whether the client may only run its trusted documents.',
    }),
    trustedDocumentHashes: t.stringList({
      description: 'sha256 (hex) of each trusted document; send one as extensions.persistedQuery.sha256Hash.',
      resolve: (c, _args, ctx) => partners.trustedHashesOf(ctx.db, c.id),
    }),
    secrets: t.field({
      type: [ClientSecretRef],
      description: 'Its secrets, active and revoked (at most 2 active).',
      resolve: async (c, _args, ctx) => partners.secretsOf(ctx.db, [c.id]),
    }),
  }),
});

const IssuedSecretRef = builder
  .objectRef<{ client: ClientRow; secret: string; secretRow: SecretRow }>('IssuedPartnerClientSecret')
  .implement({
    description: 'A newly issued client secret. It is shown only in this answer: store it now.',
    fields: (t) => ({
      client: t.field({ type: PartnerClientRef, description: 'The client.', resolve: (r) => r.client }),
      clientSecret: t.exposeString('secret', { description: 'The secret (lmb_cs_…, 256 random bits). Shown once; only a keyed hash is stored.' }),
      secret: t.field({ type: ClientSecretRef, description: 'The stored record of the secret.', resolve: (r) => r.secretRow }),
    }),
  });

const GrantAdminRef = builder.objectRef<{ id: number; org_admin: boolean; user_id: number }>('OrganizationAdminGrant').implement({
  description: 'A buyer role grant and its organisation admin flag.',
  fields: (t) => ({
    grantId: t.id({ description: 'RoleGrant.id.', resolve: (g) => String(g.id) }),
    userId: t.id({ description: 'Global ID of the user holding it.', resolve: (g) => globalId('User', g.user_id) }),
    admin: t.exposeBoolean('org_admin', { description: 'Whether the holder administers the buyer organisation (registers its clients).' }),
  }),
});

const RegisterInput = builder.inputType('RegisterPartnerClientInput', {
  description: 'A new machine client.',
  fields: (t) => ({
    organizationId: t.id({
      required: false,
      description: 'Brand, Cooperative or BuyerOrganization the client acts for; empty for a platform client (platform admin only).',
    }),
    name: t.string({ description: 'Name of the partner app (1–200 characters).' }),
    scopes: t.stringList({ description: `Scopes to hold, each one of: ${Object.keys(SCOPES).join(', ')}.` }),
  }),
});

const ClientInput = builder.inputType('PartnerClientInput', {
  description: 'A machine client.',
  fields: (t) => ({ clientId: t.id({ description: 'PartnerClient.id (global ID).' }) }),
});

const RevokeSecretInput = builder.inputType('RevokePartnerClientSecretInput', {
  description: 'A secret to revoke.',
  fields: (t) => ({
    clientId: t.id({ description: 'PartnerClient.id (global ID).' }),
    secretId: t.id({ description: 'PartnerClientSecret.id (global ID).' }),
  }),
});

const DisableInput = builder.inputType('SetPartnerClientDisabledInput', {
  description: 'Disable or re-enable a client.',
  fields: (t) => ({
    clientId: t.id({ description: 'PartnerClient.id (global ID).' }),
    disabled: t.boolean({ description: 'True disables the client: its tokens stop working at once.' }),
  }),
});

const TrustedDocumentsInput = builder.inputType('SetPartnerClientTrustedDocumentsInput', {
  description: 'Lock a client to an allow-list of GraphQL documents, or unlock it.',
  fields: (t) => ({
    clientId: t.id({ description: 'PartnerClient.id (global ID).' }),
    documents: t.stringList({
      required: false,
      description: 'The exact documents the partner app sends (at most 200); null unlocks the client.',
    }),
  }),
});

const OrgAdminInput = builder.inputType('SetOrganizationAdminInput', {
  description: 'Set the organisation admin flag of a buyer role grant.',
  fields: (t) => ({
    grantId: t.id({ description: 'RoleGrant.id of a BUYER grant.' }),
    admin: t.boolean({ description: 'Whether the holder administers the buyer organisation.' }),
  }),
});

const grantIdOf = (value: string): number => {
  if (!/^\d{1,15}$/.test(value)) throw ValidationError.field('input.grantId', { en: 'is not a RoleGrant id', id: 'bukan ID hak akses (RoleGrant)' });
  return Number(value);
};

builder.queryFields((t) => ({
  partnerClients: t.connection({
    type: PartnerClientRef,
    description: 'Machine clients you administer (all, for a platform admin). People only.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => resolveKeysetConnection(args, (page) => partners.listClients(ctx.db, ctx.principal, page)),
  }),
}));

builder.mutationFields((t) => ({
  registerPartnerClient: t.field({
    type: IssuedSecretRef,
    description: "Register a machine client for an organisation you administer; its first secret is shown once.",
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      partners.registerClient(ctx.db, keys(ctx), ctx.principal, {
        organization: input.organizationId
          ? decodeTypedId(input.organizationId, ['Brand', 'Cooperative', 'BuyerOrganization'], 'input.organizationId')
          : null,
        name: input.name,
        scopes: input.scopes,
      }),
  }),
  rotatePartnerClientSecret: t.field({
    type: IssuedSecretRef,
    description: 'Issue a second secret for rotation without downtime (at most 2 active); shown once.',
    authScopes: { authenticated: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: ClientInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      partners.rotateSecret(ctx.db, keys(ctx), ctx.principal, decodeId(input.clientId, 'PartnerClient', 'input.clientId')),
  }),
  revokePartnerClientSecret: t.field({
    type: PartnerClientRef,
    description: 'Revoke a secret: it no longer obtains tokens.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RevokeSecretInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      partners.revokeSecret(
        ctx.db,
        ctx.principal,
        decodeId(input.clientId, 'PartnerClient', 'input.clientId'),
        decodeId(input.secretId, 'PartnerClientSecret', 'input.secretId'),
      ),
  }),
  setPartnerClientDisabled: t.field({
    type: PartnerClientRef,
    description: 'Disable or re-enable a machine client.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: DisableInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      partners.setDisabled(ctx.db, ctx.principal, decodeId(input.clientId, 'PartnerClient', 'input.clientId'), input.disabled),
  }),
  setPartnerClientTrustedDocuments: t.field({
    type: PartnerClientRef,
    description: 'Lock a machine client to its trusted documents (they also become persisted queries), or unlock it.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: TrustedDocumentsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      partners.setTrustedDocuments(
        ctx.db,
        ctx.principal,
        decodeId(input.clientId, 'PartnerClient', 'input.clientId'),
        input.documents ?? null,
        ctx.config.limits.maxTokens,
      ),
  }),
  setOrganizationAdmin: t.field({
    type: GrantAdminRef,
    description: "Make a buyer organisation's buyer its administrator (or not). Platform admins and the organisation's admins.",
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: OrgAdminInput, required: true }) },
    resolve: (_root, { input }, ctx) => partners.setOrganizationAdmin(ctx.db, ctx.principal, grantIdOf(input.grantId), input.admin),
  }),
}));
