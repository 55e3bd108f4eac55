import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError } from '../../platform/errors.js';
import { decodeId, globalId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { childPage } from '../../platform/graphql/loaders.js';
import { CooperativeRef, ProducerRef } from '../refs.js';
import { loadProducerAccess, visibleProducersFilter } from './access.js';
import * as repo from './producers.repo.js';
import * as producers from './producers.service.js';

export const ProducerKindEnum = builder.enumType('ProducerKind', {
  description: 'What kind of producer.',
  values: {
    SMALLHOLDER: { description: 'A smallholder farmer.' },
    UMKM: { description: 'A micro, small or medium enterprise (UMKM).' },
  } as const,
});

const ContactRef = builder
  .objectRef<{ phone: string | null; email: string | null; address: string | null }>('ProducerContact')
  .implement({
    description: 'Private contact data of a producer.',
    fields: (t) => ({
      phone: t.exposeString('phone', { nullable: true, description: 'Phone number.' }),
      email: t.exposeString('email', { nullable: true, description: 'Email address.' }),
      address: t.exposeString('address', { nullable: true, description: 'Postal address.' }),
    }),
  });

CooperativeRef.implement({
  description: 'A cooperative (koperasi) that groups producers; a producer belongs to at most one.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Cooperative name.' }),
    regency: t.exposeString('regency', { description: 'Regency (kabupaten) it is based in.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was registered.' }),
    producers: t.connection({
      type: ProducerRef,
      nullable: true,
      description: 'Member producers you may see (its manager sees all; brand managers those with a membership in their brands); for anyone else null, with a FORBIDDEN error on this field.',
      authScopes: (coop) => ({ admin: true, coopManager: coop.id, brandManager: 'any' }),
      complexity: connectionComplexity,
      resolve: (coop, args, ctx) =>
        resolveKeysetConnection(args, (page) =>
          childPage(ctx, `Cooperative.producers:${JSON.stringify(page)}`, (ids) =>
            repo.producersPerCooperative(ctx.db, ids, visibleProducersFilter(ctx.principal), page),
          ).load(coop.id),
        ),
    }),
  }),
});

