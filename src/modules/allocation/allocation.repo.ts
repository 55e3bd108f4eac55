import { type Expression, type RawBuilder, sql, type SqlBool, type Transaction } from 'kysely';
import type { DB, Db, Row } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { columnsOf, idList, prepared } from '../../platform/sql.js';
import type { InvariantViolation } from './errors.js';

export type LineRow = Row<'allocation_lines'>;
export type LotRow = Row<'lots'>;
export type CommitmentRow = Row<'commitments'>;

/** What the candidate queries select for: the order's product, brand, grade and window. */
export interface CandidateQuery {
  productId: number;
  brandId: number;
  minGradeRank: number;
  windowStart: string;
  windowEnd: string;
  excludeLotIds?: readonly number[];
  excludeCommitmentIds?: readonly number[];
  excludeProducerIds?: readonly number[];
  /** Only these lots / commitments (re-reading the rows of a plan); an empty list selects none. */
  onlyLotIds?: readonly number[];
  onlyCommitmentIds?: readonly number[];
}

/**
 * Lock mode of the candidate queries:
 * - 'update' (allocation): SELECT … FOR NO KEY UPDATE, in id order, so every allocation locks supply
 *   rows in the same global order (lots first, then commitments, each by id) and cannot deadlock with
 *   another. Under READ COMMITTED a row that was waited for is re-read at its latest committed
 *   version and re-checked against the WHERE clause, so the values returned are the current ones.
 *   NO KEY UPDATE, the lock an UPDATE of allocated_g takes anyway, and not FOR UPDATE: it does not
 *   conflict with the KEY SHARE lock a foreign key check takes, so another acceptance can insert its
 *   lines and provenance events on a lot while this one holds the lot (it waits only to update it).
 * - 'none' (planning, preview, and the test-only unsafe path): a plain snapshot read.
 */
export type LockMode = 'update' | 'none';

const approvedMember = (producerColumn: string, brandId: number) =>
  sql<SqlBool>`exists (select 1 from memberships m where m.producer_id = ${sql.ref(producerColumn)} and m.brand_id = ${brandId} and m.status = 'APPROVED')`;

/**
 * The candidate queries are prepared (platform/sql.ts: built and compiled once, not on every call;
 * an acceptance reads its candidates twice): one per lock mode, for all candidates or only some,
 * with the id lists and exclusions as array values (`<> all('{}')` excludes nothing).
 */
type Ids = readonly number[];
const lotsWhere = (db: Db, productId: number, brandId: number, minGradeRank: number, excludeIds: Ids, excludeProducerIds: Ids) =>
  db
    .selectFrom('lots')
    .selectAll('lots')
    .where('lots.product_id', '=', productId)
    .where('lots.brand_id', '=', brandId)
    .where('lots.grade_rank', 'is not', null)
    .where('lots.grade_rank', '<=', minGradeRank)
    .where('lots.off_grade', '=', false)
    .where(sql<SqlBool>`lots.allocated_g < lots.net_g`)
    .where(approvedMember('lots.producer_id', brandId) as Expression<SqlBool>)
    .where(sql<SqlBool>`lots.id <> all(${excludeIds}::int8[])`)
    .where(sql<SqlBool>`lots.producer_id <> all(${excludeProducerIds}::int8[])`);
type LotsSelect = ReturnType<typeof lotsWhere>;
const lotsInOrder = (query: LotsSelect, lock: LockMode) => (lock === 'none' ? query.orderBy('lots.id') : query.orderBy('lots.id').forNoKeyUpdate(['lots']));
const lotsQueries = (lock: LockMode) => ({
  all: prepared((db: Db, productId: number, brandId: number, minGradeRank: number, excludeIds: Ids, excludeProducerIds: Ids) =>
    lotsInOrder(lotsWhere(db, productId, brandId, minGradeRank, excludeIds, excludeProducerIds), lock)),
  only: prepared((db: Db, productId: number, brandId: number, minGradeRank: number, excludeIds: Ids, excludeProducerIds: Ids, onlyIds: Ids) =>
    lotsInOrder(lotsWhere(db, productId, brandId, minGradeRank, excludeIds, excludeProducerIds).where(sql<SqlBool>`lots.id = any(${onlyIds}::int8[])`), lock)),
});

