import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import { inTransaction } from '../../platform/transaction.js';
import { gramsToKg } from '../../platform/weight.js';
import { productTotals } from '../availability/availability.service.js';
import type { StoredEvent } from '../outbox/catalogue.js';
import { audience, emit, globalId } from '../outbox/outbox.js';
import * as outboxRepo from '../outbox/outbox.repo.js';
import * as repo from './webhooks.repo.js';

/**
 * From the outbox to the receivers. Both engines (graphile-worker on PostgreSQL, the embedded
 * poller) call these:
 * - `dispatchEvent`: lock one undispatched event, create one delivery per enabled endpoint that
 *   subscribed to its type and that the event concerns, mark it dispatched (once, even when two
 *   dispatchers race), and return the event and the new deliveries (the caller attempts them at once
 *   and publishes the event to subscriptions).
 * - `coalesceAvailability`: products marked (by the lots/commitments triggers) longer ago than the
 *   window get one availability.changed with their new totals; the marks are consumed.
 */

export interface Dispatched {
  event: StoredEvent & { id: number };
  deliveries: repo.DeliveryRow[];
}

export const toStoredEvent = (row: outboxRepo.EventRow): StoredEvent & { id: number } => ({
  id: row.id,
  publicId: row.public_id,
  type: row.type,
  version: row.version,
  subjectId: row.subject_id,
  audience: row.audience,
  payload: row.payload as StoredEvent['payload'],
  occurredAt: row.occurred_at,
});

/** `enqueue` runs in the dispatch transaction for each new delivery (graphile-worker adds a job). */
export type EnqueueDelivery = (trx: Transaction<DB>, delivery: repo.DeliveryRow) => Promise<void>;

export async function dispatchEvent(db: Kysely<DB>, eventId: number, enqueue?: EnqueueDelivery): Promise<Dispatched | null> {
  return inTransaction(db, async (trx) => {
    const row = await outboxRepo.lockUndispatched(trx, eventId);
    if (!row) return null;
    const endpoints = await repo.matchingEndpoints(trx, row.type, row.audience);
    const deliveries = await repo.insertDeliveries(trx, endpoints.map((e) => ({ endpointId: e.id, eventId: row.id, kind: 'EVENT' as const })));
    if (enqueue) for (const d of deliveries) await enqueue(trx, d);
    await outboxRepo.markDispatched(trx, row.id);
    return { event: toStoredEvent(row), deliveries };
  });
}

export async function coalesceAvailability(db: Kysely<DB>, windowMs: number): Promise<number> {
  return inTransaction(db, async (trx) => {
    const products = await outboxRepo.takeDueAvailabilityMarks(trx, windowMs);
    for (const productId of products) {
      const totals = await productTotals(trx, productId);
      if (!totals) continue;
      await emit(trx, {
        type: 'availability.changed',
        subject: { type: 'Product', id: productId },
        audience: [audience.everyone, audience.brand(totals.brandId)],
        data: {
          product: { id: globalId('Product', productId) },
          spotKg: gramsToKg(totals.spotG),
          forwardKg: gramsToKg(totals.forwardG),
          totalKg: gramsToKg(totals.spotG + totals.forwardG),
          byGrade: totals.byGrade.map((g) => ({ grade: g.grade, rank: g.rank, spotKg: gramsToKg(g.spotG), forwardKg: gramsToKg(g.forwardG) })),
        },
      });
    }
    return products.length;
  });
}
