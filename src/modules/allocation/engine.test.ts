import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AllocationInputError,
  BAG_G,
  BINDING_ORDER,
  STRATEGIES,
  SUPPLY_MODES,
  planAllocation,
  validatePlanInput,
  type BindingConstraint,
  type Candidate,
  type Constraints,
  type OrderSpec,
  type PlanResult,
  type Strategy,
  type SupplyMode,
} from './engine.js';
import { TopSumTree, cmpMul, mulDivFloor } from './exact-math.js';
import { mulberry32 } from '../../platform/prng.js';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const DATES = ['2026-01-15', '2026-06-30', '2027-03-01', '2027-06-30', '2027-09-01'];
const REGENCIES = ['Aceh Tengah', 'Bener Meriah', 'Gayo Lues'];

const NONE: Constraints = {
  wholeBags: false,
  minContributionG: 0,
  maxSharePct: null,
  regencies: null,
  eudrOnly: false,
  supply: 'EITHER',
};

function cand(id: string, producerId: string, availableG: number, over: Partial<Candidate> = {}): Candidate {
  return {
    id,
    kind: 'SPOT',
    producerId,
    gradeRank: 1,
    availableG,
    date: '2027-06-30',
    regency: 'Aceh Tengah',
    eudrReady: true,
    ...over,
  };
}


function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = xs.slice();
  const rnd = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function freeze(cands: Candidate[]): readonly Candidate[] {
  for (const c of cands) Object.freeze(c);
  return Object.freeze(cands);
}

function totalsByProducer(r: PlanResult): Map<string, number> {
  const m = new Map<string, number>();
  if (r.ok) for (const l of r.lines) m.set(l.producerId, (m.get(l.producerId) ?? 0) + l.weightG);
  return m;
}

