import { hasRole, isAdmin } from '../../platform/auth.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { ErrorInterface } from '../../platform/graphql/errors.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { AllocationStrategyEnum } from '../brands/brands.graphql.js';
import { GradeLevelRef } from '../grading/grading.graphql.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import { OrderStatusEnum } from '../orders/orders.graphql.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { loadProducerAccess } from '../producers/access.js';
import { AllocationLineRef, CommitmentRef, LotRef, OrderRef, ProducerRef, ProductRef } from '../refs.js';
import type { LineRow } from './allocation.repo.js';
import * as repo from './allocation.repo.js';
import * as allocation from './allocation.service.js';
import type { StoredConstraints } from './constraints.js';
import { InsufficientSupplyError } from './errors.js';
import type { BindingConstraint, Strategy, SupplyMode } from './engine.js';

// Enums and errors ------------------------------------------------------------------------------

export const SupplyModeEnum = builder.enumType('SupplyMode', {
  description: 'Which supply an allocation may use.',
  values: {
    SPOT_ONLY: { description: 'Only graded lots in storage.' },
    FORWARD_ONLY: { description: 'Only open forward commitments.' },
    EITHER: { description: 'Both (default).' },
  } as const satisfies Record<SupplyMode, unknown>,
});

export const SupplyKindEnum = builder.enumType('SupplyKind', {
  description: 'Whether an allocation line draws on a lot or on a commitment.',
  values: {
    SPOT: { description: 'A graded lot in storage.' },
    FORWARD: { description: 'A forward commitment, fulfilled later by delivered lots.' },
  } as const,
});

export const BindingConstraintEnum = builder.enumType('BindingConstraint', {
  description: 'The constraint that makes an order impossible to allocate (the first, in this order, after which it no longer fits).',
  values: {
    SUPPLY: { description: 'Even all offered supply is short.' },
    GRADE: { description: 'Not enough supply at the minimum grade.' },
    SUPPLY_MODE: { description: 'Not enough spot (or forward) supply alone.' },
    REGENCY: { description: 'Not enough supply from the allowed regencies.' },
    EUDR: { description: 'Not enough EUDR-ready supply.' },
    WHOLE_BAGS: { description: 'Not enough once every line is rounded down to whole 60 kg bags.' },
    MAX_SHARE: { description: 'The per-producer share cap leaves too little.' },
    MIN_CONTRIBUTION: { description: 'Too few producers can each contribute the minimum.' },
  } as const satisfies Record<BindingConstraint, unknown>,
});

export const AllocationLineStatusEnum = builder.enumType('AllocationLineStatus', {
  description: 'Whether an allocation line still holds supply.',
  values: {
    ACTIVE: { description: 'Holds its weight of the lot or commitment.' },
    RELEASED: { description: 'Released (order cancelled or reallocated); holds nothing.' },
    SHORTFALL: { description: 'Failed (producer default, lot off-grade); holds nothing, the weight is reallocated.' },
  } as const,
});

builder.objectType(InsufficientSupplyError, {
  name: 'InsufficientSupplyError',
  description: 'The supply cannot cover the order under these constraints; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    requested: t.field({ type: 'Weight', description: 'Weight to allocate.', resolve: (e) => e.requestedG }),
    available: t.field({ type: 'Weight', description: 'The most a valid allocation could cover now.', resolve: (e) => e.availableG }),
    shortfall: t.field({ type: 'Weight', description: 'requested − available.', resolve: (e) => e.shortfallG }),
    bindingConstraint: t.field({ type: BindingConstraintEnum, description: 'The constraint that makes it short.', resolve: (e) => e.binding }),
  }),
});

// Constraints -----------------------------------------------------------------------------------

export const AllocationConstraintsInput = builder.inputType('AllocationConstraintsInput', {
  description: 'Constraints on how an order is split; every field is optional.',
  fields: (t) => ({
    wholeBags: t.boolean({ required: false, description: 'Every line a whole number of 60 kg bags (always on when the order asks for whole bags).' }),
    minContribution: t.field({ type: 'Weight', required: false, description: 'A producer contributes nothing or at least this much (0 or omitted: no minimum).' }),
    maxSharePct: t.field({ type: 'Decimal', required: false, description: 'Largest share of the order one producer may supply, in % (more than 0, at most 100, 4 decimals).' }),
    regencies: t.stringList({ required: false, description: 'Only supply from these regencies (case-insensitive); omit for any.' }),
    eudrOnly: t.boolean({ required: false, description: 'Only EUDR-ready supply (every plot with valid geolocation).' }),
    supply: t.field({ type: SupplyModeEnum, required: false, description: 'Spot, forward or either (default).' }),
  }),
});

