import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { BusyError } from '../../platform/errors.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId, decodeIds } from '../../platform/graphql/ids.js';
import { childPage, primeLoader } from '../../platform/graphql/loaders.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { GradeLevelRef, ProcessEnum } from '../brands/brands.graphql.js';
import { NotApprovedMemberError } from '../memberships/errors.js';
import { plotsOfLots } from '../plots/plots.service.js';
import { BrandRef, LotRef, PlotRef, ProducerRef, ProductRef } from '../refs.js';
import type { LotRow } from './lots.repo.js';
import * as lots from './lots.service.js';
import { canSeeSupplyRow } from './visibility.js';

LotRef.implement({
  description: 'A physical batch of a product declared by a producer, with its plots of origin and its grade.',
  authScopes: (lot, ctx) => canSeeSupplyRow(ctx, 'lot', lot),
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'What the lot is.', resolve: (l) => String(l.product_id) }),
    brand: t.field({ type: BrandRef, description: 'The communal brand the lot is declared for.', resolve: (l) => String(l.brand_id) }),
    producer: t.field({ type: ProducerRef, description: 'Who declared the lot.', resolve: (l) => String(l.producer_id) }),
    plots: t.loadableList({
      type: PlotRef,
      description: 'The plots the coffee was grown on.',
      complexity: { field: 1, multiplier: 3 },
      load: (lotIds: number[], ctx) => plotsOfLots(ctx.db, lotIds),
      resolve: (l) => l.id,
    }),
    regency: t.exposeString('regency', { description: 'Regency (kabupaten) of production, from the producer.' }),
    harvestStart: t.expose('harvest_start', { type: 'Date', description: 'First day of the harvest.' }),
    harvestEnd: t.expose('harvest_end', { type: 'Date', description: 'Last day of the harvest.' }),
    process: t.expose('process', { type: ProcessEnum, description: 'Post-harvest process.' }),
    netWeight: t.expose('net_g', { type: 'Weight', description: 'Net weight of the lot.' }),
    allocatedWeight: t.expose('allocated_g', { type: 'Weight', description: 'Weight allocated to orders.' }),
    availableWeight: t.field({ type: 'Weight', description: 'Net weight minus allocated weight.', resolve: (l) => l.net_g - l.allocated_g }),
    storageLocation: t.exposeString('storage_location', { description: 'Where the lot is stored.' }),
    grade: t.field({
      type: GradeLevelRef,
      nullable: true,
      description: 'Grade from the latest assessment; null when ungraded or off-grade.',
      resolve: (l) => (l.grade_code !== null && l.grade_rank !== null ? { code: l.grade_code, rank: l.grade_rank } : null),
    }),
    graded: t.boolean({ description: 'Whether the lot has been assessed.', resolve: (l) => l.latest_assessment_id !== null }),
    offGrade: t.exposeBoolean('off_grade', { description: 'Whether the latest assessment put the lot below every grade; it cannot be offered.' }),
    eudrReady: t.exposeBoolean('eudr_ready', { description: 'Whether every plot of origin has EUDR-grade geolocation.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the lot was declared.' }),
  }),
});

/** Put listed lots into the Lot loader, so that fields that reach a lot by id (Assessment.lot, its auth check) do not reload them. */
const primed = (ctx: Context, rows: readonly LotRow[]) => primeLoader(LotRef.getDataloader(ctx), rows);

const DeclareLotInput = builder.inputType('DeclareLotInput', {
  description: 'A physical lot of a product.',
  fields: (t) => ({
    producerId: t.id({ description: 'The producer (yourself, or a member of your cooperative); an approved member of the product\'s brand.' }),
    productId: t.id({ description: 'The product the lot is.' }),
    harvestStart: t.field({ type: 'Date', description: 'First day of the harvest.' }),
    harvestEnd: t.field({ type: 'Date', description: 'Last day of the harvest (on or after harvestStart).' }),
    plotIds: t.idList({ description: 'The producer\'s plots the coffee was grown on (at least one).' }),
    process: t.field({ type: ProcessEnum, required: false, description: 'Post-harvest process; defaults to (and must match) the product\'s.' }),
    netWeight: t.field({ type: 'Weight', description: 'Net weight, more than 0 and at most 1,000 t.' }),
    storageLocation: t.string({ description: 'Where the lot is stored, e.g. "Gudang Koperasi Sumberwringin".' }),
  }),
});

builder.queryFields((t) => ({
  lots: t.connection({
    type: LotRef,
    description: 'Lots you may see: your own, your cooperative members\', or your brand\'s. Buyers see none (use availability).',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: {
      productId: t.arg.id({ required: false, description: 'Only lots of this product.' }),
      producerId: t.arg.id({ required: false, description: 'Only lots of this producer.' }),
    },
    resolve: (_root, args, ctx) => {
      const filter = {
        productId: args.productId ? decodeId(args.productId, 'Product', 'productId') : null,
        producerId: args.producerId ? decodeId(args.producerId, 'Producer', 'producerId') : null,
      };
      return resolveKeysetConnection(args, (page) => lots.listLots(ctx.db, ctx.principal, filter, page).then((rows) => primed(ctx, rows)));
    },
  }),
  lot: t.field({
    type: LotRef,
    nullable: true,
    description: 'One lot by ID; null when unknown or not yours to see (the two look the same).',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the lot.' }) },
    resolve: (_root, args) => String(decodeId(args.id, 'Lot', 'id')),
  }),
}));

builder.objectFields(ProducerRef, (t) => ({
  lots: t.connection({
    type: LotRef,
    description: 'The producer\'s lots (those you may see).',
    complexity: connectionComplexity,
    args: { productId: t.arg.id({ required: false, description: 'Only lots of this product.' }) },
    resolve: (producer, args, ctx) => {
      const productId = args.productId ? decodeId(args.productId, 'Product', 'productId') : null;
      return resolveKeysetConnection(args, (page) =>
        childPage(ctx, `Producer.lots:${productId ?? ''}:${JSON.stringify(page)}`, (ids) =>
          lots.lotsPerProducer(ctx.db, ctx.principal, ids, { productId }, page),
        )
          .load(producer.id)
          .then((rows) => primed(ctx, rows)),
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  declareLot: t.field({
    type: LotRef,
    description: 'Declare a physical lot with its plots of origin (the producer, their cooperative manager or an admin).',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: [NotApprovedMemberError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: DeclareLotInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      lots.declareLot(ctx.db, ctx.principal, {
        ...input,
        producerId: decodeId(input.producerId, 'Producer', 'input.producerId'),
        productId: decodeId(input.productId, 'Product', 'input.productId'),
        plotIds: decodeIds(input.plotIds, 'Plot', 'input.plotIds'),
      }),
  }),
}));
