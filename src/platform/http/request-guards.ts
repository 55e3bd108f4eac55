import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The shape of a GraphQL request, checked before Mercurius sees it (issue 8 §2), so that a body
 * that is not GraphQL-shaped is a 400 with a clear message instead of an engine failure:
 *
 * - the body (POST) or query string (GET) is an object whose `query` is a string, `variables` an
 *   object (or absent/null; a JSON string on GET) and `operationName` a short string (or absent/null);
 * - an `application/graphql` body is a GraphQL document, not JSON;
 * - nesting is bounded before parsing: the raw document's bracket nesting (`{ [ (`, outside
 *   strings and comments) and the variables' JSON nesting are at most MAX_NESTING, so neither the
 *   GraphQL parser nor input coercion can overflow the stack (the selection depth limit itself is
 *   Mercurius's `queryDepth`, applied after parsing).
 *
 * Runs as a preValidation hook on the GraphQL route: Fastify's body schema coercion (Mercurius's
 * route schema) would otherwise turn `{"query": 12}` into the string "12" first.
 */

export const MAX_NESTING = 64;
export const MAX_OPERATION_NAME = 128;

/** Deepest bracket nesting of a GraphQL document, ignoring strings, block strings and comments. Stops early past `limit`. */
export function documentNesting(doc: string, limit = MAX_NESTING): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < doc.length; i++) {
    const c = doc[i];
    if (c === '#') {
      while (i < doc.length && doc[i] !== '\n' && doc[i] !== '\r') i++;
    } else if (c === '"') {
      if (doc.startsWith('"""', i)) {
        const end = doc.indexOf('"""', i + 3);
        // Escaped triple quotes (\""") inside a block string: keep looking past them.
        let j = end;
        while (j > 0 && doc[j - 1] === '\\') j = doc.indexOf('"""', j + 3);
        i = j < 0 ? doc.length : j + 2;
      } else {
        i++;
        while (i < doc.length && doc[i] !== '"' && doc[i] !== '\n') i += doc[i] === '\\' ? 2 : 1;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
    }
  }
  return max;
}

/** Deepest nesting of a JSON value (objects and arrays), without recursion. Stops early past `limit`. */
export function jsonNesting(value: unknown, limit = MAX_NESTING): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return max;
}

/** Whether `extensions` (a JSON string over GET) carries an APQ `persistedQuery` object. */
function persistedQueryExtension(extensions: unknown, method: string): boolean {
  let ext = extensions;
  if (method === 'GET' && typeof extensions === 'string') {
    try {
      ext = JSON.parse(extensions);
    } catch {
      return false;
    }
  }
  const pq = (ext as { persistedQuery?: unknown } | null | undefined)?.persistedQuery;
  return ext !== null && typeof ext === 'object' && !Array.isArray(ext) && pq !== null && typeof pq === 'object';
}

/** Why a GraphQL request is not GraphQL-shaped, or null when it is. */
export function requestShapeProblem(params: unknown, method: string): string | null {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    return 'The request must be a JSON object with a "query" string';
  }
  const { query, variables, operationName, extensions } = params as Record<string, unknown>;
  // An automatic persisted query (Apollo protocol) may name its document by hash alone.
  const persisted = query === undefined && persistedQueryExtension(extensions, method);
  if (typeof query !== 'string' && !persisted) return `"query" must be a string holding a GraphQL document, got ${query === undefined ? 'none' : Array.isArray(query) ? 'an array' : `a ${typeof query}`}`;
  if (operationName !== undefined && operationName !== null) {
    if (typeof operationName !== 'string') return `"operationName" must be a string, got a ${typeof operationName}`;
    if (operationName.length > MAX_OPERATION_NAME) return `"operationName" must be at most ${MAX_OPERATION_NAME} characters`;
  }
  let vars = variables;
  if (method === 'GET' && typeof variables === 'string') {
    try {
      vars = JSON.parse(variables);
    } catch {
      return '"variables" must be a JSON object';
    }
  }
  if (vars !== undefined && vars !== null && (typeof vars !== 'object' || Array.isArray(vars))) {
    return `"variables" must be a JSON object, got ${Array.isArray(vars) ? 'an array' : `a ${typeof vars}`}`;
  }
  if (typeof query === 'string' && documentNesting(query) > MAX_NESTING) return `The query nests brackets deeper than ${MAX_NESTING} levels`;
  if (jsonNesting(vars) > MAX_NESTING) return `"variables" nest deeper than ${MAX_NESTING} levels`;
  return null;
}

/** Why a request to /graphql is not GraphQL-shaped (null when it is, or is not a GraphQL request). */
function graphqlRequestProblem(request: FastifyRequest): string | null {
  if (request.routeOptions.url !== '/graphql' || (request.method !== 'POST' && request.method !== 'GET')) return null;
  // A WebSocket upgrade (subscriptions) carries its operations as messages, not in the query string.
  if (request.method === 'GET' && String(request.headers.upgrade ?? '').toLowerCase() === 'websocket') return null;
  const contentType = String(request.headers['content-type'] ?? '');
  if (request.method === 'POST' && contentType.startsWith('application/graphql')) {
    const doc = (request.body as { query?: unknown } | undefined)?.query;
    if (typeof doc === 'string' && /^\s*[[{]\s*"/.test(doc)) {
      try {
        JSON.parse(doc);
        return 'An application/graphql body must be a GraphQL document; send JSON as application/json';
      } catch {
        // Not JSON after all: a GraphQL document, let the parser judge it.
      }
    }
  }
  return requestShapeProblem(request.method === 'GET' ? request.query : request.body, request.method);
}

const refuse = (reply: FastifyReply, message: string) =>
  reply.code(400).send({ data: null, errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });

export const requestGuardsPlugin = fp(
  async (app: FastifyInstance) => {
    // Synchronous: an async hook costs every request a promise and a turn of the microtask queue.
    app.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      const problem = graphqlRequestProblem(request);
      if (problem) refuse(reply, problem);
      else done();
    });
  },
  { name: 'lumbung-request-guards' },
);
