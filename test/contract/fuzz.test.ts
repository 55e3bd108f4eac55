import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import {
  type GraphQLField, type GraphQLInputType, getNullableType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema.js';
import type { FastifyInstance } from 'fastify';
import { createTestApp, type LogLine, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import { documentFor } from './schema-walk.js';
import { createContractWorld, type ContractWorld } from './world.js';
import { connectWs } from '../events/ws-client.js';

/**
 * Issue 8 done-means: property-based fuzzing of every root field's arguments, built from the
 * schema's input types (so a new field or input is fuzzed automatically), sent as variables by each
 * role (anonymous, admin, brand manager, curator, cooperative manager, producer, buyer, and an
 * outsider with every role on organisations of their own). A run fails on any 5xx, any "Internal
 * error" and any error-level log line a request caused. The budget is bounded for CI: FUZZ_RUNS
 * requests (default 300) with a fixed seed (FUZZ_SEED; fast-check prints the seed and the
 * shrunk counterexample on failure). FUZZ_STATS=1 prints how the answers were distributed.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20270801);
const SUBSCRIPTION_RUNS = Number(process.env.FUZZ_SUBSCRIPTION_RUNS ?? 60);

const schema = buildSchema();
const roots = [
  ...Object.values(schema.getQueryType()!.getFields()).map((f) => ['query', f] as const),
  ...Object.values(schema.getMutationType()!.getFields()).map((f) => ['mutation', f] as const),
];

let world: ContractWorld;
let t: TestApp;
let app: FastifyInstance;
const logLines: LogLine[] = [];
const tokens: Record<string, string | null> = {};

beforeAll(async () => {
  t = await createTestApp({}, { logTo: logLines });
  app = t.app;
  world = await createContractWorld(t);
  const as = world.w.as;
  Object.assign(tokens, {
    anonymous: null, admin: as.admin.token, brandManager: as.brandManager.token, curator: as.curator.token, coopManager: as.coopManager.token,
    producer: as.producer.token, buyer: as.buyer.token, outsider: world.outsider.token,
  });
  logLines.length = 0;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

// Arbitraries ----------------------------------------------------------------------------------

const HOSTILE_TEXT = ['', ' ', '\u0000', 'a\ud800b', '\u202e', "'; drop table lots; --", '{"$gt":""}', '💥'.repeat(50), 'x'.repeat(5000), '<script>', '../../etc/passwd'];
const text = fc.oneof(fc.constantFrom(...HOSTILE_TEXT), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
const numberish = fc.oneof(
  fc.constantFrom('0', '-1', '1', '0.5', '19200', '1000000.001', '1e9', 'NaN', 'Infinity', '-0', '12.3456789', '99999999999999999999', '', 'abc'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
  fc.integer(),
);
const date = fc.oneof(
  fc.constantFrom('2027-05-01', '2027-09-30', '2026-11-02', '2027-02-30', '2027-13-01', '1999-12-31', '2200-01-01', '0000-00-00', '2027-5-1', ''),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2300-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  text,
);
const dateTime = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2027-02-30T00:00:00Z', 'yesterday'), text);
const geojson = fc.oneof(
  fc.constant({ type: 'Point', coordinates: [113.8214501, -7.9131234] }),
  fc.constant({ type: 'Polygon', coordinates: [[[113.8, -7.9], [113.81, -7.9], [113.81, -7.91], [113.8, -7.91], [113.8, -7.9]]] }),
  fc.constant({ type: 'LineString', coordinates: [[113.8, -7.9], [113.81, -7.9]] }),
  fc.constant({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] }),
  fc.constant({ type: 'Point', coordinates: [200, 100] }),
  fc.constant('{"type":"Point","coordinates":[113.8,-7.9]}'),
  fc.jsonValue({ maxDepth: 3 }),
);

/** IDs: existing objects of every type (the world's), unknown keys, malformed and hostile strings. */
const idArb = (): fc.Arbitrary<string> => {
  const existing = Object.entries(world.existing).map(([type, key]) => (type === 'RoleGrant' ? String(key) : gid(type, key)));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...existing) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.keys(world.existing)).chain((type) => fc.constantFrom(0, -1, 987_654_321, 2 ** 53).map((k) => Buffer.from(`${type}:${k}`).toString('base64'))) },
    { weight: 1, arbitrary: fc.constantFrom('', 'abc', '===', Buffer.from('Lot:1.5').toString('base64'), Buffer.from('Nope:1').toString('base64'), '1', '99999999999999999999') },
    { weight: 1, arbitrary: text },
  );
};

function scalarArb(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case 'ID': return idArb();
    case 'String': return text;
    case 'Int': return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2025, 2 ** 31 - 1, -(2 ** 31)));
    case 'Float': return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'Boolean': return fc.boolean();
    case 'Decimal':
    case 'Weight': return numberish;
    case 'Date': return date;
    case 'DateTime': return dateTime;
    case 'GeoJSON': return geojson;
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

