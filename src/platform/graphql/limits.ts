import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, type ValidationRule } from 'graphql';

/**
 * Query limits beyond Mercurius's own (depth through fragments, batching, token count):
 *
 * - `aliasLimitRule` is a static validation rule, so Mercurius keeps caching parse + validation.
 * - Complexity depends on the variables (`first: $n`), so it cannot be a cached validation rule
 *   (Mercurius refuses function-valued rules together with its cache). It runs in the
 *   `preExecution` hook instead, on the already parsed and validated (cached) document, before any
 *   resolver runs. It costs one walk of the document per request.
 */

export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context) => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (node.alias && node.alias.value !== node.name.value) aliases += 1;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(`Query uses more than ${maxAliases} aliases`, { nodes: [node], extensions: { code: 'TOO_MANY_ALIASES' } }),
          );
        }
      },
    };
  };
}

export class ComplexityLimitError extends GraphQLError {
  constructor(complexity: number, max: number) {
    super(`Query complexity ${complexity} exceeds the limit of ${max}`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', complexity, max },
    });
  }
}

export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  context: object,
  variables: Record<string, unknown> | undefined,
  max: number,
): number {
  // Introspection-only documents (GraphiQL's schema fetch) are cheap and bounded by depth; skip them.
  const onlyIntrospection = document.definitions.every(
    (d) =>
      d.kind !== Kind.OPERATION_DEFINITION ||
      d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__')),
  );
  if (onlyIntrospection) return 0;
  const { complexity } = complexityFromQuery(document, { schema, ctx: context, variables: variables ?? {} });
  if (complexity > max) throw new ComplexityLimitError(complexity, max);
  return complexity;
}
