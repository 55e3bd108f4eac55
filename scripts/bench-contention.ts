/**
 * Contention benchmark: many concurrent acceptOrder calls over shared supply, on PostgreSQL.
 *
 *   npm run bench:contention
 *   DATABASE_URL=postgres://user@host:5432/db npm run bench:contention
 *   BENCH_WORKERS=50 BENCH_POOL=30 BENCH_CALLS=3000 BENCH_SECONDS=60 BENCH_STRATEGIES=QUALITY_FIRST,OLDEST_FIRST npm run bench:contention
 *   BENCH_GATE=30 npm run bench:contention   (acceptances at once, ACCEPT_CONCURRENCY; default the server's 8)
 *
 * Creates its own database next to DATABASE_URL's (default postgres://postgres@127.0.0.1:5432/postgres),
 * migrates it and loads the demo seed (two brands, ~60 producers, their graded lots and forward
 * commitments). Then it places BENCH_CALLS REQUESTED orders (SQL, untimed) over that supply: each for
 * one of the two products in proportion to its supply, with a random minimum grade among the grades
 * present, a random strategy from BENCH_STRATEGIES (default: all four), a delivery window that
 * overlaps the commitments, and a quantity around 60 % of the product's supply divided by its number
 * of orders (±50 %, whole kilograms), so the supply lasts most of the run and refusals for short
 * supply are a minority rather than a fast path that flatters the rate.
 *
 * The calls are made by each brand's manager (the platform admin for a brand without one).
 * BENCH_WORKERS workers (default 50) share one pool of BENCH_POOL connections (default 30) and call
 * the service acceptOrder (orders/acceptance.ts, with its idempotency key, order lock, allocation,
 * invariant check and transition) one order after another until the orders run out or BENCH_SECONDS
 * (default 60) have passed. Reports calls/s, p50/p99/max latency, the benchmark process's CPU (a
 * rate bound by Node's one core rather than by lock waits shows as ~100 %), the CPU time per call of
 * Node and of a local PostgreSQL server (which side the time goes to), the rate those two allow on
 * this machine's cores (the CPU ceiling: cores ÷ their CPU per call, when the server is local and
 * shares them), and the outcomes: accepted, insufficient supply, busy (lock timeout or retries
 * exhausted), anything else.
 *
 * At the end, in SQL, independently of the service: no lot or commitment holds more than its
 * capacity, allocated_g = Σ ACTIVE lines (+ ACTIVE fulfilments for lots) on every row, every
 * ACCEPTED order's ACTIVE lines sum to its quantity, and every order still REQUESTED has no line.
 * Exits 1 when an invariant is violated or a call failed with anything but a typed refusal. The
 * database is dropped at the end (BENCH_KEEP_DB=1 keeps it, to inspect query plans).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { composeModules } from '../src/composition.js';
import { InsufficientSupplyError } from '../src/modules/allocation/errors.js';
import { STRATEGIES, type Strategy } from '../src/modules/allocation/engine.js';
import { startAvailabilityCompactor } from '../src/modules/availability/availability.service.js';
import { acceptanceGate, acceptOrder } from '../src/modules/orders/acceptance.js';
import { loadConfig } from '../src/config.js';
import { loadPrincipal, type Principal } from '../src/platform/auth.js';
import { createDatabase } from '../src/platform/db.js';
import { BusyError } from '../src/platform/errors.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { seedDemo } from '../src/seed/seed.js';
import { percentile, scratchDatabase } from './bench-support.js';

/**
 * CPU seconds used so far by the local PostgreSQL server: user + system time of every process named
 * postgres (backends, walwriter, autovacuum, …), plus the children the postmaster has reaped (the
 * backends that exited). Null when the server is not on this machine or /proc cannot be read.
 * Next to Node's CPU per call it shows which side an acceptance's time is spent on.
 */
