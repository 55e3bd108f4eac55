import { stringify } from 'csv-stringify/sync';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { jakartaTodayIso } from '../../platform/dates.js';
import { inTransaction } from '../../platform/transaction.js';
import {
  AppError, ConflictError, ForbiddenError, type Issue, issueAt, NotFoundError, UnauthenticatedError, ValidationError,
} from '../../platform/errors.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { zm, zodIssues } from '../../platform/validate.js';
import { amountText, fromMinorUnits, toMinorUnits } from '../orders/money.js';
import { accessToProducer } from '../producers/access.js';
import { computeShu, type MemberFigures, parseSplit, type ShuResult, type Split, type SplitInput } from './shu-core.js';
import * as repo from './shu.repo.js';
import { type CapitalKind, type ShuDB, shuDb, type ShuYearRow, type SplitRow } from './shu.tables.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * The cooperative's year (SHU). Rules:
 * - the cooperative's manager (or an admin) records members' capital (simpanan pokok / wajib, IDR,
 *   dated), sets the statutes' SHU split (a new version each time, effective from a fiscal year; a
 *   version never changes), enters the year's SHU amount and closes the year;
 * - the fiscal year is the calendar year (1 January – 31 December, the usual tahun buku);
 * - the members are the cooperative's producers at the time of computing; a member's transactions
 *   are the IDR amounts of their payout statements through this cooperative (the cooperative the
 *   statement recorded when it was settled) dated in the year; their capital is what they paid
 *   into this cooperative on or before 31 December of the year;
 * - the split in force for a year is the latest version effective from that year or earlier;
 * - the SHU amount is whole rupiah; it is split by the statutes and over the members in whole
 *   rupiah by largest remainder (see shu-core.ts), and stored in IDR sen like all money;
 * - a year is a DRAFT (computing again replaces its figures) until closed; closing is allowed once
 *   the year has ended and only when the stored figures still equal a recomputation (so what the
 *   manager reviewed is what is frozen); a CLOSED year never changes (also refused by triggers);
 * - a split cannot take effect from a year that is already closed.
 * Reading: the manager of the cooperative and admins read everything; a member reads their own
 * line (of a draft too: the members' meeting reviews it before the year is closed); anyone else
 * sees nothing (not found).
 */

export const MIN_FISCAL_YEAR = 2000;
export const EARLIEST_DATE = '2000-01-01';
const SEN_PER_RUPIAH = 100;

/** Today in Asia/Jakarta: fiscal years are the cooperatives' local calendar years, like the statements' fiscal dates. */
const todayIso = () => jakartaTodayIso();
const currentYear = () => Number(todayIso().slice(0, 4));
const yearEnd = (year: number) => `${year}-12-31`;

/** Computing or closing a year that is already closed. */
export class ShuYearClosedError extends AppError {
  readonly code = 'SHU_YEAR_CLOSED';
  constructor(readonly fiscalYear: number, readonly path: string | null) {
    super(`Fiscal year ${fiscalYear} is closed: its SHU figures are final and cannot change`);
    this.name = 'ShuYearClosedError';
  }
}

function requirePrincipal(actor: Principal | null): Principal {
  if (!actor) throw new UnauthenticatedError();
  return actor;
}

export const managesCooperative = (actor: Principal | null, cooperativeId: number) =>
  isAdmin(actor) || hasRole(actor, 'COOP_MANAGER', cooperativeId);

export function visibility(actor: Principal | null): repo.ShuVisibility {
  return {
    all: isAdmin(actor),
    cooperativeIds: orgIdsWithRole(actor, 'COOP_MANAGER'),
    producerIds: orgIdsWithRole(actor, 'PRODUCER'),
  };
}

/** The cooperative exists and the actor manages it (or is an admin); otherwise NotFound / Forbidden. */
async function requireManagedCooperative(trx: Transaction<ShuDB>, actor: Principal, cooperativeId: number, path: string) {
  const coop = await repo.lockCooperative(trx, cooperativeId);
  if (!coop) throw new NotFoundError('Cooperative', path);
  if (!managesCooperative(actor, cooperativeId)) throw new ForbiddenError('Only the manager of this cooperative or an admin may do this');
  return coop;
}

// Validation helpers --------------------------------------------------------------------------

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, zm(ISSUES.dateYmd));

