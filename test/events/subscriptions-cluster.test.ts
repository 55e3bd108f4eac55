import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createDatabase, type Database } from '../../src/platform/db.js';
import { createTestApp, testConfig, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { connectWs } from './ws-client.js';

/**
 * Two API nodes on one PostgreSQL and one Redis (REDIS_URL, CI has one at 127.0.0.1:6379): a
 * subscriber on node B hears a mutation made on node A (node A's worker dispatches the event and
 * publishes it through mqemitter-redis; node B runs no workers). PostgreSQL only: two PGlite
 * instances cannot share a database.
 */
const onPg = Boolean(process.env.TEST_DATABASE_URL);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.skipIf(!onPg)('subscriptions across two nodes (PostgreSQL + Redis)', () => {
  let a: TestApp;
  let bDb: Database;
  let b: FastifyInstance;
  let w: OrderWorld;
  const env = {
    WORKERS: 'true', EVENTS_POLL_MS: '50', REDIS_URL,
    REDIS_KEY_PREFIX: `t${process.pid}${Date.now().toString(36)}:`,
  };
  beforeAll(async () => {
    a = await createTestApp(env);
    w = await createOrderWorld(a);
    bDb = await createDatabase({ kind: 'postgres', url: a.database.url!, poolSize: 5 });
    // Node B runs no workers: the event is dispatched on node A, so B hears it only through Redis.
    b = await buildApp(testConfig({ ...env, WORKERS: 'false' }), { database: bDb, migrate: false, logger: false });
    await b.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await b?.close();
    await bDb?.close();
    await a?.close();
  });

  it('a subscriber on node B hears a mutation on node A', async () => {
    const order = await insertOrder(a.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, quantityG: 600_000 });
    const id = gid('Order', order.id);
    const client = await connectWs(`ws://127.0.0.1:${(b.server.address() as AddressInfo).port}/graphql`, w.as.buyer.token);
    try {
      await client.acked();
      const sub = client.subscribe(/* GraphQL */ `subscription O($id: ID!) { orderUpdated(orderId: $id) { id status } }`, { id });
      await new Promise((r) => setTimeout(r, 300));
      const res = await a.gql(/* GraphQL */ `mutation R($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ... on Order { status } } }`,
        { input: { orderId: id, reason: 'plans changed' } }, w.as.buyer.token);
      expect(res.data.cancelOrder).toEqual({ __typename: 'Order', status: 'CANCELLED' });
      await client.until(() => client.next(sub).length > 0);
      expect(client.next(sub)[0]).toEqual({ data: { orderUpdated: { id, status: 'CANCELLED' } } });
    } finally {
      client.close();
    }
  });
});