ProducerRef.implement({
  description:
    'A smallholder or UMKM. Visible to the producer, their cooperative manager, managers and curators of brands they applied to, and admins; never to buyers.',
  authScopes: async (producer, ctx) => (await loadProducerAccess(ctx, producer.id)).view,
  fields: (t) => ({
    displayName: t.exposeString('display_name', { description: 'Name shown to the brand.' }),
    kind: t.field({ type: ProducerKindEnum, description: 'Smallholder or UMKM.', resolve: (p) => p.kind }),
    village: t.exposeString('village', { description: 'Village (desa).' }),
    district: t.exposeString('district', { description: 'District (kecamatan).' }),
    regency: t.exposeString('regency', { description: 'Regency (kabupaten).' }),
    cooperative: t.field({
      type: CooperativeRef,
      nullable: true,
      description: 'The cooperative the producer belongs to, if any.',
      resolve: (p) => (p.cooperative_id === null ? null : String(p.cooperative_id)),
    }),
    hasAccount: t.boolean({ description: 'Whether the producer signs in themself.', resolve: (p) => p.user_id !== null }),
    contact: t.field({
      type: ContactRef,
      nullable: true,
      description:
        'Private contact data: null unless you are the producer, their cooperative manager, a manager of a brand they applied to, or an admin.',
      resolve: async (p, _args, ctx) =>
        (await loadProducerAccess(ctx, p.id)).contact
          ? { phone: p.contact_phone, email: p.contact_email, address: p.contact_address }
          : null,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the producer was registered.' }),
  }),
});

// Inputs ---------------------------------------------------------------------------------------

const ContactInput = builder.inputType('ProducerContactInput', {
  description: 'Private contact data; each part optional.',
  fields: (t) => ({
    phone: t.string({ required: false, description: 'Phone number, e.g. +62 812 3456 7890.' }),
    email: t.string({ required: false, description: 'Email address.' }),
    address: t.string({ required: false, description: 'Postal address.' }),
  }),
});

const AccountInput = builder.inputType('ProducerAccountInput', {
  description: 'A sign-in account for the producer.',
  fields: (t) => ({
    email: t.string({ description: 'Sign-in email (unique).' }),
    password: t.string({ description: 'At least 12 characters.' }),
  }),
});

const CreateCooperativeInput = builder.inputType('CreateCooperativeInput', {
  description: 'A new cooperative.',
  fields: (t) => ({
    name: t.string({ description: 'Cooperative name.' }),
    regency: t.string({ description: 'Regency it is based in.' }),
  }),
});

const RegisterProducerInput = builder.inputType('RegisterProducerInput', {
  description: 'A new producer.',
  fields: (t) => ({
    cooperativeId: t.id({ required: false, description: 'The cooperative (required unless you are an admin).' }),
    displayName: t.string({ description: 'Name (1–200 characters).' }),
    kind: t.field({ type: ProducerKindEnum, description: 'Smallholder or UMKM.' }),
    village: t.string({ description: 'Village (desa).' }),
    district: t.string({ description: 'District (kecamatan).' }),
    regency: t.string({ description: 'Regency (kabupaten).' }),
    contact: t.field({ type: ContactInput, required: false, description: 'Private contact data.' }),
    account: t.field({ type: AccountInput, required: false, description: 'Create a sign-in account with the PRODUCER role.' }),
  }),
});

const BulkPlotInput = builder.inputType('BulkPlotInput', {
  description: 'A plot of a producer in a bulk registration.',
  fields: (t) => ({
    name: t.string({ description: 'Plot name.' }),
    areaHa: t.field({ type: 'Decimal', description: 'Declared area in hectares (> 0, at most 4 decimals).' }),
    altitudeM: t.int({ description: 'Altitude in metres.' }),
    geolocation: t.field({ type: 'GeoJSON', description: 'GeoJSON Point (≤ 4 ha) or Polygon, [longitude, latitude], ≥ 6 decimals.' }),
  }),
});

const BulkProducerInput = builder.inputType('BulkProducerInput', {
  description: 'One row of a bulk registration: a producer and their plots.',
  fields: (t) => ({
    displayName: t.string({ description: 'Name (1–200 characters).' }),
    kind: t.field({ type: ProducerKindEnum, description: 'Smallholder or UMKM.' }),
    village: t.string({ description: 'Village (desa).' }),
    district: t.string({ description: 'District (kecamatan).' }),
    regency: t.string({ description: 'Regency (kabupaten).' }),
    contact: t.field({ type: ContactInput, required: false, description: 'Private contact data.' }),
    plots: t.field({ type: [BulkPlotInput], required: false, description: 'The producer\'s plots (at most 50).' }),
  }),
});

const RegisterProducersInput = builder.inputType('RegisterProducersInput', {
  description: 'Up to 1,000 producers of one cooperative with their plots; all are registered or none.',
  fields: (t) => ({
    cooperativeId: t.id({ description: 'The cooperative.' }),
    rows: t.field({ type: [BulkProducerInput], description: 'The producers (1–1,000).' }),
  }),
});

const RegisterProducersPayload = builder
  .objectRef<{ count: number; plotCount: number; producerIds: number[] }>('RegisterProducersPayload')
  .implement({
    description: 'The result of a bulk registration.',
    fields: (t) => ({
      count: t.exposeInt('count', { description: 'Producers registered.' }),
      plotCount: t.exposeInt('plotCount', { description: 'Plots registered.' }),
      producerIds: t.idList({
        description: 'Global IDs of the new producers, in row order.',
        resolve: (r) => r.producerIds.map((id) => globalId('Producer', id)),
      }),
    }),
  });

// Root fields ----------------------------------------------------------------------------------

builder.queryFields((t) => ({
  cooperatives: t.connection({
    type: CooperativeRef,
    description: 'All cooperatives.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => resolveKeysetConnection(args, (page) => producers.listCooperatives(ctx.db, ctx.principal, page)),
  }),
  cooperative: t.field({
    type: CooperativeRef,
    nullable: true,
    description: 'A cooperative by ID; null when unknown.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Cooperative ID.' }) },
    resolve: async (_root, args, ctx) => (await repo.findCooperative(ctx.db, decodeId(args.id, 'Cooperative', 'id'))) ?? null,
  }),
  producers: t.connection({
    type: ProducerRef,
    description: 'Producers you may see, optionally only those with a membership in a brand or of a cooperative.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: {
      brandId: t.arg.id({ required: false, description: 'Only producers with a membership (any status) in this brand.' }),
      cooperativeId: t.arg.id({ required: false, description: 'Only members of this cooperative.' }),
    },
    resolve: (_root, args, ctx) => {
      const filter = {
        brandId: args.brandId ? decodeId(args.brandId, 'Brand', 'brandId') : null,
        cooperativeId: args.cooperativeId ? decodeId(args.cooperativeId, 'Cooperative', 'cooperativeId') : null,
      };
      return resolveKeysetConnection(args, (page) => producers.listProducers(ctx.db, ctx.principal, filter, page));
    },
  }),
}));

builder.mutationFields((t) => ({
  createCooperative: t.field({
    type: CooperativeRef,
    description: 'Create a cooperative (an admin or a brand manager). Appoint its manager with grantRole.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreateCooperativeInput, required: true }) },
    resolve: (_root, { input }, ctx) => producers.createCooperative(ctx.db, ctx.principal, input),
  }),
  registerProducer: t.field({
    type: ProducerRef,
    description: 'Register a producer of your cooperative (its manager or an admin), optionally with a sign-in account.',
    authScopes: { admin: true, coopManager: 'any' },
    errors: { types: [ConflictError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: RegisterProducerInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { cooperativeId, ...rest } = input;
      const coop = cooperativeId ? decodeId(cooperativeId, 'Cooperative', 'input.cooperativeId') : null;
      return producers.registerProducer(ctx.db, ctx.principal, coop, rest);
    },
  }),
  registerProducers: t.field({
    type: RegisterProducersPayload,
    description:
      'Register up to 1,000 producers of a cooperative with their plots, all or nothing: one ValidationError lists every invalid row.',
    authScopes: { admin: true, coopManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: RegisterProducersInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      producers.registerProducers(
        ctx.db,
        ctx.principal,
        decodeId(input.cooperativeId, 'Cooperative', 'input.cooperativeId'),
        input.rows,
      ),
  }),
}));
