import { hasRole, isAdmin } from '../../platform/auth.js';
import { BusyError, IdempotencyInProgressError, IdempotencyKeyReusedError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors, ErrorInterface } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { managesOrder } from '../orders/access.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { loadProducerAccess } from '../producers/access.js';
import { AllocationLineRef, LotRef, OrderRef } from '../refs.js';
import { type FulfilmentRefusal, FulfilmentRefusedError } from './errors.js';
import * as repo from './fulfilment.repo.js';
import type { FulfilmentView, LineRow } from './fulfilment.repo.js';
import { type FulfilmentOutcome, fulfilLine } from './fulfil.js';
import { declareShortfall, type ShortfallOutcome } from './shortfall.js';

// Access ----------------------------------------------------------------------------------------

/** Who sees the supply side of a line or fulfilment: admins, the order's brand managers, the producer's side. Not the buyer. */
async function seesSupplySide(ctx: Context, brandId: number, producerId: number): Promise<boolean> {
  const p = ctx.principal;
  if (!p) return false;
  if (isAdmin(p) || hasRole(p, 'BRAND_MANAGER', brandId)) return true;
  return (hasRole(p, 'PRODUCER') || hasRole(p, 'COOP_MANAGER')) && (await loadProducerAccess(ctx, producerId)).manage;
}

const orderOfLine = (ctx: Context, line: LineRow): Promise<OrderRow> => OrderRef.getDataloader(ctx).load(String(line.order_id));

// Errors and enums ------------------------------------------------------------------------------

const FulfilmentRefusalEnum = builder.enumType('FulfilmentRefusal', {
  description: 'Why a fulfilment or a shortfall was refused.',
  values: {
    LINE_NOT_ACTIVE: { description: 'The line no longer holds supply (released or already a shortfall).' },
    LINE_NOT_FORWARD: { description: 'Only forward lines (on a commitment) are fulfilled; a spot line is its lot.' },
    ORDER_NOT_IN_FULFILMENT: { description: 'The order is not ACCEPTED or IN_FULFILLMENT.' },
    LOT_OF_ANOTHER_PRODUCER: { description: 'The lot is not the line\'s producer\'s.' },
    WRONG_PRODUCT: { description: 'The lot is of another product than the order\'s.' },
    LOT_NOT_GRADED: { description: 'The lot has not been assessed yet.' },
    LOT_OFF_GRADE: { description: 'The lot is off-grade.' },
    GRADE_BELOW_MINIMUM: { description: 'The lot\'s grade is below the order\'s minimum grade.' },
    EXCEEDS_LINE_REMAINING: { description: 'More than the line has left to deliver.' },
    EXCEEDS_LOT_AVAILABLE: { description: 'More than the lot has available.' },
  } as const satisfies Record<FulfilmentRefusal, unknown>,
});

builder.objectType(FulfilmentRefusedError, {
  name: 'FulfilmentRefusedError',
  description: 'The line, lot or order does not allow this fulfilment or shortfall; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    reason: t.field({ type: FulfilmentRefusalEnum, description: 'Why it was refused.', resolve: (e) => e.reason }),
    path: t.exposeString('path', { nullable: true, description: 'The input field at fault: input.lineId, input.lotId or input.weight.' }),
  }),
});

export const FulfilmentStatusEnum = builder.enumType('FulfilmentStatus', {
  description: 'Whether a delivered lot still counts towards its line.',
  values: {
    ACTIVE: { description: 'Counts: the lot\'s weight is reserved for the order.' },
    FAILED: { description: 'The lot failed grading; its weight was reallocated.' },
    RELEASED: { description: 'The order was cancelled; the weight went back to the lot.' },
  } as const,
});

// Fulfilment ------------------------------------------------------------------------------------

