import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invariantViolations } from '../../src/modules/allocation/allocation.repo.js';
import { acceptanceGate } from '../../src/modules/orders/acceptance.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Actor, ERROR_FIELDS, gid, insertProduct } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, insertSupplier, type OrderWorld } from '../orders/fixtures.js';

/**
 * Acceptances that don't queue behind each other (issue 13): acceptOrder plans from an unlocked
 * read, writes the order's transition, then locks only the rows its plan uses, re-checks them, and
 * re-plans on locked rows when one moved.
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
  beforeAll(async () => {
    if (!PG) return;
    t = await createTestApp();
    w = await createOrderWorld(t);
    // Holds an acceptance open inside its transaction once its supply rows are locked and its lines
    // written: its first ALLOCATED provenance event waits for an advisory lock the test holds.
    await sql.raw(`
      create table test_held_orders (order_id int8 primary key);
      create function test_hold_acceptance() returns trigger language plpgsql as $$
      begin
        if new.kind = 'ALLOCATED' and exists (select 1 from test_held_orders h where h.order_id = new.order_id) then
          perform pg_advisory_xact_lock(${HOLD_KEY});
        end if;
        return null;
      end $$;
      create trigger test_hold_acceptance after insert on provenance_events for each row execute function test_hold_acceptance()`).execute(t.database.db);
  });
  afterAll(async () => {
    if (t && PG) {
      await sql`drop trigger if exists test_hold_acceptance on provenance_events`.execute(t.database.db);
      await sql`drop function if exists test_hold_acceptance()`.execute(t.database.db);
      await sql`drop table if exists test_held_orders`.execute(t.database.db);
    }
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
    const third = await order(product, 200_000); // OLDEST_FIRST: A's 100 kg left, then 100 kg of B

    // When the first acceptance is held open inside its transaction, lot A locked and its line written …
    const release = await holdAcceptance(t, first.id);
    const firstResult = accept(w.as.brandManager, first.id, 'OLDEST_FIRST');
    await waitForLockWaiter(t, 'advisory');
    // (A is locked by it: another writer cannot take A's row lock.)
    const aLock = await db.transaction().execute((trx) => trx.selectFrom('lots').select('id').where('id', '=', a.lot!.id).forNoKeyUpdate().noWait().execute())
      .then(() => 'free', (e: { code?: string }) => e.code);
    // … a third one that needs A waits for it (it plans 300 kg of A's 400 kg from the committed figures) …
    const thirdResult = accept(w.as.brandManager, third.id, 'OLDEST_FIRST');
    await waitForLockWaiter(t, 'transactionid');
    // … and the second one runs meanwhile: it would wait on A (and time out) if it locked every eligible lot.
    const started = Date.now();
    const secondResult = await accept(w.as.brandManager, second.id, 'QUALITY_FIRST');
    const waitedMs = Date.now() - started;
    await release();

    // Then the second completed while the first still held its transaction open, from B only …
    expect(secondResult.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED', allocatedWeight: '300' });
    expect(lotsOf(secondResult)).toEqual([{ lot: gid('Lot', b.lot!.id), weight: '300' }]);
    expect(waitedMs).toBeLessThan(4_000); // well under the 5 s lock timeout it would have run into
    // … and the first completed after it, from A.
    const firstDone = await firstResult;
    expect(firstDone.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED', allocatedWeight: '300' });
    expect(lotsOf(firstDone)).toEqual([{ lot: gid('Lot', a.lot!.id), weight: '300' }]);
    expect(aLock).toBe('55P03'); // lock_not_available: the first held A's row lock while it was held
    // The third, which waited on A, found only 100 kg of it left and planned again on the locked rows.
    const thirdDone = await thirdResult;
    expect(thirdDone.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED', allocatedWeight: '200' });
    expect(lotsOf(thirdDone)).toEqual([
      { lot: gid('Lot', a.lot!.id), weight: '100' },
      { lot: gid('Lot', b.lot!.id), weight: '100' },
    ]);
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

  it.skipIf(!PG)('given the acceptance gate full (ACCEPT_CONCURRENCY 1, ACCEPT_QUEUE 0), when another acceptance comes, then it is AllocationBusyError and writes nothing; with room, callers wait their turn', async () => {
    const db = t.database.db;
    const product = await insertProduct(db, w.brand.id);
    const m = { brand: w.brand, product, coop: w.coop };
    await insertSupplier(db, m, { lotG: 2_000_000, grade: { code: '1', rank: 1 } });
    const [first, second, ...more] = [await order(product, 100_000), await order(product, 100_000),
      ...await Promise.all(Array.from({ length: 6 }, () => order(product, 100_000)))];
    try {
      // Given one acceptance running (held open inside its transaction) and no room to wait
      acceptanceGate.configure(1, 0);
      const release = await holdAcceptance(t, first!.id);
      const firstResult = accept(w.as.brandManager, first!.id, 'PRO_RATA');
      await waitForLockWaiter(t, 'advisory');
      // When another acceptance comes, then it is refused at once, and nothing of it is written
      const refused = await accept(w.as.brandManager, second!.id, 'PRO_RATA');
      expect(refused.data.acceptOrder).toMatchObject({ __typename: 'AllocationBusyError', code: 'ALLOCATION_BUSY' });
      expect(refused.data.acceptOrder.message).toMatch(/Too many acceptances are waiting/);
      expect(await db.selectFrom('orders').select('status').where('id', '=', second!.id).executeTakeFirstOrThrow()).toEqual({ status: 'REQUESTED' });
      expect(await db.selectFrom('allocation_lines').select('id').where('order_id', '=', second!.id).execute()).toEqual([]);
      await release();
      expect((await firstResult).data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });

      // Given room for 2 at once and a queue: 7 acceptances at once all complete, never more than 2 running
      acceptanceGate.configure(2, 100);
      acceptanceGate.peak = 0;
      const results = await Promise.all([second!, ...more].map((o) => accept(w.as.brandManager, o!.id, 'PRO_RATA')));
      expect(results.map((r) => r.data.acceptOrder.__typename)).toEqual(Array(7).fill('Order'));
      expect(acceptanceGate.peak).toBe(2);
    } finally {
      acceptanceGate.configure(8, 1_000);
    }
  });
});

const HOLD_KEY = 731_013;

/**
 * Make the acceptance of `orderId` wait, once its supply rows are locked and its first line written,
 * until the returned release() is called: the trigger waits for an advisory lock that a connection
 * of the pool, kept aside, holds.
 */
async function holdAcceptance(t: TestApp, orderId: number): Promise<() => Promise<void>> {
  const db = t.database.db;
  await sql`insert into test_held_orders (order_id) values (${orderId})`.execute(db);
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => { locked = resolve; });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const holder = db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${HOLD_KEY})`.execute(conn);
    locked();
    await gate;
    await sql`select pg_advisory_unlock(${HOLD_KEY})`.execute(conn);
  });
  await isLocked;
  return async () => {
    release();
    await holder;
    await sql`delete from test_held_orders where order_id = ${orderId}`.execute(db);
  };
}

/** Wait until some statement of this database waits for a lock (of that kind, if given; bounded). */
async function waitForLockWaiter(t: TestApp, event?: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and (${event ?? null}::text is null or wait_event = ${event ?? null})`.execute(t.database.db);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no statement started waiting for a lock within 5 s');
}