export const AllocationConstraintsRef = builder.objectRef<StoredConstraints>('AllocationConstraints').implement({
  description: 'The constraints an allocation was planned with.',
  fields: (t) => ({
    wholeBags: t.exposeBoolean('wholeBags', { description: 'Every line a whole number of 60 kg bags.' }),
    minContribution: t.field({ type: 'Weight', description: 'Minimum per contributing producer (0: none).', resolve: (c) => c.minContributionG }),
    maxSharePct: t.field({ type: 'Decimal', nullable: true, description: 'Largest share per producer in %; null: none.', resolve: (c) => c.maxSharePct }),
    regencies: t.stringList({ nullable: true, description: 'Allowed regencies; null: any.', resolve: (c) => c.regencies }),
    eudrOnly: t.exposeBoolean('eudrOnly', { description: 'Only EUDR-ready supply.' }),
    supply: t.field({ type: SupplyModeEnum, description: 'Spot, forward or either.', resolve: (c) => c.supply }),
  }),
});

// Allocation lines ------------------------------------------------------------------------------

const orderOfLine = (ctx: Context, line: LineRow): Promise<OrderRow> => OrderRef.getDataloader(ctx).load(String(line.order_id));

/**
 * Who sees a line: admins; the brand managers of the order's brand; the order's buyer (without
 * producer identity); the producer themself and their cooperative manager.
 */
async function canSeeLine(ctx: Context, line: LineRow): Promise<boolean> {
  const p = ctx.principal;
  if (!p) return false;
  if (isAdmin(p)) return true;
  if ((hasRole(p, 'PRODUCER') || hasRole(p, 'COOP_MANAGER')) && (await loadProducerAccess(ctx, line.producer_id)).manage) return true;
  if (hasRole(p, 'BRAND_MANAGER') || hasRole(p, 'BUYER')) return canSeeOrder(p, await orderOfLine(ctx, line));
  return false;
}

/** Who sees which producer supplies a line (and from which lot or commitment): not the buyer. */
async function seesLineSource(ctx: Context, line: LineRow): Promise<boolean> {
  const p = ctx.principal;
  if (!p) return false;
  if (isAdmin(p)) return true;
  if (hasRole(p, 'BRAND_MANAGER') && managesOrder(p, await orderOfLine(ctx, line))) return true;
  return (hasRole(p, 'PRODUCER') || hasRole(p, 'COOP_MANAGER')) && (await loadProducerAccess(ctx, line.producer_id)).manage;
}

const AllocatedOrderRef = builder.objectRef<OrderRow>('AllocatedOrder').implement({
  description: 'What a producer sees of an order they supply: no buyer, no price.',
  fields: (t) => ({
    orderId: t.globalID({ description: 'Global ID of the order.', resolve: (o) => ({ type: 'Order', id: String(o.id) }) }),
    product: t.field({ type: ProductRef, description: 'The product ordered.', resolve: (o) => String(o.product_id) }),
    minGrade: t.field({ type: GradeLevelRef, description: 'The lowest acceptable grade.', resolve: (o) => ({ code: o.min_grade_code, rank: o.min_grade_rank }) }),
    windowStart: t.expose('window_start', { type: 'Date', description: 'First day of the delivery window.' }),
    windowEnd: t.expose('window_end', { type: 'Date', description: 'Last day of the delivery window.' }),
    status: t.field({ type: OrderStatusEnum, description: 'The order\'s status.', resolve: (o) => o.status }),
  }),
});