const commitmentsWhere = (
  db: Db, productId: number, brandId: number, minGradeRank: number, windowStart: string, windowEnd: string, excludeIds: Ids, excludeProducerIds: Ids,
) =>
  db
    .selectFrom('commitments')
    .selectAll('commitments')
    .where('commitments.product_id', '=', productId)
    .where('commitments.brand_id', '=', brandId)
    .where('commitments.status', '=', 'OPEN')
    .where('commitments.min_grade_rank', '<=', minGradeRank)
    .where(sql<SqlBool>`commitments.allocated_g < commitments.committed_g`)
    .where('commitments.window_start', '<=', windowEnd)
    .where('commitments.window_end', '>=', windowStart)
    .where(approvedMember('commitments.producer_id', brandId) as Expression<SqlBool>)
    .where(sql<SqlBool>`commitments.id <> all(${excludeIds}::int8[])`)
    .where(sql<SqlBool>`commitments.producer_id <> all(${excludeProducerIds}::int8[])`);
type CommitmentsSelect = ReturnType<typeof commitmentsWhere>;
const commitmentsInOrder = (query: CommitmentsSelect, lock: LockMode) =>
  lock === 'none' ? query.orderBy('commitments.id') : query.orderBy('commitments.id').forNoKeyUpdate(['commitments']);
const commitmentsQueries = (lock: LockMode) => ({
  all: prepared((db: Db, productId: number, brandId: number, minGradeRank: number, windowStart: string, windowEnd: string, excludeIds: Ids, excludeProducerIds: Ids) =>
    commitmentsInOrder(commitmentsWhere(db, productId, brandId, minGradeRank, windowStart, windowEnd, excludeIds, excludeProducerIds), lock)),
  only: prepared(
    (db: Db, productId: number, brandId: number, minGradeRank: number, windowStart: string, windowEnd: string, excludeIds: Ids, excludeProducerIds: Ids, onlyIds: Ids) =>
      commitmentsInOrder(
        commitmentsWhere(db, productId, brandId, minGradeRank, windowStart, windowEnd, excludeIds, excludeProducerIds)
          .where(sql<SqlBool>`commitments.id = any(${onlyIds}::int8[])`),
        lock,
      ),
  ),
});
const LOTS = { none: lotsQueries('none'), update: lotsQueries('update') };
const COMMITMENTS = { none: commitmentsQueries('none'), update: commitmentsQueries('update') };

/** Graded, not off-grade lots of the product at the grade or better, with weight left, of approved members. */
export async function candidateLots(trx: Db, q: CandidateQuery, lock: LockMode): Promise<LotRow[]> {
  const queries = LOTS[lock];
  const args = [trx, q.productId, q.brandId, q.minGradeRank, q.excludeLotIds ?? [], q.excludeProducerIds ?? []] as const;
  if (!q.onlyLotIds) return (await queries.all(...args)).rows;
  return q.onlyLotIds.length === 0 ? [] : (await queries.only(...args, q.onlyLotIds)).rows;
}

/** OPEN commitments of the product promising the grade or better, with weight left, whose window overlaps, of approved members. */
export async function candidateCommitments(trx: Db, q: CandidateQuery, lock: LockMode): Promise<CommitmentRow[]> {
  const queries = COMMITMENTS[lock];
  const args = [trx, q.productId, q.brandId, q.minGradeRank, q.windowStart, q.windowEnd, q.excludeCommitmentIds ?? [], q.excludeProducerIds ?? []] as const;
  if (!q.onlyCommitmentIds) return (await queries.all(...args)).rows;
  return q.onlyCommitmentIds.length === 0 ? [] : (await queries.only(...args, q.onlyCommitmentIds)).rows;
}

/**
 * Lock lots FOR NO KEY UPDATE (see LockMode), in id order (the SELECT sorts before it locks, so
 * concurrent writers cannot deadlock).
 */
export const lockLots = (trx: Transaction<DB>, ids: readonly number[]) =>
  ids.length === 0
    ? Promise.resolve([] as LotRow[])
    : trx.selectFrom('lots').selectAll().where('id', 'in', ids).orderBy('id').forNoKeyUpdate().execute();

