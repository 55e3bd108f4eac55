import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid, insertLot, insertPlot } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { connectWs } from './ws-client.js';
import { clientToken, makeOrgAdmin, registerClient } from '../partners/support.js';

/**
 * Subscriptions (issue 12 §3) over a real WebSocket (graphql-transport-ws): authentication in
 * connection_init (refused with 4403), the queries' authorisation, messages published after commit
 * from the outbox, and the socket closed with 4403 when the token expires. PGlite and PostgreSQL.
 */

const ORDER_UPDATED = /* GraphQL */ `subscription O($id: ID!) { orderUpdated(orderId: $id) { id status } }`;
const AVAILABILITY = /* GraphQL */ `subscription A($p: ID!, $g: String!) { availabilityChanged(productId: $p, minGrade: $g) { minGrade spotWeight totalWeight } }`;
const MY_LOTS = /* GraphQL */ `subscription L { myLotsChanged { type lot { id netWeight } } }`;
const REJECT = /* GraphQL */ `mutation R($input: RejectOrderInput!) { rejectOrder(input: $input) { __typename } }`;
const DECLARE_LOT = /* GraphQL */ `mutation D($input: DeclareLotInput!) { declareLot(input: $input) { __typename ... on Lot { id } } }`;

describe('subscriptions', () => {
  let t: TestApp;
  let w: OrderWorld;
  let url: string;
  const sockets: Array<{ close(): void }> = [];
  beforeAll(async () => {
    t = await createTestApp({ WORKERS: 'true', EVENTS_POLL_MS: '50', AVAILABILITY_COALESCE_MS: '200' });
    w = await createOrderWorld(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });
  const connect = async (token: string | null) => {
    const c = await connectWs(url, token);
    sockets.push(c);
    return c;
  };

  it('refuses a connection without a valid token with close code 4403', async () => {
    for (const token of [null, 'not-a-token', t.app.jwt.sign({ sub: '999999' })]) {
      const c = await connect(token);
      expect((await c.closed).code).toBe(4403);
    }
  });

  it('orderUpdated: the buyer hears their order change after commit; another buyer cannot subscribe to it', async () => {
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    const id = gid('Order', order.id);
    const buyer = await connect(w.as.buyer.token);
    await buyer.acked();
    const sub = buyer.subscribe(ORDER_UPDATED, { id });
    const other = await connect(w.as.otherBuyer.token);
    await other.acked();
    const refused = other.subscribe(ORDER_UPDATED, { id });
    await other.until(() => other.errors(refused).length > 0);
    expect(other.errors(refused)[0][0].message).toMatch(/not found|Order/i);
    await new Promise((r) => setTimeout(r, 200));
    const rejected = await t.gql(REJECT, { input: { orderId: id, reason: 'no supply' } }, w.as.brandManager.token);
    expect(rejected.data.rejectOrder.__typename).toBe('Order');
    await buyer.until(() => buyer.next(sub).length > 0);
    expect(buyer.next(sub)[0]).toEqual({ data: { orderUpdated: { id, status: 'REJECTED' } } });
    expect(other.next(refused)).toEqual([]);
  });

  it('answers in the person\'s preferred language, whatever the upgrade request\'s Accept-Language', async () => {
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    const SET = `mutation S($input: SetPreferredLanguageInput!) { setPreferredLanguage(input: $input) { __typename } }`;
    const refusal = async () => {
      const other = await connect(w.as.otherBuyer.token);
      await other.acked();
      const refused = other.subscribe(ORDER_UPDATED, { id: gid('Order', order.id) });
      await other.until(() => other.errors(refused).length > 0);
      return other.errors(refused)[0][0].message as string;
    };
    const english = await refusal();
    expect((await t.gql(SET, { input: { language: 'ID' } }, w.as.otherBuyer.token)).data.setPreferredLanguage.__typename).toBe('User');
    const indonesian = await refusal();
    await t.gql(SET, { input: { language: null } }, w.as.otherBuyer.token);
    expect(english).toMatch(/not found/i);
    expect(indonesian).toMatch(/tidak ditemukan/);
  });

  it('availabilityChanged: new totals at the asked grade, coalesced, for a buyer', async () => {
    const buyer = await connect(w.as.buyer.token);
    await buyer.acked();
    const sub = buyer.subscribe(AVAILABILITY, { p: gid('Product', w.product.id), g: '2' });
    await new Promise((r) => setTimeout(r, 200));
    await insertLot(t.database.db, { producer: w.producer, product: w.product, plotIds: [], netG: 700_000, grade: { code: '1', rank: 1 } });
    await insertLot(t.database.db, { producer: w.producer, product: w.product, plotIds: [], netG: 300_000, grade: { code: '2', rank: 2 } });
    await buyer.until(() => buyer.next(sub).length > 0);
    const first = buyer.next(sub)[0].data.availabilityChanged;
    expect(first.minGrade).toBe('2');
    expect(Number(first.spotWeight)).toBeGreaterThanOrEqual(1000);
    const producer = await connect(w.as.producer.token);
    await producer.acked();
    const refused = producer.subscribe(AVAILABILITY, { p: gid('Product', w.product.id), g: '2' });
    await producer.until(() => producer.errors(refused).length > 0);
  });

  it('myLotsChanged: the producer and their cooperative manager hear a lot declared; the other cooperative does not', async () => {
    const producer = await connect(w.as.producer.token);
    const coop = await connect(w.as.coopManager.token);
    const otherCoop = await connect(w.as.otherCoopManager.token);
    for (const c of [producer, coop, otherCoop]) await c.acked();
    const [p, c1, c2] = [producer.subscribe(MY_LOTS), coop.subscribe(MY_LOTS), otherCoop.subscribe(MY_LOTS)];
    await new Promise((r) => setTimeout(r, 200));
    const plot = await insertPlot(t.database.db, w.producer.id);
    const declared = await t.gql(DECLARE_LOT, { input: {
      producerId: gid('Producer', w.producer.id), productId: gid('Product', w.product.id), harvestStart: '2026-06-01', harvestEnd: '2026-08-31',
      plotIds: [gid('Plot', plot.id)], netWeight: '250', storageLocation: 'Gudang',
    } }, w.as.coopManager.token);
    const lotId = declared.data.declareLot.id;
    await producer.until(() => producer.next(p).length > 0);
    await coop.until(() => coop.next(c1).length > 0);
    expect(producer.next(p)[0].data.myLotsChanged).toEqual({ type: 'lot.declared', lot: { id: lotId, netWeight: '250' } });
    expect(coop.next(c1)[0].data.myLotsChanged.lot.id).toBe(lotId);
    expect(otherCoop.next(c2)).toEqual([]);
    const buyer = await connect(w.as.buyer.token);
    await buyer.acked();
    const refused = buyer.subscribe(MY_LOTS);
    await buyer.until(() => buyer.errors(refused).length > 0);
  });

  it('a machine client authenticates with its access token and needs the query\'s scope', async () => {
    await makeOrgAdmin(t, w.as.buyer.id);
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    const id = gid('Order', order.id);
    const org = gid('BuyerOrganization', w.buyerOrg.id);
    const reader = await registerClient(t, w.as.buyer.token, { organizationId: org, scopes: ['orders:read'] });
    const catalog = await registerClient(t, w.as.buyer.token, { organizationId: org, scopes: ['catalog:read'] });
    const ok = await connect(await clientToken(t, reader.clientId, reader.secret));
    const denied = await connect(await clientToken(t, catalog.clientId, catalog.secret));
    await ok.acked();
    await denied.acked();
    const s1 = ok.subscribe(ORDER_UPDATED, { id });
    const s2 = denied.subscribe(ORDER_UPDATED, { id });
    await denied.until(() => denied.errors(s2).length > 0);
    expect(denied.errors(s2)[0][0].message).toMatch(/scope orders:read/);
    await new Promise((r) => setTimeout(r, 200));
    await t.gql(REJECT, { input: { orderId: id, reason: 'no supply' } }, w.as.brandManager.token);
    await ok.until(() => ok.next(s1).length > 0);
    expect(ok.next(s1)[0]).toEqual({ data: { orderUpdated: { id, status: 'REJECTED' } } });
  });

  it('closes the socket with 4403 when the token expires', async () => {
    const short = t.app.jwt.sign({ sub: String(w.as.buyer.id) }, { expiresIn: 2 });
    const c = await connect(short);
    await c.acked();
    const order = await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    c.subscribe(ORDER_UPDATED, { id: gid('Order', order.id) });
    const started = Date.now();
    const closed = await c.closed;
    expect(closed).toEqual({ code: 4403, reason: 'Token expired' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('closes an acknowledged socket with no subscription with 4403 when the token expires', async () => {
    const short = t.app.jwt.sign({ sub: String(w.as.buyer.id) }, { expiresIn: 2 });
    const c = await connect(short);
    await c.acked();
    const started = Date.now();
    expect(await c.closed).toEqual({ code: 4403, reason: 'Token expired' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
