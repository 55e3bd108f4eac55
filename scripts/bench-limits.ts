/**
 * Load test of the limits: do abusive callers hurt well-behaved ones?
 *
 *   npm run bench:limits        (DATABASE_URL=postgres://… to use another PostgreSQL server)
 *
 * Bounded and loopback only. Creates a temporary PostgreSQL database next to DATABASE_URL's
 * (default postgres://postgres@127.0.0.1:5432/postgres), migrates it, and adds 200 users and a few
 * brands. The API runs in a child process on 127.0.0.1 (so the load generator does not share its
 * event loop), with the default limits except a per-user rate of 120 requests a minute.
 *
 * Two phases of PHASE_MS each, same 190 well-behaved clients, each sending one small query
 * (`brands(first: 5)`, ~1 req/s, with jitter):
 *   1. no abuse;
 *   2. plus 10 abusive clients, each with 8 requests always in flight, as fast as answered.
 * Prints the well-behaved clients' p50/p95/p99 in both phases and what the abusers got (429s), and
 * exits 1 when phase 2's p99 is more than 2× phase 1's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { percentile, scratchDatabase } from './bench-support.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const GOOD = 190;
const ABUSERS = 10;
const ABUSER_CONCURRENCY = 8;
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 15_000);
const PERIOD_MS = 1000;
const QUERY = JSON.stringify({ query: 'query Bench { brands(first: 5) { edges { node { id name } } } }' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sign(secret: string, sub: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp: now + 3600, iss: 'lumbung', aud: 'lumbung-api' })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

// ---------------------------------------------------------------------------------------------
// Server mode (the child): the app on loopback, its port sent to the parent.
async function serve() {
  const { buildApp } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', AUTO_SEED: 'false', GRAPHIQL: 'false' });
  const app = await buildApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('message', async (m) => {
    if (m === 'stop') {
      await app.close();
      process.exit(0);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Load mode (the parent)
interface PhaseResult { latencies: number[]; goodErrors: number; abuseOk: number; abuse429: number; abuseOther: number }

async function phase(url: string, good: string[], abusers: string[]): Promise<PhaseResult> {
  const until = performance.now() + PHASE_MS;
  const result: PhaseResult = { latencies: [], goodErrors: 0, abuseOk: 0, abuse429: 0, abuseOther: 0 };
  const call = (token: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: QUERY });

  const goodLoop = async (token: string) => {
    await sleep(Math.random() * PERIOD_MS);
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const res = await call(token);
        await res.arrayBuffer();
        if (res.status === 200) result.latencies.push(performance.now() - started);
        else result.goodErrors += 1;
      } catch {
        result.goodErrors += 1;
      }
      // ~1 request a second with jitter (well within 120 a minute).
      await sleep(Math.max(0, PERIOD_MS * (0.75 + Math.random() * 0.5) - (performance.now() - started)));
    }
  };
  const abuseLoop = async (token: string) => {
    while (performance.now() < until) {
      try {
        const res = await call(token);
        await res.arrayBuffer();
        if (res.status === 200) result.abuseOk += 1;
        else if (res.status === 429) result.abuse429 += 1;
        else result.abuseOther += 1;
      } catch {
        result.abuseOther += 1;
      }
    }
  };
  await Promise.all([
    ...good.map(goodLoop),
    ...abusers.flatMap((t) => Array.from({ length: ABUSER_CONCURRENCY }, () => abuseLoop(t))),
  ]);
  return result;
}

function report(name: string, r: PhaseResult) {
  const s = [...r.latencies].sort((a, b) => a - b);
  const p = (q: number) => percentile(s, q).toFixed(1);
  console.log(
    `${name.padEnd(10)} good: ${s.length} ok, ${r.goodErrors} errors, p50 ${p(50)} ms, p95 ${p(95)} ms, p99 ${p(99)} ms` +
      (r.abuseOk + r.abuse429 + r.abuseOther > 0 ? ` | abusers: ${r.abuseOk} served, ${r.abuse429} × 429, ${r.abuseOther} other` : ''),
  );
  return percentile(s, 99);
}

async function main() {
  if (process.argv.includes('--server')) return serve();
  const name = `lumbung_bench_limits_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  let child: ChildProcess | null = null;
  try {
    const { createDatabase } = await import('../src/platform/db.js');
    const { migrateToLatest } = await import('../src/platform/migrate.js');
    const url = scratch.url;
    const database = await createDatabase({ kind: 'postgres', url, poolSize: 2 });
    await migrateToLatest(database.db);
    for (let i = 0; i < 5; i++) await database.db.insertInto('brands').values({ name: `Brand ${i}`, commodity: 'COFFEE', fee_pct: '5.00' }).execute();
    const users = await database.db
      .insertInto('users')
      .values(Array.from({ length: GOOD + ABUSERS }, (_, i) => ({ email: `bench${i}@example.test`, display_name: `Bench ${i}`, password_hash: 'x' })))
      .returning('id')
      .execute();
    await database.close();

    const secret = randomBytes(32).toString('base64url');
    child = fork(new URL(import.meta.url).pathname, ['--server'], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, DATABASE_URL: url, DATABASE_POOL_SIZE: '20', JWT_SECRET: secret, RATE_LIMIT_USER_PER_MINUTE: '120' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child!.once('message', (m) => resolve((m as { port: number }).port));
      child!.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const endpoint = `http://127.0.0.1:${port}/graphql`;
    const tokens = users.map((u) => sign(secret, String(u.id)));
    const good = tokens.slice(0, GOOD);
    const abusers = tokens.slice(GOOD);

    console.log(`bench:limits — ${GOOD} well-behaved clients (~1 req/s each), ${ABUSERS} abusers × ${ABUSER_CONCURRENCY} in flight, ${PHASE_MS / 1000} s per phase, loopback`);
    await phase(endpoint, good.slice(0, 20), []); // warm-up (JIT, pools); not reported
    const base = report('no abuse', await phase(endpoint, good, []));
    const abused = report('abuse', await phase(endpoint, good, abusers));
    const ratio = abused / base;
    console.log(`p99 ratio abuse / no abuse: ${ratio.toFixed(2)} (target ≤ 2.00) → ${ratio <= 2 ? 'PASS' : 'FAIL'}`);
    process.exitCode = ratio <= 2 ? 0 : 1;
  } finally {
    if (child && child.connected) {
      child.send('stop');
      await new Promise((r) => child!.once('exit', r));
    }
    await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