/** Lock commitments FOR NO KEY UPDATE, in id order. */
export const lockCommitments = (trx: Transaction<DB>, ids: readonly number[]) =>
  ids.length === 0
    ? Promise.resolve([] as CommitmentRow[])
    : trx.selectFrom('commitments').selectAll().where('id', 'in', ids).orderBy('id').forNoKeyUpdate().execute();

/**
 * A savepoint inside the caller's transaction: rolling back to it undoes what followed and lets go
 * of the row locks taken since (a plan that no longer holds gives its rows back before re-planning,
 * so a transaction never holds locks out of the global order). The savepoint stays established
 * after a rollback to it, so one per transaction serves every re-plan; the commit ends it.
 */
export const savepoint = (trx: Transaction<DB>, name: 'allocation_plan') => sql`savepoint ${sql.id(name)}`.execute(trx);
export const rollbackToSavepoint = (trx: Transaction<DB>, name: 'allocation_plan') => sql`rollback to savepoint ${sql.id(name)}`.execute(trx);

export interface NewLine {
  orderId: number;
  producerId: number;
  lotId: number | null;
  commitmentId: number | null;
  weightG: number;
  /** The reason in English and in Indonesian. */
  reason: string;
  reasonId: string;
  replacesLineId: number | null;
}

/** A line's columns in the order the insert takes them (platform/sql.ts columnsOf). */
const LINE_COLUMNS = ['orderId', 'producerId', 'lotId', 'commitmentId', 'weightG', 'reason', 'reasonId', 'replacesLineId'] as const;
const lineColumns = (lines: readonly NewLine[]) => columnsOf(lines, ...LINE_COLUMNS);
type LineColumns = ReturnType<typeof lineColumns>;

/** The lines as eight array parameters (unnest), however many lines there are. */
const insertLinesSql = (c: LineColumns) => sql`
  insert into allocation_lines (order_id, producer_id, lot_id, commitment_id, weight_g, reason, reason_id, replaces_line_id)
  select * from unnest(${c[0]}::int8[], ${c[1]}::int8[], ${c[2]}::int8[], ${c[3]}::int8[], ${c[4]}::int8[], ${c[5]}::text[], ${c[6]}::text[], ${c[7]}::int8[])
  returning *`;

/** allocated_g += delta for the ids given, with the ids and deltas as two array parameters. */
const addDeltas = (table: 'lots' | 'commitments', ids: readonly number[], deltas: readonly number[]) =>
  sql`update ${sql.table(table)} as t set allocated_g = t.allocated_g + v.delta from unnest(${ids}::int8[], ${deltas}::int8[]) as v(id, delta) where t.id = v.id`;

const insertLinesOnly = prepared((_db, ...c: LineColumns) => sql<LineRow>`${insertLinesSql(c)}`);
const insertLinesTaking = prepared((_db, lotIds: number[], lotDeltas: number[], commitmentIds: number[], commitmentDeltas: number[], ...c: LineColumns) =>
  sql<LineRow>`with ins as (${insertLinesSql(c)}),
    l as (${addDeltas('lots', lotIds, lotDeltas)} returning 1),
    c as (${addDeltas('commitments', commitmentIds, commitmentDeltas)} returning 1)
    select * from ins`);

/**
 * Insert lines in one statement, returned in id order. With `take`, the same statement also adds
 * the weight to the lots' and commitments' allocated_g (relative updates, as addAllocated): one
 * round trip less while an acceptance holds its supply rows. The CHECK constraints hold per row
 * either way; the caller re-checks the invariant after. Prepared (platform/sql.ts), with the lines
 * and the weights as arrays.
 */
export async function insertLines(
  trx: Transaction<DB>,
  lines: readonly NewLine[],
  take?: { lots: ReadonlyMap<number, number>; commitments: ReadonlyMap<number, number> },
): Promise<LineRow[]> {
  if (lines.length === 0) return [];
  const columns = lineColumns(lines);
  const { rows } = take
    ? await insertLinesTaking(trx, [...take.lots.keys()], [...take.lots.values()], [...take.commitments.keys()], [...take.commitments.values()], ...columns)
    : await insertLinesOnly(trx, ...columns);
  // PostgreSQL returns INSERT … RETURNING rows in the order they were inserted; sort by id to be explicit.
  return rows.sort((a, b) => a.id - b.id);
}

