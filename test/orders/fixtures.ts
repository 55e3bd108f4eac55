import type { Kysely } from 'kysely';
import { addDaysIso, todayIso } from '../../src/platform/dates.js';
import type { Principal } from '../../src/platform/auth.js';
import type { DB, RoleName, Row } from '../../src/platform/db-types.js';
import { createUser, type TestApp } from '../support/app.js';
import {
  type Actor, createSupplyWorld, insertCommitment, insertLot, insertMembership, insertProducer, type SupplyWorld,
} from '../support/supply-fixtures.js';

/** Order and commitment windows relative to today, so the "not in the past" rules hold whenever tests run. */
export const WINDOW_START = addDaysIso(todayIso(), 30);
export const WINDOW_END = addDaysIso(todayIso(), 150);

export interface OrderWorld extends SupplyWorld {
  buyerOrg: Row<'buyer_orgs'>;
  otherBuyerOrg: Row<'buyer_orgs'>;
  as: SupplyWorld['as'] & { otherBuyer: Actor };
}

let counter = 0;

/** The supply world plus the buyer's organisation and a second buyer organisation with its own buyer. */
export async function createOrderWorld(t: TestApp): Promise<OrderWorld> {
  const w = await createSupplyWorld(t);
  const db = t.database.db;
  const grant = await db.selectFrom('role_grants').selectAll().where('user_id', '=', w.as.buyer.id).executeTakeFirstOrThrow();
  const buyerOrg = await db.selectFrom('buyer_orgs').selectAll().where('id', '=', grant.buyer_org_id!).executeTakeFirstOrThrow();
  const otherBuyerOrg = await db
    .insertInto('buyer_orgs')
    .values({ name: `Importer ${process.pid}-${++counter}`, country: 'DE' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const otherBuyer = await createUser(t, [['BUYER', otherBuyerOrg.id]]);
  return { ...w, buyerOrg, otherBuyerOrg, as: { ...w.as, otherBuyer } };
}

/** Insert a REQUESTED order directly (the "given" part of tests that are not about placing). */
export async function insertOrder(
  db: Kysely<DB>,
  opts: {
    buyerOrgId: number; product: Row<'products'>; placedBy: number; quantityG?: number; minGrade?: { code: string; rank: number };
    wholeBags?: boolean; windowStart?: string; windowEnd?: string; status?: Row<'orders'>['status'];
  },
): Promise<Row<'orders'>> {
  const order = await db
    .insertInto('orders')
    .values({
      buyer_org_id: opts.buyerOrgId, brand_id: opts.product.brand_id, product_id: opts.product.id,
      min_grade_rank: opts.minGrade?.rank ?? 3, min_grade_code: opts.minGrade?.code ?? '3', quantity_g: opts.quantityG ?? 1_200_000,
      whole_bags: opts.wholeBags ?? false, window_start: opts.windowStart ?? WINDOW_START, window_end: opts.windowEnd ?? WINDOW_END,
      destination_country: 'EG', incoterm: 'FOB', price_minor_per_kg: 450, currency: 'USD', notes: null,
      status: opts.status ?? 'REQUESTED', placed_by: opts.placedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.insertInto('order_events').values({ order_id: order.id, from_status: null, to_status: 'REQUESTED', actor_user_id: opts.placedBy }).execute();
  return order;
}

/** An approved member producer (new) with one graded lot and, optionally, one open commitment. */
export async function insertSupplier(
  db: Kysely<DB>,
  w: Pick<SupplyWorld, 'brand' | 'product' | 'coop'>,
  opts: {
    lotG?: number; commitmentG?: number; grade?: { code: string; rank: number }; regency?: string; eudrReady?: boolean;
    harvestEnd?: string; membership?: Row<'memberships'>['status'];
  } = {},
) {
  const producer = await insertProducer(db, { cooperativeId: w.coop.id, regency: opts.regency ?? 'Bondowoso' });
  await insertMembership(db, producer.id, w.brand.id, opts.membership ?? 'APPROVED');
  const lot = opts.lotG
    ? await insertLot(db, {
        producer, product: w.product, plotIds: [], netG: opts.lotG, grade: opts.grade ?? { code: '1', rank: 1 },
        ...(opts.harvestEnd ? { harvestStart: '2026-01-01', harvestEnd: opts.harvestEnd } : {}),
      })
    : null;
  if (lot && opts.eudrReady === false) await db.updateTable('lots').set({ eudr_ready: false }).where('id', '=', lot.id).execute();
  const commitment = opts.commitmentG
    ? await insertCommitment(db, {
        producer, product: w.product, committedG: opts.commitmentG, minGrade: opts.grade ?? { code: '1', rank: 1 },
        windowStart: WINDOW_START, windowEnd: WINDOW_END, eudrReady: opts.eudrReady ?? true,
      })
    : null;
  return { producer, lot, commitment };
}

/** A principal for calling services directly (concurrency tests). */
export async function principalOf(db: Kysely<DB>, userId: number): Promise<Principal> {
  const grants = await db.selectFrom('role_grants').selectAll().where('user_id', '=', userId).execute();
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  return {
    userId,
    email: user.email,
    displayName: user.display_name,
    grants: grants.map((g) => ({
      id: g.id,
      role: g.role as RoleName,
      orgId: g.brand_id ?? g.cooperative_id ?? g.producer_id ?? g.buyer_org_id ?? null,
    })),
  };
}

/** Row counts of the demand-side tables, for "nothing was written" checks. */
export async function demandCounts(db: Kysely<DB>) {
  const count = async (table: 'orders' | 'order_events' | 'allocation_lines' | 'idempotency_keys' | 'provenance_events') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const lots = await db.selectFrom('lots').select((eb) => eb.fn.sum<number>('allocated_g').as('g')).executeTakeFirstOrThrow();
  const commitments = await db.selectFrom('commitments').select((eb) => eb.fn.sum<number>('allocated_g').as('g')).executeTakeFirstOrThrow();
  return {
    orders: await count('orders'),
    order_events: await count('order_events'),
    allocation_lines: await count('allocation_lines'),
    idempotency_keys: await count('idempotency_keys'),
    provenance_events: await count('provenance_events'),
    lotsAllocated: Number(lots.g ?? 0),
    commitmentsAllocated: Number(commitments.g ?? 0),
  };
}
