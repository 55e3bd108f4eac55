import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { parseInput } from '../../platform/validate.js';
import { BAG_G, gramsToKg } from '../../platform/weight.js';
import * as allocationRepo from '../allocation/allocation.repo.js';
import {
  AllocationInvariantError, loadCandidates, resolveConstraints, resolveStrategy, type StoredConstraints,
} from '../allocation/allocation.service.js';
import { AllocationInputError, planAllocation, type PlanResult, type Strategy } from '../allocation/engine.js';
import { changeCommitmentAllocation } from '../commitments/commitments.service.js';
import { type LotRegrade, onLotRegraded } from '../grading/grading.service.js';
import { positiveWeight } from '../../platform/weight.js';
import { changeLotAllocation, lockLotsForAllocation } from '../lots/lots.service.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import { onOrderTransition, type OrderTransitionEvent } from '../orders/hooks.js';
import * as ordersRepo from '../orders/orders.repo.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { IdempotencyKey, transitionInTransaction } from '../orders/orders.service.js';
import { HOLDS_ALLOCATION } from '../orders/state.js';
import { idempotent, type TxOptions } from '../orders/transaction.js';
import { accessToProducer } from '../producers/access.js';
import { appendEvent, appendEvents } from '../provenance/provenance.repo.js';
import { FulfilmentRefusedError } from './errors.js';
import * as repo from './fulfilment.repo.js';
import type { FulfilmentRow, LineRow } from './fulfilment.repo.js';
import { shortfallPlanInputs } from './reallocation.js';

/**
 * Fulfilment of forward lines, shortfalls and their reallocation.
 *
 * The ledger (checked after every change, in the same transaction; a violation rolls back):
 * - a line holds `weight_g` of its source while ACTIVE: a spot line on its lot, a forward line on its
 *   commitment. Fulfilling a forward line does NOT move weight off the commitment: the commitment's
 *   promise stays consumed by the order (allocated_g = Σ ACTIVE lines on it, unchanged), and the
 *   delivered lot's weight is reserved as well (lot allocated_g = Σ ACTIVE spot lines + Σ ACTIVE
 *   fulfilments from it). The lot is the commitment's promise made physical; both stay taken;
 * - line.fulfilled_g = Σ ACTIVE fulfilments of the line ≤ weight_g (only forward lines have fulfilments);
 * - an order that holds supply (ACCEPTED, IN_FULFILLMENT): Σ ACTIVE line weight + uncovered_g = quantity_g.
 *
 * Who may:
 * - fulfilLine: the brand manager of the order's brand (or an admin). Linking a delivered lot is the
 *   brand's receipt of the coffee into the order, and it moves the order to IN_FULFILLMENT, which the
 *   order state machine reserves for the manager. Producers propose lots by declaring them; they do
 *   not bind them to a buyer's order.
 * - declareShortfall: the producer of the line themself, their cooperative manager, or an admin.
 *
 * Shortfalls (a producer defaults, or a linked lot fails grading): the line shrinks by the missing
 * weight (or becomes SHORTFALL when nothing is left of it), its source is released by that weight,
 * and the weight is reallocated in the same transaction with the order's stored strategy and
 * constraints (see reallocation.ts) among other eligible members: a producer's own default excludes
 * all of that producer's supply; a failed lot excludes the lot (and, for a fulfilment, the forward
 * line's commitment, which would otherwise just take its weight back). New lines carry
 * replaces_line_id and the reason "Covers shortfall of line N: …". What cannot be covered is added to
 * orders.uncovered_g. Provenance: SHORTFALL (the defaulting line, on its lot or commitment),
 * REALLOCATED (each new line), FULFILMENT_FAILED / FULFILMENT_RELEASED (a fulfilment that stopped
 * counting), FULFILLED, all with order_id.
 *
 * Locking: every operation locks the order row first, then lots by id, then commitments by id (the
 * order acceptOrder uses): the supply a shortfall may touch (its own source and the candidates, read
 * first without locks) is locked in one pass before anything is changed; the candidate query then
 * re-reads those rows under the lock. A regrade runs inside recordAssessment, which has already
 * locked the lot before any order row: that one path cannot follow the order (see the report).
 */

