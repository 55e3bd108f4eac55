import { type Expression, type RawBuilder, type SelectQueryBuilder, sql, type SqlBool, type Transaction } from 'kysely';
import type { DB, Db, NewRow, Row } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { applyKeyset, pagesPerParent } from '../../platform/paging.js';
import { idList } from '../../platform/sql.js';

// Which producers' rows a caller may see, in SQL (the rules that build a filter are access.ts) -------

/**
 * Which producers' rows a principal may list, as data that repos turn into SQL:
 * - `{ all: true }` for admins;
 * - otherwise rows of producers in `producerIds` (own), of members of `cooperativeIds`
 *   (cooperative manager), or with a membership (any status) in `brandIds` (brand manager or curator).
 * All lists empty means nothing is visible (anonymous callers, buyers).
 */
export type ProducerVisibility =
  | { all: true }
  | { all: false; producerIds: number[]; cooperativeIds: number[]; brandIds: number[] };

/**
 * A boolean SQL expression "the producer id in `column` is visible under `filter`".
 * `column` is a column reference such as 'lots.producer_id' or 'producers.id'.
 */
export function producerVisibilitySql(column: string, filter: ProducerVisibility): RawBuilder<SqlBool> {
  if (filter.all) return sql<SqlBool>`true`;
  const col = sql.ref(column);
  const conditions: RawBuilder<unknown>[] = [];
  if (filter.producerIds.length > 0) conditions.push(sql`${col} in (${idList(filter.producerIds)})`);
  if (filter.cooperativeIds.length > 0) {
    conditions.push(sql`${col} in (select vp.id from producers vp where vp.cooperative_id in (${idList(filter.cooperativeIds)}))`);
  }
  if (filter.brandIds.length > 0) {
    conditions.push(sql`${col} in (select vm.producer_id from memberships vm where vm.brand_id in (${idList(filter.brandIds)}))`);
  }
  if (conditions.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
}

/**
 * Restrict a Kysely select to rows whose producer is visible under `filter`, e.g.
 * `applyProducerVisibility(db.selectFrom('lots').selectAll(), 'lots.producer_id', visibleProducersFilter(principal))`.
 */
export function applyProducerVisibility<D, TB extends keyof D, O>(
  qb: SelectQueryBuilder<D, TB, O>,
  column: string,
  filter: ProducerVisibility,
): SelectQueryBuilder<D, TB, O> {
  if (filter.all) return qb;
  return qb.where(producerVisibilitySql(column, filter) as Expression<SqlBool>);
}

// Producers and cooperatives ------------------------------------------------------------------

/** The cooperative of each producer (only rows that exist). */
export const producerCooperatives = (db: Db, producerIds: readonly number[]) =>
  producerIds.length === 0
    ? Promise.resolve([] as Array<{ id: number; cooperative_id: number | null }>)
    : db.selectFrom('producers').select(['id', 'cooperative_id']).where('id', 'in', producerIds).execute();

/** Each producer's cooperative and the brands it holds a membership in (any status), in one statement. */
export const producerTies = (db: Db, producerIds: readonly number[]) =>
  producerIds.length === 0
    ? Promise.resolve([] as Array<{ id: number; cooperative_id: number | null; membership_brand_ids: number[] }>)
    : db
        .selectFrom('producers')
        .select(['id', 'cooperative_id'])
        .select(sql<number[]>`coalesce((select json_agg(m.brand_id) from memberships m where m.producer_id = producers.id), '[]'::json)`.as('membership_brand_ids'))
        .where('id', 'in', producerIds)
        .execute();

/** Memberships (any status) of these producers in these brands. */
export const membershipBrandPairs = (db: Db, producerIds: readonly number[], brandIds: readonly number[]) =>
  producerIds.length === 0 || brandIds.length === 0
    ? Promise.resolve([] as Array<{ producer_id: number; brand_id: number }>)
    : db
        .selectFrom('memberships')
        .select(['producer_id', 'brand_id'])
        .where('producer_id', 'in', producerIds)
        .where('brand_id', 'in', brandIds)
        .execute();

// Cooperatives ---------------------------------------------------------------------------------

export type CooperativeRow = Row<'cooperatives'>;
export type ProducerRow = Row<'producers'>;

export const insertCooperative = (db: Db, row: NewRow<'cooperatives'>) =>
  db.insertInto('cooperatives').values(row).returningAll().executeTakeFirstOrThrow();

export const findCooperative = (db: Db, id: number) =>
  db.selectFrom('cooperatives').selectAll().where('id', '=', id).executeTakeFirst();

export const listCooperatives = (db: Db, page: KeysetPage) =>
  applyKeyset(db.selectFrom('cooperatives').selectAll(), 'id', page)
    .orderBy('id', page.inverted ? 'desc' : 'asc')
    .limit(page.limit)
    .execute();

// Producers ------------------------------------------------------------------------------------

export const insertProducer = (db: Db, row: NewRow<'producers'>) =>
  db.insertInto('producers').values(row).returningAll().executeTakeFirstOrThrow();

export const setProducerUser = (db: Db, producerId: number, userId: number) =>
  db.updateTable('producers').set({ user_id: userId }).where('id', '=', producerId).returningAll().executeTakeFirstOrThrow();

/**
 * Multi-row inserts in chunks (PostgreSQL takes at most 65,535 parameters per statement).
 * RETURNING of a single INSERT … VALUES yields rows in the order of the VALUES list.
 */
export async function insertProducersBulk(trx: Transaction<DB>, rows: NewRow<'producers'>[], chunk = 2000): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const inserted = await trx.insertInto('producers').values(rows.slice(i, i + chunk)).returning('id').execute();
    ids.push(...inserted.map((r) => r.id));
  }
  return ids;
}

