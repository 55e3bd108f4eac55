import { describe, expect, it } from 'vitest';
import { actualCost } from './cost.js';

/** A result object as graphql-js builds it (no prototype). */
const row = (fields: Record<string, unknown>) => Object.assign(Object.create(null) as Record<string, unknown>, fields);

describe('actualCost', () => {
  it('counts 1 per field present, a list by its real length, and nothing for __typename or scalars', () => {
    expect(actualCost(null)).toBe(0);
    expect(actualCost({ __typename: 'Query' })).toBe(0);
    expect(actualCost(row({ a: 1, b: null, c: 'x' }))).toBe(3);
    // availability { spotWeight byGrade { grade { code } spotWeight } }: 1 + 1 + 2 × (1 + 1 + 1 + 1)
    const answer = row({
      availability: row({
        __typename: 'Availability',
        spotWeight: '1',
        byGrade: [row({ grade: row({ code: '1' }), spotWeight: '1' }), row({ grade: row({ code: '2' }), spotWeight: '2' })],
      }),
    });
    expect(actualCost(answer)).toBe(1 + 1 + 1 + 2 * 3);
    // A list field costs 1, its items what they hold; an empty list only the 1.
    expect(actualCost(row({ edges: [] }))).toBe(1);
    expect(actualCost(row({ ids: ['a', 'b'] }))).toBe(1);
    expect(actualCost(row({ nested: [[row({ x: 1 })], [row({ x: 2 }), row({ x: 3 })]] }))).toBe(1 + 3);
  });
});
