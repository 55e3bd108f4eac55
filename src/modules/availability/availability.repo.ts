import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB, Db } from '../../platform/db-types.js';
import { prepared } from '../../platform/sql.js';
import { BAND_METRICS, END_METRICS, type Gran, type LiveRow, monthStart, START_METRICS, type StoredCell, type SummedRow, type SupplyItem } from './aggregates.js';

/**
 * The availability question as SQL. The answer itself is read from the maintained aggregates
 * (aggregatesQuery, at the end of this file). The scan of lots and commitments below
 * (aggregateQuery) is what they replace: kept as the reference the tests and bench:availability
 * compare them with, and for scripts/explain-availability. Every scan statement reads only partial
 * covering indexes (index-only scans), whose predicates are repeated verbatim (literals, not
 * parameters) so the planner can use them.
 *
 * - The aggregate: one statement, GROUPING SETS over the union of spot and forward rows, giving per
 *   grade, per regency and total sums and distinct contributors. Reads
 *   lots_available_idx (product_id, grade_rank, regency) INCLUDE (producer_id, net_g, allocated_g) and
 *   commitments_open_idx (product_id, min_grade_rank, window_start) INCLUDE (window_end, regency,
 *   producer_id, committed_g, allocated_g), with "approved member" as a hash semi-join on memberships.
 * - The drill-down page, two shapes (the service picks one from the contributor count):
 *   by scan (aggregate the product's supply, keep the page after the cursor) or by probe (walk the
 *   approved members in id order, probe lots_available_producer_idx and commitments_open_producer_idx,
 *   stop after the page).
 */
export interface SupplyFilter {
  productId: number;
  brandId: number;
  /** Grades of rank ≤ this count (1 = best). */
  maxRank: number;
  windowStart: string;
  windowEnd: string;
  /** Lower-cased regency names; null = every regency. */
  regencies: string[] | null;
}

export interface AggregateRow {
  rank: number | null;
  regency: string | null;
  spot_g: number;
  forward_g: number;
  producers: number;
  /** grouping(rank, regency): 1 = per grade, 2 = per regency, 3 = grand total. */
  level: number;
}

export interface ContributorRow {
  producer_id: number;
  spot_g: number;
  forward_g: number;
}

const approvedMember = (producerColumn: RawBuilder<unknown>, brandId: number) => sql`exists (
      select 1 from memberships m
      where m.brand_id = ${brandId} and m.status = 'APPROVED' and m.producer_id = ${producerColumn})`;

const regencyFilter = (column: RawBuilder<unknown>, regencies: string[] | null) =>
  regencies === null ? sql`` : sql`and lower(${column}) = any(${sql.val(regencies)}::text[])`;

/** Extra condition on the producer id, pushed into both branches (drill-down keyset). */
type ProducerBound = { op: '>' | '<'; id: number } | null;

const producerBound = (column: RawBuilder<unknown>, bounds: ProducerBound[]) =>
  sql.join(
    bounds.filter((b): b is NonNullable<ProducerBound> => b !== null).map((b) => sql`and ${column} ${sql.raw(b.op)} ${b.id}`),
    sql` `,
  );

/** Spot (graded lots with weight left) and forward (open commitments overlapping the window) supply rows. */
function supply(f: SupplyFilter, bounds: ProducerBound[] = []) {
  const lp = sql.ref('l.producer_id');
  const cp = sql.ref('c.producer_id');
  return sql`
    select l.grade_rank as rank, l.regency, l.producer_id, l.net_g - l.allocated_g as spot_g, 0::int8 as forward_g
    from lots l
    where l.product_id = ${f.productId}
      and l.grade_rank <= ${f.maxRank}
      and l.grade_rank is not null and not l.off_grade and l.allocated_g < l.net_g
      ${regencyFilter(sql.ref('l.regency'), f.regencies)}
      ${producerBound(lp, bounds)}
      and ${approvedMember(lp, f.brandId)}
    union all
    select c.min_grade_rank as rank, c.regency, c.producer_id, 0::int8 as spot_g, c.committed_g - c.allocated_g as forward_g
    from commitments c
    where c.product_id = ${f.productId}
      and c.min_grade_rank <= ${f.maxRank}
      and c.status = 'OPEN' and c.allocated_g < c.committed_g
      and c.window_start <= ${f.windowEnd}::date and c.window_end >= ${f.windowStart}::date
      ${regencyFilter(sql.ref('c.regency'), f.regencies)}
      ${producerBound(cp, bounds)}
      and ${approvedMember(cp, f.brandId)}`;
}

