import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { orgIdsWithRole, type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB, OrderStatus, RowUpdate } from '../../platform/db-types.js';
import {
  ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError,
} from '../../platform/errors.js';
import { kg, type Texts } from '../../platform/format.js';
import { addDaysIso, IsoDate, MAX_WINDOW_START_DAYS, todayIso } from '../../platform/dates.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { IdempotencyKey, idempotent } from '../../platform/idempotency.js';
import { inTransaction, type TxOptions } from '../../platform/transaction.js';
import { addIssue, parseInput, positiveWeight, zm } from '../../platform/validate.js';
import { BAG_G, gramsToKg } from '../../platform/weight.js';
import { releaseOrderAllocation } from '../allocation/allocation.service.js';
import * as brandsRepo from '../brands/brands.repo.js';
import { requireGrade } from '../brands/brands.service.js';
import { runTransitionHooks } from './hooks.js';
import { amountText, CURRENCIES, type Currency, toMinorUnits } from './money.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';
import { canSeeOrder, rolesOn } from './access.js';
import { canTransition, HOLDS_ALLOCATION, REASON_REQUIRED, refusal } from './state.js';
import { appendEvent } from '../provenance/provenance.repo.js';
import { audience, emit, globalId } from '../outbox/outbox.js';
import type { EventType } from '../outbox/catalogue.js';
import { ISSUES, kgId } from '../../platform/issue-messages.js';

/**
 * Orders: a buyer's request for a quantity of a product at a minimum grade.
 *
 * Rules (each a ValidationError naming the field, nothing written):
 * - quantity > 0 and at most 1,000 t; with wholeBags a multiple of 60 kg (input.quantity);
 * - minGrade is a code of the product's current grade scheme (stored with its rank);
 * - window end ≥ window start, not in the past, start at most 3 years ahead;
 * - destination is an ISO 3166-1 alpha-2 code; incoterm one of Incoterms 2020;
 * - the price per kg is more than 0, with no more decimals than the currency's minor unit (see money.ts);
 * - the order's brand is the product's brand; it is placed for one of the caller's buyer
 *   organisations (required when they hold several).
 * Status changes follow state.ts; each is one transaction that locks the order row, appends an
 * order_events row (who, when, why) and, for a manager's cancellation of an accepted order,
 * releases every allocated kilogram.
 *
 * Visibility: admins see every order, brand managers their brand's, buyers their organisation's.
 * Someone who cannot see an order gets NotFoundError for it (its existence is not revealed).
 */

export const INCOTERMS = ['EXW', 'FCA', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP', 'FAS', 'FOB', 'CFR', 'CIF'] as const;
export type Incoterm = (typeof INCOTERMS)[number];

// Placing ---------------------------------------------------------------------------------------

const PlaceOrderInput = z
  .object({
    productId: z.number().int(),
    minGrade: z.string().trim().min(1, zm(ISSUES.nameAGrade)).max(32, zm(ISSUES.maxChars({ max: 32 }))),
    quantity: positiveWeight(),
    wholeBags: z.boolean().nullish(),
    windowStart: IsoDate,
    windowEnd: IsoDate,
    destinationCountry: z
      .string()
      .trim()
      .transform((c) => c.toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{2}$/, zm({ en: 'must be an ISO 3166-1 alpha-2 country code such as EG', id: 'harus kode negara ISO 3166-1 alpha-2, misalnya EG' }))),
    incoterm: z.enum(INCOTERMS),
    price: z.object({ amount: z.string(), currency: z.enum(CURRENCIES as [Currency, ...Currency[]]) }),
    notes: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
      z.string().trim().max(2000, zm(ISSUES.maxChars({ max: 2000 }))).nullish(),
    ),
    buyerOrganizationId: z.number().int().nullish(),
    idempotencyKey: IdempotencyKey,
  })
  .superRefine((v, ctx) => {
    if (v.wholeBags && v.quantity > 0 && v.quantity % BAG_G !== 0) {
      addIssue(ctx, ['quantity'], {
        en: `must be a whole number of 60 kg bags when wholeBags is set (got ${kg(v.quantity, 'en')})`,
        id: `harus kelipatan karung 60 kg bila wholeBags dipilih (yang diisi ${kgId(gramsToKg(v.quantity))})`,
      });
    }
    const today = todayIso();
    if (v.windowEnd < v.windowStart) {
      addIssue(ctx, ['windowEnd'], ISSUES.onOrAfter({ field: 'windowStart', value: v.windowStart }));
    } else if (v.windowEnd < today) {
      addIssue(ctx, ['windowEnd'], ISSUES.notInPast({ today }));
    }
    const latest = addDaysIso(today, MAX_WINDOW_START_DAYS);
    if (v.windowStart > latest) addIssue(ctx, ['windowStart'], ISSUES.notLaterThan({ latest }));
    try {
      const minor = toMinorUnits(v.price.amount, v.price.currency);
      if (minor === 0) addIssue(ctx, ['price', 'amount'], ISSUES.moreThanZero);
    } catch (e) {
      addIssue(ctx, ['price', 'amount'], amountText(e));
    }
  });

