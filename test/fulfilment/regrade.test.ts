import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, insertSupplier, type OrderWorld } from '../orders/fixtures.js';
import {
  acceptedOrder, commitmentRow, eventsOf, expectLedger, expectOrderCovered, freshProduct, GRADE1, GRADE3, gradedLot, lineRow, linesOf, lotRow,
  newKey, openCommitment, orderRow, RECORD_ASSESSMENT,
} from './fixtures.js';

const FULFIL = /* GraphQL */ `
  mutation FulfilLine($input: FulfilLineInput!) { fulfilLine(input: $input) { __typename ${ERROR_FIELDS} } }`;

/** Measurements: 0 black beans → grade 1; 30 → grade 3 (SNI Arabica); moisture 13 % → off-grade. */
const GOOD = { defectCounts: [], moisturePct: '12.0', foreignMatterPct: '0.2', liveInsects: false, foulOdour: false };
const GRADE_3 = { ...GOOD, defectCounts: [{ defect: 'BLACK_BEAN', count: 30 }] };
const WET = { ...GOOD, moisturePct: '13.0' };

describe('a lot linked to orders fails grading (through recordAssessment)', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const assess = async (lotId: number, measurements: Record<string, unknown>) => {
    const res = await t.gql(RECORD_ASSESSMENT, { input: { lotId: gid('Lot', lotId), ...measurements } }, w.as.curator.token);
    expect(res.data.recordAssessment.__typename).toBe('Assessment');
    return res.data.recordAssessment;
  };

  describe('a spot lot becomes off-grade', () => {
    let lot: Row<'lots'>;
    let spare: Row<'lots'>;
    let order: Row<'orders'>;
    let line: Row<'allocation_lines'>;
    beforeAll(async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      lot = await gradedLot(db, w.producer, product, 500_000);
      const accepted = await acceptedOrder(t, w, product, { quantityG: 500_000, minGrade: GRADE3 });
      order = accepted.order;
      line = accepted.lines[0]!;
      expect(line.lot_id).toBe(lot.id);
      // Supply that appears later: the same producer's other lot and another member's.
      spare = await gradedLot(db, w.producer, product, 200_000);
      await insertSupplier(db, { brand: w.brand, product, coop: w.coop }, { lotG: 200_000 });
      expect((await assess(lot.id, WET)).offGrade).toBe(true);
    });

    it('the spot line becomes SHORTFALL and the lot holds nothing', async () => {
      const db = t.database.db;
      expect(await lineRow(db, line.id)).toMatchObject({ status: 'SHORTFALL', weight_g: 500_000 });
      expect(await lotRow(db, lot.id)).toMatchObject({ off_grade: true, allocated_g: 0 });
    });

    it('is reallocated in the same transaction — the producer did not default, so their other lot may cover it — and the rest is uncovered', async () => {
      const db = t.database.db;
      const replacements = (await linesOf(db, order.id)).filter((l) => l.replaces_line_id === line.id);
      expect(replacements.reduce((s, l) => s + l.weight_g, 0)).toBe(400_000);
      expect(replacements.some((l) => l.lot_id === spare.id)).toBe(true);
      expect(replacements.every((l) => l.lot_id !== lot.id && l.reason.includes('a lot failed grading'))).toBe(true);
      expect((await orderRow(db, order.id)).uncovered_g).toBe(100_000);
      await expectLedger(db);
      await expectOrderCovered(db, order.id);
    });

    it('records SHORTFALL (cause LOT_FAILED_GRADING, by the curator) and REALLOCATED events', async () => {
      const db = t.database.db;
      expect(await eventsOf(db, order.id, 'SHORTFALL')).toEqual([
        expect.objectContaining({ lot_id: lot.id, actor_user_id: w.as.curator.id, payload: expect.objectContaining({ cause: 'LOT_FAILED_GRADING', weightG: 500_000 }) }),
      ]);
      expect((await eventsOf(db, order.id, 'REALLOCATED')).length).toBeGreaterThan(0);
    });
  });

  describe('a lot falls below one order\'s minimum grade but not another\'s', () => {
    it('only the stricter order\'s line falls short', async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      const lot = await gradedLot(db, w.producer, product, 600_000, { grade: GRADE1 });
      const strict = await acceptedOrder(t, w, product, { quantityG: 300_000, minGrade: { code: '2', rank: 2 } });
      const lenient = await acceptedOrder(t, w, product, { quantityG: 300_000, minGrade: { code: '4', rank: 4 } });
      expect(strict.lines[0]!.lot_id).toBe(lot.id);
      expect(lenient.lines[0]!.lot_id).toBe(lot.id);
      expect((await assess(lot.id, GRADE_3)).grade).toEqual({ code: '3', rank: 3 });
      expect((await lineRow(db, strict.lines[0]!.id)).status).toBe('SHORTFALL');
      expect((await lineRow(db, lenient.lines[0]!.id)).status).toBe('ACTIVE');
      expect((await orderRow(db, strict.order.id)).uncovered_g).toBe(300_000);
      expect((await lotRow(db, lot.id)).allocated_g).toBe(300_000);
      await expectLedger(db);
      await expectOrderCovered(db, strict.order.id);
      await expectOrderCovered(db, lenient.order.id);
    });

    it('a re-assessment that keeps the lot within every minimum changes nothing', async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      const lot = await gradedLot(db, w.producer, product, 600_000, { grade: GRADE1 });
      const { order, lines } = await acceptedOrder(t, w, product, { quantityG: 300_000, minGrade: GRADE3 });
      const before = await eventsOf(db, order.id);
      expect((await assess(lot.id, GRADE_3)).grade.code).toBe('3');
      expect(await lineRow(db, lines[0]!.id)).toMatchObject({ status: 'ACTIVE', weight_g: 300_000 });
      expect(await eventsOf(db, order.id)).toEqual(before);
    });
  });

  describe('a delivered lot of a forward line fails grading', () => {
    let order: Row<'orders'>;
    let line: Row<'allocation_lines'>;
    let commitment: Row<'commitments'>;
    let delivered: Row<'lots'>;
    let otherCommitment: Row<'commitments'>;
    beforeAll(async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      commitment = await openCommitment(db, w.producer, product, 600_000);
      const accepted = await acceptedOrder(t, w, product, { quantityG: 600_000, minGrade: GRADE3, constraints: { supply: 'FORWARD_ONLY' } });
      order = accepted.order;
      line = accepted.lines[0]!;
      delivered = await gradedLot(db, w.producer, product, 1_000_000);
      const good = await gradedLot(db, w.producer, product, 1_000_000);
      for (const [lotId, weight] of [[delivered.id, '250'], [good.id, '100']] as const) {
        const res = await t.gql(FULFIL, {
          input: { lineId: gid('AllocationLine', line.id), lotId: gid('Lot', lotId), weight, idempotencyKey: newKey() },
        }, w.as.brandManager.token);
        expect(res.data.fulfilLine.__typename).toBe('FulfilLinePayload');
      }
      otherCommitment = (await insertSupplier(db, { brand: w.brand, product, coop: w.coop }, { commitmentG: 1_000_000 })).commitment!;
      await assess(delivered.id, WET);
    });

    it('the fulfilment FAILS and no longer counts: the line loses 250 kg fulfilled and 250 kg of weight', async () => {
      const db = t.database.db;
      const fulfilments = await db.selectFrom('fulfilments').selectAll().where('line_id', '=', line.id).orderBy('id').execute();
      expect(fulfilments.map((f) => [f.lot_id, f.weight_g, f.status])).toEqual([[delivered.id, 250_000, 'FAILED'], [fulfilments[1]!.lot_id, 100_000, 'ACTIVE']]);
      expect(await lineRow(db, line.id)).toMatchObject({ status: 'ACTIVE', weight_g: 350_000, fulfilled_g: 100_000 });
      expect((await lotRow(db, delivered.id)).allocated_g).toBe(0);
      expect((await commitmentRow(db, commitment.id)).allocated_g).toBe(350_000);
    });

    it('the 250 kg are reallocated, not back to the same commitment', async () => {
      const db = t.database.db;
      const replacements = (await linesOf(db, order.id)).filter((l) => l.replaces_line_id === line.id);
      expect(replacements.map((l) => [l.commitment_id, l.weight_g])).toEqual([[otherCommitment.id, 250_000]]);
      expect((await orderRow(db, order.id)).uncovered_g).toBe(0);
      await expectLedger(db);
      await expectOrderCovered(db, order.id);
    });

    it('records FULFILMENT_FAILED, SHORTFALL and REALLOCATED events with the order', async () => {
      const kinds = (await eventsOf(t.database.db, order.id)).map((e) => e.kind);
      expect(kinds.slice(-3)).toEqual(['FULFILMENT_FAILED', 'SHORTFALL', 'REALLOCATED']);
      const failed = await eventsOf(t.database.db, order.id, 'FULFILMENT_FAILED');
      expect(failed[0]).toMatchObject({ lot_id: delivered.id, payload: expect.objectContaining({ weightG: 250_000, lineId: line.id }) });
    });
  });

  it('a lot fully delivered against a forward line that fails grading turns the whole line into a shortfall', async () => {
    const db = t.database.db;
    const product = await freshProduct(t, w);
    await openCommitment(db, w.producer, product, 300_000);
    const { order, lines } = await acceptedOrder(t, w, product, { quantityG: 300_000, constraints: { supply: 'FORWARD_ONLY' } });
    const lot = await gradedLot(db, w.producer, product, 300_000);
    const res = await t.gql(FULFIL, {
      input: { lineId: gid('AllocationLine', lines[0]!.id), lotId: gid('Lot', lot.id), weight: '300', idempotencyKey: newKey() },
    }, w.as.brandManager.token);
    expect(res.data.fulfilLine.__typename).toBe('FulfilLinePayload');
    await assess(lot.id, WET);
    expect(await lineRow(db, lines[0]!.id)).toMatchObject({ status: 'SHORTFALL', fulfilled_g: 0 });
    expect((await orderRow(db, order.id)).uncovered_g).toBe(300_000);
    await expectLedger(db);
    await expectOrderCovered(db, order.id);
  });
});