const valuesList = (entries: ReadonlyMap<number, number>): RawBuilder<unknown> =>
  sql.join([...entries].map(([id, g]) => sql`(${sql.lit(id)}::int8, ${sql.lit(g)}::int8)`));

const addDeltasOf = (table: 'lots' | 'commitments', deltas: ReadonlyMap<number, number>) => addDeltas(table, [...deltas.keys()], [...deltas.values()]);

/**
 * allocated_g += delta (negative to release) for many lots and commitments in one statement: relative
 * updates, so they compose with any other relative update even without locks (the locks are what
 * make the planned amounts still fit; the CHECK constraints are the last line of defence).
 */
export async function addAllocated(trx: Transaction<DB>, deltas: { lots: ReadonlyMap<number, number>; commitments: ReadonlyMap<number, number> }) {
  const { lots, commitments } = deltas;
  if (lots.size > 0 && commitments.size > 0) {
    await sql`with l as (${addDeltasOf('lots', lots)} returning 1), c as (${addDeltasOf('commitments', commitments)} returning 1) select 1`.execute(trx);
  } else if (lots.size > 0) await addDeltasOf('lots', lots).execute(trx);
  else if (commitments.size > 0) await addDeltasOf('commitments', commitments).execute(trx);
}

/**
 * TEST-ONLY lost-update pattern: allocated_g := the absolute value computed from what was read.
 * Used by the unsafe path of the concurrency test to show that the locks are what keeps it safe.
 */
export async function setAllocated(trx: Transaction<DB>, table: 'lots' | 'commitments', values: ReadonlyMap<number, number>) {
  if (values.size === 0) return;
  await sql`update ${sql.table(table)} as t set allocated_g = v.value
    from (values ${valuesList(values)}) as v(id, value) where t.id = v.id`.execute(trx);
}

/**
 * Add `deltaG` to one lot's allocated weight (negative releases), only if the result stays within
 * 0..net and, when adding, the lot is graded and not off-grade. Undefined when refused.
 */
export const addLotAllocation = (trx: Transaction<DB>, id: number, deltaG: number) => {
  let q = trx
    .updateTable('lots')
    .set({ allocated_g: sql<number>`allocated_g + ${deltaG}` })
    .where('id', '=', id)
    .where(sql<SqlBool>`allocated_g + ${deltaG} between 0 and net_g`);
  if (deltaG > 0) q = q.where('off_grade', '=', false).where('grade_rank', 'is not', null);
  return q.returningAll().executeTakeFirst();
};

/**
 * Add `deltaG` to one commitment's allocated weight (negative releases), only if the result stays
 * within 0..committed and, when adding, it is OPEN. Undefined when refused.
 */
export const addCommitmentAllocation = (trx: Transaction<DB>, id: number, deltaG: number) => {
  let q = trx
    .updateTable('commitments')
    .set({ allocated_g: sql<number>`allocated_g + ${deltaG}`, updated_at: new Date() })
    .where('id', '=', id)
    .where(sql<SqlBool>`allocated_g + ${deltaG} between 0 and committed_g`);
  if (deltaG > 0) q = q.where('status', '=', 'OPEN');
  return q.returningAll().executeTakeFirst();
};

/**
 * Rows among the given ones that break the allocation invariant:
 * - lots: allocated_g = Σ ACTIVE allocation lines on the lot + Σ ACTIVE fulfilments from the lot, ≤ net_g;
 * - commitments: allocated_g = Σ ACTIVE allocation lines on the commitment, ≤ committed_g.
 * Pass null to check every row (tests).
 */