export type PlaceOrderInput = z.input<typeof PlaceOrderInput>;

/** The buyer organisation the order is placed for: the given one (must be the caller's) or the caller's only one. */
function buyerOrgFor(actor: Principal, given: number | null | undefined): number {
  const orgs = orgIdsWithRole(actor, 'BUYER');
  if (orgs.length === 0) throw new ForbiddenError('Only a buyer places orders');
  if (given != null) {
    if (!orgs.includes(given)) throw new ForbiddenError('You are not a buyer of this organisation');
    return given;
  }
  if (orgs.length > 1) {
    throw ValidationError.field('input.buyerOrganizationId', {
      en: 'is required: you buy for several organisations',
      id: 'wajib diisi: Anda membeli untuk beberapa organisasi',
    });
  }
  return orgs[0] as number;
}

/** Place an order (a buyer, for their organisation). Idempotent on `idempotencyKey`. */
export async function placeOrder(db: Kysely<DB>, actor: Principal | null, input: PlaceOrderInput, options: TxOptions = {}): Promise<OrderRow> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(PlaceOrderInput, input);
  const buyerOrgId = buyerOrgFor(principal, parsed.buyerOrganizationId);
  const { idempotencyKey, ...request } = parsed;
  return idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'placeOrder',
      key: idempotencyKey,
      request: { ...request, buyerOrganizationId: buyerOrgId, wholeBags: parsed.wholeBags ?? false, notes: parsed.notes ?? null },
      work: async (trx) => {
        const product = await brandsRepo.findProduct(trx, parsed.productId);
        if (!product) throw new NotFoundError('Product', 'input.productId');
        const grade = await requireGrade(trx, product.id, parsed.minGrade, 'input.minGrade');
        const order = await repo.insertOrder(trx, {
          buyer_org_id: buyerOrgId,
          brand_id: product.brand_id,
          product_id: product.id,
          min_grade_rank: grade.rank,
          min_grade_code: grade.code,
          quantity_g: parsed.quantity,
          whole_bags: parsed.wholeBags ?? false,
          window_start: parsed.windowStart,
          window_end: parsed.windowEnd,
          destination_country: parsed.destinationCountry,
          incoterm: parsed.incoterm,
          price_minor_per_kg: toMinorUnits(parsed.price.amount, parsed.price.currency),
          currency: parsed.price.currency,
          notes: parsed.notes ?? null,
          placed_by: principal.userId,
        });
        await repo.insertOrderEvent(trx, { orderId: order.id, from: null, to: 'REQUESTED', actorUserId: principal.userId, reason: null });
        await emitOrderEvent(trx, 'order.placed', order, null, null);
        return { result: order, response: { orderId: order.id } };
      },
      replay: replayOrder(db),
    },
    options,
  );
}

/** The `replay` of an idempotent call whose stored response names an order: that order, as it is now. */
export const replayOrder = (db: Kysely<DB>) => async ({ orderId }: { orderId: number }): Promise<OrderRow> => {
  const order = await repo.findOrder(db, orderId);
  if (!order) throw new NotFoundError('Order', 'input.orderId');
  return order;
};

// Status changes --------------------------------------------------------------------------------

/** Targets reachable through changeOrderStatus (ACCEPTED only through acceptOrder, which allocates). */
export type StatusTarget = Exclude<OrderStatus, 'REQUESTED' | 'ACCEPTED'>;

const ChangeInput = z.object({
  orderId: z.number().int(),
  reason: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.string().trim().max(1000, zm(ISSUES.maxChars({ max: 1000 }))).nullish(),
  ),
});

/**
 * Move an order to `to` (reject, cancel, start fulfilment, ship, complete). The order row is locked;
 * the actor must be allowed by the state machine (manager of the order's brand, or its buyer for a
 * cancellation before acceptance). A manager's cancellation of an ACCEPTED or IN_FULFILLMENT order
 * releases every active line (RELEASED, allocated weight returned, provenance RELEASED events).
 */
export async function changeOrderStatus(
  db: Kysely<DB>,
  actor: Principal | null,
  to: StatusTarget,
  input: z.input<typeof ChangeInput>,
  options: TxOptions = {},
): Promise<OrderRow> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(ChangeInput, input);
  const reason = parsed.reason ?? null;
  if (REASON_REQUIRED.has(to) && reason === null) throw ValidationError.field('input.reason', ISSUES.reasonRequired);
  return inTransaction(
    db,
    async (trx) => {
      const order = await repo.lockOrder(trx, parsed.orderId);
      if (!order || !canSeeOrder(principal, order)) throw new NotFoundError('Order', 'input.orderId');
      const roles = rolesOn(principal, order);
      if (!roles.some((role) => canTransition(order.status, to, role))) {
        const role = roles.includes('MANAGER') ? 'MANAGER' : (roles[0] ?? 'OTHER');
        throw new InvalidTransitionError('Order', order.status, to, refusal(order.status, to, role) ?? undefined);
      }
      return transitionInTransaction(trx, order, to, principal, reason);
    },
    options,
  );
}

