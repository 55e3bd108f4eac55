import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordPayment, settleOrder } from '../../src/modules/settlement/settlement.service.js';
import { sdb } from '../../src/modules/settlement/settlement.tables.js';
import { principalOf } from '../orders/fixtures.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import { createSettlementWorld, GRADES, lot, newKey, placeAndAccept, RECORD_PAYMENT, RECORD_RATE, type SettlementWorld, ship } from './fixtures.js';

/** Races need a real server: PGlite has one connection and serialises everything. */
const onPostgres = inject('testDb').kind === 'postgres';
const ROUNDS = 5;

describe.skipIf(!onPostgres)('settlement races (PostgreSQL)', () => {
  let t: TestApp;
  let w: SettlementWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSettlementWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const shippedOrder = async () => {
    await lot(t, w, w.producer, 600, GRADES.G1);
    await lot(t, w, w.otherProducer, 600, GRADES.G2);
    const order = await placeAndAccept(t, w, 1_200_000, 450);
    await ship(t, w, order.id);
    await t.gql(RECORD_RATE, { input: { orderId: gid('Order', order.id), currency: 'USD', rate: '16000', source: 'BI', rateDate: '2026-11-30' } }, w.as.brandManager.token);
    return order;
  };

  it('two settlements of the same payment with different keys: exactly one run, the other has nothing to settle', async () => {
    const manager = await principalOf(t.database.db, w.as.brandManager.id);
    for (let round = 0; round < ROUNDS; round++) {
      const order = await shippedOrder();
      await t.gql(RECORD_PAYMENT, { input: { orderId: gid('Order', order.id), amount: { amount: '5400.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: `R-${round}` } }, w.as.brandManager.token);
      const outcomes = await Promise.allSettled([
        settleOrder(t.database.db, manager, { orderId: order.id, idempotencyKey: newKey('race') }),
        settleOrder(t.database.db, manager, { orderId: order.id, idempotencyKey: newKey('race') }),
      ]);
      const ok = outcomes.filter((o) => o.status === 'fulfilled');
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(failed.map((f) => (f.reason as { code?: string }).code)).toEqual(['NOTHING_TO_SETTLE']);
      const runs = await sdb(t.database.db).selectFrom('settlements').selectAll().where('order_id', '=', order.id).execute();
      expect(runs).toHaveLength(1);
      expect(runs[0]!.received_idr_minor).toBe(8_640_000_000);
    }
  });

  it('two payments that each fit the invoice but not together: exactly one is recorded', async () => {
    const manager = await principalOf(t.database.db, w.as.brandManager.id);
    for (let round = 0; round < ROUNDS; round++) {
      const order = await shippedOrder();
      const pay = (ref: string) =>
        recordPayment(t.database.db, manager, { orderId: order.id, amount: { amount: '3000.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: ref });
      const outcomes = await Promise.allSettled([pay(`A-${round}`), pay(`B-${round}`)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      expect((failed.reason as { code: string }).code).toBe('VALIDATION_FAILED');
      const payments = await sdb(t.database.db).selectFrom('order_payments').selectAll().where('order_id', '=', order.id).execute();
      expect(payments).toHaveLength(1);
    }
  });
});
