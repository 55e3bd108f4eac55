import { readFileSync } from 'node:fs';
import { type GraphQLField, type GraphQLObjectType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema.js';

/** Root fields anyone may call: signing in, and `node`, whose types each carry their own scopes. */
const PUBLIC_ROOT_FIELDS = new Set(['Mutation.login', 'Query.node']);

const pothosOptions = (x: { extensions?: unknown }) =>
  ((x.extensions ?? {}) as { pothosOptions?: { authScopes?: unknown } }).pothosOptions ?? {};

describe('schema', () => {
  const schema = buildSchema();

  it('matches schema/schema.graphql (run npm run schema:print after changing the code)', () => {
    const file = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(file).toBe(`${printSchema(schema)}\n`);
  });

  it('has an auth scope on every root field (default deny)', () => {
    const unguarded: string[] = [];
    for (const root of [schema.getQueryType(), schema.getMutationType()]) {
      for (const field of Object.values(root!.getFields()) as GraphQLField<unknown, unknown>[]) {
        const name = `${root!.name}.${field.name}`;
        if (!PUBLIC_ROOT_FIELDS.has(name) && pothosOptions(field).authScopes === undefined) unguarded.push(name);
      }
    }
    expect(unguarded).toEqual([]);
  });

  it('has type-level auth scopes on every Node type (node(id:) relies on them)', () => {
    const nodeTypes = Object.values(schema.getTypeMap()).filter(
      (t): t is GraphQLObjectType => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'),
    );
    expect(nodeTypes.length).toBeGreaterThan(0);
    expect(nodeTypes.filter((t) => pothosOptions(t).authScopes === undefined).map((t) => t.name)).toEqual([]);
  });

  it('describes every type, field, argument, input field and enum value (the schema is the partner apps\' documentation)', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });
});
