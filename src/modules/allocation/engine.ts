/**
 * Lumbung allocation engine — pure, synchronous, no I/O.
 *
 * Splits an order (a quantity of green coffee at a minimum grade) across the
 * supply of many smallholders: graded lots in the warehouse (SPOT) and open
 * forward commitments (FORWARD). Every strategy gives lines that sum exactly
 * to the order, never exceed a candidate's usable amount and respect every
 * constraint.
 *
 * ## Units and exactness
 * Every weight is an integer number of grams (`Number.isSafeInteger`). When
 * `constraints.wholeBags` is set the engine works internally in whole 60 kg
 * bags (the "unit", `BAG_G`) and multiplies back on output, so every line is a
 * whole number of bags. Products of weights are compared / divided through
 * `exact-math.ts` (double fast path, BigInt fallback), so no float rounding
 * ever decides an allocation.
 *
 * ## Where each rule is derived (next to the code that implements it)
 * - candidate orders (quality, age) ............ `candQualityCmp`, `candAgeCmp`
 * - eligibility, usable amount .................. `eligibility`
 * - per-producer cap, share cap, minimum ........ `prepare`
 * - exact feasibility (top_K) ................... `feasibility`
 * - infeasible result, binding constraint ....... `infeasibleResult`
 * - PRO_RATA (drop/raise, water-filling) ........ `proRata`, `waterFill`
 * - greedy strategies, minimum contribution ..... `greedyWalk`, `fewestCmp`
 * - what each strategy does ..................... `STRATEGY_BEHAVIOUR`
 * - line reasons (Indonesian, English) .......... `REASON_TEXT`, `Line`
 * - lines and summary (Jain fairness) ........... `planLines`, `summarise`
 *
 * ## Determinism
 * Every sort is a total order ending in a unique id, so shuffled input gives
 * an identical plan. Lines are listed in the strategy's priority order
 * (PRO_RATA: producers by S desc, then quality order within a producer).
 * Input objects are never mutated.
 *
 * ## Complexity
 * O(n log n) in the number of candidates (sorts, Fenwick tree); the
 * infeasible path runs 8 extra O(n log n) passes to name the binding
 * constraint.
 */

import { decimal, kg } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import { BAG_G } from '../../platform/weight.js';
import { cmpMul, cmpStr, mulDivFloor, TopSumTree } from './exact-math.js';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export type Strategy = 'PRO_RATA' | 'QUALITY_FIRST' | 'OLDEST_FIRST' | 'FEWEST_CONTRIBUTORS';
export type SupplyKind = 'SPOT' | 'FORWARD';
export type SupplyMode = 'SPOT_ONLY' | 'FORWARD_ONLY' | 'EITHER';

export interface Candidate {
  /** lot or commitment id (unique) */
  id: string;
  /** SPOT = graded lot, FORWARD = open commitment */
  kind: SupplyKind;
  producerId: string;
  /** lot's current grade rank, or commitment's minimum grade rank (1 = best) */
  gradeRank: number;
  /**
   * The code the brand's scheme gives that grade ('1', '4a', 'SPECIALTY'), used in line reasons.
   * Optional for backwards compatibility: without it a reason can only say "grade rank 2".
   */
  gradeCode?: string;
  /** unallocated grams (>= 0) */
  availableG: number;
  /** harvest end date (lot) or delivery window start (commitment), YYYY-MM-DD */
  date: string;
  regency: string;
  /** every plot of origin has valid EUDR geolocation */
  eudrReady: boolean;
}

export interface Constraints {
  /** every line is a whole multiple of 60 kg (and so the order) */
  wholeBags: boolean;
  /** 0 = none; a producer contributes 0 or at least this much in total */
  minContributionG: number;
  /** max share of the order quantity per producer, 0 < p <= 100 (taken to 4 decimals) */
  maxSharePct: number | null;
  /** allowed regencies (single origin); null = any. Must not be empty. */
  regencies: string[] | null;
  eudrOnly: boolean;
  supply: SupplyMode;
}

export interface OrderSpec {
  quantityG: number;
  minGradeRank: number;
}

export interface PlanLine {
  candidateId: string;
  kind: SupplyKind;
  producerId: string;
  weightG: number;
  /** Why the line gets its weight, in English. */
  readonly reason: string;
}

/**
 * A line of a plan, as the engine returns it: its reason can be read in either language
 * (`reasonIn`). Reasons are rendered when first read, not while planning: a plan of 100,000
 * candidates builds no text at all unless someone reads it, and then only for the lines read.
 */
export interface ExplainedLine extends PlanLine {
  reasonIn(lang: Language): string;
}

export interface PlanSummary {
  /** the order quantity */
  requestedG: number;
  /** Σ line weights; always equal to requestedG in a successful plan */
  allocatedG: number;
  /** number of producers with at least one line */
  contributors: number;
  /** largest per-producer total */
  largestShareG: number;
  /** largestShareG / requestedG · 100, rounded to 4 decimals (display only) */
  largestSharePct: number;
  /** Σ weight from SPOT lots */
  spotG: number;
  /** Σ weight from FORWARD commitments */
  forwardG: number;
  /**
   * Jain's fairness index of the producers' fill ratios r_p = allocated_p /
   * eligible_p, over every producer with eligible supply (after grade,
   * supply-mode, regency, EUDR and whole-bag filtering — including producers
   * who got nothing): J = (Σ r)² / (n · Σ r²), rounded to 4 decimals.
   * J = 1 when every producer ships the same fraction of what they offered
   * (pure pro rata); J = k/n when k of n producers ship the same fraction and
   * the rest nothing; 1/n when a single producer ships everything.
   */
  fairness: number;
  /** 60 000 with whole bags, else 1: the granularity of every line */
  unitG: number;
  /** effective minimum contribution per producer (rounded up to whole bags), 0 = none */
  minContributionG: number;
  /** effective per-producer cap from maxSharePct (rounded down to whole bags), null = none */
  shareCapG: number | null;
  /** number of producers with eligible supply (the population of `fairness`) */
  eligibleProducers: number;
  /**
   * Σ of producers' caps over producers whose cap reaches the minimum
   * contribution: the most that could be shipped if the order were unlimited.
   */
  capacityG: number;
}

export type BindingConstraint =
  | 'GRADE'
  | 'SUPPLY_MODE'
  | 'REGENCY'
  | 'EUDR'
  | 'WHOLE_BAGS'
  | 'MAX_SHARE'
  | 'MIN_CONTRIBUTION'
  | 'SUPPLY';

