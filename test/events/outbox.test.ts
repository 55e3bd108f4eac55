import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, viewFor, type StoredEvent } from '../../src/modules/outbox/catalogue.js';
import { coalesceAvailability, toStoredEvent } from '../../src/modules/webhooks/dispatch.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertPlot } from '../support/supply-fixtures.js';
import { WINDOW_END, WINDOW_START } from '../orders/fixtures.js';
import { RECORD_ASSESSMENT } from '../fulfilment/fixtures.js';
import {
  createSettlementWorld, DECLARE_SHORTFALL, GRADES, lot, MARK_PAID, newKey, placeAndAccept, RECORD_PAYMENT, RECORD_RATE, SETTLE, type SettlementWorld, ship,
} from '../settlement/fixtures.js';

/**
 * The outbox (issue 12 §1): every catalogue type is written by its mutation, in its transaction;
 * a rolled-back mutation leaves no event; payloads are filtered per receiving organisation.
 * Runs on PGlite and on PostgreSQL (TEST_DATABASE_URL).
 */

const DECLARE_LOT = /* GraphQL */ `mutation D($input: DeclareLotInput!) { declareLot(input: $input) { __typename ... on Lot { id } ${ERROR_FIELDS} } }`;
const COMMIT = /* GraphQL */ `mutation C($input: CommitVolumeInput!) { commitVolume(input: $input) { __typename ... on Commitment { id } ${ERROR_FIELDS} } }`;
const AMEND = /* GraphQL */ `mutation A($input: AmendCommitmentInput!) { amendCommitment(input: $input) { __typename ${ERROR_FIELDS} } }`;
const WITHDRAW = /* GraphQL */ `mutation W($input: WithdrawCommitmentInput!) { withdrawCommitment(input: $input) { __typename ${ERROR_FIELDS} } }`;
const PLACE = /* GraphQL */ `mutation P($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename ... on Order { id } ${ERROR_FIELDS} } }`;
const transition = (name: string, input: string) => /* GraphQL */ `
  mutation T($input: ${input}!) { ${name}(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;
const REJECT = transition('rejectOrder', 'RejectOrderInput');
const CANCEL = transition('cancelOrder', 'CancelOrderInput');
const COMPLETE = transition('completeOrder', 'AdvanceOrderInput');
const GOOD = { defectCounts: [], moisturePct: '12.0', foreignMatterPct: '0.2', liveInsects: false, foulOdour: false };

describe('the outbox', () => {
  let t: TestApp;
  let w: SettlementWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSettlementWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const events = async (type?: string) => {
    let q = t.database.db.selectFrom('events').selectAll().orderBy('id');
    if (type) q = q.where('type', '=', type);
    return (await q.execute()).map(toStoredEvent);
  };
  const lastOf = async (type: string) => (await events(type)).at(-1);
  const placeInput = (over: Record<string, unknown> = {}) => ({
    productId: gid('Product', w.product.id), minGrade: '2', quantity: '600', windowStart: WINDOW_START, windowEnd: WINDOW_END,
    destinationCountry: 'ID', incoterm: 'FOB', price: { amount: '4.50', currency: 'USD' }, idempotencyKey: newKey('place'), ...over,
  });
  const receivers = {
    brand: () => ({ kind: 'brand' as const, id: w.brand.id }),
    buyer: () => ({ kind: 'buyer' as const, id: w.buyerOrg.id }),
    otherBuyer: () => ({ kind: 'buyer' as const, id: w.otherBuyerOrg.id }),
    coop: () => ({ kind: 'coop' as const, id: w.coop.id }),
    otherCoop: () => ({ kind: 'coop' as const, id: w.otherCoop.id }),
  };

  it('lot.declared and lot.graded: the brand, the producer and their cooperative, nobody else', async () => {
    const plot = await insertPlot(t.database.db, w.producer.id);
    const declared = await t.gql(DECLARE_LOT, { input: {
      producerId: gid('Producer', w.producer.id), productId: gid('Product', w.product.id), harvestStart: '2026-06-01', harvestEnd: '2026-08-31',
      plotIds: [gid('Plot', plot.id)], netWeight: '500', storageLocation: 'Gudang',
    } }, w.as.coopManager.token);
    expect(declared.data.declareLot.__typename).toBe('Lot');
    const e = (await lastOf('lot.declared'))!;
    expect(e).toMatchObject({ subjectId: declared.data.declareLot.id, version: 1 });
    expect([...e.audience].sort()).toEqual([`brand:${w.brand.id}`, `coop:${w.coop.id}`, `producer:${w.producer.id}`]);
    expect(viewFor(e, receivers.brand())?.data).toMatchObject({ lot: { id: declared.data.declareLot.id, netKg: '500' } });
    expect(viewFor(e, receivers.buyer())).toBeNull();
    expect(viewFor(e, receivers.otherCoop())).toBeNull();

    const graded = await t.gql(RECORD_ASSESSMENT, { input: { lotId: declared.data.declareLot.id, ...GOOD } }, w.as.curator.token);
    expect(graded.data.recordAssessment.__typename).toBe('Assessment');
    const g = (await lastOf('lot.graded'))!;
    expect(g.subjectId).toBe(declared.data.declareLot.id);
    expect(g.payload.data).toMatchObject({ grade: '1', offGrade: false, previousGrade: null });
  });

  it('commitment.changed for commit, amend and withdraw', async () => {
    const before = (await events('commitment.changed')).length;
    const c = await t.gql(COMMIT, { input: {
      producerId: gid('Producer', w.producer.id), productId: gid('Product', w.product.id), minGrade: '2', weight: '2000', windowStart: WINDOW_START, windowEnd: WINDOW_END,
    } }, w.as.producer.token);
    expect(c.data.commitVolume.__typename).toBe('Commitment');
    expect((await t.gql(AMEND, { input: { commitmentId: c.data.commitVolume.id, weight: '2500' } }, w.as.producer.token)).data.amendCommitment.__typename).toBe('Commitment');
    expect((await t.gql(WITHDRAW, { input: { commitmentId: c.data.commitVolume.id, reason: 'rain' } }, w.as.producer.token)).data.withdrawCommitment.__typename).toBe('Commitment');
    const changes = (await events('commitment.changed')).slice(before);
    expect(changes.map((e) => [e.subjectId, e.payload.data.change])).toEqual([
      [c.data.commitVolume.id, 'COMMITTED'], [c.data.commitVolume.id, 'AMENDED'], [c.data.commitVolume.id, 'WITHDRAWN'],
    ]);
    expect((changes[1]!.payload.data.commitment as { committedKg: string }).committedKg).toBe('2500');
  });

  it('order.placed, order.rejected, order.cancelled: the buyer organisation and the brand; never another buyer', async () => {
    const placed = await t.gql(PLACE, { input: placeInput() }, w.as.buyer.token);
    expect(placed.data.placeOrder.__typename).toBe('Order');
    const e = (await lastOf('order.placed'))!;
    expect(e.subjectId).toBe(placed.data.placeOrder.id);
    expect(viewFor(e, receivers.buyer())?.data).toMatchObject({ order: { id: placed.data.placeOrder.id, status: 'REQUESTED', quantityKg: '600' } });
    expect(viewFor(e, receivers.otherBuyer())).toBeNull();
    expect(viewFor(e, receivers.coop())).toBeNull();
    expect((await t.gql(REJECT, { input: { orderId: placed.data.placeOrder.id, reason: 'no supply' } }, w.as.brandManager.token)).data.rejectOrder.status).toBe('REJECTED');
    expect((await lastOf('order.rejected'))!.payload.data).toMatchObject({ order: { status: 'REJECTED', previousStatus: 'REQUESTED', reason: 'no supply' } });

    const second = await t.gql(PLACE, { input: placeInput() }, w.as.buyer.token);
    expect((await t.gql(CANCEL, { input: { orderId: second.data.placeOrder.id, reason: 'changed plans' } }, w.as.buyer.token)).data.cancelOrder.status).toBe('CANCELLED');
    expect((await lastOf('order.cancelled'))!.subjectId).toBe(second.data.placeOrder.id);
  });

  it('accepted, allocation.changed (buyer sees totals, the brand the producers), shipped, settled, paid, completed', async () => {
    await lot(t, w, w.producer, 600, GRADES.G1);
    await lot(t, w, w.p2, 600, GRADES.G1);
    const order = await placeAndAccept(t, w, 1_200_000, 450);
    const orderId = gid('Order', order.id);
    expect((await lastOf('order.accepted'))!.payload.data).toMatchObject({ order: { id: orderId, status: 'ACCEPTED', previousStatus: 'REQUESTED' } });

    await lot(t, w, w.p4, 600, GRADES.G1);
    const db = t.database.db;
    const p2Line = await db.selectFrom('allocation_lines').select(['id', 'weight_g']).where('order_id', '=', order.id).where('producer_id', '=', w.p2.id).executeTakeFirstOrThrow();
    const kg = String(p2Line.weight_g / 1000);
    const sf = await t.gql(DECLARE_SHORTFALL, { input: { lineId: gid('AllocationLine', p2Line.id), weight: kg, reason: 'hail', idempotencyKey: newKey('sf') } }, w.p2User.token);
    expect(sf.data?.declareShortfall ?? sf.errors).toMatchObject({ __typename: 'DeclareShortfallPayload' });
    const changed = (await lastOf('allocation.changed'))!;
    const buyerView = viewFor(changed, receivers.buyer())!.data;
    expect(buyerView).toMatchObject({ cause: 'PRODUCER_DEFAULT', shortfallKg: kg, coveredKg: kg, uncoveredKg: '0' });
    expect(JSON.stringify(buyerView)).not.toContain('Producer');
    expect(buyerView).not.toHaveProperty('lines');
    const brandView = viewFor(changed, receivers.brand())!.data as { lines: Array<{ producer: string }> };
    expect(brandView.lines.length).toBeGreaterThan(0);
    expect(brandView.lines.map((l) => l.producer)).not.toContain(gid('Producer', w.p2.id));
    expect(viewFor(changed, receivers.otherBuyer())).toBeNull();

    await ship(t, w, order.id);
    expect((await lastOf('order.shipped'))!.subjectId).toBe(orderId);
    const mgr = w.as.brandManager.token;
    await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16000', source: 'BI', rateDate: '2026-11-30' } }, mgr);
    await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '5400.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: 'TT-9' } }, mgr);
    const settled = await t.gql(SETTLE, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr);
    expect(settled.data.settleOrder.__typename).toBe('Settlement');
    const s = (await lastOf('settlement.settled'))!;
    expect(s.payload.data).toMatchObject({ order: { id: orderId }, settlement: { runNo: 1, statementCount: 2 } });
    expect(s.audience).toContain(`coop:${w.otherCoop.id}`);
    expect(viewFor(s, receivers.buyer())).toBeNull();

    const statementId = settled.data.settleOrder.statements[0].id as string;
    const paid = await t.gql(MARK_PAID, { input: { statementId, method: 'BANK_TRANSFER', reference: 'TRX-1' } }, mgr);
    expect(paid.data.markStatementPaid.__typename).toBe('PayoutStatement');
    expect((await lastOf('payout.paid'))!).toMatchObject({ subjectId: statementId, payload: { data: { statement: { method: 'BANK_TRANSFER', reference: 'TRX-1' } } } });

    expect((await t.gql(COMPLETE, { input: { orderId } }, mgr)).data.completeOrder.status).toBe('COMPLETED');
    expect((await lastOf('order.completed'))!.subjectId).toBe(orderId);
  });

  it('availability.changed: one event per product per window, with the new totals, for every organisation', async () => {
    const db = t.database.db;
    await sql`delete from availability_marks`.execute(db);
    await lot(t, w, w.producer, 100, GRADES.G1);
    await lot(t, w, w.producer, 50, GRADES.G2);
    expect(await coalesceAvailability(db, 60_000)).toBe(0); // not yet due: still coalescing
    const before = (await events('availability.changed')).length;
    expect(await coalesceAvailability(db, 0)).toBe(1);
    const emitted = (await events('availability.changed')).slice(before);
    expect(emitted).toHaveLength(1);
    const e = emitted[0]!;
    expect(e.subjectId).toBe(gid('Product', w.product.id));
    const totals = await db.selectFrom('lots').select((eb) => eb.fn.sum<string>(sql`net_g - allocated_g`).as('g'))
      .where('product_id', '=', w.product.id).where('off_grade', '=', false).where('grade_rank', 'is not', null).executeTakeFirstOrThrow();
    expect(e.payload.data.spotKg).toBe(String(Number(totals.g) / 1000));
    expect(viewFor(e, receivers.otherBuyer())).not.toBeNull();
    expect(await coalesceAvailability(db, 0)).toBe(0); // marks consumed
  });

  it('a mutation that rolls back emits nothing', async () => {
    const db = t.database.db;
    const placed = await t.gql(PLACE, { input: placeInput() }, w.as.buyer.token);
    // A deferred check fails at COMMIT, after the status change and its event were written.
    await sql.raw(`
      CREATE FUNCTION test_sabotage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.reason = 'sabotage' THEN RAISE EXCEPTION 'sabotaged commit'; END IF; RETURN NULL; END $$`).execute(db);
    await sql.raw(`CREATE CONSTRAINT TRIGGER test_sabotage AFTER INSERT ON order_events DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION test_sabotage()`).execute(db);
    try {
      const before = await events();
      const res = await t.gql(REJECT, { input: { orderId: placed.data.placeOrder.id, reason: 'sabotage' } }, w.as.brandManager.token);
      expect(res.errors?.[0]?.message).toMatch(/Internal error/);
      expect(await events()).toEqual(before);
      expect((await db.selectFrom('orders').select('status').where('id', '=', Number(order(placed))).executeTakeFirstOrThrow()).status).toBe('REQUESTED');
    } finally {
      await sql.raw('DROP TRIGGER test_sabotage ON order_events').execute(db);
      await sql.raw('DROP FUNCTION test_sabotage()').execute(db);
    }
  });

  it('every catalogue type was emitted by its mutation in this file', async () => {
    const seen = new Set((await events()).map((e) => e.type));
    expect(EVENT_TYPES.filter((type) => !seen.has(type))).toEqual([]);
  });
});

const order = (placed: { data: { placeOrder: { id: string } } }) => Buffer.from(placed.data.placeOrder.id, 'base64').toString().split(':')[1];
export type { Row, StoredEvent };
