import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/platform/graphql/ids.js';
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_PRODUCTS, seedIfEmpty } from '../../src/seed/seed.js';
import { createTestApp, type TestApp } from '../support/app.js';

// Issue 8 §4: allocation reasons, the fairness explanation, the acceptance's order event, the lots'
// provenance summaries and the trace's event summaries, in Indonesian and English by
// Accept-Language. The same plan in both languages has the same weights, kinds and grade codes;
// only the texts differ, with the numbers formatted for the language (19.200 kg / 19,200 kg).

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { __typename ... on LoginPayload { token } ... on Error { code } }
  }`;

const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) { __typename ... on Order { id } ... on Error { code message } }
  }`;

const PREVIEW = /* GraphQL */ `
  query PreviewAllocation($input: PreviewAllocationInput!) {
    previewAllocation(input: $input) {
      __typename
      ... on AllocationPlan {
        lines { kind weight reason grade { code rank } }
        summary { contributors fairness fairnessExplanation }
      }
      ... on Error { code message }
    }
  }`;

const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptOrderInput!) {
    acceptOrder(input: $input) { __typename ... on Order { id status } ... on Error { code message } }
  }`;

const ORDER = /* GraphQL */ `
  query Order($id: ID!) {
    node(id: $id) {
      ... on Order {
        events { to reason }
        lines { kind weight reason lot { history { kind summary } } }
      }
    }
  }`;

const TRACE = /* GraphQL */ `
  query Trace($id: ID!) {
    orderTrace(orderId: $id) { __typename ... on OrderTrace { events { kind weight summary } } ... on Error { code } }
  }`;

interface Line { kind: string; weight: string; reason: string; grade: { code: string; rank: number } }

const silent = { info: () => {} };

let t: TestApp;
let manager = '';
let orderId = '';

/** POST /graphql with an Accept-Language header. */
async function gql(query: string, variables: Record<string, unknown>, token: string, acceptLanguage: string) {
  const res = await t.gql(query, variables, token, acceptLanguage);
  expect(res.statusCode).toBe(200);
  return res.data;
}

beforeAll(async () => {
  // Given the demo data and the buyer's 19,200 kg order of grade 3 or better (the README's)
  t = await createTestApp();
  await seedIfEmpty(t.database.db, silent);
  const token = async (email: string): Promise<string> => (await t.gql(LOGIN, { input: { email, password: DEMO_PASSWORD } })).data.login.token as string;
  const product = await t.database.db.selectFrom('products').select('id').where('name', '=', DEMO_PRODUCTS.arabica.name).executeTakeFirstOrThrow();
  const placed = await t.gql(PLACE_ORDER, {
    input: {
      productId: globalId('Product', product.id), minGrade: '3', quantity: '19200', wholeBags: true,
      windowStart: '2027-05-01', windowEnd: '2027-09-30', destinationCountry: 'EG', incoterm: 'FOB',
      price: { amount: '4.10', currency: 'USD' }, idempotencyKey: 'language-order-0001',
    },
  }, await token(DEMO_LOGINS.buyer.email));
  expect(placed.data.placeOrder.__typename).toBe('Order');
  orderId = placed.data.placeOrder.id as string;
  manager = await token(DEMO_LOGINS.manager.email);
});
afterAll(async () => { await t?.close(); });

const INPUT = () => ({ orderId, strategy: 'PRO_RATA', constraints: { maxSharePct: '10', eudrOnly: true } });

describe('previewAllocation in Indonesian and English', () => {
  let en: { lines: Line[]; summary: Record<string, any> };
  let id: { lines: Line[]; summary: Record<string, any> };
  beforeAll(async () => {
    // When the brand manager previews the same plan in English and in Indonesian
    const a = (await gql(PREVIEW, { input: INPUT() }, manager, 'en')).previewAllocation;
    const b = (await gql(PREVIEW, { input: INPUT() }, manager, 'id-ID')).previewAllocation;
    expect(a.__typename).toBe('AllocationPlan');
    expect(b.__typename).toBe('AllocationPlan');
    en = a;
    id = b;
  });

  it('gives the same lines: kinds, weights and grade codes', () => {
    // Then the figures are the same in both
    const figures = (p: typeof en) => p.lines.map((l) => [l.kind, l.weight, l.grade.code, l.grade.rank]);
    expect(id.lines.length).toBeGreaterThan(1);
    expect(figures(id)).toEqual(figures(en));
    expect(id.summary.fairness).toBe(en.summary.fairness);
    expect(id.summary.contributors).toBe(en.summary.contributors);
  });

  it('explains each line in the language, with its numbers formatted for it and the grade by its code', () => {
    for (const [i, l] of id.lines.entries()) {
      const e = en.lines[i]!;
      expect(l.reason).not.toBe(e.reason);
      // the order, 19,200 kg, is named in every pro-rata reason
      expect(e.reason).toContain('of 19,200 kg');
      expect(l.reason).toContain('dari 19.200 kg');
      expect(l.reason).toContain(l.kind === 'SPOT' ? `; lot mutu ${l.grade.code} dipanen ` : `; komitmen ke depan (minimal mutu ${l.grade.code}) dikirim mulai `);
      expect(l.reason).toContain('diisi mutu terbaik dan terlama lebih dulu');
      expect(l.reason).not.toMatch(/\d,\d{3} kg/); // no English thousands separator left
    }
    // the max share, 10 %, and a decimal share in each language's mark
    expect(id.lines.some((l) => /bagian pro-rata \d+,\d+% dari/.test(l.reason))).toBe(true);
    expect(en.lines.some((l) => /pro-rata share \d+\.\d+% of/.test(l.reason))).toBe(true);
  });

  it('prints the README\'s Indonesian example reason verbatim', () => {
    // The README quotes one line in both languages; the seed is deterministic, so update both together.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const quoted = /With `Accept-Language: id` the\s+same line reads \*"([^"]+)"\*/s.exec(readme)?.[1]?.replace(/\s+/g, ' ');
    expect(quoted).toBeDefined();
    expect(id.lines.map((l) => l.reason)).toContain(quoted);
  });

  it('explains the fairness index in the language', () => {
    const fairness = String(en.summary.fairness);
    expect(en.summary.fairnessExplanation).toContain(`Jain's fairness index ${fairness} over the`);
    expect(id.summary.fairnessExplanation).toContain(`Indeks keadilan Jain ${fairness.replace('.', ',')} atas`);
    expect(id.summary.fairnessExplanation).toContain(`${en.summary.contributors} dari`);
  });
});

