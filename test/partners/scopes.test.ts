import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  NODE_TYPE_SCOPES, ROLE_SCOPES, ROOT_FIELD_SCOPES, SCOPE_NAMES, scopeViolation,
} from '../../src/modules/partners/scopes.js';
import { buildSchema } from '../../src/schema.js';
import { withScopeTable } from '../../scripts/print-partner-docs.js';

describe('scope mapping (default deny for machine clients)', () => {
  const schema = buildSchema();

  it('maps every root field of Query, Mutation and Subscription to a scope (or public / people-only); a new field without one fails here', () => {
    const unmapped = [
      ...Object.keys(schema.getQueryType()!.getFields()).filter((f) => !Object.hasOwn(ROOT_FIELD_SCOPES.query, f)).map((f) => `Query.${f}`),
      ...Object.keys(schema.getMutationType()!.getFields()).filter((f) => !Object.hasOwn(ROOT_FIELD_SCOPES.mutation, f)).map((f) => `Mutation.${f}`),
      ...Object.keys(schema.getSubscriptionType()?.getFields() ?? {}).filter((f) => !Object.hasOwn(ROOT_FIELD_SCOPES.subscription, f)).map((f) => `Subscription.${f}`),
    ];
    expect(unmapped).toEqual([]);
  });

  it('maps no field that does not exist (the table stays honest)', () => {
    const stale = [
      ...Object.keys(ROOT_FIELD_SCOPES.query).filter((f) => !schema.getQueryType()!.getFields()[f]),
      ...Object.keys(ROOT_FIELD_SCOPES.mutation).filter((f) => !schema.getMutationType()!.getFields()[f]),
    ];
    expect(stale).toEqual([]);
  });

  it('maps every Node type, so node(id:) is scope-checked by the type its ID names', () => {
    const nodeTypes = schema.getPossibleTypes(schema.getType('Node') as never).map((t) => t.name);
    expect(nodeTypes.filter((n) => !Object.hasOwn(NODE_TYPE_SCOPES, n))).toEqual([]);
  });

  it('uses only known scopes, and no role grants a scope outside the list', () => {
    const rules = [...Object.values(ROOT_FIELD_SCOPES.query), ...Object.values(ROOT_FIELD_SCOPES.mutation), ...Object.values(NODE_TYPE_SCOPES)];
    const known = new Set<string>([...SCOPE_NAMES, 'public', 'users-only', 'by-node-type']);
    expect(rules.filter((r) => !known.has(r))).toEqual([]);
    for (const scopes of Object.values(ROLE_SCOPES)) expect(scopes.filter((s) => !SCOPE_NAMES.includes(s))).toEqual([]);
    expect(ROLE_SCOPES.BUYER).not.toContain('lots:write');
  });

  it('given an unmapped field in a document, when checking scopes, then it is refused', () => {
    expect(scopeViolation(parse('{ somethingNew }'), undefined, {}, SCOPE_NAMES)).toEqual({ field: 'somethingNew', needs: 'unmapped' });
    expect(scopeViolation(parse('{ brands(first: 1) { edges { cursor } } }'), undefined, {}, ['catalog:read'])).toBeNull();
    expect(scopeViolation(parse('query A { __typename } mutation B { login(input: {email: "", password: ""}) { __typename } }'), 'B', {}, [])).toBeNull();
  });

  it('keeps the README scope table printed from code (npm run docs:scopes)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withScopeTable(readme)).toBe(readme);
  });
});