function postgresCpuSeconds(url: string): number | null {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)) return null;
  let ticks = 0;
  let seen = false;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      // Fields after the command: state is field 3, utime/stime/cutime/cstime are fields 14–17.
      const f = stat.slice(close + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      seen = true;
    }
  } catch {
    return null;
  }
  // USER_HZ is 100 on Linux for every architecture Node runs on.
  return seen ? ticks / 100 : null;
}

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** DATABASE_TRANSACTION_POOLER=true runs as behind a pooler: no named statements, settings per transaction (see platform/db.ts). */
const TRANSACTION_POOLER = ['true', '1', 'yes', 'on'].includes(process.env.DATABASE_TRANSACTION_POOLER ?? 'false');
const intEnv = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
};
const WORKERS = intEnv('BENCH_WORKERS', 50);
const POOL = intEnv('BENCH_POOL', 30);
const GATE = intEnv('BENCH_GATE', loadConfig({}).acceptance.concurrency);
const CALLS = intEnv('BENCH_CALLS', 3000);
const SECONDS = intEnv('BENCH_SECONDS', 60);
const MIX: Strategy[] = (process.env.BENCH_STRATEGIES ?? STRATEGIES.join(',')).split(',').map((s) => {
  if (!(STRATEGIES as readonly string[]).includes(s)) throw new Error(`unknown strategy ${s}; one of ${STRATEGIES.join(', ')}`);
  return s as Strategy;
});
const WINDOW_START = '2027-06-01';
const WINDOW_END = '2027-09-30';