interface MoneyIn { amount: string; currency: string }

/** An IDR amount in sen, > 0; with `wholeRupiah`, a multiple of Rp 1. Adds issues under `path`. */
function idrAmount(money: MoneyIn, path: string, issues: Issue[], wholeRupiah: boolean): number {
  if (money.currency !== 'IDR') {
    issues.push(issueAt(`${path}.currency`, {
      en: `must be IDR (got ${money.currency}): the cooperative's books are in rupiah`,
      id: `harus IDR (yang diisi ${money.currency}): pembukuan koperasi dalam rupiah`,
    }));
    return 0;
  }
  let minor: number;
  try {
    minor = toMinorUnits(money.amount, 'IDR');
  } catch (e) {
    issues.push(issueAt(`${path}.amount`, amountText(e)));
    return 0;
  }
  if (minor <= 0) issues.push(issueAt(`${path}.amount`, ISSUES.moreThanZero));
  else if (wholeRupiah && minor % SEN_PER_RUPIAH !== 0) {
    issues.push(issueAt(`${path}.amount`, {
      en: `must be whole rupiah (got ${money.amount}): SHU is split in whole rupiah`,
      id: `harus rupiah bulat tanpa sen (yang diisi ${money.amount}): SHU dibagi dalam rupiah bulat`,
    }));
  }
  return minor;
}

function fiscalYearIssue(year: number, path: string, issues: Issue[], latest: number) {
  if (!Number.isInteger(year) || year < MIN_FISCAL_YEAR || year > latest) {
    issues.push(issueAt(path, {
      en: `must be a fiscal year from ${MIN_FISCAL_YEAR} to ${latest}, got ${year}`,
      id: `harus tahun buku ${MIN_FISCAL_YEAR} sampai ${latest}, yang diisi ${year}`,
    }));
  }
}

// Capital -------------------------------------------------------------------------------------

export interface RecordCapitalInput {
  producerId: number;
  kind: CapitalKind;
  amount: MoneyIn;
  recordedOn: string;
  reference?: string | null;
}

/** Record a member's simpanan pokok or wajib (the cooperative's manager or an admin). */
export async function recordMemberCapital(rawDb: Kysely<DB>, actorIn: Principal | null, input: RecordCapitalInput) {
  const actor = requirePrincipal(actorIn);
  const issues: Issue[] = [];
  const amount = idrAmount(input.amount, 'input.amount', issues, false);
  const date = IsoDate.safeParse(input.recordedOn);
  if (!date.success) issues.push(...zodIssues(date.error.issues, 'input.recordedOn'));
  else if (input.recordedOn < EARLIEST_DATE || input.recordedOn > todayIso()) {
    issues.push(issueAt('input.recordedOn', {
      en: `must be from ${EARLIEST_DATE} to today (${todayIso()})`,
      id: `harus antara ${EARLIEST_DATE} dan hari ini (${todayIso()})`,
    }));
  }
  const reference = input.reference?.trim() ? input.reference.trim() : null;
  if (reference !== null && reference.length > 200) issues.push(issueAt('input.reference', ISSUES.maxChars({ max: 200 })));
  if (issues.length > 0) throw new ValidationError(issues);

  // The checks and the INSERT in one bounded transaction, like every mutation.
  return inTransaction(rawDb, async (tx) => {
    const db = shuDb(tx);
    const producer = await repo.findProducer(db, input.producerId);
    const cooperativeId = producer?.cooperative_id ?? null;
    if (!producer || cooperativeId === null || !managesCooperative(actor, cooperativeId)) {
      // A producer the caller cannot see looks like one that does not exist.
      const seen = producer ? (await accessToProducer(tx, actor, producer.id)).view : false;
      if (!producer || !seen) throw new NotFoundError('Producer', 'input.producerId');
      if (cooperativeId === null) {
        throw ValidationError.field('input.producerId', {
          en: 'is not a member of a cooperative: capital is paid into a cooperative',
          id: 'bukan anggota koperasi: simpanan hanya disetor ke koperasi',
        });
      }
      throw new ForbiddenError('Only the manager of the producer\'s cooperative or an admin records members\' capital');
    }
    return repo.insertCapitalRecord(db, {
      cooperative_id: cooperativeId,
      producer_id: producer.id,
      kind: input.kind,
      amount_idr_minor: amount,
      recorded_on: input.recordedOn,
      reference,
      recorded_by: actor.userId,
    });
  });
}

