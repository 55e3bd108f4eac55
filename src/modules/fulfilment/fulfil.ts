import type { Kysely, Transaction } from 'kysely';
import { kg } from '../../platform/format.js';
import { z } from 'zod';
import { type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { IdempotencyKey, idempotent } from '../../platform/idempotency.js';
import type { TxOptions } from '../../platform/transaction.js';
import { parseInput, positiveWeight } from '../../platform/validate.js';
import { lockLotsForAllocation, takeForFulfilment } from '../allocation/allocation.service.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import * as ordersRepo from '../orders/orders.repo.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { transitionInTransaction } from '../orders/orders.service.js';
import { appendEvent } from '../provenance/provenance.repo.js';
import * as repo from './fulfilment.repo.js';
import type { FulfilmentRow, LineRow } from './fulfilment.repo.js';
import { checkLedger } from './ledger-check.js';
import { fulfilmentRefusal } from './refusals.js';

/**
 * Fulfilling a forward line: the brand manager of the order's brand (or an admin) links a
 * delivered, graded lot of the line's producer to the line. Linking is the brand's receipt of the
 * coffee into the order, and it moves the order to IN_FULFILLMENT, which the order state machine
 * reserves for the manager; producers propose lots by declaring them, they do not bind them to a
 * buyer's order.
 *
 * The ledger: fulfilling does NOT move weight off the commitment — its promise stays consumed by the
 * order (commitment allocated_g = Σ ACTIVE lines on it, unchanged) — and the delivered lot's weight
 * is reserved as well (lot allocated_g = Σ ACTIVE spot lines + Σ ACTIVE fulfilments from it): the
 * lot is the commitment's promise made physical, both stay taken. line.fulfilled_g = Σ ACTIVE
 * fulfilments ≤ weight_g. Locks: the order row, then the lot.
 */

const FulfilInput = z.object({
  lineId: z.number().int(),
  lotId: z.number().int(),
  weight: positiveWeight(),
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
  const [lot] = await lockLotsForAllocation(trx, [input.lotId]);
  const refused = fulfilmentRefusal(order, line, lot, input.weight);
  if (refused || !lot) throw refused ?? new NotFoundError('Lot', 'input.lotId');

  const fulfilment = await repo.insertFulfilment(trx, { lineId: line.id, lotId: lot.id, weightG: input.weight, createdBy: principal.userId });
  const updatedLine = await takeForFulfilment(trx, line.id, lot.id, input.weight, 'input.lotId');
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
      `First fulfilment: ${kg(input.weight, 'en')} delivered against line ${line.id}`,
    );
  }
  await checkLedger(trx, order.id, { lotIds: [lot.id], commitmentIds: line.commitment_id !== null ? [line.commitment_id] : [] });
  return { fulfilment, line: updatedLine, order: current };
}
