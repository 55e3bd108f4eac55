import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, type OrderWorld } from '../orders/fixtures.js';
import {
  acceptedOrder, type Actor, commitmentRow, eventsOf, expectLedger, expectOrderCovered, freshProduct, fulfilmentCounts, GRADE1, GRADE2,
  GRADE3, gradedLot, lineRow, lotRow, newKey, openCommitment, orderRow,
} from './fixtures.js';

const FULFIL = /* GraphQL */ `
  mutation FulfilLine($input: FulfilLineInput!) {
    fulfilLine(input: $input) {
      __typename
      ... on FulfilLinePayload {
        fulfilment { fulfilmentId weight status lot { id } line { id } }
        line { id weight fulfilledWeight remainingWeight status }
        order { id status events { from to reason } }
      }
      ... on FulfilmentRefusedError { reason path }
      ${ERROR_FIELDS}
    }
  }`;

const LINE_FULFILMENTS = /* GraphQL */ `
  query LineFulfilments($id: ID!) {
    node(id: $id) { ... on AllocationLine { weight fulfilledWeight remainingWeight fulfilments { weight status lot { id } } } }
  }`;

const CANCEL = /* GraphQL */ `
  mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;

describe('fulfilLine: a forward line is fulfilled by delivered, graded lots of its producer', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const fulfil = (actor: Actor, lineId: number, lotId: number, weight: string, key = newKey('fulfil')) =>
    t.gql(FULFIL, { input: { lineId: gid('AllocationLine', lineId), lotId: gid('Lot', lotId), weight, idempotencyKey: key } }, actor.token);

  /** An ACCEPTED order of 600 kg on one forward line: w.producer's commitment (grade 1, 600 kg). */
  async function forwardOrder(opts: { minGrade?: { code: string; rank: number }; wholeBags?: boolean } = {}) {
    const product = await freshProduct(t, w);
    const commitment = await openCommitment(t.database.db, w.producer, product, 600_000);
    const { order, lines } = await acceptedOrder(t, w, product, {
      quantityG: 600_000, minGrade: opts.minGrade ?? GRADE2, constraints: { supply: 'FORWARD_ONLY' }, wholeBags: opts.wholeBags ?? false,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ commitment_id: commitment.id, producer_id: w.producer.id, weight_g: 600_000 });
    return { product, commitment, order, line: lines[0]! };
  }

  describe('happy path', () => {
    let s: Awaited<ReturnType<typeof forwardOrder>>;
    let lot: Row<'lots'>;
    beforeAll(async () => {
      s = await forwardOrder();
      lot = await gradedLot(t.database.db, w.producer, s.product, 1_000_000, { grade: GRADE1 });
    });

    it('the brand manager links 400 kg of the lot: fulfilment ACTIVE, line fulfilled, lot reserved, order IN_FULFILLMENT', async () => {
      const res = await fulfil(w.as.brandManager, s.line.id, lot.id, '400');
      const p = res.data.fulfilLine;
      expect(p.__typename).toBe('FulfilLinePayload');
      expect(p.fulfilment).toMatchObject({ weight: '400', status: 'ACTIVE', lot: { id: gid('Lot', lot.id) }, line: { id: gid('AllocationLine', s.line.id) } });
      expect(p.line).toMatchObject({ weight: '600', fulfilledWeight: '400', remainingWeight: '200', status: 'ACTIVE' });
      expect(p.order.status).toBe('IN_FULFILLMENT');
      expect(p.order.events.at(-1)).toMatchObject({ from: 'ACCEPTED', to: 'IN_FULFILLMENT', reason: expect.stringMatching(/First fulfilment: 400 kg/) });
      const db = t.database.db;
      // Ledger: the lot holds the delivered weight; the commitment's promise stays taken by the line.
      expect((await lotRow(db, lot.id)).allocated_g).toBe(400_000);
      expect((await commitmentRow(db, s.commitment.id)).allocated_g).toBe(600_000);
      expect(await eventsOf(db, s.order.id, 'FULFILLED')).toEqual([
        expect.objectContaining({ lot_id: lot.id, commitment_id: s.commitment.id, payload: expect.objectContaining({ lineId: s.line.id, weightG: 400_000 }) }),
      ]);
      await expectLedger(db);
      await expectOrderCovered(db, s.order.id);
    });

    it('a second fulfilment completes the line; the order stays IN_FULFILLMENT with no second transition', async () => {
      const res = await fulfil(w.as.brandManager, s.line.id, lot.id, '200');
      expect(res.data.fulfilLine).toMatchObject({ line: { fulfilledWeight: '600', remainingWeight: '0' }, order: { status: 'IN_FULFILLMENT' } });
      expect(res.data.fulfilLine.order.events.filter((e: { to: string }) => e.to === 'IN_FULFILLMENT')).toHaveLength(1);
      expect((await lotRow(t.database.db, lot.id)).allocated_g).toBe(600_000);
      await expectLedger(t.database.db);
    });

    it('the line shows its fulfilments to the manager and the producer, not to the buyer', async () => {
      const id = gid('AllocationLine', s.line.id);
      for (const actor of [w.as.brandManager, w.as.producer, w.as.coopManager, w.as.admin]) {
        const res = await t.gql(LINE_FULFILMENTS, { id }, actor.token);
        expect(res.errors).toBeUndefined();
        expect(res.data.node).toMatchObject({ fulfilledWeight: '600', remainingWeight: '0', fulfilments: [{ weight: '400', status: 'ACTIVE' }, { weight: '200', status: 'ACTIVE' }] });
      }
      const buyer = await t.gql(LINE_FULFILMENTS, { id }, w.as.buyer.token);
      expect(buyer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      for (const actor of [w.as.curator, w.as.otherProducer, w.as.otherBuyer]) {
        expect((await t.gql(LINE_FULFILMENTS, { id }, actor.token)).data?.node ?? null).toBeNull();
      }
    });

    it('retrying with the same key returns the same fulfilment and writes nothing', async () => {
      const more = await forwardOrder();
      const lot2 = await gradedLot(t.database.db, w.producer, more.product, 600_000);
      const key = newKey('retry');
      const first = await fulfil(w.as.brandManager, more.line.id, lot2.id, '100', key);
      const before = await fulfilmentCounts(t.database.db);
      const again = await fulfil(w.as.brandManager, more.line.id, lot2.id, '100', key);
      expect(again.data.fulfilLine.fulfilment.fulfilmentId).toBe(first.data.fulfilLine.fulfilment.fulfilmentId);
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
      const reused = await fulfil(w.as.brandManager, more.line.id, lot2.id, '50', key);
      expect(reused.data.fulfilLine).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('an admin may fulfil', async () => {
      const more = await forwardOrder();
      const lot2 = await gradedLot(t.database.db, w.producer, more.product, 600_000);
      expect((await fulfil(w.as.admin, more.line.id, lot2.id, '60')).data.fulfilLine.__typename).toBe('FulfilLinePayload');
    });
  });

  describe('refusals: a typed error naming the field, nothing written', () => {
    let s: Awaited<ReturnType<typeof forwardOrder>>;
    let good: Row<'lots'>;
    const lots: Record<string, Row<'lots'>> = {};
    let spotLine: Row<'allocation_lines'>;
    let bagLine: Row<'allocation_lines'>;
    let cancelledLine: Row<'allocation_lines'>;
    beforeAll(async () => {
      const db = t.database.db;
      s = await forwardOrder({ minGrade: GRADE2 });
      good = await gradedLot(db, w.producer, s.product, 300_000);
      lots.otherProducer = await gradedLot(db, w.otherProducer, s.product, 1_000_000);
      lots.otherProduct = await gradedLot(db, w.producer, await freshProduct(t, w), 1_000_000);
      lots.gradeBelow = await gradedLot(db, w.producer, s.product, 1_000_000, { grade: GRADE3 });
      lots.offGrade = await gradedLot(db, w.producer, s.product, 1_000_000, { grade: null, offGrade: true });
      lots.ungraded = await gradedLot(db, w.producer, s.product, 1_000_000, { grade: null });
      // A spot line (on a lot) of another order.
      const spotProduct = await freshProduct(t, w);
      await gradedLot(db, w.producer, spotProduct, 600_000);
      spotLine = (await acceptedOrder(t, w, spotProduct, { quantityG: 300_000 })).lines[0]!;
      // A whole-bag order.
      const bagProduct = await freshProduct(t, w);
      await openCommitment(db, w.producer, bagProduct, 600_000);
      bagLine = (await acceptedOrder(t, w, bagProduct, { quantityG: 600_000, wholeBags: true, constraints: { supply: 'FORWARD_ONLY' } })).lines[0]!;
      lots.bags = await gradedLot(db, w.producer, bagProduct, 600_000);
      // A cancelled order (its line RELEASED).
      const c = await forwardOrder();
      lots.cancelled = await gradedLot(db, w.producer, c.product, 600_000);
      const cancel = await t.gql(CANCEL, { input: { orderId: gid('Order', c.order.id), reason: 'buyer withdrew' } }, w.as.brandManager.token);
      expect(cancel.data.cancelOrder.status).toBe('CANCELLED');
      cancelledLine = c.line;
    });

    it.each([
      ['a lot of another producer', 'otherProducer', '100', 'LOT_OF_ANOTHER_PRODUCER', 'input.lotId'],
      ['a lot of another product', 'otherProduct', '100', 'WRONG_PRODUCT', 'input.lotId'],
      ['a lot below the order\'s minimum grade', 'gradeBelow', '100', 'GRADE_BELOW_MINIMUM', 'input.lotId'],
      ['an off-grade lot', 'offGrade', '100', 'LOT_OFF_GRADE', 'input.lotId'],
      ['an ungraded lot', 'ungraded', '100', 'LOT_NOT_GRADED', 'input.lotId'],
    ] as const)('%s → FulfilmentRefusedError %s', async (_name, which, weight, reason, path) => {
      const before = await fulfilmentCounts(t.database.db);
      const res = await fulfil(w.as.brandManager, s.line.id, lots[which]!.id, weight);
      expect(res.data.fulfilLine).toMatchObject({ __typename: 'FulfilmentRefusedError', code: 'FULFILMENT_REFUSED', reason, path });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('more than the line has left → EXCEEDS_LINE_REMAINING (input.weight)', async () => {
      const big = await gradedLot(t.database.db, w.producer, s.product, 1_000_000);
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as.brandManager, s.line.id, big.id, '600.001')).data.fulfilLine).toMatchObject({
        __typename: 'FulfilmentRefusedError', reason: 'EXCEEDS_LINE_REMAINING', path: 'input.weight',
      });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('more than the lot has available → EXCEEDS_LOT_AVAILABLE (input.weight)', async () => {
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as.brandManager, s.line.id, good.id, '300.001')).data.fulfilLine).toMatchObject({
        __typename: 'FulfilmentRefusedError', reason: 'EXCEEDS_LOT_AVAILABLE', path: 'input.weight',
      });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('a spot line → LINE_NOT_FORWARD; a line of a cancelled order → ORDER_NOT_IN_FULFILMENT', async () => {
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as.brandManager, spotLine.id, good.id, '10')).data.fulfilLine).toMatchObject({ reason: 'LINE_NOT_FORWARD', path: 'input.lineId' });
      expect((await fulfil(w.as.brandManager, cancelledLine.id, lots.cancelled!.id, '10')).data.fulfilLine).toMatchObject({
        reason: 'ORDER_NOT_IN_FULFILMENT', path: 'input.lineId',
      });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('a line that is no longer ACTIVE → LINE_NOT_ACTIVE', async () => {
      const c = await forwardOrder();
      const lot = await gradedLot(t.database.db, w.producer, c.product, 600_000);
      await t.database.db.updateTable('allocation_lines').set({ status: 'SHORTFALL' }).where('id', '=', c.line.id).execute();
      await t.database.db.updateTable('orders').set({ uncovered_g: 600_000 }).where('id', '=', c.order.id).execute();
      await t.database.db.updateTable('commitments').set({ allocated_g: 0 }).where('id', '=', c.commitment.id).execute();
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as.brandManager, c.line.id, lot.id, '10')).data.fulfilLine).toMatchObject({ reason: 'LINE_NOT_ACTIVE', path: 'input.lineId' });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it.each([
      ['zero weight', 'input.weight', () => ({ weight: '0' })],
      ['negative weight', 'input.weight', () => ({ weight: '-5' })],
      ['a Lot ID as the line', 'input.lineId', () => ({ lineId: gid('Lot', 1) })],
      ['an Order ID as the lot', 'input.lotId', () => ({ lotId: gid('Order', 1) })],
      ['a short idempotency key', 'input.idempotencyKey', () => ({ idempotencyKey: 'short' })],
    ] as const)('%s → ValidationError naming %s', async (_name, path, over) => {
      const before = await fulfilmentCounts(t.database.db);
      const input = { lineId: gid('AllocationLine', s.line.id), lotId: gid('Lot', good.id), weight: '10', idempotencyKey: newKey(), ...over() };
      const res = await t.gql(FULFIL, { input }, w.as.brandManager.token);
      expect(res.data.fulfilLine.__typename).toBe('ValidationError');
      expect(res.data.fulfilLine.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('a weight that is not whole bags on a whole-bag order → ValidationError (input.weight)', async () => {
      const before = await fulfilmentCounts(t.database.db);
      const res = await fulfil(w.as.brandManager, bagLine.id, lots.bags!.id, '100');
      expect(res.data.fulfilLine).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.weight' }] });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
      expect((await fulfil(w.as.brandManager, bagLine.id, lots.bags!.id, '120')).data.fulfilLine.__typename).toBe('FulfilLinePayload');
    });

    it('unknown line and unknown lot → NotFoundError naming the field', async () => {
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as.brandManager, 999_999_999, good.id, '10')).data.fulfilLine).toMatchObject({ __typename: 'NotFoundError', path: 'input.lineId' });
      expect((await fulfil(w.as.brandManager, s.line.id, 999_999_999, '10')).data.fulfilLine).toMatchObject({ __typename: 'NotFoundError', path: 'input.lotId' });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it.each(['buyer', 'producer', 'coopManager', 'curator'] as const)('the %s is refused (ForbiddenError), nothing written', async (role) => {
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as[role], s.line.id, good.id, '10')).data.fulfilLine.__typename).toBe('ForbiddenError');
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('another brand\'s manager does not see the line (NotFoundError), nothing written', async () => {
      const before = await fulfilmentCounts(t.database.db);
      expect((await fulfil(w.as.otherBrandManager, s.line.id, good.id, '10')).data.fulfilLine).toMatchObject({ __typename: 'NotFoundError', path: 'input.lineId' });
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
    });

    it('after all refusals the order is still ACCEPTED and the ledger holds', async () => {
      expect((await orderRow(t.database.db, s.order.id)).status).toBe('ACCEPTED');
      expect((await lineRow(t.database.db, s.line.id)).fulfilled_g).toBe(0);
      await expectLedger(t.database.db);
    });
  });

  describe('cancelling an order in fulfilment', () => {
    it('releases its fulfilments (RELEASED) and gives the lots their weight back', async () => {
      const db = t.database.db;
      const s = await forwardOrder();
      const lot = await gradedLot(db, w.producer, s.product, 600_000);
      expect((await fulfil(w.as.brandManager, s.line.id, lot.id, '250')).data.fulfilLine.order.status).toBe('IN_FULFILLMENT');
      expect((await lotRow(db, lot.id)).allocated_g).toBe(250_000);
      const res = await t.gql(CANCEL, { input: { orderId: gid('Order', s.order.id), reason: 'container lost' } }, w.as.brandManager.token);
      expect(res.data.cancelOrder.status).toBe('CANCELLED');
      expect((await lotRow(db, lot.id)).allocated_g).toBe(0);
      expect((await commitmentRow(db, s.commitment.id)).allocated_g).toBe(0);
      const f = await db.selectFrom('fulfilments').selectAll().where('line_id', '=', s.line.id).execute();
      expect(f.map((x) => x.status)).toEqual(['RELEASED']);
      expect(await lineRow(db, s.line.id)).toMatchObject({ status: 'RELEASED', fulfilled_g: 0 });
      expect(await eventsOf(db, s.order.id, 'FULFILMENT_RELEASED')).toEqual([
        expect.objectContaining({ lot_id: lot.id, payload: expect.objectContaining({ weightG: 250_000, reason: 'container lost' }) }),
      ]);
      await expectLedger(db);
    });
  });
});
