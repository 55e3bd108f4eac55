import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/platform/graphql/ids.js';
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_PRODUCTS, seedIfEmpty } from '../../src/seed/seed.js';
import { createTestApp, type TestApp } from '../support/app.js';

// Issue 8 §1: allocation reasons printed the grade's rank ("grade 2" for a grade 1 lot) instead of
// the code the brand's scheme gives it. The demo brand's scheme has SPECIALTY (rank 1) above SNI
// grade 1 (rank 2), so rank and code differ on every line.

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { __typename ... on LoginPayload { token } ... on Error { code } }
  }`;

/** The README's demo order (step 2). */
const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ... on Order { id }
      ... on Error { code message }
    }
  }`;

/** The README's demo preview (step 3), plus each line's grade. */
const PREVIEW = /* GraphQL */ `
  query PreviewAllocation($input: PreviewAllocationInput!) {
    previewAllocation(input: $input) {
      __typename
      ... on AllocationPlan { lines { kind weight reason grade { code rank } } }
      ... on Error { code message }
    }
  }`;

interface Line { kind: 'SPOT' | 'FORWARD'; weight: string; reason: string; grade: { code: string; rank: number } }

const silent = { info: () => {} };

describe('allocation line reasons name the grade by its scheme code', () => {
  let t: TestApp;
  let lines: Line[] = [];
  beforeAll(async () => {
    // Given the demo data, the buyer's 19,200 kg order of grade 3 or better
    t = await createTestApp();
    await seedIfEmpty(t.database.db, silent);
    const token = async (email: string): Promise<string> => {
      const res = await t.gql(LOGIN, { input: { email, password: DEMO_PASSWORD } });
      return res.data.login.token as string;
    };
    const product = await t.database.db
      .selectFrom('products').select('id').where('name', '=', DEMO_PRODUCTS.arabica.name).executeTakeFirstOrThrow();
    const placed = await t.gql(PLACE_ORDER, {
      input: {
        productId: globalId('Product', product.id), minGrade: '3', quantity: '19200', wholeBags: true,
        windowStart: '2027-05-01', windowEnd: '2027-09-30', destinationCountry: 'EG', incoterm: 'FOB',
        price: { amount: '4.10', currency: 'USD' }, notes: 'One 20-ft container for Alexandria',
        idempotencyKey: 'demo-order-0001',
      },
    }, await token(DEMO_LOGINS.buyer.email));
    expect(placed.data.placeOrder.__typename).toBe('Order');
    // When the brand manager previews it as in the README
    const res = await t.gql(PREVIEW, {
      input: { orderId: placed.data.placeOrder.id, strategy: 'PRO_RATA', constraints: { maxSharePct: '10', eudrOnly: true } },
    }, await token(DEMO_LOGINS.manager.email));
    expect(res.data.previewAllocation.__typename).toBe('AllocationPlan');
    lines = res.data.previewAllocation.lines as Line[];
  });
  afterAll(async () => { await t?.close(); });

  it('says "grade <code> lot" for a spot line and "(min grade <code>)" for a forward line', () => {
    // Then every reason names the line's own grade code, never its rank
    expect(lines.length).toBeGreaterThan(0);
    const kinds = new Set(lines.map((l) => l.kind));
    expect(kinds).toEqual(new Set(['SPOT', 'FORWARD']));
    expect(lines.some((l) => l.grade.code !== String(l.grade.rank))).toBe(true);
    for (const l of lines) {
      const named = l.kind === 'SPOT' ? `; grade ${l.grade.code} lot harvested ` : `; forward commitment (min grade ${l.grade.code}) delivering from `;
      expect(l.reason).toContain(named);
      expect(l.reason).not.toContain('grade rank');
    }
  });

  it('prints the README example reason verbatim', () => {
    // The README quotes one line's reason; the seed is deterministic, so update both together.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const quoted = /each line says why, e\.g\. \*"([^"]+)"\*/s.exec(readme)?.[1]?.replace(/\s+/g, ' ');
    expect(quoted).toBeDefined();
    expect(lines.map((l) => l.reason)).toContain(quoted);
  });
});
