import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { openTestDatabase, testConfig } from '../support/app.js';

/**
 * Issue 8 §2, secrets in the log: a database failure is logged without the bound parameters, the
 * row's values (PostgreSQL's "Failing row contains …" detail) or the statement's data, so neither
 * the password hash nor the email of a failed createUser reaches the log.
 */

const CREATE_USER = /* GraphQL */ `
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) { __typename ... on Error { code message } }
  }`;

const EMAIL = 'force-fail.siti.rahayu@example.test';
const PASSWORD = 'Sup3r-secret passphrase';

let lines: string[];
let close: () => Promise<void>;
let app: Awaited<ReturnType<typeof buildApp>>;
let adminToken: string;

beforeAll(async () => {
  lines = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const { database, drop } = await openTestDatabase();
  // Forced failure: a constraint no service knows about, so the insert fails as an unexpected error.
  await database.db.schema.alterTable('users').addCheckConstraint('hostile_forced_failure', (await import('kysely')).sql`email NOT LIKE 'force-fail%'`).execute();
  app = await buildApp(testConfig(), { database, migrate: false, logger: { level: 'info', stream } });
  await app.ready();
  const admin = await database.db.insertInto('users').values({ email: 'root@example.test', display_name: 'root', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
  await database.db.insertInto('role_grants').values({ user_id: admin.id, role: 'ADMIN' }).execute();
  adminToken = app.jwt.sign({ sub: String(admin.id) });
  close = async () => { await app.close(); await drop(); };
});
afterAll(() => close());

describe('secrets in the log', () => {
  it('given createUser fails in the database, when the error is logged, then the line has no email, password, hash or parameters', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { query: CREATE_USER, variables: { input: { email: EMAIL, password: PASSWORD, displayName: 'Siti Rahayu' } } },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().errors[0].extensions.code).toBe('INTERNAL');

    const errorLines = lines.map((l) => JSON.parse(l)).filter((l) => l.level >= 50);
    expect(errorLines.length).toBeGreaterThan(0);
    // The line is still useful: the request id, the SQLSTATE and the constraint.
    expect(errorLines[0].reqId).toBe(res.headers['x-request-id']);
    expect(errorLines[0].err.code).toBe('23514');
    expect(JSON.stringify(errorLines[0])).toMatch(/hostile_forced_failure/);

    const log = lines.join('\n');
    expect(log).not.toContain(EMAIL);
    expect(log).not.toContain('siti.rahayu');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toMatch(/scrypt\$/);
    expect(log).not.toMatch(/"params"|"parameters"|Failing row/);
  });
});
