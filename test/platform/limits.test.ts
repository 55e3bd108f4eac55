import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.js';

/** `__type { fields { type { ofType { … } } } }`: a selection `depth` levels deep. */
function deepQuery(depth: number): string {
  let inner = 'name';
  for (let i = 0; i < depth - 4; i++) inner = `ofType { ${inner} }`;
  return `query Deep { __type(name: "Query") { fields { type { ${inner} } } } }`;
}

/** The same depth, but every level hidden behind a fragment spread. */
function deepFragmentQuery(depth: number): string {
  const fragments: string[] = [];
  const levels = depth - 4;
  for (let i = 0; i < levels; i++) {
    fragments.push(`fragment F${i} on __Type { ofType { ${i + 1 < levels ? `...F${i + 1}` : 'name'} } }`);
  }
  return `query DeepFragments { __type(name: "Query") { fields { type { ...F0 } } } }\n${fragments.join('\n')}`;
}

const USER_PAGE = 'edges { node { email displayName createdAt roles { role organizationId grantedAt } } }';
/** Cost ≈ 2 × (1 + n × 36): about 150 for n = 2, about 7,200 for n = 100 (limit 5,000). */
const USERS = /* GraphQL */ `query Users($n: Int!) { a: users(first: $n) { ${USER_PAGE} } b: users(first: $n) { ${USER_PAGE} } }`;

describe('query limits', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    adminToken = (await createUser(t, [['ADMIN']])).token;
  });
  afterAll(async () => { await t?.close(); });

  it('accepts depth 12 and rejects depth 13', async () => {
    expect((await t.gql(deepQuery(12))).errors).toBeUndefined();
    const res = await t.gql(deepQuery(13));
    expect(res.statusCode).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/exceeds the query depth limit of 12/);
  });

  it('counts depth through fragments', async () => {
    expect((await t.gql(deepFragmentQuery(12))).errors).toBeUndefined();
    const res = await t.gql(deepFragmentQuery(13));
    expect(res.statusCode).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/exceeds the query depth limit of 12/);
  });

  it('checks complexity per request from the variables, before any resolver runs, while the document stays cached', async () => {
    // Same document text twice: Mercurius parses and validates it once (cached); complexity still follows $n.
    const small = await t.gql(USERS, { n: 2 }, adminToken);
    expect(small.errors).toBeUndefined();
    t.queries.length = 0;
    const big = await t.gql(USERS, { n: 100 }, adminToken);
    expect(big.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(big.errors?.[0]?.message).toMatch(/complexity \d+ exceeds the limit of 5000/);
    // Rejected before execution: not even the principal lookup for a resolver happened beyond authentication.
    expect(t.queries.filter((q) => q.includes('"users"') && q.includes('limit'))).toEqual([]);
    const again = await t.gql(USERS, { n: 2 }, adminToken);
    expect(again.errors).toBeUndefined();
  });

  it('caches complexity per document and per the values of its variables: defaults, nulls and fragments count', async () => {
    // Given a document whose $n defaults to 100 and whose connections sit behind a fragment
    const withDefault = /* GraphQL */ `query UsersDefault($n: Int = 100) { ...Pages }
      fragment Pages on Query { a: users(first: $n) { ${USER_PAGE} } b: users(first: $n) { ${USER_PAGE} } }`;
    const run = async (variables: Record<string, unknown>) => (await t.app.inject({
      method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${adminToken}` }, payload: { query: withDefault, variables },
    })).json() as { errors?: Array<{ extensions?: { code?: string } }>; extensions?: { cost?: { requested: number } } };
    // When $n is null, then its cost counts one item per page (it passes the limit; the field refuses null)
    const nulled = await run({ n: null });
    expect(nulled.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    // When $n is 1, then 2 (twice), then each runs; the requested cost follows $n and repeats for the same $n
    const one = await run({ n: 1 });
    const first = await run({ n: 2 });
    const second = await run({ n: 2 });
    expect(first.errors).toBeUndefined();
    expect(first.extensions!.cost!.requested).toBeGreaterThan(one.extensions!.cost!.requested);
    expect(second.extensions!.cost!.requested).toBe(first.extensions!.cost!.requested);
    // When $n is absent, its default (100) counts: refused, although null and 2 were cached
    expect((await run({})).errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    // And an explicit 100 through the fragment is refused as well
    expect((await run({ n: 100 })).errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('accepts 30 aliases and rejects 31', async () => {
    const aliases = (n: number) => `query A { ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await t.gql(aliases(30))).errors).toBeUndefined();
    const res = await t.gql(aliases(31));
    expect(res.statusCode).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/more than 30 aliases/);
  });

  it('refuses batched queries', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: [{ query: '{ __typename }' }, { query: '{ __typename }' }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().data ?? null).toBeNull();
  });

  it('stops parsing past the token limit', async () => {
    const huge = `query T { ${Array.from({ length: 3000 }, (_, i) => `a${i % 20}: __typename`).join(' ')} }`;
    const res = await t.gql(huge);
    expect(res.statusCode).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/more that 5000 tokens/);
  });

  it('serves introspection by default', async () => {
    const res = await t.gql('{ __schema { queryType { name } } }');
    expect(res.data.__schema.queryType.name).toBe('Query');
  });
});

describe('switches', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp({ INTROSPECTION: 'false', GRAPHIQL: 'false' }); });
  afterAll(async () => { await t?.close(); });

  it('turns introspection off', async () => {
    const res = await t.gql('{ __schema { queryType { name } } }');
    expect(res.statusCode).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('turns GraphiQL off', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/graphiql' })).statusCode).toBe(404);
  });
});
