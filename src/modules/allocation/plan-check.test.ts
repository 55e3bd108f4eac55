import { describe, expect, it } from 'vitest';
import type { Candidate, PlanLine } from './engine.js';
import { planStillHolds } from './plan-check.js';

const lot = (id: number, availableG: number, over: Partial<Candidate> = {}): Candidate => ({
  id: `L${id}`, kind: 'SPOT', producerId: String(100 + id), gradeRank: 1, gradeCode: '1', availableG, date: '2026-06-15',
  regency: 'bondowoso', eudrReady: true, ...over,
});
const line = (candidateId: string, weightG: number): PlanLine => ({ candidateId, kind: 'SPOT', producerId: '101', weightG, reason: 'r' });

describe('planStillHolds', () => {
  it('given the planned rows unchanged, then the plan holds', () => {
    expect(planStillHolds([line('L1', 300_000)], [lot(1, 400_000)], [lot(1, 400_000)])).toBeNull();
  });

  it('given a planned row with less weight left that still covers its line, then the plan holds', () => {
    expect(planStillHolds([line('L1', 300_000)], [lot(1, 400_000)], [lot(1, 300_000)])).toBeNull();
  });

  it('given a row the plan does not use moved, then the plan holds', () => {
    expect(planStillHolds([line('L1', 300_000)], [lot(1, 400_000), lot(2, 400_000)], [lot(1, 400_000), lot(2, 0, { gradeRank: 3 })])).toBeNull();
  });

  it('given a planned row with less weight left than its lines take together, then it names the row', () => {
    expect(planStillHolds([line('L1', 200_000), line('L1', 150_000)], [lot(1, 400_000)], [lot(1, 300_000)])).toBe(
      'L1 has 300000 g left, the plan takes 350000 g',
    );
  });

  it('given a planned row that is no longer a candidate (used up, off-grade, withdrawn, member suspended), then it names the row', () => {
    expect(planStillHolds([line('L1', 300_000)], [lot(1, 400_000)], [])).toBe('L1 is no longer a candidate');
  });

  it.each([
    ['grade', { gradeRank: 2, gradeCode: '2' }],
    ['date', { date: '2026-07-01' }],
    ['regency', { regency: 'jember' }],
    ['EUDR readiness', { eudrReady: false }],
    ['producer', { producerId: '999' }],
  ] as const)('given a planned row whose %s changed, then the plan does not hold', (_what, change) => {
    expect(planStillHolds([line('L1', 300_000)], [lot(1, 400_000)], [lot(1, 400_000, change)])).toBe('L1 changed since it was planned');
  });

  it('given a line on a row that was not among the candidates planned on, then it is a bug and throws', () => {
    expect(() => planStillHolds([line('L9', 1)], [lot(1, 400_000)], [lot(1, 400_000)])).toThrow(/not a candidate/);
  });
});
