/**
 * Benchmark of a cooperative's SHU year on PostgreSQL.
 *
 *   npx tsx scripts/bench-shu.ts
 *   DATABASE_URL=postgres://user@host:5432/db MEMBERS=5000 npx tsx scripts/bench-shu.ts
 *
 * Creates its own temporary database next to DATABASE_URL's (default
 * postgres://postgres@127.0.0.1:5432/postgres), migrates it, and seeds one cooperative with MEMBERS
 * (default 2,000) members, each with 12 payout statements in the fiscal year (one per monthly
 * settlement run, plus statements of another year that must not count) and two capital records.
 * Times, after warm-up:
 * - core: computeShu (the pure split) on the same figures;
 * - service: computeShuYear (cooperative lock, split lookup, statement and capital sums, the core,
 *   replacing the draft's funds and member lines, commit).
 * Prints median and p95 in ms and checks that the members' shares sum to the members' part.
 * The database is dropped at the end. Informational: exits 0.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { computeShu, parseSplit } from '../src/modules/shu/shu-core.js';
import { computeShuYear } from '../src/modules/shu/shu.service.js';
import type { Principal } from '../src/platform/auth.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { percentile, scratchDatabase } from './bench-support.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MEMBERS = Number(process.env.MEMBERS ?? 2000);
const RUNS = 12;
const WARMUP = 3;
const REPS = 15;
const YEAR = 2025;

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms (${times.length} runs)`;
};

async function main() {
  const name = `lumbung_bench_shu_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  const database = await createDatabase({ kind: 'postgres', url: scratch.url, poolSize: 4 });
  try {
    const db = database.db;
    await migrateToLatest(db);

    // Seed (set-based SQL) ---------------------------------------------------------------------
    const user = await db.insertInto('users').values({ email: 'bench@example.org', display_name: 'Bench', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    const coop = await db.insertInto('cooperatives').values({ name: 'Koperasi Bench', regency: 'Bondowoso' }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('role_grants').values({ user_id: user.id, role: 'COOP_MANAGER', cooperative_id: coop.id }).execute();
    const brand = await db.insertInto('brands').values({ name: 'Bench Arabica', commodity: 'COFFEE', fee_pct: '5.00' }).returning('id').executeTakeFirstOrThrow();
    const product = await db.insertInto('products').values({ brand_id: brand.id, name: 'Green', commodity: 'COFFEE', species: 'ARABICA', process: 'WASHED', form: 'GREEN' }).returning('id').executeTakeFirstOrThrow();
    const buyer = await db.insertInto('buyer_orgs').values({ name: 'Importer', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    await sql`insert into producers (cooperative_id, display_name, village, district, regency)
      select ${coop.id}, 'Anggota ' || g, 'Sukorejo', 'Sumberwringin', 'Bondowoso' from generate_series(1, ${MEMBERS}) g`.execute(db);
    for (let run = 1; run <= RUNS + 1; run++) {
      // one order and one settlement run per month; the 13th is dated in the next year (not counted)
      const date = run <= RUNS ? `${YEAR}-${String(run).padStart(2, '0')}-15` : `${YEAR + 1}-01-15`;
      const order = await db.insertInto('orders').values({
        buyer_org_id: buyer.id, brand_id: brand.id, product_id: product.id, min_grade_rank: 3, min_grade_code: '3', quantity_g: 19_200_000,
        window_start: date, window_end: date, destination_country: 'EG', incoterm: 'FOB', price_minor_per_kg: 410, currency: 'USD',
        notes: null, status: 'SHIPPED', placed_by: user.id,
      }).returning('id').executeTakeFirstOrThrow();
      const total = await sql<{ s: string }>`select sum(1000000 + (id * 7919 + ${run} * 104729) % 50000000)::text as s from producers where cooperative_id = ${coop.id}`.execute(db);
      const received = Number(total.rows[0]!.s);
      const settlement = await sql<{ id: number }>`
        insert into settlements (order_id, run_no, settled_on, weight_g, received_idr_minor, received_total_idr_minor, costs_idr_minor,
          costs_total_idr_minor, brand_fee_pct, brand_fee_idr_minor, coop_fees_idr_minor, payouts_idr_minor, premiums_total_minor,
          net_total_minor, base_rate_minor_per_kg)
        values (${order.id}, 1, ${date}, 19200000, ${received}, ${received}, 0, 0, 0, 0, 0, ${received}, 0, ${received}, 0) returning id`.execute(db);
      await sql`insert into payout_statements (settlement_id, order_id, brand_id, producer_id, cooperative_id, fiscal_date, delivered_g, amount_idr_minor)
        select ${settlement.rows[0]!.id}, ${order.id}, ${brand.id}, id, ${coop.id}, ${date}, 60000, 1000000 + (id * 7919 + ${run} * 104729) % 50000000
        from producers where cooperative_id = ${coop.id}`.execute(db);
    }
    await sql`insert into shu_capital_records (cooperative_id, producer_id, kind, amount_idr_minor, recorded_on, recorded_by)
      select ${coop.id}, id, k.kind, case k.kind when 'POKOK' then 10000000 else 100 * (id % 997 + 1) * 1000 end, '2024-01-10', ${user.id}
      from producers, (values ('POKOK'), ('WAJIB')) as k(kind) where cooperative_id = ${coop.id}`.execute(db);
    const split = { reservePct: '40', transactionsPct: '25', capitalPct: '15', funds: ['pengurus', 'karyawan', 'pendidikan', 'sosial'].map((f) => ({ name: `Dana ${f}`, pct: '5' })) };
    const parsed = parseSplit(split);
    const splitRow = await sql<{ id: number }>`insert into shu_splits (cooperative_id, version, effective_from_year, reserve_bp, transactions_bp, capital_bp, created_by)
      values (${coop.id}, 1, ${YEAR}, ${parsed.reserveBp}, ${parsed.transactionsBp}, ${parsed.capitalBp}, ${user.id}) returning id`.execute(db);
    for (const [i, f] of parsed.funds.entries()) await sql`insert into shu_split_funds values (${splitRow.rows[0]!.id}, ${i}, ${f.name}, ${f.bp})`.execute(db);
    await sql`analyze`.execute(db);

    const actor: Principal = { userId: user.id, email: 'bench@example.org', displayName: 'Bench', grants: [{ id: 1, role: 'COOP_MANAGER', orgId: coop.id }] };
    const input = { cooperativeId: coop.id, fiscalYear: YEAR, amount: { amount: '1234567891', currency: 'IDR' } };
    console.log(`SHU year: ${MEMBERS} members, ${MEMBERS * (RUNS + 1)} payout statements (${MEMBERS * RUNS} in ${YEAR}), ${MEMBERS * 2} capital records`);

    // Core -------------------------------------------------------------------------------------
    const figures = Array.from({ length: MEMBERS }, (_, i) => ({ producerId: i + 1, transactions: 1_000_000 * (i + 3), capital: 10_000 * ((i % 997) + 1) }));
    const coreTimes: number[] = [];
    for (let i = 0; i < WARMUP + REPS; i++) {
      const t0 = performance.now();
      computeShu(1_234_567_891, parsed, figures);
      if (i >= WARMUP) coreTimes.push(performance.now() - t0);
    }
    console.log(`core computeShu:        ${summary(coreTimes)}`);

    // Service ----------------------------------------------------------------------------------
    const serviceTimes: number[] = [];
    for (let i = 0; i < WARMUP + REPS; i++) {
      const t0 = performance.now();
      await computeShuYear(db, actor, input);
      if (i >= WARMUP) serviceTimes.push(performance.now() - t0);
    }
    console.log(`service computeShuYear: ${summary(serviceTimes)}`);

    const check = await sql<{ members: number; part: number; lines: number }>`
      select (select sum(total_idr_minor) from shu_year_members)::int8 as members, count(*)::int8 as lines,
             (select sum(amount_idr_minor) from shu_year_funds where kind like 'MEMBERS_%')::int8 as part
      from shu_year_members`.execute(db);
    const c = check.rows[0]!;
    console.log(`check: ${c.lines} member lines, members' shares ${c.members} sen = members' part ${c.part} sen: ${Number(c.members) === Number(c.part) ? 'OK' : 'MISMATCH'}`);
  } finally {
    await database.close();
    await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