/** Per grade, per regency and total: spot and forward grams and distinct contributing producers. */
export function aggregateQuery(f: SupplyFilter) {
  return sql<AggregateRow>`
    with supply as (${supply(f)})
    select rank, regency,
      coalesce(sum(spot_g), 0)::int8 as spot_g,
      coalesce(sum(forward_g), 0)::int8 as forward_g,
      count(distinct producer_id)::int8 as producers,
      grouping(rank, regency)::int4 as level
    from supply
    group by grouping sets ((rank), (regency), ())`;
}

/** Sorting ~300k supply rows for the distinct counts fits in memory at this size (the default 4MB spills to disk; scripts/explain-availability). */
export const AGGREGATE_WORK_MEM = '64MB';

/**
 * Runs the scan aggregate (productTotals for availability.changed events still uses it). Call it in
 * a transaction opened with `{ settings: AGGREGATE_SETTINGS }`, so the larger work_mem holds for
 * this transaction only.
 */
export const AGGREGATE_SETTINGS = { work_mem: AGGREGATE_WORK_MEM } as const;
export async function aggregate(trx: Transaction<DB>, f: SupplyFilter): Promise<AggregateRow[]> {
  return (await aggregateQuery(f).execute(trx)).rows;
}

export interface ContributorPage {
  afterId: number | null;
  beforeId: number | null;
  limit: number;
  inverted: boolean;
}

const pageBounds = (page: ContributorPage): ProducerBound[] => [
  page.afterId === null ? null : { op: '>', id: page.afterId },
  page.beforeId === null ? null : { op: '<', id: page.beforeId },
];

/**
 * One keyset page of contributors by aggregating the whole supply of the product and keeping the
 * producers after the cursor. Cost: the product's index range (bounded), whatever the page.
 * Best when contributors are few (a sparse filter).
 */
export function contributorsByScanQuery(f: SupplyFilter, page: ContributorPage) {
  return sql<ContributorRow>`
    with supply as (${supply(f, pageBounds(page))})
    select producer_id,
      coalesce(sum(spot_g), 0)::int8 as spot_g,
      coalesce(sum(forward_g), 0)::int8 as forward_g
    from supply
    group by producer_id
    order by producer_id ${sql.raw(page.inverted ? 'desc' : 'asc')}
    limit ${page.limit}`;
}

/**
 * One keyset page of contributors by walking the brand's approved members in id order and probing
 * lots_available_producer_idx and commitments_open_producer_idx for each; stops after one page.
 * Cost: members walked until the page is full (≈ page × members / contributors). Best when
 * contributors are many.
 */
export function contributorsByProbeQuery(f: SupplyFilter, page: ContributorPage) {
  const mp = sql.ref('m.producer_id');
  return sql<ContributorRow>`
    select m.producer_id, s.spot_g, fw.forward_g
    from memberships m
    cross join lateral (
      select coalesce(sum(l.net_g - l.allocated_g), 0)::int8 as spot_g
      from lots l
      where l.product_id = ${f.productId} and l.producer_id = ${mp}
        and l.grade_rank <= ${f.maxRank}
        and l.grade_rank is not null and not l.off_grade and l.allocated_g < l.net_g
        ${regencyFilter(sql.ref('l.regency'), f.regencies)}
    ) s
    cross join lateral (
      select coalesce(sum(c.committed_g - c.allocated_g), 0)::int8 as forward_g
      from commitments c
      where c.product_id = ${f.productId} and c.producer_id = ${mp}
        and c.min_grade_rank <= ${f.maxRank}
        and c.status = 'OPEN' and c.allocated_g < c.committed_g
        and c.window_start <= ${f.windowEnd}::date and c.window_end >= ${f.windowStart}::date
        ${regencyFilter(sql.ref('c.regency'), f.regencies)}
    ) fw
    where m.brand_id = ${f.brandId} and m.status = 'APPROVED'
      ${producerBound(mp, pageBounds(page))}
      and (s.spot_g > 0 or fw.forward_g > 0)
    order by m.producer_id ${sql.raw(page.inverted ? 'desc' : 'asc')}
    limit ${page.limit}`;
}

export async function contributorsByScan(db: Db, f: SupplyFilter, page: ContributorPage): Promise<ContributorRow[]> {
  return (await contributorsByScanQuery(f, page).execute(db)).rows;
}