const requirePrincipal = (actor: Principal | null): Principal => {
  if (!actor) throw new UnauthenticatedError();
  return actor;
};

const MAX_LINE_G = 1_000_000_000;
const weightField = positiveWeight(MAX_LINE_G, '1,000 t (1000000 kg)');

/** With whole bags, every line (and so every fulfilment and shortfall) is a multiple of 60 kg. */
function assertWholeBags(order: OrderRow, weightG: number, path: string): void {
  if (order.whole_bags && weightG % BAG_G !== 0) {
    throw ValidationError.field(path, `must be a whole number of 60 kg bags: the order asks for whole bags (got ${gramsToKg(weightG)} kg)`);
  }
}

function assertOrderOpen(order: OrderRow): void {
  if (!repo.OPEN_ORDER_STATUSES.includes(order.status)) {
    throw new FulfilmentRefusedError(
      'ORDER_NOT_IN_FULFILMENT',
      'input.lineId',
      `The line's order is ${order.status}; only ACCEPTED or IN_FULFILLMENT orders are fulfilled or fall short`,
    );
  }
}

async function checkLedger(trx: Transaction<DB>, orderId: number, lotIds: readonly number[], commitmentIds: readonly number[]) {
  const supply = await allocationRepo.invariantViolations(trx, [...new Set(lotIds)], [...new Set(commitmentIds)]);
  if (supply.length > 0) throw new AllocationInvariantError(supply);
  const demand = await repo.ledgerViolations(trx, [orderId]);
  if (demand.length > 0) throw new Error(`fulfilment ledger violated: ${demand.map((v) => `${v.kind} ${v.id}: ${v.message}`).join('; ')}`);
}

// Fulfilling a forward line ---------------------------------------------------------------------

const FulfilInput = z.object({
  lineId: z.number().int(),
  lotId: z.number().int(),
  weight: weightField,
  idempotencyKey: IdempotencyKey,
});
export type FulfilLineInput = z.input<typeof FulfilInput>;

export interface FulfilmentOutcome {
  fulfilment: FulfilmentRow;
  line: LineRow;
  order: OrderRow;
}

/**
 * Link `weight` of a delivered, graded lot of the line's producer to a forward line (brand manager
 * of the order's brand). Refusals are FulfilmentRefusedErrors naming the field; nothing is written.
 * The first fulfilment of an ACCEPTED order moves it to IN_FULFILLMENT (with an order event).
 * Idempotent on idempotencyKey.
 */
export async function fulfilLine(db: Kysely<DB>, actor: Principal | null, input: FulfilLineInput, options: TxOptions = {}): Promise<FulfilmentOutcome> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(FulfilInput, input);
  const { idempotencyKey, ...request } = parsed;
  return idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'fulfilLine',
      key: idempotencyKey,
      request,
      work: async (trx) => {
        const outcome = await fulfilInTransaction(trx, principal, request);
        return { result: outcome, response: { fulfilmentId: outcome.fulfilment.id } };
      },
      replay: async ({ fulfilmentId }: { fulfilmentId: number }) => {
        const fulfilment = await repo.findFulfilment(db, fulfilmentId);
        const line = fulfilment && (await repo.findLine(db, fulfilment.line_id));
        const order = line && (await ordersRepo.findOrder(db, line.order_id));
        if (!fulfilment || !line || !order) throw new NotFoundError('Fulfilment', 'input.idempotencyKey');
        return { fulfilment, line, order };
      },
    },
    options,
  );
}

