/**
 * Availability at scale, on PostgreSQL: the buyer's question answered from the maintained aggregates.
 *
 *   npm run bench:availability
 *   DATABASE_URL=postgres://user@host:5432/db BENCH_PRODUCERS=100000 BENCH_LOTS=1000000 BENCH_COMMITMENTS=200000 BENCH_RUNS=200 npm run bench:availability
 *
 * Creates its own database next to DATABASE_URL's (default postgres://postgres@127.0.0.1:5432/postgres),
 * migrates it, generates the explain-availability dataset (scripts/availability-dataset.ts: 100,000
 * producers, ~1,000,000 lots, ~200,000 commitments) and fills the aggregates with the repair (both
 * timed). Then, for each question (all regencies grade ≤ 3; one regency; grade 1 only; window
 * May–September 2027), it checks the answer equals the scan of lots and commitments (the statement
 * the aggregates replace) and times BENCH_RUNS calls of the service getAvailability (product, scheme
 * and grades lookups plus the aggregates statement; no HTTP/GraphQL), interleaved across questions,
 * and a few runs of the old scan. Then it dirties 2,000 producers (their lots get 1 g more allocated,
 * through the triggers) and times the same questions again before compacting. Prints p50/p95 and the
 * load average. The database is dropped at the end.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { aggregateQuery, aggregatesQuery, type SupplyFilter } from '../src/modules/availability/availability.repo.js';
import { compactAll, getAvailability, repairAvailability } from '../src/modules/availability/availability.service.js';
import type { Principal } from '../src/platform/auth.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { generateAvailabilityDataset } from './availability-dataset.js';
import { percentile, scratchDatabase } from './bench-support.js';

const env = process.env;
const base = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const size = { producers: Number(env.BENCH_PRODUCERS ?? 100_000), lots: Number(env.BENCH_LOTS ?? 1_000_000), commitments: Number(env.BENCH_COMMITMENTS ?? 200_000) };
const RUNS = Number(env.BENCH_RUNS ?? 200);
const name = `lumbung_bench_avail_${process.pid}`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const lap = (label: string, since: number) => console.log(`  ${label.padEnd(44)} ${((Date.now() - since) / 1000).toFixed(1)} s`);
const ADMIN: Principal = { userId: 0, email: 'bench', displayName: 'bench', grants: [{ id: 0, role: 'ADMIN', orgId: null }] };

const scratch = await scratchDatabase(base, name);
const database = await createDatabase({ kind: 'postgres', url: scratch.url, poolSize: 4 });
const client = new pg.Client({ connectionString: scratch.url });
let failed = false;
try {
  const db = database.db;
  await migrateToLatest(db);
  await client.connect();
  const t0 = Date.now();
  console.log(`generating ${size.producers} producers, ${size.lots} lots, ${size.commitments} commitments (load ${load()}) …`);
  await generateAvailabilityDataset((text, params = []) => client.query(text, params), size, lap);
  lap('dataset generated', t0);
  const tr = Date.now();
  const report = await repairAvailability(db);
  lap(`repair:availability (${report.counters} counters)`, tr);
  await client.query('VACUUM (ANALYZE) availability_counters');
  await client.query('VACUUM (ANALYZE) availability_contributions');
  const sizes = await client.query(`SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS size, reltuples::int8 AS rows FROM pg_class
    WHERE relname IN ('availability_counters', 'availability_contributions', 'availability_live') ORDER BY relname`);
  for (const r of sizes.rows) console.log(`  ${String(r.relname).padEnd(30)} ${String(r.size).padStart(8)}  ~${r.rows} rows`);

  const q0 = { productId: 1, brandId: 1, maxRank: 3, windowStart: '2027-05-01', windowEnd: '2027-09-30', regencies: null } satisfies SupplyFilter;
  const cases: Array<[string, SupplyFilter]> = [
    ['all regencies, grade <= 3', q0],
    ['one regency (Bondowoso), grade <= 3', { ...q0, regencies: ['bondowoso'] }],
    ['all regencies, grade 1 only', { ...q0, maxRank: 1 }],
  ];
  const ask = (f: SupplyFilter) => getAvailability(db, ADMIN, { productId: f.productId, minGrade: String(f.maxRank), windowStart: f.windowStart, windowEnd: f.windowEnd, regencies: f.regencies });

  const check = async (label: string) => {
    for (const [title, f] of cases) {
      const a = await ask(f);
      const rows = (await aggregateQuery(f).execute(db)).rows;
      const total = rows.find((r) => r.level === 3);
      const same = a.spotG === (total?.spot_g ?? 0) && a.forwardG === (total?.forward_g ?? 0) && a.contributorCount === (total?.producers ?? 0) &&
        a.byGrade.every((g) => { const r = rows.find((x) => x.level === 1 && x.rank === g.grade.rank); return g.spotG === (r?.spot_g ?? 0) && g.forwardG === (r?.forward_g ?? 0) && g.contributorCount === (r?.producers ?? 0); }) &&
        a.byRegency.length === rows.filter((r) => r.level === 2).length &&
        a.byRegency.every((g) => { const r = rows.find((x) => x.level === 2 && x.regency === g.regency); return g.spotG === r?.spot_g && g.forwardG === r?.forward_g && g.contributorCount === r?.producers; });
      console.log(`  ${label}: ${title}: ${same ? 'same answer as the scan' : 'DIFFERENT from the scan'} (spot ${a.spotG} g, forward ${a.forwardG} g, ${a.contributorCount} contributors)`);
      if (!same) failed = true;
    }
  };
  const time = async (label: string) => {
    const ms = cases.map(() => [] as number[]);
    for (let i = 0; i < 10; i++) for (const [, f] of cases) await ask(f); // warm-up
    for (let i = 0; i < RUNS; i++) {
      for (const [k, [, f]] of cases.entries()) {
        const s = performance.now();
        await ask(f);
        ms[k]!.push(performance.now() - s);
      }
    }
    console.log(`\n${label} (${RUNS} calls each, interleaved; load average ${load()}):`);
    for (const [k, [title]] of cases.entries()) {
      const sorted = ms[k]!.sort((a, b) => a - b);
      console.log(`  ${title.padEnd(40)} p50 ${percentile(sorted, 50).toFixed(2)} ms  p95 ${percentile(sorted, 95).toFixed(2)} ms  max ${sorted[sorted.length - 1]!.toFixed(2)} ms`);
    }
  };

  if (env.BENCH_EXPLAIN) {
    const compiled = aggregatesQuery(q0).compile(db);
    for (const r of (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, [...compiled.parameters])).rows) console.log(`    ${r['QUERY PLAN']}`);
  }
  console.log('');
  await check('compacted');
  await time('getAvailability from the aggregates, compacted');

  // The scan the aggregates replace, for comparison (a few runs: it is slow).
  console.log(`\nthe old scan (aggregateQuery, work_mem 64MB), 5 runs each (load average ${load()}):`);
  await client.query(`SET work_mem = '64MB'`);
  for (const [title, f] of cases) {
    const compiled = aggregateQuery(f).compile(db);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      await client.query(compiled.sql, [...compiled.parameters]);
      runs.push(performance.now() - s);
    }
    runs.sort((a, b) => a - b);
    console.log(`  ${title.padEnd(40)} median ${runs[2]!.toFixed(1)} ms  min ${runs[0]!.toFixed(1)} ms`);
  }

  // Dirty producers: changed since the last compaction, computed live by the read.
  const td = Date.now();
  await client.query(`UPDATE lots SET allocated_g = allocated_g + 1 WHERE id IN (
    SELECT min(id) FROM lots WHERE product_id = 1 AND allocated_g + 1 < net_g AND producer_id % 50 = 7 GROUP BY producer_id)`);
  const dirty = (await client.query('SELECT count(DISTINCT producer_id)::int AS n FROM availability_dirty')).rows[0].n;
  lap(`dirtied ${dirty} producers (one lot each)`, td);
  console.log('');
  await check(`${dirty} dirty`);
  await time(`getAvailability from the aggregates with ${dirty} producers dirty`);
  const tc = Date.now();
  const folded = await compactAll(db);
  lap(`\ncompacted ${folded} producers`, tc);
  await check('compacted again');
} finally {
  await client.end().catch(() => {});
  await database.close();
  await scratch.drop();
}
if (failed) process.exit(1);