AllocationLineRef.implement({
  description: 'A part of an order supplied by one producer from one lot (spot) or commitment (forward).',
  authScopes: (line, ctx) => canSeeLine(ctx, line),
  fields: (t) => ({
    weight: t.expose('weight_g', { type: 'Weight', description: 'Weight allocated.' }),
    fulfilledWeight: t.expose('fulfilled_g', { type: 'Weight', description: 'Weight delivered against this line so far (forward lines).' }),
    status: t.field({ type: AllocationLineStatusEnum, description: 'ACTIVE, RELEASED or SHORTFALL.', resolve: (l) => l.status }),
    kind: t.field({ type: SupplyKindEnum, description: 'SPOT (a lot) or FORWARD (a commitment).', resolve: (l) => (l.lot_id !== null ? 'SPOT' : 'FORWARD') }),
    grade: t.loadable({
      type: GradeLevelRef,
      nullable: true,
      description: 'Grade of the lot, or the minimum grade the commitment promises.',
      load: async (ids: number[], ctx) => {
        const rows = await repo.supplyInfoOfLines(ctx.db, ids);
        return ids.map((id) => {
          const r = rows.find((x) => x.line_id === id);
          return r && r.grade_code !== null && r.grade_rank !== null ? { code: r.grade_code, rank: r.grade_rank } : null;
        });
      },
      resolve: (l) => l.id,
    }),
    regency: t.loadable({
      type: 'String',
      description: 'Regency (kabupaten) the supply comes from.',
      load: async (ids: number[], ctx) => {
        const rows = await repo.supplyInfoOfLines(ctx.db, ids);
        return ids.map((id) => rows.find((x) => x.line_id === id)?.regency ?? '');
      },
      resolve: (l) => l.id,
    }),
    producer: t.field({
      type: ProducerRef,
      nullable: true,
      description: 'Who supplies it (brand managers, admins and the producer\'s side only; never the buyer).',
      authScopes: (line, _args, ctx) => seesLineSource(ctx, line),
      resolve: (l) => String(l.producer_id),
    }),
    lot: t.field({
      type: LotRef,
      nullable: true,
      description: 'The lot (spot lines; not shown to the buyer).',
      authScopes: (line, _args, ctx) => seesLineSource(ctx, line),
      resolve: (l) => (l.lot_id === null ? null : String(l.lot_id)),
    }),
    commitment: t.field({
      type: CommitmentRef,
      nullable: true,
      description: 'The commitment (forward lines; not shown to the buyer).',
      authScopes: (line, _args, ctx) => seesLineSource(ctx, line),
      resolve: (l) => (l.commitment_id === null ? null : String(l.commitment_id)),
    }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why the line got this weight (strategy explanation; not shown to the buyer).',
      authScopes: (line, _args, ctx) => seesLineSource(ctx, line),
    }),
    order: t.field({
      type: OrderRef,
      nullable: true,
      description: 'The order (its buyer, brand managers, admins).',
      authScopes: async (line, _args, ctx) => canSeeOrder(ctx.principal, await orderOfLine(ctx, line)),
      resolve: (l) => String(l.order_id),
    }),
    orderSummary: t.field({
      type: AllocatedOrderRef,
      description: 'The order as the producer sees it: product, grade, window and status; no buyer, no price.',
      resolve: (l, _args, ctx) => orderOfLine(ctx, l),
    }),
    replacesLine: t.field({
      type: AllocationLineRef,
      nullable: true,
      description: 'The failed line this one replaces (reallocation), if any.',
      resolve: (l) => (l.replaces_line_id === null ? null : String(l.replaces_line_id)),
    }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the line was written.' }),
  }),
});

// Order fields ----------------------------------------------------------------------------------

builder.objectFields(OrderRef, (t) => ({
  strategy: t.field({
    type: AllocationStrategyEnum,
    nullable: true,
    description: 'The strategy the order was allocated with; null before acceptance.',
    resolve: (o) => (o.strategy as Strategy | null) ?? null,
  }),
  constraints: t.field({
    type: AllocationConstraintsRef,
    nullable: true,
    description: 'The constraints the order was allocated with; null before acceptance.',
    resolve: (o) => (o.constraints as StoredConstraints | null) ?? null,
  }),
  lines: t.loadableList({
    type: AllocationLineRef,
    description: 'Allocation lines in any status, oldest first. The buyer sees weight, grade, regency and kind, not producers.',
    complexity: { field: 1, multiplier: 20 },
    load: async (orderIds: number[], ctx) => {
      const lines = await repo.linesOfOrders(ctx.db, orderIds);
      return orderIds.map((id) => lines.filter((l) => l.order_id === id));
    },
    resolve: (o) => o.id,
  }),
  allocatedWeight: t.loadable({
    type: 'Weight',
    description: 'Σ weight of the active allocation lines.',
    load: async (orderIds: number[], ctx) => {
      const rows = await repo.allocatedOfOrders(ctx.db, orderIds);
      return orderIds.map((id) => rows.find((r) => r.order_id === id)?.g ?? 0);
    },
    resolve: (o) => o.id,
  }),
}));

// Producers' view -------------------------------------------------------------------------------

builder.objectFields(ProducerRef, (t) => ({
  allocationLines: t.connection({
    type: AllocationLineRef,
    description: 'The producer\'s allocation lines you may see (the producer\'s side all; a brand manager those of the brand\'s orders).',
    complexity: connectionComplexity,
    args: { status: t.arg({ type: AllocationLineStatusEnum, required: false, description: 'Only lines in this status.' }) },
    resolve: (producer, args, ctx) =>
      resolveKeysetConnection(args, (page) =>
        allocation.listProducerLines(ctx.db, ctx.principal, producer.id, { status: args.status ?? null }, page),
      ),
  }),
}));

builder.queryFields((t) => ({
  myAllocationLines: t.connection({
    type: AllocationLineRef,
    description: 'Allocation lines of the producers you act for (yourself, or your cooperative\'s members).',
    authScopes: { producer: 'any', coopManager: 'any' },
    complexity: connectionComplexity,
    args: { status: t.arg({ type: AllocationLineStatusEnum, required: false, description: 'Only lines in this status.' }) },
    resolve: (_root, args, ctx) =>
      resolveKeysetConnection(args, (page) => allocation.listMyLines(ctx.db, ctx.principal, { status: args.status ?? null }, page)),
  }),
}));