export async function contributorsByProbe(db: Db, f: SupplyFilter, page: ContributorPage): Promise<ContributorRow[]> {
  return (await contributorsByProbeQuery(f, page).execute(db)).rows;
}

/** The product and its brand. */
export const findProduct = (db: Db, id: number) =>
  db.selectFrom('products').select(['id', 'brand_id', 'name']).where('id', '=', id).executeTakeFirst();


// ---------------------------------------------------------------------------------------------
// Maintained aggregates (see aggregates.ts for what the counters mean, and the migration
// 20261202_0200 for the tables and the triggers that mark changed producers dirty).

const inList = (xs: readonly number[]) => sql.join(xs.map((x) => sql.lit(x)));
const START_IN = inList(START_METRICS);
const END_IN = inList(END_METRICS);
const BAND_IN = inList(BAND_METRICS);

/** Producers computed live by the read: marked dirty (anywhere) or with supply in several regencies. */
const liveProducers = (productId: number) => sql`
  select producer_id from availability_dirty
  union
  select producer_id from availability_live where product_id = ${productId}`;

/**
 * The read of the counters for one question, one statement (one snapshot): the counters' rows the
 * question needs (a few range scans on the key (product_id, gran, d1)), minus the contributions of
 * the producers computed live, summed per metric and rank and per metric and regency; then the
 * live producers' supply rows, filtered as the scan would.
 */
export function aggregatesQuery(
  f: SupplyFilter,
  months: { start: string; end: string } = { start: monthStart(f.windowStart), end: monthStart(f.windowEnd) },
) {
  const p = f.productId;
  const qs = sql`${f.windowStart}::date`;
  const qe = sql`${f.windowEnd}::date`;
  const qsMonth = sql`${months.start}::date`;
  const qeMonth = sql`${months.end}::date`;
  const common = (t: string) => sql`${sql.ref(`${t}.rank_lo`)} <= ${f.maxRank} ${regencyFilter(sql.ref(`${t}.regency`), f.regencies)}`;
  const counters = (where: RawBuilder<unknown>) => sql`
    select k.metric, k.rank_lo, k.rank_hi, k.regency, k.value from availability_counters k
    where k.product_id = ${p} and ${where} and ${common('k')}`;
  const wanted = sql`(c.gran = 'A'
      or (c.gran = 'M' and ((c.metric in (${START_IN}) and c.d1 < ${qeMonth}) or (c.metric in (${END_IN}) and c.d1 < ${qsMonth})))
      or (c.gran = 'D' and ((c.metric in (${START_IN}) and c.d1 >= ${qeMonth} and c.d1 <= ${qe}) or (c.metric in (${END_IN}) and c.d1 >= ${qsMonth} and c.d1 < ${qs})))
      or (c.gran = 'G' and c.d1 >= ${qs} and c.d2 <= ${qe}))`;
  return sql<{ part: number; level: number; metric: number | null; rank: number | null; regency: string | null; value: number; producer_id: number | null; spot_g: number; forward_g: number }>`
    with live as (${liveProducers(p)}),
    k as (
      ${counters(sql`k.gran = 'A'`)}
      union all ${counters(sql`k.gran = 'M' and k.d1 < ${qeMonth} and k.metric in (${START_IN})`)}
      union all ${counters(sql`k.gran = 'M' and k.d1 < ${qsMonth} and k.metric in (${END_IN})`)}
      union all ${counters(sql`k.gran = 'D' and k.d1 >= ${qeMonth} and k.d1 <= ${qe} and k.metric in (${START_IN})`)}
      union all ${counters(sql`k.gran = 'D' and k.d1 >= ${qsMonth} and k.d1 < ${qs} and k.metric in (${END_IN})`)}
      union all ${counters(sql`k.gran = 'G' and k.d1 >= ${qs} and k.d2 <= ${qe}`)}
      union all
      select c.metric, c.rank_lo, c.rank_hi, c.regency, -c.value from availability_contributions c
      where c.producer_id in (select producer_id from live) and c.product_id = ${p} and ${wanted} and ${common('c')}
    ),
    summed as (
      select metric, rank_lo, regency, sum(value)::int8 as value, grouping(rank_lo, regency)::int4 as level
      from k
      where metric not in (${BAND_IN}) or ${f.maxRank} < rank_hi
      group by grouping sets ((metric, rank_lo), (metric, regency))
    )
    select 1 as part, level, metric, rank_lo::int4 as rank, regency, value, null::int8 as producer_id, 0::int8 as spot_g, 0::int8 as forward_g
    from summed where value <> 0
    union all
    select 2, 0, null, s.rank, s.regency, 0, x.producer_id, s.spot_g, s.forward_g
    from (select distinct producer_id from live) x
    cross join lateral (${liveSupply(f, sql.ref('x.producer_id'))}) s`;
}

