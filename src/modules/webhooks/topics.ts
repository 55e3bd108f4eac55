import { decodeGlobalID } from '@pothos/plugin-relay';
import type { StoredEvent } from '../outbox/catalogue.js';

/**
 * Subscription topics of a dispatched event (pure). Published after commit by the dispatcher, to the
 * in-process emitter or, with REDIS_URL, to Redis (mqemitter-redis) so every node hears it:
 * - `order:<id>`: every event whose subject is an order (order.*, allocation.changed, settlement.settled);
 * - `availability:<productId>`: availability.changed;
 * - `lots:producer:<id>` and `lots:coop:<id>`: lot.declared and lot.graded, for the lot's producer and cooperative.
 */

export interface TopicMessage {
  eventId: string;
  type: string;
  subjectId: number;
  data: Record<string, unknown>;
}

const rowId = (globalId: string): number | null => {
  try {
    const { id } = decodeGlobalID(globalId);
    return /^\d{1,15}$/.test(id) ? Number(id) : null;
  } catch {
    return null;
  }
};

export function subscriptionTopics(event: StoredEvent): Array<{ topic: string; payload: TopicMessage }> {
  const subjectId = rowId(event.subjectId);
  if (subjectId === null) return [];
  const payload: TopicMessage = { eventId: event.publicId, type: event.type, subjectId, data: event.payload.data };
  if (event.type.startsWith('order.') || event.type === 'allocation.changed' || event.type === 'settlement.settled') {
    return [{ topic: `order:${subjectId}`, payload }];
  }
  if (event.type === 'availability.changed') return [{ topic: `availability:${subjectId}`, payload }];
  if (event.type === 'lot.declared' || event.type === 'lot.graded') {
    return event.audience
      .filter((a) => a.startsWith('producer:') || a.startsWith('coop:'))
      .map((a) => ({ topic: `lots:${a}`, payload }));
  }
  return [];
}