/**
 * Cancel a wrong capital record (the cooperative's manager or an admin): a reversing record with the
 * same member, kind and date and the negated amount, so the member's capital is as if the record
 * had never been made. Closed years keep their figures; drafts change when computed again.
 */
export async function reverseCapitalRecord(rawDb: Kysely<DB>, actorIn: Principal | null, input: { capitalRecordId: number; reason: string }) {
  const actor = requirePrincipal(actorIn);
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw ValidationError.field('input.reason', {
    en: 'must say why, in 1 to 500 characters',
    id: 'sebutkan alasannya, 1 sampai 500 karakter',
  });
  return inTransaction(rawDb, async (tx) => {
    const trx = shuDb(tx);
    const record = await repo.lockCapitalRecord(trx, input.capitalRecordId);
    if (!record || !managesCooperative(actor, record.cooperative_id)) {
      if (record && seesCapitalRecord(actor, record)) throw new ForbiddenError('Only the cooperative\'s manager or an admin corrects capital records');
      throw new NotFoundError('CapitalRecord', 'input.capitalRecordId');
    }
    if (record.reverses_id !== null) throw new ConflictError(`Capital record ${record.id} is itself a correction and cannot be reversed`, 'input.capitalRecordId');
    const earlier = await repo.reversalOf(trx, record.id);
    if (earlier) throw new ConflictError(`Capital record ${record.id} was already reversed (by record ${earlier.id})`, 'input.capitalRecordId');
    return repo.insertCapitalRecord(trx, {
      cooperative_id: record.cooperative_id,
      producer_id: record.producer_id,
      kind: record.kind,
      amount_idr_minor: -record.amount_idr_minor,
      recorded_on: record.recorded_on,
      reference: record.reference,
      reverses_id: record.id,
      reason,
      recorded_by: actor.userId,
    });
  });
}

export function listCapitalRecords(rawDb: Kysely<DB>, actor: Principal | null, filter: repo.CapitalFilter, page: KeysetPage) {
  requirePrincipal(actor);
  return repo.listCapitalRecords(shuDb(rawDb), visibility(actor), filter, page);
}

// The statutes' split -------------------------------------------------------------------------

export interface SetSplitInput extends SplitInput {
  cooperativeId: number;
  effectiveFromYear: number;
}

export interface SplitView extends SplitRow {
  funds: Array<{ name: string; bp: number }>;
}

/** Set the statutes' SHU split from a fiscal year on: a new version; earlier versions stay as they were. */
export async function setShuSplit(rawDb: Kysely<DB>, actorIn: Principal | null, input: SetSplitInput): Promise<SplitView> {
  const actor = requirePrincipal(actorIn);
  const issues: Issue[] = [];
  fiscalYearIssue(input.effectiveFromYear, 'input.effectiveFromYear', issues, currentYear() + 5);
  let split: Split | null = null;
  try {
    split = parseSplit(input);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || !split) throw new ValidationError(issues);
  const parsed = split;
  return inTransaction(rawDb, async (tx) => {
    const trx = shuDb(tx);
    await requireManagedCooperative(trx, actor, input.cooperativeId, 'input.cooperativeId');
    const closed = await repo.latestClosedYear(trx, input.cooperativeId);
    if (closed !== null && input.effectiveFromYear <= closed) {
      throw new ConflictError(
        `Fiscal year ${closed} is closed and keeps its split: a new split can take effect from ${closed + 1} on`,
        'input.effectiveFromYear',
      );
    }
    const version = (await repo.latestSplitVersion(trx, input.cooperativeId)) + 1;
    const row = await repo.insertSplit(
      trx,
      {
        cooperative_id: input.cooperativeId, version, effective_from_year: input.effectiveFromYear,
        reserve_bp: parsed.reserveBp, transactions_bp: parsed.transactionsBp, capital_bp: parsed.capitalBp, created_by: actor.userId,
      },
      parsed.funds,
    );
    return { ...row, funds: parsed.funds };
  });
}

