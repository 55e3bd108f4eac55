import { AppError, type Issue, issueAt, ValidationError } from '../../platform/errors.js';
import { ISSUES, nId } from '../../platform/issue-messages.js';

/**
 * The cooperative's surplus (SHU, UU 25/1992 art. 45), pure: plain data in, plain data out, no I/O,
 * no floats. A member's share is
 *
 *   SHU_i = (t_i / T) × S_transactions + (c_i / C) × S_capital
 *
 * with t_i the member's transactions (what they delivered through the cooperative in the fiscal
 * year), c_i their capital (simpanan pokok + simpanan wajib), and S_* the parts of the year's SHU
 * that the statutes (AD/ART) give to members for transactions and for capital.
 *
 * Everything is split with the largest-remainder method in whole units (the service passes whole
 * rupiah): first the year's SHU over the statutes' lines (reserve, transactions, capital, the
 * cooperative's own funds), then each members' part over the members. Each split sums exactly to
 * what it splits; a leftover unit goes to the largest remainder, ties to the smallest key (the
 * split line's position, the member's producer id), so the same input always gives the same result
 * whatever order it comes in. Each part is rounded on its own so that every column of the report
 * adds up; a member's total is then within 2 units of the exact rational figure.
 *
 * Percentages are exact: at most 2 decimals, held as basis points (hundredths of a percent,
 * 100 % = 10,000) and they must sum to exactly 100 %.
 */

/** 100 % in basis points. */
export const FULL_BP = 10_000;
/** At most this many own funds besides reserve, transactions and capital. */
export const MAX_FUNDS = 20;
/** Largest SHU amount or capital figure accepted, in the caller's units (10^15, inside 2^53). */
export const MAX_AMOUNT = 1_000_000_000_000_000;

// ---------------------------------------------------------------------------------------------
// Largest remainder
// ---------------------------------------------------------------------------------------------

export interface Weighted {
  /** Stable tie-break key: on equal remainders the smaller key gets the unit. */
  key: number;
  /** A non-negative safe integer. */
  weight: number;
}

/**
 * Split `total` whole units over `items` in proportion to their weights: each gets
 * floor(total·w/W) and the leftover units go one each to the largest remainders (ties: smaller key).
 * Returns the parts in the order of `items`; they sum to `total` exactly, an item of weight 0 gets 0,
 * and each part differs from the exact quota by less than one unit.
 * Throws a RangeError when the weights sum to 0 (there is nothing to split by) and total > 0.
 */
