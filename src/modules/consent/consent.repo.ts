import { type Kysely, sql, type Transaction } from 'kysely';
import type { ConsentPurpose, DB, NewRow, Row } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

/** All SQL of consent: an append-only event log, the latest event per (producer, purpose) is the state. */

export const insertConsentEvent = (trx: Transaction<DB>, row: NewRow<'consent_events'>) =>
  trx.insertInto('consent_events').values(row).returningAll().executeTakeFirstOrThrow();

/** The latest event per (producer, purpose) for these producers. */
export const currentConsents = (db: Db, producerIds: readonly number[], purpose?: ConsentPurpose): Promise<Row<'consent_events'>[]> =>
  producerIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('consent_events')
        .selectAll()
        .distinctOn(['producer_id', 'purpose'])
        .where('producer_id', 'in', [...producerIds])
        .$if(purpose !== undefined, (qb) => qb.where('purpose', '=', purpose as ConsentPurpose))
        .orderBy('producer_id')
        .orderBy('purpose')
        .orderBy('id', 'desc')
        .execute();

/** Display names of the producers whose latest event for `purpose` is GIVEN. */
export const consentedNames = (db: Db, producerIds: readonly number[], purpose: ConsentPurpose) =>
  producerIds.length === 0
    ? Promise.resolve([] as { id: number; display_name: string }[])
    : sql<{ id: number; display_name: string }>`
        SELECT p.id, p.display_name FROM producers p
         WHERE p.id IN (${sql.join([...producerIds])})
           AND (SELECT e.action FROM consent_events e WHERE e.producer_id = p.id AND e.purpose = ${purpose}
                 ORDER BY e.id DESC LIMIT 1) = 'GIVEN'`
        .execute(db)
        .then((r) => r.rows.map((row) => ({ id: Number(row.id), display_name: row.display_name })));

/** Every event of a producer, oldest first, with the actor's display name. */
export const eventsOfProducer = (db: Db, producerId: number) =>
  db
    .selectFrom('consent_events as e')
    .innerJoin('users as u', 'u.id', 'e.actor_user_id')
    .selectAll('e')
    .select('u.display_name as actor_display_name')
    .where('e.producer_id', '=', producerId)
    .orderBy('e.id')
    .execute();

export type ConsentEventRow = Awaited<ReturnType<typeof eventsOfProducer>>[number];

/** Lock the producer row so that concurrent consent changes of one producer serialise. */
export const lockProducer = (trx: Transaction<DB>, producerId: number) =>
  trx.selectFrom('producers').select(['id', 'cooperative_id', 'display_name']).where('id', '=', producerId).forUpdate().executeTakeFirst();
