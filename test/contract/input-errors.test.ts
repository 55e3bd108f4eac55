import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Issue 8 §3: input that fails GraphQL's own validation keeps HTTP 400 but carries
 * extensions.code = BAD_USER_INPUT and extensions.path, the input path as a ValidationIssue names
 * it, for inline literals and for variables alike.
 */

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(() => t?.close());

const ORDER_INPUT = {
  productId: 'UHJvZHVjdDox', minGrade: '3', quantity: '19200', windowStart: '2027-05-01', windowEnd: '2027-09-30',
  destinationCountry: 'EG', incoterm: 'FOB', price: { amount: '4.10', currency: 'USD' }, idempotencyKey: 'contract-0001',
};
const PLACE_ORDER_VARS = /* GraphQL */ `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename } }`;
/** placeOrder with an inline input; `over` replaces fields by their GraphQL literal text. */
const placeOrderLiteral = (over: Record<string, string> = {}) => {
  const fields: Record<string, string> = {
    productId: '"UHJvZHVjdDox"', minGrade: '"3"', quantity: '"19200"', windowStart: '"2027-05-01"', windowEnd: '"2027-09-30"',
    destinationCountry: '"EG"', incoterm: 'FOB', price: '{ amount: "4.10", currency: USD }', idempotencyKey: '"contract-0001"', ...over,
  };
  return `mutation { placeOrder(input: { ${Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join(', ')} }) { __typename } }`;
};
const ASSESS_VARS = /* GraphQL */ `mutation Assess($input: RecordAssessmentInput!) { recordAssessment(input: $input) { __typename } }`;
const ASSESS_INPUT = { lotId: 'TG90OjE=', moisturePct: '12', foreignMatterPct: '0', liveInsects: false, foulOdour: false, defectCounts: [] };
const assessLiteral = (moisture: string) =>
  `mutation { recordAssessment(input: { lotId: "TG90OjE=", moisturePct: ${moisture}, foreignMatterPct: "0", liveInsects: false, foulOdour: false, defectCounts: [] }) { __typename } }`;
const PLOT_VARS = /* GraphQL */ `mutation Plot($input: RegisterPlotInput!) { registerPlot(input: $input) { __typename } }`;
const PLOT_INPUT = { producerId: 'UHJvZHVjZXI6MQ==', name: 'Kebun', areaHa: '1', altitudeM: 1200 };
const plotLiteral = (geolocation: string) =>
  `mutation { registerPlot(input: { producerId: "UHJvZHVjZXI6MQ==", name: "Kebun", areaHa: "1", altitudeM: 1200, geolocation: ${geolocation} }) { __typename } }`;

function expectBadInput(res: { statusCode: number; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }, path: string) {
  expect(res.statusCode).toBe(400);
  expect(res.errors?.length).toBeGreaterThan(0);
  expect(res.errors!.map((e) => [e.extensions?.code, e.extensions?.path])).toContainEqual(['BAD_USER_INPUT', path]);
  for (const e of res.errors!) expect(e.message).not.toMatch(/Internal error/);
}

describe('GraphQL input errors carry BAD_USER_INPUT and the input path', () => {
  it.each([
    ['an unknown enum value', { incoterm: 'NOPE' }, 'input.incoterm'],
    ['an unknown nested enum value', { price: '{ amount: "4.10", currency: XXX }' }, 'input.price.currency'],
    ['an impossible Date', { windowStart: '"2027-02-30"' }, 'input.windowStart'],
    ['a Weight that is no number', { quantity: '"lots"' }, 'input.quantity'],
  ])('inline: %s', async (_label, over, path) => {
    expectBadInput(await t.gql(placeOrderLiteral(over)), path);
  });

  it.each([
    ['an unknown enum value', { incoterm: 'NOPE' }, 'input.incoterm'],
    ['an unknown nested enum value', { price: { amount: '4.10', currency: 'XXX' } }, 'input.price.currency'],
    ['an impossible Date', { windowStart: '2027-02-30' }, 'input.windowStart'],
    ['an unknown input field', { bogus: 1 }, 'input.bogus'],
  ])('variables: %s', async (_label, over, path) => {
    expectBadInput(await t.gql(PLACE_ORDER_VARS, { input: { ...ORDER_INPUT, ...over } }), path);
  });

  it('"abc" for a Decimal, inline and as a variable', async () => {
    expectBadInput(await t.gql(assessLiteral('"abc"')), 'input.moisturePct');
    expectBadInput(await t.gql(ASSESS_VARS, { input: { ...ASSESS_INPUT, moisturePct: 'abc' } }), 'input.moisturePct');
  });

  it('a missing required input field names it', async () => {
    const { moisturePct: _gone, ...rest } = ASSESS_INPUT;
    expectBadInput(await t.gql(ASSESS_VARS, { input: rest }), 'input.moisturePct');
  });

  it('GeoJSON sent as a string, inline and as a variable', async () => {
    expectBadInput(await t.gql(plotLiteral('"{\\"type\\":\\"Point\\",\\"coordinates\\":[113.8,-7.9]}"')), 'input.geolocation');
    expectBadInput(await t.gql(PLOT_VARS, { input: { ...PLOT_INPUT, geolocation: '{"type":"Point","coordinates":[113.8,-7.9]}' } }), 'input.geolocation');
  });

  it('a variable nested in an inline input gets the path where it is used', async () => {
    const doc = /* GraphQL */ `mutation ($c: Currency!) { placeOrder(input: { productId: "UHJvZHVjdDox", minGrade: "3", quantity: "19200",
      windowStart: "2027-05-01", windowEnd: "2027-09-30", destinationCountry: "EG", incoterm: FOB, price: { amount: "4.10", currency: $c },
      idempotencyKey: "contract-0001" }) { __typename } }`;
    expectBadInput(await t.gql(doc, { c: 'XXX' }), 'input.price.currency');
  });

  it('the same document sent again (cached by the server) still gets the path', async () => {
    for (let i = 0; i < 2; i++) expectBadInput(await t.gql(placeOrderLiteral({ incoterm: 'NOPE' })), 'input.incoterm');
    for (let i = 0; i < 2; i++) expectBadInput(await t.gql(PLACE_ORDER_VARS, { input: { ...ORDER_INPUT, incoterm: 'NOPE' } }), 'input.incoterm');
  });

  it('errors that are not about input keep BAD_REQUEST and no path', async () => {
    const res = await t.gql('query { nope }');
    expect(res.statusCode).toBe(400);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
  });
});