export async function splitsWithFunds(rawDb: Kysely<DB>, rows: readonly SplitRow[]): Promise<SplitView[]> {
  const funds = await repo.fundsOfSplits(shuDb(rawDb), rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, funds: funds.filter((f) => f.split_id === r.id).map((f) => ({ name: f.name, bp: f.bp })) }));
}

const splitOf = (row: SplitRow, funds: ReadonlyArray<{ name: string; bp: number }>): Split => ({
  reserveBp: row.reserve_bp, transactionsBp: row.transactions_bp, capitalBp: row.capital_bp, funds: [...funds],
});

// The year ------------------------------------------------------------------------------------

export interface ComputeYearInput {
  cooperativeId: number;
  fiscalYear: number;
  amount: MoneyIn;
}

/** Compute from today's data (statements, capital, the split in force); no writes. */
async function computeFromData(trx: Transaction<ShuDB>, cooperativeId: number, fiscalYear: number, amountMinor: number) {
  const splitRow = await repo.splitForYear(trx, cooperativeId, fiscalYear);
  if (!splitRow) {
    throw ValidationError.field('input.fiscalYear', {
      en: `no statutes' SHU split is in force for ${fiscalYear}: set one with setShuSplit (effectiveFromYear ${fiscalYear} or earlier)`,
      id: `belum ada pembagian SHU menurut AD/ART yang berlaku untuk tahun ${fiscalYear}: tetapkan dengan setShuSplit (effectiveFromYear ${fiscalYear} atau sebelumnya)`,
    });
  }
  const funds = (await repo.fundsOfSplits(trx, [splitRow.id])).map((f) => ({ name: f.name, bp: f.bp }));
  const members = await repo.cooperativeMembers(trx, cooperativeId);
  const transactions = new Map((await repo.transactionsBetween(trx, cooperativeId, `${fiscalYear}-01-01`, yearEnd(fiscalYear))).map((r) => [r.producer_id, Number(r.amount)]));
  const capital = new Map((await repo.capitalUntil(trx, cooperativeId, yearEnd(fiscalYear))).map((r) => [r.producer_id, Number(r.amount)]));
  const figures: MemberFigures[] = members.map((m) => ({ producerId: m.id, transactions: transactions.get(m.id) ?? 0, capital: capital.get(m.id) ?? 0 }));
  const result = computeShu(amountMinor / SEN_PER_RUPIAH, splitOf(splitRow, funds), figures);
  return { splitRow, result };
}

function toFigures(cooperativeId: number, fiscalYear: number, amountMinor: number, splitId: number, result: ShuResult, actor: Principal): repo.YearFigures {
  const sen = (rupiah: number) => rupiah * SEN_PER_RUPIAH;
  return {
    year: { cooperative_id: cooperativeId, fiscal_year: fiscalYear, amount_idr_minor: amountMinor, split_id: splitId, computed_at: new Date(), computed_by: actor.userId },
    funds: result.funds.map((f) => ({ position: f.position, kind: f.kind, name: f.name, bp: f.bp, amount_idr_minor: sen(f.amount) })),
    members: result.members.map((m) => ({
      producer_id: m.producerId,
      transactions_idr_minor: m.transactions,
      capital_idr_minor: m.capital,
      transactions_part_idr_minor: sen(m.transactionsPart),
      capital_part_idr_minor: sen(m.capitalPart),
      total_idr_minor: sen(m.total),
    })),
  };
}

/**
 * Enter the year's SHU amount: compute every member's share from today's data and store it as the
 * year's DRAFT (replacing an earlier draft). Refused for a closed year.
 */
