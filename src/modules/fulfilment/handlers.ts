import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import { texts } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import { activeLinesOfOrder } from '../allocation/allocation.repo.js';
import { lockSupply, returnFulfilments, sourcesOf } from '../allocation/allocation.service.js';
import { type LotRegrade, onLotRegraded } from '../grading/grading.service.js';
import { onOrderTransition, type OrderTransitionEvent } from '../orders/hooks.js';
import * as ordersRepo from '../orders/orders.repo.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { HOLDS_ALLOCATION } from '../orders/state.js';
import { appendEvents } from '../provenance/provenance.repo.js';
import * as repo from './fulfilment.repo.js';
import type { FulfilmentRow } from './fulfilment.repo.js';
import { shortfallInTransaction } from './shortfall.js';

/**
 * What fulfilment does when something else happens: a linked lot fails grading (recordAssessment)
 * and an order that holds supply is cancelled. Installed once by src/composition.ts (composeModules).
 * Provenance: FULFILMENT_FAILED / FULFILMENT_RELEASED for a fulfilment that stopped counting.
 */

// A linked lot fails grading ----------------------------------------------------------------------

/**
 * Runs in recordAssessment's transaction (the lot is locked). When the lot became off-grade, or fell
 * below an order's minimum grade, every ACTIVE spot line on it and every ACTIVE fulfilment from it,
 * for orders that still hold supply, becomes a shortfall of that weight, reallocated as for a
 * default — but excluding only the failed lot (and a fulfilled line's commitment), not the producer,
 * who did not default: their other supply may cover it.
 */
/** Why a regraded lot's lines fall short (the grade null: off-grade), in each language. */
const REGRADE_TEXT: Readonly<Record<Language, (lotId: number, gradeCode: string | null, minGradeCode: string) => string>> = {
  en: (lotId, code, min) => `lot ${lotId} was assessed ${code === null ? 'off-grade' : `now grade ${code}`}, below the order's minimum grade ${min}`,
  id: (lotId, code, min) =>
    `lot ${lotId} dinilai ${code === null ? 'di luar mutu' : `kini mutu ${code}`}, di bawah mutu minimal pesanan ${min}`,
};

export async function handleLotRegraded(trx: Transaction<DB>, change: LotRegrade): Promise<void> {
  const lot = change.lot;
  const failed = lot.off_grade || lot.grade_rank === null;
  if (!failed && !change.downgraded) return;
  const orderIds = await repo.ordersAffectedByLot(trx, lot.id, failed ? null : lot.grade_rank);
  const actorUserId = change.assessment.curator_user_id;
  for (const orderId of orderIds) {
    let order = (await ordersRepo.lockOrder(trx, orderId)) as OrderRow;
    const reasonTexts = texts((lang) => REGRADE_TEXT[lang](lot.id, failed ? null : lot.grade_code, order.min_grade_code));
    const reason = reasonTexts.en;
    for (const line of await repo.activeSpotLinesOnLot(trx, orderId, lot.id)) {
      order = (await shortfallInTransaction(trx, order, line, line.weight_g - line.fulfilled_g, {
        cause: 'LOT_FAILED_GRADING', reason, reasonTexts, actorUserId, excludeLotIds: [lot.id],
      })).order;
    }
    const fulfilments = await repo.activeFulfilmentsFromLot(trx, orderId, lot.id);
    const perLine = new Map<number, FulfilmentRow[]>();
    for (const f of fulfilments) perLine.set(f.line_id, [...(perLine.get(f.line_id) ?? []), f]);
    for (const [lineId, fs] of perLine) {
      const failedG = fs.reduce((s, f) => s + f.weight_g, 0);
      await repo.setFulfilmentsStatus(trx, fs.map((f) => f.id), 'FAILED');
      const line = (await returnFulfilments(trx, fs)).get(lineId)!;
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
        cause: 'LOT_FAILED_GRADING', reason, reasonTexts, actorUserId, excludeLotIds: [lot.id],
        excludeCommitmentIds: line.commitment_id !== null ? [line.commitment_id] : [],
      })).order;
    }
  }
}

// An order is cancelled ---------------------------------------------------------------------------

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
  await lockSupply(trx, sourcesOf(fulfilments), sourcesOf(await activeLinesOfOrder(trx, event.order.id)));
  await repo.setFulfilmentsStatus(trx, fulfilments.map((f) => f.id), 'RELEASED');
  const lines = await returnFulfilments(trx, fulfilments);
  await appendEvents(
    trx,
    fulfilments.map((f) => ({
      kind: 'FULFILMENT_RELEASED',
      lotId: f.lot_id,
      commitmentId: null,
      orderId: event.order.id,
      actorUserId: event.actor.userId,
      payload: {
        orderId: event.order.id, lineId: f.line_id, fulfilmentId: f.id, producerId: lines.get(f.line_id)?.producer_id, weightG: f.weight_g,
        reason: event.reason,
      },
    })),
  );
}

let installed = false;
/** Register the regrade and cancellation handlers, once (src/composition.ts calls it). */
export function installFulfilmentHandlers(): void {
  if (installed) return;
  installed = true;
  onLotRegraded(handleLotRegraded);
  onOrderTransition(handleOrderTransition);
}