function expectOk(r: PlanResult): asserts r is Extract<PlanResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected a plan, got ${JSON.stringify(r)}`);
}

// ---------------------------------------------------------------------------
// Reference: obviously-correct brute force (small inputs only)
// ---------------------------------------------------------------------------

interface Active {
  grade: boolean;
  supplyMode: boolean;
  regency: boolean;
  eudr: boolean;
  wholeBags: boolean;
  maxShare: boolean;
  minContribution: boolean;
}
const ALL_ACTIVE: Active = {
  grade: true,
  supplyMode: true,
  regency: true,
  eudr: true,
  wholeBags: true,
  maxShare: true,
  minContribution: true,
};

/** Per-producer share cap in grams, straight from the definition (pct taken to 4 decimals). */
function refShareCapG(pct: number, quantityG: number): number {
  return Number((BigInt(Math.round(pct * 10_000)) * BigInt(quantityG)) / 1_000_000n);
}

/**
 * Largest total (grams) that any valid plan can allocate without exceeding
 * the order, with only the `a`ctive constraints applied. Exhaustive:
 * - small quantities (≤ 100 units; scenarios use ≤ 60): dynamic programming over every possible
 *   amount of every candidate (units of 1 g or 1 bag);
 * - otherwise (whole-bag scenarios seen at gram level while naming the binding
 *   constraint): every subset T of producers is tried; a producer ships any
 *   whole number of units in [0, Σ usable] (each candidate 0..usable), so
 *   within its limits [max(min, 1), min(Σ usable, share cap)] and T ships any
 *   total between the sums of those bounds.
 */
function refMaxAllocatableG(order: OrderSpec, cands: readonly Candidate[], k: Constraints, a: Active = ALL_ACTIVE): number {
  const u = a.wholeBags && k.wholeBags ? BAG_G : 1;
  const Q = order.quantityG / u;
  const capU = a.maxShare && k.maxSharePct !== null ? Math.floor(refShareCapG(k.maxSharePct, order.quantityG) / u) : Infinity;
  const minU = a.minContribution ? Math.ceil(k.minContributionG / u) : 0;
  const byProducer = new Map<string, number[]>();
  for (const c of cands) {
    if (a.grade && !(c.gradeRank <= order.minGradeRank)) continue;
    if (a.supplyMode && k.supply === 'SPOT_ONLY' && c.kind !== 'SPOT') continue;
    if (a.supplyMode && k.supply === 'FORWARD_ONLY' && c.kind !== 'FORWARD') continue;
    if (a.regency && k.regencies !== null && !k.regencies.includes(c.regency)) continue;
    if (a.eudr && k.eudrOnly && !c.eudrReady) continue;
    const list = byProducer.get(c.producerId) ?? [];
    list.push(Math.floor(c.availableG / u));
    byProducer.set(c.producerId, list);
  }
  if (Q > 100) {
    const bounds = [...byProducer.values()].map((us) => {
      const total = us.reduce((x, y) => x + y, 0);
      return [Math.max(minU, 1), Math.min(total, capU)] as const;
    });
    let best = 0;
    for (let mask = 0; mask < 1 << bounds.length; mask++) {
      let lo = 0;
      let hi = 0;
      let ok = true;
      for (let i = 0; i < bounds.length; i++) {
        if (!(mask & (1 << i))) continue;
        const [l, h] = bounds[i] as readonly [number, number];
        if (l > h) ok = false;
        lo += l;
        hi += h;
      }
      if (ok && lo <= Q) best = Math.max(best, Math.min(hi, Q));
    }
    return best * u;
  }
  // reach[t]: some choice for the producers so far totals exactly t (t ≤ Q)
  let reach: boolean[] = Array.from({ length: Q + 1 }, (_, t) => t === 0);
  for (const usables of byProducer.values()) {
    // all totals this producer can form from its candidates (each 0..usable)
    let own: boolean[] = Array.from({ length: Q + 1 }, (_, t) => t === 0);
    for (const usable of usables) {
      const next = own.slice();
      for (let t = 0; t <= Q; t++) if (own[t]) for (let x = 1; x <= usable && t + x <= Q; x++) next[t + x] = true;
      own = next;
    }
    const allowed: number[] = [];
    for (let t = 0; t <= Q; t++) if (own[t] && t <= capU && (t === 0 || t >= minU)) allowed.push(t);
    const next: boolean[] = new Array<boolean>(Q + 1).fill(false);
    for (let t = 0; t <= Q; t++) if (reach[t]) for (const x of allowed) if (t + x <= Q) next[t + x] = true;
    reach = next;
  }
  let best = 0;
  for (let t = 0; t <= Q; t++) if (reach[t]) best = t;
  return best * u;
}

/** Binding constraint by the documented rule, computed with the reference. */
function refBinding(order: OrderSpec, cands: readonly Candidate[], k: Constraints): BindingConstraint | null {
  const a: Active = {
    grade: false,
    supplyMode: false,
    regency: false,
    eudr: false,
    wholeBags: false,
    maxShare: false,
    minContribution: false,
  };
  const key: Record<BindingConstraint, keyof Active | null> = {
    SUPPLY: null,
    GRADE: 'grade',
    SUPPLY_MODE: 'supplyMode',
    REGENCY: 'regency',
    EUDR: 'eudr',
    WHOLE_BAGS: 'wholeBags',
    MAX_SHARE: 'maxShare',
    MIN_CONTRIBUTION: 'minContribution',
  };
  for (const b of BINDING_ORDER) {
    const kk = key[b];
    if (kk !== null) a[kk] = true;
    if (refMaxAllocatableG(order, cands, k, a) < order.quantityG) return b;
  }
  return null;
}

/** Fewest producers any valid plan can use (brute force over subsets; ≤ ~10 producers). */
function refFewestProducers(order: OrderSpec, cands: readonly Candidate[], k: Constraints): number {
  const u = k.wholeBags ? BAG_G : 1;
  const Q = order.quantityG / u;
  const capU = k.maxSharePct !== null ? Math.floor(refShareCapG(k.maxSharePct, order.quantityG) / u) : Infinity;
  const minU = Math.ceil(k.minContributionG / u);
  const sums = new Map<string, number>();
  for (const c of cands) {
    if (!eligible(order, c, k)) continue;
    sums.set(c.producerId, (sums.get(c.producerId) ?? 0) + Math.floor(c.availableG / u));
  }
  const caps = [...sums.values()].map((s) => Math.min(s, capU)).filter((c) => c > 0 && c >= minU);
  let best = Infinity;
  for (let mask = 1; mask < 1 << caps.length; mask++) {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < caps.length; i++)
      if (mask & (1 << i)) {
        n++;
        sum += caps[i] as number;
      }
    if (sum >= Q && n * minU <= Q) best = Math.min(best, n);
  }
  return best;
}

function eligible(order: OrderSpec, c: Candidate, k: Constraints): boolean {
  return (
    c.gradeRank <= order.minGradeRank &&
    (k.supply === 'EITHER' || (k.supply === 'SPOT_ONLY' ? c.kind === 'SPOT' : c.kind === 'FORWARD')) &&
    (k.regencies === null || k.regencies.includes(c.regency)) &&
    (!k.eudrOnly || c.eudrReady)
  );
}

// ---------------------------------------------------------------------------
// Invariant checker (used by every property)
// ---------------------------------------------------------------------------

function checkInvariants(order: OrderSpec, cands: readonly Candidate[], strategy: Strategy, k: Constraints, r: PlanResult): void {
  if (!r.ok) {
    expect(r.requestedG).toBe(order.quantityG);
    expect(r.availableG).toBeGreaterThanOrEqual(0);
    expect(r.availableG).toBeLessThan(order.quantityG);
    expect(r.shortfallG).toBe(r.requestedG - r.availableG);
    expect(BINDING_ORDER).toContain(r.binding);
    if (k.wholeBags) expect(r.availableG % BAG_G).toBe(0);
    return;
  }
  const u = k.wholeBags ? BAG_G : 1;
  const byId = new Map(cands.map((c) => [c.id, c]));
  const seen = new Set<string>();
  let sum = 0;
  let spot = 0;
  for (const l of r.lines) {
    const c = byId.get(l.candidateId);
    expect(c, `line for unknown candidate ${l.candidateId}`).toBeDefined();
    if (c === undefined) return;
    expect(seen.has(l.candidateId), 'one line per candidate').toBe(false);
    seen.add(l.candidateId);
    expect(l.kind).toBe(c.kind);
    expect(l.producerId).toBe(c.producerId);
    expect(Number.isSafeInteger(l.weightG)).toBe(true);
    expect(l.weightG).toBeGreaterThan(0);
    // never more than the candidate's usable amount
    expect(l.weightG).toBeLessThanOrEqual(Math.floor(c.availableG / u) * u);
    if (k.wholeBags) expect(l.weightG % BAG_G).toBe(0);
    expect(c.gradeRank).toBeLessThanOrEqual(order.minGradeRank);
    if (k.supply === 'SPOT_ONLY') expect(c.kind).toBe('SPOT');
    if (k.supply === 'FORWARD_ONLY') expect(c.kind).toBe('FORWARD');
    if (k.regencies !== null) expect(k.regencies).toContain(c.regency);
    if (k.eudrOnly) expect(c.eudrReady).toBe(true);
    expect(l.reason.length).toBeGreaterThan(10);
    sum += l.weightG;
    if (c.kind === 'SPOT') spot += l.weightG;
  }
  expect(sum).toBe(order.quantityG);
  const totals = totalsByProducer(r);
  const capG = k.maxSharePct === null ? Infinity : Math.floor(refShareCapG(k.maxSharePct, order.quantityG) / u) * u;
  const minG = Math.ceil(k.minContributionG / u) * u;
  let largest = 0;
  for (const t of totals.values()) {
    expect(t).toBeLessThanOrEqual(capG);
    expect(t).toBeGreaterThanOrEqual(minG);
    largest = Math.max(largest, t);
  }
  const s = r.summary;
  expect(s.requestedG).toBe(order.quantityG);
  expect(s.allocatedG).toBe(order.quantityG);
  expect(s.contributors).toBe(totals.size);
  expect(s.largestShareG).toBe(largest);
  expect(s.spotG).toBe(spot);
  expect(s.forwardG).toBe(sum - spot);
  expect(s.fairness).toBeGreaterThan(0);
  expect(s.fairness).toBeLessThanOrEqual(1);
  expect(s.unitG).toBe(u);

  // strategy-specific: greedy orders never skip available headroom (no minimum in play)
  if ((strategy === 'QUALITY_FIRST' || strategy === 'OLDEST_FIRST') && minG === 0) {
    const order2 = cands.filter((c) => eligible(order, c, k) && Math.floor(c.availableG / u) > 0);
    const key = (c: Candidate): (string | number)[] =>
      strategy === 'QUALITY_FIRST'
        ? [c.gradeRank, c.date, c.kind === 'SPOT' ? 0 : 1, c.id]
        : [c.date, c.gradeRank, c.kind === 'SPOT' ? 0 : 1, c.id];
    order2.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) {
        const x = ka[i] as string | number;
        const y = kb[i] as string | number;
        if (x < y) return -1;
        if (x > y) return 1;
      }
      return 0;
    });
    const taken = new Map(r.lines.map((l) => [l.candidateId, l.weightG]));
    let sawPartial = false;
    for (const c of order2) {
      const t = taken.get(c.id) ?? 0;
      if (sawPartial) {
        expect(t, `${c.id} allocated after an unfilled better candidate`).toBe(0);
        continue;
      }
      const full = t === Math.floor(c.availableG / u) * u || totals.get(c.producerId) === capG;
      if (!full) sawPartial = true;
    }
  }
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

interface Combo {
  wholeBags: boolean;
  min: boolean;
  share: boolean;
  regencies: boolean;
  eudrOnly: boolean;
  supply: SupplyMode;
}

const COMBOS: Combo[] = [];
for (const wholeBags of [false, true])
  for (const min of [false, true])
    for (const share of [false, true])
      for (const regencies of [false, true])
        for (const eudrOnly of [false, true])
          for (const supply of SUPPLY_MODES) COMBOS.push({ wholeBags, min, share, regencies, eudrOnly, supply });

/** Max share: round numbers and arbitrary 4-decimal values ≥ 10 % (≥ 2 % in realistic inputs). */
const pctArb = (minPct: number) =>
  fc.oneof(
    fc.constantFrom(...[2.5, 12.5, 20, 25, 33.3333, 40, 50, 62.5, 100].filter((p) => p >= minPct)),
    fc.integer({ min: minPct * 10_000, max: 1_000_000 }).map((k) => k / 10_000),
  );
/** EUDR geolocation is present for most plots. */
const eudrArb = fc.integer({ min: 0, max: 3 }).map((x) => x > 0);

/** Grams that pass the filters (what the order can at most draw on before caps / minimum). */
function eligibleUnits(order: OrderSpec, cands: readonly Candidate[], k: Constraints, u: number): number {
  let t = 0;
  for (const c of cands) if (eligible(order, c, k)) t += Math.floor(c.availableG / u);
  return t;
}

/**
 * Small scenario: ≤ 6 producers, ≤ 12 candidates, tiny quantities (grams or
 * bags) so that brute force is cheap. The order is a random fraction (5 % –
 * 120 %) of the eligible supply, so plans and shortfalls both occur often.
 */
function smallScenario(combo: Combo) {
  const u = combo.wholeBags ? BAG_G : 1;
  const amountArb = combo.wholeBags
    ? fc
        .tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(0, 1, 30_000, 59_999))
        .map(([bags, extra]) => bags * BAG_G + extra)
    : fc.integer({ min: 0, max: 12 });
  const candArb = fc.record({
    p: fc.integer({ min: 0, max: 5 }),
    kind: fc.constantFrom<'SPOT' | 'FORWARD'>('SPOT', 'FORWARD'),
    gradeRank: fc.integer({ min: 1, max: 4 }),
    availableG: amountArb,
    date: fc.constantFrom(...DATES),
    regency: fc.constantFrom(...REGENCIES),
    eudrReady: eudrArb,
  });
  return fc
    .record({
      cands: fc.array(candArb, { minLength: 1, maxLength: 12 }),
      frac: fc.integer({ min: 5, max: 120 }),
      minGradeRank: fc.integer({ min: 2, max: 4 }),
      minContributionG: combo.min
        ? combo.wholeBags
          ? fc.integer({ min: 1, max: 4 * BAG_G })
          : fc.integer({ min: 1, max: 10 })
        : fc.constant(0),
      maxSharePct: combo.share ? pctArb(20) : fc.constant(null),
      regencies: combo.regencies ? fc.subarray(REGENCIES, { minLength: 1 }) : fc.constant(null),
      seed: fc.integer(),
    })
    .map((s) => {
      const cands = s.cands.map(
        (c, i): Candidate => ({
          id: `c${String(i).padStart(2, '0')}`,
          kind: c.kind,
          producerId: `p${c.p}`,
          gradeRank: c.gradeRank,
          availableG: c.availableG,
          date: c.date,
          regency: c.regency,
          eudrReady: c.eudrReady,
        }),
      );
      const constraints: Constraints = {
        wholeBags: combo.wholeBags,
        minContributionG: s.minContributionG,
        maxSharePct: s.maxSharePct,
        regencies: s.regencies,
        eudrOnly: combo.eudrOnly,
        supply: combo.supply,
      };
      const draft: OrderSpec = { quantityG: u, minGradeRank: s.minGradeRank };
      const eligibleU = eligibleUnits(draft, cands, constraints, u);
      const units = Math.min(60, Math.max(1, Math.round((eligibleU * s.frac) / 100)));
      const order: OrderSpec = { quantityG: units * u, minGradeRank: s.minGradeRank };
      return { cands, order, constraints, seed: s.seed, eligibleU };
    })
    .filter((s) => s.eligibleU > 0);
}

/** Realistic scenario: up to 120 candidates, gram-level weights, random constraints. */
const mediumScenario = fc
  .record({
    nProducers: fc.integer({ min: 1, max: 40 }),
    cands: fc.array(
      fc.record({
        p: fc.nat(),
        kind: fc.constantFrom<'SPOT' | 'FORWARD'>('SPOT', 'FORWARD'),
        gradeRank: fc.integer({ min: 1, max: 5 }),
        availableG: fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 50 }).map((b) => b * BAG_G)),
        date: fc.constantFrom(...DATES),
        regency: fc.constantFrom(...REGENCIES),
        eudrReady: eudrArb,
      }),
      { minLength: 1, maxLength: 120 },
    ),
    frac: fc.integer({ min: 2, max: 110 }),
    minGradeRank: fc.integer({ min: 2, max: 5 }),
    wholeBags: fc.boolean(),
    minContributionG: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
    maxSharePct: fc.oneof(fc.constant(null), pctArb(2)),
    regencies: fc.oneof(fc.constant(null), fc.subarray(REGENCIES, { minLength: 1 })),
    eudrOnly: fc.boolean(),
    supply: fc.constantFrom(...SUPPLY_MODES),
    seed: fc.integer(),
  })
  .map((s) => {
    const cands = s.cands.map(
      (c, i): Candidate => ({
        id: `lot-${i}`,
        kind: c.kind,
        producerId: `farmer-${c.p % s.nProducers}`,
        gradeRank: c.gradeRank,
        availableG: c.availableG,
        date: c.date,
        regency: c.regency,
        eudrReady: c.eudrReady,
      }),
    );
    const constraints: Constraints = {
      wholeBags: s.wholeBags,
      minContributionG: s.minContributionG,
      maxSharePct: s.maxSharePct,
      regencies: s.regencies,
      eudrOnly: s.eudrOnly,
      supply: s.supply,
    };
    const u = s.wholeBags ? BAG_G : 1;
    const draft: OrderSpec = { quantityG: u, minGradeRank: s.minGradeRank };
    const eligibleU = eligibleUnits(draft, cands, constraints, u);
    const units = Math.max(1, Math.round((eligibleU * s.frac) / 100));
    const order: OrderSpec = { quantityG: units * u, minGradeRank: s.minGradeRank };
    return { cands, order, constraints, seed: s.seed, eligibleU };
  })
  .filter((s) => s.eligibleU > 0);

const comboName = (c: Combo): string =>
  [
    c.wholeBags ? 'bags' : 'grams',
    c.min ? 'min' : 'no-min',
    c.share ? 'share' : 'no-share',
    c.regencies ? 'regency' : 'any-regency',
    c.eudrOnly ? 'eudr' : 'no-eudr',
    c.supply,
  ].join(' ');

// ---------------------------------------------------------------------------
// Properties: every strategy × every constraint combination
// ---------------------------------------------------------------------------

describe.each(STRATEGIES)('%s — properties against brute force', (strategy) => {
  it.each(COMBOS.map((c) => [comboName(c), c] as const))('%s', (_name, combo) => {
    fc.assert(
      fc.property(smallScenario(combo), ({ cands, order, constraints, seed }) => {
        const input = freeze(cands);
        const r = planAllocation(order, input, strategy, constraints);
        checkInvariants(order, input, strategy, constraints, r);
        // exact availability & feasibility against the brute force
        const best = refMaxAllocatableG(order, input, constraints);
        expect(r.ok).toBe(best === order.quantityG);
        if (!r.ok) {
          expect(r.availableG).toBe(best);
          expect(r.shortfallG).toBe(order.quantityG - best);
          expect(r.binding).toBe(refBinding(order, input, constraints));
        } else if (strategy === 'FEWEST_CONTRIBUTORS') {
          expect(r.summary.contributors).toBe(refFewestProducers(order, input, constraints));
        }
        // deterministic under shuffling
        expect(planAllocation(order, shuffled(input, seed), strategy, constraints)).toEqual(r);
      }),
      { numRuns: 20 },
    );
  });
});

describe.each(STRATEGIES)('%s — properties on realistic inputs', (strategy) => {
  it('holds every constraint, sums to the order, is deterministic', () => {
    fc.assert(
      fc.property(mediumScenario, ({ cands, order, constraints, seed }) => {
        const input = freeze(cands);
        const r = planAllocation(order, input, strategy, constraints);
        checkInvariants(order, input, strategy, constraints, r);
        expect(planAllocation(order, shuffled(input, seed), strategy, constraints)).toEqual(r);
      }),
      { numRuns: 150 },
    );
  });
});

describe('strategies agree on feasibility', () => {
  it('either all strategies produce a plan or all report the same shortfall', () => {
    fc.assert(
      fc.property(mediumScenario, ({ cands, order, constraints }) => {
        const results = STRATEGIES.map((s) => planAllocation(order, cands, s, constraints));
        const first = results[0] as PlanResult;
        for (const r of results) {
          expect(r.ok).toBe(first.ok);
          if (!r.ok && !first.ok) expect(r).toEqual(first);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('PRO_RATA without caps or minimum is proportional within one unit', () => {
  it('|x_p - Q·S_p/ΣS| < 1 unit', () => {
    fc.assert(
      fc.property(mediumScenario, ({ cands, order, constraints }) => {
        const k: Constraints = { ...constraints, minContributionG: 0, maxSharePct: null };
        const r = planAllocation(order, cands, 'PRO_RATA', k);
        if (!r.ok) return;
        const u = k.wholeBags ? BAG_G : 1;
        const S = new Map<string, number>();
        for (const c of cands)
          if (eligible(order, c, k)) S.set(c.producerId, (S.get(c.producerId) ?? 0) + Math.floor(c.availableG / u));
        let total = 0;
        for (const v of S.values()) total += v;
        const x = totalsByProducer(r);
        for (const [p, s] of S) {
          const exact = ((order.quantityG / u) * s) / total;
          expect(Math.abs((x.get(p) ?? 0) / u - exact)).toBeLessThan(1 + 1e-9);
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------
// Worked examples
// ---------------------------------------------------------------------------

describe('container: 19.2 t (320 bags) across ~50 producers', () => {
  const producers = 50;
  const cands: Candidate[] = [];
  const rnd = mulberry32(2027);
  for (let p = 0; p < producers; p++) {
    const lots = 1 + Math.floor(rnd() * 3);
    for (let l = 0; l < lots; l++) {
      cands.push(
        cand(`lot-${p}-${l}`, `farmer-${String(p).padStart(2, '0')}`, 60_000 + Math.floor(rnd() * 1_500_000), {
          kind: l === 2 ? 'FORWARD' : 'SPOT',
          gradeRank: 1 + Math.floor(rnd() * 3),
          date: DATES[Math.floor(rnd() * DATES.length)] as string,
          regency: REGENCIES[p % 3] as string,
          eudrReady: rnd() < 0.9,
        }),
      );
    }
  }
  const order: OrderSpec = { quantityG: 19_200_000, minGradeRank: 3 };
  const k: Constraints = {
    wholeBags: true,
    minContributionG: 120_000,
    maxSharePct: 12.5,
    regencies: null,
    eudrOnly: true,
    supply: 'EITHER',
  };

  it.each(STRATEGIES)('%s fills 320 whole bags within a 2,400 kg (12.5 %) share cap', (strategy) => {
    const r = planAllocation(order, cands, strategy, k);
    expectOk(r);
    checkInvariants(order, cands, strategy, k, r);
    expect(r.summary.allocatedG).toBe(19_200_000);
    expect(r.summary.shareCapG).toBe(2_400_000);
    expect(r.lines.reduce((a, l) => a + l.weightG / BAG_G, 0)).toBe(320);
    for (const t of totalsByProducer(r).values()) {
      expect(t).toBeLessThanOrEqual(2_400_000);
      expect(t).toBeGreaterThanOrEqual(120_000);
    }
  });

  it('PRO_RATA spreads widely, FEWEST_CONTRIBUTORS concentrates', () => {
    const pro = planAllocation(order, cands, 'PRO_RATA', k);
    const few = planAllocation(order, cands, 'FEWEST_CONTRIBUTORS', k);
    expectOk(pro);
    expectOk(few);
    expect(pro.summary.contributors).toBeGreaterThan(40);
    // fewest possible: the smallest k whose k largest caps reach 320 bags
    const sums = new Map<string, number>();
    for (const c of cands)
      if (eligible(order, c, k)) sums.set(c.producerId, (sums.get(c.producerId) ?? 0) + Math.floor(c.availableG / BAG_G));
    const caps = [...sums.values()].map((b) => Math.min(b, 40)).sort((a, b) => b - a);
    let kStar = 0;
    for (let acc = 0; acc < 320; kStar++) acc += caps[kStar] as number;
    expect(few.summary.contributors).toBe(kStar);
    expect(kStar).toBeLessThan(15);
    expect(pro.summary.fairness).toBeGreaterThan(few.summary.fairness);
  });

  it('12.5 % of 19,200,000 g is exactly 2,400,000 g (no float drift)', () => {
    const big = [
      cand('a', 'A', 30_000_000),
      cand('b', 'B', 30_000_000),
      cand('c', 'C', 30_000_000),
      cand('d', 'D', 30_000_000),
      cand('e', 'E', 30_000_000),
      cand('f', 'F', 30_000_000),
      cand('g', 'G', 30_000_000),
      cand('h', 'H', 30_000_000),
    ];
    const r = planAllocation(order, big, 'FEWEST_CONTRIBUTORS', { ...NONE, maxSharePct: 12.5 });
    expectOk(r);
    expect(r.lines.map((l) => l.weightG)).toEqual(Array(8).fill(2_400_000));
    expect(r.lines[0]?.reason).toMatch(/^producer 1 of 8 taken by largest capacity \(ships 2,400 kg of cap 2,400 kg by max share 12\.5%\)/);
  });
});

describe('PRO_RATA: largest remainder (Hamilton) worked example', () => {
  it('7 bags over 44 / 33 / 23 bags available → 3 / 2 / 2', () => {
    // exact quotas 3.08, 2.31, 1.61 → floors 3, 2, 1 (6 bags); the last bag goes to
    // the largest remainder (0.61, farmer C)
    const cands = [cand('a', 'A', 44 * BAG_G), cand('b', 'B', 33 * BAG_G), cand('c', 'C', 23 * BAG_G)];
    const r = planAllocation({ quantityG: 7 * BAG_G, minGradeRank: 1 }, cands, 'PRO_RATA', { ...NONE, wholeBags: true });
    expectOk(r);
    expect(Object.fromEntries(totalsByProducer(r))).toEqual({ A: 3 * BAG_G, B: 2 * BAG_G, C: 2 * BAG_G });
    expect(r.lines.find((l) => l.producerId === 'C')?.reason).toMatch(/^pro-rata share 28\.57% of 420 kg/);
  });

  it('ties in the remainder go to the smaller producerId', () => {
    // quotas 3.5 / 3.5 / 3 → 3 / 3 / 3 + one gram to A (tie with B broken by id)
    const cands = [cand('x1', 'B', 7), cand('x2', 'A', 7), cand('x3', 'C', 6)];
    const r = planAllocation({ quantityG: 10, minGradeRank: 1 }, cands, 'PRO_RATA', NONE);
    expectOk(r);
    expect(Object.fromEntries(totalsByProducer(r))).toEqual({ A: 4, B: 3, C: 3 });
  });

  it('max share caps are water-filled to the others', () => {
    // 1,000 kg over 10,000 / 1,000 / 1,000 kg available with a 50 % cap:
    // A is clipped at 500 kg, B and C share the remaining 500 kg equally
    const cands = [cand('a', 'A', 10_000_000), cand('b', 'B', 1_000_000), cand('c', 'C', 1_000_000)];
    const r = planAllocation({ quantityG: 1_000_000, minGradeRank: 1 }, cands, 'PRO_RATA', { ...NONE, maxSharePct: 50 });
    expectOk(r);
    expect(Object.fromEntries(totalsByProducer(r))).toEqual({ A: 500_000, B: 250_000, C: 250_000 });
  });

  it('within a producer, best grade then oldest lot is filled first', () => {
    const cands = [
      cand('new-g1', 'A', 100, { gradeRank: 1, date: '2027-06-30' }),
      cand('old-g2', 'A', 100, { gradeRank: 2, date: '2026-01-15' }),
      cand('old-g1', 'A', 100, { gradeRank: 1, date: '2026-06-30' }),
    ];
    const r = planAllocation({ quantityG: 150, minGradeRank: 2 }, cands, 'PRO_RATA', NONE);
    expectOk(r);
    expect(r.lines.map((l) => [l.candidateId, l.weightG])).toEqual([
      ['old-g1', 100],
      ['new-g1', 50],
    ]);
  });

  it('minimum contribution: small producers are dropped while the rest still cover the order', () => {
    // shares would be 497.5 / 497.5 / 5 kg; C (10 kg) cannot reach 100 kg → dropped
    const cands = [cand('a', 'A', 1_000_000), cand('b', 'B', 1_000_000), cand('c', 'C', 10_000)];
    const r = planAllocation({ quantityG: 1_000_000, minGradeRank: 1 }, cands, 'PRO_RATA', {
      ...NONE,
      minContributionG: 100_000,
    });
    expectOk(r);
    expect(Object.fromEntries(totalsByProducer(r))).toEqual({ A: 500_000, B: 500_000 });
  });

  it('minimum contribution: when no producer can be dropped, the small one is raised to the minimum', () => {
    // 900 + 450 kg for a 1,000 kg order, min 400 kg: pro rata would give 667 / 333;
    // both are needed, so B is held at 400 kg and A takes the remaining 600 kg
    const cands = [cand('a', 'A', 900_000), cand('b', 'B', 450_000)];
    const r = planAllocation({ quantityG: 1_000_000, minGradeRank: 1 }, cands, 'PRO_RATA', {
      ...NONE,
      minContributionG: 400_000,
    });
    expectOk(r);
    expect(Object.fromEntries(totalsByProducer(r))).toEqual({ A: 600_000, B: 400_000 });
    expect(r.lines.find((l) => l.producerId === 'B')?.reason).toContain('held at the 400 kg minimum contribution');
  });
});

describe('line reasons name the grade by its scheme code, not its rank', () => {
  // Given a scheme with SPECIALTY above SNI grade 1: rank 1 = SPECIALTY, rank 2 = '1', rank 3 = '2', rank 4 = '3'
  const cs = [
    cand('spec', 'A', 500, { gradeRank: 1, gradeCode: 'SPECIALTY', date: '2026-06-30' }),
    cand('g1', 'B', 500, { gradeRank: 2, gradeCode: '1', date: '2026-07-15' }),
    cand('fwd', 'C', 500, { gradeRank: 4, gradeCode: '3', kind: 'FORWARD', date: '2027-06-01' }),
  ];

  it.each(STRATEGIES)('%s: a SPECIALTY lot, a grade 1 lot and a forward line with minimum grade 3', (strategy) => {
    // when the whole supply is planned
    const r = planAllocation({ quantityG: 1500, minGradeRank: 4 }, cs, strategy, NONE);
    // then each reason names the code the scheme gives the grade
    expectOk(r);
    const reason = (id: string): string => r.lines.find((l) => l.candidateId === id)?.reason ?? '';
    expect(reason('spec')).toContain('grade SPECIALTY lot harvested 2026-06-30');
    expect(reason('g1')).toContain('grade 1 lot harvested 2026-07-15');
    expect(reason('g1')).not.toContain('grade 2');
    expect(reason('fwd')).toContain('forward commitment (min grade 3) delivering from 2027-06-01');
    expect(reason('fwd')).not.toContain('grade 4');
  });

  it('without a code (older callers) the reason says it is a rank', () => {
    const r = planAllocation({ quantityG: 500, minGradeRank: 2 }, [cand('g', 'A', 500, { gradeRank: 2 })], 'QUALITY_FIRST', NONE);
    expectOk(r);
    expect(r.lines[0]?.reason).toMatch(/^grade rank 2 lot harvested/);
  });
});

describe('greedy strategies', () => {
  const cands = [
    cand('g2-old', 'A', 500, { gradeRank: 2, date: '2026-01-15' }),
    cand('g1-new', 'B', 500, { gradeRank: 1, date: '2027-06-30' }),
    cand('g1-old-fwd', 'C', 500, { gradeRank: 1, date: '2026-06-30', kind: 'FORWARD' }),
    cand('g1-old-spot', 'D', 500, { gradeRank: 1, date: '2026-06-30' }),
  ];
  const order: OrderSpec = { quantityG: 1200, minGradeRank: 2 };

  it('QUALITY_FIRST: best grade, then oldest, spot before forward', () => {
    const r = planAllocation(order, cands, 'QUALITY_FIRST', NONE);
    expectOk(r);
    expect(r.lines.map((l) => [l.candidateId, l.weightG])).toEqual([
      ['g1-old-spot', 500],
      ['g1-old-fwd', 500],
      ['g1-new', 200],
    ]);
    expect(r.lines[0]?.reason).toBe('grade rank 1 lot harvested 2026-06-30, filled before lower grades and younger supply');
  });

  it('OLDEST_FIRST: oldest date first, then grade', () => {
    const r = planAllocation(order, cands, 'OLDEST_FIRST', NONE);
    expectOk(r);
    expect(r.lines.map((l) => [l.candidateId, l.weightG])).toEqual([
      ['g2-old', 500],
      ['g1-old-spot', 500],
      ['g1-old-fwd', 200],
    ]);
  });

  it('QUALITY_FIRST with a minimum: the last producer is topped up, earlier ones give back', () => {
    // without a minimum B would get 200 g; min 300 g → B 300 g, C gives back 100 g
    const r = planAllocation(order, cands, 'QUALITY_FIRST', { ...NONE, minContributionG: 300 });
    expectOk(r);
    expect(r.lines.map((l) => [l.candidateId, l.weightG])).toEqual([
      ['g1-old-spot', 500],
      ['g1-old-fwd', 400],
      ['g1-new', 300],
    ]);
    expect(r.lines[2]?.reason).toContain('topped up to the 0.3 kg minimum contribution');
  });

  it('QUALITY_FIRST with a minimum skips a producer that would make the order unreachable', () => {
    // Q = 1,000 g, min 400 g → at most 2 producers. The grade-1 producer A has only 450 g;
    // admitting A leaves one slot that can bring at most 500 g (< 550 g needed) → A is skipped.
    const cs = [
      cand('a', 'A', 450, { gradeRank: 1 }),
      cand('b', 'B', 500, { gradeRank: 2 }),
      cand('c', 'C', 500, { gradeRank: 2 }),
      cand('d', 'D', 500, { gradeRank: 3 }),
    ];
    const r = planAllocation({ quantityG: 1000, minGradeRank: 3 }, cs, 'QUALITY_FIRST', { ...NONE, minContributionG: 400 });
    expectOk(r);
    expect(r.lines.map((l) => [l.candidateId, l.weightG])).toEqual([
      ['b', 500],
      ['c', 500],
    ]);
  });

  it('FEWEST_CONTRIBUTORS uses the largest producers first', () => {
    const cs = [cand('a', 'A', 300), cand('b', 'B', 700), cand('c1', 'C', 400), cand('c2', 'C', 400), cand('d', 'D', 100)];
    const r = planAllocation({ quantityG: 1500, minGradeRank: 1 }, cs, 'FEWEST_CONTRIBUTORS', NONE);
    expectOk(r);
    expect(r.summary.contributors).toBe(2);
    expect(Object.fromEntries(totalsByProducer(r))).toEqual({ C: 800, B: 700 });
    expect(r.lines[0]?.reason).toBe(
      'producer 1 of 2 taken by largest capacity (ships 0.8 kg of cap 0.8 kg) to keep contributors few; grade rank 1 lot harvested 2027-06-30',
    );
  });
});

describe('infeasible orders: binding constraint and exact availability', () => {
  const base = [
    cand('a', 'A', 600_000, { gradeRank: 1, kind: 'SPOT', regency: 'Aceh Tengah', eudrReady: true }),
    cand('b', 'B', 600_000, { gradeRank: 3, kind: 'SPOT', regency: 'Aceh Tengah', eudrReady: true }),
    cand('c', 'C', 600_000, { gradeRank: 1, kind: 'FORWARD', regency: 'Aceh Tengah', eudrReady: true }),
    cand('d', 'D', 600_000, { gradeRank: 1, kind: 'SPOT', regency: 'Gayo Lues', eudrReady: true }),
    cand('e', 'E', 600_000, { gradeRank: 1, kind: 'SPOT', regency: 'Aceh Tengah', eudrReady: false }),
    cand('f', 'F', 590_000, { gradeRank: 1, kind: 'SPOT', regency: 'Aceh Tengah', eudrReady: true }),
  ];
  const bag = (n: number) => n * BAG_G;

  // Worked by hand. base: A, C, D, E 600 kg grade 1; B 600 kg grade 3; F 590 kg grade 1;
  // C is FORWARD, D is in Gayo Lues, E lacks EUDR geolocation. Total 3,590 kg.
  const twoFarms = [cand('a', 'A', 1_000_000), cand('b', 'B', 1_000_000)]; // 16.67 bags each
  const threeFarms = [cand('a', 'A', bag(10)), cand('b', 'B', bag(10)), cand('c', 'C', bag(10))];
  const cases: [BindingConstraint, Candidate[], OrderSpec, Constraints, number][] = [
    // 4,000 kg wanted, 3,590 kg offered at all
    ['SUPPLY', base, { quantityG: 4_000_000, minGradeRank: 3 }, NONE, 3_590_000],
    // grade 1 only drops B: 2,990 kg
    ['GRADE', base, { quantityG: 3_500_000, minGradeRank: 1 }, NONE, 2_990_000],
    // spot only drops C: 2,390 kg
    ['SUPPLY_MODE', base, { quantityG: 2_500_000, minGradeRank: 1 }, { ...NONE, supply: 'SPOT_ONLY' }, 2_390_000],
    // Aceh Tengah only drops D: A, E, F = 1,790 kg
    ['REGENCY', base, { quantityG: 2_000_000, minGradeRank: 1 }, { ...NONE, supply: 'SPOT_ONLY', regencies: ['Aceh Tengah'] }, 1_790_000],
    // grade 1 in Aceh Tengah = A, C, E, F = 2,390 kg ≥ 1,800; EUDR drops E → 1,790 kg
    ['EUDR', base, { quantityG: 1_800_000, minGradeRank: 1 }, { ...NONE, regencies: ['Aceh Tengah'], eudrOnly: true }, 1_790_000],
    // 2,000 kg ≥ 33 bags (1,980 kg), but only 16 + 16 whole bags
    ['WHOLE_BAGS', twoFarms, { quantityG: bag(33), minGradeRank: 1 }, { ...NONE, wholeBags: true }, bag(32)],
    // 32 % of 20 bags = 384 kg → 6 whole bags per producer → 18 bags
    ['MAX_SHARE', threeFarms, { quantityG: bag(20), minGradeRank: 1 }, { ...NONE, wholeBags: true, maxSharePct: 32 }, bag(18)],
    // min 600 kg in a 1,000 kg order → a single producer (F's 590 kg cannot even count): 600 kg
    ['MIN_CONTRIBUTION', base, { quantityG: 1_000_000, minGradeRank: 3 }, { ...NONE, minContributionG: 600_000 }, 600_000],
  ];

  it.each(cases)('%s', (binding, cands, order, k, available) => {
    for (const strategy of STRATEGIES) {
      const r = planAllocation(order, cands, strategy, k);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.binding).toBe(binding);
      expect(r.availableG).toBe(available);
      expect(r.availableG).toBe(refMaxAllocatableG(order, cands, k));
      expect(r.shortfallG).toBe(order.quantityG - available);
      expect(r.message).toContain(binding);
    }
  });

  it('MIN_CONTRIBUTION with enough supply: 1,000 kg, min 600 kg, caps 900 kg → 900 kg available', () => {
    const cs = [cand('a', 'A', 900_000), cand('b', 'B', 900_000), cand('c', 'C', 900_000)];
    const r = planAllocation({ quantityG: 1_000_000, minGradeRank: 1 }, cs, 'PRO_RATA', { ...NONE, minContributionG: 600_000 });
    expect(r).toMatchObject({ ok: false, requestedG: 1_000_000, availableG: 900_000, shortfallG: 100_000, binding: 'MIN_CONTRIBUTION' });
  });

  it('minimum larger than the order: nothing can be allocated', () => {
    const cs = [cand('a', 'A', 9_000_000)];
    const r = planAllocation({ quantityG: 1_000_000, minGradeRank: 1 }, cs, 'QUALITY_FIRST', { ...NONE, minContributionG: 1_000_001 });
    expect(r).toMatchObject({ ok: false, availableG: 0, shortfallG: 1_000_000, binding: 'MIN_CONTRIBUTION' });
  });

  it('no candidates at all: SUPPLY', () => {
    const r = planAllocation({ quantityG: 1, minGradeRank: 1 }, [], 'PRO_RATA', NONE);
    expect(r).toMatchObject({ ok: false, availableG: 0, shortfallG: 1, binding: 'SUPPLY' });
  });
});

describe('input validation', () => {
  const ok = [cand('a', 'A', 100)];
  const cases: [string, () => unknown][] = [
    ['quantityG', () => planAllocation({ quantityG: 0, minGradeRank: 1 }, ok, 'PRO_RATA', NONE)],
    ['quantityG', () => planAllocation({ quantityG: -60_000, minGradeRank: 1 }, ok, 'PRO_RATA', NONE)],
    ['quantityG', () => planAllocation({ quantityG: 1.5, minGradeRank: 1 }, ok, 'PRO_RATA', NONE)],
    ['quantityG', () => planAllocation({ quantityG: 90_000, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, wholeBags: true })],
    ['minGradeRank', () => planAllocation({ quantityG: 1, minGradeRank: 0 }, ok, 'PRO_RATA', NONE)],
    ['maxSharePct', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, maxSharePct: 0 })],
    ['maxSharePct', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, maxSharePct: 100.5 })],
    ['maxSharePct', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, maxSharePct: Number.NaN })],
    ['minContributionG', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, minContributionG: -1 })],
    ['regencies', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, regencies: [] })],
    ['supply', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'PRO_RATA', { ...NONE, supply: 'BOTH' as SupplyMode })],
    ['strategy', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, ok, 'RANDOM' as Strategy, NONE)],
    ['candidates', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, [cand('a', 'A', -5)], 'PRO_RATA', NONE)],
    ['candidates', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, [cand('a', 'A', 1), cand('a', 'B', 1)], 'PRO_RATA', NONE)],
    ['candidates', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, [cand('a', 'A', 1, { date: '30/06/2027' })], 'PRO_RATA', NONE)],
    ['candidates', () => planAllocation({ quantityG: 1, minGradeRank: 1 }, [cand('a', 'A', 1, { gradeCode: '' })], 'PRO_RATA', NONE)],
  ];
  it.each(cases)('rejects bad %s', (field, run) => {
    try {
      run();
      expect.unreachable('should have thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(AllocationInputError);
      expect((e as AllocationInputError).field).toBe(field);
    }
  });

  it('validatePlanInput accepts good input', () => {
    expect(() => validatePlanInput({ quantityG: BAG_G, minGradeRank: 2 }, ok, 'PRO_RATA', { ...NONE, wholeBags: true })).not.toThrow();
  });
});

describe('scale', () => {
  it('plans 100,000 candidates with every strategy', () => {
    const rnd = mulberry32(7);
    const cands: Candidate[] = [];
    for (let i = 0; i < 100_000; i++) {
      cands.push(
        cand(`lot-${i}`, `farmer-${Math.floor(rnd() * 25_000)}`, Math.floor(rnd() * 3_000_000), {
          kind: rnd() < 0.7 ? 'SPOT' : 'FORWARD',
          gradeRank: 1 + Math.floor(rnd() * 4),
          date: DATES[Math.floor(rnd() * DATES.length)] as string,
          regency: REGENCIES[Math.floor(rnd() * 3)] as string,
          eudrReady: rnd() < 0.9,
        }),
      );
    }
    const order: OrderSpec = { quantityG: 19_200_000 * 20, minGradeRank: 3 };
    const k: Constraints = { ...NONE, wholeBags: true, minContributionG: 120_000, maxSharePct: 2.5, eudrOnly: true };
    for (const s of STRATEGIES) {
      const r = planAllocation(order, cands, s, k);
      expectOk(r);
      expect(r.summary.allocatedG).toBe(order.quantityG);
    }
  });
});

describe('exact arithmetic helpers', () => {
  const safe = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.maxSafeNat());
  it('cmpMul equals the BigInt comparison', () => {
    fc.assert(
      fc.property(safe, safe, safe, safe, (a, b, c, d) => {
        const P = BigInt(a) * BigInt(b);
        const Q = BigInt(c) * BigInt(d);
        expect(cmpMul(a, b, c, d)).toBe(P < Q ? -1 : P > Q ? 1 : 0);
        expect(cmpMul(a, b, a, b)).toBe(0);
      }),
      { numRuns: 200 },
    );
    // near-ties where the double products are equal but the exact ones are not
    const big = 2 ** 53 - 1;
    expect(cmpMul(big, big - 1, big - 1, big)).toBe(0);
    expect(cmpMul(big, big, big - 1, big)).toBe(1);
    expect(cmpMul(big - 2, big, big - 1, big - 1)).toBe(-1); // (x-1)(x+1) < x²
  });

  it('mulDivFloor equals the BigInt quotient and remainder', () => {
    fc.assert(
      fc.property(safe, safe, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b, d) => {
        const P = BigInt(a) * BigInt(b);
        const D = BigInt(d);
        fc.pre(P / D <= BigInt(Number.MAX_SAFE_INTEGER));
        expect(mulDivFloor(a, b, d)).toEqual([Number(P / D), Number(P % D)]);
      }),
      { numRuns: 200 },
    );
  });

  it('TopSumTree.topSum equals the naive sum of the r largest remaining values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (values, removals) => {
          const desc = values.slice().sort((a, b) => b - a);
          const tree = new TopSumTree(desc);
          const present = desc.map(() => true);
          const check = () => {
            const rest = desc.filter((_, i) => present[i]);
            for (let r = 0; r <= rest.length + 1; r++) {
              expect(tree.topSum(r)).toBe(rest.slice(0, r).reduce((x, y) => x + y, 0));
            }
            expect(tree.topSum(-1)).toBe(-Infinity);
          };
          check();
          for (const k of removals) {
            const alive = present.flatMap((p, i) => (p ? [i] : []));
            if (alive.length === 0) break;
            const i = alive[k % alive.length] as number;
            present[i] = false;
            tree.remove(i, desc[i] as number);
            check();
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('huge weights (near 2^53 g) are planned exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 ** 49 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 100 }),
        (amounts, pctOfSupply) => {
          const cands = amounts.map((a, i) => cand(`h${i}`, `P${i % 5}`, a));
          const total = amounts.reduce((x, y) => x + y, 0);
          const Q = Math.max(1, Math.floor((total / 100) * pctOfSupply));
          for (const strategy of STRATEGIES) {
            const r = planAllocation({ quantityG: Q, minGradeRank: 1 }, cands, strategy, NONE);
            expectOk(r);
            checkInvariants({ quantityG: Q, minGradeRank: 1 }, cands, strategy, NONE, r);
            if (strategy === 'PRO_RATA') {
              const S = new Map<string, bigint>();
              for (const c of cands) S.set(c.producerId, (S.get(c.producerId) ?? 0n) + BigInt(c.availableG));
              const x = totalsByProducer(r);
              for (const [p, sp] of S) {
                // |x_p − Q·S_p/ΣS| < 1  ⇔  |x_p·ΣS − Q·S_p| < ΣS
                const diff = BigInt(x.get(p) ?? 0) * BigInt(total) - BigInt(Q) * sp;
                expect(diff < BigInt(total) && -diff < BigInt(total)).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------
// Reasons in Indonesian and English (issue 8 §4)
// ---------------------------------------------------------------------------

describe('line reasons in Indonesian and English', () => {
  const big = [
    cand('spec', 'A', 12_000_000, { gradeRank: 1, gradeCode: 'SPECIALTY', date: '2027-06-01' }),
    cand('g1', 'B', 9_000_000, { gradeRank: 2, gradeCode: '1', date: '2026-07-15' }),
    cand('fwd', 'C', 6_000_000, { gradeRank: 4, gradeCode: '3', date: '2027-06-01', kind: 'FORWARD' }),
  ];
  const order: OrderSpec = { quantityG: 19_200_000, minGradeRank: 4 };

  it('PRO_RATA: same figures, locale-formatted numbers, the grade by its code', () => {
    const r = planAllocation(order, big, 'PRO_RATA', { ...NONE, maxSharePct: 48.3 });
    expectOk(r);
    const spec = r.lines.find((l) => l.candidateId === 'spec');
    expect(spec?.reasonIn('en')).toBe(spec?.reason);
    expect(spec?.reason).toBe(
      'pro-rata share 44.44% of 19,200 kg (producer ships 8,533.333 kg of 12,000 kg eligible, cap 9,273.6 kg by max share 48.3%); ' +
        'grade SPECIALTY lot harvested 2027-06-01, filled best grade and oldest first',
    );
    expect(spec?.reasonIn('id')).toBe(
      'bagian pro-rata 44,44% dari 19.200 kg (produsen mengirim 8.533,333 kg dari 12.000 kg pasokan yang memenuhi syarat, ' +
        'batas 9.273,6 kg karena pangsa maksimum 48,3%); lot mutu SPECIALTY dipanen 2027-06-01, diisi mutu terbaik dan terlama lebih dulu',
    );
    expect(r.lines.find((l) => l.candidateId === 'fwd')?.reasonIn('id')).toContain('komitmen ke depan (minimal mutu 3) dikirim mulai 2027-06-01');
  });

  it.each(STRATEGIES)('%s: every line has a different text in each language, and both are the same under shuffling', (strategy) => {
    fc.assert(
      fc.property(mediumScenario, ({ cands, order: o, constraints, seed }) => {
        const r = planAllocation(o, cands, strategy, constraints);
        if (!r.ok) return;
        const again = planAllocation(o, shuffled(cands, seed), strategy, constraints);
        expectOk(again);
        for (const [i, l] of r.lines.entries()) {
          expect(l.reasonIn('id')).not.toBe(l.reasonIn('en'));
          expect(again.lines[i]?.reasonIn('id')).toBe(l.reasonIn('id'));
          expect(again.lines[i]?.reason).toBe(l.reason);
        }
      }),
      { numRuns: 30 },
    );
  });
});