export async function computeShuYear(rawDb: Kysely<DB>, actorIn: Principal | null, input: ComputeYearInput): Promise<ShuYearRow> {
  const actor = requirePrincipal(actorIn);
  const issues: Issue[] = [];
  fiscalYearIssue(input.fiscalYear, 'input.fiscalYear', issues, currentYear());
  const amountMinor = idrAmount(input.amount, 'input.amount', issues, true);
  if (issues.length > 0) throw new ValidationError(issues);
  return inTransaction(rawDb, async (tx) => {
    const trx = shuDb(tx);
    await requireManagedCooperative(trx, actor, input.cooperativeId, 'input.cooperativeId');
    const existing = await repo.findYear(trx, input.cooperativeId, input.fiscalYear);
    if (existing?.status === 'CLOSED') throw new ShuYearClosedError(existing.fiscal_year, 'input.fiscalYear');
    const { splitRow, result } = await computeFromData(trx, input.cooperativeId, input.fiscalYear, amountMinor);
    return repo.writeDraftYear(trx, existing?.id ?? null, toFigures(input.cooperativeId, input.fiscalYear, amountMinor, splitRow.id, result, actor));
  });
}

/** Close a DRAFT year once it has ended and its stored figures equal a recomputation from today's data. */
export async function closeShuYear(rawDb: Kysely<DB>, actorIn: Principal | null, input: { shuYearId: number }): Promise<ShuYearRow> {
  const actor = requirePrincipal(actorIn);
  return inTransaction(rawDb, async (tx) => {
    const trx = shuDb(tx);
    const found = (await repo.yearsByIds(trx, [input.shuYearId]))[0];
    if (!found || !managesCooperative(actor, found.cooperative_id)) throw new NotFoundError('ShuYear', 'input.shuYearId');
    await repo.lockCooperative(trx, found.cooperative_id);
    const year = (await repo.lockYearById(trx, found.id))!;
    if (year.status === 'CLOSED') throw new ShuYearClosedError(year.fiscal_year, 'input.shuYearId');
    if (todayIso() <= yearEnd(year.fiscal_year)) {
      throw new ConflictError(`Fiscal year ${year.fiscal_year} runs until ${yearEnd(year.fiscal_year)}: close it after that`, 'input.shuYearId');
    }
    const { splitRow, result } = await computeFromData(trx, year.cooperative_id, year.fiscal_year, year.amount_idr_minor);
    const fresh = toFigures(year.cooperative_id, year.fiscal_year, year.amount_idr_minor, splitRow.id, result, actor);
    const stored = await repo.membersOfYears(trx, [year.id]);
    const key = (m: { producer_id: number; transactions_idr_minor: number; capital_idr_minor: number; total_idr_minor: number; transactions_part_idr_minor: number }) =>
      [m.producer_id, m.transactions_idr_minor, m.capital_idr_minor, m.transactions_part_idr_minor, m.total_idr_minor].join(':');
    const same = splitRow.id === year.split_id && stored.length === fresh.members.length && stored.every((m, i) => key(m) === key(fresh.members[i]!));
    if (!same) {
      throw new ConflictError(
        `The figures of ${year.fiscal_year} changed since the draft was computed (${year.computed_at.toISOString()}): compute the year again, review it and close it then`,
        'input.shuYearId',
      );
    }
    return repo.closeYear(trx, year.id, actor.userId, new Date());
  });
}

// Reading -------------------------------------------------------------------------------------

/** The year of a cooperative, or null when it does not exist or the caller may not see it. */
export async function findYear(rawDb: Kysely<DB>, actor: Principal | null, cooperativeId: number, fiscalYear: number) {
  if (!managesCooperative(actor, cooperativeId)) return null;
  return (await repo.findYear(shuDb(rawDb), cooperativeId, fiscalYear)) ?? null;
}

export function listMemberLines(rawDb: Kysely<DB>, actor: Principal | null, filter: { fiscalYear: number | null }, page: KeysetPage) {
  requirePrincipal(actor);
  return repo.listMemberLines(shuDb(rawDb), visibility(actor), filter, page);
}

