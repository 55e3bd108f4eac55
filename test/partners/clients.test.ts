import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/platform/graphql/ids.js';
import { insertOrder, createOrderWorld, type OrderWorld } from '../orders/fixtures.js';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { countRows } from '../support/supply-fixtures.js';
import { clientToken, makeOrgAdmin, REGISTER, registerClient, requestToken, SET_ORG_ADMIN } from './support.js';

const ORDERS = /* GraphQL */ `query Orders { orders(first: 20) { edges { node { id buyerName } } } }`;
const ORDER = /* GraphQL */ `query Order($id: ID!) { order(id: $id) { id } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id } }`;
const ME = /* GraphQL */ `query Me { me { email } }`;
const CANCEL = /* GraphQL */ `
  mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ... on Error { code } } }`;
const ROTATE = /* GraphQL */ `
  mutation Rotate($input: PartnerClientInput!) {
    rotatePartnerClientSecret(input: $input) {
      __typename
      ... on IssuedPartnerClientSecret { clientSecret secret { id last4 } }
      ... on Error { code message }
    }
  }`;
const REVOKE = /* GraphQL */ `
  mutation Revoke($input: RevokePartnerClientSecretInput!) {
    revokePartnerClientSecret(input: $input) { __typename ... on PartnerClient { secrets { id revokedAt } } ... on Error { code } }
  }`;
const DISABLE = /* GraphQL */ `
  mutation Disable($input: SetPartnerClientDisabledInput!) {
    setPartnerClientDisabled(input: $input) { __typename ... on PartnerClient { disabled } ... on Error { code } }
  }`;
const CLIENTS = /* GraphQL */ `query Clients { partnerClients(first: 50) { edges { node { clientId name lastUsedAt } } } }`;

const claimsOf = (token: string) => {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
};

