import { sql, type Transaction } from 'kysely';
import { columnsOf, prepared } from '../../platform/sql.js';
import type { DB, Db, Row } from '../../platform/db-types.js';

/**
 * The append-only provenance log (provenance_events; a trigger rejects UPDATE and DELETE).
 * Every change to a lot or commitment appends one event in the same transaction as the change.
 */

/** Kinds of events written so far; the orders module adds ALLOCATED, FULFILLED, SHIPPED, … */
export type ProvenanceKind =
  | 'DECLARED'
  | 'ASSESSED'
  | 'COMMITTED'
  | 'COMMITMENT_AMENDED'
  | 'COMMITMENT_WITHDRAWN'
  | (string & {});

export interface NewProvenanceEvent {
  kind: ProvenanceKind;
  lotId?: number | null;
  commitmentId?: number | null;
  orderId?: number | null;
  actorUserId: number | null;
  payload: Record<string, unknown>;
}

export type ProvenanceEventRow = Row<'provenance_events'> & { actor_display_name: string | null };

const toRow = (event: NewProvenanceEvent) => ({
  kind: event.kind,
  lot_id: event.lotId ?? null,
  commitment_id: event.commitmentId ?? null,
  order_id: event.orderId ?? null,
  actor_user_id: event.actorUserId,
  payload: JSON.stringify(event.payload),
});

/** Append one event. Must run in the transaction that makes the change it records. */
export const appendEvent = (trx: Transaction<DB>, event: NewProvenanceEvent) =>
  trx.insertInto('provenance_events').values(toRow(event)).returningAll().executeTakeFirstOrThrow();

/**
 * The events as columns for `unnest`: one statement text and six parameters however many events
 * there are (an allocation of 300 lines writes 300 events), built and compiled once (platform/sql.ts).
 */
const insertEvents = prepared(
  (_db, kinds: string[], lotIds: Array<number | null>, commitmentIds: Array<number | null>, orderIds: Array<number | null>, actors: Array<number | null>, payloads: string[]) =>
    sql`insert into provenance_events (kind, lot_id, commitment_id, order_id, actor_user_id, payload)
      select * from unnest(${kinds}::text[], ${lotIds}::int8[], ${commitmentIds}::int8[], ${orderIds}::int8[], ${actors}::int8[], ${payloads}::jsonb[])`,
);

/** Append many events in one statement, in the given order. Must run in the transaction that makes the changes they record. */
export async function appendEvents(trx: Transaction<DB>, events: readonly NewProvenanceEvent[]): Promise<void> {
  if (events.length === 0) return;
  await insertEvents(trx, ...columnsOf(events.map(toRow), 'kind', 'lot_id', 'commitment_id', 'order_id', 'actor_user_id', 'payload'));
}

/** Events of many lots (`lot_id`) or many commitments (`commitment_id`) at once, oldest first, with the actor's display name. */
export const eventsOf = (db: Db, column: 'lot_id' | 'commitment_id', ids: readonly number[]): Promise<ProvenanceEventRow[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('provenance_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_user_id')
        .selectAll('e')
        .select('u.display_name as actor_display_name')
        .where(`e.${column}`, 'in', ids)
        .orderBy('e.id')
        .execute();
