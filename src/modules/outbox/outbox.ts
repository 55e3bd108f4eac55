import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import { globalId } from '../../platform/graphql/ids.js';
import { EVENT_CATALOGUE, type AudienceKey, type EventSpec, type EventType } from './catalogue.js';
import * as repo from './outbox.repo.js';

/**
 * The transactional outbox. Every mutation in the catalogue (catalogue.ts) calls `emit` inside its
 * own transaction: a rollback leaves no event, a commit leaves the event for the dispatcher
 * (modules/webhooks), which fans it out to webhook endpoints and subscriptions. On PostgreSQL the
 * insert also enqueues the dispatch job (graphile-worker) in the same transaction, by a trigger
 * (migrations/…_0110_create_events.ts). availability.changed is not emitted here: triggers on lots
 * and commitments mark the product, and the dispatcher's coalescer emits one event per window.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** `evt_` + 24 random characters (~143 bits): the event's public id and its webhook-id. */
export function newEventId(): string {
  const bytes = randomBytes(24);
  let out = 'evt_';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

export interface NewEvent {
  type: EventType;
  subject: { type: EventSpec['subject']; id: number };
  audience: ReadonlyArray<AudienceKey | null | undefined>;
  data: Record<string, unknown>;
  /** Only for the receiver kinds the catalogue lists for this type. */
  restricted?: Record<string, unknown>;
}

/** Append events to the outbox. Must run in the transaction of the change they announce. */
export async function emit(trx: Transaction<DB>, ...events: NewEvent[]): Promise<void> {
  await repo.insertEvents(
    trx,
    events.map((e) => {
      const audience = [...new Set(e.audience.filter((a): a is AudienceKey => typeof a === 'string'))];
      if (audience.length === 0) throw new Error(`event ${e.type} concerns nobody`);
      return {
        publicId: newEventId(),
        type: e.type,
        version: EVENT_CATALOGUE[e.type].version,
        subjectId: globalId(e.subject.type, e.subject.id),
        audience,
        payload: { data: e.data, ...(e.restricted ? { restricted: e.restricted } : {}) },
      };
    }),
  );
}

/** Audience keys, skipping nulls: `audience.brand(order.brand_id)`. */
export const audience = {
  brand: (id: number | null | undefined): AudienceKey | null => (id == null ? null : `brand:${id}`),
  buyer: (id: number | null | undefined): AudienceKey | null => (id == null ? null : `buyer:${id}`),
  coop: (id: number | null | undefined): AudienceKey | null => (id == null ? null : `coop:${id}`),
  producer: (id: number | null | undefined): AudienceKey | null => (id == null ? null : `producer:${id}`),
  everyone: '*' as const,
};

/** The brand, the producer and the producer's cooperative (lots, commitments). */
export async function producerAudience(trx: Transaction<DB>, brandId: number, producerId: number): Promise<AudienceKey[]> {
  const [p] = await repo.cooperativesOfProducers(trx, [producerId]);
  return [audience.brand(brandId), audience.producer(producerId), audience.coop(p?.cooperative_id)].filter((a): a is AudienceKey => a !== null);
}

export { globalId };