export async function insertPlotsBulk(trx: Transaction<DB>, rows: NewRow<'plots'>[], chunk = 4000): Promise<number> {
  for (let i = 0; i < rows.length; i += chunk) {
    await trx.insertInto('plots').values(rows.slice(i, i + chunk)).execute();
  }
  return rows.length;
}

export interface ProducerListFilter {
  /** Only producers with a membership (any status) in this brand. */
  brandId: number | null;
  /** Only members of this cooperative. */
  cooperativeId: number | null;
}

function producerQuery(db: Db, visibility: ProducerVisibility, filter: ProducerListFilter) {
  let q = applyProducerVisibility(db.selectFrom('producers').selectAll('producers'), 'producers.id', visibility);
  if (filter.cooperativeId !== null) q = q.where('producers.cooperative_id', '=', filter.cooperativeId);
  if (filter.brandId !== null) {
    const brandId = filter.brandId;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('memberships').select('memberships.id').whereRef('memberships.producer_id', '=', 'producers.id').where('memberships.brand_id', '=', brandId)),
    );
  }
  return q;
}

export const listProducers = (db: Db, visibility: ProducerVisibility, filter: ProducerListFilter, page: KeysetPage) =>
  applyKeyset(producerQuery(db, visibility, filter), 'producers.id', page)
    .orderBy('producers.id', page.inverted ? 'desc' : 'asc')
    .limit(page.limit)
    .execute();

/** A page of visible producers for each cooperative, one query. */
export const producersPerCooperative = (db: Db, cooperativeIds: readonly number[], visibility: ProducerVisibility, page: KeysetPage) =>
  pagesPerParent<ProducerRow>(
    db,
    applyProducerVisibility(db.selectFrom('producers').selectAll('producers'), 'producers.id', visibility).where(
      'producers.cooperative_id',
      'in',
      cooperativeIds,
    ),
    'producers.cooperative_id',
    (p) => p.cooperative_id as number,
    'producers.id',
    page,
  );

export const countProducers = async (db: Db) =>
  (await db.selectFrom('producers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