export async function invariantViolations(
  db: Db,
  lotIds: readonly number[] | null,
  commitmentIds: readonly number[] | null,
): Promise<InvariantViolation[]> {
  if (lotIds?.length === 0 && commitmentIds?.length === 0) return [];
  const { rows } = lotIds && commitmentIds
    ? await violationsAmong(db, [...lotIds], [...commitmentIds])
    : await violationsSql(lotIds ? among(lotIds) : everyRow, commitmentIds ? among(commitmentIds) : everyRow).execute(db);
  return rows.map((r) => ({ kind: r.kind, id: r.id, capacityG: r.capacity, allocatedG: r.allocated, activeG: r.active }));
}

type RowFilter = (column: string) => RawBuilder<unknown>;
const everyRow: RowFilter = () => sql`true`;
const among = (ids: readonly number[]): RowFilter => (column) => sql`${sql.ref(column)} = any(${[...ids]}::int8[])`;

/** Both kinds in one statement (one round trip while the rows are locked); lots first, each by id. */
const violationsSql = (lotsOnly: RowFilter, commitmentsOnly: RowFilter) => sql<{ kind: 'lot' | 'commitment'; id: number; capacity: number; allocated: number; active: number }>`
      select * from (
      select 'lot' as kind, l.id, l.net_g as capacity, l.allocated_g as allocated, (coalesce(a.s, 0) + coalesce(f.s, 0))::int8 as active
      from lots l
      left join (select lot_id, sum(weight_g) as s from allocation_lines where status = 'ACTIVE' and lot_id is not null and ${lotsOnly('lot_id')} group by lot_id) a
        on a.lot_id = l.id
      left join (select lot_id, sum(weight_g) as s from fulfilments where status = 'ACTIVE' and ${lotsOnly('lot_id')} group by lot_id) f
        on f.lot_id = l.id
      where ${lotsOnly('l.id')}
        and (l.allocated_g <> coalesce(a.s, 0) + coalesce(f.s, 0) or coalesce(a.s, 0) + coalesce(f.s, 0) > l.net_g)
      union all
      select 'commitment' as kind, c.id, c.committed_g as capacity, c.allocated_g as allocated, coalesce(a.s, 0)::int8 as active
      from commitments c
      left join (select commitment_id, sum(weight_g) as s from allocation_lines where status = 'ACTIVE' and commitment_id is not null and ${commitmentsOnly('commitment_id')} group by commitment_id) a
        on a.commitment_id = c.id
      where ${commitmentsOnly('c.id')}
        and (c.allocated_g <> coalesce(a.s, 0) or coalesce(a.s, 0) > c.committed_g)
      ) v order by kind = 'commitment', id`;

/** The check after every write of lines: the rows it touched, by id (either list may be empty). */
const violationsAmong = prepared((_db, lotIds: number[], commitmentIds: number[]) =>
  violationsSql((column) => sql`${sql.ref(column)} = any(${lotIds}::int8[])`, (column) => sql`${sql.ref(column)} = any(${commitmentIds}::int8[])`));

// Lines ----------------------------------------------------------------------------------------

export const activeLinesOfOrder = (trx: Db, orderId: number) =>
  trx.selectFrom('allocation_lines').selectAll().where('order_id', '=', orderId).where('status', '=', 'ACTIVE').orderBy('id').execute();

export const setLinesStatus = (trx: Transaction<DB>, ids: readonly number[], status: LineRow['status']) =>
  ids.length === 0 ? Promise.resolve() : trx.updateTable('allocation_lines').set({ status }).where('id', 'in', ids).execute().then(() => undefined);

// The line columns fulfilment and shortfalls change (through allocation.service); each write runs under the lock of the line's order row.

/** fulfilled_g += delta (negative when a fulfilment fails or is released). The CHECK keeps 0 ≤ fulfilled_g ≤ weight_g. */
export const addFulfilled = (trx: Transaction<DB>, lineId: number, deltaG: number) =>
  trx
    .updateTable('allocation_lines')
    .set({ fulfilled_g: sql<number>`fulfilled_g + ${deltaG}` })
    .where('id', '=', lineId)
    .returningAll()
    .executeTakeFirstOrThrow();

/** A partial shortfall: the line keeps holding weight_g − w (still ACTIVE). */
export const shrinkLine = (trx: Transaction<DB>, lineId: number, byG: number) =>
  trx
    .updateTable('allocation_lines')
    .set({ weight_g: sql<number>`weight_g - ${byG}` })
    .where('id', '=', lineId)
    .returningAll()
    .executeTakeFirstOrThrow();

