import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, insertSupplier, type OrderWorld } from '../orders/fixtures.js';
import {
  acceptedOrder, type Actor, commitmentRow, eventsOf, expectLedger, expectOrderCovered, freshProduct, fulfilmentCounts, gradedLot, lineRow,
  linesOf, lotRow, newKey, openCommitment, orderRow,
} from './fixtures.js';

const DECLARE = /* GraphQL */ `
  mutation DeclareShortfall($input: DeclareShortfallInput!) {
    declareShortfall(input: $input) {
      __typename
      ... on DeclareShortfallPayload { shortfall reallocated uncovered line { id weight status fulfilledWeight remainingWeight } }
      ... on FulfilmentRefusedError { reason path }
      ${ERROR_FIELDS}
    }
  }`;
const DECLARE_WITH_LINES = /* GraphQL */ `
  mutation DeclareShortfallLines($input: DeclareShortfallInput!) {
    declareShortfall(input: $input) {
      __typename
      ... on DeclareShortfallPayload { reallocated replacementLines { id weight producer { id } replacesLine { id } } }
      ${ERROR_FIELDS}
    }
  }`;
const FULFIL = /* GraphQL */ `
  mutation FulfilLine($input: FulfilLineInput!) { fulfilLine(input: $input) { __typename ${ERROR_FIELDS} } }`;
const ORDER = /* GraphQL */ `
  query Order($id: ID!) { order(id: $id) { status quantity allocatedWeight uncoveredWeight lines { weight status } } }`;
const LINE_REASON = /* GraphQL */ `query LineReason($id: ID!) { node(id: $id) { ... on AllocationLine { reason } } }`;
const CANCEL = /* GraphQL */ `
  mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ${ERROR_FIELDS} } }`;

