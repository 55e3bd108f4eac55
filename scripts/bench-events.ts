/**
 * Latency of events, from commit to receiver, on PostgreSQL:
 *
 *   npm run bench:events        (DATABASE_URL=postgres://… to use another PostgreSQL server)
 *
 * Creates a temporary database next to DATABASE_URL's (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped at the end. The API runs in this process with its workers (graphile-worker), on loopback;
 * a buyer organisation has one webhook endpoint (a real HTTP receiver on 127.0.0.1) for
 * order.rejected, and the buyer holds one WebSocket with an orderUpdated subscription per order.
 * The brand manager then rejects EVENTS orders through the service (changeOrderStatus), one every
 * PACE_MS; each commit is timestamped when the service call returns (just after COMMIT), and the
 * receiver and the subscription timestamp the message. Prints p50/p95/p99/max of commit → webhook
 * received and commit → subscription message; exits 1 when a p99 is at or above 250 ms.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
// @ts-expect-error ws ships no types here (a dependency of @fastify/websocket)
import WebSocket from 'ws';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SNI_ARABICA_PRESET } from '../src/modules/grading/sni.js';
import { changeOrderStatus } from '../src/modules/orders/orders.service.js';
import { loadPrincipal } from '../src/platform/auth.js';
import { globalId } from '../src/platform/graphql/ids.js';
import { percentile, scratchDatabase } from './bench-support.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const PACE_MS = Number(process.env.BENCH_PACE_MS ?? 20);
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const name = `lumbung_bench_events_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  const url = scratch.url;
  const config = loadConfig({
    NODE_ENV: 'production', DATABASE_URL: url, JWT_SECRET: SECRET, LOG_LEVEL: 'silent', AUTO_SEED: 'false', GRAPHIQL: 'false',
    WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', DATABASE_POOL_SIZE: '20',
    RATE_LIMIT_USER_PER_MINUTE: '1000000', COST_BUDGET_MAX: '100000000', COST_BUDGET_RESTORE_PER_SECOND: '1000000',
  });
  const app = await buildApp(config, { logger: false });
  const receiver = createServer();
  let socket: WebSocket | null = null;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const db = app.database.db;
    const brand = await db.insertInto('brands').values({ name: 'Bench brand', commodity: 'COFFEE', fee_pct: '5.00' }).returning('id').executeTakeFirstOrThrow();
    const product = await db.insertInto('products').values({ brand_id: brand.id, name: 'Bench green', commodity: 'COFFEE', species: 'ARABICA', process: 'WASHED', form: 'GREEN' }).returningAll().executeTakeFirstOrThrow();
    const scheme = await db.insertInto('grade_schemes').values({ product_id: product.id, version: 1, preset: SNI_ARABICA_PRESET.code }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('grades').values(SNI_ARABICA_PRESET.grades.map((g) => ({
      scheme_id: scheme.id, code: g.code, label: g.label, rank: g.rank, max_defect: g.maxDefectValue, max_moisture: g.maxMoisturePct, min_cupping: g.minCuppingScore,
    }))).execute();
    const org = await db.insertInto('buyer_orgs').values({ name: 'Bench importer', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    const user = (email: string) => db.insertInto('users').values({ email, display_name: email, password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    const buyer = await user('buyer@bench.test');
    const manager = await user('manager@bench.test');
    await db.insertInto('role_grants').values([
      { user_id: buyer.id, role: 'BUYER', buyer_org_id: org.id, org_admin: true },
      { user_id: manager.id, role: 'BRAND_MANAGER', brand_id: brand.id },
    ]).execute();
    const orders = await db.insertInto('orders').values(Array.from({ length: EVENTS }, () => ({
      buyer_org_id: org.id, brand_id: brand.id, product_id: product.id, min_grade_rank: 3, min_grade_code: '3', quantity_g: 600_000,
      window_start: '2027-05-01', window_end: '2027-09-30', destination_country: 'EG', incoterm: 'FOB', price_minor_per_kg: 450, currency: 'USD',
      notes: null, placed_by: buyer.id,
    }))).returning('id').execute();

    // The receiver and the subscription timestamp each message by order id.
    const committedAt = new Map<number, number>();
    const webhookMs: number[] = [];
    const subscriptionMs: number[] = [];
    const orderIdOf = (gid: string) => Number(Buffer.from(gid, 'base64').toString().split(':')[1]);
    receiver.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        res.writeHead(204).end();
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { data: { order?: { id: string } } };
        const t0 = body.data.order ? committedAt.get(orderIdOf(body.data.order.id)) : undefined;
        if (t0 !== undefined) webhookMs.push(at - t0);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const buyerToken = app.jwt.sign({ sub: String(buyer.id) });
    const reg = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${buyerToken}` },
      payload: { query: `mutation R($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { __typename } }`,
        variables: { input: { organizationId: globalId('BuyerOrganization', org.id), url: hookUrl, eventTypes: ['order.rejected'] } } } });
    if (!reg.body.includes('IssuedWebhookSecret')) throw new Error(`registration failed: ${reg.body}`);

    const port = (app.server.address() as AddressInfo).port;
    socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    const ws = socket;
    let acked = false;
    ws.on('message', (raw: Buffer) => {
      const at = performance.now();
      const m = JSON.parse(String(raw)) as { type: string; payload?: { data?: { orderUpdated?: { id: string } } } };
      if (m.type === 'connection_ack') acked = true;
      const id = m.payload?.data?.orderUpdated?.id;
      const t0 = id ? committedAt.get(orderIdOf(id)) : undefined;
      if (m.type === 'next' && t0 !== undefined) subscriptionMs.push(at - t0);
    });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${buyerToken}` } }));
    while (!acked) await sleep(10);
    for (const o of orders) {
      ws.send(JSON.stringify({ id: String(o.id), type: 'subscribe', payload: { query: 'subscription S($id: ID!) { orderUpdated(orderId: $id) { id status } }', variables: { id: globalId('Order', o.id) } } }));
    }
    await sleep(1500);

    const principal = (await loadPrincipal(db, manager.id))!;
    const started = performance.now();
    for (const o of orders) {
      const next = started + committedAt.size * PACE_MS;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      await changeOrderStatus(db, principal, 'REJECTED', { orderId: o.id, reason: 'bench' });
      committedAt.set(o.id, performance.now());
    }
    const deadline = Date.now() + 30_000;
    while ((webhookMs.length < EVENTS || subscriptionMs.length < EVENTS) && Date.now() < deadline) await sleep(100);

    const report = (label: string, values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      const f = (v: number) => v.toFixed(1);
      console.log(`${label.padEnd(32)} n=${s.length}/${EVENTS}  p50 ${f(percentile(s, 50))} ms  p95 ${f(percentile(s, 95))} ms  p99 ${f(percentile(s, 99))} ms  max ${f(s.at(-1) ?? NaN)} ms`);
      return percentile(s, 99);
    };
    console.log(`${EVENTS} order.rejected events, one every ${PACE_MS} ms, PostgreSQL + graphile-worker, loopback receiver and WebSocket`);
    const p99s = [report('commit → webhook received', webhookMs), report('commit → subscription message', subscriptionMs)];
    if (webhookMs.length < EVENTS || subscriptionMs.length < EVENTS || p99s.some((p) => !(p < 250))) process.exitCode = 1;
  } finally {
    socket?.close();
    receiver.closeAllConnections();
    receiver.close();
    await app.close();
    await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