export type PlanResult =
  | { ok: true; lines: ExplainedLine[]; summary: PlanSummary }
  | {
      ok: false;
      requestedG: number;
      /** largest total a valid plan can allocate without exceeding the order (exact) */
      availableG: number;
      /** requestedG - availableG (> 0) */
      shortfallG: number;
      /** first constraint (in BINDING_ORDER) that makes the order unreachable */
      binding: BindingConstraint;
      /** human-readable explanation (extra field) */
      message: string;
    };

/** One bag of green coffee, in grams (declared once, in platform/weight.ts; re-exported for the engine's callers). */
export { BAG_G };

export const STRATEGIES: readonly Strategy[] = ['PRO_RATA', 'QUALITY_FIRST', 'OLDEST_FIRST', 'FEWEST_CONTRIBUTORS'];
export const SUPPLY_MODES: readonly SupplyMode[] = ['SPOT_ONLY', 'FORWARD_ONLY', 'EITHER'];

/**
 * Order in which constraints are added when naming the binding constraint:
 * the first entry whose addition makes the order unreachable is reported.
 */
export const BINDING_ORDER: readonly BindingConstraint[] = [
  'SUPPLY',
  'GRADE',
  'SUPPLY_MODE',
  'REGENCY',
  'EUDR',
  'WHOLE_BAGS',
  'MAX_SHARE',
  'MIN_CONTRIBUTION',
];

/**
 * Thrown for nonsense input. `field` names the offending input field
 * (`quantityG`, `minGradeRank`, `maxSharePct`, `minContributionG`,
 * `regencies`, `supply`, `wholeBags`, `eudrOnly`, `strategy`, `candidates`).
 */
export class AllocationInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'AllocationInputError';
    this.field = field;
  }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Scaled percentage: round(pct · 10^4), an integer in [1, 10^6]. */
function scaledPct(pct: number): number {
  return Math.round(pct * 1e4);
}

function fail(field: string, message: string): never {
  throw new AllocationInputError(field, message);
}

/**
 * Validate the inputs of `planAllocation`; throws `AllocationInputError` on
 * the first problem found. O(n).
 */
export function validatePlanInput(
  order: OrderSpec,
  candidates: readonly Candidate[],
  strategy: Strategy,
  constraints: Constraints,
): void {
  if (!isPosInt(order.quantityG)) fail('quantityG', 'quantity must be a positive whole number of grams');
  if (!isPosInt(order.minGradeRank)) fail('minGradeRank', 'minimum grade rank must be a positive integer (1 = best)');
  if (!STRATEGIES.includes(strategy)) fail('strategy', `unknown strategy ${String(strategy)}`);
  if (typeof constraints.wholeBags !== 'boolean') fail('wholeBags', 'wholeBags must be a boolean');
  if (typeof constraints.eudrOnly !== 'boolean') fail('eudrOnly', 'eudrOnly must be a boolean');
  if (!SUPPLY_MODES.includes(constraints.supply)) fail('supply', `unknown supply mode ${String(constraints.supply)}`);
  if (constraints.wholeBags && order.quantityG % BAG_G !== 0) {
    fail('quantityG', `with whole bags the quantity must be a multiple of ${BAG_G} g (60 kg)`);
  }
  if (!isNonNegInt(constraints.minContributionG)) {
    fail('minContributionG', 'minimum contribution must be a non-negative whole number of grams');
  }
  const pct = constraints.maxSharePct;
  if (pct !== null) {
    if (typeof pct !== 'number' || !Number.isFinite(pct) || pct <= 0 || pct > 100) {
      fail('maxSharePct', 'max share must be a percentage in (0, 100]');
    } else if (scaledPct(pct) < 1) {
      fail('maxSharePct', 'max share must be at least 0.0001 %');
    }
  }
  const regs = constraints.regencies;
  if (regs !== null) {
    if (!Array.isArray(regs) || regs.length === 0) fail('regencies', 'regencies must be null (any) or a non-empty list');
    for (const r of regs) if (typeof r !== 'string' || r.length === 0) fail('regencies', 'regency names must be non-empty strings');
  }
  if (!Array.isArray(candidates)) fail('candidates', 'candidates must be an array');
  const ids = new IdSet(candidates);
  let total = 0;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as Candidate;
    const problem = candidateProblem(c) ?? (ids.add(i) ? null : 'duplicate candidate id');
    if (problem !== null) fail('candidates', `candidate #${i} (${String((c as Partial<Candidate> | null)?.id)}): ${problem}`);
    total += c.availableG;
  }
  if (!Number.isSafeInteger(total)) fail('candidates', 'total available weight exceeds the safe integer range');
}

/**
 * The candidates' ids seen so far, to find a duplicate: an open-addressing hash
 * table of candidate indices in one Int32Array sized for all of them up front
 * (a `Set<string>` of 100,000 ids grows and rehashes 17 times and leaves its old
 * tables to the garbage collector). Ids are hashed with FNV-1a.
 */
class IdSet {
  readonly #candidates: readonly Candidate[];
  readonly #slots: Int32Array;
  readonly #mask: number;

  constructor(candidates: readonly Candidate[]) {
    let size = 16;
    while (size < candidates.length * 2) size *= 2;
    this.#candidates = candidates;
    this.#slots = new Int32Array(size).fill(-1);
    this.#mask = size - 1;
  }

