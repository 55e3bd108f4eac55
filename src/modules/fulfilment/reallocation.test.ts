import { describe, expect, it } from 'vitest';
import type { StoredConstraints } from '../allocation/constraints.js';
import type { Candidate } from '../allocation/engine.js';
import { orderShareCapG, shortfallPlanInputs } from './reallocation.js';

const none: StoredConstraints = { wholeBags: false, minContributionG: 0, maxSharePct: null, regencies: null, eudrOnly: false, supply: 'EITHER' };
const cand = (id: string, producerId: string, availableG: number): Candidate => ({
  id, kind: 'SPOT', producerId, gradeRank: 1, availableG, date: '2026-08-01', regency: 'bondowoso', eudrReady: true,
});

describe('shortfall planning inputs', () => {
  it('the order-wide share cap is ⌊pct · quantity⌋, whole bags when required', () => {
    expect(orderShareCapG(1_000_000, none)).toBeNull();
    expect(orderShareCapG(1_000_000, { ...none, maxSharePct: '33.3333' })).toBe(333_333);
    expect(orderShareCapG(1_000_000, { ...none, maxSharePct: '33.3333', wholeBags: true })).toBe(300_000);
  });

  it('without a cap, candidates pass unchanged and the engine gets no cap either', () => {
    const { candidates, constraints } = shortfallPlanInputs([cand('L1', '1', 500)], {
      orderQuantityG: 1000, shortfallG: 100, constraints: { ...none, regencies: [' Jember '] }, heldByProducer: new Map(),
    });
    expect(candidates).toEqual([cand('L1', '1', 500)]);
    expect(constraints).toMatchObject({ maxSharePct: null, regencies: ['jember'], minContributionG: 0 });
  });

  it('trims each producer\'s candidates (in order) to its head-room under the cap and drops producers at the cap', () => {
    const { candidates } = shortfallPlanInputs(
      [cand('L1', 'a', 300), cand('L2', 'a', 300), cand('L3', 'b', 900), cand('C4', 'c', 50)],
      { orderQuantityG: 1000, shortfallG: 400, constraints: { ...none, maxSharePct: '40' }, heldByProducer: new Map([['a', 0], ['b', 400], ['c', 100]]) },
    );
    expect(candidates.map((c) => [c.id, c.availableG])).toEqual([['L1', 300], ['L2', 100], ['C4', 50]]);
  });

  it('with whole bags, head-room is whole bags', () => {
    const { candidates } = shortfallPlanInputs([cand('L1', 'a', 1_000_000)], {
      orderQuantityG: 1_200_000, shortfallG: 120_000, constraints: { ...none, wholeBags: true, maxSharePct: '50' },
      heldByProducer: new Map([['a', 540_000]]),
    });
    expect(candidates.map((c) => c.availableG)).toEqual([60_000]);
  });

  it('the minimum contribution is capped at the shortfall', () => {
    const input = { orderQuantityG: 1_000_000, heldByProducer: new Map(), constraints: { ...none, minContributionG: 300_000 } };
    expect(shortfallPlanInputs([], { ...input, shortfallG: 100_000 }).constraints.minContributionG).toBe(100_000);
    expect(shortfallPlanInputs([], { ...input, shortfallG: 500_000 }).constraints.minContributionG).toBe(300_000);
  });
});
