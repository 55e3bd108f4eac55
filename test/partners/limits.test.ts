import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { passwordHashGate } from '../../src/platform/auth.js';
import { globalId } from '../../src/platform/graphql/ids.js';
import { createUser, openTestDatabase, TEST_PASSWORD, testConfig, type TestApp } from '../support/app.js';
import type { Database } from '../../src/platform/db.js';
import { insertBrand } from '../support/supply-fixtures.js';
import { clientToken, makeOrgAdmin, registerClient, requestToken } from './support.js';

const BRANDS = /* GraphQL */ `query Brands { brands(first: 5) { edges { node { id name } } } }`;
const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on LoginPayload { token }
      ... on TooManyAttemptsError { code retryAfterSeconds }
      ... on ServiceBusyError { code retryAfterSeconds }
      ... on Error { code }
    }
  }`;

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A second (third…) app over the same test database, with its own limits. */
async function appOn(database: Database, env: Record<string, string>): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(env), { database, migrate: false, logger: false });
  await app.ready();
  return app;
}

async function gql(app: FastifyInstance, query: string, variables: Record<string, unknown> = {}, token?: string, ip?: string) {
  const res = await app.inject({
    method: 'POST', url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: { query, variables },
    ...(ip ? { remoteAddress: ip } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() as { data: any; errors?: any[]; extensions?: any } };
}

async function redisAvailable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

describe('limits that protect the service', () => {
  let database: Database;
  let drop: () => Promise<void>;
  const apps: FastifyInstance[] = [];
  const queries: string[] = [];
  const open = async (env: Record<string, string>) => {
    const app = await appOn(database, env);
    apps.push(app);
    return app;
  };
  // createUser/registerClient want a TestApp; this is enough of one.
  const asTestApp = (app: FastifyInstance): TestApp => ({
    app, database, queries: [], close: async () => {},
    gql: async (query, variables, token) => {
      const r = await gql(app, query, variables, token ?? undefined);
      return { statusCode: r.status, data: r.body.data, errors: r.body.errors };
    },
  });

  beforeAll(async () => {
    ({ database, drop } = await openTestDatabase((sql) => queries.push(sql)));
    // Something to return, so queries have a real (actual) cost.
    for (let i = 0; i < 6; i++) await insertBrand(database.db);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await drop?.();
  });

  describe('request rate (@fastify/rate-limit)', () => {
    it('given 3 requests a minute per IP, when an anonymous caller sends a 4th, then 429 with Retry-After and ratelimit-* headers', async () => {
      const app = await open({ RATE_LIMIT_IP_PER_MINUTE: '3' });
      for (let i = 0; i < 3; i++) {
        const ok = await gql(app, BRANDS, {}, undefined, '10.0.0.1');
        expect(ok.headers['ratelimit-limit']).toBe('3');
        expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
      }
      const refused = await gql(app, BRANDS, {}, undefined, '10.0.0.1');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(refused.headers['ratelimit-reset']).toEqual(expect.any(String));
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      // Another address has its own count; /healthz is never limited.
      expect((await gql(app, BRANDS, {}, undefined, '10.0.0.2')).status).toBe(400);
      const health = await app.inject({ url: '/healthz', remoteAddress: '10.0.0.1' });
      expect(health.statusCode).toBe(200);
      expect(health.headers['ratelimit-limit']).toBeUndefined();
    });

    it('given per-user and per-client limits, when one user or client is over, then only it is refused', async () => {
      const app = await open({ RATE_LIMIT_USER_PER_MINUTE: '2', RATE_LIMIT_CLIENT_PER_MINUTE: '3' });
      const t = asTestApp(app);
      const [u1, u2] = [await createUser(t), await createUser(t)];
      expect((await gql(app, BRANDS, {}, u1.token)).status).toBe(200);
      expect((await gql(app, BRANDS, {}, u1.token)).status).toBe(200);
      expect((await gql(app, BRANDS, {}, u1.token)).status).toBe(429);
      expect((await gql(app, BRANDS, {}, u2.token)).status).toBe(200);

      const org = await database.db.insertInto('buyer_orgs').values({ name: `RL ${randomUUID()}`, country: 'EG' }).returningAll().executeTakeFirstOrThrow();
      const owner = await createUser(t, [['BUYER', org.id]]);
      await makeOrgAdmin(t, owner.id);
      const c = await registerClient(t, owner.token, { organizationId: globalId('BuyerOrganization', org.id), scopes: ['catalog:read'] });
      const token = await clientToken(t, c.clientId, c.secret);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await gql(app, BRANDS, {}, token)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    });

    it('given two app instances on one Redis, when a caller alternates between them, then they share one count', async () => {
      if (!(await redisAvailable())) {
        console.warn(`skipping: no Redis at ${REDIS_URL}`);
        return;
      }
      const env = { REDIS_URL, REDIS_KEY_PREFIX: `lumbung-test-${randomUUID().slice(0, 8)}:`, RATE_LIMIT_IP_PER_MINUTE: '4' };
      const [a, b] = [await open(env), await open(env)];
      const seen = [];
      for (const app of [a, b, a, b, a, b]) seen.push((await gql(app, BRANDS, {}, undefined, '10.9.9.9')).status);
      expect(seen).toEqual([400, 400, 400, 400, 429, 429]);
      // The cost budget is shared too: a budget spent on one node is spent on the other.
      const costEnv = { ...env, REDIS_KEY_PREFIX: `lumbung-test-${randomUUID().slice(0, 8)}:`, RATE_LIMIT_IP_PER_MINUTE: '1000', COST_BUDGET_MAX: '40', COST_BUDGET_RESTORE_PER_SECOND: '1' };
      const [c, d] = [await open(costEnv), await open(costEnv)];
      const t = asTestApp(c);
      const user = await createUser(t);
      const big = `query { brands(first: 3) { edges { node { id name } } } }`;
      const first = await gql(c, big, {}, user.token);
      expect(first.status).toBe(200);
      const second = await gql(d, big, {}, user.token);
      // The second node saw the first node's spending (a fresh bucket would report 40 − actual).
      expect(second.body.extensions.cost.budget.remaining).toBeLessThan(40 - second.body.extensions.cost.actual);
    });
  });

  describe('while Redis is down', () => {
    it('given REDIS_URL pointing at nothing, when callers query and fail logins, then answers are 200 and typed refusals, counted per node', async () => {
      // Port 9 (discard) on loopback: nothing listens, every Redis command fails.
      const app = await open({
        REDIS_URL: 'redis://127.0.0.1:9', REDIS_KEY_PREFIX: `lumbung-test-${randomUUID().slice(0, 8)}:`,
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', LOGIN_MAX_FAILURES_PER_IP: '100',
      });
      const user = await createUser(asTestApp(app));
      const ok = await gql(app, BRANDS, {}, user.token);
      expect(ok.status).toBe(200);
      expect(ok.body.extensions.cost.budget).toMatchObject({ max: expect.any(Number) });
      for (let i = 0; i < 2; i++) {
        const r = await gql(app, LOGIN, { input: { email: user.email, password: 'wrong password 123' } });
        expect(r.body.data.login.__typename).toBe('InvalidCredentialsError');
      }
      const blocked = await gql(app, LOGIN, { input: { email: user.email, password: TEST_PASSWORD } });
      expect(blocked.body.data.login.__typename).toBe('TooManyAttemptsError');
    });
  });

  describe('query cost budget (leaky bucket)', () => {
    it('reports extensions.cost { requested, actual, budget } on every response', async () => {
      const app = await open({ COST_BUDGET_MAX: '1000', COST_BUDGET_RESTORE_PER_SECOND: '50' });
      const user = await createUser(asTestApp(app));
      const res = await gql(app, BRANDS, {}, user.token);
      expect(res.status).toBe(200);
      expect(res.body.extensions.cost).toEqual({
        requested: expect.any(Number), actual: expect.any(Number), budget: { remaining: expect.any(Number), max: 1000, restoreRate: 50 },
      });
      expect(res.body.extensions.cost.actual).toBeLessThanOrEqual(res.body.extensions.cost.requested);
      // What was returned was charged (the bucket refills meanwhile, at 50 points a second).
      expect(res.body.extensions.cost.budget.remaining).toBeGreaterThanOrEqual(1000 - res.body.extensions.cost.actual);
      expect(res.body.extensions.cost.budget.remaining).toBeLessThanOrEqual(1000);
      const failed = await gql(app, `query { order(id: "${globalId('Order', 123456)}") { id } }`, {}, user.token);
      expect(failed.body.extensions.cost.requested).toBeGreaterThan(0);
    });

    it('given a spent budget, when a query costs more than remains, then refused before execution (THROTTLED, retryable), then it recovers', async () => {
      const app = await open({ COST_BUDGET_MAX: '60', COST_BUDGET_RESTORE_PER_SECOND: '20' });
      const user = await createUser(asTestApp(app));
      // 1 (brands) + 50 × (1 edges + 1 node + 2 fields) … the requested cost is well above what 0–few brands return.
      const expensive = `query { brands(first: 50) { edges { node { id name } } } }`;
      queries.length = 0;
      const first = await gql(app, expensive, {}, user.token);
      // Refused before any resolver ran: authentication read the user, nothing read the brands.
      expect(queries.some((q) => /from "brands"/i.test(q))).toBe(false);
      expect(first.status).toBe(429);
      expect(first.body.data).toBeNull();
      expect(first.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryable: true });
      expect(first.body.extensions.cost.requested).toBeGreaterThan(60);

      const cheap = `query { brands(first: 5) { edges { node { id } } } }`;
      const spend = [];
      for (let i = 0; i < 12; i++) spend.push(await gql(app, cheap, {}, user.token));
      const refused = spend.find((r) => r.status === 429);
      expect(refused).toBeDefined();
      expect(refused!.body.extensions.cost).toMatchObject({ actual: null, budget: { max: 60, restoreRate: 20 } });
      expect(refused!.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryable: true, retryAfterSeconds: expect.any(Number) });
      expect(Number(refused!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, Number(refused!.headers['retry-after']) * 1000 + 100));
      queries.length = 0;
      const recovered = await gql(app, cheap, {}, user.token);
      expect(recovered.status).toBe(200);
      expect(queries.some((q) => /from "brands"/i.test(q))).toBe(true);
      expect(recovered.body.extensions.cost.budget.remaining).toBeGreaterThanOrEqual(0);
    });
  });

  describe('login and token endpoints', () => {
    it('given 3 failures for an account, when logging in again (even correctly), then TooManyAttemptsError; another account is unaffected', async () => {
      const app = await open({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '100' });
      const t = asTestApp(app);
      const [victim, bystander] = [await createUser(t), await createUser(t)];
      for (let i = 0; i < 3; i++) {
        const r = await gql(app, LOGIN, { input: { email: victim.email, password: 'wrong password 123' } });
        expect(r.body.data.login.__typename).toBe('InvalidCredentialsError');
      }
      const blocked = await gql(app, LOGIN, { input: { email: victim.email, password: TEST_PASSWORD } });
      expect(blocked.body.data.login).toMatchObject({ __typename: 'TooManyAttemptsError', code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
      const other = await gql(app, LOGIN, { input: { email: bystander.email, password: TEST_PASSWORD } });
      expect(other.body.data.login.__typename).toBe('LoginPayload');
    });

    it('given 4 failures from one IP over several accounts, when logging in from it, then refused; from another IP it works', async () => {
      const app = await open({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '100', LOGIN_MAX_FAILURES_PER_IP: '4' });
      const user = await createUser(asTestApp(app));
      for (let i = 0; i < 4; i++) await gql(app, LOGIN, { input: { email: `nobody${i}@example.test`, password: 'guess guess 1' } }, undefined, '10.1.1.1');
      expect((await gql(app, LOGIN, { input: { email: user.email, password: TEST_PASSWORD } }, undefined, '10.1.1.1')).body.data.login.__typename).toBe('TooManyAttemptsError');
      expect((await gql(app, LOGIN, { input: { email: user.email, password: TEST_PASSWORD } }, undefined, '10.1.1.2')).body.data.login.__typename).toBe('LoginPayload');
    });

    it('given repeated bad client secrets, when asking for a token, then 429 with Retry-After', async () => {
      const app = await open({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', LOGIN_MAX_FAILURES_PER_IP: '100' });
      const t = asTestApp(app);
      const org = await database.db.insertInto('buyer_orgs').values({ name: `TK ${randomUUID()}`, country: 'EG' }).returningAll().executeTakeFirstOrThrow();
      const owner = await createUser(t, [['BUYER', org.id]]);
      await makeOrgAdmin(t, owner.id);
      const c = await registerClient(t, owner.token, { organizationId: globalId('BuyerOrganization', org.id), scopes: ['catalog:read'] });
      expect((await requestToken(t, { clientId: c.clientId, secret: 'lmb_cs_wrong' })).status).toBe(401);
      expect((await requestToken(t, { clientId: c.clientId, secret: 'lmb_cs_wrong' })).status).toBe(401);
      const blocked = await requestToken(t, { clientId: c.clientId, secret: c.secret });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('given 50 concurrent logins, when hashing is bounded to 4 at once with 8 waiting, then the rest get a retryable ServiceBusyError and memory stays bounded', async () => {
      const app = await open({ PASSWORD_HASH_CONCURRENCY: '4', PASSWORD_HASH_QUEUE: '8' });
      const user = await createUser(asTestApp(app));
      passwordHashGate.peak = 0;
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); }, 5);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => gql(app, LOGIN, { input: { email: user.email, password: TEST_PASSWORD } })),
      );
      clearInterval(sampler);
      const kinds = results.map((r) => r.body.data.login.__typename);
      const ok = kinds.filter((k) => k === 'LoginPayload').length;
      const busy = results.filter((r) => r.body.data.login.__typename === 'ServiceBusyError');
      expect(ok).toBeGreaterThanOrEqual(12);
      expect(ok + busy.length).toBe(50);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy[0]!.body.data.login).toMatchObject({ code: 'SERVICE_BUSY', retryAfterSeconds: 1 });
      expect(passwordHashGate.peak).toBeLessThanOrEqual(4);
      // 4 × 32 MiB at most in flight; unbounded, 50 × 32 MiB = 1.6 GiB.
      expect(rssPeak - rssBefore).toBeLessThan(400 * 1024 * 1024);
    });
  });

  describe('load shedding (@fastify/under-pressure)', () => {
    it('given the heap above its threshold, when calling, then 503 with Retry-After; /readyz reports it, /healthz stays up', async () => {
      const app = await open({ PRESSURE_MAX_HEAP_USED_BYTES: '1', PRESSURE_RETRY_AFTER_SECONDS: '7' });
      await new Promise((r) => setTimeout(r, 600));
      const res = await gql(app, BRANDS);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('7');
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().status).toBe('under-pressure');
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    });
  });
});