/** A full shortfall: the line holds nothing any more; weight_g is kept as the record of what it held. */
export const markLineShortfall = (trx: Transaction<DB>, lineId: number) =>
  trx.updateTable('allocation_lines').set({ status: 'SHORTFALL' }).where('id', '=', lineId).returningAll().executeTakeFirstOrThrow();

/** Every line of many orders (any status), in id order. */
export const linesOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as LineRow[])
    : db.selectFrom('allocation_lines').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();

/** Σ ACTIVE line weight per order. */
export const allocatedOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as { order_id: number; g: number }[])
    : db
        .selectFrom('allocation_lines')
        .select(['order_id', sql<number>`coalesce(sum(weight_g), 0)::int8`.as('g')])
        .where('order_id', 'in', orderIds)
        .where('status', '=', 'ACTIVE')
        .groupBy('order_id')
        .execute();

export interface LineSupplyInfo {
  line_id: number;
  kind: 'SPOT' | 'FORWARD';
  grade_code: string | null;
  grade_rank: number | null;
  regency: string;
}

/** Grade, regency and kind of the supply behind each line (lot grade, or commitment minimum grade), one query. */
export const supplyInfoOfLines = (db: Db, lineIds: readonly number[]): Promise<LineSupplyInfo[]> =>
  lineIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('allocation_lines as a')
        .leftJoin('lots as l', 'l.id', 'a.lot_id')
        .leftJoin('commitments as c', 'c.id', 'a.commitment_id')
        .select([
          'a.id as line_id',
          sql<'SPOT' | 'FORWARD'>`case when a.lot_id is not null then 'SPOT' else 'FORWARD' end`.as('kind'),
          sql<string | null>`coalesce(l.grade_code, c.min_grade_code)`.as('grade_code'),
          sql<number | null>`coalesce(l.grade_rank, c.min_grade_rank)`.as('grade_rank'),
          sql<string>`coalesce(l.regency, c.regency)`.as('regency'),
        ])
        .where('a.id', 'in', lineIds)
        .execute();

/**
 * Which lines a caller may list: all (admin), or lines of `producerIds`, of members of
 * `cooperativeIds`, or of orders of `brandIds` (any of them).
 */
export type LineScope = { all: true } | { all: false; producerIds: number[]; cooperativeIds: number[]; brandIds: number[] };

export interface LineFilter {
  producerId?: number | null;
  status?: LineRow['status'] | null;
}

function lineScopeSql(scope: LineScope): RawBuilder<SqlBool> {
  if (scope.all) return sql<SqlBool>`true`;
  const who: RawBuilder<unknown>[] = [];
  if (scope.producerIds.length > 0) who.push(sql`a.producer_id in (${idList(scope.producerIds)})`);
  if (scope.cooperativeIds.length > 0) {
    who.push(sql`a.producer_id in (select p.id from producers p where p.cooperative_id in (${idList(scope.cooperativeIds)}))`);
  }
  if (scope.brandIds.length > 0) who.push(sql`a.order_id in (select o.id from orders o where o.brand_id in (${idList(scope.brandIds)}))`);
  return who.length > 0 ? sql<SqlBool>`(${sql.join(who, sql` or `)})` : sql<SqlBool>`false`;
}

/** A keyset page of the lines in `scope` (filtered in SQL). */
export function listLines(db: Db, scope: LineScope, filter: LineFilter, page: KeysetPage) {
  let q = db.selectFrom('allocation_lines as a').selectAll('a').where(lineScopeSql(scope) as Expression<SqlBool>);
  if (filter.producerId != null) q = q.where('a.producer_id', '=', filter.producerId);
  if (filter.status != null) q = q.where('a.status', '=', filter.status);
  if (page.afterId !== null) q = q.where('a.id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('a.id', '<', page.beforeId);
  return q.orderBy('a.id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

export const findBrandSettings = (db: Db, brandId: number) =>
  db.selectFrom('brands').select(['id', 'fee_pct', 'default_strategy']).where('id', '=', brandId).executeTakeFirst();
