import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * The availability question as SQL. Two statements: the aggregates (one row per grade, per regency
 * and the grand total, via GROUPING SETS) and, for the drill-down, one page of per-producer sums.
 *
 * Both read only the two partial covering indexes:
 * - lots_available_idx (product_id, grade_rank, regency) INCLUDE (producer_id, net_g, allocated_g)
 *   WHERE grade_rank IS NOT NULL AND NOT off_grade AND allocated_g < net_g
 * - commitments_open_idx (product_id, min_grade_rank, window_start) INCLUDE (window_end, regency,
 *   producer_id, committed_g, allocated_g) WHERE status = 'OPEN' AND allocated_g < committed_g
 * plus memberships_brand_status_idx (brand_id, status, producer_id) for "approved member".
 * The index predicates are repeated verbatim (as literals, not parameters) so the planner can prove
 * the partial indexes apply.
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

export async function aggregate(db: Db, f: SupplyFilter): Promise<AggregateRow[]> {
  return (await aggregateQuery(f).execute(db)).rows;
}

export interface ContributorPage {
  afterId: number | null;
  beforeId: number | null;
  limit: number;
  inverted: boolean;
}

/** One keyset page of contributing producers (producer id order) with their spot and forward grams. */
export function contributorsQuery(f: SupplyFilter, page: ContributorPage) {
  const bounds: ProducerBound[] = [
    page.afterId === null ? null : { op: '>', id: page.afterId },
    page.beforeId === null ? null : { op: '<', id: page.beforeId },
  ];
  return sql<ContributorRow>`
    with supply as (${supply(f, bounds)})
    select producer_id,
      coalesce(sum(spot_g), 0)::int8 as spot_g,
      coalesce(sum(forward_g), 0)::int8 as forward_g
    from supply
    group by producer_id
    order by producer_id ${sql.raw(page.inverted ? 'desc' : 'asc')}
    limit ${page.limit}`;
}

export async function contributors(db: Db, f: SupplyFilter, page: ContributorPage): Promise<ContributorRow[]> {
  return (await contributorsQuery(f, page).execute(db)).rows;
}

/** The product and its brand. */
export const findProduct = (db: Db, id: number) =>
  db.selectFrom('products').select(['id', 'brand_id', 'name']).where('id', '=', id).executeTakeFirst();

/** Grades of the product's current (latest) scheme version, best first. */
export const currentGrades = (db: Db, productId: number) =>
  db
    .selectFrom('grades')
    .select(['grades.code', 'grades.rank', 'grades.label'])
    .where('grades.scheme_id', '=', (eb) =>
      eb.selectFrom('grade_schemes').select('id').where('product_id', '=', productId).orderBy('version', 'desc').limit(1),
    )
    .orderBy('grades.rank')
    .execute();