describe('partner clients (OAuth 2.0 client credentials)', () => {
  let t: TestApp;
  let w: OrderWorld;
  let orgA: string;
  let orderA: number;
  let orderB: number;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
    orgA = globalId('BuyerOrganization', w.buyerOrg.id);
    await makeOrgAdmin(t, w.as.buyer.id);
    orderA = (await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id })).id;
    orderB = (await insertOrder(t.database.db, { buyerOrgId: w.otherBuyerOrg.id, product: w.product, placedBy: w.as.otherBuyer.id })).id;
  });
  afterAll(async () => { await t?.close(); });

  describe('registration', () => {
    it('given a buyer without the admin flag, when registering a client, then Forbidden and nothing written', async () => {
      const before = await countRows(t.database.db, 'oauth_clients');
      const res = await t.gql(REGISTER, { input: { organizationId: globalId('BuyerOrganization', w.otherBuyerOrg.id), name: 'ERP', scopes: ['orders:read'] } }, w.as.otherBuyer.token);
      expect(res.data.registerPartnerClient).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      expect(await countRows(t.database.db, 'oauth_clients')).toBe(before);
    });

    it('given a platform admin, when flagging a buyer as organisation admin, then that buyer may register clients', async () => {
      const grant = await t.database.db.selectFrom('role_grants').select('id').where('user_id', '=', w.as.otherBuyer.id).executeTakeFirstOrThrow();
      const res = await t.gql(SET_ORG_ADMIN, { input: { grantId: String(grant.id), admin: true } }, w.as.admin.token);
      expect(res.data.setOrganizationAdmin).toEqual({ __typename: 'OrganizationAdminGrant', admin: true });
      const other = await t.gql(SET_ORG_ADMIN, { input: { grantId: String(grant.id), admin: true } }, w.as.buyer.token);
      expect(other.data.setOrganizationAdmin.__typename).toBe('NotFoundError');
    });

    it('given a buyer admin, when registering, then the secret is shown once: readable prefix, 256 bits, only an HMAC and last 4 stored', async () => {
      const res = await t.gql(REGISTER, { input: { organizationId: orgA, name: 'Nile ERP', scopes: ['orders:read', 'availability:read'] } }, w.as.buyer.token);
      const r = res.data.registerPartnerClient;
      expect(r.__typename).toBe('IssuedPartnerClientSecret');
      expect(r.clientSecret).toMatch(/^lmb_cs_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(r.clientSecret.slice(7), 'base64url').length).toBe(32);
      expect(r.client.clientId).toMatch(/^lmb_ci_/);
      expect(r.secret.last4).toBe(r.clientSecret.slice(-4));
      const stored = await t.database.db.selectFrom('oauth_client_secrets').selectAll().where('last4', '=', r.secret.last4).execute();
      expect(stored).toHaveLength(1);
      expect(stored[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(r.clientSecret.slice(7, 30));
      const audit = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'client.created').execute();
      expect(audit.some((a) => a.actor_user_id === w.as.buyer.id)).toBe(true);
    });

    it('given scopes beyond what a buyer organisation may do, or unknown ones, when registering, then a ValidationError naming each', async () => {
      const before = await countRows(t.database.db, 'oauth_clients');
      const beyond = await t.gql(REGISTER, { input: { organizationId: orgA, name: 'ERP', scopes: ['orders:read', 'lots:write'] } }, w.as.buyer.token);
      expect(beyond.data.registerPartnerClient.__typename).toBe('ValidationError');
      expect(beyond.data.registerPartnerClient.issues).toEqual([{ path: 'input.scopes.1', message: expect.stringMatching(/lots:write is beyond/) }]);
      const unknown = await t.gql(REGISTER, { input: { organizationId: orgA, name: ' ', scopes: ['everything'] } }, w.as.buyer.token);
      expect(unknown.data.registerPartnerClient.issues.map((i: { path: string }) => i.path).sort()).toEqual(['input.name', 'input.scopes.0']);
      expect(await countRows(t.database.db, 'oauth_clients')).toBe(before);
    });

    it('given a brand manager, when registering for another brand, then Forbidden; a producer cannot register at all', async () => {
      const other = await t.gql(REGISTER, { input: { organizationId: globalId('Brand', w.otherBrand.id), name: 'X', scopes: ['catalog:read'] } }, w.as.brandManager.token);
      expect(other.data.registerPartnerClient.__typename).toBe('ForbiddenError');
      const producer = await t.gql(REGISTER, { input: { name: 'X', scopes: ['catalog:read'] } }, w.as.producer.token);
      expect(producer.data.registerPartnerClient.__typename).toBe('ForbiddenError');
      const own = await t.gql(REGISTER, { input: { organizationId: globalId('Brand', w.brand.id), name: 'Brand site', scopes: ['catalog:read', 'lots:write'] } }, w.as.brandManager.token);
      expect(own.data.registerPartnerClient.__typename).toBe('IssuedPartnerClientSecret');
    });
  });

  describe('the token endpoint', () => {
    it('given valid client credentials, when asking for a token, then an RFC 9068 access token for 15 minutes and no refresh token', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read', 'availability:read'] });
      const res = await requestToken(t, { clientId: c.clientId, secret: c.secret });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'orders:read availability:read' });
      expect(res.body.refresh_token).toBeUndefined();
      const { header, payload } = claimsOf(res.body.access_token);
      expect(header).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
      expect(payload).toMatchObject({ iss: 'lumbung', aud: 'lumbung-api', sub: c.clientId, client_id: c.clientId, scope: 'orders:read availability:read' });
      expect(payload.exp - payload.iat).toBe(900);
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('given a narrower scope, when asking, then the token carries only it; a scope the client lacks is invalid_scope', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read', 'availability:read'] });
      const narrow = await requestToken(t, { clientId: c.clientId, secret: c.secret, body: 'grant_type=client_credentials&scope=availability%3Aread' });
      expect(narrow.body.scope).toBe('availability:read');
      const wider = await requestToken(t, { clientId: c.clientId, secret: c.secret, body: 'grant_type=client_credentials&scope=orders%3Awrite' });
      expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    });

    it('answers errors per RFC 6749 §5.2', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read'] });
      const noAuth = await requestToken(t, {});
      expect(noAuth).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(noAuth.headers['www-authenticate']).toMatch(/^Basic /);
      expect(await requestToken(t, { clientId: c.clientId, secret: `${c.secret.slice(0, -1)}x` })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(await requestToken(t, { clientId: 'lmb_ci_AAAAAAAAAAAAAAAAAAAAAA', secret: c.secret })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect(await requestToken(t, { clientId: c.clientId, secret: c.secret, body: 'grant_type=password' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
      expect(await requestToken(t, { clientId: c.clientId, secret: c.secret, body: 'scope=orders%3Aread' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(await requestToken(t, { clientId: c.clientId, secret: c.secret, body: 'grant_type=client_credentials&grant_type=client_credentials' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(await requestToken(t, { clientId: c.clientId, secret: c.secret, body: `grant_type=client_credentials&client_secret=${c.secret}` })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      const json = await requestToken(t, { clientId: c.clientId, secret: c.secret, contentType: 'application/json', body: '{"grant_type":"client_credentials"}' });
      expect(json).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(await requestToken(t, { authorization: 'Basic !!!', body: 'grant_type=client_credentials' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    });
  });

  describe('scopes and organisations', () => {
    let readToken: string;
    beforeAll(async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read', 'availability:read'] });
      readToken = await clientToken(t, c.clientId, c.secret);
    });

    it("given a client of organisation A, when listing orders, then only A's; B's order looks like one that does not exist", async () => {
      const list = await t.gql(ORDERS, {}, readToken);
      expect(list.statusCode).toBe(200);
      const ids = list.data.orders.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(ids).toContain(globalId('Order', orderA));
      expect(ids).not.toContain(globalId('Order', orderB));
      const mine = await t.gql(ORDER, { id: globalId('Order', orderA) }, readToken);
      expect(mine.data.order.id).toBe(globalId('Order', orderA));
      const theirs = await t.gql(ORDER, { id: globalId('Order', orderB) }, readToken);
      // (order(id:) answers FORBIDDEN for an order that exists but is not yours, for users too; node(id:) answers null.)
      expect(theirs.data?.order ?? null).toBeNull();
      expect(JSON.stringify(theirs)).not.toContain(w.otherBuyerOrg.name);
      expect((await t.gql(NODE, { id: globalId('Order', orderB) }, readToken)).data.node).toBeNull();
    });

    it('given a client without orders:write, when cancelling an order, then 403 INSUFFICIENT_SCOPE and nothing changes', async () => {
      const res = await t.gql(CANCEL, { input: { orderId: globalId('Order', orderA), reason: 'test' } }, readToken);
      expect(res.statusCode).toBe(403);
      expect(res.data).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INSUFFICIENT_SCOPE', scope: 'orders:write', field: 'cancelOrder' });
      const order = await t.database.db.selectFrom('orders').select('status').where('id', '=', orderA).executeTakeFirstOrThrow();
      expect(order.status).toBe('REQUESTED');
    });

    it('given a token narrowed to availability:read, when reading orders (also through a fragment or node), then refused', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read', 'availability:read'] });
      const narrow = await clientToken(t, c.clientId, c.secret, 'availability:read');
      const res = await t.gql(ORDERS, {}, narrow);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INSUFFICIENT_SCOPE', scope: 'orders:read' });
      const viaFragment = await t.gql(`query F { ...Q } fragment Q on Query { orders(first: 1) { edges { cursor } } }`, {}, narrow);
      expect(viaFragment.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
      const viaNode = await t.gql(NODE, { id: globalId('Order', orderA) }, narrow);
      expect(viaNode.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
      const twoOps = await t.gql(`query A { __typename } query B { orders(first: 1) { edges { cursor } } }`, {}, narrow);
      expect(twoOps.statusCode).toBeGreaterThanOrEqual(400);
      expect(twoOps.data ?? null).toBeNull();
    });

    it('given a client, when using a field for people only (me, users, node of a User, client management), then refused', async () => {
      expect((await t.gql(ME, {}, readToken)).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
      expect((await t.gql(NODE, { id: globalId('User', w.as.buyer.id) }, readToken)).errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
      const reg = await t.gql(REGISTER, { input: { organizationId: orgA, name: 'X', scopes: ['orders:read'] } }, readToken);
      expect(reg.errors?.[0]?.extensions?.code).toBe('INSUFFICIENT_SCOPE');
    });

    it('given a client without settlement:read, when downloading a CSV export, then 403 INSUFFICIENT_SCOPE (other /exports/ routes too)', async () => {
      const csv = await t.app.inject({ url: `/exports/settlement/orders/${globalId('Order', orderA)}/statements.csv`, headers: { authorization: `Bearer ${readToken}` } });
      expect(csv.statusCode).toBe(403);
      expect(csv.json().errors[0].extensions).toEqual({ code: 'INSUFFICIENT_SCOPE', scope: 'settlement:read' });
      const unknown = await t.app.inject({ url: '/exports/something-new/1', headers: { authorization: `Bearer ${readToken}` } });
      expect(unknown.statusCode).toBe(403);
      expect(unknown.json().errors[0].extensions.code).toBe('INSUFFICIENT_SCOPE');
    });

    it('given a user token, when doing the same, then it works as before (scopes limit only clients)', async () => {
      expect((await t.gql(ME, {}, w.as.buyer.token)).data.me.email).toMatch(/@example\.test$/);
      const res = await t.gql(ORDERS, {}, w.as.buyer.token);
      expect(res.data.orders.edges.length).toBeGreaterThan(0);
    });
  });

  describe('rotation, revocation, disabling', () => {
    it('given a rotated secret, when both are used, then both work until the old one is revoked; at most two are active', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read'] });
      const rotated = (await t.gql(ROTATE, { input: { clientId: c.id } }, w.as.buyer.token)).data.rotatePartnerClientSecret;
      expect(rotated.__typename).toBe('IssuedPartnerClientSecret');
      expect(rotated.clientSecret).not.toBe(c.secret);
      expect((await requestToken(t, { clientId: c.clientId, secret: c.secret })).status).toBe(200);
      expect((await requestToken(t, { clientId: c.clientId, secret: rotated.clientSecret })).status).toBe(200);
      const third = (await t.gql(ROTATE, { input: { clientId: c.id } }, w.as.buyer.token)).data.rotatePartnerClientSecret;
      expect(third).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });

      const revoked = await t.gql(REVOKE, { input: { clientId: c.id, secretId: c.secretId } }, w.as.buyer.token);
      expect(revoked.data.revokePartnerClientSecret.__typename).toBe('PartnerClient');
      expect(await requestToken(t, { clientId: c.clientId, secret: c.secret })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      expect((await requestToken(t, { clientId: c.clientId, secret: rotated.clientSecret })).status).toBe(200);
      const again = await t.gql(REVOKE, { input: { clientId: c.id, secretId: c.secretId } }, w.as.buyer.token);
      expect(again.data.revokePartnerClientSecret.__typename).toBe('NotFoundError');

      const clientRow = await t.database.db.selectFrom('oauth_clients').select('id').where('client_id', '=', c.clientId).executeTakeFirstOrThrow();
      const actions = (await t.database.db.selectFrom('audit_events').select('action').where('client_id', '=', clientRow.id).orderBy('id').execute()).map((a) => a.action);
      expect(actions).toEqual(['client.created', 'client.secret_rotated', 'client.secret_revoked']);
    });

    it("given another organisation's admin, when rotating or disabling this client, then NotFound", async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read'] });
      expect((await t.gql(ROTATE, { input: { clientId: c.id } }, w.as.otherBuyer.token)).data.rotatePartnerClientSecret.__typename).toBe('NotFoundError');
      expect((await t.gql(DISABLE, { input: { clientId: c.id, disabled: true } }, w.as.otherBuyer.token)).data.setPartnerClientDisabled.__typename).toBe('NotFoundError');
    });

    it('given a disabled client, when using its token or asking for one, then refused at once; re-enabled, it works', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, scopes: ['orders:read'] });
      const token = await clientToken(t, c.clientId, c.secret);
      expect((await t.gql(ORDERS, {}, token)).statusCode).toBe(200);
      expect((await t.gql(DISABLE, { input: { clientId: c.id, disabled: true } }, w.as.buyer.token)).data.setPartnerClientDisabled).toEqual({ __typename: 'PartnerClient', disabled: true });
      expect((await t.gql(ORDERS, {}, token)).statusCode).toBe(401);
      expect((await requestToken(t, { clientId: c.clientId, secret: c.secret })).body.error).toBe('invalid_client');
      await t.gql(DISABLE, { input: { clientId: c.id, disabled: false } }, w.as.buyer.token);
      expect((await t.gql(ORDERS, {}, token)).statusCode).toBe(200);
    });

    it("given the owner loses the organisation's admin flag, when the client's token is used, then 401", async () => {
      const owner = await createUser(t, [['BUYER', w.buyerOrg.id]]);
      await makeOrgAdmin(t, owner.id);
      const c = await registerClient(t, owner.token, { organizationId: orgA, scopes: ['orders:read'] });
      const token = await clientToken(t, c.clientId, c.secret);
      expect((await t.gql(ORDERS, {}, token)).statusCode).toBe(200);
      await t.database.db.updateTable('role_grants').set({ org_admin: false }).where('user_id', '=', owner.id).execute();
      expect((await t.gql(ORDERS, {}, token)).statusCode).toBe(401);
    });

    it('records last_used_at and lists clients to their administrators only', async () => {
      const c = await registerClient(t, w.as.buyer.token, { organizationId: orgA, name: 'Tracked', scopes: ['orders:read'] });
      await t.gql(ORDERS, {}, await clientToken(t, c.clientId, c.secret));
      const listed = (await t.gql(CLIENTS, {}, w.as.buyer.token)).data.partnerClients.edges.map((e: { node: { clientId: string; lastUsedAt: string | null } }) => e.node);
      expect(listed.find((n: { clientId: string }) => n.clientId === c.clientId)?.lastUsedAt).toEqual(expect.any(String));
      const others = (await t.gql(CLIENTS, {}, w.as.otherBuyer.token)).data.partnerClients.edges.map((e: { node: { clientId: string } }) => e.node.clientId);
      expect(others).not.toContain(c.clientId);
    });
  });
});
