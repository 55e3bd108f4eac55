/**
 * End-to-end benchmark of acceptOrder on PostgreSQL.
 *
 *   npx tsx scripts/bench-accept.ts      (npm run bench:accept)
 *   DATABASE_URL=postgres://user@host:5432/db npx tsx scripts/bench-accept.ts
 *
 * Creates its own temporary database next to DATABASE_URL's (default
 * postgres://postgres@127.0.0.1:5432/postgres), migrates it, and seeds one brand with 330 approved
 * producers, each with one small graded lot (1–4 bags) and every third with a forward commitment.
 * Each repetition places a fresh 19,200 kg order (320 bags, whole bags) and accepts it with
 * PRO_RATA, which splits it into ~300 lines; then cancels it (untimed) to give the supply back.
 *
 * Times two paths, after warm-up:
 * - service: orders/acceptance acceptOrder (idempotency key, order lock, FOR UPDATE of every
 *   candidate row, engine, line/event inserts, allocated_g updates, invariant check, commit);
 * - graphql: the same through HTTP (Fastify inject → Mercurius → Pothos), returning the order
 *   with its lines.
 * Prints median and p95 in ms. The database is dropped at the end. Informational: exits 0.
 */
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { composeModules } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { acceptOrder } from '../src/modules/orders/acceptance.js';
import { changeOrderStatus } from '../src/modules/orders/orders.service.js';
import { addDaysIso, todayIso } from '../src/platform/dates.js';
import type { Principal } from '../src/platform/auth.js';
import { createDatabase } from '../src/platform/db.js';
import { globalId } from '../src/platform/graphql/ids.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { percentile, scratchDatabase } from './bench-support.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PRODUCERS = 330;
const ORDER_G = 19_200_000;
const WARMUP = 3;
const REPS = 15;

