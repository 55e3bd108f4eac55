import type { DocumentNode, GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Principal } from '../../platform/auth.js';
import { scopeViolation, USERS_ONLY } from './scopes.js';

export class InsufficientScopeError extends GraphQLError {
  constructor(field: string, needs: string) {
    super(
      needs === USERS_ONLY
        ? `${field} is for people only; machine clients cannot use it`
        : needs === 'unmapped'
          ? `${field} is not available to machine clients`
          : `The token lacks the scope ${needs} needed for ${field}`,
      { extensions: { code: 'INSUFFICIENT_SCOPE', field, ...(needs !== USERS_ONLY && needs !== 'unmapped' ? { scope: needs } : {}) } },
    );
  }
}

/**
 * The one place scopes are enforced: before execution, every root field of the operation must be
 * allowed by the client token's scopes (ROOT_FIELD_SCOPES). User tokens pass (their roles decide).
 */
export function enforceScopes(
  schema: GraphQLSchema,
  document: DocumentNode,
  principal: Principal | null,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): void {
  if (!principal?.client) return;
  const violation = scopeViolation(document, operationName, variables, principal.client.scopes, schema);
  if (violation) throw new InsufficientScopeError(violation.field, violation.needs);
}
