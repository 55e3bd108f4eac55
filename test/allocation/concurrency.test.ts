import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { InsufficientSupplyError } from '../../src/modules/allocation/errors.js';
import { acceptOrder } from '../../src/modules/orders/acceptance.js';
import type { Strategy } from '../../src/modules/allocation/engine.js';
import { BusyError as AllocationBusyError } from '../../src/platform/errors.js';
import type { Principal } from '../../src/platform/auth.js';
import { createDatabase, type Database } from '../../src/platform/db.js';
import { adminPool, databaseUrl } from '../support/pg.js';
import { insertBrand, insertCooperative, insertProduct } from '../support/supply-fixtures.js';
import { WINDOW_END, WINDOW_START } from '../orders/fixtures.js';

/**
 * "Never twice": many concurrent acceptOrder calls over the same supply must never allocate the same
 * kilogram twice.
 *
 * Real PostgreSQL only: PGlite has a single connection and runs one transaction at a time, so it
 * cannot show a race (run with TEST_DATABASE_URL=postgres://… to include this file).
 *
 * Workload per round (fresh supply each round): 30 producers with a 400 kg graded lot and 20 of them
 * with a 500 kg open commitment too — a pool of 22,000 kg — and 60 REQUESTED orders of 500 kg each
 * (more than 1/50 of the pool; 30,000 kg in all), accepted all at once with Promise.all over a pool of
 * 60 connections, strategies mixed. About 44 fit; the rest must fail cleanly.
 *
 * After each round, in SQL: no lot or commitment is over-allocated (Σ ACTIVE lines ≤ net/committed)
 * and allocated_g = Σ ACTIVE lines; every ACCEPTED order has lines summing exactly to its quantity;
 * every failed one (InsufficientSupplyError / AllocationBusyError) has no line and is still REQUESTED.
 *
 * The same workload with the locks removed (the service's test-only `unsafeSkipLocks`, which also
 * writes allocated_g from the values read) must break the invariant in at least one round: that is
 * what shows the locks make it safe.
 */

const PG = process.env.TEST_DATABASE_URL;
const CONCURRENCY = 60;
const ROUNDS = 10;
const PRODUCERS = 30;
const LOT_G = 400_000;
const COMMITMENTS = 20;
const COMMITMENT_G = 500_000;
const ORDER_G = 500_000;
const STRATEGIES: Strategy[] = ['PRO_RATA', 'QUALITY_FIRST', 'OLDEST_FIRST', 'FEWEST_CONTRIBUTORS'];

interface RoundResult {
  accepted: number;
  insufficient: number;
  busy: number;
  violations: string[];
}