async function main() {
  composeModules(); // the service path below cancels orders: the cancellation handler must be installed
  const name = `lumbung_bench_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  const database = await createDatabase({ kind: 'postgres', url: scratch.url, poolSize: 10 });
  try {
    const db = database.db;
    await migrateToLatest(db);
    const start = addDaysIso(todayIso(), 30);
    const end = addDaysIso(todayIso(), 150);

    // Seed -----------------------------------------------------------------------------------
    const brand = await db.insertInto('brands').values({ name: 'Java Ijen-Raung Arabica', commodity: 'COFFEE', fee_pct: '5.00' }).returningAll().executeTakeFirstOrThrow();
    const product = await db
      .insertInto('products')
      .values({ brand_id: brand.id, name: 'Arabica green, washed', commodity: 'COFFEE', species: 'ARABICA', process: 'WASHED', form: 'GREEN' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const coop = await db.insertInto('cooperatives').values({ name: 'Koperasi Ijen', regency: 'Bondowoso' }).returningAll().executeTakeFirstOrThrow();
    const regencies = ['Bondowoso', 'Situbondo', 'Banyuwangi'];
    const producers = await db
      .insertInto('producers')
      .values(
        Array.from({ length: PRODUCERS }, (_, i) => ({
          cooperative_id: coop.id, user_id: null, display_name: `Pak Tani ${i}`, village: 'Sukorejo', district: 'Sumberwringin',
          regency: regencies[i % 3]!, contact_phone: null,
        })),
      )
      .returning(['id', 'regency'])
      .execute();
    await db.insertInto('memberships').values(producers.map((p) => ({ producer_id: p.id, brand_id: brand.id, status: 'APPROVED' as const }))).execute();
    await db
      .insertInto('lots')
      .values(
        producers.map((p, i) => ({
          producer_id: p.id, product_id: product.id, brand_id: brand.id, regency: p.regency, harvest_start: '2026-05-01',
          harvest_end: `2026-0${6 + (i % 3)}-1${i % 10}`, process: 'WASHED' as const, net_g: 60_000 * (1 + (i % 4)), storage_location: 'Gudang',
          eudr_ready: true, grade_code: String(1 + (i % 3)), grade_rank: 1 + (i % 3), latest_assessment_id: null,
        })),
      )
      .execute();
    await db
      .insertInto('commitments')
      .values(
        producers.filter((_, i) => i % 3 === 0).map((p) => ({
          producer_id: p.id, product_id: product.id, brand_id: brand.id, regency: p.regency, min_grade_rank: 2, min_grade_code: '2',
          committed_g: 120_000, window_start: start, window_end: end,
        })),
      )
      .execute();
    const buyerOrg = await db.insertInto('buyer_orgs').values({ name: 'Cairo Roasters', country: 'EG' }).returningAll().executeTakeFirstOrThrow();
    const [managerUser, buyerUser] = await db
      .insertInto('users')
      .values([
        { email: 'manager@bench.test', display_name: 'Manager', password_hash: 'x' },
        { email: 'buyer@bench.test', display_name: 'Buyer', password_hash: 'x' },
      ])
      .returningAll()
      .execute();
    const grant = await db.insertInto('role_grants').values({ user_id: managerUser!.id, role: 'BRAND_MANAGER', brand_id: brand.id }).returningAll().executeTakeFirstOrThrow();
    const manager: Principal = { userId: managerUser!.id, email: managerUser!.email, displayName: 'Manager', grants: [{ id: grant.id, role: 'BRAND_MANAGER', orgId: brand.id }] };

    const newOrder = () =>
      db
        .insertInto('orders')
        .values({
          buyer_org_id: buyerOrg.id, brand_id: brand.id, product_id: product.id, min_grade_rank: 3, min_grade_code: '3', quantity_g: ORDER_G,
          whole_bags: true, window_start: start, window_end: end, destination_country: 'EG', incoterm: 'FOB', price_minor_per_kg: 450,
          currency: 'USD', placed_by: buyerUser!.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
        .then((o) => o.id);
    const release = (orderId: number) => changeOrderStatus(db, manager, 'CANCELLED', { orderId, reason: 'bench: give the supply back' });
    const linesOf = async (orderId: number) =>
      (await db.selectFrom('allocation_lines').select((eb) => eb.fn.countAll<number>().as('n')).where('order_id', '=', orderId).executeTakeFirstOrThrow()).n;

    // Service path ---------------------------------------------------------------------------
    let key = 0;
    const service: number[] = [];
    let lines = 0;
    for (let i = 0; i < WARMUP + REPS; i++) {
      const orderId = await newOrder();
      const t0 = performance.now();
      await acceptOrder(db, manager, { orderId, strategy: 'PRO_RATA', idempotencyKey: `bench-service-${++key}` });
      const ms = performance.now() - t0;
      if (i >= WARMUP) service.push(ms);
      lines = Number(await linesOf(orderId));
      await release(orderId);
    }

    // GraphQL path ---------------------------------------------------------------------------
    const config = loadConfig({
      NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTO_SEED: 'false', DATABASE_URL: scratch.url,
      JWT_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
    });
    const app = await buildApp(config, { database, migrate: false, logger: false });
    await app.ready();
    const token = app.jwt.sign({ sub: String(manager.userId) });
    const ACCEPT = `mutation($input: AcceptOrderInput!) { acceptOrder(input: $input) { __typename ... on Order { status allocatedWeight lines { weight producer { id } } } ... on Error { code message } } }`;
    const graphql: number[] = [];
    for (let i = 0; i < WARMUP + REPS; i++) {
      const orderId = await newOrder();
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: { query: ACCEPT, variables: { input: { orderId: globalId('Order', orderId), strategy: 'PRO_RATA', idempotencyKey: `bench-gql-${++key}` } } },
      });
      const ms = performance.now() - t0;
      const body = res.json();
      if (body.data?.acceptOrder?.__typename !== 'Order') throw new Error(`acceptOrder failed: ${JSON.stringify(body).slice(0, 500)}`);
      if (i >= WARMUP) graphql.push(ms);
      await release(orderId);
    }
    await app.close();

    const report = (label: string, times: number[]) => {
      const sorted = [...times].sort((a, b) => a - b);
      console.log(`${label.padEnd(8)} median ${percentile(sorted, 50).toFixed(1)} ms   p95 ${percentile(sorted, 95).toFixed(1)} ms   min ${sorted[0]!.toFixed(1)} ms   (${times.length} runs)`);
    };
    console.log(`acceptOrder, 19,200 kg (320 bags, whole bags) PRO_RATA over ${PRODUCERS} producers → ${lines} lines; PostgreSQL ${new URL(BASE_URL).host}`);
    report('service', service);
    report('graphql', graphql);
  } finally {
    await database.close().catch(() => {});
    await scratch.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
