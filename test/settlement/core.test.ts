import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BasisLine, premiumFor, type PremiumRule, priceIdrPerKg, settleRun, toIdrMinor,
} from '../../src/modules/settlement/core.js';
import { PremiumsExceedNetError, SettlementWouldReduceError, NothingToSettleError } from '../../src/modules/settlement/errors.js';
import { Ratio } from '../../src/modules/settlement/ratio.js';
import { largestRemainder } from '../../src/modules/settlement/split.js';

/*
 * The worked example (all money in IDR sen: 100 sen = Rp 1; USD in cents).
 *
 * A 19,200 kg order at USD 4.10/kg: invoice USD 78,720.00. Brand fee 5 % (snapshot). Cooperative A
 * charges 2.5 %, cooperative B 3 %. Premium rule: SPECIALTY earns Rp 2,000/kg (200,000 sen/kg).
 *
 *   L1  P1 (coop A)  6,000 kg SPECIALTY
 *   L2  P2 (coop A)  3,600 kg grade 1   — a 4,800 kg line; P2 declared a 1,200 kg shortfall
 *   L3  P3 (coop B)  5,400 kg grade 2
 *   L4  P4 (coop B)  3,000 kg grade 1
 *   L5  P4 (coop B)  1,200 kg grade 1   — covers L2's shortfall (P2 earns nothing for it)
 *                   ---------
 *                   19,200 kg = W
 *
 * Payment 1: USD 40,000.00 at 16,234.50 IDR/USD → 4,000,000 × 16,234.5 = 64,938,000,000 sen.
 * One cost: freight USD 1,234.56 at 16,234.50 → 123,456 × 16,234.5 = 2,004,246,432 sen (exact).
 *
 * Run 1 (R = 64,938,000,000, C = 2,004,246,432):
 *   brand fee B = 5 % of R                       =  3,246,900,000
 *   net N = R − B − C                            = 59,686,853,568
 *   premiums P = 6,000 kg × 200,000              =  1,200,000,000
 *   base rate b = (N − P) / W = 58,486,853,568 / 19,200 = 3,046,190.29 sen/kg (Rp 30,461.9029/kg)
 *   gross L1 = 6,000 × (3,046,190.29 + 200,000) = 19,477,141,740     coop A 2.5 % = 486,928,543.5
 *   gross L2 = 3,600 × 3,046,190.29             = 10,966,285,044      coop A 2.5 % = 274,157,126.1
 *   gross L3 = 5,400 × 3,046,190.29             = 16,449,427,566      coop B 3 %   = 493,482,826.98
 *   gross L4 = 3,000 × 3,046,190.29             =  9,138,570,870      coop B 3 %   = 274,157,126.1
 *   gross L5 = 1,200 × 3,046,190.29             =  3,655,428,348      coop B 3 %   = 109,662,850.44
 *   exact shares: coop A 761,085,669.6; coop B 877,302,803.52;
 *     L1 18,990,213,196.5; L2 10,692,127,917.9; L3 15,955,944,739.02; L4 8,864,413,743.9; L5 3,545,765,497.56
 *   floors leave 4 sen; the largest remainders are L2 .9, L4 .9 (tie, both get one), coop A .6, L5 .56:
 *     coop A 761,085,670; coop B 877,302,803; L1 18,990,213,196; L2 10,692,127,918; L3 15,955,944,739;
 *     L4 8,864,413,744; L5 3,545,765,498 — and B + fees + C + payouts = 64,938,000,000 exactly.
 *
 * Payment 2: USD 38,720.00 at 16,180.25 → 3,872,000 × 16,180.25 = 62,649,928,000 sen. Run 2 settles only
 * the difference: ΔB = 5 % = 3,132,496,400; ΔN = 62,649,928,000 − 3,132,496,400 = 59,517,431,600 (no new
 * cost, premiums were paid in run 1); Δb = ΔN / W = 3,099,866.229166… sen/kg;
 *   Δgross L1 = 6,000 × Δb = 18,599,197,375;  Δ coop A: 2.5 % → 464,979,934.375; payout 18,134,217,440.625
 *   Δgross L2 = 3,600 × Δb = 11,159,518,425;             278,987,960.625;            10,880,530,464.375
 *   Δgross L3 = 5,400 × Δb = 16,739,277,637.5; coop B 3 % 502,178,329.125;           16,237,099,308.375
 *   Δgross L4 = 3,000 × Δb =  9,299,598,687.5;            278,987,960.625;            9,020,610,726.875
 *   Δgross L5 = 1,200 × Δb =  3,719,839,475;              111,595,184.25;             3,608,244,290.75
 *   coop A 743,967,895 (exact), coop B 892,761,474 (exact); 3 sen left: L4 .875, L5 .75, L1 .625.
 */

