import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertBrand, insertProduct } from '../producers/fixtures.js';

/**
 * Issue 8 §2: hostile input through HTTP. Nothing a client sends may produce a 500 or an engine's
 * internal message; control characters and lone surrogates are refused naming the field.
 */

const CREATE_BRAND = /* GraphQL */ `
  mutation CreateBrand($input: CreateBrandInput!) {
    createBrand(input: $input) { __typename ... on Brand { id name } ${ERROR_FIELDS} }
  }`;

const UPDATE_BRAND = /* GraphQL */ `
  mutation UpdateBrand($input: UpdateBrandInput!) {
    updateBrand(input: $input) { __typename ... on Brand { id name } ${ERROR_FIELDS} }
  }`;

const AVAILABILITY = /* GraphQL */ `
  query Availability($input: AvailabilityInput!) {
    availability(input: $input) { __typename ... on Availability { totalWeight } ${ERROR_FIELDS} }
  }`;

const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id } }`;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let t: TestApp;
let admin: { token: string };
let buyer: { token: string };
let productId: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await createUser(t, [['ADMIN']]);
  const brand = await insertBrand(t.database.db);
  const product = await insertProduct(t.database.db, brand.id);
  productId = gid('Product', product.id);
  const buyerOrg = await t.database.db.insertInto('buyer_orgs').values({ name: 'Hostile Roasters', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
  buyer = await createUser(t, [['BUYER', buyerOrg.id]]);
});
afterAll(() => t.close());

const brandInput = (name: string) => ({ name, commodity: 'coffee', feePct: '5' });

describe('control characters and lone surrogates in text input', () => {
  it.each([
    ['NUL', 'Kopi\u0000Ijen'],
    ['escape', 'Kopi\u001bIjen'],
    ['DEL', 'Kopi\u007fIjen'],
    ['C1', 'Kopi\u0085Ijen'],
    ['lone high surrogate', 'Kopi\ud800Ijen'],
    ['lone low surrogate', 'Kopi\udc00Ijen'],
  ])('given a brand name with a %s, when created, then a ValidationError names input.name and nothing is written', async (_label, name) => {
    const res = await t.gql(CREATE_BRAND, { input: brandInput(name) }, admin.token);
    expect(res.statusCode).toBe(200);
    expect(res.data.createBrand.__typename).toBe('ValidationError');
    expect(res.data.createBrand.code).toBe('VALIDATION_FAILED');
    expect(res.data.createBrand.issues).toEqual([{ path: 'input.name', message: expect.stringMatching(/control character|surrogate/) }]);
    const rows = await t.database.db.selectFrom('brands').select('id').where('name', 'like', 'Kopi%Ijen').execute();
    expect(rows).toEqual([]);
  });

  it('given a NUL in a document literal (not a variable), when created, then the same ValidationError', async () => {
    const res = await t.gql(
      `mutation { createBrand(input: { name: "Kopi\\u0000Ijen", commodity: "coffee", feePct: "5" }) { __typename ... on ValidationError { code issues { path } } } }`,
      undefined,
      admin.token,
    );
    expect(res.data.createBrand).toEqual({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', issues: [{ path: 'input.name' }] });
  });

  it('given text with an emoji (a valid surrogate pair), tabs and newlines, when created, then it is accepted', async () => {
    const res = await t.gql(CREATE_BRAND, { input: brandInput(`Kopi ☕ 😀\tIjen ${process.pid}`) }, admin.token);
    expect(res.data.createBrand.__typename).toBe('Brand');
  });

  it('given a NUL in a list item of a query argument (availability.regencies), then a ValidationError names the item', async () => {
    const res = await t.gql(
      AVAILABILITY,
      { input: { productId, minGrade: '1', windowStart: '2027-01-01', windowEnd: '2027-02-01', regencies: ['Bondowoso', 'Jem\u0000ber'] } },
      buyer.token,
    );
    expect(res.statusCode).toBe(200);
    expect(res.data.availability.__typename).toBe('ValidationError');
    expect(res.data.availability.issues[0].path).toBe('input.regencies.1');
  });

  it('given a NUL in an update, then the ValidationError names the field', async () => {
    const brand = await insertBrand(t.database.db);
    const res = await t.gql(UPDATE_BRAND, { input: { brandId: gid('Brand', brand.id), name: 'x\u0000' } }, admin.token);
    expect(res.data.updateBrand.__typename).toBe('ValidationError');
    expect(res.data.updateBrand.issues[0].path).toBe('input.name');
  });
});

describe('global IDs that decode to a non-integer or out-of-range key', () => {
  it.each(['Lot:1.5', 'Lot:abc', 'Order:Infinity', 'Lot:99999999999999999999', 'Lot:-1', 'Lot:0', 'NoSuchType:1', 'Query:1', 'garbage'])(
    'given node(id: base64 of %s) as an anonymous caller, then null without errors',
    async (raw) => {
      const res = await t.gql(NODE, { id: b64(raw) }, null);
      expect(res.statusCode).toBe(200);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ node: null });
    },
  );

  it('given lot(id:) with an out-of-range key, then a typed refusal, not Internal error', async () => {
    const res = await t.gql(`query L($id: ID!) { lot(id: $id) { __typename } }`, { id: b64('Lot:99999999999999999999') }, admin.token);
    expect(res.statusCode).toBeLessThan(500);
    expect(JSON.stringify(res)).not.toMatch(/Internal error/);
  });
});

describe('deep nesting', () => {
  it('given a list literal nested 2,400 deep, then a 400 naming the nesting limit, never a stack overflow', async () => {
    const depth = 2400;
    const query = `query { brands(first: ${'['.repeat(depth)}1${']'.repeat(depth)}) { edges { node { id } } } }`;
    const res = await t.app.inject({ method: 'POST', url: '/graphql', payload: { query } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/nest/i);
    expect(res.body).not.toMatch(/call stack|Internal error/i);
  });

  it('given JSON variables nested 5,000 deep, then a 400 naming the nesting limit, never "Maximum call stack size exceeded"', async () => {
    // Written by hand: JSON.stringify itself overflows on 5,000 levels.
    const coordinates = `${'['.repeat(5000)}125.1,-8.1${']'.repeat(5000)}`;
    const payload = `{"query":${JSON.stringify(CREATE_BRAND)},"variables":{"input":{"name":"deep","commodity":"coffee","feePct":"5","extra":{"type":"Polygon","coordinates":${coordinates}}}}}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/nest/i);
    expect(res.body).not.toMatch(/call stack|Internal error/i);
  });
});