/**
 * One producer's supply rows for the question (the scan's rules), probing the (product, producer)
 * indexes: a per-producer lateral, so a few live producers never cost a pass over the memberships.
 */
function liveSupply(f: SupplyFilter, producer: RawBuilder<unknown>) {
  const member = sql`exists (select 1 from memberships m where m.brand_id = ${f.brandId} and m.status = 'APPROVED' and m.producer_id = ${producer})`;
  return sql`
    select l.grade_rank::int4 as rank, l.regency, (l.net_g - l.allocated_g)::int8 as spot_g, 0::int8 as forward_g
    from lots l
    where l.product_id = ${f.productId} and l.producer_id = ${producer}
      and l.grade_rank <= ${f.maxRank} and l.grade_rank is not null and not l.off_grade and l.allocated_g < l.net_g
      ${regencyFilter(sql.ref('l.regency'), f.regencies)} and ${member}
    union all
    select c.min_grade_rank::int4, c.regency, 0::int8, (c.committed_g - c.allocated_g)::int8
    from commitments c
    where c.product_id = ${f.productId} and c.producer_id = ${producer}
      and c.min_grade_rank <= ${f.maxRank} and c.status = 'OPEN' and c.allocated_g < c.committed_g
      and c.window_start <= ${f.windowEnd}::date and c.window_end >= ${f.windowStart}::date
      ${regencyFilter(sql.ref('c.regency'), f.regencies)} and ${member}`;
}

/** The counters' answer to one question, and the live producers' rows. */
/**
 * aggregatesQuery compiled once (prepared, platform/sql.ts): one statement per shape, with and
 * without the regency filter; the values are the question's. The same SQL text as aggregatesQuery's.
 */
const preparedAggregates = {
  everyRegency: prepared((_db, productId: number, brandId: number, maxRank: number, windowStart: string, windowEnd: string, monthOfStart: string, monthOfEnd: string) =>
    aggregatesQuery({ productId, brandId, maxRank, windowStart, windowEnd, regencies: null }, { start: monthOfStart, end: monthOfEnd })),
  someRegencies: prepared((_db, productId: number, brandId: number, maxRank: number, windowStart: string, windowEnd: string, monthOfStart: string, monthOfEnd: string, regencies: string[]) =>
    aggregatesQuery({ productId, brandId, maxRank, windowStart, windowEnd, regencies }, { start: monthOfStart, end: monthOfEnd })),
};

export async function readAggregates(db: Db, f: SupplyFilter): Promise<{ summed: SummedRow[]; live: LiveRow[] }> {
  const values = [f.productId, f.brandId, f.maxRank, f.windowStart, f.windowEnd, monthStart(f.windowStart), monthStart(f.windowEnd)] as const;
  const { rows } = f.regencies === null
    ? await preparedAggregates.everyRegency(db, ...values)
    : await preparedAggregates.someRegencies(db, ...values, f.regencies);
  const summed: SummedRow[] = [];
  const live: LiveRow[] = [];
  for (const r of rows) {
    if (r.part === 1) summed.push({ level: r.level as 1 | 2, metric: r.metric!, rank: r.rank, regency: r.regency, value: r.value });
    else live.push({ producerId: r.producer_id!, rank: r.rank!, regency: r.regency!, spotG: r.spot_g, forwardG: r.forward_g });
  }
  return { summed, live };
}