async function fulfilInTransaction(
  trx: Transaction<DB>,
  principal: Principal,
  input: { lineId: number; lotId: number; weight: number },
): Promise<FulfilmentOutcome> {
  const seen = await repo.findLine(trx, input.lineId);
  if (!seen) throw new NotFoundError('AllocationLine', 'input.lineId');
  // Lock order: the order row, then the lot.
  const order = await ordersRepo.lockOrder(trx, seen.order_id);
  if (!order || !canSeeOrder(principal, order)) throw new NotFoundError('AllocationLine', 'input.lineId');
  if (!managesOrder(principal, order)) throw new ForbiddenError('Only the brand manager of the order\'s brand records fulfilments');
  const line = (await repo.findLine(trx, input.lineId)) as LineRow;
  assertOrderOpen(order);
  if (line.commitment_id === null) {
    throw new FulfilmentRefusedError('LINE_NOT_FORWARD', 'input.lineId', 'Only forward lines (on a commitment) are fulfilled; a spot line is its lot');
  }
  if (line.status !== 'ACTIVE') throw new FulfilmentRefusedError('LINE_NOT_ACTIVE', 'input.lineId', `The line is ${line.status}`);

  const [lot] = await lockLotsForAllocation(trx, [input.lotId]);
  if (!lot) throw new NotFoundError('Lot', 'input.lotId');
  if (lot.producer_id !== line.producer_id) {
    throw new FulfilmentRefusedError('LOT_OF_ANOTHER_PRODUCER', 'input.lotId', 'The lot belongs to another producer than the line\'s');
  }
  if (lot.product_id !== order.product_id) {
    throw new FulfilmentRefusedError('WRONG_PRODUCT', 'input.lotId', 'The lot is of another product than the order\'s');
  }
  if (lot.off_grade) throw new FulfilmentRefusedError('LOT_OFF_GRADE', 'input.lotId', 'The lot is off-grade');
  if (lot.grade_rank === null) throw new FulfilmentRefusedError('LOT_NOT_GRADED', 'input.lotId', 'The lot has not been graded yet');
  if (lot.grade_rank > order.min_grade_rank) {
    throw new FulfilmentRefusedError(
      'GRADE_BELOW_MINIMUM',
      'input.lotId',
      `The lot is grade ${lot.grade_code}, below the order's minimum grade ${order.min_grade_code}`,
    );
  }
  assertWholeBags(order, input.weight, 'input.weight');
  const remaining = line.weight_g - line.fulfilled_g;
  if (input.weight > remaining) {
    throw new FulfilmentRefusedError(
      'EXCEEDS_LINE_REMAINING',
      'input.weight',
      `The line has ${gramsToKg(remaining)} kg left to fulfil (asked ${gramsToKg(input.weight)} kg)`,
    );
  }
  const available = lot.net_g - lot.allocated_g;
  if (input.weight > available) {
    throw new FulfilmentRefusedError(
      'EXCEEDS_LOT_AVAILABLE',
      'input.weight',
      `The lot has ${gramsToKg(available)} kg available (asked ${gramsToKg(input.weight)} kg)`,
    );
  }

  const fulfilment = await repo.insertFulfilment(trx, { lineId: line.id, lotId: lot.id, weightG: input.weight, createdBy: principal.userId });
  const updatedLine = await allocationRepo.addFulfilled(trx, line.id, input.weight);
  await changeLotAllocation(trx, lot.id, input.weight, 'input.lotId');
  await appendEvent(trx, {
    kind: 'FULFILLED',
    lotId: lot.id,
    commitmentId: line.commitment_id,
    orderId: order.id,
    actorUserId: principal.userId,
    payload: {
      orderId: order.id, lineId: line.id, fulfilmentId: fulfilment.id, producerId: line.producer_id, weightG: input.weight,
      lineFulfilledG: updatedLine.fulfilled_g, lineWeightG: updatedLine.weight_g,
    },
  });
  let current = order;
  if (order.status === 'ACCEPTED') {
    current = await transitionInTransaction(
      trx,
      order,
      'IN_FULFILLMENT',
      principal,
      `First fulfilment: ${gramsToKg(input.weight)} kg delivered against line ${line.id}`,
    );
  }
  await checkLedger(trx, order.id, [lot.id], [line.commitment_id]);
  return { fulfilment, line: updatedLine, order: current };
}

// Shortfalls ------------------------------------------------------------------------------------

/** Why a line falls short, for the provenance payload and the new lines' reason. */
export type ShortfallCause = 'PRODUCER_DEFAULT' | 'LOT_FAILED_GRADING';

export interface ShortfallOptions {
  cause: ShortfallCause;
  /** Human text: the producer's reason, or what failed. */
  reason: string;
  actorUserId: number | null;
  excludeProducerIds?: readonly number[];
  excludeLotIds?: readonly number[];
  excludeCommitmentIds?: readonly number[];
}

