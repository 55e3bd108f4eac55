import { type ASTNode, type ASTVisitor, GraphQLError, Kind, type ValidationContext, type ValueNode } from 'graphql';

/**
 * Input paths for GraphQL's own input errors (issue 8 §3). An unknown enum value, "abc" for a
 * Decimal, GeoJSON sent as a string or 2027-02-30 for a Date fails GraphQL validation (literals) or
 * variable coercion (variables) before any resolver runs; the answer stays HTTP 400, but carries
 * `extensions.code = BAD_USER_INPUT` and `extensions.path`, the dotted input path as a
 * ValidationIssue names it (`input.moisturePct`, `input.rows.2.name`), so a client can put the
 * message next to the field without parsing text.
 *
 * A validation rule (it reports nothing) records the input path of every argument value node and
 * of every variable definition where the variable is used; the error formatter looks the error's
 * node up. Keys are AST nodes (weakly held): Mercurius caches parsed documents, so a cached
 * document keeps its paths.
 */

const nodePaths = new WeakMap<ASTNode, string>();
const variablePaths = new WeakMap<ASTNode, string>();

export function inputPathRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(operation) {
      const definitions = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
      const record = (node: ValueNode, path: string) => {
        nodePaths.set(node, path);
        if (node.kind === Kind.OBJECT) {
          for (const field of node.fields) {
            nodePaths.set(field, `${path}.${field.name.value}`);
            record(field.value, `${path}.${field.name.value}`);
          }
        } else if (node.kind === Kind.LIST) {
          node.values.forEach((value, i) => record(value, `${path}.${i}`));
        } else if (node.kind === Kind.VARIABLE) {
          const definition = definitions.get(node.name.value);
          if (definition && !variablePaths.has(definition)) variablePaths.set(definition, path);
        }
      };
      // Arguments anywhere in the operation (fragments are rare for inputs; their values keep no path).
      const visit = (node: { selectionSet?: { selections: readonly unknown[] } }) => {
        for (const selection of (node.selectionSet?.selections ?? []) as Array<{ kind: string; arguments?: readonly { name: { value: string }; value: ValueNode }[] }>) {
          if (selection.kind === Kind.FIELD) for (const arg of selection.arguments ?? []) record(arg.value, arg.name.value);
          visit(selection as never);
        }
      };
      visit(operation);
      void context;
    },
  };
}

/** The part of a GraphQL message that names a field of an input object, e.g. `Field "PlaceOrderInput.notes" of required type`. */
const MISSING_FIELD = /^Field "(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)" of required type/;
const UNKNOWN_FIELD = /^Field "([A-Za-z_]\w*)" is not defined by type/;
const MISSING_ARGUMENT = /^Argument "[A-Za-z_]\w*\(([A-Za-z_]\w*):\)" of type .* is required, but it was not provided\.|^Field "[A-Za-z_]\w*" argument "([A-Za-z_]\w*)" of type .* is required, but it was not provided\./;
const VARIABLE = /^Variable "\$[A-Za-z_]\w*" got invalid value .*?(?: at "[A-Za-z_]\w*((?:\.[A-Za-z_]\w*|\[\d+\])*)")?; (.*)$/s;

/** The field a message says is missing or unknown, appended to the path of the object it is about. */
function withFieldOf(path: string, detail: string): string {
  const field = MISSING_FIELD.exec(detail)?.[1] ?? UNKNOWN_FIELD.exec(detail)?.[1];
  return field ? `${path}.${field}` : path;
}

/**
 * The input path a GraphQL input error is about, or null when it is not about an input value
 * (syntax, unknown fields of the selection, limits, …).
 */
export function inputPathOf(error: GraphQLError): string | null {
  const node = error.nodes?.[0];
  if (!node) return null;
  if (node.kind === Kind.VARIABLE_DEFINITION) {
    const base = variablePaths.get(node);
    const match = VARIABLE.exec(error.message);
    if (!base || !match) return null;
    const inner = (match[1] ?? '').replace(/\[(\d+)\]/g, '.$1');
    return withFieldOf(`${base}${inner}`, match[2] ?? '');
  }
  if (node.kind === Kind.FIELD) {
    const match = MISSING_ARGUMENT.exec(error.message);
    return match ? (match[1] ?? match[2] ?? null) : null;
  }
  const path = nodePaths.get(node);
  if (path === undefined) return null;
  // An ObjectField node already names its field; an object value names the field a message is about.
  return node.kind === Kind.OBJECT ? withFieldOf(path, error.message) : path;
}

/**
 * Wrap a scalar's parseLiteral so that its refusal keeps the literal's node: GraphQL's validation
 * reports a GraphQLError thrown there as it is, and one without nodes has no location and no path.
 */
export function keepNode<A extends unknown[], R>(parse: (ast: ValueNode, ...rest: A) => R): (ast: ValueNode, ...rest: A) => R {
  return (ast, ...rest) => {
    try {
      return parse(ast, ...rest);
    } catch (e) {
      if (e instanceof GraphQLError && !e.nodes) throw new GraphQLError(e.message, { nodes: ast });
      throw e;
    }
  };
}