describe('requests that are not GraphQL-shaped', () => {
  it('given a mutation over GET, then 405', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('mutation { login(input: {email: "a@b.c", password: "x"}) { __typename } }')}` });
    expect(res.statusCode).toBe(405);
    expect(res.body).not.toMatch(/Internal error/);
  });

  it.each([[{ query: 12 }], [{ query: true }], [{ query: { a: 1 } }], [{ query: '{ __typename }', variables: 'x' }], [{ query: '{ __typename }', operationName: 5 }], [{}]])(
    'given the body %j, then a 400 with a clear message',
    async (payload) => {
      const res = await t.app.inject({ method: 'POST', url: '/graphql', payload });
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toMatch(/Internal error|is not iterable/);
      expect(res.json().errors[0].message).toMatch(/query|variables|operationName/);
    },
  );

  it.each([
    ['{"query":"{ __typename }","variables":{"__proto__":{"admin":true}}}'],
    ['{"query":"{ __typename }","variables":{"constructor":{"prototype":{"admin":true}}}}'],
    ['{"query":"{ __typename }","variables":{"g":{"type":"Point","coordinates":[1,2]},"__proto__":{}}}'],
    ['{"query":"{ __typename }", "variables": {"g": {"type":"Point","coordinates":[1,'],
    [''],
  ])('given the JSON body %s (poisoned, truncated or empty), then a 400 and nothing reaches the engine', async (payload) => {
    const res = await t.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/Internal error/);
  });

  it('given application/graphql carrying JSON, then a 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/graphql' },
      payload: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/Internal error/);
  });
});

describe('echo amplification', () => {
  it('given a 100 kB invalid variable, then the response stays small', async () => {
    const big = 'x'.repeat(100_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      payload: { query: CREATE_BRAND, variables: { input: { name: 'n', commodity: 'coffee', feePct: big } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(4_000);
  });

  it('given a 100 kB operationName, then it is not echoed in full', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ __typename }', operationName: 'o'.repeat(100_000) } });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(4_000);
  });
});