export interface ShortfallOutcome {
  /** The defaulting line after the change. */
  line: LineRow;
  shortfallG: number;
  /** Weight covered by the new lines. */
  coveredG: number;
  /** Weight added to the order's uncovered weight (shortfall − covered). */
  uncoveredG: number;
  replacementLines: LineRow[];
  /** The order after the change (uncovered_g updated). */
  order: OrderRow;
}

/**
 * Treat `weightG` of an ACTIVE line as missing: shrink (or mark SHORTFALL) the line, release that
 * weight from its lot or commitment, reallocate it to other eligible supply and add what stays
 * uncovered to the order. The caller holds the order row lock, has checked the order is open, the
 * line ACTIVE and 0 < weightG ≤ weight_g − fulfilled_g.
 */
export async function shortfallInTransaction(
  trx: Transaction<DB>,
  order: OrderRow,
  line: LineRow,
  weightG: number,
  options: ShortfallOptions,
): Promise<ShortfallOutcome> {
  if (!Number.isSafeInteger(weightG) || weightG <= 0 || weightG > line.weight_g - line.fulfilled_g) {
    throw new RangeError(`shortfall of ${weightG} g does not fit line ${line.id} (${line.weight_g - line.fulfilled_g} g open)`);
  }
  const excludes = {
    excludeProducerIds: options.excludeProducerIds ?? [],
    excludeLotIds: options.excludeLotIds ?? [],
    excludeCommitmentIds: options.excludeCommitmentIds ?? [],
  };
  // Lock everything this may touch in the global order (lots by id, then commitments by id) before changing anything.
  const preview = await loadCandidates(trx, order, excludes, 'none');
  const byId = (a: number, b: number) => a - b;
  const lotIds = [...new Set([...(line.lot_id !== null ? [line.lot_id] : []), ...preview.lots.map((l) => l.id)])].sort(byId);
  const commitmentIds = [...new Set([...(line.commitment_id !== null ? [line.commitment_id] : []), ...preview.commitments.map((c) => c.id)])].sort(byId);
  await allocationRepo.lockSupply(trx, lotIds, commitmentIds);

  // 1. The defaulting line gives up the weight.
  const full = weightG === line.weight_g;
  const after = full ? await allocationRepo.markLineShortfall(trx, line.id) : await allocationRepo.shrinkLine(trx, line.id, weightG);
  if (line.lot_id !== null) await changeLotAllocation(trx, line.lot_id, -weightG);
  else if (line.commitment_id !== null) await changeCommitmentAllocation(trx, line.commitment_id, -weightG);
  await appendEvent(trx, {
    kind: 'SHORTFALL',
    lotId: line.lot_id,
    commitmentId: line.commitment_id,
    orderId: order.id,
    actorUserId: options.actorUserId,
    payload: {
      orderId: order.id, lineId: line.id, producerId: line.producer_id, weightG, cause: options.cause, reason: options.reason,
      lineStatus: after.status, lineWeightG: after.weight_g,
    },
  });

  // 2. Reallocate it.
  const { lines, coveredG } = await reallocate(trx, order, line, weightG, options, excludes);

  // 3. What stays uncovered shows on the order.
  const uncoveredG = weightG - coveredG;
  const updated = uncoveredG > 0 ? await ordersRepo.updateOrder(trx, order.id, { uncovered_g: order.uncovered_g + uncoveredG }) : order;
  await checkLedger(
    trx,
    order.id,
    [...(line.lot_id !== null ? [line.lot_id] : []), ...lines.flatMap((l) => (l.lot_id !== null ? [l.lot_id] : []))],
    [...(line.commitment_id !== null ? [line.commitment_id] : []), ...lines.flatMap((l) => (l.commitment_id !== null ? [l.commitment_id] : []))],
  );
  return { line: after, shortfallG: weightG, coveredG, uncoveredG, replacementLines: lines, order: updated };
}

const CAUSE_TEXT: Record<ShortfallCause, string> = {
  PRODUCER_DEFAULT: 'the producer cannot deliver',
  LOT_FAILED_GRADING: 'a lot failed grading',
};