describe('declareShortfall: a producer cannot deliver; the weight is reallocated to other members', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const declare = (actor: Actor, lineId: number, weight: string, over: Record<string, unknown> = {}, doc = DECLARE) =>
    t.gql(
      doc,
      { input: { lineId: gid('AllocationLine', lineId), weight, reason: 'hail destroyed part of the harvest', idempotencyKey: newKey('sf'), ...over } },
      actor.token,
    );
  const supplier = (product: Row<'products'>, lotG: number) => insertSupplier(t.database.db, { brand: w.brand, product, coop: w.coop }, { lotG });
  const activeByProducer = async (orderId: number) => {
    const out = new Map<number, number>();
    for (const l of await linesOf(t.database.db, orderId)) if (l.status === 'ACTIVE') out.set(l.producer_id, (out.get(l.producer_id) ?? 0) + l.weight_g);
    return out;
  };

  describe('full cover', () => {
    let product: Row<'products'>;
    let aLine: Row<'allocation_lines'>;
    let order: Row<'orders'>;
    let res: Awaited<ReturnType<typeof declare>>;
    let others: number[];
    beforeAll(async () => {
      product = await freshProduct(t, w);
      const aLot = await gradedLot(t.database.db, w.producer, product, 600_000);
      others = [(await supplier(product, 600_000)).producer.id, (await supplier(product, 600_000)).producer.id];
      const accepted = await acceptedOrder(t, w, product, { quantityG: 1_200_000 });
      order = accepted.order;
      aLine = accepted.lines.find((l) => l.producer_id === w.producer.id)!;
      expect(aLine).toMatchObject({ lot_id: aLot.id, weight_g: 400_000 });
      res = await declare(w.as.producer, aLine.id, '400');
    });

    it('the whole line becomes SHORTFALL and the weight is fully reallocated', () => {
      expect(res.data.declareShortfall).toEqual({
        __typename: 'DeclareShortfallPayload', shortfall: '400', reallocated: '400', uncovered: '0',
        line: { id: gid('AllocationLine', aLine.id), weight: '400', status: 'SHORTFALL', fulfilledWeight: '0', remainingWeight: '0' },
      });
    });

    it('new lines replace it, from other producers only, with a reason naming the line', async () => {
      const db = t.database.db;
      const replacements = (await linesOf(db, order.id)).filter((l) => l.replaces_line_id === aLine.id);
      expect(replacements.reduce((s, l) => s + l.weight_g, 0)).toBe(400_000);
      expect(replacements.every((l) => others.includes(l.producer_id) && l.status === 'ACTIVE')).toBe(true);
      expect(replacements.every((l) => l.reason.startsWith(`Covers shortfall of line ${aLine.id}: the producer cannot deliver (hail destroyed`))).toBe(true);
      expect((await lotRow(db, aLine.lot_id!)).allocated_g).toBe(0);
      expect((await orderRow(db, order.id)).uncovered_g).toBe(0);
    });

    it('the replacement lines\' reasons read in Indonesian with Accept-Language: id, the producer\'s words as written', async () => {
      const replacements = (await linesOf(t.database.db, order.id)).filter((l) => l.replaces_line_id === aLine.id);
      for (const l of replacements) {
        const read = async (lang: string) => {
          const r = await t.app.inject({
            method: 'POST', url: '/graphql',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${w.as.brandManager.token}`, 'accept-language': lang },
            payload: { query: LINE_REASON, variables: { id: gid('AllocationLine', l.id) } },
          });
          return r.json().data.node.reason as string;
        };
        expect(await read('en')).toBe(l.reason);
        expect(await read('id')).toMatch(new RegExp(`^Menutup kekurangan baris ${aLine.id}: produsen tidak dapat mengirim \\(hail destroyed part of the harvest\\)\\. `));
      }
    });

    it('records SHORTFALL and REALLOCATED provenance events with the order', async () => {
      const db = t.database.db;
      expect(await eventsOf(db, order.id, 'SHORTFALL')).toEqual([
        expect.objectContaining({
          lot_id: aLine.lot_id, actor_user_id: w.as.producer.id,
          payload: expect.objectContaining({ lineId: aLine.id, weightG: 400_000, cause: 'PRODUCER_DEFAULT', lineStatus: 'SHORTFALL' }),
        }),
      ]);
      const reallocated = await eventsOf(db, order.id, 'REALLOCATED');
      const replacements = (await linesOf(db, order.id)).filter((l) => l.replaces_line_id === aLine.id);
      expect(reallocated.map((e) => (e.payload as { lineId: number }).lineId).sort()).toEqual(replacements.map((l) => l.id).sort());
      expect(reallocated.every((e) => (e.payload as { replacesLineId: number }).replacesLineId === aLine.id)).toBe(true);
    });

    it('the ledger holds: Σ active lines per lot = allocated, active + uncovered = quantity', async () => {
      await expectLedger(t.database.db);
      await expectOrderCovered(t.database.db, order.id);
      const view = await t.gql(ORDER, { id: gid('Order', order.id) }, w.as.buyer.token);
      expect(view.data.order).toMatchObject({ quantity: '1200', allocatedWeight: '1200', uncoveredWeight: '0' });
    });
  });

  describe('partial and no cover; the defaulting producer is never a replacement', () => {
    let product: Row<'products'>;
    let aLine: Row<'allocation_lines'>;
    let order: Row<'orders'>;
    let aSpare: Row<'lots'>;
    let b: Awaited<ReturnType<typeof supplier>>;
    beforeAll(async () => {
      product = await freshProduct(t, w);
      await gradedLot(t.database.db, w.producer, product, 600_000);
      const accepted = await acceptedOrder(t, w, product, { quantityG: 600_000 });
      order = accepted.order;
      aLine = accepted.lines[0]!;
      // After acceptance: plenty of spare supply of the defaulting producer, only 300 kg of another's.
      aSpare = await gradedLot(t.database.db, w.producer, product, 5_000_000);
      b = await supplier(product, 300_000);
    });

    it('a partial shortfall shrinks the line; what others cannot cover is the order\'s uncovered weight', async () => {
      const res = await declare(w.as.producer, aLine.id, '500');
      expect(res.data.declareShortfall).toMatchObject({
        __typename: 'DeclareShortfallPayload', shortfall: '500', reallocated: '300', uncovered: '200',
        line: { weight: '100', status: 'ACTIVE' },
      });
      const db = t.database.db;
      const replacements = (await linesOf(db, order.id)).filter((l) => l.replaces_line_id === aLine.id);
      expect(replacements.map((l) => [l.producer_id, l.lot_id, l.weight_g])).toEqual([[b.producer.id, b.lot!.id, 300_000]]);
      expect((await lotRow(db, aSpare.id)).allocated_g).toBe(0);
      expect((await lotRow(db, aLine.lot_id!)).allocated_g).toBe(100_000);
      const view = await t.gql(ORDER, { id: gid('Order', order.id) }, w.as.buyer.token);
      expect(view.data.order).toMatchObject({ quantity: '600', allocatedWeight: '400', uncoveredWeight: '200' });
      await expectLedger(db);
      await expectOrderCovered(db, order.id);
    });

    it('with no cover left, the rest of the line becomes SHORTFALL and all of it is uncovered', async () => {
      const db = t.database.db;
      const reallocatedBefore = (await eventsOf(db, order.id, 'REALLOCATED')).length;
      const res = await declare(w.as.coopManager, aLine.id, '100');
      expect(res.data.declareShortfall).toMatchObject({ shortfall: '100', reallocated: '0', uncovered: '100', line: { weight: '100', status: 'SHORTFALL' } });
      expect((await eventsOf(db, order.id, 'REALLOCATED')).length).toBe(reallocatedBefore);
      expect(await eventsOf(db, order.id, 'SHORTFALL')).toHaveLength(2);
      expect((await orderRow(db, order.id)).uncovered_g).toBe(300_000);
      expect((await activeByProducer(order.id)).has(w.producer.id)).toBe(false);
      expect((await lotRow(db, aSpare.id)).allocated_g).toBe(0);
      await expectLedger(db);
      await expectOrderCovered(db, order.id);
    });
  });

  describe('forward lines', () => {
    it('only the undelivered part of a partly fulfilled line can fall short; the commitment is released by it', async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      const commitment = await openCommitment(db, w.producer, product, 600_000);
      const { order, lines } = await acceptedOrder(t, w, product, { quantityG: 600_000, constraints: { supply: 'FORWARD_ONLY' } });
      const line = lines[0]!;
      const lot = await gradedLot(db, w.producer, product, 1_000_000);
      const fulfil = await t.gql(FULFIL, {
        input: { lineId: gid('AllocationLine', line.id), lotId: gid('Lot', lot.id), weight: '200', idempotencyKey: newKey() },
      }, w.as.brandManager.token);
      expect(fulfil.data.fulfilLine.__typename).toBe('FulfilLinePayload');
      const other = await insertSupplier(db, { brand: w.brand, product, coop: w.coop }, { commitmentG: 1_000_000 });

      const before = await fulfilmentCounts(db);
      expect((await declare(w.as.producer, line.id, '400.001')).data.declareShortfall).toMatchObject({
        __typename: 'FulfilmentRefusedError', reason: 'EXCEEDS_LINE_REMAINING', path: 'input.weight',
      });
      expect(await fulfilmentCounts(db)).toEqual(before);

      const res = await declare(w.as.producer, line.id, '400');
      expect(res.data.declareShortfall).toMatchObject({
        shortfall: '400', reallocated: '400', uncovered: '0', line: { weight: '200', fulfilledWeight: '200', remainingWeight: '0', status: 'ACTIVE' },
      });
      expect((await commitmentRow(db, commitment.id)).allocated_g).toBe(200_000);
      expect((await commitmentRow(db, other.commitment!.id)).allocated_g).toBe(400_000);
      expect((await lotRow(db, lot.id)).allocated_g).toBe(200_000);
      expect((await orderRow(db, order.id)).status).toBe('IN_FULFILLMENT');
      await expectLedger(db);
      await expectOrderCovered(db, order.id);
    });
  });

  describe('the order\'s per-producer share cap still holds after reallocation', () => {
    it('a producer at the cap gets nothing more; others only up to the cap', async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      await gradedLot(db, w.producer, product, 400_000);
      const big = await supplier(product, 1_000_000);
      const small = await supplier(product, 400_000);
      const { order, lines } = await acceptedOrder(t, w, product, { quantityG: 1_000_000, constraints: { maxSharePct: '40' } });
      const held = await activeByProducer(order.id);
      expect(held.get(big.producer.id)).toBe(400_000); // the cap binds at acceptance
      const aLine = lines.find((l) => l.producer_id === w.producer.id)!;
      const smallHeld = held.get(small.producer.id) ?? 0;
      // The small producer can take up to the cap (its lot has exactly that much left); the big one has spare supply but no room.
      const expectedCover = Math.min(aLine.weight_g, 400_000 - smallHeld);
      expect(expectedCover).toBeLessThan(aLine.weight_g);

      const res = await declare(w.as.producer, aLine.id, String(aLine.weight_g / 1000));
      expect(res.data.declareShortfall.__typename).toBe('DeclareShortfallPayload');
      const after = await activeByProducer(order.id);
      expect(after.get(big.producer.id)).toBe(400_000);
      for (const g of after.values()) expect(g).toBeLessThanOrEqual(400_000);
      expect(Number(res.data.declareShortfall.reallocated) * 1000).toBe(expectedCover);
      expect(Number(res.data.declareShortfall.uncovered) * 1000).toBe(aLine.weight_g - expectedCover);
      await expectLedger(db);
      await expectOrderCovered(db, order.id);
    });
  });

  describe('who may, and refusals (typed errors naming the field, nothing written)', () => {
    let line: Row<'allocation_lines'>;
    let bagLine: Row<'allocation_lines'>;
    let cancelledLine: Row<'allocation_lines'>;
    let otherLine: Row<'allocation_lines'>;
    beforeAll(async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      await gradedLot(db, w.producer, product, 3_000_000);
      await gradedLot(db, w.otherProducer, product, 3_000_000);
      const accepted = await acceptedOrder(t, w, product, { quantityG: 1_200_000, wholeBags: true });
      bagLine = accepted.lines.find((l) => l.producer_id === w.producer.id)!;
      otherLine = accepted.lines.find((l) => l.producer_id === w.otherProducer.id)!;
      const p2 = await freshProduct(t, w);
      await gradedLot(db, w.producer, p2, 3_000_000);
      line = (await acceptedOrder(t, w, p2, { quantityG: 1_000_000 })).lines[0]!;
      const p3 = await freshProduct(t, w);
      await gradedLot(db, w.producer, p3, 3_000_000);
      const c = await acceptedOrder(t, w, p3, { quantityG: 1_000_000 });
      expect((await t.gql(CANCEL, { input: { orderId: gid('Order', c.order.id), reason: 'no longer needed' } }, w.as.brandManager.token)).data.cancelOrder.__typename).toBe('Order');
      cancelledLine = c.lines[0]!;
    });

    const refused = async (actor: Actor, lineId: number, weight: string, over: Record<string, unknown> = {}) => {
      const before = await fulfilmentCounts(t.database.db);
      const res = await declare(actor, lineId, weight, over);
      expect(await fulfilmentCounts(t.database.db)).toEqual(before);
      return res.data.declareShortfall;
    };

    it.each(['buyer', 'brandManager', 'curator'] as const)('the %s is refused (ForbiddenError)', async (role) => {
      expect((await refused(w.as[role], line.id, '10')).__typename).toBe('ForbiddenError');
    });

    it.each(['otherProducer', 'otherCoopManager'] as const)('the %s does not see the line (NotFoundError)', async (role) => {
      expect(await refused(w.as[role], line.id, '10')).toMatchObject({ __typename: 'NotFoundError', path: 'input.lineId' });
    });

    it('bad input: zero weight, empty reason, wrong ID type, broken bags', async () => {
      expect((await refused(w.as.producer, line.id, '0')).issues).toEqual([expect.objectContaining({ path: 'input.weight' })]);
      expect((await refused(w.as.producer, line.id, '10', { reason: '  ' })).issues).toEqual([expect.objectContaining({ path: 'input.reason' })]);
      expect((await refused(w.as.producer, line.id, '10', { lineId: gid('Lot', line.lot_id!) })).issues).toEqual([expect.objectContaining({ path: 'input.lineId' })]);
      expect(await refused(w.as.producer, bagLine.id, '100')).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.weight' }] });
      expect(await refused(w.as.producer, 999_999_999, '10')).toMatchObject({ __typename: 'NotFoundError', path: 'input.lineId' });
    });

    it('state: a line of a cancelled order, a line that is no longer ACTIVE, more than the line holds', async () => {
      expect(await refused(w.as.producer, cancelledLine.id, '10')).toMatchObject({ reason: 'ORDER_NOT_IN_FULFILMENT', path: 'input.lineId' });
      expect(await refused(w.as.producer, line.id, '1000.001')).toMatchObject({ reason: 'EXCEEDS_LINE_REMAINING', path: 'input.weight' });
      const full = await declare(w.as.producer, line.id, '1000');
      expect(full.data.declareShortfall.line.status).toBe('SHORTFALL');
      expect(await refused(w.as.producer, line.id, '10')).toMatchObject({ reason: 'LINE_NOT_ACTIVE', path: 'input.lineId' });
    });

    it('the producer\'s cooperative manager and an admin may declare; only managers and admins see the replacement lines', async () => {
      const byCoop = await declare(w.as.coopManager, bagLine.id, '60', {}, DECLARE_WITH_LINES);
      expect(byCoop.data.declareShortfall.replacementLines).toBeNull();
      expect(byCoop.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const byAdmin = await declare(w.as.admin, bagLine.id, '60', {}, DECLARE_WITH_LINES);
      expect(byAdmin.errors).toBeUndefined();
      const replacements = byAdmin.data.declareShortfall.replacementLines;
      expect(replacements.length).toBeGreaterThan(0);
      expect(replacements.every((l: { producer: { id: string }; replacesLine: { id: string } }) =>
        l.producer.id === gid('Producer', w.otherProducer.id) && l.replacesLine.id === gid('AllocationLine', bagLine.id))).toBe(true);
      expect(replacements.every((l: { weight: string }) => Number(l.weight) % 60 === 0)).toBe(true);
      expect((await lineRow(t.database.db, otherLine.id)).status).toBe('ACTIVE');
      await expectLedger(t.database.db);
    });

    it('retrying with the same key replays the result and writes nothing', async () => {
      const db = t.database.db;
      const product = await freshProduct(t, w);
      await gradedLot(db, w.producer, product, 3_000_000);
      const l = (await acceptedOrder(t, w, product, { quantityG: 500_000 })).lines[0]!;
      const key = newKey('replay');
      const first = await declare(w.as.producer, l.id, '50', { idempotencyKey: key });
      const before = await fulfilmentCounts(db);
      const again = await declare(w.as.producer, l.id, '50', { idempotencyKey: key });
      expect(again.data.declareShortfall).toEqual(first.data.declareShortfall);
      expect(await fulfilmentCounts(db)).toEqual(before);
    });
  });
});
