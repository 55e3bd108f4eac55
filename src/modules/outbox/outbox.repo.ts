import { sql, type Transaction } from 'kysely';
import type { DB, Db, Row } from '../../platform/db-types.js';
import { columnsOf, prepared } from '../../platform/sql.js';

/** SQL of the outbox (events, availability_marks). */

export type EventRow = Row<'events'>;

export interface NewEventRow {
  publicId: string;
  type: string;
  version: number;
  subjectId: string;
  audience: readonly string[];
  payload: Record<string, unknown>;
}

/** Append events, in the order given. Must run in the transaction that makes the change they announce. */
export async function insertEvents(trx: Transaction<DB>, events: readonly NewEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await insertEventsQuery(
    trx,
    ...columnsOf(events, 'publicId', 'type', 'version', 'subjectId'),
    events.map((e) => JSON.stringify(e.audience)),
    events.map((e) => JSON.stringify(e.payload)),
  );
}

/** One text for any number of events; each audience travels as a JSON array (arrays of arrays do not unnest). */
const insertEventsQuery = prepared((_db, publicIds: string[], types: string[], versions: number[], subjectIds: string[], audiences: string[], payloads: string[]) => sql`
    insert into events (public_id, type, version, subject_id, audience, payload)
    select e.public_id, e.type, e.version, e.subject_id, array(select jsonb_array_elements_text(e.audience)), e.payload
    from unnest(${publicIds}::text[], ${types}::text[], ${versions}::int4[], ${subjectIds}::text[], ${audiences}::jsonb[], ${payloads}::jsonb[])
      with ordinality as e(public_id, type, version, subject_id, audience, payload, n)
    order by e.n`);

/** The cooperative of each producer (for audiences). */
export const cooperativesOfProducers = (db: Db, producerIds: readonly number[]) =>
  producerIds.length === 0
    ? Promise.resolve([] as Array<{ id: number; cooperative_id: number | null }>)
    : db.selectFrom('producers').select(['id', 'cooperative_id']).where('id', 'in', producerIds).execute();

export const findEvent = (db: Db, id: number) => db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
export const findEventByPublicId = (db: Db, publicId: string) =>
  db.selectFrom('events').selectAll().where('public_id', '=', publicId).executeTakeFirst();

/** Events not yet dispatched, oldest first (the embedded poller, the worker's start-up sweep). */
export const undispatchedEventIds = (db: Db, limit: number) =>
  db.selectFrom('events').select('id').where('dispatched_at', 'is', null).orderBy('id').limit(limit).execute();

/** Lock an undispatched event (skip it when another dispatcher holds it). */
export const lockUndispatched = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('events').selectAll().where('id', '=', id).where('dispatched_at', 'is', null).forUpdate().skipLocked().executeTakeFirst();

export const markDispatched = (trx: Transaction<DB>, id: number) =>
  trx.updateTable('events').set({ dispatched_at: new Date() }).where('id', '=', id).execute();

/**
 * Products with availability marks older than the window, and the marks taken (deleted) for them:
 * one statement, rows another coalescer holds are skipped.
 */
export async function takeDueAvailabilityMarks(trx: Transaction<DB>, windowMs: number): Promise<number[]> {
  const { rows } = await sql<{ product_id: number }>`
    with due as (
      select product_id from availability_marks group by product_id
      having min(at) <= now() - make_interval(secs => ${windowMs / 1000})
    ), taken as (
      delete from availability_marks m using due where m.product_id = due.product_id
      and m.id in (select id from availability_marks where product_id = due.product_id for update skip locked)
      returning m.product_id
    )
    select distinct product_id from taken order by product_id`.execute(trx);
  return rows.map((r) => Number(r.product_id));
}

export const brandOfProduct = (db: Db, productId: number) =>
  db.selectFrom('products').select(['id', 'brand_id']).where('id', '=', productId).executeTakeFirst();

/**
 * Mark every event dispatched and drop the availability marks: for the demo seed, whose history
 * nobody was subscribed to (otherwise the first start would fan out hundreds of seed events).
 */
export async function settleAll(db: Db): Promise<void> {
  await db.updateTable('events').set({ dispatched_at: new Date() }).where('dispatched_at', 'is', null).execute();
  await db.deleteFrom('availability_marks').execute();
}
