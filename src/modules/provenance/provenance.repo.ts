import type { Kysely, Transaction } from 'kysely';
import type { DB, Row } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

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

/** Append one event. Must run in the transaction that makes the change it records. */
export const appendEvent = (trx: Transaction<DB>, event: NewProvenanceEvent) =>
  trx
    .insertInto('provenance_events')
    .values({
      kind: event.kind,
      lot_id: event.lotId ?? null,
      commitment_id: event.commitmentId ?? null,
      order_id: event.orderId ?? null,
      actor_user_id: event.actorUserId,
      payload: JSON.stringify(event.payload),
    })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Events of many lots at once (oldest first), with the actor's display name. */
export const eventsOfLots = (db: Db, lotIds: readonly number[]): Promise<ProvenanceEventRow[]> =>
  lotIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('provenance_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_user_id')
        .selectAll('e')
        .select('u.display_name as actor_display_name')
        .where('e.lot_id', 'in', lotIds)
        .orderBy('e.id')
        .execute();

/** Events of many commitments at once (oldest first), with the actor's display name. */
export const eventsOfCommitments = (db: Db, commitmentIds: readonly number[]): Promise<ProvenanceEventRow[]> =>
  commitmentIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('provenance_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_user_id')
        .selectAll('e')
        .select('u.display_name as actor_display_name')
        .where('e.commitment_id', 'in', commitmentIds)
        .orderBy('e.id')
        .execute();