/** A small deterministic PRNG (mulberry32), so every run places the same orders. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ProductSupply {
  productId: number;
  brandId: number;
  supplyG: number;
  grades: Array<{ rank: number; code: string }>;
}

async function main() {
  composeModules();
  const name = `lumbung_bench_contention_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  const database = await createDatabase({ kind: 'postgres', url: scratch.url, poolSize: POOL, transactionPooler: TRANSACTION_POOLER });
  acceptanceGate.configure(GATE, WORKERS);
  let failed = false;
  try {
    const db = database.db;
    await migrateToLatest(db);
    await seedDemo(db);

    // The supply per product, the grades present, and the brand managers ----------------------
    const products = await sql<{ product_id: number; brand_id: number; spot: string; forward: string }>`
      select p.id as product_id, p.brand_id,
        (select coalesce(sum(l.net_g - l.allocated_g), 0) from lots l
          where l.product_id = p.id and l.grade_rank is not null and not l.off_grade
            and exists (select 1 from memberships m where m.producer_id = l.producer_id and m.brand_id = p.brand_id and m.status = 'APPROVED')) as spot,
        (select coalesce(sum(c.committed_g - c.allocated_g), 0) from commitments c
          where c.product_id = p.id and c.status = 'OPEN' and c.window_start <= ${WINDOW_END} and c.window_end >= ${WINDOW_START}
            and exists (select 1 from memberships m where m.producer_id = c.producer_id and m.brand_id = p.brand_id and m.status = 'APPROVED')) as forward
      from products p order by p.id`.execute(db);
    const supply: ProductSupply[] = [];
    for (const p of products.rows) {
      const grades = await sql<{ rank: number; code: string }>`
        select distinct grade_rank as rank, grade_code as code from lots where product_id = ${p.product_id} and grade_rank is not null order by grade_rank`.execute(db);
      const supplyG = Number(p.spot) + Number(p.forward);
      if (supplyG > 0 && grades.rows.length > 0) supply.push({ productId: p.product_id, brandId: p.brand_id, supplyG, grades: grades.rows });
    }
    if (supply.length === 0) throw new Error('the demo seed left no supply');
    const managers = new Map<number, Principal>();
    const grants = await db.selectFrom('role_grants').select(['user_id', 'brand_id']).where('role', '=', 'BRAND_MANAGER').execute();
    for (const g of grants) {
      if (g.brand_id === null || managers.has(g.brand_id)) continue;
      const principal = await loadPrincipal(db, g.user_id);
      if (principal) managers.set(g.brand_id, principal);
    }
    const buyer = await db.selectFrom('buyer_orgs').select('id').orderBy('id').executeTakeFirstOrThrow();
    const placedBy = await db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow();

    // The orders (untimed) ----------------------------------------------------------------
    const random = prng(13);
    const total = supply.reduce((s, p) => s + p.supplyG, 0);
    const picks = Array.from({ length: CALLS }, () => {
      let r = random() * total;
      for (const p of supply) if ((r -= p.supplyG) < 0) return p;
      return supply[supply.length - 1]!;
    });
    const perProduct = new Map<number, number>();
    for (const p of picks) perProduct.set(p.productId, (perProduct.get(p.productId) ?? 0) + 1);
    const rows = picks.map((p) => {
      const meanG = (0.6 * p.supplyG) / perProduct.get(p.productId)!;
      const quantityG = Math.max(1000, Math.round((meanG * (0.5 + random())) / 1000) * 1000);
      const grade = p.grades[Math.floor(random() * p.grades.length)]!;
      return {
        buyer_org_id: buyer.id, brand_id: p.brandId, product_id: p.productId, min_grade_rank: grade.rank, min_grade_code: grade.code,
        quantity_g: quantityG, whole_bags: false, window_start: WINDOW_START, window_end: WINDOW_END, destination_country: 'EG',
        incoterm: 'FOB' as const, price_minor_per_kg: 450, currency: 'USD', placed_by: placedBy.id,
      };
    });
    const orders: Array<{ id: number; brandId: number; strategy: Strategy }> = [];
    for (let i = 0; i < rows.length; i += 500) {
      const ids = await db.insertInto('orders').values(rows.slice(i, i + 500)).returning(['id', 'brand_id']).execute();
      for (const o of ids) orders.push({ id: o.id, brandId: o.brand_id, strategy: MIX[Math.floor(random() * MIX.length)]! });
    }
    // A brand without a manager of its own (the demo's Robusta brand) is managed by the platform admin.
    const adminGrant = await db.selectFrom('role_grants').select('user_id').where('role', '=', 'ADMIN').orderBy('id').executeTakeFirstOrThrow();
    const platformAdmin = await loadPrincipal(db, adminGrant.user_id);
    for (const o of orders) {
      if (managers.has(o.brandId)) continue;
      if (!platformAdmin) throw new Error(`no brand manager for brand ${o.brandId} and no admin`);
      managers.set(o.brandId, platformAdmin);
    }

    // The run -----------------------------------------------------------------------------
    const latencies: number[] = [];
    const outcomes = { accepted: 0, insufficient: 0, busy: 0, other: 0 };
    let firstOther: unknown;
    let next = 0;
    // As in the server: availability's compactor folds the producers acceptances change (BENCH_COMPACT_MS, 0: off).
    const stopCompactor = startAvailabilityCompactor(db, Number(process.env.BENCH_COMPACT_MS ?? 1000), (e) => console.error('compaction failed', e));
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const pgCpuBefore = postgresCpuSeconds(BASE_URL);
    const deadline = started + SECONDS * 1000;
    const worker = async () => {
      while (next < orders.length && performance.now() < deadline) {
        const o = orders[next++]!;
        const t0 = performance.now();
        try {
          await acceptOrder(db, managers.get(o.brandId)!, { orderId: o.id, strategy: o.strategy, idempotencyKey: `bench-contention-${o.id}` });
          outcomes.accepted++;
        } catch (e) {
          if (e instanceof InsufficientSupplyError) outcomes.insufficient++;
          else if (e instanceof BusyError) outcomes.busy++;
          else {
            outcomes.other++;
            firstOther ??= e;
          }
        }
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const elapsedS = (performance.now() - started) / 1000;
    await stopCompactor();
    const cpu = process.cpuUsage(cpuBefore);
    const nodeCpuPct = ((cpu.user + cpu.system) / 1e6 / elapsedS) * 100;
    const pgCpuAfter = postgresCpuSeconds(BASE_URL);
    const pgCpuS = pgCpuBefore !== null && pgCpuAfter !== null ? pgCpuAfter - pgCpuBefore : null;

    // The invariants, in SQL ----------------------------------------------------------------
    const violations = await sql<{ what: string }>`
      select 'lot ' || l.id || ': allocated ' || l.allocated_g || ' g, active ' || (coalesce(a.s, 0) + coalesce(f.s, 0)) || ' g, net ' || l.net_g || ' g' as what
      from lots l
      left join (select lot_id, sum(weight_g) as s from allocation_lines where status = 'ACTIVE' and lot_id is not null group by lot_id) a on a.lot_id = l.id
      left join (select lot_id, sum(weight_g) as s from fulfilments where status = 'ACTIVE' group by lot_id) f on f.lot_id = l.id
      where l.allocated_g <> coalesce(a.s, 0) + coalesce(f.s, 0) or coalesce(a.s, 0) + coalesce(f.s, 0) > l.net_g
      union all
      select 'commitment ' || c.id || ': allocated ' || c.allocated_g || ' g, active ' || coalesce(a.s, 0) || ' g, committed ' || c.committed_g || ' g'
      from commitments c
      left join (select commitment_id, sum(weight_g) as s from allocation_lines where status = 'ACTIVE' and commitment_id is not null group by commitment_id) a
        on a.commitment_id = c.id
      where c.allocated_g <> coalesce(a.s, 0) or coalesce(a.s, 0) > c.committed_g
      union all
      select 'order ' || o.id || ' ' || o.status || ': ' || coalesce(a.s, 0) || ' g active of ' || o.quantity_g || ' g, ' || coalesce(a.n, 0) || ' line(s)'
      from orders o
      left join (select order_id, sum(weight_g) filter (where status = 'ACTIVE') as s, count(*) as n from allocation_lines group by order_id) a on a.order_id = o.id
      where (o.status = 'ACCEPTED' and coalesce(a.s, 0) <> o.quantity_g) or (o.status = 'REQUESTED' and coalesce(a.n, 0) > 0)`.execute(db);
    const accepted = await db.selectFrom('orders').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'ACCEPTED').executeTakeFirstOrThrow();

    const sorted = [...latencies].sort((a, b) => a - b);
    const calls = latencies.length;
    console.log(
      `bench:contention — ${WORKERS} workers, pool ${POOL}, ${GATE} acceptances at once, ${calls} of ${orders.length} calls in ${elapsedS.toFixed(1)} s ` +
        `(limit ${SECONDS} s), strategies ${MIX.join('/')}, demo supply ${(total / 1e6).toFixed(1)} t over ${supply.length} product(s); PostgreSQL ${new URL(BASE_URL).host}`,
    );
    console.log(
      `  ${(calls / elapsedS).toFixed(0)} calls/s   p50 ${percentile(sorted, 50).toFixed(0)} ms   p99 ${percentile(sorted, 99).toFixed(0)} ms   max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms   ` +
        `Node CPU ${nodeCpuPct.toFixed(0)} % of one core`,
    );
    const perCall = (seconds: number) => `${((seconds * 1000) / calls).toFixed(2)} ms`;
    console.log(
      `  CPU per call: Node ${perCall((cpu.user + cpu.system) / 1e6)}, PostgreSQL ` +
        (pgCpuS === null ? 'n/a (not a local server this process can read)' : `${perCall(pgCpuS)} (every postgres process, ${os.cpus().length} cores here)`),
    );
    if (pgCpuS !== null) {
      // With the server on this machine the two share its cores: their CPU per call bounds the rate,
      // however the acceptances are scheduled, so a run is read against that bound as well as the target.
      const cpuPerCallS = ((cpu.user + cpu.system) / 1e6 + pgCpuS) / calls;
      const ceiling = os.cpus().length / cpuPerCallS;
      console.log(
        `  CPU ceiling here: ${ceiling.toFixed(0)} calls/s (${os.cpus().length} cores ÷ ${(cpuPerCallS * 1000).toFixed(2)} ms of Node + PostgreSQL CPU per call); ` +
          `the run reached ${((100 * calls) / elapsedS / ceiling).toFixed(0)} % of it`,
      );
    }
    console.log(
      `  accepted ${outcomes.accepted}, insufficient supply ${outcomes.insufficient}, busy ${outcomes.busy}, other errors ${outcomes.other}; ` +
        `ACCEPTED orders in SQL ${accepted.n}; invariant violations ${violations.rows.length}`,
    );
    for (const v of violations.rows.slice(0, 10)) console.log(`  violation: ${v.what}`);
    if (firstOther !== undefined) console.log('  first other error:', firstOther);
    if (violations.rows.length > 0 || outcomes.other > 0 || Number(accepted.n) !== outcomes.accepted) failed = true;
  } finally {
    await database.close().catch(() => {});
    if (process.env.BENCH_KEEP_DB === '1') console.log(`  kept the database for inspection (BENCH_KEEP_DB=1): ${name}; drop it when done`);
    else await scratch.drop();
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
