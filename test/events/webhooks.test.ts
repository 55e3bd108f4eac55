import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, type OrderWorld, WINDOW_END, WINDOW_START } from '../orders/fixtures.js';
import { type Received, startReceiver } from './receiver.js';
import { clientToken, registerClient } from '../partners/support.js';

/**
 * Webhooks end to end (issue 12 §2) with a real HTTP receiver on loopback: registration rules and
 * the SSRF guard, delivery signed per Standard Webhooks (verified with the `standardwebhooks`
 * package), retry after a 500, 410 disables, timeouts, replay, test ping, secret rotation, and
 * payloads filtered per organisation. On PGlite the in-process poller delivers; on PostgreSQL
 * (TEST_DATABASE_URL) graphile-worker does. Retry delays and the timeout are shortened by config.
 */

const REGISTER = /* GraphQL */ `
  mutation R($input: RegisterWebhookEndpointInput!) {
    registerWebhookEndpoint(input: $input) { __typename ... on IssuedWebhookSecret { secret endpoint { id url eventTypes } } ${ERROR_FIELDS} }
  }`;
const ENDPOINT = /* GraphQL */ `
  query E { webhookEndpoints(first: 5) { edges { node {
    id url disabledAt disabledReason failingSince secrets { id last4 }
    deliveries(first: 10) { webhookId eventType kind status attemptCount attempts { attempt statusCode error latencyMs responseExcerpt } }
  } } } }`;
const PLACE = /* GraphQL */ `mutation P($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename ... on Order { id } ${ERROR_FIELDS} } }`;
const ROTATE = /* GraphQL */ `mutation Ro($input: WebhookEndpointInput!) { rotateWebhookSecret(input: $input) { __typename ... on IssuedWebhookSecret { secret endpoint { secrets { id } } } ${ERROR_FIELDS} } }`;
const REVOKE = /* GraphQL */ `mutation Rv($input: RevokeWebhookSecretInput!) { revokeWebhookSecret(input: $input) { __typename ... on WebhookEndpoint { secrets { id } } ${ERROR_FIELDS} } }`;
const REPLAY = /* GraphQL */ `mutation Re($input: ReplayEventInput!) { replayEvent(input: $input) { __typename ... on WebhookDelivery { kind webhookId } ${ERROR_FIELDS} } }`;
const PING = /* GraphQL */ `mutation Pi($input: WebhookEndpointInput!) { sendTestWebhook(input: $input) { __typename ... on WebhookDelivery { kind status } ${ERROR_FIELDS} } }`;

type Behaviour = 'ok' | 'fail500' | 'gone' | 'slow';

