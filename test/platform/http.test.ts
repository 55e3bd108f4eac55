import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createTestApp, createUser, openTestDatabase, testConfig, type TestApp } from '../support/app.js';
import { insertBrand } from '../support/supply-fixtures.js';

const LOGIN = /* GraphQL */ `mutation L($input: LoginInput!) { login(input: $input) { __typename ... on Error { code } } }`;

describe('http surface', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('serves /healthz and /readyz', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });

  it('serves GraphiQL by default', async () => {
    const res = await t.app.inject({ url: '/graphiql' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/graphiql/i);
  });

  it('echoes a sane incoming request id and makes one otherwise', async () => {
    const given = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes an error under a list with the item\'s index as a number in its path (GraphQL\'s paths), errors first', async () => {
    await insertBrand(t.database.db);
    await insertBrand(t.database.db);
    const buyerOrg = await t.database.db.insertInto('buyer_orgs').values({ name: `Buyer ${process.pid}`, country: 'NL' }).returning('id').executeTakeFirstOrThrow();
    const buyer = await createUser(t, [['BUYER', buyerOrg.id]]);
    // A buyer may not read a brand's memberships: one error per brand in the list.
    const res = await t.app.inject({
      method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}` },
      payload: { query: '{ brands(first: 2) { edges { node { memberships(first: 1) { __typename } } } } }' },
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())[0]).toBe('errors');
    expect(res.json().errors.map((e: { path: unknown[] }) => e.path)).toEqual([
      ['brands', 'edges', 0, 'node', 'memberships'],
      ['brands', 'edges', 1, 'node', 'memberships'],
    ]);
  });

  it('answers malformed GraphQL with a 400, never a 500', async () => {
    expect((await t.gql('{ nope }')).statusCode).toBe(400);
    expect((await t.gql('{ __typename')).statusCode).toBe(400);
    const notJson = await t.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{"query":' });
    expect(notJson.statusCode).toBe(400);
    const wrongVar = await t.gql(LOGIN, { input: { email: 5 } });
    expect(wrongVar.statusCode).toBe(400);
  });
});

describe('drivers return the same JS types', () => {
  it('int8 and count → number, numeric → string, date → YYYY-MM-DD, timestamptz → Date; refuses int8 beyond 2^53', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      const row = (
        await sql<Record<string, unknown>>`SELECT 9007199254740991::int8 AS big, count(*) AS n, 12.50::numeric(5,2) AS pct,
          '2027-06-30'::date AS day, '2027-06-30T08:00:00Z'::timestamptz AS at, sum(x)::int8 AS total
          FROM (VALUES (1::int8), (2::int8)) AS v(x)`.execute(database.db)
      ).rows[0]!;
      expect(row).toEqual({ big: 9007199254740991, n: 2, pct: '12.50', day: '2027-06-30', at: new Date('2027-06-30T08:00:00Z'), total: 3 });
      await expect(sql`SELECT 9007199254740993::int8 AS too_big`.execute(database.db)).rejects.toThrow(/exact range/);
    } finally {
      await drop();
    }
  });
});

describe('unexpected failures', () => {
  it('masks them as "Internal error" with the request id, and logs them in full with that id', async () => {
    const { database, drop } = await openTestDatabase();
    const lines: string[] = [];
    const app = await buildApp(testConfig(), {
      database,
      migrate: false,
      logger: { level: 'error', stream: { write: (line: string) => lines.push(line) } },
    });
    await app.ready();
    // The database goes away under a running app.
    await sql`DROP TABLE users CASCADE`.execute(database.db);
    const res = await app.inject({
      method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', 'x-request-id': 'req-boom-1' },
      payload: { query: LOGIN, variables: { input: { email: 'a@example.test', password: 'whatever' } } },
    });
    const body = res.json();
    expect(body.errors[0].message).toBe('Internal error (request req-boom-1)');
    expect(body.errors[0].extensions).toEqual({ code: 'INTERNAL', requestId: 'req-boom-1' });
    expect(JSON.stringify(body)).not.toMatch(/relation|users|does not exist/);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-boom-1');
    expect(logged?.err?.message).toMatch(/users/);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    await app.close();
    await drop();
  });
});

describe('embedded data directory', () => {
  it('refuses a second process while another holds it, and takes over a stale lock', async () => {
    const { mkdtempSync, rmSync, writeFileSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { spawn } = await import('node:child_process');
    const { claimDataDir } = await import('../../src/platform/db.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'lumbung-lock-'));
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(path.join(dir, 'lumbung.lock'), `${other.pid}\n`);
      expect(() => claimDataDir(dir)).toThrow(`in use by process ${other.pid}`);

      other.kill();
      await new Promise((resolve) => other.once('exit', resolve));
      const release = claimDataDir(dir);
      expect(existsSync(path.join(dir, 'lumbung.lock'))).toBe(true);
      release();
      expect(existsSync(path.join(dir, 'lumbung.lock'))).toBe(false);
    } finally {
      other.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
