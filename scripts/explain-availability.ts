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

  console.log(`generating ${N_PRODUCERS} producers, ${N_LOTS} lots, ${N_COMMITMENTS} commitments …`);
  let t = Date.now();
  await q(`SET synchronous_commit = off`);
  await q(`SET maintenance_work_mem = '256MB'`);
  await q(`SELECT setseed(0.2027)`);
  await q(`INSERT INTO brands (name, commodity, fee_pct) VALUES ('Java Ijen-Raung Arabica (explain)', 'COFFEE', 5), ('Robusta (explain)', 'COFFEE', 5)`);
  await q(`INSERT INTO products (brand_id, name, commodity, species, process, form)
           VALUES (1, 'Arabica green, fully washed', 'COFFEE', 'ARABICA', 'WASHED', 'GREEN'),
                  (1, 'Arabica green, natural', 'COFFEE', 'ARABICA', 'NATURAL', 'GREEN'),
                  (1, 'Arabica green, honey', 'COFFEE', 'ARABICA', 'HONEY', 'GREEN'),
                  (2, 'Robusta green', 'COFFEE', 'ROBUSTA', 'NATURAL', 'GREEN')`);
  await q(`INSERT INTO grade_schemes (product_id, version, preset) SELECT id, 1, 'SNI_ARABICA' FROM products`);
  await q(`INSERT INTO grades (scheme_id, code, label, rank, max_defect, max_moisture)
           SELECT s.id, g.code, 'Mutu ' || g.code, g.rank, g.max_defect, 12.5
           FROM grade_schemes s CROSS JOIN (VALUES ('1', 1, 11), ('2', 2, 25), ('3', 3, 44), ('4', 4, 80), ('5', 5, 150), ('6', 6, 225)) g(code, rank, max_defect)`);
  await q(`INSERT INTO cooperatives (name, regency) SELECT 'Koperasi ' || i, (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + i % 5] FROM generate_series(1, 100) i`);
  // Regency of producer i is regencies[1 + i % 5]; lots and commitments copy it the same way.
  await q(`INSERT INTO producers (cooperative_id, display_name, village, district, regency)
           SELECT 1 + i % 100, 'Petani ' || i, 'Desa ' || (i % 400), 'Kecamatan ' || (i % 40), (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + i % 5]
           FROM generate_series(1, $1::int) i`, [N_PRODUCERS]);
  // 90 % approved, 5 % applied, 3 % suspended, 2 % rejected; every 10th producer is also in the Robusta brand.
  await q(`INSERT INTO memberships (producer_id, brand_id, status)
           SELECT i, 1, CASE WHEN i % 100 < 90 THEN 'APPROVED' WHEN i % 100 < 95 THEN 'APPLIED' WHEN i % 100 < 98 THEN 'SUSPENDED' ELSE 'REJECTED' END
           FROM generate_series(1, $1::int) i
           UNION ALL SELECT i, 2, 'APPROVED' FROM generate_series(10, $1::int, 10) i`, [N_PRODUCERS]);
  lap('brands, products, producers, memberships', t);

  // Bulk load: drop the secondary indexes of lots and commitments, load, and build them again.
  const indexes = (
    await q(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('lots', 'commitments') AND indexname NOT LIKE '%_pkey'`)
  ).rows as Array<{ indexname: string; indexdef: string }>;
  for (const ix of indexes) await q(`DROP INDEX ${ix.indexname}`);

  t = Date.now();
  // Lots: 60 % product 1, 25 % product 2, 15 % product 3. Grades 1–6 (10/20/30/15/8/5 %), 7 % not yet
  // assessed, 5 % off-grade. 70 % unallocated, 15 % partly, 15 % fully allocated. 60 kg – 3 t each.
  await q(`INSERT INTO lots (producer_id, product_id, brand_id, regency, harvest_start, harvest_end, process, net_g, allocated_g,
                             storage_location, eudr_ready, grade_rank, grade_code, off_grade)
           SELECT p, product, 1, (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + p % 5],
                  date '2026-05-01' + (r3 * 120)::int, date '2026-05-01' + (r3 * 120)::int + 30,
                  (ARRAY['WASHED','NATURAL','HONEY'])[product], net,
                  CASE WHEN r4 < 0.70 THEN 0 WHEN r4 < 0.85 THEN (net * r5)::int8 ELSE net END,
                  'Gudang ' || (p % 100), r5 < 0.9,
                  rank, rank::text, r2 >= 0.95
           FROM (
             SELECT p, net, r2, r3, r4, r5,
                    CASE WHEN r1 < 0.60 THEN 1 WHEN r1 < 0.85 THEN 2 ELSE 3 END AS product,
                    CASE WHEN r2 < 0.10 THEN 1 WHEN r2 < 0.30 THEN 2 WHEN r2 < 0.60 THEN 3 WHEN r2 < 0.75 THEN 4
                         WHEN r2 < 0.83 THEN 5 WHEN r2 < 0.88 THEN 6 ELSE NULL END AS rank
             FROM (
               SELECT 1 + (random() * ($2::int - 1))::int AS p, 60000 + (random() * 2940000)::int8 AS net,
                      random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
               FROM generate_series(1, $1::int)
             ) raw
           ) x`, [N_LOTS, N_PRODUCERS]);
  lap(`lots (${N_LOTS})`, t);

  t = Date.now();
  // Commitments: windows starting anywhere in 2026-01 … 2028-09, 30–180 days long; minimum grade 1–4;
  // 90 % open; 75 % unallocated, 15 % partly, 10 % fully allocated. 0.5–12 t each.
  await q(`INSERT INTO commitments (producer_id, product_id, brand_id, regency, min_grade_rank, min_grade_code, committed_g, allocated_g,
                                    window_start, window_end, status, eudr_ready)
           SELECT p, product, 1, (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + p % 5], rank, rank::text, g,
                  CASE WHEN r4 < 0.75 THEN 0 WHEN r4 < 0.90 THEN (g * r5)::int8 ELSE g END,
                  start, start + 30 + (r3 * 150)::int, CASE WHEN r5 < 0.9 THEN 'OPEN' ELSE 'WITHDRAWN' END, r3 < 0.8
           FROM (
             SELECT 1 + (random() * ($2::int - 1))::int AS p, 500000 + (random() * 11500000)::int8 AS g,
                    CASE WHEN r1 < 0.60 THEN 1 WHEN r1 < 0.85 THEN 2 ELSE 3 END AS product,
                    1 + floor(random() * 4)::int AS rank, date '2026-01-01' + (random() * 1000)::int AS start,
                    random() AS r3, random() AS r4, random() AS r5
             FROM (SELECT random() AS r1 FROM generate_series(1, $1::int)) s
           ) x`, [N_COMMITMENTS, N_PRODUCERS]);
  lap(`commitments (${N_COMMITMENTS})`, t);

  t = Date.now();
  for (const ix of indexes) await q(ix.indexdef);
  lap(`rebuild ${indexes.length} indexes of lots and commitments`, t);

  t = Date.now();
  for (const table of ['producers', 'memberships', 'lots', 'commitments', 'grades', 'grade_schemes', 'products']) {
    await q(`VACUUM (ANALYZE) ${table}`);
  }
  lap('VACUUM (ANALYZE)', t);
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
