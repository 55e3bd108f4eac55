import SchemaBuilder, { BasePlugin, getTypeBrand, isThenable, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { RequestCache } from '@pothos/plugin-scope-auth';
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';

/**
 * What a caller may not see looks exactly like what does not exist (issue 8 §1). A root Query
 * field that returns one nullable object by ID (`node`, `lot`, `order`, `shipment`, `brand`, …)
 * answers `null` for an unknown ID; without this plugin an object that exists but fails its type's
 * `authScopes` would come back as null *plus* a FORBIDDEN error, which tells the caller it exists.
 *
 * The plugin wraps those fields (outside the dataloader, so it sees the loaded row) and runs the
 * resolved object's type scopes itself, through scope-auth's request cache (so the isTypeOf check
 * that follows for a visible object reuses the outcome): a failure answers `null`, no error.
 * Nested fields are left alone: there, a forbidden object is an error on that field only.
 */

const pluginName = 'visibility';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      visibility: VisibilityPlugin<Types>;
    }
  }
}

type Failure = object | null;
type TypeScopes = ((parent: unknown, ctx: unknown) => unknown) | Record<string, unknown> | boolean;

export class VisibilityPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const { type } = fieldConfig;
    if (fieldConfig.parentType !== 'Query' || type.kind === 'List' || !type.nullable) return resolver;
    if (type.kind !== 'Object' && type.kind !== 'Interface') return resolver;
    const declared = this.buildCache.getTypeConfig(type.ref);
    const builder = this.builder;
    const buildCache = this.buildCache;

    /** The failure of the object's own type scopes, or null when it may be seen (or its type has none). */
    const check = (value: unknown, context: Types['Context'], info: GraphQLResolveInfo): Failure | Promise<Failure> => {
      const brand = declared.graphqlKind === 'Object' ? declared.name : getTypeBrand(value);
      if (!brand) return null;
      const typeConfig = buildCache.getTypeConfig(brand as string);
      const scopes = (typeConfig.pothosOptions as { authScopes?: TypeScopes }).authScopes;
      if (scopes === undefined) return null;
      const cache = RequestCache.fromContext(context, builder);
      return typeof scopes === 'function'
        ? (cache.evaluateTypeScopeFunction(scopes as never, typeConfig.name, value, info) as Failure | Promise<Failure>)
        : (cache.evaluateScopeMap(scopes as never, info) as Failure | Promise<Failure>);
    };

    return (parent, args, context, info) => {
      const finish = (value: unknown): unknown => {
        if (value === null || value === undefined || value instanceof Error) return value;
        const failure = check(value, context, info);
        return isThenable(failure) ? Promise.resolve(failure).then((f) => (f ? null : value)) : failure ? null : value;
      };
      const result = resolver(parent, args, context, info);
      return isThenable(result) ? Promise.resolve(result).then(finish) : finish(result);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, VisibilityPlugin);

export default pluginName;