export const FulfilmentRef = builder.objectRef<FulfilmentView>('Fulfilment').implement({
  description: 'Weight of a delivered lot linked to a forward allocation line. Seen by the order\'s brand managers, the producer\'s side and admins.',
  authScopes: (f, ctx) => seesSupplySide(ctx, f.brand_id, f.producer_id),
  fields: (t) => ({
    fulfilmentId: t.globalID({ description: 'Opaque ID of the fulfilment.', resolve: (f) => ({ type: 'Fulfilment', id: String(f.id) }) }),
    line: t.field({ type: AllocationLineRef, description: 'The forward line it fulfils.', resolve: (f) => String(f.line_id) }),
    lot: t.field({ type: LotRef, description: 'The delivered lot.', resolve: (f) => String(f.lot_id) }),
    weight: t.expose('weight_g', { type: 'Weight', description: 'Weight of the lot counted towards the line.' }),
    status: t.field({ type: FulfilmentStatusEnum, description: 'ACTIVE, FAILED or RELEASED.', resolve: (f) => f.status }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

builder.objectFields(AllocationLineRef, (t) => ({
  fulfilments: t.loadableList({
    type: FulfilmentRef,
    nullable: true,
    description: 'The delivered lots linked to this line (forward lines), oldest first, in any status. Null for the buyer (see orderTrace).',
    complexity: { field: 1, multiplier: 5 },
    authScopes: async (line, _args, ctx) => seesSupplySide(ctx, (await orderOfLine(ctx, line)).brand_id, line.producer_id),
    load: async (lineIds: number[], ctx) => {
      const rows = await repo.fulfilmentsOfLines(ctx.db, lineIds);
      return lineIds.map((id) => rows.filter((f) => f.line_id === id));
    },
    resolve: (l) => l.id,
  }),
  remainingWeight: t.field({
    type: 'Weight',
    description: 'Weight still to be delivered against an ACTIVE forward line (weight − fulfilled); 0 for spot lines and lines that hold nothing.',
    resolve: (l) => (l.status === 'ACTIVE' && l.commitment_id !== null ? l.weight_g - l.fulfilled_g : 0),
  }),
}));

// fulfilLine ------------------------------------------------------------------------------------

const FulfilLinePayloadRef = builder.objectRef<FulfilmentOutcome>('FulfilLinePayload').implement({
  description: 'A recorded fulfilment, the line it fulfils and the order.',
  fields: (t) => ({
    fulfilment: t.field({
      type: FulfilmentRef,
      description: 'The fulfilment written.',
      resolve: (o) => ({ ...o.fulfilment, order_id: o.line.order_id, producer_id: o.line.producer_id, brand_id: o.order.brand_id }),
    }),
    line: t.field({ type: AllocationLineRef, description: 'The line, with its fulfilled weight.', resolve: (o) => o.line }),
    order: t.field({ type: OrderRef, description: 'The order (IN_FULFILLMENT from the first fulfilment on).', resolve: (o) => o.order }),
  }),
});

const FulfilLineInput = builder.inputType('FulfilLineInput', {
  description: 'A delivered lot to link to a forward allocation line.',
  fields: (t) => ({
    lineId: t.id({ description: 'The forward line (ACTIVE, of an ACCEPTED or IN_FULFILLMENT order).' }),
    lotId: t.id({ description: 'A graded lot of the line\'s producer, of the order\'s product, at the order\'s minimum grade or better.' }),
    weight: t.field({ type: 'Weight', description: 'Weight to count, more than 0, at most the line\'s remaining and the lot\'s available weight (whole bags when the order asks).' }),
    idempotencyKey: t.string({ description: 'A unique key per fulfilment (8–200 characters): retrying with the same key returns the same result.' }),
  }),
});

// declareShortfall ------------------------------------------------------------------------------

const DeclareShortfallPayloadRef = builder.objectRef<ShortfallOutcome>('DeclareShortfallPayload').implement({
  description: 'A declared shortfall and how it was covered.',
  fields: (t) => ({
    line: t.field({ type: AllocationLineRef, description: 'The line that falls short: smaller, or SHORTFALL when nothing is left of it.', resolve: (o) => o.line }),
    shortfall: t.field({ type: 'Weight', description: 'Weight declared missing.', resolve: (o) => o.shortfallG }),
    reallocated: t.field({ type: 'Weight', description: 'Weight reallocated to other members.', resolve: (o) => o.coveredG }),
    uncovered: t.field({ type: 'Weight', description: 'Weight that could not be covered (added to the order\'s uncovered weight).', resolve: (o) => o.uncoveredG }),
    replacementLines: t.field({
      type: [AllocationLineRef],
      nullable: true,
      description: 'The new lines covering it (brand managers of the order\'s brand and admins only).',
      authScopes: (o, _args, ctx) => managesOrder(ctx.principal, o.order),
      resolve: (o) => o.replacementLines,
    }),
  }),
});

const DeclareShortfallInput = builder.inputType('DeclareShortfallInput', {
  description: 'Weight of an allocation line its producer cannot deliver.',
  fields: (t) => ({
    lineId: t.id({ description: 'Your (or your cooperative member\'s) ACTIVE line, spot or forward.' }),
    weight: t.field({ type: 'Weight', description: 'Missing weight, more than 0, at most what is not yet delivered (whole bags when the order asks).' }),
    reason: t.string({ description: 'Why (1–1000 characters); shown in the order\'s provenance.' }),
    idempotencyKey: t.string({ description: 'A unique key per declaration (8–200 characters): retrying with the same key returns the same result.' }),
  }),
});

const idempotencyErrors = [IdempotencyKeyReusedError, IdempotencyInProgressError, BusyError];

builder.mutationFields((t) => ({
  fulfilLine: t.field({
    type: FulfilLinePayloadRef,
    description:
      'Link a delivered, graded lot of the line\'s producer to a forward line (brand manager of the order\'s brand). The first fulfilment moves an ACCEPTED order to IN_FULFILLMENT. Idempotent on idempotencyKey.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [FulfilmentRefusedError, ...idempotencyErrors, ...commonErrors] },
    args: { input: t.arg({ type: FulfilLineInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      fulfilLine(ctx.db, ctx.principal, {
        lineId: decodeId(input.lineId, 'AllocationLine', 'input.lineId'),
        lotId: decodeId(input.lotId, 'Lot', 'input.lotId'),
        weight: input.weight,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
  declareShortfall: t.field({
    type: DeclareShortfallPayloadRef,
    description:
      'Declare weight of an allocation line that its producer cannot deliver (the producer, their cooperative manager, an admin). It is reallocated to other members in the same transaction; what cannot be covered shows as the order\'s uncovered weight. Idempotent on idempotencyKey.',
    authScopes: { admin: true, producer: 'any', coopManager: 'any' },
    errors: { types: [FulfilmentRefusedError, ...idempotencyErrors, ...commonErrors] },
    args: { input: t.arg({ type: DeclareShortfallInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      declareShortfall(ctx.db, ctx.principal, {
        lineId: decodeId(input.lineId, 'AllocationLine', 'input.lineId'),
        weight: input.weight,
        reason: input.reason,
        idempotencyKey: input.idempotencyKey,
      }),
  }),
}));
