import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractWorld, type ContractWorld } from '../contract/world.js';
import type { FastifyInstance } from 'fastify';
import { createTestApp, type LogLine, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import { connectWs } from './ws-client.js';

/**
 * Subscriptions keep the error contract and the request limits of POST /graphql (issue 8 §2–3):
 * a refused subscription answers with a coded error frame, the same for an invisible and an unknown
 * object; a document that is not valid GraphQL for the schema, nests too deep, has too many tokens
 * or aliases, or a frame that is not GraphQL-shaped, gets the code HTTP would give, never an engine
 * message; none of it writes an error-level log line, and the socket stays usable.
 */

const ORDER_UPDATED = /* GraphQL */ `subscription O($id: ID!) { orderUpdated(orderId: $id) { id status } }`;

let t: TestApp;
let app: FastifyInstance;
let world: ContractWorld;
let url: string;
const logLines: LogLine[] = [];
const sockets: Array<{ close(): void }> = [];

beforeAll(async () => {
  t = await createTestApp({}, { logTo: logLines });
  app = t.app;
  world = await createContractWorld(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  logLines.length = 0;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

async function open(token: string) {
  const c = await connectWs(url, token);
  sockets.push(c);
  await c.acked();
  return c;
}

/** The error frame's payload for one subscribe message (sent raw, so it may be anything). */
async function refusal(c: Awaited<ReturnType<typeof open>>, frame: unknown): Promise<Array<{ message: string; extensions?: Record<string, unknown> }>> {
  const before = c.messages.length;
  c.send(JSON.stringify(frame));
  await c.until(() => c.messages.slice(before).some((m) => m.type === 'error'));
  return c.messages.slice(before).find((m) => m.type === 'error')!.payload;
}

describe('subscriptions keep the error contract', () => {
  it('an invisible order and an unknown one give the same coded refusal', async () => {
    const outsider = await open(world.outsider.token);
    const ask = (id: string) => {
      const sub = outsider.subscribe(ORDER_UPDATED, { id });
      return outsider.until(() => outsider.errors(sub).length > 0).then(() => outsider.errors(sub)[0]);
    };
    const existing = await ask(gid('Order', world.existing.Order!));
    const unknown = await ask(gid('Order', 987_654_321));
    expect(existing).toEqual(unknown);
    expect(existing[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(existing[0].message).toBe('Order not found (orderId)');
  });

  it('refuses hostile documents and frames with the code HTTP gives, keeps the socket open, and logs no error', async () => {
    const c = await open(world.w.as.buyer.token);
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['an unknown field', { query: 'subscription { orderUpdated(orderId: "T3JkZXI6MQ==") { id nope } }' }, 'BAD_REQUEST', /Cannot query field "nope"/],
      ['a missing argument', { query: 'subscription { orderUpdated { id } }' }, 'BAD_USER_INPUT', /argument "orderId"/],
      ['an enum literal for an ID', { query: 'subscription { orderUpdated(orderId: 12.5) { id } }' }, 'BAD_USER_INPUT', /ID cannot represent/],
      ['too many aliases', { query: `subscription { orderUpdated(orderId: "T3JkZXI6MQ==") { ${Array.from({ length: 40 }, (_, i) => `a${i}: id`).join(' ')} } }` }, 'TOO_MANY_ALIASES', /aliases/],
      ['too many tokens', { query: `subscription { orderUpdated(orderId: "T3JkZXI6MQ==") { ${'id '.repeat(6000)} } }` }, 'BAD_REQUEST', /tokens/],
      ['nesting 3,000 deep', { query: `subscription { orderUpdated(orderId: ${'['.repeat(3000)}${']'.repeat(3000)}) { id } }` }, 'BAD_REQUEST', /nests brackets deeper/],
      ['variables nested 3,000 deep', { query: ORDER_UPDATED, variables: { id: JSON.parse('['.repeat(3000) + ']'.repeat(3000)) } }, 'BAD_REQUEST', /nest deeper/],
      ['a syntax error', { query: 'subscription {' }, 'BAD_REQUEST', /Syntax Error/],
      ['a numeric query', { query: 12 }, 'BAD_REQUEST', /"query" string/],
      ['no payload', undefined, 'BAD_REQUEST', /"query" string/],
    ];
    let n = 0;
    for (const [what, payload, code, message] of cases) {
      const [error] = await refusal(c, { id: `h${++n}`, type: 'subscribe', payload });
      expect([what, error?.extensions?.code], JSON.stringify(error)).toEqual([what, code]);
      expect(error!.message, what).toMatch(message);
      expect(error!.message, what).not.toMatch(/Maximum call stack|Cannot destructure|undefined/);
    }
    // The same socket still subscribes.
    const sub = c.subscribe(ORDER_UPDATED, { id: gid('Order', 987_654_321) });
    await c.until(() => c.errors(sub).length > 0);
    expect(c.errors(sub)[0][0].extensions.code).toBe('NOT_FOUND');
    expect(logLines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('refusals come in Indonesian for Accept-Language id on the upgrade request', async () => {
    const c = connectWs(url, world.w.as.buyer.token, { 'accept-language': 'id-ID' });
    const socket = await c;
    sockets.push(socket);
    await socket.acked();
    const [error] = await refusal(socket, { id: 'x', type: 'subscribe', payload: { query: 'subscription {' } });
    expect(error!.extensions?.code).toBe('BAD_REQUEST');
    expect(error!.message).toMatch(/^Permintaan ini bukan GraphQL yang valid/);
  });
});
