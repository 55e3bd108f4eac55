/**
 * Benchmark of a shipment's export documents: the EUDR due-diligence package and the EPCIS 2.0
 * document, for one 20-ft container of 320 bags from 40 producers with 100 plots. Target: both
 * documents together in < 200 ms.
 *
 *   npx tsx scripts/bench-exports.ts                 (npm run bench:exports; PostgreSQL)
 *   BENCH_DB=pglite npx tsx scripts/bench-exports.ts (embedded PGlite, in memory)
 *   DATABASE_URL=postgres://user@host:5432/db npx tsx scripts/bench-exports.ts
 *
 * On PostgreSQL it creates its own temporary database next to DATABASE_URL's (default
 * postgres://postgres@127.0.0.1:5432/postgres) and drops it at the end.
 *
 * Seeds one brand with 40 approved producers (20 with 3 plots, 20 with 2: 100 plots, a third of
 * them 5 ha polygons, the rest points under 4 ha, each with a NEGLIGIBLE_RISK deforestation
 * assessment), 40 lots of 8 bags (480 kg) with their DECLARED and ASSESSED provenance events and
 * assessments, every other producer consenting to export documents. The 19,200 kg order is accepted
 * through the service (PRO_RATA, whole bags: 40 lines), started, and shipped through shipOrder in
 * one container (CSQU3054383, 320 bags), which writes the SHIPPED events and the shipment.
 *
 * Times, after warm-up: the EUDR package (shipments.service eudrPackage), the EPCIS document
 * (epcis.service shipmentEpcis) and both downloads through HTTP (Fastify inject of
 * /exports/shipments/:id/eudr.json and /epcis.jsonld). Prints median and p95. Informational: exits 0
 * (non-zero only if a document cannot be built).
 */
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { acceptOrder } from '../src/modules/orders/acceptance.js';
import { shipmentEpcis } from '../src/modules/epcis/epcis.service.js';
import { addDaysIso, todayIso } from '../src/platform/dates.js';
import { changeOrderStatus } from '../src/modules/orders/orders.service.js';
import { eudrPackage, shipOrder } from '../src/modules/shipments/shipments.service.js';
import type { Principal } from '../src/platform/auth.js';
import { createDatabase, type Database } from '../src/platform/db.js';
import { globalId } from '../src/platform/graphql/ids.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { percentile, scratchDatabase } from './bench-support.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USE_PGLITE = process.env.BENCH_DB === 'pglite';
const PRODUCERS = 40;
const BAGS_PER_LOT = 8;
const BAG_G = 60_000;
const WARMUP = 3;
const REPS = 20;
const TARGET_MS = 200;

const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0]! };
};

/** A square polygon of about `ha` hectares around (lon, lat), 7 decimals. */
function square(lon: number, lat: number, ha: number) {
  const side = Math.sqrt(ha * 10_000); // metres
  const dLat = side / 111_320;
  const dLon = side / (111_320 * Math.cos((lat * Math.PI) / 180));
  const r = (v: number) => Math.round(v * 1e7) / 1e7;
  const ring = [[lon, lat], [lon + dLon, lat], [lon + dLon, lat + dLat], [lon, lat + dLat], [lon, lat]].map(([x, y]) => [r(x!), r(y!)]);
  return { type: 'Polygon', coordinates: [ring] };
}