const SPECIALTY: PremiumRule = { appliesTo: 'GRADE', gradeCode: 'SPECIALTY', certification: null, perKgIdrMinor: 200_000, pricePct: null };
const line = (key: string, producerId: number, cooperativeId: number | null, kg: number, premiumPerKg: number, coopFeePct: string): BasisLine => ({
  key, producerId, cooperativeId, weightG: kg * 1000, premiumPerKg: Ratio.of(premiumPerKg), coopFeePct,
});
const EXAMPLE_LINES: BasisLine[] = [
  line('L1', 1, 101, 6000, 200_000, '2.5'),
  line('L2', 2, 101, 3600, 0, '2.5'),
  line('L3', 3, 102, 5400, 0, '3'),
  line('L4', 4, 102, 3000, 0, '3'),
  line('L5', 4, 102, 1200, 0, '3'),
];
const R1 = 64_938_000_000n;
const R2 = 62_649_928_000n;
const COST = 2_004_246_432n;

describe('settlement core: the worked example', () => {
  it('given the payment and rate, when converting to IDR, then the sen are exact', () => {
    expect(toIdrMinor(4_000_000, 'USD', Ratio.parse('16234.50'))).toBe(R1);
    expect(toIdrMinor(3_872_000, 'USD', Ratio.parse('16180.25'))).toBe(R2);
    expect(toIdrMinor(123_456, 'USD', Ratio.parse('16234.50'))).toBe(COST);
    // half a sen rounds up: USD 0.01 at 16234.55 = 16,234.55 sen → 16,235 (documented rounding of conversions)
    expect(toIdrMinor(1, 'USD', Ratio.parse('16234.55'))).toBe(16_235n);
  });

  it('given the SPECIALTY rule, when pricing the premium, then only SPECIALTY lines earn it', () => {
    const price = priceIdrPerKg(410, 'USD', Ratio.parse('16234.50'));
    expect(premiumFor([SPECIALTY], { gradeCode: 'SPECIALTY', certifications: [] }, price).perKg.toString()).toBe('200000');
    expect(premiumFor([SPECIALTY], { gradeCode: '1', certifications: [] }, price).perKg.isZero()).toBe(true);
  });

  it('given the first payment and the freight cost, when settling run 1, then every figure matches the hand computation', () => {
    const run = settleRun({ lines: EXAMPLE_LINES, brandFeePct: '5', receivedTotal: R1, previous: null, newCosts: [{ key: 'c1', idrMinor: COST }] });
    expect(run.brandFee).toBe(3_246_900_000n);
    expect(run.netTotal.toString()).toBe('59686853568');
    expect(run.premiumsTotal.toString()).toBe('1200000000');
    expect(run.baseRatePerKg.toFixed(2)).toBe('3046190.29');
    expect(run.cooperativeFees).toEqual([
      { cooperativeId: 101, feePct: '2.5', amount: 761_085_670n },
      { cooperativeId: 102, feePct: '3', amount: 877_302_803n },
    ]);
    expect(run.costShares).toEqual([{ key: 'c1', amount: COST }]);
    expect(run.lines.map((l) => l.amount)).toEqual([18_990_213_196n, 10_692_127_918n, 15_955_944_739n, 8_864_413_744n, 3_545_765_498n]);
    expect(run.statements.map((s) => [s.producerId, s.deliveredG, s.amount])).toEqual([
      [1, 6_000_000, 18_990_213_196n],
      [2, 3_600_000, 10_692_127_918n],
      [3, 5_400_000, 15_955_944_739n],
      [4, 4_200_000, 8_864_413_744n + 3_545_765_498n],
    ]);
    expect(run.brandFee + run.cooperativeFees.reduce((a, c) => a + c.amount, 0n) + run.costs + run.payouts).toBe(R1);
  });

  it('given a second payment, when settling run 2, then only the difference is settled and premiums are not paid twice', () => {
    const run = settleRun({
      lines: EXAMPLE_LINES, brandFeePct: '5', receivedTotal: R1 + R2, previous: { receivedTotal: R1, costsTotal: COST }, newCosts: [],
    });
    expect(run.received).toBe(R2);
    expect(run.brandFee).toBe(3_132_496_400n);
    expect(run.cooperativeFees.map((c) => c.amount)).toEqual([743_967_895n, 892_761_474n]);
    expect(run.costs).toBe(0n);
    expect(run.lines.map((l) => l.amount)).toEqual([18_134_217_441n, 10_880_530_464n, 16_237_099_308n, 9_020_610_727n, 3_608_244_291n]);
    expect(run.brandFee + run.cooperativeFees.reduce((a, c) => a + c.amount, 0n) + run.payouts).toBe(R2);
    // the cumulative base rate after both payments: (N − P) / W = (119,204,285,168 − 1,200,000,000) / 19,200
    expect(run.baseRatePerKg.toString()).toBe('7375267823/1200');
  });

  it('given premiums larger than the net, when settling, then a PremiumsExceedNetError names the figures', () => {
    const greedy = EXAMPLE_LINES.map((l) => ({ ...l, premiumPerKg: Ratio.of(5_000_000) }));
    let caught: unknown;
    try {
      settleRun({ lines: greedy, brandFeePct: '5', receivedTotal: R1, previous: null, newCosts: [] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PremiumsExceedNetError);
    const e = caught as PremiumsExceedNetError;
    expect(e.code).toBe('PREMIUMS_EXCEED_NET');
    expect(e.premiums).toBe('960000000.00'); // 19,200 kg × Rp 50,000
    expect(e.net).toBe('616911000.00'); // Rp 649,380,000 − 5 %
    expect(e.message).toContain('IDR 960000000.00');
  });

  it('given no new payment, when settling again, then NothingToSettleError; a later cost larger than the new money is refused', () => {
    expect(() => settleRun({ lines: EXAMPLE_LINES, brandFeePct: '5', receivedTotal: R1, previous: { receivedTotal: R1, costsTotal: COST }, newCosts: [] }))
      .toThrow(NothingToSettleError);
    expect(() => settleRun({
      lines: EXAMPLE_LINES, brandFeePct: '5', receivedTotal: R1 + 100n, previous: { receivedTotal: R1, costsTotal: COST }, newCosts: [{ key: 'c2', idrMinor: 1_000n }],
    })).toThrow(SettlementWouldReduceError);
  });
});

describe('largest remainder', () => {
  it('given a tie, when rounding, then the smaller key wins; the sum is the total', () => {
    const out = largestRemainder([{ key: 'b', exact: Ratio.of(1, 2) }, { key: 'a', exact: Ratio.of(1, 2) }], 1n);
    expect(out).toEqual([0n, 1n]);
  });
  it('given shares that do not add up, when rounding, then it refuses', () => {
    expect(() => largestRemainder([{ key: 'a', exact: Ratio.of(1, 3) }], 1n)).toThrow(RangeError);
  });
});

// Property tests -------------------------------------------------------------------------------

const arbLines = fc
  .array(
    fc.record({
      producerId: fc.integer({ min: 1, max: 40 }),
      cooperativeId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      weightG: fc.integer({ min: 1, max: 20_000_000 }),
      premium: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300_000 })),
      premiumDen: fc.integer({ min: 1, max: 7 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((rows) => {
    // a producer belongs to one cooperative; fees by cooperative
    const coopOf = new Map<number, number | null>();
    return rows.map((r, i): BasisLine => {
      if (!coopOf.has(r.producerId)) coopOf.set(r.producerId, r.cooperativeId);
      const coop = coopOf.get(r.producerId) ?? null;
      return {
        key: String(i).padStart(6, '0'),
        producerId: r.producerId,
        cooperativeId: coop,
        weightG: r.weightG,
        premiumPerKg: Ratio.of(r.premium, r.premiumDen),
        // a line without a cooperative pays no cooperative fee even when a fee is given
        coopFeePct: coop === null ? '5' : ['0', '2.5', '3', '7.25'][coop - 1]!,
      };
    });
  });

const arbRun = fc.record({
  lines: arbLines,
  brandFeePct: fc.constantFrom('0', '4.5', '5', '12.75'),
  payments: fc.array(fc.bigInt({ min: 1n, max: 200_000_000_000n }), { minLength: 1, maxLength: 3 }),
  costs: fc.array(fc.bigInt({ min: 1n, max: 500_000_000n }), { maxLength: 3 }),
});

function settleAll(input: { lines: BasisLine[]; brandFeePct: string; payments: bigint[]; costs: bigint[] }) {
  const runs = [];
  let previous: { receivedTotal: bigint; costsTotal: bigint } | null = null;
  let total = 0n;
  for (const [i, p] of input.payments.entries()) {
    total += p;
    const newCosts = i === 0 ? input.costs.map((c, j) => ({ key: `c${j}`, idrMinor: c })) : [];
    try {
      const run = settleRun({ lines: input.lines, brandFeePct: input.brandFeePct, receivedTotal: total, previous, newCosts });
      runs.push(run);
      previous = { receivedTotal: run.receivedTotal, costsTotal: run.costsTotal };
    } catch (e) {
      if (e instanceof PremiumsExceedNetError) break; // a typed refusal, tested above
      throw e;
    }
  }
  return runs;
}

describe('settlement core: properties', () => {
  it('payouts + fees + costs = received, exactly, in every run', () => {
    fc.assert(
      fc.property(arbRun, (input) => {
        for (const run of settleAll(input)) {
          const fees = run.brandFee + run.cooperativeFees.reduce((a, c) => a + c.amount, 0n);
          expect(run.payouts + fees + run.costs).toBe(run.received);
          expect(run.statements.reduce((a, s) => a + s.amount, 0n)).toBe(run.payouts);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('no payout, fee or line is negative', () => {
    fc.assert(
      fc.property(arbRun, (input) => {
        for (const run of settleAll(input)) {
          for (const l of run.lines) expect(l.amount >= 0n).toBe(true);
          for (const c of run.cooperativeFees) expect(c.amount >= 0n).toBe(true);
          expect(run.brandFee >= 0n).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the same input gives the same statements', () => {
    fc.assert(
      fc.property(arbRun, (input) => {
        const a = settleAll(input).map((r) => r.statements.map((s) => [s.producerId, s.deliveredG, s.amount.toString()]));
        const b = settleAll({ ...input, lines: input.lines.map((l) => ({ ...l, premiumPerKg: Ratio.of(l.premiumPerKg.num, l.premiumPerKg.den) })) })
          .map((r) => r.statements.map((s) => [s.producerId, s.deliveredG, s.amount.toString()]));
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });

  it('a producer earns by weight: with equal premiums, more delivered weight never earns less (before rounding by 1 sen)', () => {
    fc.assert(
      fc.property(arbRun, (input) => {
        const lines = input.lines.map((l) => ({ ...l, premiumPerKg: Ratio.ZERO, coopFeePct: '0', cooperativeId: null }));
        const [run] = settleAll({ ...input, lines, costs: [] });
        if (!run) return;
        const sorted = [...run.lines].sort((x, y) => x.weightG - y.weightG);
        for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.amount + 1n >= sorted[i - 1]!.amount).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