export function largestRemainder(total: number, items: readonly Weighted[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total must be a non-negative whole number, got ${total}`);
  const keys = new Set<number>();
  let sum = 0n;
  for (const item of items) {
    if (!Number.isSafeInteger(item.weight) || item.weight < 0) throw new RangeError(`weight of ${item.key} must be a non-negative whole number, got ${item.weight}`);
    if (keys.has(item.key)) throw new RangeError(`duplicate key ${item.key}`);
    keys.add(item.key);
    sum += BigInt(item.weight);
  }
  if (total === 0) return items.map(() => 0);
  if (sum === 0n) throw new RangeError('cannot split over weights that sum to 0');
  const T = BigInt(total);
  const floors: bigint[] = [];
  const remainders: bigint[] = [];
  let given = 0n;
  for (const item of items) {
    const product = T * BigInt(item.weight);
    floors.push(product / sum);
    remainders.push(product % sum);
    given += product / sum;
  }
  let leftover = Number(T - given); // < items.length
  const order = items
    .map((item, index) => ({ index, key: item.key, remainder: remainders[index]! }))
    .filter((r) => r.remainder > 0n)
    .sort((a, b) => (a.remainder === b.remainder ? a.key - b.key : a.remainder > b.remainder ? -1 : 1));
  for (const r of order) {
    if (leftover === 0) break;
    floors[r.index]! += 1n;
    leftover--;
  }
  return floors.map(Number);
}

// ---------------------------------------------------------------------------------------------
// The statutes' split
// ---------------------------------------------------------------------------------------------

export interface SplitInput {
  /** Dana cadangan. */
  reservePct: string;
  /** Members' part for transactions. */
  transactionsPct: string;
  /** Members' part for capital. */
  capitalPct: string;
  /** The cooperative's own funds (management, staff, education, social, …). */
  funds: ReadonlyArray<{ name: string; pct: string }>;
}

export interface Split {
  reserveBp: number;
  transactionsBp: number;
  capitalBp: number;
  funds: Array<{ name: string; bp: number }>;
}

const PCT = /^(\d{1,3})(?:\.(\d{1,2}))?$/;

/** "12.5" → 1250 basis points; null when not a percentage 0–100 with at most 2 decimals. */
export function pctToBp(text: string): number | null {
  const m = PCT.exec(text.trim());
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= FULL_BP ? bp : null;
}

/** 1250 → "12.50". */
export const bpToPct = (bp: number): string => `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;

/**
 * Check the statutes' split: each percentage 0–100 with at most 2 decimals, fund names present and
 * distinct (case-insensitively, also from "reserve", "transactions" and "capital"), and all of them
 * summing to exactly 100 %. Throws one ValidationError naming every bad field.
 */
export function parseSplit(input: SplitInput, basePath = 'input'): Split {
  const issues: Issue[] = [];
  const pct = (text: string, path: string): number => {
    const bp = pctToBp(text);
    if (bp === null) {
      issues.push(issueAt(`${basePath}.${path}`, {
        en: `must be a percentage from 0 to 100 with at most 2 decimals, got "${text}"`,
        id: `harus persentase 0 sampai 100 dengan paling banyak 2 angka desimal, yang diisi "${text}"`,
      }));
    }
    return bp ?? 0;
  };
  const reserveBp = pct(input.reservePct, 'reservePct');
  const transactionsBp = pct(input.transactionsPct, 'transactionsPct');
  const capitalBp = pct(input.capitalPct, 'capitalPct');
  if (input.funds.length > MAX_FUNDS) {
    issues.push(issueAt(`${basePath}.funds`, {
      en: `must list at most ${MAX_FUNDS} funds, got ${input.funds.length}`,
      id: `paling banyak ${MAX_FUNDS} dana, yang diisi ${input.funds.length}`,
    }));
  }
  const seen = new Set(['reserve', 'transactions', 'capital', 'dana cadangan']);
  const funds = input.funds.map((fund, i) => {
    const name = fund.name.trim();
    if (name.length === 0 || name.length > 100) issues.push(issueAt(`${basePath}.funds.${i}.name`, ISSUES.charsBetween({ min: 1, max: 100 })));
    else if (seen.has(name.toLowerCase())) {
      issues.push(issueAt(`${basePath}.funds.${i}.name`, {
        en: `"${name}" is listed twice (reserve, transactions and capital are their own fields)`,
        id: `"${name}" tercantum dua kali (dana cadangan, jasa transaksi dan jasa modal punya kolomnya sendiri)`,
      }));
    }
    seen.add(name.toLowerCase());
    return { name, bp: pct(fund.pct, `funds.${i}.pct`) };
  });
  if (issues.length === 0) {
    const total = reserveBp + transactionsBp + capitalBp + funds.reduce((s, f) => s + f.bp, 0);
    if (total !== FULL_BP) {
      const parts = [bpToPct(reserveBp), bpToPct(transactionsBp), bpToPct(capitalBp), ...funds.map((f) => bpToPct(f.bp))];
      issues.push(issueAt(basePath, {
        en: `reservePct + transactionsPct + capitalPct + funds.pct must sum to exactly 100 %, got ${bpToPct(total)} % (${parts.join(' + ')})`,
        id: `reservePct + transactionsPct + capitalPct + funds.pct harus berjumlah tepat 100 %, yang diisi ${nId(bpToPct(total))} % (${parts.map(nId).join(' + ')})`,
      }));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { reserveBp, transactionsBp, capitalBp, funds };
}

// ---------------------------------------------------------------------------------------------
// The year
// ---------------------------------------------------------------------------------------------

export type FundKind = 'RESERVE' | 'MEMBERS_TRANSACTIONS' | 'MEMBERS_CAPITAL' | 'FUND';

export interface FundAllocation {
  /** 0 reserve, 1 transactions, 2 capital, 3… the own funds in the statutes' order. */
  position: number;
  kind: FundKind;
  name: string;
  bp: number;
  amount: number;
}

export interface MemberFigures {
  producerId: number;
  /** What the member delivered through the cooperative in the year (any unit; only ratios count). */
  transactions: number;
  /** Simpanan pokok + simpanan wajib (any unit; only ratios count). */
  capital: number;
}

export interface MemberShare extends MemberFigures {
  transactionsPart: number;
  capitalPart: number;
  total: number;
}

export interface ShuResult {
  amount: number;
  funds: FundAllocation[];
  members: MemberShare[];
  totals: { transactions: number; capital: number; transactionsPart: number; capitalPart: number; total: number };
}

/** A members' part that has nothing to be split by: no member delivered anything, or nobody holds capital. */
export class ShuNotDistributableError extends AppError {
  readonly code = 'SHU_NOT_DISTRIBUTABLE';
  constructor(readonly part: 'TRANSACTIONS' | 'CAPITAL', readonly partAmount: number, readonly path: string, message: string) {
    super(message);
    this.name = 'ShuNotDistributableError';
  }
}

export const RESERVE_NAME = 'Dana cadangan';
export const TRANSACTIONS_NAME = 'Jasa anggota (transaksi)';
export const CAPITAL_NAME = 'Jasa modal (simpanan)';

/**
 * Split the year's SHU `amount` (whole units) by the statutes and over the members. Members are
 * returned ordered by producer id. Throws ShuNotDistributableError when a members' part is above 0
 * but every member's transactions (or capital) are 0, and a RangeError on malformed figures.
 */
export function computeShu(amount: number, split: Split, members: readonly MemberFigures[]): ShuResult {
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) throw new RangeError(`amount must be a whole number from 1 to ${MAX_AMOUNT}, got ${amount}`);
  const lines: Array<Omit<FundAllocation, 'amount'>> = [
    { position: 0, kind: 'RESERVE', name: RESERVE_NAME, bp: split.reserveBp },
    { position: 1, kind: 'MEMBERS_TRANSACTIONS', name: TRANSACTIONS_NAME, bp: split.transactionsBp },
    { position: 2, kind: 'MEMBERS_CAPITAL', name: CAPITAL_NAME, bp: split.capitalBp },
    ...split.funds.map((f, i) => ({ position: 3 + i, kind: 'FUND' as const, name: f.name, bp: f.bp })),
  ];
  const totalBp = lines.reduce((s, l) => s + l.bp, 0);
  if (totalBp !== FULL_BP) throw new RangeError(`the split must sum to ${FULL_BP} basis points, got ${totalBp}`);
  const amounts = largestRemainder(amount, lines.map((l) => ({ key: l.position, weight: l.bp })));
  const funds = lines.map((l, i) => ({ ...l, amount: amounts[i]! }));
  const transactionsFund = funds[1]!.amount;
  const capitalFund = funds[2]!.amount;

  const sorted = [...members].sort((a, b) => a.producerId - b.producerId);
  for (const m of sorted) {
    for (const figure of [m.transactions, m.capital]) {
      if (!Number.isSafeInteger(figure) || figure < 0) throw new RangeError(`figures of producer ${m.producerId} must be non-negative whole numbers`);
    }
  }
  const sumOf = (pick: (m: MemberFigures) => number) => sorted.reduce((s, m) => s + pick(m), 0);
  const totalTransactions = sumOf((m) => m.transactions);
  const totalCapital = sumOf((m) => m.capital);
  if (!Number.isSafeInteger(totalTransactions) || !Number.isSafeInteger(totalCapital)) throw new RangeError('member figures are too large to sum exactly');
  if (transactionsFund > 0 && totalTransactions === 0) {
    throw new ShuNotDistributableError('TRANSACTIONS', transactionsFund, 'input.fiscalYear',
      `no member delivered anything through the cooperative in this fiscal year, so the members' part for transactions (${transactionsFund}) cannot be split; set transactionsPct to 0 in the statutes' split for this year`);
  }
  if (capitalFund > 0 && totalCapital === 0) {
    throw new ShuNotDistributableError('CAPITAL', capitalFund, 'input.fiscalYear',
      `no member has capital (simpanan pokok or wajib) recorded by the end of this fiscal year, so the members' part for capital (${capitalFund}) cannot be split; record the members' capital first`);
  }
  const byTransactions = largestRemainder(transactionsFund, sorted.map((m) => ({ key: m.producerId, weight: m.transactions })));
  const byCapital = largestRemainder(capitalFund, sorted.map((m) => ({ key: m.producerId, weight: m.capital })));
  const shares = sorted.map((m, i) => {
    const transactionsPart = byTransactions[i]!;
    const capitalPart = byCapital[i]!;
    return { producerId: m.producerId, transactions: m.transactions, capital: m.capital, transactionsPart, capitalPart, total: transactionsPart + capitalPart };
  });
  return {
    amount,
    funds,
    members: shares,
    totals: {
      transactions: totalTransactions,
      capital: totalCapital,
      transactionsPart: transactionsFund,
      capitalPart: capitalFund,
      total: transactionsFund + capitalFund,
    },
  };
}
