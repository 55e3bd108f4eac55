import { CURRENCY_MINOR_UNITS, type Currency } from '../orders/money.js';
import { PremiumsExceedNetError, SettlementWouldReduceError, NothingToSettleError } from './errors.js';
import { Ratio, sum } from './ratio.js';
import { largestRemainderScaled } from './split.js';

/**
 * The settlement arithmetic (pure: plain data in, plain data out, no I/O, no floats).
 *
 * Units: money in IDR minor units (sen; 100 sen = Rp 1) as bigint or exact Ratio, weights in grams.
 * Rates per kg are Ratio sen/kg; a line of w grams at r sen/kg is worth w·r/1000 sen.
 *
 * For an order with received R (IDR, in total so far), costs C (IDR, in total so far), brand fee
 * f_b % (snapshot), lines i with delivered weight w_i, premium p_i per kg and cooperative fee f_i %
 * (snapshot of the line's cooperative, 0 without one):
 *
 *   brand fee  B  = R · f_b / 100
 *   net        N  = R − B − C
 *   premiums   P  = Σ w_i · p_i                     (error PremiumsExceedNetError when P > N)
 *   base rate  b  = (N − P) / Σ w_i                 (per kg)
 *   gross_i       = w_i · (b + p_i)                 (Σ gross_i = N)
 *   coop fee_i    = gross_i · f_i / 100            (the cooperative's fee on its member's share)
 *   payout_i      = gross_i − coop fee_i
 *
 * A run settles the money received since the previous run. Its exact shares are the difference
 * between the cumulative figures now and at the previous run (premiums are therefore paid once,
 * from the first money, and never counted twice); costs recorded since then are deducted whole in
 * this run. The shares — brand fee, one per cooperative (the sum over its members, so a
 * cooperative's fee is rounded once: no per-producer double counting), one per new cost, one per
 * line — are rounded with largest remainder (split.ts), so they add up to the run's received
 * rupiah exactly.
 */

export const CERTIFICATIONS = ['ORGANIC', 'FAIRTRADE', 'RAINFOREST_ALLIANCE'] as const;
export type Certification = (typeof CERTIFICATIONS)[number];

export interface PremiumRule {
  appliesTo: 'GRADE' | 'CERTIFICATION' | 'ALL';
  gradeCode: string | null;
  certification: Certification | null;
  /** IDR sen per kg, or null when the rule is a percentage of the price. */
  perKgIdrMinor: number | null;
  /** Percentage of the order's price per kg (decimal text, e.g. "5"), or null. */
  pricePct: string | null;
}

export interface AppliedPremium {
  rule: PremiumRule;
  /** sen per kg. */
  perKg: Ratio;
}

/** The order's price per kg in IDR sen: price (minor units of its currency) × rate (IDR per unit). */
export function priceIdrPerKg(priceMinorPerKg: number, currency: Currency, rateToIdr: Ratio): Ratio {
  const digits = CURRENCY_MINOR_UNITS[currency];
  return Ratio.of(priceMinorPerKg).mul(rateToIdr).mul(Ratio.of(10n ** BigInt(CURRENCY_MINOR_UNITS.IDR), 10n ** BigInt(digits)));
}

/** Convert an amount in minor units of `currency` to IDR sen, rounded half up to a whole sen. */
export function toIdrMinor(amountMinor: number, currency: Currency, rateToIdr: Ratio): bigint {
  const exact = priceIdrPerKg(amountMinor, currency, rateToIdr);
  return exact.add(Ratio.of(1n, 2n)).floor();
}

/** The premium rate of a line (sen per kg) and the rules that make it up. */
export function premiumFor(
  rules: readonly PremiumRule[],
  line: { gradeCode: string | null; certifications: readonly Certification[] },
  priceIdr: Ratio,
): { perKg: Ratio; applied: AppliedPremium[] } {
  const applied: AppliedPremium[] = [];
  for (const rule of rules) {
    const matches =
      rule.appliesTo === 'ALL' ||
      (rule.appliesTo === 'GRADE' && rule.gradeCode !== null && rule.gradeCode === line.gradeCode) ||
      (rule.appliesTo === 'CERTIFICATION' && rule.certification !== null && line.certifications.includes(rule.certification));
    if (!matches) continue;
    const perKg = rule.perKgIdrMinor !== null ? Ratio.of(rule.perKgIdrMinor) : priceIdr.mul(Ratio.parse(rule.pricePct ?? '0')).div(100);
    applied.push({ rule, perKg });
  }
  return { perKg: sum(applied.map((a) => a.perKg)), applied };
}

/** One delivered line as the settlement sees it (fixed at the first run and reused by later runs). */
export interface BasisLine {
  /** Stable key: ties of the largest-remainder split are broken by it. */
  key: string;
  producerId: number;
  cooperativeId: number | null;
  weightG: number;
  /** sen per kg. */
  premiumPerKg: Ratio;
  /** The cooperative's service fee in % (snapshot), "0" without a cooperative. */
  coopFeePct: string;
}