async function reallocate(
  trx: Transaction<DB>,
  order: OrderRow,
  line: LineRow,
  weightG: number,
  options: ShortfallOptions,
  excludes: { excludeProducerIds: readonly number[]; excludeLotIds: readonly number[]; excludeCommitmentIds: readonly number[] },
): Promise<{ lines: LineRow[]; coveredG: number }> {
  const brand = await allocationRepo.findBrandSettings(trx, order.brand_id);
  const strategy: Strategy = resolveStrategy(order.strategy as Strategy | null, brand?.default_strategy);
  const stored: StoredConstraints = (order.constraints as StoredConstraints | null) ?? resolveConstraints(order, null);
  const set = await loadCandidates(trx, order, excludes, 'update');
  const held = await repo.activeWeightByProducer(trx, order.id);
  const { candidates, constraints } = shortfallPlanInputs(set.candidates, {
    orderQuantityG: order.quantity_g,
    shortfallG: weightG,
    constraints: stored,
    heldByProducer: new Map(held.map((h) => [String(h.producer_id), h.g])),
  });
  const plan = (quantityG: number): PlanResult => {
    try {
      return planAllocation({ quantityG, minGradeRank: order.min_grade_rank }, candidates, strategy, constraints);
    } catch (e) {
      // Stored constraints were valid at acceptance; an engine input error here is a bug, not bad input.
      if (e instanceof AllocationInputError) throw new Error(`reallocation of line ${line.id}: ${e.message}`);
      throw e;
    }
  };
  let result = plan(weightG);
  if (!result.ok) result = result.availableG > 0 ? plan(result.availableG) : result;
  if (!result.ok) return { lines: [], coveredG: 0 };

  const because = `Covers shortfall of line ${line.id}: ${CAUSE_TEXT[options.cause]} (${options.reason})`;
  const lines = await allocationRepo.insertLines(
    trx,
    result.lines.map((l) => ({
      orderId: order.id,
      producerId: Number(l.producerId),
      lotId: l.candidateId.startsWith('L') ? Number(l.candidateId.slice(1)) : null,
      commitmentId: l.candidateId.startsWith('C') ? Number(l.candidateId.slice(1)) : null,
      weightG: l.weightG,
      reason: `${because}. ${l.reason}`,
      replacesLineId: line.id,
    })),
  );
  const lotDelta = new Map<number, number>();
  const commitmentDelta = new Map<number, number>();
  for (const l of lines) {
    if (l.lot_id !== null) lotDelta.set(l.lot_id, (lotDelta.get(l.lot_id) ?? 0) + l.weight_g);
    else if (l.commitment_id !== null) commitmentDelta.set(l.commitment_id, (commitmentDelta.get(l.commitment_id) ?? 0) + l.weight_g);
  }
  await allocationRepo.addAllocated(trx, 'lots', lotDelta);
  await allocationRepo.addAllocated(trx, 'commitments', commitmentDelta);
  await appendEvents(
    trx,
    lines.map((l) => ({
      kind: 'REALLOCATED',
      lotId: l.lot_id,
      commitmentId: l.commitment_id,
      orderId: order.id,
      actorUserId: options.actorUserId,
      payload: {
        orderId: order.id, lineId: l.id, producerId: l.producer_id, weightG: l.weight_g, strategy, replacesLineId: line.id, cause: options.cause,
      },
    })),
  );
  return { lines, coveredG: result.summary.allocatedG };
}

const ShortfallInput = z.object({
  lineId: z.number().int(),
  weight: weightField,
  reason: z.string().trim().min(1, 'must say why (1–1000 characters)').max(1000, 'must be at most 1000 characters'),
  idempotencyKey: IdempotencyKey,
});
export type DeclareShortfallInput = z.input<typeof ShortfallInput>;

/**
 * A producer (themself, their cooperative manager, or an admin) declares they cannot deliver
 * `weight` of an ACTIVE line (spot or forward; at most what is not yet fulfilled). The weight is
 * reallocated to other members (never to this producer); what cannot be covered becomes the order's
 * uncovered weight. Idempotent on idempotencyKey.
 */
