import type { Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeCommitmentAllocation, changeLotAllocation, lockCommitmentsForAllocation, lockLotsForAllocation,
} from '../../src/modules/allocation/allocation.service.js';
import type { DB } from '../../src/platform/db-types.js';
import { ConflictError } from '../../src/platform/errors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { createSupplyWorld, insertCommitment, insertLot, insertPlot, type SupplyWorld } from '../support/supply-fixtures.js';

/** The helpers the orders module uses to move allocated weight on lots and commitments. */
describe('allocation helpers', () => {
  let t: TestApp;
  let w: SupplyWorld;
  let plotId: number;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSupplyWorld(t);
    plotId = (await insertPlot(t.database.db, w.producer.id)).id;
  });
  afterAll(async () => { await t?.close(); });

  const inTrx = <T>(fn: (trx: Transaction<DB>) => Promise<T>) => t.database.db.transaction().execute(fn);

  it('allocates and releases lot weight within 0..net, only on graded lots', async () => {
    const db = t.database.db;
    const lot = await insertLot(db, { producer: w.producer, product: w.product, plotIds: [plotId], netG: 60_000, grade: { code: '1', rank: 1 } });
    const locked = await inTrx((trx) => lockLotsForAllocation(trx, [lot.id, lot.id]));
    expect(locked.map((l) => l.id)).toEqual([lot.id]);
    expect((await inTrx((trx) => changeLotAllocation(trx, lot.id, 45_000))).allocated_g).toBe(45_000);
    await expect(inTrx((trx) => changeLotAllocation(trx, lot.id, 15_001))).rejects.toThrow(/only 15 kg available/);
    expect((await inTrx((trx) => changeLotAllocation(trx, lot.id, -5_000))).allocated_g).toBe(40_000);
    await expect(inTrx((trx) => changeLotAllocation(trx, lot.id, -40_001))).rejects.toBeInstanceOf(ConflictError);

    const ungraded = await insertLot(db, { producer: w.producer, product: w.product, plotIds: [plotId] });
    await expect(inTrx((trx) => changeLotAllocation(trx, ungraded.id, 1_000))).rejects.toThrow(/not graded/);
    const off = await insertLot(db, { producer: w.producer, product: w.product, plotIds: [plotId], offGrade: true });
    await expect(inTrx((trx) => changeLotAllocation(trx, off.id, 1_000))).rejects.toThrow(/off-grade/);
  });

  it('allocates and releases commitment weight within 0..committed, only on open commitments', async () => {
    const db = t.database.db;
    const c = await insertCommitment(db, { producer: w.producer, product: w.product, committedG: 120_000 });
    expect((await inTrx((trx) => lockCommitmentsForAllocation(trx, [c.id]))).map((x) => x.id)).toEqual([c.id]);
    expect((await inTrx((trx) => changeCommitmentAllocation(trx, c.id, 120_000))).allocated_g).toBe(120_000);
    await expect(inTrx((trx) => changeCommitmentAllocation(trx, c.id, 1))).rejects.toThrow(/only 0 kg open/);
    expect((await inTrx((trx) => changeCommitmentAllocation(trx, c.id, -120_000))).allocated_g).toBe(0);
    const gone = await insertCommitment(db, { producer: w.producer, product: w.product, status: 'WITHDRAWN' });
    await expect(inTrx((trx) => changeCommitmentAllocation(trx, gone.id, 1_000))).rejects.toThrow(/withdrawn/);
  });
});