export interface RunInput {
  lines: readonly BasisLine[];
  brandFeePct: string;
  /** IDR sen received in total, including this run's payments. */
  receivedTotal: bigint;
  /** The totals of the previous run, or null for the first run. */
  previous: { receivedTotal: bigint; costsTotal: bigint } | null;
  /** Costs first deducted in this run, in IDR sen (whole). */
  newCosts: ReadonlyArray<{ key: string; idrMinor: bigint }>;
}

export interface LineShare {
  key: string;
  producerId: number;
  cooperativeId: number | null;
  weightG: number;
  premiumPerKg: Ratio;
  coopFeePct: string;
  /** This run's exact gross (before the cooperative fee) and cooperative fee, in sen. */
  gross: Ratio;
  coopFee: Ratio;
  /** This run's payout, whole sen. */
  amount: bigint;
}

export interface StatementShare {
  producerId: number;
  cooperativeId: number | null;
  deliveredG: number;
  amount: bigint;
  lines: LineShare[];
}

export interface RunResult {
  received: bigint;
  receivedTotal: bigint;
  costs: bigint;
  costsTotal: bigint;
  brandFee: bigint;
  cooperativeFees: Array<{ cooperativeId: number; feePct: string; amount: bigint }>;
  costShares: Array<{ key: string; amount: bigint }>;
  payouts: bigint;
  lines: LineShare[];
  statements: StatementShare[];
  weightG: number;
  /** Cumulative exact figures after this run (sen; base rate per kg). */
  netTotal: Ratio;
  premiumsTotal: Ratio;
  baseRatePerKg: Ratio;
}

const idr = (r: Ratio | bigint) => (r instanceof Ratio ? r : Ratio.of(r)).shift(2).toFixed(2);

const gcd = (a: bigint, b: bigint): bigint => {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
};

/**
 * The exact cumulative figures, as integer numerators over one common denominator D (no reduction
 * in the loop: the arithmetic stays plain bigint multiplication and exact division).
 * D = 10^4 (brand fee %) × 10^4 (cooperative fee %) × 1000 (g → kg) × L (lcm of the premium rates'
 * denominators) × W (total grams); every figure below times D is an integer (see the comments).
 */
interface Scale {
  D: bigint;
  /** D / W */
  perGram: bigint;
  L: bigint;
}

function scaleFor(lines: readonly BasisLine[], weightG: bigint): Scale {
  let L = 1n;
  for (const l of lines) L = (L / gcd(L, l.premiumPerKg.den)) * l.premiumPerKg.den;
  const perGram = 10n ** 11n * L; // 10^4 · 10^4 · 1000 · L
  return { D: perGram * weightG, perGram, L };
}

interface Cumulative {
  brandFee: bigint;
  net: bigint;
  premiums: bigint;
  /** (N − P) · D / W: the base rate per gram, times D. */
  basePerGramTimesD: bigint;
  gross: bigint[];
  coopFee: bigint[];
}

function cumulative(lines: readonly BasisLine[], brandFeePct: Ratio, received: bigint, costs: bigint, scale: Scale, premiums: bigint): Cumulative {
  const { D, perGram } = scale;
  // brand fee B = R · f / 100; f has at most 2 decimals, so (f.den · 100) divides 10^4 and D.
  const brandFee = (received * brandFeePct.num * D) / (brandFeePct.den * 100n);
  const net = received * D - brandFee - costs * D;
  if (net < premiums) {
    const r = (x: bigint) => Ratio.raw(x, D);
    throw new PremiumsExceedNetError(idr(received), idr(r(brandFee)), idr(costs), idr(r(net)), idr(r(premiums)));
  }
  // (N − P)·D is a multiple of W: N and P have denominators dividing 10^4·1000·L, and D/W = 10^11·L.
  const basePerGramTimesD = (net - premiums) / (D / perGram);
  const gross = lines.map((l) => BigInt(l.weightG) * basePerGramTimesD + (BigInt(l.weightG) * l.premiumPerKg.num * D) / (l.premiumPerKg.den * 1000n));
  // A line without a cooperative pays no cooperative fee, whatever its coopFeePct says; a fee has at
  // most 2 decimals and every gross·D is a multiple of 10^4, so the division is exact.
  const coopFee = gross.map((g, i) => {
    const l = lines[i]!;
    if (l.cooperativeId === null) return 0n;
    const f = pct(l.coopFeePct);
    return (g * f.num) / (f.den * 100n);
  });
  return { brandFee, net, premiums, basePerGramTimesD, gross, coopFee };
}

const pad = (n: number) => String(n).padStart(12, '0');

/** A percentage with at most 2 decimals (so that its share of a scaled figure divides exactly). */
function pct(text: string): Ratio {
  const r = Ratio.parse(text);
  if (100n % r.den !== 0n || r.isNegative()) throw new RangeError(`percentage ${text} must be ≥ 0 with at most 2 decimals`);
  return r;
}