  /** Add candidate i's id (a validated non-empty string); false when an earlier candidate has the same id. */
  add(i: number): boolean {
    const id = (this.#candidates[i] as Candidate).id;
    let h = 0x811c9dc5;
    for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
    for (let slot = h & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const j = this.#slots[slot] as number;
      if (j === -1) {
        this.#slots[slot] = i;
        return true;
      }
      if ((this.#candidates[j] as Candidate).id === id) return false;
    }
  }
}

function candidateProblem(c: Candidate): string | null {
  if (typeof c !== 'object' || c === null) return 'not an object';
  if (typeof c.id !== 'string' || c.id.length === 0) return 'id must be a non-empty string';
  if (c.kind !== 'SPOT' && c.kind !== 'FORWARD') return 'kind must be SPOT or FORWARD';
  if (typeof c.producerId !== 'string' || c.producerId.length === 0) return 'producerId must be a non-empty string';
  if (!isPosInt(c.gradeRank)) return 'gradeRank must be a positive integer';
  if (c.gradeCode !== undefined && (typeof c.gradeCode !== 'string' || c.gradeCode.length === 0)) {
    return 'gradeCode must be a non-empty string when given';
  }
  if (!isNonNegInt(c.availableG)) return 'availableG must be a non-negative whole number of grams';
  if (typeof c.date !== 'string' || !DATE_RE.test(c.date)) return 'date must be YYYY-MM-DD';
  if (typeof c.regency !== 'string') return 'regency must be a string';
  if (typeof c.eudrReady !== 'boolean') return 'eudrReady must be a boolean';
  return null;
}

// ---------------------------------------------------------------------------
// Formatting helpers (reasons)
// ---------------------------------------------------------------------------

/** 19200000 → "19,200 kg"; 1234500 → "1,234.5 kg"; 15 → "0.015 kg" (English; platform/format.ts for both languages). */
export function formatKg(grams: number): string {
  return kg(grams, 'en');
}

/** Percentage with at most 2 decimals, trailing zeros trimmed, in the language's decimal mark: "28.57" / "28,57". */
function formatPct(part: number, whole: number, lang: Language): string {
  const v = Math.round((part / whole) * 10_000) / 100;
  return decimal(v, lang);
}

// ---------------------------------------------------------------------------
// Internal model
// ---------------------------------------------------------------------------

interface Prod {
  readonly id: string;
  /** eligible candidates, sorted in the order they are filled */
  cands: Cand[];
  /** Σ usable (units) */
  S: number;
  /** Σ usable of SPOT candidates (units) */
  spotU: number;
  /** min(S, share cap) (units) */
  cap: number;
  /** rank in capacity order (viable producers only) */
  rank: number;
  /** allocated (units) */
  x: number;
  /** 0 undecided, 1 admitted, 2 skipped (greedy walk) */
  state: 0 | 1 | 2;
  /** units added to reach the minimum contribution (greedy) or held at the minimum (pro rata) */
  raised: boolean;
  /** 1-based position among the contributors in line order; 0 = not (yet) counted */
  contributor: number;
  /** cached producer-level part of the line reasons, per language (rendered when a reason is first read) */
  noteEn: string | null;
  noteId: string | null;
  /** remainder of the largest-remainder apportionment (water-filling, middle producers) */
  rem: number;
}

interface Cand {
  readonly src: Candidate;
  readonly prod: Prod;
  /** src.id (copied for monomorphic, pointer-free sorting) */
  readonly id: string;
  /** src.gradeRank */
  readonly g: number;
  /** src.date as the integer YYYYMMDD (same order as the string) */
  readonly d: number;
  /** 0 = SPOT, 1 = FORWARD */
  readonly kb: number;
  /** usable amount (units) */
  readonly usable: number;
  /** allocated (units) */
  take: number;
}

interface Ctx {
  readonly order: OrderSpec;
  readonly constraints: Constraints;
  /** grams per unit */
  readonly u: number;
  /** order quantity (units) */
  readonly Q: number;
  /** minimum contribution (units), 0 = none */
  readonly m: number;
  /** share cap (units); when there is no max share: Σ usable of everything (never binds) */
  readonly C: number;
  readonly hasShareCap: boolean;
  /** producers with eligible supply, in input order */
  readonly prods: Prod[];
}

// ---------------------------------------------------------------------------
// Candidate orders
// ---------------------------------------------------------------------------
//
// Spot before forward is a tie-break only: a graded lot in the warehouse is
// lower-risk than a commitment of the same grade and date.

/** Quality order: grade rank asc, date asc (oldest first), SPOT before FORWARD, id asc. */
function candQualityCmp(a: Cand, b: Cand): number {
  return a.g - b.g || a.d - b.d || a.kb - b.kb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Age order: date asc, grade rank asc, SPOT before FORWARD, id asc. */
function candAgeCmp(a: Cand, b: Cand): number {
  return a.d - b.d || a.g - b.g || a.kb - b.kb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** 'YYYY-MM-DD' → YYYYMMDD (validated format). */
function dateKey(date: string): number {
  let v = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    v = v * 10 + (date.charCodeAt(i) - 48);
  }
  return v;
}

/** Capacity order used for feasibility and pro rata: S desc (hence cap desc), producerId asc. */
function supplyDescCmp(a: Prod, b: Prod): number {
  return b.S - a.S || cmpStr(a.id, b.id);
}

// ---------------------------------------------------------------------------
// Eligibility and per-producer bounds
// ---------------------------------------------------------------------------

/**
 * Which constraints apply. A plan applies all of them (`ALL_ACTIVE`); naming
 * the binding constraint adds them one at a time (`infeasibleResult`). A
 * constraint switched off in the input changes nothing whether active or not.
 */
interface ActiveSet {
  grade: boolean;
  supplyMode: boolean;
  regency: boolean;
  eudr: boolean;
  wholeBags: boolean;
  maxShare: boolean;
  minContribution: boolean;
}

const ALL_ACTIVE: Readonly<ActiveSet> = {
  grade: true,
  supplyMode: true,
  regency: true,
  eudr: true,
  wholeBags: true,
  maxShare: true,
  minContribution: true,
};

function supplyModeOk(kind: SupplyKind, mode: SupplyMode): boolean {
  return mode === 'EITHER' || (mode === 'SPOT_ONLY' ? kind === 'SPOT' : kind === 'FORWARD');
}

/**
 * The one eligibility rule, used both to plan and to name the binding
 * constraint (so the two cannot disagree). A candidate is eligible when its
 * grade rank is at most the order's minimum, its kind fits the supply mode,
 * its regency is allowed and, with EUDR only, its plots are geolocated.
 * `usable(c)` is then availableG in units — floor(availableG / 60 000) with
 * whole bags — and 0 for an ineligible candidate (or one with nothing usable).
 */
function eligibility(
  order: OrderSpec,
  constraints: Constraints,
  active: Readonly<ActiveSet>,
): { u: number; usable: (c: Candidate) => number } {
  const u = active.wholeBags && constraints.wholeBags ? BAG_G : 1;
  const maxRank = active.grade ? order.minGradeRank : Infinity;
  const mode: SupplyMode = active.supplyMode ? constraints.supply : 'EITHER';
  const regencies = active.regency && constraints.regencies !== null ? new Set(constraints.regencies) : null;
  const eudrOnly = active.eudr && constraints.eudrOnly;
  const usable = (c: Candidate): number => {
    if (c.gradeRank > maxRank) return 0;
    if (!supplyModeOk(c.kind, mode)) return 0;
    if (regencies !== null && !regencies.has(c.regency)) return 0;
    if (eudrOnly && !c.eudrReady) return 0;
    return u === 1 ? c.availableG : Math.floor(c.availableG / u);
  };
  return { u, usable };
}

/** Share cap in grams: floor(round(pct·10^4) · Q / 10^6). */
function shareCapGrams(pct: number, quantityG: number): number {
  return mulDivFloor(scaledPct(pct), quantityG, 1_000_000)[0];
}

/**
 * Group the eligible candidates by producer and derive each producer's bounds:
 * - S(producer) = Σ usable of their eligible candidates;
 * - cap(producer) = min(S, share cap), share cap = floor(P·Q / 10^6) grams with
 *   P = round(maxSharePct·10^4) (the percentage is taken to 4 decimals: 12.5 %
 *   of 19 200 000 g is exactly 2 400 000 g), rounded down to whole bags when
 *   whole bags;
 * - min(producer) = m = ceil(minContributionG / unit): a producer contributes 0
 *   or at least this much in total. Producers whose cap is below it can never
 *   contribute ("non-viable", see `feasibility`).
 */
function prepare(
  order: OrderSpec,
  candidates: readonly Candidate[],
  constraints: Constraints,
  active: Readonly<ActiveSet>,
): Ctx {
  const { u, usable: usableOf } = eligibility(order, constraints, active);
  const Q = order.quantityG / u; // integral: validated (multiple of a bag when whole bags)
  const m = active.minContribution ? Math.ceil(constraints.minContributionG / u) : 0;
  const byId = new Map<string, Prod>();
  const prods: Prod[] = [];
  let total = 0;
  for (const c of candidates) {
    const usable = usableOf(c);
    if (usable <= 0) continue;
    let p = byId.get(c.producerId);
    if (p === undefined) {
      p = {
        id: c.producerId,
        cands: [],
        S: 0,
        spotU: 0,
        cap: 0,
        rank: -1,
        x: 0,
        state: 0,
        raised: false,
        contributor: 0,
        noteEn: null,
        noteId: null,
        rem: 0,
      };
      byId.set(c.producerId, p);
      prods.push(p);
    }
    p.cands.push({
      src: c,
      prod: p,
      id: c.id,
      g: c.gradeRank,
      d: dateKey(c.date),
      kb: c.kind === 'SPOT' ? 0 : 1,
      usable,
      take: 0,
    });
    p.S += usable;
    if (c.kind === 'SPOT') p.spotU += usable;
    total += usable;
  }
  const hasShareCap = active.maxShare && constraints.maxSharePct !== null;
  const C = hasShareCap ? Math.floor(shareCapGrams(constraints.maxSharePct as number, order.quantityG) / u) : total;
  for (const p of prods) p.cap = Math.min(p.S, C);
  return { order, constraints, u, Q, m, C, hasShareCap, prods };
}

// ---------------------------------------------------------------------------
// Feasibility (exact)
// ---------------------------------------------------------------------------

interface Feasibility {
  /** producers whose cap reaches max(m, 1), by S desc; `rank` set to the index */
  viable: Prod[];
  /** Σ cap of the viable producers (units): what an unlimited order could get */
  capacity: number;
  /** the most producers a plan can use: min(#viable, floor(Q / m)), #viable without a minimum */
  K: number;
  /** top_K: Σ of the K largest caps (units) */
  top: number;
}

/**
 * A contributing set T of producers can ship exactly any total in
 * [|T|·m, Σ_T cap] (each producer anywhere in [m, cap], candidates split at
 * unit granularity). So the achievable totals are ⋃_k [k·m, top_k], where
 * top_k is the sum of the k largest caps. Both ends grow with k, hence:
 *   Q is achievable ⇔ top_K ≥ Q with K = min(#viable, floor(Q / m))
 * (K = #viable when there is no minimum). Equivalently: the fewest producers
 * whose largest caps reach Q must number at most Q / m. The largest
 * achievable total not exceeding Q is min(top_K, Q).
 */
function feasibility(ctx: Ctx): Feasibility {
  const { Q, m } = ctx;
  const viable = ctx.prods.filter((p) => p.cap >= Math.max(m, 1));
  viable.sort(supplyDescCmp);
  let capacity = 0;
  for (let i = 0; i < viable.length; i++) {
    const p = viable[i] as Prod;
    p.rank = i;
    capacity += p.cap;
  }
  const K = m > 0 ? Math.min(viable.length, Math.floor(Q / m)) : viable.length;
  let top = 0;
  for (let i = 0; i < K; i++) top += (viable[i] as Prod).cap;
  return { viable, capacity, K, top };
}

/**
 * Largest total (grams) a valid plan could allocate without exceeding the
 * order, with only the `active` constraints applied: min(top_K, Q).
 */
function maxAllocatableG(
  order: OrderSpec,
  candidates: readonly Candidate[],
  constraints: Constraints,
  active: Readonly<ActiveSet>,
): number {
  const ctx = prepare(order, candidates, constraints, active);
  return Math.min(feasibility(ctx).top, ctx.Q) * ctx.u;
}

// ---------------------------------------------------------------------------
// Infeasible result
// ---------------------------------------------------------------------------

/** The `ActiveSet` switch each entry of `BINDING_ORDER` turns on (SUPPLY: none). */
const ACTIVATES: Record<BindingConstraint, keyof ActiveSet | null> = {
  SUPPLY: null,
  GRADE: 'grade',
  SUPPLY_MODE: 'supplyMode',
  REGENCY: 'regency',
  EUDR: 'eudr',
  WHOLE_BAGS: 'wholeBags',
  MAX_SHARE: 'maxShare',
  MIN_CONTRIBUTION: 'minContribution',
};

/**
 * `availableG` = the largest total a valid plan could allocate without
 * exceeding the order (exact, see `feasibility`). When supply is plainly short
 * this is simply the sum of all caps; when supply exceeds Q but the minimum
 * contribution makes Q unreachable (too few producers can be used, e.g. Q =
 * 1 000 kg, min 600 kg, every cap 900 kg) it is top_K (900 kg) and
 * `binding = 'MIN_CONTRIBUTION'`. `shortfallG = requestedG - availableG > 0`.
 *
 * `binding` is found by adding constraints one at a time, in the order of
 * `BINDING_ORDER` (SUPPLY = everything offered with availableG > 0, then
 * GRADE, SUPPLY_MODE, REGENCY, EUDR, WHOLE_BAGS, MAX_SHARE, MIN_CONTRIBUTION),
 * and naming the first one after which the order can no longer be met.
 * 'SUPPLY' means even the unconstrained supply is short. Each step runs the
 * same eligibility and feasibility code as the plan itself.
 */
function infeasibleResult(
  order: OrderSpec,
  candidates: readonly Candidate[],
  constraints: Constraints,
  availableG: number,
): PlanResult {
  const active: ActiveSet = {
    grade: false,
    supplyMode: false,
    regency: false,
    eudr: false,
    wholeBags: false,
    maxShare: false,
    minContribution: false,
  };
  let binding: BindingConstraint = 'MIN_CONTRIBUTION';
  for (const b of BINDING_ORDER) {
    const key = ACTIVATES[b];
    if (key !== null) active[key] = true;
    if (maxAllocatableG(order, candidates, constraints, active) < order.quantityG) {
      binding = b;
      break;
    }
  }
  const requestedG = order.quantityG;
  const shortfallG = requestedG - availableG;
  return {
    ok: false,
    requestedG,
    availableG,
    shortfallG,
    binding,
    message:
      `only ${formatKg(availableG)} of the ${formatKg(requestedG)} order can be allocated ` +
      `(short ${formatKg(shortfallG)}); binding constraint: ${binding}`,
  };
}

// ---------------------------------------------------------------------------
// PRO_RATA
// ---------------------------------------------------------------------------

/**
 * Producers share the order in proportion to their eligible available weight
 * S_p = Σ usable (their cap when no max share applies), clipped at the
 * max-share cap by water-filling (`waterFill`). So a producer with 10 t gets
 * 10× the share of one with 1 t until it hits the cap, and what it cannot take
 * is spread over the others in the same proportions.
 *
 * Minimum contribution — DROP first, RAISE if needed: producers are ranked by
 * S (desc, then producerId, = `viable`) and the plan uses the largest j of
 * them, j being the largest count for which even the smallest gets ≥ m under
 * plain proportional shares — but never fewer than k*, the fewest producers
 * whose caps cover Q. If even those k* leave someone below the minimum, that
 * producer is RAISED to (held at) the minimum and the others scaled down (the
 * lower clamp of the water-filling). Sets `x` of every producer that
 * contributes; their candidates are then filled in quality order.
 */
function proRata(ctx: Ctx, viable: Prod[]): void {
  const { Q, m, C } = ctx;
  const n = viable.length;
  let j = n;
  if (m > 0) {
    // k*: fewest top producers covering Q (exists: feasibility was checked).
    let acc = 0;
    let k = 0;
    while (acc < Q) acc += (viable[k++] as Prod).cap;
    // prefix sums of S
    const PS = new Array<number>(n + 1);
    PS[0] = 0;
    for (let i = 0; i < n; i++) PS[i + 1] = (PS[i] as number) + (viable[i] as Prod).S;
    // B(jj): in pro rata over the top jj producers, the smallest share reaches m.
    //   ⇔ g(m/S_jj) ≤ Q with g(f) = Σ_{i<jj} min(f·S_i, cap_i)
    //   ⇔ c·C·S_jj + m·Σ_{c≤i<jj} S_i ≤ Q·S_jj, c = #{i : m·S_i ≥ C·S_jj}
    // (c is non-decreasing in jj, so a single pointer suffices; B is monotone.)
    let c = 0;
    const B = (jj: number): boolean => {
      const Sj = (viable[jj - 1] as Prod).S;
      while (c < jj && cmpMul(m, (viable[c] as Prod).S, C, Sj) >= 0) c++;
      const rhs = Q - c * C;
      if (rhs < 0) return false;
      return cmpMul(m, (PS[jj] as number) - (PS[c] as number), Sj, rhs) <= 0;
    };
    j = k;
    if (B(k)) while (j < n && B(j + 1)) j++;
  }
  waterFill(viable.slice(0, j), Q, m);
}

/**
 * Find the level f with Σ clamp(f·S_i, m, cap_i) = Q over `P` (sorted by S
 * desc, with m ≤ cap_i, |P|·m ≤ Q ≤ Σ cap; f is an exact rational) and
 * apportion the real-valued shares to whole units by the largest-remainder
 * (Hamilton) method, ties by producerId. Sets `x` and `raised`.
 *
 * Breakpoints: i leaves the lower clamp at l_i = m/S_i and enters the upper
 * clamp at u_i = cap_i/S_i; both sequences are non-decreasing in i, so the
 * events are a merge of two sorted lists, evaluated exactly.
 */
function waterFill(P: Prod[], Q: number, m: number): void {
  const j = P.length;
  let li = 0; // producers [0, li) have left the lower clamp
  let ui = 0; // producers [0, ui) are at their cap
  let Lsum = j * m;
  let Ucap = 0;
  let Msum = 0;
  if (Lsum !== Q) {
    for (;;) {
      if (li >= j && ui >= j) throw new Error('allocation engine: water-filling found no level (bug)');
      const pu = P[ui];
      const pl = P[li];
      // next event: l_li = m/S_li vs u_ui = cap_ui/S_ui (lower events first on ties)
      const isL = pl !== undefined && (pu === undefined || cmpMul(m, pu.S, pu.cap, pl.S) <= 0);
      const num = isL ? m : (pu as Prod).cap;
      const den = isL ? (pl as Prod).S : (pu as Prod).S;
      const R = Q - Lsum - Ucap;
      // g(v) = Lsum + Ucap + v·Msum ≥ Q ⇔ num·Msum ≥ R·den
      if (Msum > 0 && cmpMul(num, Msum, R, den) >= 0) break;
      if (isL) {
        Lsum -= m;
        Msum += (pl as Prod).S;
        li++;
      } else {
        Msum -= (pu as Prod).S;
        Ucap += (pu as Prod).cap;
        ui++;
      }
    }
  }
  for (let i = 0; i < ui; i++) (P[i] as Prod).x = (P[i] as Prod).cap;
  for (let i = li; i < j; i++) {
    const p = P[i] as Prod;
    p.x = m;
    p.raised = m > 0;
  }
  if (li > ui) {
    const R = Q - Lsum - Ucap;
    let floorSum = 0;
    for (let i = ui; i < li; i++) {
      const p = P[i] as Prod;
      const [q, r] = mulDivFloor(p.S, R, Msum);
      p.x = q;
      p.rem = r;
      floorSum += q;
    }
    const left = R - floorSum; // < li - ui: the fractional parts sum to it
    if (left > 0) {
      const middle = P.slice(ui, li);
      middle.sort((a, b) => b.rem - a.rem || cmpStr(a.id, b.id));
      for (let i = 0; i < left; i++) (middle[i] as Prod).x++;
    }
  }
}

/** Fill each contributing producer's candidates (already in fill order) up to x. */
function fillWithinProducers(prods: readonly Prod[]): void {
  for (const p of prods) {
    let rest = p.x;
    for (const c of p.cands) {
      if (rest === 0) break;
      const t = Math.min(c.usable, rest);
      c.take = t;
      rest -= t;
    }
  }
}

// ---------------------------------------------------------------------------
// Greedy walk (QUALITY_FIRST, OLDEST_FIRST, FEWEST_CONTRIBUTORS)
// ---------------------------------------------------------------------------

/**
 * Walk `seq` (all candidates of viable producers, in priority order), each
 * taking min(usable, producer cap headroom, remaining Q). `cmp` is the order
 * of `seq`. Sets `take` and `x`.
 *
 * Minimum contribution: the walk admits a producer at its first candidate only
 * if the order can still be completed with at most K producers (checked
 * exactly with a Fenwick tree of caps, `TopSumTree`); otherwise the producer
 * is skipped entirely. After the walk, an admitted producer left below the
 * minimum (typically the last one, which got the remainder) is topped up to
 * the minimum from its own next candidates, and the same weight is given back
 * by the lowest-priority allocations of producers above the minimum. This
 * always succeeds when the order is feasible.
 */
function greedyWalk(ctx: Ctx, seq: Cand[], viable: Prod[], K: number, cmp: (a: Cand, b: Cand) => number): void {
  const { Q, m } = ctx;
  const tree = m > 0 ? new TopSumTree(viable.map((p) => p.cap)) : null;
  let admitted = 0;
  let admittedCap = 0;
  let total = 0;
  const members: Prod[] = [];
  for (let i = 0; i < seq.length && total < Q; i++) {
    const c = seq[i] as Cand;
    const p = c.prod;
    if (p.state === 0) {
      if (tree !== null) {
        tree.remove(p.rank, p.cap);
        const ok = admittedCap + p.cap + tree.topSum(K - admitted - 1) >= Q;
        p.state = ok ? 1 : 2;
      } else {
        p.state = 1;
      }
      if (p.state === 1) {
        admitted++;
        admittedCap += p.cap;
        members.push(p);
      }
    }
    if (p.state !== 1) continue;
    const take = Math.min(c.usable, p.cap - p.x, Q - total);
    if (take > 0) {
      c.take = take;
      p.x += take;
      total += take;
    }
  }
  if (total !== Q) throw new Error('allocation engine: greedy walk fell short (bug)');
  if (m === 0) return;
  // Top up admitted producers below the minimum from their own next candidates.
  let deficit = 0;
  for (const p of members) {
    if (p.x >= m) continue;
    let need = m - p.x;
    deficit += need;
    p.raised = true;
    // the producer's candidates in walk order: continue where the walk stopped
    p.cands.sort(cmp);
    for (const c of p.cands) {
      if (need === 0) break;
      const add = Math.min(c.usable - c.take, need);
      if (add > 0) {
        c.take += add;
        need -= add;
      }
    }
    if (need !== 0) throw new Error('allocation engine: top-up impossible (bug)');
    p.x = m;
  }
  // Give the same weight back from the lowest-priority allocations above the minimum.
  for (let i = seq.length - 1; i >= 0 && deficit > 0; i--) {
    const c = seq[i] as Cand;
    const p = c.prod;
    if (c.take === 0 || p.x <= m) continue;
    const r = Math.min(c.take, p.x - m, deficit);
    c.take -= r;
    p.x -= r;
    deficit -= r;
  }
  if (deficit !== 0) throw new Error('allocation engine: rebalancing failed (bug)');
}

/**
 * FEWEST_CONTRIBUTORS order of producers: cap desc (ties: more spot weight
 * within the cap — spot before forward —, then larger supply S, then
 * producerId). Filling each producer up to its cap in this order uses the
 * minimum possible number of producers (k*, also with a minimum).
 */
function fewestCmp(a: Prod, b: Prod): number {
  return (
    b.cap - a.cap ||
    Math.min(b.spotU, b.cap) - Math.min(a.spotU, a.cap) ||
    b.S - a.S ||
    cmpStr(a.id, b.id)
  );
}

/** Every candidate of `prods`, producer after producer, each producer's in its current order. */
function candidatesOf(prods: readonly Prod[]): Cand[] {
  const seq: Cand[] = [];
  for (const p of prods) for (const c of p.cands) seq.push(c);
  return seq;
}

/** QUALITY_FIRST / OLDEST_FIRST: greedy over all candidates in one order. */
function greedyOverCandidates(cmp: (a: Cand, b: Cand) => number): StrategyBehaviour['fill'] {
  return (ctx, { viable, K }) => {
    const seq = candidatesOf(viable);
    seq.sort(cmp);
    greedyWalk(ctx, seq, viable, K, cmp);
    return seq;
  };
}

// ---------------------------------------------------------------------------
// Strategies: what each one does, and how its lines are explained
// ---------------------------------------------------------------------------

interface StrategyBehaviour {
  /**
   * Allocate: set `take` of candidates and `x` of producers so that the takes
   * sum to Q. Returns the candidates of the producers that may have a line, in
   * line order (= fill priority).
   */
  fill(ctx: Ctx, f: Feasibility): Cand[];
}

const STRATEGY_BEHAVIOUR: Readonly<Record<Strategy, StrategyBehaviour>> = {
  PRO_RATA: {
    fill(ctx, { viable }) {
      for (const p of viable) p.cands.sort(candQualityCmp);
      proRata(ctx, viable);
      fillWithinProducers(viable);
      // only producers with a share can have lines: no list of every candidate
      return candidatesOf(viable.filter((p) => p.x > 0));
    },
  },
  QUALITY_FIRST: { fill: greedyOverCandidates(candQualityCmp) },
  OLDEST_FIRST: { fill: greedyOverCandidates(candAgeCmp) },
  FEWEST_CONTRIBUTORS: {
    fill(ctx, { viable, K }) {
      for (const p of viable) p.cands.sort(candQualityCmp);
      const seq = candidatesOf(viable.slice().sort(fewestCmp));
      greedyWalk(ctx, seq, viable, K, candQualityCmp);
      return seq;
    },
  },
};

// ---------------------------------------------------------------------------
// Line reasons, in Indonesian and English
// ---------------------------------------------------------------------------
//
// A reason is the producer's part (its share and the caps that applied; the
// same for each of its lines) and the candidate's part (grade, lot or
// commitment, date), joined as the strategy says. Grades are named by the
// scheme's code ("grade 1", "mutu SPECIALTY"). Weights and percentages are
// formatted for the language (platform/format.ts); dates stay ISO.
//
// The texts are rendered only when a line's reason is read (`Line`), so
// planning itself builds no strings. Typed as Record<Language, …>: a missing
// language or sentence fails the type check.

/** What a producer's note says, from the plan's figures (every weight in grams). */
interface NoteFacts {
  strategy: Strategy;
  /** the producer's total in the plan, its eligible supply S and its cap, in grams */
  shipsG: number;
  eligibleG: number;
  capG: number;
  /** the order (grams) */
  orderG: number;
  /** the share cap (grams) and the max share (%) when a max share applies */
  shareCapG: number | null;
  maxSharePct: number | null;
  /** the producer shipped exactly the share cap and had more */
  atShareCap: boolean;
  /** the producer has more eligible supply than the share cap */
  aboveShareCap: boolean;
  /** held at (pro rata) or topped up to (greedy) the minimum contribution */
  raised: boolean;
  minContributionG: number;
  /** 1-based position among the contributors in line order, and their number */
  contributorIndex: number;
  contributors: number;
}

interface ReasonText {
  /** "grade 1", "grade SPECIALTY"; "grade rank 2" when no code was given */
  grade(c: Candidate): string;
  /** the candidate's part */
  candidate(c: Candidate): string;
  /** the producer's part */
  note(f: NoteFacts): string;
  /** the whole reason from the two parts */
  join(strategy: Strategy, what: string, note: string): string;
}

const pctText = (pct: number, lang: Language): string => decimal(pct, lang);

const REASON_TEXT: Readonly<Record<Language, ReasonText>> = {
  en: {
    grade: (c) => (c.gradeCode !== undefined ? `grade ${c.gradeCode}` : `grade rank ${c.gradeRank}`),
    candidate(c) {
      return c.kind === 'SPOT'
        ? `${this.grade(c)} lot harvested ${c.date}`
        : `forward commitment (min ${this.grade(c)}) delivering from ${c.date}`;
    },
    note(f) {
      const share = f.maxSharePct === null ? '' : pctText(f.maxSharePct, 'en');
      const min = kg(f.minContributionG, 'en');
      switch (f.strategy) {
        case 'PRO_RATA': {
          const capNote =
            f.shareCapG === null ? '' : f.atShareCap ? `, capped at ${kg(f.shareCapG, 'en')} by max share ${share}%` : `, cap ${kg(f.shareCapG, 'en')} by max share ${share}%`;
          const minNote = f.raised ? `, held at the ${min} minimum contribution` : '';
          return (
            `pro-rata share ${formatPct(f.shipsG, f.orderG, 'en')}% of ${kg(f.orderG, 'en')} ` +
            `(producer ships ${kg(f.shipsG, 'en')} of ${kg(f.eligibleG, 'en')} eligible${capNote}${minNote})`
          );
        }
        case 'FEWEST_CONTRIBUTORS': {
          const capNote = f.shareCapG !== null && f.aboveShareCap ? ` by max share ${share}%` : '';
          const minNote = f.raised ? `, topped up to the ${min} minimum contribution` : '';
          return (
            `producer ${f.contributorIndex} of ${f.contributors} taken by largest capacity ` +
            `(ships ${kg(f.shipsG, 'en')} of cap ${kg(f.capG, 'en')}${capNote}${minNote}) to keep contributors few`
          );
        }
        default: {
          const capNote = f.shareCapG !== null && f.atShareCap ? `; producer capped at ${kg(f.shareCapG, 'en')} by max share ${share}%` : '';
          return capNote + (f.raised ? `; producer topped up to the ${min} minimum contribution` : '');
        }
      }
    },
    join(strategy, what, note) {
      switch (strategy) {
        case 'PRO_RATA':
          return `${note}; ${what}, filled best grade and oldest first`;
        case 'QUALITY_FIRST':
          return `${what}, filled before lower grades and younger supply${note}`;
        case 'OLDEST_FIRST':
          return `${what}, filled oldest first${note}`;
        case 'FEWEST_CONTRIBUTORS':
          return `${note}; ${what}`;
      }
    },
  },
  id: {
    grade: (c) => (c.gradeCode !== undefined ? `mutu ${c.gradeCode}` : `peringkat mutu ${c.gradeRank}`),
    candidate(c) {
      return c.kind === 'SPOT'
        ? `lot ${this.grade(c)} dipanen ${c.date}`
        : `komitmen ke depan (minimal ${this.grade(c)}) dikirim mulai ${c.date}`;
    },
    note(f) {
      const share = f.maxSharePct === null ? '' : pctText(f.maxSharePct, 'id');
      const min = kg(f.minContributionG, 'id');
      switch (f.strategy) {
        case 'PRO_RATA': {
          const capNote =
            f.shareCapG === null
              ? ''
              : f.atShareCap
                ? `, mentok di batas ${kg(f.shareCapG, 'id')} karena pangsa maksimum ${share}%`
                : `, batas ${kg(f.shareCapG, 'id')} karena pangsa maksimum ${share}%`;
          const minNote = f.raised ? `, ditahan pada kontribusi minimum ${min}` : '';
          return (
            `bagian pro-rata ${formatPct(f.shipsG, f.orderG, 'id')}% dari ${kg(f.orderG, 'id')} ` +
            `(produsen mengirim ${kg(f.shipsG, 'id')} dari ${kg(f.eligibleG, 'id')} pasokan yang memenuhi syarat${capNote}${minNote})`
          );
        }
        case 'FEWEST_CONTRIBUTORS': {
          const capNote = f.shareCapG !== null && f.aboveShareCap ? ` karena pangsa maksimum ${share}%` : '';
          const minNote = f.raised ? `, ditambah hingga kontribusi minimum ${min}` : '';
          return (
            `produsen ke-${f.contributorIndex} dari ${f.contributors}, dipilih karena kapasitasnya terbesar ` +
            `(mengirim ${kg(f.shipsG, 'id')} dari batas ${kg(f.capG, 'id')}${capNote}${minNote}) agar pemasoknya tetap sedikit`
          );
        }
        default: {
          const capNote =
            f.shareCapG !== null && f.atShareCap ? `; produsen mentok di batas ${kg(f.shareCapG, 'id')} karena pangsa maksimum ${share}%` : '';
          return capNote + (f.raised ? `; produsen ditambah hingga kontribusi minimum ${min}` : '');
        }
      }
    },
    join(strategy, what, note) {
      switch (strategy) {
        case 'PRO_RATA':
          return `${note}; ${what}, diisi mutu terbaik dan terlama lebih dulu`;
        case 'QUALITY_FIRST':
          return `${what}, diisi sebelum mutu yang lebih rendah dan pasokan yang lebih baru${note}`;
        case 'OLDEST_FIRST':
          return `${what}, diisi dari yang terlama${note}`;
        case 'FEWEST_CONTRIBUTORS':
          return `${note}; ${what}`;
      }
    },
  },
};

/** The producer's facts for its note (read only once the plan is final). */
function noteFacts(ctx: Ctx, strategy: Strategy, p: Prod, contributors: number): NoteFacts {
  const { u } = ctx;
  const pct = ctx.hasShareCap ? ctx.constraints.maxSharePct : null;
  return {
    strategy,
    shipsG: p.x * u,
    eligibleG: p.S * u,
    capG: p.cap * u,
    orderG: ctx.Q * u,
    shareCapG: ctx.hasShareCap ? ctx.C * u : null,
    maxSharePct: pct,
    atShareCap: ctx.hasShareCap && p.x === ctx.C && p.S > ctx.C,
    aboveShareCap: ctx.hasShareCap && p.S > ctx.C,
    raised: p.raised,
    minContributionG: ctx.m * u,
    contributorIndex: p.contributor,
    contributors,
  };
}

/**
 * A line of a successful plan. Holds the engine's final figures of its
 * candidate and producer and renders the reason on first read, per language
 * (the producer's note once per producer and language). The plan's internal
 * model stays reachable from its lines as long as they are; it is no longer
 * changed once the plan is returned.
 */
class Line implements ExplainedLine {
  readonly candidateId: string;
  readonly kind: SupplyKind;
  readonly producerId: string;
  readonly weightG: number;
  readonly #c: Cand;
  readonly #plan: LinePlan;
  #en: string | null = null;

  constructor(c: Cand, plan: LinePlan) {
    this.candidateId = c.src.id;
    this.kind = c.src.kind;
    this.producerId = c.prod.id;
    this.weightG = c.take * plan.ctx.u;
    this.#c = c;
    this.#plan = plan;
  }

  get reason(): string {
    return (this.#en ??= this.reasonIn('en'));
  }

  reasonIn(lang: Language): string {
    const { ctx, strategy, contributors } = this.#plan;
    const p = this.#c.prod;
    const text = REASON_TEXT[lang];
    let note = lang === 'id' ? p.noteId : p.noteEn;
    if (note === null) {
      note = text.note(noteFacts(ctx, strategy, p, contributors));
      if (lang === 'id') p.noteId = note;
      else p.noteEn = note;
    }
    return text.join(strategy, text.candidate(this.#c.src), note);
  }
}

/** What the lines of one plan share. */
interface LinePlan {
  readonly ctx: Ctx;
  readonly strategy: Strategy;
  readonly contributors: number;
}

/**
 * One line per candidate that got weight, in `seq` order (reasons rendered
 * when read). Also numbers the contributing producers in line order.
 */
function planLines(ctx: Ctx, strategy: Strategy, seq: readonly Cand[]): { lines: ExplainedLine[]; contributors: Prod[] } {
  const contributors: Prod[] = [];
  for (const c of seq) {
    if (c.take > 0 && c.prod.contributor === 0) {
      contributors.push(c.prod);
      c.prod.contributor = contributors.length;
    }
  }
  const plan: LinePlan = { ctx, strategy, contributors: contributors.length };
  const lines: ExplainedLine[] = [];
  for (const c of seq) if (c.take > 0) lines.push(new Line(c, plan));
  return { lines, contributors };
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/**
 * Totals of a plan. Fairness is Jain's index of the producers' fill ratios
 * r_p = allocated_p / eligible_p over every producer with eligible supply
 * (including those who got nothing): J = (Σ r)² / (n · Σ r²).
 */
function summarise(ctx: Ctx, lines: readonly ExplainedLine[], contributors: readonly Prod[], capacity: number): PlanSummary {
  const { u } = ctx;
  let spotG = 0;
  let forwardG = 0;
  for (const l of lines) {
    if (l.kind === 'SPOT') spotG += l.weightG;
    else forwardG += l.weightG;
  }
  const allocated = spotG + forwardG;
  if (allocated !== ctx.order.quantityG) throw new Error('allocation engine: lines do not sum to the order (bug)');
  let largest = 0;
  for (const p of contributors) if (p.x > largest) largest = p.x;
  let sumR = 0;
  let sumR2 = 0;
  for (const p of ctx.prods) {
    const r = p.x / p.S;
    sumR += r;
    sumR2 += r * r;
  }
  const nElig = ctx.prods.length;
  const largestShareG = largest * u;
  return {
    requestedG: ctx.order.quantityG,
    allocatedG: allocated,
    contributors: contributors.length,
    largestShareG,
    largestSharePct: round4((largestShareG / ctx.order.quantityG) * 100),
    spotG,
    forwardG,
    fairness: sumR2 > 0 ? round4((sumR * sumR) / (nElig * sumR2)) : 0,
    unitG: u,
    minContributionG: ctx.m * u,
    shareCapG: ctx.hasShareCap ? ctx.C * u : null,
    eligibleProducers: nElig,
    capacityG: capacity * u,
  };
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

/**
 * Plan an allocation. Pure and deterministic; throws `AllocationInputError`
 * for nonsense input. See the module documentation for the semantics.
 */
export function planAllocation(
  order: OrderSpec,
  candidates: readonly Candidate[],
  strategy: Strategy,
  constraints: Constraints,
): PlanResult {
  validatePlanInput(order, candidates, strategy, constraints);
  const ctx = prepare(order, candidates, constraints, ALL_ACTIVE);
  const f = feasibility(ctx);
  if (f.top < ctx.Q) return infeasibleResult(order, candidates, constraints, f.top * ctx.u);
  const seq = STRATEGY_BEHAVIOUR[strategy].fill(ctx, f);
  const { lines, contributors } = planLines(ctx, strategy, seq);
  return { ok: true, lines, summary: summarise(ctx, lines, contributors, f.capacity) };
}