export async function declareShortfall(
  db: Kysely<DB>,
  actor: Principal | null,
  input: DeclareShortfallInput,
  options: TxOptions = {},
): Promise<ShortfallOutcome> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(ShortfallInput, input);
  const { idempotencyKey, ...request } = parsed;
  return idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'declareShortfall',
      key: idempotencyKey,
      request,
      work: async (trx) => {
        const seen = await repo.findLine(trx, request.lineId);
        // Someone who does not act for the line's producer does not learn the line exists.
        if (!seen || !(await accessToProducer(trx, principal, seen.producer_id)).manage) {
          throw new NotFoundError('AllocationLine', 'input.lineId');
        }
        const order = (await ordersRepo.lockOrder(trx, seen.order_id)) as OrderRow;
        const line = (await repo.findLine(trx, request.lineId)) as LineRow;
        assertOrderOpen(order);
        if (line.status !== 'ACTIVE') throw new FulfilmentRefusedError('LINE_NOT_ACTIVE', 'input.lineId', `The line is ${line.status}`);
        assertWholeBags(order, request.weight, 'input.weight');
        const open = line.weight_g - line.fulfilled_g;
        if (request.weight > open) {
          throw new FulfilmentRefusedError(
            'EXCEEDS_LINE_REMAINING',
            'input.weight',
            `The line has ${gramsToKg(open)} kg not yet delivered (asked ${gramsToKg(request.weight)} kg)`,
          );
        }
        const outcome = await shortfallInTransaction(trx, order, line, request.weight, {
          cause: 'PRODUCER_DEFAULT',
          reason: request.reason,
          actorUserId: principal.userId,
          excludeProducerIds: [line.producer_id],
        });
        return {
          result: outcome,
          response: {
            lineId: line.id, shortfallG: outcome.shortfallG, coveredG: outcome.coveredG, uncoveredG: outcome.uncoveredG,
            replacementLineIds: outcome.replacementLines.map((l) => l.id),
          },
        };
      },
      replay: async (r: { lineId: number; shortfallG: number; coveredG: number; uncoveredG: number; replacementLineIds: number[] }) => {
        const line = await repo.findLine(db, r.lineId);
        const order = line && (await ordersRepo.findOrder(db, line.order_id));
        if (!line || !order) throw new NotFoundError('AllocationLine', 'input.lineId');
        const replacementLines = await repo.linesByIds(db, r.replacementLineIds);
        return { line, order, shortfallG: r.shortfallG, coveredG: r.coveredG, uncoveredG: r.uncoveredG, replacementLines };
      },
    },
    options,
  );
}

// A linked lot fails grading ----------------------------------------------------------------------

/**
 * Runs in recordAssessment's transaction (the lot is locked). When the lot became off-grade, or fell
 * below an order's minimum grade, every ACTIVE spot line on it and every ACTIVE fulfilment from it,
 * for orders that still hold supply, becomes a shortfall of that weight, reallocated as for a
 * default — but excluding only the failed lot (and a fulfilled line's commitment), not the producer,
 * who did not default: their other supply may cover it.
 */