describe('webhooks', () => {
  let t: TestApp;
  let w: OrderWorld;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const script = new Map<string, Behaviour[]>();
  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.respond((r, res) => {
      const next = script.get(r.path)?.shift() ?? 'ok';
      if (next === 'fail500') res.writeHead(500).end('boom');
      else if (next === 'gone') res.writeHead(410).end('gone');
      else if (next === 'slow') setTimeout(() => { if (!res.writableEnded && !res.destroyed) res.writeHead(200).end('late'); }, 1500);
      else res.writeHead(200).end('thanks');
    });
    t = await createTestApp({
      WORKERS: 'true', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_TIMEOUT_MS: '400',
      WEBHOOK_RETRY_SCHEDULE_MS: '100,100,100', EVENTS_POLL_MS: '50', AVAILABILITY_COALESCE_MS: '200',
    });
    w = await createOrderWorld(t);
    // The buyers administer their organisations (they register its webhooks).
    await t.database.db.updateTable('role_grants').set({ org_admin: true }).where('user_id', 'in', [w.as.buyer.id, w.as.otherBuyer.id]).execute();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const register = async (token: string, orgId: string | null, path: string, eventTypes: string[]) => {
    const res = await t.gql(REGISTER, { input: { organizationId: orgId, url: receiver.url(path), eventTypes } }, token);
    expect(res.data?.registerWebhookEndpoint ?? res.errors).toMatchObject({ __typename: 'IssuedWebhookSecret' });
    return res.data.registerWebhookEndpoint as { secret: string; endpoint: { id: string } };
  };
  const place = async (token = w.as.buyer.token) => {
    const res = await t.gql(PLACE, { input: {
      productId: gid('Product', w.product.id), minGrade: '2', quantity: '600', windowStart: WINDOW_START, windowEnd: WINDOW_END,
      destinationCountry: 'ID', incoterm: 'FOB', price: { amount: '4.50', currency: 'USD' }, idempotencyKey: `wh-${Date.now()}-${Math.random()}`,
    } }, token);
    expect(res.data.placeOrder.__typename).toBe('Order');
    return res.data.placeOrder.id as string;
  };
  const at = (path: string) => receiver.received.filter((r) => r.path === path);
  const json = (r: Received) => JSON.parse(r.body) as { id: string; type: string; data: Record<string, any> };
  const endpoints = async (token: string) => {
    const res = await t.gql(ENDPOINT, {}, token);
    if (!res.data) throw new Error(JSON.stringify(res.errors));
    return (res.data.webhookEndpoints.edges as Array<{ node: any }>).map((e) => e.node);
  };

  describe('registration', () => {
    it('refuses non-admins, unknown event types, non-public addresses and (without the switch) http', async () => {
      const buyerOrg = gid('BuyerOrganization', w.buyerOrg.id);
      const attempt = (token: string, url: string, eventTypes = ['order.placed'], orgId: string | null = buyerOrg) =>
        t.gql(REGISTER, { input: { organizationId: orgId, url, eventTypes } }, token).then((r) => r.data.registerWebhookEndpoint);
      expect((await attempt(w.as.producer.token, receiver.url())).__typename).toBe('ForbiddenError');
      expect((await attempt(w.as.otherBuyer.token, receiver.url())).__typename).toBe('ForbiddenError');
      expect(await attempt(w.as.buyer.token, receiver.url(), ['order.exploded'])).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.eventTypes.0' }] });
      for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/hook', 'http://[fd00::1]/x', 'http://192.168.1.10/', 'ftp://example.com/']) {
        const res = await attempt(w.as.buyer.token, url);
        expect(res, url).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.url' }] });
      }
      expect(await t.database.db.selectFrom('webhook_endpoints').selectAll().execute()).toEqual([]);
    });

    it('a machine client needs webhooks:manage', async () => {
      const org = gid('BuyerOrganization', w.buyerOrg.id);
      const plain = await registerClient(t, w.as.buyer.token, { organizationId: org, scopes: ['orders:read'] });
      const manager = await registerClient(t, w.as.buyer.token, { organizationId: org, scopes: ['webhooks:manage'] });
      const input = { organizationId: org, url: receiver.url('/client'), eventTypes: ['order.placed'] };
      const refused = await t.gql(REGISTER, { input }, await clientToken(t, plain.clientId, plain.secret));
      expect(refused.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
      const ok = await t.gql(REGISTER, { input }, await clientToken(t, manager.clientId, manager.secret));
      expect(ok.data.registerWebhookEndpoint.__typename).toBe('IssuedWebhookSecret');
      await t.database.db.deleteFrom('webhook_secrets').execute();
      await t.database.db.deleteFrom('webhook_endpoints').execute();
    });
  });

  describe('delivery', () => {
    let buyerHook: { secret: string; endpoint: { id: string } };
    let brandHook: { secret: string; endpoint: { id: string } };
    let otherBuyerHook: { secret: string; endpoint: { id: string } };
    let orderId: string;
    beforeAll(async () => {
      buyerHook = await register(w.as.buyer.token, gid('BuyerOrganization', w.buyerOrg.id), '/buyer', ['order.placed', 'order.cancelled']);
      brandHook = await register(w.as.brandManager.token, gid('Brand', w.brand.id), '/brand', ['order.placed']);
      otherBuyerHook = await register(w.as.otherBuyer.token, gid('BuyerOrganization', w.otherBuyerOrg.id), '/other', ['order.placed']);
      expect(buyerHook.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      orderId = await place();
      await receiver.until(() => at('/buyer').length >= 1 && at('/brand').length >= 1);
    });

    it('is signed per Standard Webhooks (verified by the standardwebhooks package) and carries the buyer\'s view', async () => {
      const r = at('/buyer')[0]!;
      const verified = new Webhook(buyerHook.secret).verify(r.body, r.headers as Record<string, string>) as { id: string; type: string; data: any };
      expect(verified).toMatchObject({ type: 'order.placed', data: { order: { id: orderId, status: 'REQUESTED' } } });
      expect(r.headers['webhook-id']).toBe(verified.id);
      expect(r.headers['webhook-id']).toMatch(/^evt_/);
      expect(() => new Webhook(brandHook.secret).verify(r.body, r.headers as Record<string, string>)).toThrow();
    });

    it('goes to the buyer organisation and the brand, never to another buyer', async () => {
      expect(json(at('/brand')[0]!).id).toBe(json(at('/buyer')[0]!).id);
      await place(w.as.otherBuyer.token);
      await receiver.until(() => at('/other').length >= 1);
      expect(at('/other').map((r) => json(r).data.order.buyerOrganization)).toEqual([gid('BuyerOrganization', w.otherBuyerOrg.id)]);
      expect(at('/buyer').map((r) => json(r).data.order.buyerOrganization)).toEqual([gid('BuyerOrganization', w.buyerOrg.id)]);
      void otherBuyerHook;
    });

    it('a 500 is retried with the same webhook-id; the delivery log shows both attempts', async () => {
      script.set('/buyer', ['fail500']);
      const before = at('/buyer').length;
      await place();
      await receiver.until(() => at('/buyer').length >= before + 2);
      const [first, second] = at('/buyer').slice(before);
      expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
      const log = (await endpoints(w.as.buyer.token))[0].deliveries.find((d: any) => d.webhookId === first!.headers['webhook-id']);
      await expect.poll(async () => (await endpoints(w.as.buyer.token))[0].deliveries.find((d: any) => d.webhookId === first!.headers['webhook-id']).status).toBe('DELIVERED');
      expect(log.attempts[0]).toMatchObject({ attempt: 1, statusCode: 500, responseExcerpt: 'boom' });
    });

    it('a timeout is an attempt that failed, retried', async () => {
      script.set('/buyer', ['slow']);
      const before = at('/buyer').length;
      await place();
      await receiver.until(() => at('/buyer').length >= before + 2);
      const id = at('/buyer')[before]!.headers['webhook-id'];
      await expect.poll(async () => (await endpoints(w.as.buyer.token))[0].deliveries.find((d: any) => d.webhookId === id).status).toBe('DELIVERED');
      const d = (await endpoints(w.as.buyer.token))[0].deliveries.find((x: any) => x.webhookId === id);
      expect(d.attempts[0]).toMatchObject({ attempt: 1, statusCode: null, error: expect.stringMatching(/timeout after 400 ms/) });
      expect(d.attempts[0].latencyMs).toBeGreaterThanOrEqual(390);
    });

    it('replayEvent sends the event again with the same webhook-id; an event of another buyer looks like it does not exist', async () => {
      const first = at('/buyer')[0]!;
      const before = at('/buyer').length;
      const res = await t.gql(REPLAY, { input: { endpointId: buyerHook.endpoint.id, eventId: first.headers['webhook-id'] } }, w.as.buyer.token);
      expect(res.data.replayEvent).toMatchObject({ __typename: 'WebhookDelivery', kind: 'REPLAY', webhookId: first.headers['webhook-id'] });
      await receiver.until(() => at('/buyer').length > before);
      expect(at('/buyer')[before]!.headers['webhook-id']).toBe(first.headers['webhook-id']);
      const foreign = at('/other')[0]!.headers['webhook-id'];
      expect((await t.gql(REPLAY, { input: { endpointId: buyerHook.endpoint.id, eventId: foreign } }, w.as.buyer.token)).data.replayEvent)
        .toMatchObject({ __typename: 'NotFoundError', path: 'input.eventId' });
      expect((await t.gql(REPLAY, { input: { endpointId: buyerHook.endpoint.id, eventId: first.headers['webhook-id'] } }, w.as.otherBuyer.token)).data.replayEvent)
        .toMatchObject({ __typename: 'NotFoundError', path: 'input.endpointId' });
    });

    it('rotation: both secrets sign until the old one is revoked', async () => {
      const rotated = await t.gql(ROTATE, { input: { endpointId: buyerHook.endpoint.id } }, w.as.buyer.token);
      expect(rotated.data.rotateWebhookSecret.endpoint.secrets).toHaveLength(2);
      const newSecret = rotated.data.rotateWebhookSecret.secret as string;
      const before = at('/buyer').length;
      expect((await t.gql(PING, { input: { endpointId: buyerHook.endpoint.id } }, w.as.buyer.token)).data.sendTestWebhook).toMatchObject({ kind: 'PING' });
      await receiver.until(() => at('/buyer').length > before);
      const ping = at('/buyer')[before]!;
      expect(json(ping).type).toBe('webhook.ping');
      expect(String(ping.headers['webhook-signature']).split(' ')).toHaveLength(2);
      for (const secret of [buyerHook.secret, newSecret]) expect(() => new Webhook(secret).verify(ping.body, ping.headers as Record<string, string>)).not.toThrow();
      const [oldSecret] = rotated.data.rotateWebhookSecret.endpoint.secrets as Array<{ id: string }>;
      expect((await t.gql(REVOKE, { input: { endpointId: buyerHook.endpoint.id, secretId: oldSecret!.id } }, w.as.buyer.token)).data.revokeWebhookSecret.secrets).toHaveLength(1);
      await t.gql(PING, { input: { endpointId: buyerHook.endpoint.id } }, w.as.buyer.token);
      await receiver.until(() => at('/buyer').length > before + 1);
      const after = at('/buyer')[before + 1]!;
      expect(() => new Webhook(newSecret).verify(after.body, after.headers as Record<string, string>)).not.toThrow();
      expect(() => new Webhook(buyerHook.secret).verify(after.body, after.headers as Record<string, string>)).toThrow();
    });

    it('410 disables the endpoint, and its owner sees why', async () => {
      const gone = await register(w.as.buyer.token, gid('BuyerOrganization', w.buyerOrg.id), '/gone', ['order.placed']);
      script.set('/gone', ['gone']);
      await place();
      await receiver.until(() => at('/gone').length >= 1);
      await expect.poll(async () => (await endpoints(w.as.buyer.token)).find((e) => e.id === gone.endpoint.id).disabledReason).toMatch(/410/);
      const e = (await endpoints(w.as.buyer.token)).find((x) => x.id === gone.endpoint.id);
      expect(e.disabledAt).not.toBeNull();
      await place();
      await new Promise((r) => setTimeout(r, 500));
      expect(at('/gone')).toHaveLength(1);
    });

    it('the SSRF guard runs again at delivery: an address that became private is refused without a request', async () => {
      const hook = await register(w.as.buyer.token, gid('BuyerOrganization', w.buyerOrg.id), '/rebound', ['order.placed']);
      // As if DNS now answered with the metadata address.
      await t.database.db.updateTable('webhook_endpoints').set({ url: 'http://169.254.169.254/latest' }).where('url', '=', receiver.url('/rebound')).execute();
      await t.gql(PING, { input: { endpointId: hook.endpoint.id } }, w.as.buyer.token);
      await expect.poll(async () => (await endpoints(w.as.buyer.token)).find((e) => e.id === hook.endpoint.id).deliveries[0]?.attempts[0]?.error)
        .toMatch(/refused: 169\.254\.169\.254 resolves to 169\.254\.169\.254/);
      expect(at('/rebound')).toEqual([]);
    });
  });
});
