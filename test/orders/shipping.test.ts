import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertProduct } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, insertSupplier, type OrderWorld } from './fixtures.js';

const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptOrderInput!) {
    acceptOrder(input: $input) { __typename ... on Order { status lines { kind weight } } ${ERROR_FIELDS} }
  }`;
const advance = (name: string) => /* GraphQL */ `
  mutation Advance($input: ${name === 'shipOrder' ? 'ShipOrderInput' : 'AdvanceOrderInput'}!) {
    ${name}(input: $input) { __typename ... on Order { status } ... on InvalidTransitionError { from to message } ${ERROR_FIELDS} }
  }`;

describe('shipping an order', () => {
  let t: TestApp;
  let w: OrderWorld;
  let key = 0;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const acceptAndStart = async (orderId: number, supply: 'SPOT_ONLY' | 'FORWARD_ONLY') => {
    const accepted = await t.gql(
      ACCEPT,
      { input: { orderId: gid('Order', orderId), strategy: 'QUALITY_FIRST', constraints: { supply }, idempotencyKey: `ship-${process.pid}-${++key}` } },
      w.as.brandManager.token,
    );
    expect(accepted.data.acceptOrder.status).toBe('ACCEPTED');
    const started = await t.gql(advance('startOrderFulfillment'), { input: { orderId: gid('Order', orderId) } }, w.as.brandManager.token);
    expect(started.data.startOrderFulfillment.status).toBe('IN_FULFILLMENT');
  };

  it('given forward lines not yet delivered, when the manager ships, then InvalidTransitionError says how much is missing and nothing changes', async () => {
    const product = await insertProduct(t.database.db, w.brand.id);
    const m = { brand: w.brand, product, coop: w.coop };
    await insertSupplier(t.database.db, m, { commitmentG: 900_000 });
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    await acceptAndStart(order.id, 'FORWARD_ONLY');

    const res = await t.gql(advance('shipOrder'), { input: { orderId: gid('Order', order.id) } }, w.as.brandManager.token);
    expect(res.data.shipOrder).toMatchObject({ __typename: 'InvalidTransitionError', from: 'IN_FULFILLMENT', to: 'SHIPPED' });
    expect(res.data.shipOrder.message).toMatch(/600 kg of forward lines is not yet delivered/);
    const row = await t.database.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('IN_FULFILLMENT');
  });

  it('given uncovered weight, when the manager ships, then it is refused naming the uncovered kilograms', async () => {
    const product = await insertProduct(t.database.db, w.brand.id);
    const m = { brand: w.brand, product, coop: w.coop };
    await insertSupplier(t.database.db, m, { lotG: 900_000 });
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    await acceptAndStart(order.id, 'SPOT_ONLY');
    await t.database.db.updateTable('orders').set({ uncovered_g: 120_000 }).where('id', '=', order.id).execute();

    const res = await t.gql(advance('shipOrder'), { input: { orderId: gid('Order', order.id) } }, w.as.brandManager.token);
    expect(res.data.shipOrder.__typename).toBe('InvalidTransitionError');
    expect(res.data.shipOrder.message).toMatch(/120 kg is uncovered/);
  });

  it('given a fully covered spot order, when the manager ships, then it ships and each lot gets a SHIPPED provenance event', async () => {
    const product = await insertProduct(t.database.db, w.brand.id);
    const m = { brand: w.brand, product, coop: w.coop };
    const a = await insertSupplier(t.database.db, m, { lotG: 400_000 });
    const b = await insertSupplier(t.database.db, m, { lotG: 400_000 });
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    await acceptAndStart(order.id, 'SPOT_ONLY');

    // An export order ships with its papers: one container loaded with the lots as allocated.
    const lines = await t.database.db.selectFrom('allocation_lines').select(['lot_id', 'weight_g']).where('order_id', '=', order.id).orderBy('id').execute();
    const shipment = {
      billOfLading: 'MEDUSB000001', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: '2027-06-15',
      containers: [{ containerNumber: 'MSKU1234565', sealNumber: 'S1', bagCount: 10,
        lots: lines.map((l) => ({ lotId: gid('Lot', l.lot_id!), weight: String(l.weight_g / 1000) })) }],
    };
    const res = await t.gql(advance('shipOrder'), { input: { orderId: gid('Order', order.id), reason: 'Container MSKU 1234565', shipment } }, w.as.brandManager.token);
    expect(res.data.shipOrder).toEqual({ __typename: 'Order', status: 'SHIPPED' });
    const events = await t.database.db
      .selectFrom('provenance_events').select(['lot_id', 'payload']).where('order_id', '=', order.id).where('kind', '=', 'SHIPPED').orderBy('lot_id').execute();
    expect(events.map((e) => e.lot_id)).toEqual([a.lot!.id, b.lot!.id]);
    const shipped = events.reduce((sum, e) => sum + (e.payload as { weightG: number }).weightG, 0);
    expect(shipped).toBe(600_000);
  });
});