describe('after acceptance: stored reasons, the order event, provenance and trace in both languages', () => {
  let en: Record<string, any>;
  let id: Record<string, any>;
  let preview: Line[];
  beforeAll(async () => {
    // When the brand manager accepts the order (asking in Indonesian) and it is read in both languages
    preview = (await gql(PREVIEW, { input: INPUT() }, manager, 'id')).previewAllocation.lines;
    const accepted = (await gql(ACCEPT, { input: { ...INPUT(), idempotencyKey: 'language-accept-0001' } }, manager, 'id')).acceptOrder;
    expect(accepted).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
    en = (await gql(ORDER, { id: orderId }, manager, 'en')).node;
    id = (await gql(ORDER, { id: orderId }, manager, 'id')).node;
  });

  it('stores each line\'s reason in both languages, as the preview showed it', () => {
    // Then the written lines read as previewed, in the language asked for when reading
    const sorted = (ls: Line[]) => ls.map((l) => l.reason).sort();
    expect(sorted(id.lines)).toEqual(sorted(preview));
    expect(id.lines.map((l: Line) => l.weight)).toEqual(en.lines.map((l: Line) => l.weight));
    for (const [i, l] of id.lines.entries()) {
      expect(l.reason).toContain('dari 19.200 kg');
      expect(en.lines[i].reason).toContain('of 19,200 kg');
    }
  });

  it('falls back to the English reason for a line written before Indonesian was stored (reason_id NULL)', async () => {
    // Given a line as migration 0320 leaves older lines
    const [line] = await t.database.db.selectFrom('allocation_lines').select(['id', 'reason']).orderBy('id').limit(1).execute();
    await t.database.db.updateTable('allocation_lines').set({ reason_id: null }).where('id', '=', line!.id).execute();
    // When it is read in Indonesian, then it says what it always said
    const read = await gql(/* GraphQL */ `query L($id: ID!) { node(id: $id) { ... on AllocationLine { reason } } }`,
      { id: globalId('AllocationLine', line!.id) }, manager, 'id');
    expect(read.node.reason).toBe(line!.reason);
  });

  it('writes the acceptance\'s order event in both languages', () => {
    const accepted = (o: Record<string, any>) => o.events.find((e: { to: string }) => e.to === 'ACCEPTED').reason as string;
    expect(accepted(en)).toMatch(/^Accepted with PRO_RATA: \d+ line\(s\) from \d+ producer\(s\), [\d,.]+ kg spot and [\d,.]+ kg forward$/);
    expect(accepted(id)).toMatch(/^Diterima dengan PRO_RATA: \d+ baris dari \d+ produsen, [\d.,]+ kg dari gudang dan [\d.,]+ kg dari komitmen ke depan$/);
  });

  it('summarises the lots\' provenance events in the language', () => {
    const spot = id.lines.findIndex((l: Line) => l.kind === 'SPOT');
    const declared = (o: Record<string, any>) => o.lines[spot].lot.history.find((e: { kind: string }) => e.kind === 'DECLARED').summary as string;
    const assessed = (o: Record<string, any>) => o.lines[spot].lot.history.find((e: { kind: string }) => e.kind === 'ASSESSED').summary as string;
    expect(declared(en)).toMatch(/^Declared [\d,.]+ kg from \d+ plot\(s\), harvested \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
    expect(declared(id)).toMatch(/^Dideklarasikan [\d.,]+ kg dari \d+ lahan, dipanen \d{4}-\d\d-\d\d s\.d\. \d{4}-\d\d-\d\d$/);
    expect(assessed(en)).toMatch(/^Assessed grade \S+ \(defect value [\d.]+, scheme v\d+\)$/);
    expect(assessed(id)).toMatch(/^Dinilai mutu \S+ \(nilai cacat [\d,]+, skema v\d+\)$/);
  });

  it('summarises the trace\'s events in the language, with the same kinds and weights', async () => {
    const a = (await gql(TRACE, { id: orderId }, manager, 'en')).orderTrace.events as Array<{ kind: string; weight: string; summary: string }>;
    const b = (await gql(TRACE, { id: orderId }, manager, 'id')).orderTrace.events as typeof a;
    expect(b.map((e) => [e.kind, e.weight])).toEqual(a.map((e) => [e.kind, e.weight]));
    const allocated = a.flatMap((e, i) => (e.kind === 'ALLOCATED' ? [i] : []));
    expect(allocated.length).toBeGreaterThan(1);
    const grouped = (w: string, sep: string) => Number(w).toLocaleString('en-US').replace(/,/g, sep);
    for (const i of allocated) {
      const w = a[i]!.weight;
      expect(a[i]!.summary).toMatch(new RegExp(`^Allocated ${grouped(w, ',')} kg to Contributor \\d+$`));
      expect(b[i]!.summary).toMatch(new RegExp(`^${grouped(w, '\\.')} kg dialokasikan ke Contributor \\d+$`));
    }
  });
});