describe('concurrent acceptOrder over shared supply (PostgreSQL only)', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let manager: Principal;
  let brandId: number;
  let coopId: number;
  let buyerOrgId: number;
  let buyerUserId: number;
  let round = 0;

  beforeAll(async () => {
    if (!PG) return;
    const provided = inject('testDb');
    if (provided.kind !== 'postgres') throw new Error('TEST_DATABASE_URL is set but the test database is not PostgreSQL');
    const admin = adminPool(provided.baseUrl);
    const { rows } = await admin.query<{ max_connections: string }>('SHOW max_connections');
    // 60 here + at most one other test file's pool of 20 + admin pools.
    if (Number(rows[0]!.max_connections) < CONCURRENCY + 25) {
      throw new Error(`max_connections is ${rows[0]!.max_connections}; this test needs at least ${CONCURRENCY + 25}`);
    }
    const name = `lumbung_t_${provided.runId}_${process.pid}_concurrency`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${provided.template}`);
    database = await createDatabase({ kind: 'postgres', url: databaseUrl(provided.baseUrl, name), poolSize: CONCURRENCY });
    drop = async () => {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
    const db = database.db;
    const brand = await insertBrand(db);
    brandId = brand.id;
    coopId = (await insertCooperative(db)).id;
    const buyerOrg = await db.insertInto('buyer_orgs').values({ name: 'Cairo Roasters', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    buyerOrgId = buyerOrg.id;
    const users = await db
      .insertInto('users')
      .values([
        { email: `manager-${process.pid}@example.test`, display_name: 'Manager', password_hash: 'x' },
        { email: `buyer-${process.pid}@example.test`, display_name: 'Buyer', password_hash: 'x' },
      ])
      .returning('id')
      .execute();
    const grant = await db.insertInto('role_grants').values({ user_id: users[0]!.id, role: 'BRAND_MANAGER', brand_id: brandId }).returning('id').executeTakeFirstOrThrow();
    buyerUserId = users[1]!.id;
    manager = { userId: users[0]!.id, email: 'manager', displayName: 'Manager', grants: [{ id: grant.id, role: 'BRAND_MANAGER', orgId: brandId }] };
  }, 60_000);

  afterAll(async () => {
    await drop?.();
  });

  /** Fresh supply (a new product) and 60 REQUESTED orders for it. */
  async function given() {
    const db = database.db;
    const product = await insertProduct(db, brandId, { withScheme: false });
    round++;
    const producers = await db
      .insertInto('producers')
      .values(
        Array.from({ length: PRODUCERS }, (_, i) => ({
          cooperative_id: coopId, user_id: null, display_name: `Tani ${round}-${i}`, village: 'Sukorejo', district: 'Sumberwringin',
          regency: i % 3 === 0 ? 'Jember' : 'Bondowoso', contact_phone: null,
        })),
      )
      .returning(['id', 'regency'])
      .execute();
    await db.insertInto('memberships').values(producers.map((p) => ({ producer_id: p.id, brand_id: brandId, status: 'APPROVED' as const }))).execute();
    await db
      .insertInto('lots')
      .values(
        producers.map((p, i) => ({
          producer_id: p.id, product_id: product.id, brand_id: brandId, regency: p.regency, harvest_start: '2026-05-01',
          harvest_end: `2026-0${6 + (i % 3)}-15`, process: product.process, net_g: LOT_G, storage_location: 'Gudang', eudr_ready: true,
          grade_code: String(1 + (i % 2)), grade_rank: 1 + (i % 2), latest_assessment_id: null,
        })),
      )
      .execute();
    await db
      .insertInto('commitments')
      .values(
        producers.slice(0, COMMITMENTS).map((p) => ({
          producer_id: p.id, product_id: product.id, brand_id: brandId, regency: p.regency, min_grade_rank: 2, min_grade_code: '2',
          committed_g: COMMITMENT_G, window_start: WINDOW_START, window_end: WINDOW_END,
        })),
      )
      .execute();
    const orders = await db
      .insertInto('orders')
      .values(
        Array.from({ length: CONCURRENCY }, () => ({
          buyer_org_id: buyerOrgId, brand_id: brandId, product_id: product.id, min_grade_rank: 2, min_grade_code: '2', quantity_g: ORDER_G,
          whole_bags: false, window_start: WINDOW_START, window_end: WINDOW_END, destination_country: 'EG', incoterm: 'FOB',
          price_minor_per_kg: 450, currency: 'USD', placed_by: buyerUserId,
        })),
      )
      .returning('id')
      .execute();
    return { productId: product.id, orderIds: orders.map((o) => o.id) };
  }

  /** Accept all orders at once; classify the outcomes. */
  async function acceptAll(orderIds: number[], unsafeSkipLocks: boolean) {
    const outcomes = await Promise.all(
      orderIds.map((orderId, i) =>
        acceptOrder(
          database.db,
          manager,
          { orderId, strategy: STRATEGIES[i % STRATEGIES.length]!, idempotencyKey: `round-${round}-order-${orderId}` },
          { unsafeSkipLocks },
        ).then(
          () => 'accepted' as const,
          (e: unknown) => {
            if (e instanceof InsufficientSupplyError) return 'insufficient' as const;
            if (e instanceof AllocationBusyError) return 'busy' as const;
            throw e;
          },
        ),
      ),
    );
    const failed = orderIds.filter((_, i) => outcomes[i] !== 'accepted');
    return {
      accepted: outcomes.filter((o) => o === 'accepted').length,
      insufficient: outcomes.filter((o) => o === 'insufficient').length,
      busy: outcomes.filter((o) => o === 'busy').length,
      acceptedIds: orderIds.filter((_, i) => outcomes[i] === 'accepted'),
      failed,
    };
  }

  /** The invariants, checked in SQL (independently of the service's own check). */
  async function violations(productId: number, acceptedIds: number[], failedIds: number[]): Promise<string[]> {
    const db = database.db;
    const out: string[] = [];
    const lots = await sql<{ id: number; net_g: number; allocated_g: number; active: number }>`
      select l.id, l.net_g, l.allocated_g,
        (select coalesce(sum(a.weight_g), 0)::int8 from allocation_lines a where a.lot_id = l.id and a.status = 'ACTIVE') as active
      from lots l where l.product_id = ${productId}`.execute(db);
    for (const l of lots.rows) {
      if (l.active > l.net_g) out.push(`lot ${l.id} over-allocated: ${l.active} g of lines > ${l.net_g} g net`);
      if (l.allocated_g !== l.active) out.push(`lot ${l.id} allocated_g ${l.allocated_g} ≠ ${l.active} g of active lines`);
    }
    const commitments = await sql<{ id: number; committed_g: number; allocated_g: number; active: number }>`
      select c.id, c.committed_g, c.allocated_g,
        (select coalesce(sum(a.weight_g), 0)::int8 from allocation_lines a where a.commitment_id = c.id and a.status = 'ACTIVE') as active
      from commitments c where c.product_id = ${productId}`.execute(db);
    for (const c of commitments.rows) {
      if (c.active > c.committed_g) out.push(`commitment ${c.id} over-allocated: ${c.active} g of lines > ${c.committed_g} g committed`);
      if (c.allocated_g !== c.active) out.push(`commitment ${c.id} allocated_g ${c.allocated_g} ≠ ${c.active} g of active lines`);
    }
    const orders = await sql<{ id: number; status: string; quantity_g: number; lines: number; active: number }>`
      select o.id, o.status, o.quantity_g,
        (select count(*) from allocation_lines a where a.order_id = o.id)::int8 as lines,
        (select coalesce(sum(a.weight_g), 0)::int8 from allocation_lines a where a.order_id = o.id and a.status = 'ACTIVE') as active
      from orders o where o.product_id = ${productId}`.execute(db);
    const accepted = new Set(acceptedIds);
    const failed = new Set(failedIds);
    for (const o of orders.rows) {
      if (accepted.has(o.id) && (o.status !== 'ACCEPTED' || o.active !== o.quantity_g)) {
        out.push(`accepted order ${o.id} is ${o.status} with ${o.active} g of ${o.quantity_g} g allocated`);
      }
      if (failed.has(o.id) && (o.status !== 'REQUESTED' || o.lines !== 0)) out.push(`failed order ${o.id} is ${o.status} with ${o.lines} line(s)`);
    }
    return out;
  }

  async function runRound(unsafeSkipLocks: boolean): Promise<RoundResult> {
    const { productId, orderIds } = await given();
    const r = await acceptAll(orderIds, unsafeSkipLocks);
    return { accepted: r.accepted, insufficient: r.insufficient, busy: r.busy, violations: await violations(productId, r.acceptedIds, r.failed) };
  }

  it.skipIf(!PG)(`${ROUNDS} rounds of ${CONCURRENCY} concurrent acceptances never allocate a kilogram twice`, async () => {
    const results: RoundResult[] = [];
    for (let i = 0; i < ROUNDS; i++) results.push(await runRound(false));
    console.info(
      `[concurrency] locked: ${results.map((r, i) => `round ${i + 1}: ${r.accepted} accepted, ${r.insufficient} short, ${r.busy} busy, ${r.violations.length} violations`).join('; ')}`,
    );
    for (const r of results) {
      expect(r.violations).toEqual([]);
      expect(r.accepted + r.insufficient + r.busy).toBe(CONCURRENCY);
      // The pool holds 44 orders of 500 kg; every order that could fit and was not refused as busy got in.
      expect(r.accepted).toBeLessThanOrEqual(44);
      if (r.busy === 0) expect(r.accepted).toBe(44);
      expect(r.accepted).toBeGreaterThan(0);
      expect(r.insufficient + r.busy).toBeGreaterThan(0);
    }
  }, 60_000);

  it.skipIf(!PG)('the same workload without the locks (unsafeSkipLocks) breaks the invariant in at least one round', async () => {
    const results: RoundResult[] = [];
    for (let i = 0; i < ROUNDS && !results.some((r) => r.violations.length > 0); i++) results.push(await runRound(true));
    console.info(
      `[concurrency] unlocked: ${results.map((r, i) => `round ${i + 1}: ${r.accepted} accepted, ${r.violations.length} violations (${r.violations[0] ?? 'none'})`).join('; ')}`,
    );
    expect(results.some((r) => r.violations.length > 0)).toBe(true);
  }, 60_000);
});
