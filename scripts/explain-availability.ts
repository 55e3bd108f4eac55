// DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx scripts/explain-availability.ts [--producers 100000] [--lots 1000000] [--commitments 200000] [--keep]
//
// The availability queries at scale. Creates its own database (lumbung_explain_<pid>) next to the one
// in DATABASE_URL, migrates it, bulk-generates one brand with 100,000 member producers, ~1,000,000
// lots over three products, six grades and five regencies and ~200,000 commitments (INSERT … SELECT
// generate_series, deterministic: setseed), VACUUM ANALYZEs, then prints EXPLAIN (ANALYZE, BUFFERS) of
// the aggregate statement and of the drill-down page for several questions, with warm timings.
// The database is dropped at the end (unless --keep).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { AGGREGATE_WORK_MEM, aggregateQuery, contributorsByProbeQuery, contributorsByScanQuery, type SupplyFilter } from '../src/modules/availability/availability.repo.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { generateAvailabilityDataset } from './availability-dataset.js';

const { values: args } = parseArgs({
  options: {
    producers: { type: 'string', default: '100000' },
    lots: { type: 'string', default: '1000000' },
    commitments: { type: 'string', default: '200000' },
    keep: { type: 'boolean', default: false },
  },
});
const N_PRODUCERS = Number(args.producers);
const N_LOTS = Number(args.lots);
const N_COMMITMENTS = Number(args.commitments);

const config = loadConfig({ ...process.env, JWT_SECRET: process.env.JWT_SECRET ?? 'explain-script-does-not-sign-tokens-000000' });
if (config.database.kind !== 'postgres') {
  console.error('explain-availability needs PostgreSQL: set DATABASE_URL=postgres://user@host:port/db (the script creates and drops its own database)');
  process.exit(2);
}
const baseUrl = config.database.url;
const name = `lumbung_explain_${process.pid}`;
const urlOf = (db: string) => Object.assign(new URL(baseUrl), { pathname: `/${db}` }).toString();

const admin = new pg.Pool({ connectionString: baseUrl, max: 1 });
const t0 = Date.now();
const lap = (label: string, since: number) => console.log(`  ${label.padEnd(44)} ${((Date.now() - since) / 1000).toFixed(1)} s`);

await admin.query(`CREATE DATABASE ${name}`);
console.log(`created database ${name}`);
const database = await createDatabase({ kind: 'postgres', url: urlOf(name), poolSize: 2 });
const client = new pg.Client({ connectionString: urlOf(name) });
try {
  await migrateToLatest(database.db);
  await client.connect();
  const q = (text: string, params: unknown[] = []) => client.query(text, params);

  await generateAvailabilityDataset(q, { producers: N_PRODUCERS, lots: N_LOTS, commitments: N_COMMITMENTS }, lap);
  lap('total generation', t0);

  const sizes = await q(`SELECT relname, pg_size_pretty(pg_relation_size(oid)) AS size, reltuples::int8 AS rows FROM pg_class
                         WHERE relname IN ('lots', 'commitments', 'memberships', 'lots_available_idx', 'commitments_open_idx', 'lots_available_producer_idx', 'commitments_open_producer_idx', 'memberships_brand_status_idx')
                         ORDER BY relname`);
  console.log('\nrelation sizes:');
  for (const r of sizes.rows) console.log(`  ${String(r.relname).padEnd(30)} ${String(r.size).padStart(8)}  ~${r.rows} rows`);

  const base: SupplyFilter = { productId: 1, brandId: 1, maxRank: 3, windowStart: '2027-05-01', windowEnd: '2027-09-30', regencies: null };
  const page = (afterId: number | null) => ({ afterId, beforeId: null, limit: 21, inverted: false });
  const jember = { ...base, regencies: ['jember'] };
  type Compilable = { compile: (db: never) => { sql: string; parameters: readonly unknown[] } };
  const cases: Array<{ title: string; query: Compilable; workMem?: string }> = [
    { title: 'aggregate: product 1, grade ≤ 3, window 2027-05-01..2027-09-30, all regencies', query: aggregateQuery(base), workMem: AGGREGATE_WORK_MEM },
    { title: 'aggregate: same with the default work_mem (4MB)', query: aggregateQuery(base), workMem: '4MB' },
    { title: 'aggregate: same, regencies [bondowoso]', query: aggregateQuery({ ...base, regencies: ['bondowoso'] }), workMem: AGGREGATE_WORK_MEM },
    { title: 'aggregate: product 1, grade 1 only', query: aggregateQuery({ ...base, maxRank: 1 }), workMem: AGGREGATE_WORK_MEM },
    {
      title: 'aggregate: product 3 (15 % of lots), grade ≤ 6, window all of 2027',
      query: aggregateQuery({ ...base, productId: 3, maxRank: 6, windowStart: '2027-01-01', windowEnd: '2027-12-31' }),
      workMem: AGGREGATE_WORK_MEM,
    },
    { title: 'drill-down by probe: first page (21 rows)', query: contributorsByProbeQuery(base, page(null)) },
    { title: 'drill-down by probe: page after producer 50000', query: contributorsByProbeQuery(base, page(Math.floor(N_PRODUCERS / 2))) },
    { title: 'drill-down by scan: first page (21 rows)', query: contributorsByScanQuery(base, page(null)) },
    { title: 'drill-down by scan: page after producer 50000', query: contributorsByScanQuery(base, page(Math.floor(N_PRODUCERS / 2))) },
    { title: 'drill-down worst cases, no contributor at all (regency Jember): by probe', query: contributorsByProbeQuery(jember, page(null)) },
    { title: 'drill-down worst cases, no contributor at all (regency Jember): by scan', query: contributorsByScanQuery(jember, page(null)) },
  ];
  const summary: string[] = [];
  for (const c of cases) {
    await q(`SET work_mem = '${c.workMem ?? '4MB'}'`);
    const compiled = c.query.compile(database.db as never);
    const plan = await q(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, [...compiled.parameters]);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = process.hrtime.bigint();
      await q(compiled.sql, [...compiled.parameters]);
      runs.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    runs.sort((a, b) => a - b);
    const line = `median ${runs[2]!.toFixed(1)} ms, min ${runs[0]!.toFixed(1)} ms (work_mem ${c.workMem ?? '4MB'})`;
    summary.push(`  ${line.padEnd(52)} ${c.title}`);
    console.log(`\n=== ${c.title}\n    warm wall-clock over 5 runs: ${line}`);
    for (const row of plan.rows) console.log(`    ${row['QUERY PLAN']}`);
  }
  console.log(`\nsummary (warm, 5 runs each):\n${summary.join('\n')}`);
} finally {
  await client.end().catch(() => {});
  await database.close();
  if (args.keep) console.log(`\nkept database ${name}`);
  else {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    console.log(`\ndropped database ${name}`);
  }
  await admin.end();
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
