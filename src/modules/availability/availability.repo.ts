import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB, Db } from '../../platform/db-types.js';

/**
 * The availability question as SQL; every statement reads only partial covering indexes (index-only
 * scans), whose predicates are repeated verbatim (literals, not parameters) so the planner can use them.
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

/** Sorting ~300k supply rows for the distinct counts fits in memory at this size (the default 4MB spills to disk). */
export const AGGREGATE_WORK_MEM = '64MB';

/**
 * Runs the aggregate. Call it in a transaction opened with `{ settings: AGGREGATE_SETTINGS }`, so
 * the larger work_mem holds for this transaction only.
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

