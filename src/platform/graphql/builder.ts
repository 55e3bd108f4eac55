import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { hasRole, isAdmin } from '../auth.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { Context } from './context.js';
import { decodeGlobalIdLeniently, isRowKey } from './ids.js';
import TextInputGuardPlugin from './input-guards.js';
import VisibilityPlugin from './visibility.js';

/**
 * The schema builder and its plugins; no types are defined here.
 *
 * Plugin order matters: relay first (so scopes see decoded global IDs), then errors (so it catches the
 * ForbiddenError that scope-auth throws and returns it as a typed union member), then scope-auth
 * (so authorization runs before dataloading and the resolver). The text input guard sits between errors
 * and scope-auth: control characters and lone surrogates in any argument are refused as a typed
 * ValidationError (input-guards.ts) before anything else runs. The visibility plugin sits between
 * scope-auth and the dataloader: a root field returning one nullable object answers null, like an
 * unknown ID, when the loaded object fails its type's scopes (visibility.ts). Input validation is zod in the
 * services (platform/validate.ts), so there is no Pothos validation plugin.
 *
 * Scopes are role-on-organisation checks; `*: 'any'` asks for the role on any organisation.
 * Ownership below the organisation (this producer's lot, this buyer's order) is checked by the
 * module's service or by the type's own `authScopes`.
 */
export interface AuthScopes {
  authenticated: boolean;
  admin: boolean;
  brandManager: number | 'any';
  curator: number | 'any';
  coopManager: number | 'any';
  producer: number | 'any';
  buyer: number | 'any';
}

export type Scalars = {
  DateTime: { Input: Date; Output: Date | string };
  Date: { Input: string; Output: string };
  /** Grams inside; exact decimal kilograms on the wire. */
  Weight: { Input: number; Output: number };
  Decimal: { Input: string; Output: string };
  GeoJSON: { Input: unknown; Output: unknown };
  /** A JSON-LD document (EPCIS), output only. */
  JsonLd: { Input: never; Output: unknown };
};

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: AuthScopes;
  Scalars: Scalars;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Connection: { totalCount?: never };
}>({
  plugins: [RelayPlugin, ErrorsPlugin, TextInputGuardPlugin, ScopeAuthPlugin, VisibilityPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    firstArgOptions: { description: 'How many results to return (1–100). Either first or last is required.' },
    decodeGlobalID: decodeGlobalIdLeniently,
    // An ID that is malformed, names no Node type or carries a key that is no positive int8 is
    // answered like an unknown one (null), before any query: even anonymous callers reach node().
    nodeQueryOptions: {
      description: 'Fetches any object by its global ID; null when unknown or not visible to you.',
      resolve: (_root, { id }, _ctx, info, resolveNode) => {
        const type = id.typename ? info.schema.getType(id.typename) : undefined;
        const isNodeType = type && 'getInterfaces' in type && type.getInterfaces().some((i) => i.name === 'Node');
        return isNodeType && isRowKey(id.id) ? resolveNode(id) : Promise.resolve(null);
      },
    },
    nodesQueryOptions: false,
    nodeTypeOptions: { description: 'An object with a global ID.' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    defaultConnectionTypeOptions: { description: 'A page of results.' },
    defaultEdgeTypeOptions: { description: 'One result and its cursor.' },
    idFieldOptions: { description: 'Opaque global ID.' },
    cursorFieldOptions: { description: 'Opaque cursor of this edge.' },
    nodeFieldOptions: { description: 'The object at this edge.' },
    // The connection field's own multiplier is the page size; edges must not multiply it again.
    edgesFieldOptions: { description: 'The results on this page.', complexity: { field: 0, multiplier: 1 } },
    pageInfoFieldOptions: { description: 'Pagination information.' },
    hasNextPageFieldOptions: { description: 'Whether more results follow.' },
    hasPreviousPageFieldOptions: { description: 'Whether results precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first result.' },
    endCursorFieldOptions: { description: 'Cursor of the last result.' },
    beforeArgOptions: { description: 'Return results before this cursor.' },
    afterArgOptions: { description: 'Return results after this cursor.' },
    lastArgOptions: { description: 'How many results to return from the end (1–100).' },
  },
  errors: {
    directResult: true,
    defaultTypes: [],
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Result`,
      description: 'The outcome of a mutation: its payload, or one of the expected errors (see Error).',
    },
  },
  scopeAuth: {
    runScopesOnType: true,
    treatErrorsAsUnauthorized: false,
    unauthorizedError: (_parent, context) =>
      context.principal ? new ForbiddenError() : new UnauthenticatedError(),
    authScopes: (ctx) => {
      const p = ctx.principal;
      const roleCheck = (role: Parameters<typeof hasRole>[1]) => (org: number | 'any') =>
        hasRole(p, role, org === 'any' ? undefined : org);
      return {
        authenticated: p !== null,
        admin: isAdmin(p),
        brandManager: roleCheck('BRAND_MANAGER'),
        curator: roleCheck('CURATOR'),
        coopManager: roleCheck('COOP_MANAGER'),
        producer: roleCheck('PRODUCER'),
        buyer: roleCheck('BUYER'),
      };
    },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
  },
});

builder.queryType({ description: 'Read the pooled supply, orders and their provenance.' });
builder.mutationType({ description: 'Change the pooled supply and orders. Each mutation is one transaction.' });
builder.subscriptionType({ description: 'Live changes over WebSocket (graphql-transport-ws), published after commit from the outbox.' });
