import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/platform/errors.js';
import {
  computeShu, FULL_BP, largestRemainder, parseSplit, pctToBp, ShuNotDistributableError, type Split,
} from '../../src/modules/shu/shu-core.js';

/** The common split from domain.md: 40 % reserve, 25 % transactions, 15 % capital, 5 % each to four funds. */
const COMMON_SPLIT = {
  reservePct: '40',
  transactionsPct: '25',
  capitalPct: '15',
  funds: [
    { name: 'Dana pengurus', pct: '5' },
    { name: 'Dana karyawan', pct: '5' },
    { name: 'Dana pendidikan', pct: '5' },
    { name: 'Dana sosial', pct: '5' },
  ],
};

function validationPaths(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => i.path);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('largestRemainder', () => {
  it('gives the leftover units to the largest remainders, ties to the smaller key', () => {
    // given 10 over three equal weights: quotas 3.33… each, one unit left over
    // when split
    // then the smallest key gets it, whatever the input order
    expect(largestRemainder(10, [{ key: 3, weight: 1 }, { key: 1, weight: 1 }, { key: 2, weight: 1 }])).toEqual([3, 4, 3]);
    // 100 over [50, 30, 20, 1] (dinero.js gives the 1 nothing): quotas 49.50, 29.70, 19.80, 0.99
    expect(largestRemainder(100, [50, 30, 20, 1].map((weight, key) => ({ key, weight })))).toEqual([49, 30, 20, 1]);
  });

  it('gives nothing to a zero weight, splits 0 into zeros, and refuses weights that sum to 0', () => {
    expect(largestRemainder(7, [{ key: 1, weight: 0 }, { key: 2, weight: 3 }])).toEqual([0, 7]);
    expect(largestRemainder(0, [{ key: 1, weight: 0 }])).toEqual([0]);
    expect(() => largestRemainder(5, [{ key: 1, weight: 0 }])).toThrow(RangeError);
    expect(() => largestRemainder(5, [{ key: 1, weight: 1 }, { key: 1, weight: 2 }])).toThrow(/duplicate key/);
  });

  it('is exact beyond 2^53 in the products (10^15 over weights near 10^15)', () => {
    const parts = largestRemainder(1e15, [{ key: 1, weight: 999_999_999_999_999 }, { key: 2, weight: 1 }]);
    expect(parts).toEqual([999_999_999_999_999, 1]);
  });

  const itemsArb = fc.uniqueArray(
    fc.record({ key: fc.integer({ min: 1, max: 10_000 }), weight: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e15 })) }),
    { minLength: 1, maxLength: 40, selector: (i) => i.key },
  ).filter((items) => items.some((i) => i.weight > 0));
  const totalArb = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1e15 }));

  it('property: the parts sum to the total, each within one unit of its exact quota, zero weight gets zero', () => {
    fc.assert(
      fc.property(totalArb, itemsArb, (total, items) => {
        const parts = largestRemainder(total, items);
        const W = items.reduce((s, i) => s + BigInt(i.weight), 0n);
        expect(parts.reduce((s, p) => s + BigInt(p), 0n)).toBe(BigInt(total));
        items.forEach((item, i) => {
          const part = parts[i]!;
          expect(part).toBeGreaterThanOrEqual(0);
          // |part − total·w/W| < 1  ⇔  |part·W − total·w| < W
          const diff = BigInt(part) * W - BigInt(total) * BigInt(item.weight);
          expect(diff < W && -diff < W).toBe(true);
          if (item.weight === 0) expect(part).toBe(0);
        });
      }),
    );
  });

  it('property: the same input in any order gives the same parts per key, and more weight never gets less', () => {
    fc.assert(
      fc.property(totalArb, itemsArb, fc.nat(), (total, items, seed) => {
        const byKey = (list: typeof items) => {
          const parts = largestRemainder(total, list);
          return new Map(list.map((item, i) => [item.key, parts[i]!]));
        };
        const shuffled = [...items].sort((a, b) => ((a.key * 2654435761 + seed) % 97) - ((b.key * 2654435761 + seed) % 97));
        const a = byKey(items);
        expect(byKey(shuffled)).toEqual(a);
        for (const x of items) for (const y of items) if (x.weight > y.weight) expect(a.get(x.key)!).toBeGreaterThanOrEqual(a.get(y.key)!);
      }),
    );
  });
});