/** Take the compactor's lock if free (one compactor or repair at a time); false if another holds it. */
const COMPACT_LOCK = 7_013_013;
export const tryLockCompaction = async (trx: Transaction<DB>) =>
  (await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${COMPACT_LOCK}) as ok`.execute(trx)).rows[0]!.ok;
export const lockCompaction = (trx: Transaction<DB>) => sql`select pg_advisory_xact_lock(${COMPACT_LOCK})`.execute(trx).then(() => undefined);

/** The oldest dirty markers (up to `limit`), only those with an id ≤ upToId when given. */
export const dirtyMarkers = async (trx: Transaction<DB>, limit: number, upToId?: number) =>
  (await sql<{ id: number; producer_id: number }>`select id, producer_id from availability_dirty
    ${upToId === undefined ? sql`` : sql`where id <= ${upToId}`} order by id limit ${limit}`.execute(trx)).rows;

export const maxDirtyId = async (trx: Db) =>
  (await sql<{ id: number | null }>`select max(id) as id from availability_dirty`.execute(trx)).rows[0]!.id;

export const deleteMarkers = (trx: Transaction<DB>, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve() : sql`delete from availability_dirty where id = any(${sql.val(ids)}::int8[])`.execute(trx).then(() => undefined);

export const deleteMarkersUpTo = (trx: Transaction<DB>, maxId: number) =>
  sql`delete from availability_dirty where id <= ${maxId}`.execute(trx).then(() => undefined);

/**
 * The qualifying supply of these producers (all producers when null): graded, on-grade lots and
 * open commitments with weight left, of producers approved in the product's brand. The same rules
 * as supply() above, without the question's rank, window and regency.
 */
export async function supplyItems(db: Db, producers: readonly number[] | { from: number; to: number }): Promise<SupplyItem[]> {
  const which = (col: RawBuilder<unknown>) =>
    Array.isArray(producers) ? sql`and ${col} = any(${sql.val(producers)}::int8[])` : sql`and ${col} between ${(producers as { from: number }).from} and ${(producers as { to: number }).to}`;
  const lp = which(sql.ref('l.producer_id'));
  const cp = which(sql.ref('c.producer_id'));
  const rows = (
    await sql<{ producer_id: number; product_id: number; regency: string; rank: number; start: string | null; end: string | null; grams: number }>`
      select l.producer_id, l.product_id, l.regency, l.grade_rank::int4 as rank, null::text as start, null::text as end, (l.net_g - l.allocated_g)::int8 as grams
      from lots l join products p on p.id = l.product_id
      where l.grade_rank is not null and not l.off_grade and l.allocated_g < l.net_g ${lp}
        and exists (select 1 from memberships m where m.brand_id = p.brand_id and m.status = 'APPROVED' and m.producer_id = l.producer_id)
      union all
      select c.producer_id, c.product_id, c.regency, c.min_grade_rank::int4, c.window_start::text, c.window_end::text, (c.committed_g - c.allocated_g)::int8
      from commitments c join products p on p.id = c.product_id
      where c.status = 'OPEN' and c.allocated_g < c.committed_g ${cp}
        and exists (select 1 from memberships m where m.brand_id = p.brand_id and m.status = 'APPROVED' and m.producer_id = c.producer_id)`.execute(db)
  ).rows;
  return rows.map((r) => ({ producerId: r.producer_id, productId: r.product_id, regency: r.regency, rank: r.rank, start: r.start, end: r.end, grams: r.grams }));
}


interface CellRow { product_id: number; gran: Gran; d1: string; metric: number; rank_lo: number; rank_hi: number; regency: string; d2: string; value: number }
const toCell = (r: CellRow): StoredCell => ({ productId: r.product_id, gran: r.gran, d1: r.d1, metric: r.metric, rankLo: r.rank_lo, rankHi: r.rank_hi, regency: r.regency, d2: r.d2, value: r.value });
const cellColumns = sql`product_id, gran::text as gran, d1::text as d1, metric::int4 as metric, rank_lo::int4 as rank_lo, rank_hi::int4 as rank_hi, regency, d2::text as d2, value`;
const recordset = sql`product_id int8, gran "char", d1 date, metric int2, rank_lo int2, rank_hi int2, regency text, d2 date, value int8`;
const json = (cells: readonly StoredCell[], producerId?: Map<StoredCell, number>) =>
  JSON.stringify(cells.map((c) => ({
    ...(producerId ? { producer_id: producerId.get(c) } : {}),
    product_id: c.productId, gran: c.gran, d1: c.d1, metric: c.metric, rank_lo: c.rankLo, rank_hi: c.rankHi, regency: c.regency, d2: c.d2, value: c.value,
  })));

/** These producers' contributions as stored, per producer. */
export async function contributionsOfProducers(trx: Transaction<DB>, producerIds: readonly number[]): Promise<Map<number, StoredCell[]>> {
  const rows = (await sql<CellRow & { producer_id: number }>`select producer_id, ${cellColumns} from availability_contributions
    where producer_id = any(${sql.val(producerIds)}::int8[])`.execute(trx)).rows;
  const out = new Map<number, StoredCell[]>();
  for (const r of rows) (out.get(r.producer_id) ?? out.set(r.producer_id, []).get(r.producer_id)!).push(toCell(r));
  return out;
}

/** Write changed contributions (value set, or the row deleted when removed) and replace these producers' live marks. */
export async function applyContributionChanges(
  trx: Transaction<DB>,
  producerIds: readonly number[],
  set: ReadonlyArray<[number, StoredCell]>,
  removed: ReadonlyArray<[number, StoredCell]>,
  live: ReadonlyArray<[number, number]>,
) {
  const CHUNK = 20_000;
  const rows = (xs: ReadonlyArray<[number, StoredCell]>) => {
    const owner = new Map<StoredCell, number>(xs.map(([p, c]) => [c, p]));
    return json(xs.map(([, c]) => c), owner);
  };
  for (let i = 0; i < removed.length; i += CHUNK) {
    await sql`delete from availability_contributions k using jsonb_to_recordset(${rows(removed.slice(i, i + CHUNK))}::jsonb) as t(producer_id int8, ${recordset})
      where k.producer_id = t.producer_id and k.product_id = t.product_id and k.gran = t.gran and k.d1 = t.d1 and k.metric = t.metric
        and k.rank_lo = t.rank_lo and k.rank_hi = t.rank_hi and k.regency = t.regency and k.d2 = t.d2`.execute(trx);
  }
  for (let i = 0; i < set.length; i += CHUNK) {
    await sql`insert into availability_contributions as k (producer_id, product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2, value)
      select * from jsonb_to_recordset(${rows(set.slice(i, i + CHUNK))}::jsonb) as t(producer_id int8, ${recordset})
      on conflict (producer_id, product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2) do update set value = excluded.value`.execute(trx);
  }
  await sql`delete from availability_live where producer_id = any(${sql.val(producerIds)}::int8[])`.execute(trx);
  await insertContributions(trx, [], live);
}

/** Store contributions (one list per producer) and live (product, producer) pairs. */
export async function insertContributions(trx: Transaction<DB>, perProducer: ReadonlyArray<[number, readonly StoredCell[]]>, live: ReadonlyArray<[number, number]>) {
  const CHUNK = 20_000;
  const owner = new Map<StoredCell, number>();
  const all: StoredCell[] = [];
  for (const [producerId, cells] of perProducer) for (const c of cells) { owner.set(c, producerId); all.push(c); }
  for (let i = 0; i < all.length; i += CHUNK) {
    await sql`insert into availability_contributions (producer_id, product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2, value)
      select * from jsonb_to_recordset(${json(all.slice(i, i + CHUNK), owner)}::jsonb) as t(producer_id int8, ${recordset})`.execute(trx);
  }
  if (live.length > 0) {
    await sql`insert into availability_live (product_id, producer_id)
      select * from jsonb_to_recordset(${JSON.stringify(live.map(([product_id, producer_id]) => ({ product_id, producer_id })))}::jsonb) as t(product_id int8, producer_id int8)`.execute(trx);
  }
}

/** Add deltas to the counters (one delta per key), dropping counters that reach zero. */
export async function addToCounters(trx: Transaction<DB>, deltas: readonly StoredCell[]) {
  const CHUNK = 20_000;
  for (let i = 0; i < deltas.length; i += CHUNK) {
    const chunk = json(deltas.slice(i, i + CHUNK));
    await sql`insert into availability_counters as k (product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2, value)
      select * from jsonb_to_recordset(${chunk}::jsonb) as t(${recordset})
      on conflict (product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2) do update set value = k.value + excluded.value`.execute(trx);
    await sql`delete from availability_counters k using jsonb_to_recordset(${chunk}::jsonb) as t(${recordset})
      where k.value = 0 and (k.product_id, k.gran, k.d1, k.metric, k.rank_lo, k.rank_hi, k.regency, k.d2) = (t.product_id, t.gran, t.d1, t.metric, t.rank_lo, t.rank_hi, t.regency, t.d2)`.execute(trx);
  }
}

/** Every counter (tests and the repair's check). */
export const allCounters = async (db: Db): Promise<StoredCell[]> =>
  (await sql<CellRow>`select ${cellColumns} from availability_counters`.execute(db)).rows.map(toCell);

/** Forget every contribution, live mark and counter (the repair rebuilds them in the same transaction). */
export async function clearAggregates(trx: Transaction<DB>) {
  await sql`delete from availability_counters`.execute(trx);
  await sql`delete from availability_contributions`.execute(trx);
  await sql`delete from availability_live`.execute(trx);
}

export const allProducerIds = async (db: Db): Promise<number[]> =>
  (await sql<{ id: number }>`select id from producers order by id`.execute(db)).rows.map((r) => r.id);
