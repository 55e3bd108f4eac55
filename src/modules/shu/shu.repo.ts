import { type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import type {
  CapitalKind, CapitalRecordRow, ShuDB, ShuDb, ShuYearRow, SplitFundRow, SplitRow, YearFundRow, YearMemberRow,
} from './shu.tables.js';

/** All SQL of the SHU module. Money is IDR sen (int8); sums are cast back to int8. */

/** Who may read which rows, as data: all (admin), rows of these cooperatives (manager), of these producers (the member). */
export interface ShuVisibility {
  all: boolean;
  cooperativeIds: number[];
  producerIds: number[];
}

const list = (ids: readonly number[]) => sql.join(ids.map((id) => sql.lit(id)));

function visibleSql(coopColumn: string, producerColumn: string, v: ShuVisibility) {
  if (v.all) return sql<boolean>`true`;
  const parts = [];
  if (v.cooperativeIds.length > 0) parts.push(sql`${sql.ref(coopColumn)} in (${list(v.cooperativeIds)})`);
  if (v.producerIds.length > 0) parts.push(sql`${sql.ref(producerColumn)} in (${list(v.producerIds)})`);
  return parts.length === 0 ? sql<boolean>`false` : sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

/** Keyset page on an increasing id column: after/before bounds, id order (descending when inverted), limit. */
function keyset<QB extends SelectQueryBuilder<ShuDB, any, any>>(qb: QB, column: string, page: KeysetPage): QB {
  let q = qb;
  if (page.afterId !== null) q = q.where(sql.ref(column), '>', page.afterId) as QB;
  if (page.beforeId !== null) q = q.where(sql.ref(column), '<', page.beforeId) as QB;
  return q.orderBy(sql.ref(column), page.inverted ? 'desc' : 'asc').limit(page.limit) as QB;
}

// Cooperatives and producers --------------------------------------------------------------------

/** Lock the cooperative's row: every SHU write of a cooperative serialises on it. */
export const lockCooperative = (trx: Transaction<ShuDB>, id: number) =>
  trx.selectFrom('cooperatives').select(['id', 'name']).where('id', '=', id).forUpdate().executeTakeFirst();

export const findCooperative = (db: ShuDb, id: number) =>
  db.selectFrom('cooperatives').select(['id', 'name']).where('id', '=', id).executeTakeFirst();

export const findProducer = (db: ShuDb, id: number) =>
  db.selectFrom('producers').select(['id', 'cooperative_id', 'display_name']).where('id', '=', id).executeTakeFirst();

/** The cooperative's members today (producers whose cooperative it is), by id. */
export const cooperativeMembers = (db: ShuDb, cooperativeId: number) =>
  db.selectFrom('producers').select(['id', 'display_name']).where('cooperative_id', '=', cooperativeId).orderBy('id').execute();

// Capital -----------------------------------------------------------------------------------------

export const insertCapitalRecord = (
  db: ShuDb,
  row: {
    cooperative_id: number; producer_id: number; kind: CapitalKind; amount_idr_minor: number; recorded_on: string; reference: string | null;
    recorded_by: number; reverses_id?: number; reason?: string;
  },
) => db.insertInto('shu_capital_records').values(row).returningAll().executeTakeFirstOrThrow();

/** Lock a capital record (its reversal is decided under the lock). */
export const lockCapitalRecord = (trx: Transaction<ShuDB>, id: number) =>
  trx.selectFrom('shu_capital_records').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const reversalOf = (db: ShuDb, id: number) =>
  db.selectFrom('shu_capital_records').select('id').where('reverses_id', '=', id).executeTakeFirst();

export interface CapitalFilter {
  cooperativeId: number | null;
  producerId: number | null;
}

export function listCapitalRecords(db: ShuDb, v: ShuVisibility, filter: CapitalFilter, page: KeysetPage): Promise<CapitalRecordRow[]> {
  let q = db
    .selectFrom('shu_capital_records')
    .selectAll()
    .where(visibleSql('shu_capital_records.cooperative_id', 'shu_capital_records.producer_id', v));
  if (filter.cooperativeId !== null) q = q.where('cooperative_id', '=', filter.cooperativeId);
  if (filter.producerId !== null) q = q.where('producer_id', '=', filter.producerId);
  return keyset(q, 'id', page).execute();
}

export const capitalRecordsByIds = (db: ShuDb, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('shu_capital_records').selectAll().where('id', 'in', [...ids]).execute();

/** Each member's capital (pokok + wajib) paid into the cooperative on or before `until`. */
export const capitalUntil = (db: ShuDb, cooperativeId: number, until: string) =>
  db
    .selectFrom('shu_capital_records')
    .select(['producer_id', sql<number>`sum(amount_idr_minor)::int8`.as('amount')])
    .where('cooperative_id', '=', cooperativeId)
    .where('recorded_on', '<=', until)
    .groupBy('producer_id')
    .execute();

/** Each member's transactions: the IDR amounts of their payout statements through the cooperative dated in [from, until]. */
export const transactionsBetween = (db: ShuDb, cooperativeId: number, from: string, until: string) =>
  db
    .selectFrom('payout_statements')
    .select(['producer_id', sql<number>`sum(amount_idr_minor)::int8`.as('amount')])
    .where('cooperative_id', '=', cooperativeId)
    .where('fiscal_date', '>=', from)
    .where('fiscal_date', '<=', until)
    .groupBy('producer_id')
    .execute();

// Splits ------------------------------------------------------------------------------------------

export const latestSplitVersion = async (trx: Transaction<ShuDB>, cooperativeId: number): Promise<number> => {
  const row = await trx
    .selectFrom('shu_splits')
    .select(sql<number | null>`max(version)`.as('v'))
    .where('cooperative_id', '=', cooperativeId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
};

export async function insertSplit(
  trx: Transaction<ShuDB>,
  row: Omit<SplitRow, 'id' | 'created_at'>,
  funds: ReadonlyArray<{ name: string; bp: number }>,
): Promise<SplitRow> {
  const split = await trx.insertInto('shu_splits').values(row).returningAll().executeTakeFirstOrThrow();
  if (funds.length > 0) {
    await trx.insertInto('shu_split_funds').values(funds.map((f, i) => ({ split_id: split.id, position: i, name: f.name, bp: f.bp }))).execute();
  }
  return split;
}

/** The split in force for a fiscal year: the latest version effective from that year or earlier. */
export const splitForYear = (db: ShuDb, cooperativeId: number, fiscalYear: number) =>
  db
    .selectFrom('shu_splits')
    .selectAll()
    .where('cooperative_id', '=', cooperativeId)
    .where('effective_from_year', '<=', fiscalYear)
    .orderBy('effective_from_year', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();

export const splitsOfCooperatives = (db: ShuDb, cooperativeIds: readonly number[]) =>
  cooperativeIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('shu_splits').selectAll().where('cooperative_id', 'in', [...cooperativeIds]).orderBy('version', 'desc').execute();

export const splitsByIds = (db: ShuDb, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('shu_splits').selectAll().where('id', 'in', [...ids]).execute();

export const fundsOfSplits = (db: ShuDb, splitIds: readonly number[]): Promise<SplitFundRow[]> =>
  splitIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('shu_split_funds').selectAll().where('split_id', 'in', [...splitIds]).orderBy('split_id').orderBy('position').execute();

// Years -------------------------------------------------------------------------------------------

export const findYear = (db: ShuDb, cooperativeId: number, fiscalYear: number) =>
  db.selectFrom('shu_years').selectAll().where('cooperative_id', '=', cooperativeId).where('fiscal_year', '=', fiscalYear).executeTakeFirst();

export const lockYearById = (trx: Transaction<ShuDB>, id: number) =>
  trx.selectFrom('shu_years').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const yearsByIds = (db: ShuDb, ids: readonly number[]): Promise<ShuYearRow[]> =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('shu_years').selectAll().where('id', 'in', [...ids]).execute();

export const yearsOfCooperatives = (db: ShuDb, cooperativeIds: readonly number[]) =>
  cooperativeIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('shu_years').selectAll().where('cooperative_id', 'in', [...cooperativeIds]).orderBy('fiscal_year', 'desc').execute();

/** The latest closed fiscal year of a cooperative, or null. */
export const latestClosedYear = async (trx: Transaction<ShuDB>, cooperativeId: number): Promise<number | null> => {
  const row = await trx
    .selectFrom('shu_years')
    .select(sql<number | null>`max(fiscal_year)`.as('y'))
    .where('cooperative_id', '=', cooperativeId)
    .where('status', '=', 'CLOSED')
    .executeTakeFirst();
  return row?.y === null || row?.y === undefined ? null : Number(row.y);
};

export interface YearFigures {
  year: Omit<ShuYearRow, 'id' | 'created_at' | 'status' | 'closed_at' | 'closed_by'>;
  funds: Array<Omit<YearFundRow, 'year_id'>>;
  members: Array<Omit<YearMemberRow, 'id' | 'year_id'>>;
}

/** Write a DRAFT year (replacing the previous draft's figures, if any). The triggers refuse it for a closed year. */
export async function writeDraftYear(trx: Transaction<ShuDB>, existingId: number | null, figures: YearFigures): Promise<ShuYearRow> {
  let year: ShuYearRow;
  if (existingId !== null) {
    await trx.deleteFrom('shu_year_members').where('year_id', '=', existingId).execute();
    await trx.deleteFrom('shu_year_funds').where('year_id', '=', existingId).execute();
    year = await trx.updateTable('shu_years').set({ ...figures.year }).where('id', '=', existingId).returningAll().executeTakeFirstOrThrow();
  } else {
    year = await trx.insertInto('shu_years').values({ ...figures.year }).returningAll().executeTakeFirstOrThrow();
  }
  await trx.insertInto('shu_year_funds').values(figures.funds.map((f) => ({ ...f, year_id: year.id }))).execute();
  for (let i = 0; i < figures.members.length; i += 2000) {
    await trx.insertInto('shu_year_members').values(figures.members.slice(i, i + 2000).map((m) => ({ ...m, year_id: year.id }))).execute();
  }
  return year;
}

export const closeYear = (trx: Transaction<ShuDB>, id: number, by: number, at: Date) =>
  trx.updateTable('shu_years').set({ status: 'CLOSED', closed_at: at, closed_by: by }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export const fundsOfYears = (db: ShuDb, yearIds: readonly number[]): Promise<YearFundRow[]> =>
  yearIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('shu_year_funds').selectAll().where('year_id', 'in', [...yearIds]).orderBy('year_id').orderBy('position').execute();

/** Member lines of years with the member's name, by producer id. */
export const membersOfYears = (db: ShuDb, yearIds: readonly number[]) =>
  yearIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('shu_year_members')
        .innerJoin('producers', 'producers.id', 'shu_year_members.producer_id')
        .selectAll('shu_year_members')
        .select('producers.display_name')
        .where('shu_year_members.year_id', 'in', [...yearIds])
        .orderBy('shu_year_members.year_id')
        .orderBy('shu_year_members.producer_id')
        .execute();

export type MemberLineRow = YearMemberRow & { cooperative_id: number; fiscal_year: number; status: ShuYearRow['status'] };

const memberLineColumns = [
  'shu_year_members.id', 'shu_year_members.year_id', 'shu_year_members.producer_id', 'shu_year_members.transactions_idr_minor',
  'shu_year_members.capital_idr_minor', 'shu_year_members.transactions_part_idr_minor', 'shu_year_members.capital_part_idr_minor',
  'shu_year_members.total_idr_minor', 'shu_years.cooperative_id', 'shu_years.fiscal_year', 'shu_years.status',
] as const;

/** Member lines visible under `v`: all (admin), every line of the managed cooperatives' years, the member's own lines. */
export function listMemberLines(db: ShuDb, v: ShuVisibility, filter: { fiscalYear: number | null }, page: KeysetPage): Promise<MemberLineRow[]> {
  let q = db
    .selectFrom('shu_year_members')
    .innerJoin('shu_years', 'shu_years.id', 'shu_year_members.year_id')
    .select(memberLineColumns)
    .where(visibleSql('shu_years.cooperative_id', 'shu_year_members.producer_id', v));
  if (filter.fiscalYear !== null) q = q.where('shu_years.fiscal_year', '=', filter.fiscalYear);
  return keyset(q, 'shu_year_members.id', page).execute() as Promise<MemberLineRow[]>;
}

export const memberLinesByIds = (db: ShuDb, ids: readonly number[]): Promise<MemberLineRow[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : (db
        .selectFrom('shu_year_members')
        .innerJoin('shu_years', 'shu_years.id', 'shu_year_members.year_id')
        .select(memberLineColumns)
        .where('shu_year_members.id', 'in', [...ids])
        .execute() as Promise<MemberLineRow[]>);