export async function handleLotRegraded(trx: Transaction<DB>, change: LotRegrade): Promise<void> {
  const lot = change.lot;
  const failed = lot.off_grade || lot.grade_rank === null;
  if (!failed && !change.downgraded) return;
  const orderIds = await repo.ordersAffectedByLot(trx, lot.id, failed ? null : lot.grade_rank);
  const actorUserId = change.assessment.curator_user_id;
  const what = failed ? 'off-grade' : `now grade ${lot.grade_code}`;
  for (const orderId of orderIds) {
    let order = (await ordersRepo.lockOrder(trx, orderId)) as OrderRow;
    const reason = `lot ${lot.id} was assessed ${what}, below the order's minimum grade ${order.min_grade_code}`;
    for (const line of await repo.activeSpotLinesOnLot(trx, orderId, lot.id)) {
      order = (await shortfallInTransaction(trx, order, line, line.weight_g - line.fulfilled_g, {
        cause: 'LOT_FAILED_GRADING', reason, actorUserId, excludeLotIds: [lot.id],
      })).order;
    }
    const fulfilments = await repo.activeFulfilmentsFromLot(trx, orderId, lot.id);
    const perLine = new Map<number, FulfilmentRow[]>();
    for (const f of fulfilments) perLine.set(f.line_id, [...(perLine.get(f.line_id) ?? []), f]);
    for (const [lineId, fs] of perLine) {
      const failedG = fs.reduce((s, f) => s + f.weight_g, 0);
      await repo.setFulfilmentsStatus(trx, fs.map((f) => f.id), 'FAILED');
      const line = await allocationRepo.addFulfilled(trx, lineId, -failedG);
      await changeLotAllocation(trx, lot.id, -failedG);
      await appendEvents(
        trx,
        fs.map((f) => ({
          kind: 'FULFILMENT_FAILED',
          lotId: lot.id,
          commitmentId: line.commitment_id,
          orderId,
          actorUserId,
          payload: { orderId, lineId, fulfilmentId: f.id, producerId: line.producer_id, weightG: f.weight_g, reason },
        })),
      );
      order = (await shortfallInTransaction(trx, order, line, failedG, {
        cause: 'LOT_FAILED_GRADING', reason, actorUserId, excludeLotIds: [lot.id],
        excludeCommitmentIds: line.commitment_id !== null ? [line.commitment_id] : [],
      })).order;
    }
  }
}

// An order is cancelled -------------------------------------------------------------------------

/**
 * Runs in the cancellation's transaction, before the order's lines are released: every ACTIVE
 * fulfilment of the order becomes RELEASED and gives its weight back to its lot (the lines'
 * release gives the commitments theirs). Locks every lot and commitment the cancellation touches
 * in the global order first.
 */
export async function handleOrderTransition(trx: Transaction<DB>, event: OrderTransitionEvent): Promise<void> {
  if (event.to !== 'CANCELLED' || !HOLDS_ALLOCATION.has(event.from)) return;
  const fulfilments = await repo.activeFulfilmentsOfOrder(trx, event.order.id);
  if (fulfilments.length === 0) return;
  const lines = await allocationRepo.activeLinesOfOrder(trx, event.order.id);
  const byId = (a: number, b: number) => a - b;
  const lotIds = [...new Set([...fulfilments.map((f) => f.lot_id), ...lines.flatMap((l) => (l.lot_id !== null ? [l.lot_id] : []))])].sort(byId);
  const commitmentIds = [...new Set(lines.flatMap((l) => (l.commitment_id !== null ? [l.commitment_id] : [])))].sort(byId);
  await allocationRepo.lockSupply(trx, lotIds, commitmentIds);
  await repo.setFulfilmentsStatus(trx, fulfilments.map((f) => f.id), 'RELEASED');
  const perLine = new Map<number, number>();
  const perLot = new Map<number, number>();
  for (const f of fulfilments) {
    perLine.set(f.line_id, (perLine.get(f.line_id) ?? 0) + f.weight_g);
    perLot.set(f.lot_id, (perLot.get(f.lot_id) ?? 0) - f.weight_g);
  }
  const producerOf = new Map<number, number>();
  for (const [lineId, g] of perLine) producerOf.set(lineId, (await allocationRepo.addFulfilled(trx, lineId, -g)).producer_id);
  await allocationRepo.addAllocated(trx, 'lots', perLot);
  await appendEvents(
    trx,
    fulfilments.map((f) => ({
      kind: 'FULFILMENT_RELEASED',
      lotId: f.lot_id,
      commitmentId: null,
      orderId: event.order.id,
      actorUserId: event.actor.userId,
      payload: {
        orderId: event.order.id, lineId: f.line_id, fulfilmentId: f.id, producerId: producerOf.get(f.line_id), weightG: f.weight_g,
        reason: event.reason,
      },
    })),
  );
  const violations = await allocationRepo.invariantViolations(trx, [...perLot.keys()], []);
  if (violations.length > 0) throw new AllocationInvariantError(violations);
}

let installed = false;
/** Register the regrade and cancellation handlers once (imported by fulfilment.graphql.ts at startup). */
export function installFulfilmentHandlers(): void {
  if (installed) return;
  installed = true;
  onLotRegraded(handleLotRegraded);
  onOrderTransition(handleOrderTransition);
}
