import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invariantViolations } from '../../src/modules/allocation/allocation.repo.js';
import { onOrderTransition } from '../../src/modules/orders/hooks.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Actor, ERROR_FIELDS, gid, insertProduct } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, insertSupplier, type OrderWorld } from '../orders/fixtures.js';

/**
 * Acceptances that don't queue behind each other (issue 13): acceptOrder plans from an unlocked
 * read, locks only the rows its plan uses, re-checks them, and re-plans when one moved.
 *
 * Real PostgreSQL only: PGlite has one connection and runs one transaction at a time, so one
 * acceptance cannot be held open while another runs (run with TEST_DATABASE_URL=postgres://…).
 */

const PG = process.env.TEST_DATABASE_URL;

const ACCEPT = /* GraphQL */ `
  mutation AcceptOrder($input: AcceptOrderInput!) {
    acceptOrder(input: $input) {
      __typename
      ... on Order { id status allocatedWeight lines { weight lot { id } commitment { id } } }
      ${ERROR_FIELDS}
    }
  }`;

let keyCounter = 0;
const newKey = () => `contention-${process.pid}-${Date.now()}-${++keyCounter}`;

describe('acceptances over shared supply (PostgreSQL only)', () => {
  let t: TestApp;
  let w: OrderWorld;
  /** The order whose acceptance the test hook holds open, and the gate it waits on. */
  let held: { orderId: number; reached: () => void; gate: Promise<void> } | null = null;

  beforeAll(async () => {
    if (!PG) return;
    t = await createTestApp();
    w = await createOrderWorld(t);
    // Holds one acceptance open inside its transaction, after its allocation (its supply rows locked).
    onOrderTransition(async (_trx, event) => {
      if (held && event.order.id === held.orderId && event.to === 'ACCEPTED') {
        held.reached();
        await held.gate;
      }
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const order = (product: Row<'products'>, quantityG: number) =>
    insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG, minGrade: { code: '2', rank: 2 } });
  const accept = (actor: Actor, orderId: number, strategy: string) =>
    t.gql(ACCEPT, { input: { orderId: gid('Order', orderId), strategy, idempotencyKey: newKey() } }, actor.token);
  const lotsOf = (res: Awaited<ReturnType<typeof accept>>) =>
    (res.data.acceptOrder.lines as Array<{ weight: string; lot: { id: string } | null }>).map((l) => ({ lot: l.lot?.id ?? null, weight: l.weight }));

  it.skipIf(!PG)('given one acceptance holding its transaction open, when another one over other lots of the same supply runs, then it completes without waiting', async () => {
    // Given one product with two eligible lots: A is the oldest (grade 2), B the best grade (grade 1).
    const db = t.database.db;
    const product = await insertProduct(db, w.brand.id);
    const m = { brand: w.brand, product, coop: w.coop };
    const a = await insertSupplier(db, m, { lotG: 400_000, grade: { code: '2', rank: 2 }, harvestEnd: '2026-06-15' });
    const b = await insertSupplier(db, m, { lotG: 400_000, grade: { code: '1', rank: 1 }, harvestEnd: '2026-08-15' });
    const first = await order(product, 300_000); // OLDEST_FIRST: all from A
    const second = await order(product, 300_000); // QUALITY_FIRST: all from B
    let reached!: () => void;
    let release!: () => void;
    const isHeld = new Promise<void>((resolve) => { reached = resolve; });
    held = { orderId: first.id, reached, gate: new Promise<void>((resolve) => { release = resolve; }) };

    // When the first acceptance is held open inside its transaction (lot A locked) …
    const firstResult = accept(w.as.brandManager, first.id, 'OLDEST_FIRST');
    await isHeld;
    // … and the second one runs meanwhile: it would wait on A (and time out) if it locked every eligible lot.
    const started = Date.now();
    const secondResult = await accept(w.as.brandManager, second.id, 'QUALITY_FIRST');
    const waitedMs = Date.now() - started;
    release();
    held = null;

    // Then the second completed while the first still held its transaction open, from B only …
    expect(secondResult.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED', allocatedWeight: '300' });
    expect(lotsOf(secondResult)).toEqual([{ lot: gid('Lot', b.lot!.id), weight: '300' }]);
    expect(waitedMs).toBeLessThan(4_000); // well under the 5 s lock timeout it would have run into
    // … and the first completed after it, from A.
    const firstDone = await firstResult;
    expect(firstDone.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED', allocatedWeight: '300' });
    expect(lotsOf(firstDone)).toEqual([{ lot: gid('Lot', a.lot!.id), weight: '300' }]);
    expect(await invariantViolations(db, [a.lot!.id, b.lot!.id], [])).toEqual([]);
  });

  it.skipIf(!PG)('given a plan whose lot is taken while it waits for the lock, when it gets the lot, then it re-plans on the new figures', async () => {
    // Given lot A (grade 1, 400 kg) and lot B (grade 2, 400 kg); QUALITY_FIRST plans 300 kg of A.
    const db = t.database.db;
    const product = await insertProduct(db, w.brand.id);
    const m = { brand: w.brand, product, coop: w.coop };
    const a = await insertSupplier(db, m, { lotG: 400_000, grade: { code: '1', rank: 1 } });
    const b = await insertSupplier(db, m, { lotG: 400_000, grade: { code: '2', rank: 2 } });
    const other = await order(product, 300_000);
    const o = await order(product, 300_000);
    // Another writer has locked A and is taking 300 kg of it for another order (not committed yet).
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => { commit = resolve; });
    let taken!: () => void;
    const isTaken = new Promise<void>((resolve) => { taken = resolve; });
    const writer = db.transaction().execute(async (trx) => {
      await trx.selectFrom('lots').select('id').where('id', '=', a.lot!.id).forUpdate().execute();
      await trx.insertInto('allocation_lines').values({ order_id: other.id, producer_id: a.producer.id, lot_id: a.lot!.id, weight_g: 300_000, reason: 'taken by the test' }).execute();
      await trx.updateTable('lots').set({ allocated_g: sql<number>`allocated_g + 300000` }).where('id', '=', a.lot!.id).execute();
      await trx.updateTable('orders').set({ status: 'ACCEPTED' }).where('id', '=', other.id).execute();
      taken();
      await gate;
    });
    await isTaken;

    // When the acceptance plans from the committed figures (A: 400 kg free), waits for A's lock …
    const result = accept(w.as.brandManager, o.id, 'QUALITY_FIRST');
    await waitForLockWaiter(t);
    // … and the writer commits, leaving 100 kg of A.
    commit();
    await writer;

    // Then the plan (300 kg of A) no longer holds, and the re-plan takes the 100 kg left of A and 200 kg of B,
    // what planning on the locked rows gives.
    const res = await result;
    expect(res.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED', allocatedWeight: '300' });
    expect(lotsOf(res)).toEqual([
      { lot: gid('Lot', a.lot!.id), weight: '100' },
      { lot: gid('Lot', b.lot!.id), weight: '200' },
    ]);
    const lots = await db.selectFrom('lots').select(['id', 'allocated_g']).where('id', 'in', [a.lot!.id, b.lot!.id]).orderBy('id').execute();
    expect(lots).toEqual([{ id: a.lot!.id, allocated_g: 400_000 }, { id: b.lot!.id, allocated_g: 200_000 }]);
    expect(await invariantViolations(db, [a.lot!.id, b.lot!.id], [])).toEqual([]);
  });
});

/** Wait until some statement of this database waits for a row lock (bounded). */
async function waitForLockWaiter(t: TestApp): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.database.db);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no statement started waiting for a lock within 5 s');
}