/**
 * The part of a status change that does not depend on who asks: inside the caller's transaction,
 * with the order row locked and the transition already allowed by the caller (changeOrderStatus
 * checks the state machine and the actor's role; acceptOrder has allocated the order and moves it
 * REQUESTED → ACCEPTED; fulfilLine moves ACCEPTED → IN_FULFILLMENT on the first fulfilment). In
 * this order: the SHIPPED guard (prepareShipment), the transition hooks, the release of every active
 * line when an order that holds supply is cancelled, the new status (with `changes`, e.g. what
 * acceptance snapshots) and one order_events row. Returns the updated order.
 */
export async function transitionInTransaction(
  trx: Transaction<DB>,
  order: OrderRow,
  to: OrderStatus,
  actor: Principal,
  reasonIn: string | Texts | null,
  changes: Omit<RowUpdate<'orders'>, 'status'> = {},
): Promise<OrderRow> {
  // A person's reason is stored as written; one the system wrote comes in both languages (hooks and events get the English).
  const reason = typeof reasonIn === 'object' && reasonIn !== null ? reasonIn.en : reasonIn;
  const reasonId = typeof reasonIn === 'object' && reasonIn !== null ? reasonIn.id : null;
  if (to === 'SHIPPED') await prepareShipment(trx, order, actor.userId);
  await runTransitionHooks(trx, { order, from: order.status, to, actor, reason });
  if (to === 'CANCELLED' && HOLDS_ALLOCATION.has(order.status)) {
    await releaseOrderAllocation(trx, order.id, { userId: actor.userId }, reason);
  }
  const updated = await repo.updateOrderWithEvent(trx, order.id, { ...changes, status: to }, { from: order.status, to, actorUserId: actor.userId, reason, reasonId });
  const type = ORDER_EVENT[to];
  if (type) await emitOrderEvent(trx, type, updated, order.status, reason);
  return updated;
}

/** The outbox event of each status an order can reach (IN_FULFILLMENT is not announced). */
const ORDER_EVENT: Partial<Record<OrderStatus, EventType>> = {
  ACCEPTED: 'order.accepted', REJECTED: 'order.rejected', CANCELLED: 'order.cancelled', SHIPPED: 'order.shipped', COMPLETED: 'order.completed',
};

/** What an order event says about the order (buyer and brand see the same; no producer in it). */
export function orderEventData(order: OrderRow, previousStatus: OrderStatus | null, reason: string | null) {
  return {
    id: globalId('Order', order.id),
    status: order.status,
    previousStatus,
    product: globalId('Product', order.product_id),
    brand: globalId('Brand', order.brand_id),
    buyerOrganization: globalId('BuyerOrganization', order.buyer_org_id),
    quantityKg: gramsToKg(order.quantity_g),
    uncoveredKg: gramsToKg(order.uncovered_g),
    reason,
  };
}

async function emitOrderEvent(trx: Transaction<DB>, type: EventType, order: OrderRow, previousStatus: OrderStatus | null, reason: string | null) {
  await emit(trx, {
    type,
    subject: { type: 'Order', id: order.id },
    audience: [audience.buyer(order.buyer_org_id), audience.brand(order.brand_id)],
    data: { order: orderEventData(order, previousStatus, reason) },
  });
}

/**
 * An order ships whole: no uncovered weight, every forward line delivered by graded lots. The lots
 * that ship get a SHIPPED event in the provenance log.
 */
async function prepareShipment(trx: Transaction<DB>, order: OrderRow, actorUserId: number): Promise<void> {
  const undelivered = await repo.undeliveredForwardG(trx, order.id);
  if (order.uncovered_g > 0 || undelivered > 0) {
    const gaps = [
      order.uncovered_g > 0 ? `${kg(order.uncovered_g, 'en')} is uncovered` : null,
      undelivered > 0 ? `${kg(undelivered, 'en')} of forward lines is not yet delivered` : null,
    ].filter(Boolean);
    throw new InvalidTransitionError('Order', order.status, 'SHIPPED', `The order cannot ship yet: ${gaps.join(' and ')}`);
  }
  for (const { lot_id, weight_g } of await repo.shippedLots(trx, order.id)) {
    await appendEvent(trx, { kind: 'SHIPPED', lotId: lot_id, orderId: order.id, actorUserId, payload: { weightG: weight_g } });
  }
}

// Reading ---------------------------------------------------------------------------------------

/** Orders the caller may see, filtered in SQL. */
export function listOrders(db: Kysely<DB>, actor: Principal | null, filter: repo.OrderFilter, page: KeysetPage) {
  return repo.listOrders(db, requirePrincipal(actor), filter, page);
}
