import { complexityFromQuery } from '@pothos/plugin-complexity';
import { type DocumentNode, GraphQLError, type GraphQLSchema, Kind, TypeInfo, type ValidationRule, visit, visitWithTypeInfo } from 'graphql';

/**
 * Query limits beyond Mercurius's own (depth through fragments, batching, token count):
 *
 * - `aliasLimitRule` is a static validation rule, so Mercurius keeps caching parse + validation.
 * - Complexity depends on the variables (`first: $n`), so it cannot be a cached validation rule
 *   (Mercurius refuses function-valued rules together with its cache). It runs in the
 *   `preExecution` hook instead, on the already parsed and validated (cached) document, before any
 *   resolver runs. The walk is cached per document (Mercurius hands the same parsed document for
 *   the same text) and per the values of the variables it can depend on: those used in the
 *   arguments of fields whose complexity is a function (`first: $n` of a connection). A document
 *   without such fields (`{ __typename }`, the availability query) is walked once. Complexity
 *   functions must therefore depend on their arguments only (connectionComplexity does), not on
 *   the context.
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

/** Cached complexities of one document: the variables they depend on, and the result per their values. */
interface DocumentComplexity {
  onlyIntrospection: boolean;
  variables: readonly string[];
  results: Map<string, number>;
}

/** Results kept per document (distinct values of its complexity variables); then the map starts over. */
const RESULTS_PER_DOCUMENT = 64;
const cache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentComplexity>>();

/** The variables used in the arguments of fields whose complexity is a function of their arguments. */
export function complexityVariables(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(document, visitWithTypeInfo(typeInfo, {
    Field(node) {
      if (typeof typeInfo.getFieldDef()?.extensions?.complexity !== 'function') return;
      for (const arg of node.arguments ?? []) {
        visit(arg.value, { Variable: (v) => { names.add(v.name.value); } });
      }
    },
  }));
  return [...names].sort();
}

function documentComplexity(schema: GraphQLSchema, document: DocumentNode): DocumentComplexity {
  let bySchema = cache.get(schema);
  if (!bySchema) cache.set(schema, (bySchema = new WeakMap()));
  let entry = bySchema.get(document);
  if (!entry) {
    // Introspection-only documents (GraphiQL's schema fetch) are cheap and bounded by depth; skip them.
    const onlyIntrospection = document.definitions.every(
      (d) =>
        d.kind !== Kind.OPERATION_DEFINITION ||
        d.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__')),
    );
    entry = { onlyIntrospection, variables: onlyIntrospection ? [] : complexityVariables(schema, document), results: new Map() };
    bySchema.set(document, entry);
  }
  return entry;
}

export function checkComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  context: object,
  variables: Record<string, unknown> | undefined,
  max: number,
): number {
  const entry = documentComplexity(schema, document);
  if (entry.onlyIntrospection) return 0;
  // Absent ([]) and null ([null]) differ: an absent variable takes its declared default.
  const key = entry.variables.length === 0
    ? ''
    : JSON.stringify(entry.variables.map((name) => (variables && Object.hasOwn(variables, name) ? [variables[name]] : [])));
  let complexity = entry.results.get(key);
  if (complexity === undefined) {
    complexity = complexityFromQuery(document, { schema, ctx: context, variables: variables ?? {} }).complexity;
    if (entry.results.size >= RESULTS_PER_DOCUMENT) entry.results.clear();
    entry.results.set(key, complexity);
  }
  if (complexity > max) throw new ComplexityLimitError(complexity, max);
  return complexity;
}