/** Who sees a member line: admins, the cooperative's manager, and the member (their own, draft or closed: the members' meeting reviews the draft). */
export const seesMemberLine = (actor: Principal | null, line: { cooperative_id: number; producer_id: number }) =>
  managesCooperative(actor, line.cooperative_id) || hasRole(actor, 'PRODUCER', line.producer_id);

export const seesCapitalRecord = (actor: Principal | null, r: { cooperative_id: number; producer_id: number }) =>
  managesCooperative(actor, r.cooperative_id) || hasRole(actor, 'PRODUCER', r.producer_id);

// The report ----------------------------------------------------------------------------------

export interface YearReport {
  year: ShuYearRow;
  cooperativeName: string;
  funds: Awaited<ReturnType<typeof repo.fundsOfYears>>;
  members: Awaited<ReturnType<typeof repo.membersOfYears>>;
  totals: { transactions: number; capital: number; transactionsPart: number; capitalPart: number; total: number };
}

export async function yearReport(rawDb: Kysely<DB>, year: ShuYearRow): Promise<YearReport> {
  const db = shuDb(rawDb);
  const [coop, funds, members] = await Promise.all([
    repo.findCooperative(db, year.cooperative_id), repo.fundsOfYears(db, [year.id]), repo.membersOfYears(db, [year.id]),
  ]);
  return { year, cooperativeName: coop?.name ?? '', funds, members, totals: totalsOf(members) };
}

export function totalsOf(members: ReadonlyArray<{ transactions_idr_minor: number; capital_idr_minor: number; transactions_part_idr_minor: number; capital_part_idr_minor: number; total_idr_minor: number }>) {
  const sum = (pick: (m: (typeof members)[number]) => number) => members.reduce((s, m) => s + pick(m), 0);
  return {
    transactions: sum((m) => m.transactions_idr_minor),
    capital: sum((m) => m.capital_idr_minor),
    transactionsPart: sum((m) => m.transactions_part_idr_minor),
    capitalPart: sum((m) => m.capital_part_idr_minor),
    total: sum((m) => m.total_idr_minor),
  };
}

/** A leading = + - @ (or tab/CR) is neutralised so that spreadsheets never run a member's name as a formula. */
const safeText = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const idr = (minor: number) => fromMinorUnits(minor, 'IDR');
const pct = (bp: number) => `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;

/**
 * The report as CSV (RFC 4180, CRLF) for the members' meeting: the fund allocations with their
 * total, a blank line, then one row per member with the totals row. Amounts are IDR with 2 decimals.
 */
export function reportCsv(r: YearReport): string {
  const rows: Array<Array<string | number>> = [
    ['fiscal_year', 'cooperative', 'status', 'shu_idr'],
    [r.year.fiscal_year, r.cooperativeName, r.year.status, idr(r.year.amount_idr_minor)],
    [],
    ['fund', 'pct', 'amount_idr'],
    ...r.funds.map((f) => [f.name, pct(f.bp), idr(f.amount_idr_minor)]),
    ['TOTAL', pct(r.funds.reduce((s, f) => s + f.bp, 0)), idr(r.funds.reduce((s, f) => s + f.amount_idr_minor, 0))],
    [],
    ['producer_id', 'member', 'transactions_idr', 'capital_idr', 'shu_transactions_idr', 'shu_capital_idr', 'shu_total_idr'],
    ...r.members.map((m) => [
      m.producer_id, m.display_name, idr(m.transactions_idr_minor), idr(m.capital_idr_minor),
      idr(m.transactions_part_idr_minor), idr(m.capital_part_idr_minor), idr(m.total_idr_minor),
    ]),
    ['TOTAL', `${r.members.length} members`, idr(r.totals.transactions), idr(r.totals.capital), idr(r.totals.transactionsPart), idr(r.totals.capitalPart), idr(r.totals.total)],
  ];
  // RFC 4180 quoting by csv-stringify; names are the only free text.
  return stringify(rows.map((row) => row.map((v) => (typeof v === 'string' ? safeText(v) : v))), { record_delimiter: 'windows' });
}
