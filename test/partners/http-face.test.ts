import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Database } from '../../src/platform/db.js';
import { openTestDatabase, testConfig } from '../support/app.js';

const TYPENAME = '{ __typename }';
const LOGIN = 'mutation { login(input: { email: "a@example.test", password: "x" }) { __typename } }';

describe('the HTTP face', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let app: FastifyInstance;
  let withCors: FastifyInstance;
  let second: FastifyInstance;

  beforeAll(async () => {
    ({ database, drop } = await openTestDatabase());
    app = await buildApp(testConfig(), { database, migrate: false, logger: false });
    withCors = await buildApp(testConfig({ CORS_ORIGINS: 'https://app.example.com, https://erp.example.org' }), { database, migrate: false, logger: false });
    // A second node on the same database: persisted queries are shared through it.
    second = await buildApp(testConfig(), { database, migrate: false, logger: false });
    await Promise.all([app.ready(), withCors.ready(), second.ready()]);
  });
  afterAll(async () => {
    for (const a of [app, withCors, second]) await a?.close();
    await drop?.();
  });

  describe('CORS', () => {
    const preflight = (a: FastifyInstance, origin: string) =>
      a.inject({ method: 'OPTIONS', url: '/graphql', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });

    it('given no configured origins, when a browser preflights from anywhere, then no CORS grant', async () => {
      const res = await preflight(app, 'https://evil.example');
      expect(res.statusCode).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      // … and no CORS header on an answer either.
      const simple = await app.inject({ method: 'POST', url: '/graphql', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, payload: { query: TYPENAME } });
      expect(simple.statusCode).toBe(200);
      expect(Object.keys(simple.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });

    it('given an allow-list, when an allowed origin preflights, then 204 with the grant; another origin gets none', async () => {
      const ok = await preflight(withCors, 'https://app.example.com');
      expect(ok.statusCode).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(String(ok.headers['access-control-allow-methods'])).toContain('POST');
      expect(String(ok.headers['access-control-allow-headers'])).toContain('authorization');
      expect(ok.headers.vary).toMatch(/origin/i);
      const evil = await preflight(withCors, 'https://evil.example');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await withCors.inject({ method: 'POST', url: '/graphql', headers: { origin: 'https://erp.example.org', 'content-type': 'application/json' }, payload: { query: TYPENAME } });
      expect(simple.headers['access-control-allow-origin']).toBe('https://erp.example.org');
    });
  });

  describe('security headers', () => {
    it('sends a page and its files helmet\'s document headers, with a CSP that still lets GraphiQL load', async () => {
      const res = await app.inject({ url: '/graphiql' });
      expect(res.statusCode).toBe(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self';/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['cache-control']).toBe('no-cache');
      // The page's scripts are same-origin files (no inline script needs an exception).
      expect(res.body).not.toMatch(/<script>/);
      for (const src of [...res.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!)) {
        expect(src.startsWith('/') || !/^[a-z]+:/i.test(src), src).toBe(true);
        const file = await app.inject({ url: src.startsWith('/') ? src : `/graphiql/${src}` });
        expect(file.statusCode, src).toBe(200);
        expect(file.headers['content-security-policy'], src).toBe(res.headers['content-security-policy']);
        expect(file.headers['cross-origin-opener-policy'], src).toBe('same-origin');
      }
    });
  });

  describe('security headers on every answer', () => {
    it('given a GraphQL answer, a refusal before GraphQL (a bad token: 401) and a health check, then all carry the API\'s security headers and no document headers', async () => {
      const ok = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: TYPENAME } });
      const refused = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' }, payload: { query: TYPENAME } });
      const health = await app.inject({ url: '/healthz' });
      expect(ok.statusCode).toBe(200);
      expect(refused.statusCode).toBe(401);
      expect(health.statusCode).toBe(200);
      for (const res of [ok, refused, health]) {
        // A JSON answer loads nothing, may not be framed, sniffed or embedded by another origin.
        expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
        expect(res.headers['x-powered-by']).toBeUndefined();
        // What only a rendered page needs stays on the page (GraphiQL, above).
        expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
        expect(res.headers['origin-agent-cluster']).toBeUndefined();
      }
      const security = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => /^(content-security|x-(?!request-id|ratelimit)|strict-transport|cross-origin|origin-agent|referrer)/.test(k)));
      expect(security(refused.headers)).toEqual(security(ok.headers));
      expect(security(health.headers)).toEqual(security(ok.headers));
    });
  });

  describe('methods and cross-site posts', () => {
    it('given a mutation over GET, then 405, never 500; a GET query works', async () => {
      const mutation = await app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent(LOGIN)}` });
      expect(mutation.statusCode).toBe(405);
      const unknownOp = await app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('query A { __typename }')}&operationName=B` });
      expect(unknownOp.statusCode).toBeGreaterThanOrEqual(400);
      expect(unknownOp.statusCode).toBeLessThan(500);
      const query = await app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent(TYPENAME)}` });
      expect(query.statusCode).toBe(200);
      expect(query.json().data).toEqual({ __typename: 'Query' });
    });

    it.each([
      ['text/plain', JSON.stringify({ query: LOGIN })],
      ['application/x-www-form-urlencoded', `query=${encodeURIComponent(LOGIN)}`],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${LOGIN}\r\n--x--`],
    ])('given a cross-site form post (%s), then 400 CSRF_PREVENTED and nothing runs', async (type, payload) => {
      const res = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': type }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].extensions.code).toBe('CSRF_PREVENTED');
    });

    it('given JSON or a preflight-forcing header, then the request is served', async () => {
      const json = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: TYPENAME } });
      expect(json.statusCode).toBe(200);
      const graphql = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/graphql' }, payload: TYPENAME });
      expect(graphql.statusCode).toBe(200);
    });
  });

  describe('automatic persisted queries (shared through the database)', () => {
    const query = `query Persisted { __typename }`;
    const sha = createHash('sha256').update(query).digest('hex');
    const post = (a: FastifyInstance, body: object) =>
      a.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: body });
    const ext = { persistedQuery: { version: 1, sha256Hash: sha } };

    it('given an unknown hash, then PersistedQueryNotFound; after the full query once, any node answers the hash alone', async () => {
      const unknown = await post(app, { extensions: ext });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors[0].message).toBe('PersistedQueryNotFound');

      const registered = await post(app, { query, extensions: ext });
      expect(registered.statusCode).toBe(200);
      expect(registered.json().data).toEqual({ __typename: 'Query' });
      const row = await database.db.selectFrom('persisted_queries').selectAll().where('hash', '=', sha).executeTakeFirst();
      expect(row?.query).toBe(query);

      // Another node, which never saw the query, answers the hash alone (also over GET, cacheable).
      const otherNode = await second.inject({ method: 'GET', url: `/graphql?extensions=${encodeURIComponent(JSON.stringify(ext))}` });
      expect(otherNode.statusCode).toBe(200);
      expect(otherNode.json().data).toEqual({ __typename: 'Query' });
    });

    it('given a query whose hash does not match, then a client error and nothing stored', async () => {
      const wrong = 'f'.repeat(64);
      const res = await post(app, { query: TYPENAME, extensions: { persistedQuery: { version: 1, sha256Hash: wrong } } });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].message).toMatch(/does not match/);
      expect(await database.db.selectFrom('persisted_queries').selectAll().where('hash', '=', wrong).executeTakeFirst()).toBeUndefined();
      const badVersion = await post(app, { extensions: { persistedQuery: { version: 2, sha256Hash: sha } } });
      expect(badVersion.statusCode).toBe(400);
      expect(badVersion.json().errors[0].message).toBe('PersistedQueryNotSupported');
    });
  });
});