describe('parseSplit (the statutes\' SHU split)', () => {
  it('reads the common split into basis points', () => {
    expect(parseSplit(COMMON_SPLIT)).toEqual({
      reserveBp: 4000, transactionsBp: 2500, capitalBp: 1500,
      funds: COMMON_SPLIT.funds.map((f) => ({ name: f.name, bp: 500 })),
    });
    expect(pctToBp('12.5')).toBe(1250);
    expect(pctToBp('0.01')).toBe(1);
    expect(pctToBp('100.00')).toBe(10_000);
    for (const bad of ['100.01', '-1', '1.234', 'abc', '1e2', '']) expect(pctToBp(bad)).toBeNull();
  });

  it('refuses a split above 100 % (and below), naming the fields and the sum', () => {
    // given the common split with the social fund at 10 % (sum 105 %)
    const above = { ...COMMON_SPLIT, funds: [...COMMON_SPLIT.funds.slice(0, 3), { name: 'Dana sosial', pct: '10' }] };
    // when parsed / then refused with the sum in the message
    expect(() => parseSplit(above)).toThrow(/must sum to exactly 100 %, got 105.00 %/);
    expect(validationPaths(() => parseSplit(above))).toEqual(['input']);
    expect(() => parseSplit({ ...COMMON_SPLIT, reservePct: '39.99' })).toThrow(/got 99.99 %/);
  });

  it('names every bad field: percentage out of range or too precise, empty or duplicate fund name, too many funds', () => {
    expect(validationPaths(() => parseSplit({ ...COMMON_SPLIT, reservePct: '140', capitalPct: '1.005' }))).toEqual(['input.reservePct', 'input.capitalPct']);
    expect(validationPaths(() => parseSplit({ ...COMMON_SPLIT, funds: [{ name: ' ', pct: '10' }, { name: 'Dana Sosial', pct: '5' }, { name: 'dana sosial', pct: '5' }, { name: 'Reserve', pct: '0' }] })))
      .toEqual(['input.funds.0.name', 'input.funds.2.name', 'input.funds.3.name']);
    const many = Array.from({ length: 21 }, (_, i) => ({ name: `Fund ${i}`, pct: '0' }));
    expect(validationPaths(() => parseSplit({ reservePct: '40', transactionsPct: '30', capitalPct: '30', funds: many }))).toEqual(['input.funds']);
  });
});

