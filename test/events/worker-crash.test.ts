import { type ChildProcess, spawn } from 'node:child_process';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, type OrderWorld, WINDOW_END, WINDOW_START } from '../orders/fixtures.js';
import { startReceiver } from './receiver.js';

/**
 * PostgreSQL only (graphile-worker cannot run on PGlite): the API runs without workers and
 * `npm run worker` runs them as their own process. The worker is killed (SIGKILL) while the
 * receiver holds its request; a new worker delivers the message after the lease runs out, with the
 * same webhook-id (at least once).
 */
const onPg = Boolean(process.env.TEST_DATABASE_URL);

const REGISTER = /* GraphQL */ `
  mutation R($input: RegisterWebhookEndpointInput!) {
    registerWebhookEndpoint(input: $input) { __typename ... on IssuedWebhookSecret { secret endpoint { id } } ${ERROR_FIELDS} }
  }`;
const PLACE = /* GraphQL */ `mutation P($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename ... on Order { id } ${ERROR_FIELDS} } }`;

describe.skipIf(!onPg)('a worker killed mid-delivery (PostgreSQL)', () => {
  let t: TestApp;
  let w: OrderWorld;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const workers: ChildProcess[] = [];
  const startWorker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
      env: {
        ...process.env, DATABASE_URL: t.database.url!, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent',
        WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_TIMEOUT_MS: '1000', EVENTS_POLL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.push(child);
    return new Promise<ChildProcess>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (String(d).includes('event workers running')) resolve(child); });
      child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
  };
  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({ WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true' });
    w = await createOrderWorld(t);
    await t.database.db.updateTable('role_grants').set({ org_admin: true }).where('user_id', '=', w.as.buyer.id).execute();
  });
  afterAll(async () => {
    for (const child of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t?.close();
    await receiver?.close();
  });

  it('delivers after a restart, with the same webhook-id', async () => {
    const reg = await t.gql(REGISTER, { input: { organizationId: gid('BuyerOrganization', w.buyerOrg.id), url: receiver.url('/erp'), eventTypes: ['order.placed'] } }, w.as.buyer.token);
    const secret = reg.data.registerWebhookEndpoint.secret as string;
    let first: ChildProcess | null = null;
    // The first request is never answered: the worker is killed while it waits.
    receiver.respond((r, res) => {
      if (receiver.received.length === 1) { first?.kill('SIGKILL'); return; }
      res.writeHead(200).end('ok');
    });
    first = await startWorker();
    const placed = await t.gql(PLACE, { input: {
      productId: gid('Product', w.product.id), minGrade: '2', quantity: '600', windowStart: WINDOW_START, windowEnd: WINDOW_END,
      destinationCountry: 'ID', incoterm: 'FOB', price: { amount: '4.50', currency: 'USD' }, idempotencyKey: `crash-${Date.now()}`,
    } }, w.as.buyer.token);
    expect(placed.data.placeOrder.__typename).toBe('Order');
    await receiver.until((r) => r.length >= 1, 30_000);
    await new Promise<void>((resolve) => (first!.exitCode !== null || first!.signalCode !== null ? resolve() : first!.once('exit', () => resolve())));
    expect(first.signalCode).toBe('SIGKILL');
    await startWorker();
    await receiver.until((r) => r.length >= 2, 30_000);
    const [lost, delivered] = receiver.received;
    expect(delivered!.headers['webhook-id']).toBe(lost!.headers['webhook-id']);
    expect(new Webhook(secret).verify(delivered!.body, delivered!.headers as Record<string, string>)).toMatchObject({ type: 'order.placed', data: { order: { id: placed.data.placeOrder.id } } });
    await expect.poll(async () => (await t.database.db.selectFrom('webhook_deliveries').select('status').executeTakeFirstOrThrow()).status, { timeout: 10_000 }).toBe('DELIVERED');
  }, 90_000);
});
