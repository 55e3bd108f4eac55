import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { hashPassword } from '../../src/platform/auth.js';
import { createDatabase, type Database } from '../../src/platform/db.js';
import type { RoleName } from '../../src/platform/db-types.js';
import { adminPool, databaseUrl } from './pg.js';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
export const TEST_PASSWORD = 'correct horse battery staple';

export interface GqlResponse<T = any> {
  statusCode: number;
  data: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }>;
}

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  /** Run a GraphQL document, optionally as a user (token) and with an Accept-Language header. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null, acceptLanguage?: string): Promise<GqlResponse<T>>;
  /** Statements the app sent to the database since the last reset. */
  queries: string[];
  close(): Promise<void>;
}

let fileCounter = 0;

/** Open a database for one test file: a clone of the migrated template (see global-setup.ts). */
export async function openTestDatabase(onQuery?: (sql: string) => void): Promise<{ database: Database; drop(): Promise<void> }> {
  const provided = inject('testDb');
  const opts = onQuery ? { onQuery: (e: { query: { sql: string } }) => onQuery(e.query.sql) } : {};
  if (provided.kind === 'postgres') {
    const name = `lumbung_t_${provided.runId}_${process.pid}_${++fileCounter}`;
    const pool = adminPool(provided.baseUrl);
    await pool.query(`CREATE DATABASE ${name} TEMPLATE ${provided.template}`);
    const database = await createDatabase({ kind: 'postgres', url: databaseUrl(provided.baseUrl, name), poolSize: 20 }, opts);
    return {
      database,
      drop: async () => {
        await database.close();
        await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await pool.end();
      },
    };
  }
  const dump = new Blob([readFileSync(provided.dumpFile)]);
  const database = await createDatabase({ kind: 'pglite', dataDir: null }, { ...opts, loadDataDir: dump });
  return { database, drop: () => database.close() };
}

export function testConfig(overrides: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', AUTO_SEED: 'false',
    // Suites fire many requests from one address and user; the limit tests (test/partners) set their own.
    RATE_LIMIT_CLIENT_PER_MINUTE: '1000000', RATE_LIMIT_USER_PER_MINUTE: '1000000', RATE_LIMIT_IP_PER_MINUTE: '1000000',
    COST_BUDGET_MAX: '100000000', COST_BUDGET_RESTORE_PER_SECOND: '1000000',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000', LOGIN_MAX_FAILURES_PER_IP: '1000000',
    PASSWORD_HASH_QUEUE: '1000', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    // The event workers run only where a test asks for them (test/events).
    WORKERS: 'false',
    // No background availability compaction (statement-count tests count every statement); tests compact explicitly.
    AVAILABILITY_COMPACT_MS: '0',
    // No idle garbage collection in tests (idle-gc.test.ts tests it).
    IDLE_GC_MS: '0',
    ...overrides,
  });
}

/** A log line the app wrote (createTestApp's `logTo`). */
export interface LogLine { level: number; msg?: string; reqId?: string }

/**
 * A test app on its own database. With `logTo`, the app logs at warn and above into that array
 * (tests that fail on error-level lines caused by input); otherwise it does not log.
 */
export async function createTestApp(env: Record<string, string> = {}, options: { logTo?: LogLine[] } = {}): Promise<TestApp> {
  const queries: string[] = [];
  const { database, drop } = await openTestDatabase((sql) => queries.push(sql));
  const { logTo } = options;
  const stream = logTo && new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n')) if (line) logTo.push(JSON.parse(line)); done(); } });
  const app = await buildApp(testConfig(env), { database, migrate: false, logger: stream ? { level: 'warn', stream } : false });
  await app.ready();
  return {
    app,
    database,
    queries,
    async gql(query, variables, token, acceptLanguage) {
      const res = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}),
        },
        payload: { query, variables },
      });
      const body = res.json();
      return { statusCode: res.statusCode, data: body.data, errors: body.errors };
    },
    async close() {
      await app.close();
      await drop();
    },
  };
}

let cachedHash: Promise<string> | null = null;
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

let userCounter = 0;
/**
 * Insert a user with roles directly (fast path for tests) and return a token for them.
 * `grants` entries are [role, orgId]; orgId is the row id of the brand, cooperative, producer or buyer org.
 */
export async function createUser(
  t: TestApp,
  grants: Array<[RoleName, number?]> = [],
  email = `user${process.pid}_${++userCounter}@example.test`,
): Promise<{ id: number; email: string; token: string }> {
  const db = t.database.db;
  const user = await db
    .insertInto('users')
    .values({ email, display_name: email.split('@')[0]!, password_hash: await passwordHash() })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow();
  const column = { ADMIN: null, BRAND_MANAGER: 'brand_id', CURATOR: 'brand_id', COOP_MANAGER: 'cooperative_id', PRODUCER: 'producer_id', BUYER: 'buyer_org_id' } as const;
  for (const [role, orgId] of grants) {
    const col = column[role];
    await db.insertInto('role_grants').values({ user_id: user.id, role, ...(col ? { [col]: orgId } : {}) }).execute();
  }
  return { ...user, token: t.app.jwt.sign({ sub: String(user.id) }) };
}