async function seed(database: Database) {
  const db = database.db;
  const start = addDaysIso(todayIso(), 30);
  const end = addDaysIso(todayIso(), 150);
  const brand = await db.insertInto('brands').values({ name: 'Java Ijen-Raung Arabica', commodity: 'COFFEE', fee_pct: '5.00' }).returningAll().executeTakeFirstOrThrow();
  const product = await db
    .insertInto('products')
    .values({ brand_id: brand.id, name: 'Arabica green, washed', commodity: 'COFFEE', species: 'ARABICA', process: 'WASHED', form: 'GREEN' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const scheme = await db.insertInto('grade_schemes').values({ product_id: product.id, version: 1, preset: 'SNI_ARABICA' }).returningAll().executeTakeFirstOrThrow();
  const coop = await db.insertInto('cooperatives').values({ name: 'Koperasi Ijen', regency: 'Bondowoso' }).returningAll().executeTakeFirstOrThrow();
  const [managerUser, buyerUser, curatorUser] = await db
    .insertInto('users')
    .values([
      { email: 'manager@bench.test', display_name: 'Manager', password_hash: 'x' },
      { email: 'buyer@bench.test', display_name: 'Buyer', password_hash: 'x' },
      { email: 'curator@bench.test', display_name: 'Curator', password_hash: 'x' },
    ])
    .returningAll()
    .execute();
  const regencies = ['Bondowoso', 'Situbondo', 'Banyuwangi'];
  const producers = await db
    .insertInto('producers')
    .values(
      Array.from({ length: PRODUCERS }, (_, i) => ({
        cooperative_id: coop.id, user_id: null, display_name: `Pak Tani ${i + 1}`, village: 'Sukorejo', district: 'Sumberwringin',
        regency: regencies[i % 3]!, contact_phone: null,
      })),
    )
    .returning(['id', 'regency'])
    .execute();
  await db.insertInto('memberships').values(producers.map((p) => ({ producer_id: p.id, brand_id: brand.id, status: 'APPROVED' as const }))).execute();
  await db
    .insertInto('consent_events')
    .values(
      producers.filter((_, i) => i % 2 === 0).map((p) => ({
        producer_id: p.id, purpose: 'NAME_IN_EXPORT_DOCUMENTS' as const, action: 'GIVEN' as const, given_by: 'COOPERATIVE_MANAGER' as const,
        actor_user_id: managerUser!.id, evidence: 'Signed consent form, koperasi meeting',
      })),
    )
    .execute();

  // 100 plots: producers 0–19 have 3, 20–39 have 2; every third plot is a 5 ha polygon.
  const plotRows = producers.flatMap((p, i) =>
    Array.from({ length: i < 20 ? 3 : 2 }, (_, k) => {
      const n = i * 3 + k;
      const lon = 113.8 + (n % 10) * 0.01;
      const lat = -7.9 - Math.floor(n / 10) * 0.01;
      const polygon = n % 3 === 0;
      return {
        producer_id: p.id, name: `Kebun ${i + 1}-${k + 1}`, area_ha: polygon ? '5.0000' : '1.5000', altitude_m: 1100 + (n % 5) * 50,
        geometry: JSON.stringify(polygon ? square(lon, lat, 5) : { type: 'Point', coordinates: [Math.round(lon * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7] }),
        computed_area_ha: polygon ? '5.0000' : null, eudr_ready: true,
      };
    }),
  );
  const plots = await db.insertInto('plots').values(plotRows).returning(['id', 'producer_id']).execute();
  await db
    .insertInto('plot_deforestation_assessments')
    .values(plots.map((p) => ({
      plot_id: p.id, land_use_at_cutoff: 'COFFEE_AGROFORESTRY' as const, result: 'NEGLIGIBLE_RISK' as const,
      evidence_refs: JSON.stringify(['Sentinel-2 2020-12 mosaic']), assessed_by: curatorUser!.id,
    })))
    .execute();

  // 40 lots of 8 bags with their DECLARED and ASSESSED events and one assessment each.
  const lots = await db
    .insertInto('lots')
    .values(producers.map((p) => ({
      producer_id: p.id, product_id: product.id, brand_id: brand.id, regency: p.regency, harvest_start: '2026-05-01', harvest_end: '2026-07-15',
      process: 'WASHED' as const, net_g: BAGS_PER_LOT * BAG_G, storage_location: 'Gudang Koperasi Ijen', eudr_ready: true,
      grade_code: '1', grade_rank: 1, latest_assessment_id: null,
    })))
    .returningAll()
    .execute();
  const plotsOf = new Map<number, number[]>();
  for (const p of plots) plotsOf.set(p.producer_id, [...(plotsOf.get(p.producer_id) ?? []), p.id]);
  await db.insertInto('lot_plots').values(lots.flatMap((l) => (plotsOf.get(l.producer_id) ?? []).map((plot_id) => ({ lot_id: l.id, plot_id })))).execute();
  const assessments = await db
    .insertInto('assessments')
    .values(lots.map((l) => ({
      lot_id: l.id, scheme_id: scheme.id, curator_user_id: curatorUser!.id, sample_g: 300, defect_counts: JSON.stringify({ BLACK_BEAN: 3, BROKEN_BEAN: 5 }),
      moisture_pct: '11.80', foreign_matter_pct: '0.20', live_insects: false, foul_odour: false, cupping_score: '83.50', defect_value: '4',
      grade_code: '1', grade_rank: 1, off_grade: false, failed_requirements: JSON.stringify([]),
    })))
    .returningAll()
    .execute();
  await db
    .insertInto('provenance_events')
    .values([
      ...lots.map((l) => ({
        kind: 'DECLARED', lot_id: l.id, actor_user_id: null,
        payload: JSON.stringify({ netG: l.net_g, productId: product.id, producerId: l.producer_id, plotIds: plotsOf.get(l.producer_id), harvestStart: l.harvest_start, harvestEnd: l.harvest_end }),
      })),
      ...assessments.map((a) => ({
        kind: 'ASSESSED', lot_id: a.lot_id, actor_user_id: curatorUser!.id,
        payload: JSON.stringify({ assessmentId: a.id, schemeId: scheme.id, schemeVersion: 1, defectValue: a.defect_value, grade: { code: '1', rank: 1 }, offGrade: false }),
      })),
    ])
    .execute();

  const buyerOrg = await db.insertInto('buyer_orgs').values({ name: 'Nile Green Coffee Importers', country: 'EG' }).returningAll().executeTakeFirstOrThrow();
  const managerGrant = await db.insertInto('role_grants').values({ user_id: managerUser!.id, role: 'BRAND_MANAGER', brand_id: brand.id }).returningAll().executeTakeFirstOrThrow();
  const buyerGrant = await db.insertInto('role_grants').values({ user_id: buyerUser!.id, role: 'BUYER', buyer_org_id: buyerOrg.id }).returningAll().executeTakeFirstOrThrow();
  const manager: Principal = { userId: managerUser!.id, email: managerUser!.email, displayName: 'Manager', grants: [{ id: managerGrant.id, role: 'BRAND_MANAGER', orgId: brand.id }] };
  const buyer: Principal = { userId: buyerUser!.id, email: buyerUser!.email, displayName: 'Buyer', grants: [{ id: buyerGrant.id, role: 'BUYER', orgId: buyerOrg.id }] };

  // The order: accepted (40 lines), started, shipped in one container.
  const order = await db
    .insertInto('orders')
    .values({
      buyer_org_id: buyerOrg.id, brand_id: brand.id, product_id: product.id, min_grade_rank: 3, min_grade_code: '3', quantity_g: PRODUCERS * BAGS_PER_LOT * BAG_G,
      whole_bags: true, window_start: start, window_end: end, destination_country: 'EG', incoterm: 'FOB', price_minor_per_kg: 450,
      currency: 'USD', placed_by: buyerUser!.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await acceptOrder(db, manager, { orderId: order.id, strategy: 'PRO_RATA', idempotencyKey: 'bench-exports-accept' });
  await changeOrderStatus(db, manager, 'IN_FULFILLMENT', { orderId: order.id });
  const lines = await db.selectFrom('allocation_lines').select(['lot_id', 'weight_g']).where('order_id', '=', order.id).where('status', '=', 'ACTIVE').execute();
  await shipOrder(db, manager, {
    orderId: order.id,
    shipment: {
      billOfLading: 'MEDUJK2026001', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: addDaysIso(todayIso(), 40),
      containers: [{ containerNumber: 'CSQU3054383', sealNumber: 'ID-SEAL-0001', bagCount: 320, lots: lines.map((l) => ({ lotId: l.lot_id!, weight: l.weight_g })) }],
    },
  });
  const shipment = await db.selectFrom('shipments').select('id').where('order_id', '=', order.id).executeTakeFirstOrThrow();
  return { shipmentId: shipment.id, buyer, lines: lines.length, plots: plots.length };
}

async function time(reps: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < WARMUP + reps; i++) {
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    if (i >= WARMUP) out.push(ms);
  }
  return out;
}

async function run(database: Database, label: string, configEnv: Record<string, string>) {
  const db = database.db;
  await migrateToLatest(db);
  const { shipmentId, buyer, lines, plots } = await seed(database);

  const pkg = await eudrPackage(db, buyer, shipmentId);
  const doc = await shipmentEpcis(db, buyer, shipmentId);
  const eudr = await time(REPS, () => eudrPackage(db, buyer, shipmentId));
  const epcis = await time(REPS, () => shipmentEpcis(db, buyer, shipmentId));
  const both = await time(REPS, () => Promise.all([eudrPackage(db, buyer, shipmentId), shipmentEpcis(db, buyer, shipmentId)]));

  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTO_SEED: 'false', JWT_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz', ...configEnv });
  const app = await buildApp(config, { database, migrate: false, logger: false });
  await app.ready();
  const token = app.jwt.sign({ sub: String(buyer.userId) });
  const get = async (file: string) => {
    const res = await app.inject({ method: 'GET', url: `/exports/shipments/${globalId('Shipment', shipmentId)}/${file}`, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`GET ${file}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.body.length;
  };
  const eudrBytes = await get('eudr.json');
  const epcisBytes = await get('epcis.jsonld');
  const http = await time(REPS, () => Promise.all([get('eudr.json'), get('epcis.jsonld')]));
  await app.close();

  const row = (name: string, times: number[]) => {
    const s = stats(times);
    console.log(`  ${name.padEnd(34)} median ${s.median.toFixed(1).padStart(6)} ms   p95 ${s.p95.toFixed(1).padStart(6)} ms   min ${s.min.toFixed(1).padStart(6)} ms`);
    return s;
  };
  console.log(`Export documents of one container: 320 bags (19,200 kg) from ${PRODUCERS} producers, ${lines} lines, ${plots} plots; ${label}; ${REPS} runs after ${WARMUP} warm-up`);
  const producerCount = pkg.statement.commodities.reduce((n, c) => n + c.producers.length, 0);
  console.log(`  EUDR package: ${producerCount} producers, complete=${pkg.complete} (${pkg.blockers.length} blockers), ${eudrBytes} bytes; EPCIS: ${doc.epcisBody.eventList.length} events, ${epcisBytes} bytes`);
  row('EUDR package (service)', eudr);
  row('EPCIS document (service)', epcis);
  const s = row('both documents (service)', both);
  const h = row('both downloads (HTTP, inject)', http);
  const verdict = (ms: number) => (ms < TARGET_MS ? `under the ${TARGET_MS} ms target` : `OVER the ${TARGET_MS} ms target`);
  console.log(`  both documents: median ${s.median.toFixed(1)} ms (${verdict(s.median)}); through HTTP ${h.median.toFixed(1)} ms (${verdict(h.median)})`);
}

async function main() {
  if (USE_PGLITE) {
    const database = await createDatabase({ kind: 'pglite', dataDir: null });
    try {
      await run(database, 'PGlite (in memory)', {});
    } finally {
      await database.close();
    }
    return;
  }
  const name = `lumbung_bench_exports_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  const database = await createDatabase({ kind: 'postgres', url: scratch.url, poolSize: 10 });
  try {
    await run(database, `PostgreSQL ${new URL(BASE_URL).host}`, { DATABASE_URL: scratch.url });
  } finally {
    await database.close().catch(() => {});
    await scratch.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