describe('computeShu', () => {
  const split = parseSplit(COMMON_SPLIT);

  it('worked example: five members, Rp 50,000,003 of SHU, computed by hand', () => {
    // given the year's SHU of Rp 50,000,003 and the common split (40/25/15/5/5/5/5):
    //   reserve      40 % → 20,000,001.20      floor 20,000,001  rem .20
    //   transactions 25 % → 12,500,000.75      floor 12,500,000  rem .75  +1 → 12,500,001
    //   capital      15 % →  7,500,000.45      floor  7,500,000  rem .45  +1 →  7,500,001
    //   4 funds × 5 %     →  2,500,000.15 each floor  2,500,000  rem .15
    //   floors sum to 50,000,001: 2 rupiah left over → the two largest remainders (transactions, capital)
    // and five members (producer ids 11 … 15) with transactions T = 75,000,000 and capital C = 4,000,000:
    //   id  transactions  capital    12,500,001·t/T                 7,500,001·c/C
    //   11  30,000,000    1,200,000  5,000,000.4 → 5,000,000        2,250,000.3  → 2,250,000 +1 (tie with 12, smaller id)
    //   12  20,000,000    1,200,000  3,333,333.6 → 3,333,333 +1     2,250,000.3  → 2,250,000
    //   13  10,000,000      600,000  1,666,666.8 → 1,666,666 +1     1,125,000.15 → 1,125,000
    //   14           0      600,000          0                      1,125,000.15 → 1,125,000
    //   15  15,000,000      400,000  2,500,000.2 → 2,500,000          750,000.1  →   750,000
    //   transactions floors sum to 12,499,999: 2 left → remainders .8 (13) and .6 (12)
    //   capital floors sum to 7,500,000: 1 left → remainders .3 tie between 11 and 12 → 11 (smaller id)
    const members = [
      { producerId: 14, transactions: 0, capital: 600_000 },
      { producerId: 12, transactions: 20_000_000, capital: 1_200_000 },
      { producerId: 15, transactions: 15_000_000, capital: 400_000 },
      { producerId: 11, transactions: 30_000_000, capital: 1_200_000 },
      { producerId: 13, transactions: 10_000_000, capital: 600_000 },
    ];
    // when computed
    const result = computeShu(50_000_003, split, members);
    // then
    expect(result.funds.map((f) => [f.kind, f.name, f.bp, f.amount])).toEqual([
      ['RESERVE', 'Dana cadangan', 4000, 20_000_001],
      ['MEMBERS_TRANSACTIONS', 'Jasa anggota (transaksi)', 2500, 12_500_001],
      ['MEMBERS_CAPITAL', 'Jasa modal (simpanan)', 1500, 7_500_001],
      ['FUND', 'Dana pengurus', 500, 2_500_000],
      ['FUND', 'Dana karyawan', 500, 2_500_000],
      ['FUND', 'Dana pendidikan', 500, 2_500_000],
      ['FUND', 'Dana sosial', 500, 2_500_000],
    ]);
    expect(result.members.map((m) => [m.producerId, m.transactionsPart, m.capitalPart, m.total])).toEqual([
      [11, 5_000_000, 2_250_001, 7_250_001],
      [12, 3_333_334, 2_250_000, 5_583_334],
      [13, 1_666_667, 1_125_000, 2_791_667],
      [14, 0, 1_125_000, 1_125_000],
      [15, 2_500_000, 750_000, 3_250_000],
    ]);
    expect(result.totals).toEqual({
      transactions: 75_000_000, capital: 4_000_000, transactionsPart: 12_500_001, capitalPart: 7_500_001, total: 20_000_002,
    });
    expect(result.funds.reduce((s, f) => s + f.amount, 0)).toBe(50_000_003);
  });

  it('refuses a members\' part that nothing can split: no deliveries, or no capital', () => {
    expect(() => computeShu(1000, split, [{ producerId: 1, transactions: 0, capital: 5 }])).toThrow(ShuNotDistributableError);
    expect(() => computeShu(1000, split, [{ producerId: 1, transactions: 5, capital: 0 }])).toThrow(/part for capital \(150\)/);
    // with transactionsPct 0 a year without deliveries splits fine
    const noTransactions: Split = { ...split, transactionsBp: 0, reserveBp: 6500 };
    expect(computeShu(1000, noTransactions, [{ producerId: 1, transactions: 0, capital: 5 }]).members[0]!.total).toBe(150);
  });

  const splitArb: fc.Arbitrary<Split> = fc
    .array(fc.integer({ min: 0, max: FULL_BP }), { minLength: 2, maxLength: 10 })
    .map((cuts) => {
      // random cut points of [0, 10000] give parts that sum to exactly 10,000
      const points = [0, ...cuts.sort((a, b) => a - b), FULL_BP];
      const parts = points.slice(1).map((p, i) => p - points[i]!);
      return {
        reserveBp: parts[0]!, transactionsBp: parts[1]!, capitalBp: parts[2] ?? 0,
        funds: parts.slice(3).map((bp, i) => ({ name: `Fund ${i}`, bp })),
      };
    });
  const membersArb = fc.uniqueArray(
    fc.record({
      producerId: fc.integer({ min: 1, max: 100_000 }),
      transactions: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e13 })),
      capital: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e11 })),
    }),
    { minLength: 1, maxLength: 60, selector: (m) => m.producerId },
  ).filter((ms) => ms.some((m) => m.transactions > 0) && ms.some((m) => m.capital > 0));

  it('property: funds sum to the SHU, members\' shares sum exactly to the members\' part, nothing negative, same input same output', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e13 }), splitArb, membersArb, (amount, s, members) => {
        const result = computeShu(amount, s, members);
        expect(result.funds.reduce((sum, f) => sum + f.amount, 0)).toBe(amount);
        const membersPart = result.funds[1]!.amount + result.funds[2]!.amount;
        expect(result.members.reduce((sum, m) => sum + m.total, 0)).toBe(membersPart);
        expect(result.members.reduce((sum, m) => sum + m.transactionsPart, 0)).toBe(result.funds[1]!.amount);
        expect(result.members.reduce((sum, m) => sum + m.capitalPart, 0)).toBe(result.funds[2]!.amount);
        for (const m of result.members) {
          expect(m.transactionsPart).toBeGreaterThanOrEqual(0);
          expect(m.capitalPart).toBeGreaterThanOrEqual(0);
          expect(m.total).toBe(m.transactionsPart + m.capitalPart);
        }
        expect(computeShu(amount, s, [...members].reverse())).toEqual(result);
      }),
    );
  });
});
