import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, insertSupplier, type OrderWorld } from '../orders/fixtures.js';
import {
  ACCEPT, acceptedOrder, expectLedger, expectOrderCovered, freshProduct, GRADE1, GRADE2, GRADE3, gradedLot, lotRow, newKey, openCommitment, orderRow,
} from './fixtures.js';

/** Races need a real server: PGlite has one connection and serialises everything. */
const onPostgres = inject('testDb').kind === 'postgres';

const FULFIL = /* GraphQL */ `
  mutation FulfilLine($input: FulfilLineInput!) {
    fulfilLine(input: $input) { __typename ... on FulfilmentRefusedError { reason } ${ERROR_FIELDS} }
  }`;
const DECLARE = /* GraphQL */ `
  mutation DeclareShortfall($input: DeclareShortfallInput!) {
    declareShortfall(input: $input) { __typename ... on DeclareShortfallPayload { reallocated uncovered } ${ERROR_FIELDS} }
  }`;

const ROUNDS = 8;

describe.skipIf(!onPostgres)('fulfilment races (PostgreSQL)', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const fulfil = (lineId: number, lotId: number, weight: string) =>
    t.gql(FULFIL, { input: { lineId: gid('AllocationLine', lineId), lotId: gid('Lot', lotId), weight, idempotencyKey: newKey('race') } }, w.as.brandManager.token);

  it('two fulfilments of the whole remaining weight of one line: exactly one wins', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      await openCommitment(db, w.producer, product, 600_000);
      const { order, lines } = await acceptedOrder(t, w, product, { quantityG: 600_000, constraints: { supply: 'FORWARD_ONLY' } });
      const [l1, l2] = [await gradedLot(db, w.producer, product, 600_000), await gradedLot(db, w.producer, product, 600_000)];
      const results = await Promise.all([fulfil(lines[0]!.id, l1.id, '600'), fulfil(lines[0]!.id, l2.id, '600')]);
      const kinds = results.map((r) => r.data.fulfilLine.__typename).sort();
      expect(kinds).toEqual(['FulfilLinePayload', 'FulfilmentRefusedError']);
      expect(results.map((r) => r.data.fulfilLine.reason).filter(Boolean)).toEqual(['EXCEEDS_LINE_REMAINING']);
      expect((await lotRow(db, l1.id)).allocated_g + (await lotRow(db, l2.id)).allocated_g).toBe(600_000);
      expect((await orderRow(db, order.id)).status).toBe('IN_FULFILLMENT');
    }
    await expectLedger(t.database.db);
  });

  it('two orders fulfilled from one lot that holds only enough for one: the lot is never over-allocated', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      await openCommitment(db, w.producer, product, 800_000);
      const a = await acceptedOrder(t, w, product, { quantityG: 400_000, constraints: { supply: 'FORWARD_ONLY' } });
      const b = await acceptedOrder(t, w, product, { quantityG: 400_000, constraints: { supply: 'FORWARD_ONLY' } });
      const lot = await gradedLot(db, w.producer, product, 600_000);
      const results = await Promise.all([fulfil(a.lines[0]!.id, lot.id, '400'), fulfil(b.lines[0]!.id, lot.id, '400')]);
      expect(results.map((r) => r.data.fulfilLine.__typename).sort()).toEqual(['FulfilLinePayload', 'FulfilmentRefusedError']);
      expect(results.map((r) => r.data.fulfilLine.reason).filter(Boolean)).toEqual(['EXCEEDS_LOT_AVAILABLE']);
      expect((await lotRow(db, lot.id)).allocated_g).toBe(400_000);
    }
    await expectLedger(t.database.db);
  });

  it('a shortfall racing the acceptance of another order for the same spare supply: the spare weight is taken once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      // The defaulting producer's lot is grade 2: once released it does not fit the second order (grade 1).
      await gradedLot(db, w.producer, product, 300_000, { grade: GRADE2 });
      const first = await acceptedOrder(t, w, product, { quantityG: 300_000, minGrade: GRADE3 });
      const spare = (await insertSupplier(db, { brand: w.brand, product, coop: w.coop }, { lotG: 300_000 })).lot!;
      const second = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: 300_000, minGrade: GRADE1 });
      const [shortfall, accept] = await Promise.all([
        t.gql(DECLARE, {
          input: { lineId: gid('AllocationLine', first.lines[0]!.id), weight: '300', reason: 'drought', idempotencyKey: newKey('race') },
        }, w.as.producer.token),
        t.gql(ACCEPT, { input: { orderId: gid('Order', second.id), idempotencyKey: newKey('race') } }, w.as.brandManager.token),
      ]);
      expect(shortfall.data.declareShortfall.__typename).toBe('DeclareShortfallPayload');
      const covered = shortfall.data.declareShortfall.reallocated === '300';
      // Exactly one of them got the spare lot.
      expect(accept.data.acceptOrder.__typename).toBe(covered ? 'InsufficientSupplyError' : 'Order');
      expect(shortfall.data.declareShortfall.uncovered).toBe(covered ? '0' : '300');
      expect((await lotRow(db, spare.id)).allocated_g).toBe(300_000);
      await expectOrderCovered(db, first.order.id);
    }
    await expectLedger(t.database.db);
  });

  it('many shortfalls and acceptances at once over shared spare supply: no deadlock surfaces, the ledger holds', async () => {
    const db = t.database.db;
    const product = await freshProduct(t, w);
    // Six orders of 300 kg, each on its own producer's lot; a pool of spare lots; six more REQUESTED orders.
    const defaulting: Row<'allocation_lines'>[] = [];
    const orders: Row<'orders'>[] = [];
    for (let i = 0; i < 6; i++) {
      await insertSupplier(db, { brand: w.brand, product, coop: w.coop }, { lotG: 300_000 });
      const o = await acceptedOrder(t, w, product, { quantityG: 300_000, minGrade: GRADE3, strategy: 'FEWEST_CONTRIBUTORS' });
      defaulting.push(o.lines[0]!);
      orders.push(o.order);
    }
    for (let i = 0; i < 8; i++) await insertSupplier(db, { brand: w.brand, product, coop: w.coop }, { lotG: 250_000 });
    const requested = [];
    for (let i = 0; i < 6; i++) requested.push(await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: 300_000 }));

    const results = await Promise.all([
      ...defaulting.map((l) =>
        t.gql(DECLARE, { input: { lineId: gid('AllocationLine', l.id), weight: '300', reason: 'pests', idempotencyKey: newKey('many') } }, w.as.admin.token)),
      ...requested.map((o) => t.gql(ACCEPT, { input: { orderId: gid('Order', o.id), idempotencyKey: newKey('many') } }, w.as.brandManager.token)),
    ]);
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      const payload = r.data.declareShortfall ?? r.data.acceptOrder;
      expect(['DeclareShortfallPayload', 'Order', 'InsufficientSupplyError']).toContain(payload.__typename);
    }
    await expectLedger(db);
    for (const o of orders) await expectOrderCovered(db, o.id);
  });
});
