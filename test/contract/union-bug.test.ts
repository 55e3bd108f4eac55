import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { InvalidTransitionError } from '../../src/platform/errors.js';
import { openTestDatabase, testConfig } from '../support/app.js';

/**
 * Issue 8 §1: a domain error that a field forgot to list in its result union passes through with its
 * own code (and is logged as a schema bug), instead of "Internal error" and HTTP 500. Forced: the
 * brands service's createBrand throws an InvalidTransitionError, which createBrand's union
 * (ConflictError and the common errors) does not list.
 */
vi.mock('../../src/modules/brands/brands.service.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/modules/brands/brands.service.js')>()),
  createBrand: async () => {
    throw new InvalidTransitionError('Brand', 'ACTIVE', 'ACTIVE', 'forced: a refusal createBrand\'s union does not list');
  },
}));

const CREATE_BRAND = /* GraphQL */ `
  mutation CreateBrand($input: CreateBrandInput!) { createBrand(input: $input) { __typename ... on Brand { id } ... on Error { code message } } }`;

let lines: string[];
let app: Awaited<ReturnType<typeof buildApp>>;
let drop: () => Promise<void>;
let adminToken: string;

beforeAll(async () => {
  lines = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const opened = await openTestDatabase();
  drop = opened.drop;
  app = await buildApp(testConfig(), { database: opened.database, migrate: false, logger: { level: 'info', stream } });
  await app.ready();
  const admin = await opened.database.db.insertInto('users').values({ email: 'root@example.test', display_name: 'root', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
  await opened.database.db.insertInto('role_grants').values({ user_id: admin.id, role: 'ADMIN' }).execute();
  adminToken = app.jwt.sign({ sub: String(admin.id) });
});
afterAll(async () => {
  await app?.close();
  await drop?.();
});

describe('a domain error a field\'s union forgot', () => {
  it('given the refusal is not in the union, then it keeps its code and message (not "Internal error", not 500) and is logged as a schema bug', async () => {
    const res = await app.inject({
      method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${adminToken}` },
      payload: { query: CREATE_BRAND, variables: { input: { name: 'Kopi Ijen', commodity: 'coffee', feePct: '5' } } },
    });
    const body = res.json();
    expect(res.statusCode).toBeLessThan(500);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ path: ['createBrand'], message: 'forced: a refusal createBrand\'s union does not list', extensions: { code: 'INVALID_TRANSITION' } });
    const bugs = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    expect(bugs).toHaveLength(1);
    expect(bugs[0]).toMatchObject({ msg: expect.stringMatching(/schema bug/), code: 'INVALID_TRANSITION', reqId: res.headers['x-request-id'] });
  });
});
