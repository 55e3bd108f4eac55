import { type GraphQLField, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import { argumentsFor, documentFor, idSlots, type Slot, slotTypesOf } from './schema-walk.js';
import { createContractWorld, type ContractWorld } from './world.js';

/**
 * Issue 8 done-means: every root field (query and mutation, listed from the schema, so a new field
 * is walked automatically) called by an unauthorised caller with the ID of an object that exists
 * and the ID of one that doesn't gives the same answer, once the ID itself is replaced in it.
 * Callers: anonymous, and an outsider holding every non-admin role on organisations of their own.
 * An object the caller may see (node(id) answers it: brands and products are public) is skipped.
 */

const schema = buildSchema();
const nodeTypes = Object.values(schema.getTypeMap())
  .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
  .map((t) => t.name);
const roots = [
  ...Object.values(schema.getQueryType()!.getFields()).map((f) => ['query', f] as const),
  ...Object.values(schema.getMutationType()!.getFields()).map((f) => ['mutation', f] as const),
];

const MISSING_KEY = 987_654_321;
const NODE = /* GraphQL */ `query ($id: ID!) { node(id: $id) { __typename } }`;

let t: TestApp;
let world: ContractWorld;

beforeAll(async () => {
  t = await createTestApp();
  world = await createContractWorld(t);
}, 120_000);
afterAll(() => t?.close());

const encode = (type: string, key: number) => (type === 'RoleGrant' ? String(key) : gid(type, key));

/** The answer with volatile parts removed: the cost extension and the ID under test. */
function normalise(res: { statusCode: number; data: unknown; errors?: unknown }, id: string): string {
  return JSON.stringify({ status: res.statusCode, data: res.data ?? null, errors: res.errors ?? [] }).replaceAll(id, '<ID>');
}

const visibleCache = new Map<string, boolean>();
async function visibleTo(token: string | null, type: string): Promise<boolean> {
  if (!nodeTypes.includes(type)) return false;
  const key = `${token}:${type}`;
  if (!visibleCache.has(key)) {
    const res = await t.gql(NODE, { id: gid(type, world.existing[type]!) }, token);
    visibleCache.set(key, res.data?.node?.__typename === type);
  }
  return visibleCache.get(key)!;
}

async function call(op: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, slot: Slot | null, id: string | null, token: string | null, all = false) {
  const idFor = (name: string, path: string[]) => {
    if (slot && id !== null && path.join('.') === slot.path.join('.')) return id;
    const type = name === 'id' ? (field.name === 'node' ? 'Lot' : String(field.type).replace(/[![\]]/g, '')) : (slotTypesOf(field.name, name)?.[0] ?? 'Lot');
    return encode(type, world.existing[type] ?? MISSING_KEY);
  };
  const args = argumentsFor(field, slot?.path ?? null, idFor, all);
  const res = await t.gql(documentFor(schema, op, field, args), args, token);
  return res;
}


describe('the walk: exists-but-invisible answers exactly like unknown, for every root field', () => {
  it('knows the type of every ID argument of every root field', () => {
    for (const [, field] of roots) expect(() => idSlots(field, nodeTypes)).not.toThrow();
    expect(roots.length).toBeGreaterThan(80);
  });

  for (const caller of ['anonymous', 'outsider'] as const) {
    it(`as ${caller}`, async () => {
      const token = caller === 'anonymous' ? null : world.outsider.token;
      const differences: string[] = [];
      const failures: string[] = [];
      let compared = 0;
      for (const [op, field] of roots) {
        const slots = idSlots(field, nodeTypes);
        if (slots.length === 0) {
          const res = await call(op, field, null, null, token);
          if (res.statusCode >= 500 || JSON.stringify(res).includes('Internal error')) failures.push(`${field.name}: ${JSON.stringify(res)}`);
          continue;
        }
        for (const slot of slots) {
          for (const type of slot.types) {
            if (world.existing[type] === undefined) {
              failures.push(`${field.name}.${slot.path.join('.')}: the world has no ${type}`);
              continue;
            }
            if (await visibleTo(token, type)) continue;
            const existsId = encode(type, world.existing[type]!);
            const missingId = encode(type, MISSING_KEY);
            // Required fields only, then every field (past "nothing to change" and optional-field checks).
            for (const all of [false, true]) {
              const exists = await call(op, field, slot, existsId, token, all);
              const missing = await call(op, field, slot, missingId, token, all);
              compared += 1;
              for (const res of [exists, missing]) {
                if (res.statusCode >= 500 || JSON.stringify(res).includes('Internal error')) failures.push(`${field.name}: ${JSON.stringify(res)}`);
              }
              const a = normalise(exists, existsId);
              const b = normalise(missing, missingId);
              if (process.env.WALK_DEBUG) console.log(`WALK ${caller} ${field.name}(${slot.path.join('.')}=${type}${all ? ' all' : ''}) ${b.slice(0, 200)}`);
              if (a !== b) differences.push(`${field.name}(${slot.path.join('.')} = ${type}${all ? ', every field' : ''}):\n    exists:  ${a}\n    missing: ${b}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(differences.join('\n')).toBe('');
      expect(compared).toBeGreaterThan(50);
    }, 240_000);
  }
});