/** Compute one settlement run. Throws PremiumsExceedNetError, NothingToSettleError, SettlementWouldReduceError. */
export function settleRun(input: RunInput): RunResult {
  const { lines } = input;
  if (lines.length === 0) throw new RangeError('a settlement needs at least one delivered line');
  const weightG = lines.reduce((a, l) => a + l.weightG, 0);
  if (lines.some((l) => !Number.isSafeInteger(l.weightG) || l.weightG <= 0)) throw new RangeError('line weights must be positive grams');
  const feePct = pct(input.brandFeePct);
  const prevReceived = input.previous?.receivedTotal ?? 0n;
  const prevCosts = input.previous?.costsTotal ?? 0n;
  const costs = input.newCosts.reduce((a, c) => a + c.idrMinor, 0n);
  const costsTotal = prevCosts + costs;
  const received = input.receivedTotal - prevReceived;
  if (received < 0n) throw new RangeError('received total went down');
  if (received === 0n && costs === 0n) throw new NothingToSettleError('No payment was received since the last settlement: nothing to settle');

  const scale = scaleFor(lines, BigInt(weightG));
  const { D } = scale;
  const premiums = lines.reduce((a, l) => a + (BigInt(l.weightG) * l.premiumPerKg.num * D) / (l.premiumPerKg.den * 1000n), 0n);
  const now = cumulative(lines, feePct, input.receivedTotal, costsTotal, scale, premiums);
  const before = input.previous ? cumulative(lines, feePct, prevReceived, prevCosts, scale, premiums) : null;
  const lineGross = now.gross.map((g, i) => g - (before?.gross[i] ?? 0n));
  const lineCoopFee = now.coopFee.map((f, i) => f - (before?.coopFee[i] ?? 0n));
  const brandFee = now.brandFee - (before?.brandFee ?? 0n);
  if (lineGross.some((g) => g < 0n)) {
    throw new SettlementWouldReduceError(idr(received), idr(costs));
  }

  // The shares of this run, each with a stable key, then one largest-remainder split (numerators over D).
  const coopIds = [...new Set(lines.map((l) => l.cooperativeId).filter((c): c is number => c !== null))].sort((a, b) => a - b);
  const coopExact = coopIds.map((c) => lineCoopFee.reduce((a, f, i) => (lines[i]!.cooperativeId === c ? a + f : a), 0n));
  const shares = [
    { key: '0:brand', num: brandFee },
    ...coopIds.map((c, j) => ({ key: `1:coop:${pad(c)}`, num: coopExact[j]! })),
    ...input.newCosts.map((c) => ({ key: `2:cost:${c.key}`, num: c.idrMinor * D })),
    ...lines.map((l, i) => ({ key: `3:line:${l.key}`, num: lineGross[i]! - lineCoopFee[i]! })),
  ];
  const rounded = largestRemainderScaled(shares, D, received);
  let k = 0;
  const brandFeeAmount = rounded[k++]!;
  const cooperativeFees = coopIds.map((c) => ({
    cooperativeId: c,
    feePct: lines.find((l) => l.cooperativeId === c)!.coopFeePct,
    amount: rounded[k++]!,
  }));
  const costShares = input.newCosts.map((c) => ({ key: c.key, amount: rounded[k++]! }));
  const lineShares: LineShare[] = lines.map((l, i) => ({
    key: l.key,
    producerId: l.producerId,
    cooperativeId: l.cooperativeId,
    weightG: l.weightG,
    premiumPerKg: l.premiumPerKg,
    coopFeePct: l.coopFeePct,
    gross: Ratio.raw(lineGross[i]!, D),
    coopFee: Ratio.raw(lineCoopFee[i]!, D),
    amount: rounded[k++]!,
  }));

  const byProducer = new Map<number, StatementShare>();
  for (const line of lineShares) {
    const s = byProducer.get(line.producerId) ?? { producerId: line.producerId, cooperativeId: line.cooperativeId, deliveredG: 0, amount: 0n, lines: [] };
    s.deliveredG += line.weightG;
    s.amount += line.amount;
    s.lines.push(line);
    byProducer.set(line.producerId, s);
  }
  const statements = [...byProducer.values()].sort((a, b) => a.producerId - b.producerId);
  return {
    received,
    receivedTotal: input.receivedTotal,
    costs,
    costsTotal,
    brandFee: brandFeeAmount,
    cooperativeFees,
    costShares,
    payouts: lineShares.reduce((a, l) => a + l.amount, 0n),
    lines: lineShares,
    statements,
    weightG,
    netTotal: Ratio.of(now.net, D),
    premiumsTotal: Ratio.of(premiums, D),
    baseRatePerKg: Ratio.of(now.basePerGramTimesD * 1000n, D),
  };
}