const cache = new Map<string, fc.Arbitrary<unknown>>();
function inputArb(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const inner = getNullableType(type);
  const nullable = !isNonNullType(type);
  let arb: fc.Arbitrary<unknown>;
  if (isListType(inner)) {
    arb = fc.array(inputArb(inner.ofType, depth + 1), { maxLength: depth > 2 ? 1 : 3 });
  } else if (isEnumType(inner)) {
    arb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...inner.getValues().map((v) => v.value)) }, { weight: 1, arbitrary: text });
  } else if (isScalarType(inner)) {
    arb = scalarArb(inner.name);
  } else if (isInputObjectType(inner)) {
    const key = inner.name;
    if (!cache.has(key)) {
      cache.set(key, fc.constant({})); // a placeholder breaks recursion
      const fields = Object.values(inner.getFields());
      const required = Object.fromEntries(fields.filter((f) => isNonNullType(f.type)).map((f) => [f.name, inputArb(f.type, depth + 1)]));
      const optional = Object.fromEntries(fields.filter((f) => !isNonNullType(f.type)).map((f) => [f.name, inputArb(f.type, depth + 1)]));
      cache.set(key, fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) }));
    }
    arb = cache.get(key)!;
  } else {
    arb = fc.constant(null);
  }
  return nullable ? fc.option(arb, { nil: null, freq: 8 }) : arb;
}

function argsArb(field: GraphQLField<unknown, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const required = Object.fromEntries(field.args.filter((a) => isNonNullType(a.type)).map((a) => [a.name, inputArb(a.type)]));
  const optional = Object.fromEntries(field.args.filter((a) => !isNonNullType(a.type)).map((a) => [a.name, inputArb(a.type)]));
  return fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) }) as fc.Arbitrary<Record<string, unknown>>;
}

const stats = new Map<string, number>();

// The property ----------------------------------------------------------------------------------

describe('fuzzing every root field with schema-shaped input, as each role', () => {
  it(`${RUNS} requests: no 5xx, no "Internal error", no error-level log line`, async () => {
    const request = fc.constantFrom(...roots).chain(([op, field]) =>
      fc.record({ op: fc.constant(op), field: fc.constant(field), args: argsArb(field), role: fc.constantFrom(...Object.keys(tokens)) }),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ op, field, args, role }) => {
        const before = logLines.length;
        const query = documentFor(schema, op, field, args);
        const res = await app.inject({
          method: 'POST', url: '/graphql',
          headers: { 'content-type': 'application/json', ...(tokens[role] ? { authorization: `Bearer ${tokens[role]}` } : {}) },
          payload: { query, variables: args },
        });
        const errorLogs = logLines.slice(before).filter((l) => l.level >= 50);
        const where = `${role} ${field.name} ${JSON.stringify(args).slice(0, 400)} → ${res.statusCode} ${res.body.slice(0, 400)} ${JSON.stringify(errorLogs).slice(0, 400)}`;
        if (process.env.FUZZ_STATS) {
          const outcome = `${res.statusCode} ${Object.values(res.json().data ?? {}).map((v) => (v === null ? 'null' : ((v as { __typename?: string }).__typename ?? 'value'))).join()}`;
          stats.set(outcome, (stats.get(outcome) ?? 0) + 1);
        }
        expect(res.statusCode, where).toBeLessThan(500);
        expect(res.body, where).not.toMatch(/Internal error/);
        expect(errorLogs, where).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    if (process.env.FUZZ_STATS) console.log([...stats].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join('\n'));
  }, 300_000);

  it(`${SUBSCRIPTION_RUNS} subscriptions over a WebSocket: each answered (data, or a coded error frame), never "Internal error" or an engine message, no error-level log line`, async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
    const subscriptionRoots = Object.values(schema.getSubscriptionType()!.getFields());
    const roles = Object.keys(tokens).filter((r) => tokens[r] !== null);
    const sockets = new Map<string, Awaited<ReturnType<typeof connectWs>>>();
    try {
      for (const role of roles) {
        const socket = await connectWs(url, tokens[role]!);
        await socket.acked();
        sockets.set(role, socket);
      }
      const request = fc.record({ field: fc.constantFrom(...subscriptionRoots), role: fc.constantFrom(...roles) })
        .chain(({ field, role }) => fc.record({ field: fc.constant(field), role: fc.constant(role), args: argsArb(field) }));
      await fc.assert(
        fc.asyncProperty(request, async ({ field, role, args }) => {
          const before = logLines.length;
          const socket = sockets.get(role)!;
          const id = socket.subscribe(documentFor(schema, 'subscription', field, args), args);
          // A subscription that is accepted stays silent until an event; a refused one answers at once.
          await socket.until(() => socket.errors(id).length > 0, 300).catch(() => undefined);
          const errors = socket.errors(id).flat() as Array<{ message: string; extensions?: { code?: string } }>;
          const where = `${role} ${field.name} ${JSON.stringify(args).slice(0, 300)} → ${JSON.stringify(errors).slice(0, 400)}`;
          for (const error of errors) {
            expect(error.extensions?.code, where).toMatch(/^[A-Z_]+$/);
            expect(error.extensions?.code, where).not.toBe('INTERNAL');
            expect(error.message, where).not.toMatch(/Internal error|Maximum call stack|Cannot (read|destructure)|invalid input syntax/);
          }
          expect(logLines.slice(before).filter((l) => l.level >= 50), where).toEqual([]);
        }),
        { numRuns: SUBSCRIPTION_RUNS, seed: SEED, endOnFailure: true },
      );
    } finally {
      for (const socket of sockets.values()) socket.close();
    }
  }, 300_000);
});
