import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysIso, todayIso } from '../../src/platform/dates.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Actor, ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { IdempotencyInProgressError } from '../../src/platform/errors.js';
import { placeOrder } from '../../src/modules/orders/orders.service.js';
import { createOrderWorld, demandCounts, insertOrder, type OrderWorld, principalOf, WINDOW_END, WINDOW_START } from './fixtures.js';

const ORDER_FIELDS = /* GraphQL */ `
  id status quantity wholeBags windowStart windowEnd destinationCountry incoterm notes buyerName feePct strategy
  minGrade { code rank } price { amount currency } product { id } brand { id } uncoveredWeight allocatedWeight
  events { from to actor reason }
`;

const PLACE = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      __typename
      ... on Order { ${ORDER_FIELDS} }
      ${ERROR_FIELDS}
      ... on IdempotencyKeyReusedError { path }
    }
  }`;

const transition = (name: string, input: string) => /* GraphQL */ `
  mutation ${name[0]!.toUpperCase()}${name.slice(1)}($input: ${input}!) {
    ${name}(input: $input) {
      __typename
      ... on Order { id status events { from to reason actor } }
      ${ERROR_FIELDS}
      ... on InvalidTransitionError { from to }
    }
  }`;
const REJECT = transition('rejectOrder', 'RejectOrderInput');
const CANCEL = transition('cancelOrder', 'CancelOrderInput');
const START = transition('startOrderFulfillment', 'AdvanceOrderInput');
const SHIP = transition('shipOrder', 'ShipOrderInput');
const COMPLETE = transition('completeOrder', 'AdvanceOrderInput');

const ORDERS = /* GraphQL */ `query Orders($status: OrderStatus) { orders(first: 100, status: $status) { edges { node { id } } } }`;
const ORDER = /* GraphQL */ `query Order($id: ID!) { order(id: $id) { id status } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id ... on Order { status } } }`;

let keyCounter = 0;
const newKey = () => `test-key-${process.pid}-${Date.now()}-${++keyCounter}`;

describe('orders', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const input = (over: Record<string, unknown> = {}) => ({
    productId: gid('Product', w.product.id),
    minGrade: '2',
    quantity: '19200',
    wholeBags: true,
    windowStart: WINDOW_START,
    windowEnd: WINDOW_END,
    destinationCountry: 'EG',
    incoterm: 'FOB',
    price: { amount: '4.50', currency: 'USD' },
    notes: 'Container to Alexandria',
    idempotencyKey: newKey(),
    ...over,
  });
  const place = (actor: Actor | null, over: Record<string, unknown> = {}) => t.gql(PLACE, { input: input(over) }, actor?.token ?? null);
  const given = (status: 'REQUESTED' | 'ACCEPTED' | 'IN_FULFILLMENT' | 'SHIPPED' = 'REQUESTED') =>
    insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, status });
  const act = (doc: string, actor: Actor, orderId: number, reason: string | null = 'Price below the brand\'s floor') =>
    t.gql(doc, { input: { orderId: gid('Order', orderId), reason } }, actor.token);

  describe('placeOrder: who may', () => {
    it('lets a buyer place an order for their organisation; grade, brand, price and the REQUESTED event are recorded', async () => {
      const res = await place(w.as.buyer);
      expect(res.data.placeOrder).toMatchObject({
        __typename: 'Order', status: 'REQUESTED', quantity: '19200', wholeBags: true, windowStart: WINDOW_START, windowEnd: WINDOW_END,
        destinationCountry: 'EG', incoterm: 'FOB', notes: 'Container to Alexandria', buyerName: w.buyerOrg.name, feePct: null,
        strategy: null, minGrade: { code: '2', rank: 2 }, price: { amount: '4.50', currency: 'USD' },
        product: { id: gid('Product', w.product.id) }, brand: { id: gid('Brand', w.brand.id) }, uncoveredWeight: '0', allocatedWeight: '0',
      });
      expect(res.data.placeOrder.events).toEqual([{ from: null, to: 'REQUESTED', actor: expect.any(String), reason: null }]);
      const row = await t.database.db.selectFrom('orders').selectAll().where('id', '=', Number(Buffer.from(res.data.placeOrder.id, 'base64').toString().split(':')[1])).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ quantity_g: 19_200_000, price_minor_per_kg: 450, currency: 'USD', buyer_org_id: w.buyerOrg.id, brand_id: w.brand.id });
    });

    it('stores IDR with its 2 ISO decimals and JPY with none', async () => {
      const idr = await place(w.as.buyer, { price: { amount: '45000.5', currency: 'IDR' } });
      expect(idr.data.placeOrder.price).toEqual({ amount: '45000.50', currency: 'IDR' });
      const jpy = await place(w.as.buyer, { price: { amount: '1200', currency: 'JPY' } });
      expect(jpy.data.placeOrder.price).toEqual({ amount: '1200', currency: 'JPY' });
    });

    it.each(['producer', 'coopManager', 'brandManager', 'curator', 'admin'] as const)('refuses the %s with ForbiddenError and writes nothing', async (role) => {
      const before = await demandCounts(t.database.db);
      const res = await place(w.as[role]);
      expect(res.data.placeOrder).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      expect(await demandCounts(t.database.db)).toEqual(before);
    });

    it('refuses an anonymous caller', async () => {
      expect((await place(null)).data.placeOrder.__typename).toBe('UnauthenticatedError');
    });

    it('refuses an order for another buyer organisation', async () => {
      const res = await place(w.as.buyer, { buyerOrganizationId: gid('BuyerOrganization', w.otherBuyerOrg.id) });
      expect(res.data.placeOrder).toMatchObject({ __typename: 'ForbiddenError' });
    });
  });

  describe('placeOrder: bad input is a ValidationError naming the field, and nothing is written', () => {
    const yesterday = addDaysIso(todayIso(), -1);
    it.each([
      ['zero quantity', { quantity: '0' }, 'input.quantity'],
      ['negative quantity', { quantity: '-60' }, 'input.quantity'],
      ['absurd quantity', { quantity: '2000000' }, 'input.quantity'],
      ['not whole bags', { quantity: '19201' }, 'input.quantity'],
      ['reversed window', { windowStart: WINDOW_END, windowEnd: WINDOW_START }, 'input.windowEnd'],
      ['window in the past', { windowStart: addDaysIso(yesterday, -10), windowEnd: yesterday }, 'input.windowEnd'],
      ['unknown grade', { minGrade: 'SUPREMO' }, 'input.minGrade'],
      ['too many USD decimals', { price: { amount: '4.505', currency: 'USD' } }, 'input.price.amount'],
      ['decimals for JPY', { price: { amount: '1200.5', currency: 'JPY' } }, 'input.price.amount'],
      ['zero price', { price: { amount: '0', currency: 'USD' } }, 'input.price.amount'],
      ['bad country', { destinationCountry: 'EGY' }, 'input.destinationCountry'],
      ['short idempotency key', { idempotencyKey: 'short' }, 'input.idempotencyKey'],
      ['ID of the wrong type', { productId: 'TG90OjE=' }, 'input.productId'],
    ])('%s', async (_name, over, path) => {
      const before = await demandCounts(t.database.db);
      const res = await place(w.as.buyer, over);
      expect(res.data.placeOrder).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(res.data.placeOrder.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await demandCounts(t.database.db)).toEqual(before);
    });

    it('an unknown product is a NotFoundError naming input.productId', async () => {
      const before = await demandCounts(t.database.db);
      const res = await place(w.as.buyer, { productId: gid('Product', 999_999) });
      expect(res.data.placeOrder).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.productId' });
      expect(await demandCounts(t.database.db)).toEqual(before);
    });

    it('an unknown currency is refused by the schema (enum)', async () => {
      const res = await place(w.as.buyer, { price: { amount: '1', currency: 'XBT' } });
      expect(res.errors?.[0]?.message).toMatch(/XBT/);
    });
  });

  describe('placeOrder: idempotency', () => {
    it('returns the same order for the same key and input, writing one order and one key', async () => {
      const fixed = input();
      const before = await demandCounts(t.database.db);
      const first = await t.gql(PLACE, { input: fixed }, w.as.buyer.token);
      const second = await t.gql(PLACE, { input: fixed }, w.as.buyer.token);
      expect(first.data.placeOrder.__typename).toBe('Order');
      expect(second.data.placeOrder.id).toBe(first.data.placeOrder.id);
      const after = await demandCounts(t.database.db);
      expect(after.orders - before.orders).toBe(1);
      expect(after.idempotency_keys - before.idempotency_keys).toBe(1);
      expect(after.order_events - before.order_events).toBe(1);
    });

    it('refuses the same key with a different input (IdempotencyKeyReusedError) and writes nothing', async () => {
      const fixed = input();
      await t.gql(PLACE, { input: fixed }, w.as.buyer.token);
      const before = await demandCounts(t.database.db);
      const res = await t.gql(PLACE, { input: { ...fixed, quantity: '60' } }, w.as.buyer.token);
      expect(res.data.placeOrder).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED', path: 'input.idempotencyKey' });
      expect(await demandCounts(t.database.db)).toEqual(before);
    });

    it('scopes keys per user: another buyer with the same key gets their own order', async () => {
      const key = newKey();
      const a = await place(w.as.buyer, { idempotencyKey: key });
      const b = await place(w.as.otherBuyer, { idempotencyKey: key });
      expect(b.data.placeOrder.__typename).toBe('Order');
      expect(b.data.placeOrder.id).not.toBe(a.data.placeOrder.id);
    });

    it.skipIf(!process.env.TEST_DATABASE_URL)(
      'concurrent duplicates (10 at once, real PostgreSQL only: PGlite has one connection) create exactly one order',
      async () => {
        const fixed = input();
        const before = await demandCounts(t.database.db);
        const results = await Promise.all(Array.from({ length: 10 }, () => t.gql(PLACE, { input: fixed }, w.as.buyer.token)));
        const ids = new Set(results.map((r) => r.data.placeOrder.id));
        expect(results.map((r) => r.data.placeOrder.__typename)).toEqual(Array(10).fill('Order'));
        expect(ids.size).toBe(1);
        const after = await demandCounts(t.database.db);
        expect(after.orders - before.orders).toBe(1);
        expect(after.idempotency_keys - before.idempotency_keys).toBe(1);
      },
    );
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'a duplicate that waits longer than the lock timeout for the first call gets IdempotencyInProgressError (real PostgreSQL only)',
    async () => {
      const db = t.database.db;
      const key = newKey();
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      let claimed!: () => void;
      const isClaimed = new Promise<void>((resolve) => { claimed = resolve; });
      // A first call that has claimed the key and is still running (its transaction stays open).
      const first = db.transaction().execute(async (trx) => {
        await trx.insertInto('idempotency_keys').values({ user_id: w.as.buyer.id, operation: 'placeOrder', key, request_hash: 'in-flight' }).execute();
        claimed();
        await held;
        throw new Error('roll the first call back');
      }).catch(() => undefined);
      await isClaimed;
      const before = await demandCounts(db);
      const second = await placeOrder(
        db,
        await principalOf(db, w.as.buyer.id),
        {
          productId: w.product.id, minGrade: '2', quantity: 600_000, windowStart: WINDOW_START, windowEnd: WINDOW_END, destinationCountry: 'EG',
          incoterm: 'FOB', price: { amount: '4.50', currency: 'USD' }, idempotencyKey: key,
        },
        { lockTimeout: '300ms' },
      ).catch((e: unknown) => e);
      release();
      await first;
      expect(second).toBeInstanceOf(IdempotencyInProgressError);
      expect(second).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', path: 'input.idempotencyKey' });
      expect(await demandCounts(db)).toEqual(before);
    },
  );

  describe('status changes through GraphQL', () => {
    it('the brand manager rejects a REQUESTED order with a reason, kept in the history with who', async () => {
      const order = await given();
      const res = await act(REJECT, w.as.brandManager, order.id);
      expect(res.data.rejectOrder).toMatchObject({ __typename: 'Order', status: 'REJECTED' });
      expect(res.data.rejectOrder.events.at(-1)).toMatchObject({ from: 'REQUESTED', to: 'REJECTED', reason: 'Price below the brand\'s floor' });
      expect(res.data.rejectOrder.events.at(-1).actor).toBeTruthy();
    });

    it('a rejection needs a reason (ValidationError on input.reason)', async () => {
      const order = await given();
      const res = await act(REJECT, w.as.brandManager, order.id, '  ');
      expect(res.data.rejectOrder).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.reason' }] });
    });

    it.each(['buyer', 'producer', 'curator', 'coopManager'] as const)('refuses rejection by the %s (ForbiddenError)', async (role) => {
      const order = await given();
      expect((await act(REJECT, w.as[role], order.id)).data.rejectOrder.__typename).toBe('ForbiddenError');
    });

    it('another brand\'s manager cannot see the order to reject it (NotFoundError)', async () => {
      const order = await given();
      expect((await act(REJECT, w.as.otherBrandManager, order.id)).data.rejectOrder).toMatchObject({ __typename: 'NotFoundError', path: 'input.orderId' });
    });

    it('rejecting an ACCEPTED order is an InvalidTransitionError', async () => {
      const order = await given('ACCEPTED');
      expect((await act(REJECT, w.as.brandManager, order.id)).data.rejectOrder).toMatchObject({
        __typename: 'InvalidTransitionError', code: 'INVALID_TRANSITION', from: 'ACCEPTED', to: 'REJECTED',
      });
    });

    it('the buyer cancels their REQUESTED order; another buyer cannot see it', async () => {
      const order = await given();
      expect((await act(CANCEL, w.as.otherBuyer, order.id)).data.cancelOrder.__typename).toBe('NotFoundError');
      const res = await act(CANCEL, w.as.buyer, order.id, 'Changed our mind');
      expect(res.data.cancelOrder).toMatchObject({ __typename: 'Order', status: 'CANCELLED' });
    });

    it('the buyer cannot cancel once accepted (InvalidTransitionError); the manager can', async () => {
      const order = await given('ACCEPTED');
      const buyer = await act(CANCEL, w.as.buyer, order.id, 'Too late');
      expect(buyer.data.cancelOrder).toMatchObject({ __typename: 'InvalidTransitionError', from: 'ACCEPTED', to: 'CANCELLED' });
      expect(buyer.data.cancelOrder.message).toMatch(/only before it is accepted/);
      const manager = await act(CANCEL, w.as.brandManager, order.id, 'Buyer defaulted on the deposit');
      expect(manager.data.cancelOrder).toMatchObject({ __typename: 'Order', status: 'CANCELLED' });
    });

    it('runs ACCEPTED → IN_FULFILLMENT → SHIPPED → COMPLETED for the manager, each kept in the history; no cancelling after shipping', async () => {
      const order = await given('ACCEPTED');
      // A domestic order ships without export papers (export orders carry a shipment: test/shipments).
      await t.database.db.updateTable('orders').set({ destination_country: 'ID' }).where('id', '=', order.id).execute();
      expect((await act(START, w.as.brandManager, order.id, null)).data.startOrderFulfillment.status).toBe('IN_FULFILLMENT');
      expect((await act(COMPLETE, w.as.brandManager, order.id, null)).data.completeOrder).toMatchObject({
        __typename: 'InvalidTransitionError', from: 'IN_FULFILLMENT', to: 'COMPLETED',
      });
      expect((await act(SHIP, w.as.brandManager, order.id, 'Container MSKU 123')).data.shipOrder.status).toBe('SHIPPED');
      expect((await act(CANCEL, w.as.brandManager, order.id, 'No')).data.cancelOrder).toMatchObject({ __typename: 'InvalidTransitionError', from: 'SHIPPED' });
      const done = await act(COMPLETE, w.as.brandManager, order.id, null);
      expect(done.data.completeOrder.status).toBe('COMPLETED');
      expect(done.data.completeOrder.events.map((e: { to: string }) => e.to)).toEqual(['REQUESTED', 'IN_FULFILLMENT', 'SHIPPED', 'COMPLETED']);
    });

    it.each([
      ['startOrderFulfillment', START, 'ACCEPTED'],
      ['shipOrder', SHIP, 'IN_FULFILLMENT'],
      ['completeOrder', COMPLETE, 'SHIPPED'],
    ] as const)('%s is refused to the buyer, producer and curator (ForbiddenError) and to another brand\'s manager (NotFoundError)', async (field, doc, status) => {
      const order = await given(status);
      for (const role of ['buyer', 'producer', 'curator'] as const) {
        expect((await act(doc, w.as[role], order.id, null)).data[field].__typename).toBe('ForbiddenError');
      }
      expect((await act(doc, w.as.otherBrandManager, order.id, null)).data[field].__typename).toBe('NotFoundError');
      expect((await t.database.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe(status);
    });

    it('a buyer cannot advance their own order (ForbiddenError)', async () => {
      const order = await given('ACCEPTED');
      expect((await act(START, w.as.buyer, order.id, null)).data.startOrderFulfillment.__typename).toBe('ForbiddenError');
    });
  });

  describe('reading', () => {
    let own: number;
    let others: number;
    let otherBrand: number;
    beforeAll(async () => {
      own = (await given()).id;
      others = (await insertOrder(t.database.db, { buyerOrgId: w.otherBuyerOrg.id, product: w.product, placedBy: w.as.otherBuyer.id })).id;
      otherBrand = (await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.otherProduct, placedBy: w.as.buyer.id })).id;
    });
    const listed = async (actor: Actor) =>
      (await t.gql(ORDERS, {}, actor.token)).data.orders.edges.map((e: { node: { id: string } }) => e.node.id) as string[];

    it('a buyer lists only their organisation\'s orders', async () => {
      const ids = await listed(w.as.buyer);
      expect(ids).toEqual(expect.arrayContaining([gid('Order', own), gid('Order', otherBrand)]));
      expect(ids).not.toContain(gid('Order', others));
      expect(await listed(w.as.otherBuyer)).toContain(gid('Order', others));
      expect(await listed(w.as.otherBuyer)).not.toContain(gid('Order', own));
    });

    it('a brand manager lists their brand\'s orders only; an admin all', async () => {
      const ids = await listed(w.as.brandManager);
      expect(ids).toEqual(expect.arrayContaining([gid('Order', own), gid('Order', others)]));
      expect(ids).not.toContain(gid('Order', otherBrand));
      expect(await listed(w.as.otherBrandManager)).toContain(gid('Order', otherBrand));
      expect(await listed(w.as.admin)).toEqual(expect.arrayContaining([gid('Order', own), gid('Order', others), gid('Order', otherBrand)]));
    });

    it.each(['producer', 'curator', 'coopManager'] as const)('the %s lists no orders', async (role) => {
      expect(await listed(w.as[role])).toEqual([]);
    });

    it('a buyer cannot read another buyer\'s order by ID (order and node): answered like an unknown ID', async () => {
      expect((await t.gql(ORDER, { id: gid('Order', own) }, w.as.buyer.token)).data.order.id).toBe(gid('Order', own));
      const byOrder = await t.gql(ORDER, { id: gid('Order', others) }, w.as.buyer.token);
      const unknown = await t.gql(ORDER, { id: gid('Order', 987_654_321) }, w.as.buyer.token);
      expect(byOrder).toEqual({ statusCode: 200, data: { order: null }, errors: undefined });
      expect(unknown).toEqual(byOrder);
      expect((await t.gql(NODE, { id: gid('Order', others) }, w.as.buyer.token)).data?.node ?? null).toBeNull();
      expect((await t.gql(NODE, { id: gid('Order', own) }, w.as.producer.token)).data?.node ?? null).toBeNull();
      expect((await t.gql(NODE, { id: gid('Order', own) }, w.as.curator.token)).data?.node ?? null).toBeNull();
      expect((await t.gql(NODE, { id: gid('Order', own) }, w.as.brandManager.token)).data.node.status).toBe('REQUESTED');
    });

    it('lists a page of orders in a constant number of statements', async () => {
      const q = /* GraphQL */ `query { orders(first: 100) { edges { node { id buyerName product { id } events { to } allocatedWeight lines { id } } } } }`;
      t.queries.length = 0;
      await t.gql(q, {}, w.as.admin.token);
      const few = t.queries.length;
      for (let i = 0; i < 5; i++) await given();
      t.queries.length = 0;
      await t.gql(q, {}, w.as.admin.token);
      expect(t.queries.length).toBe(few);
    });
  });
});
