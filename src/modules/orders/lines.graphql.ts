import { hasRole, isAdmin } from '../../platform/auth.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { AllocationConstraintsRef, AllocationLineStatusEnum, SupplyKindEnum } from '../allocation/allocation.graphql.js';
import type { LineRow } from '../allocation/allocation.repo.js';
import * as repo from '../allocation/allocation.repo.js';
import { lineReason } from '../allocation/allocation.service.js';
import type { StoredConstraints } from '../allocation/constraints.js';
import type { Strategy } from '../allocation/engine.js';
import { AllocationStrategyEnum, GradeLevelRef } from '../brands/brands.graphql.js';
import { loadProducerAccess } from '../producers/access.js';
import { AllocationLineRef, CommitmentRef, LotRef, OrderRef, ProducerRef, ProductRef } from '../refs.js';
import { canSeeOrder, managesOrder } from './access.js';
import { OrderStatusEnum } from './orders.graphql.js';
import type { OrderRow } from './orders.repo.js';

/**
 * Allocation lines as parts of orders: who sees a line follows from who sees its order (its buyer
 * and brand managers) and who acts for its producer; an order shows its lines, its allocated weight
 * and what it was allocated with. The ledger's own vocabulary (enums, constraints, errors) is in
 * allocation.graphql.ts.
 */

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
    reason: t.string({
      nullable: true,
      description: 'Why the line got this weight (strategy explanation, in Indonesian or English by Accept-Language; not shown to the buyer).',
      authScopes: (line, _args, ctx) => seesLineSource(ctx, line),
      resolve: (line, _args, ctx) => lineReason(line, ctx.language),
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

