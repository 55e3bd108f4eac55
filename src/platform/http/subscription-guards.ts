import type { EventEmitter } from 'node:events';
import {
  type DocumentNode, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, parse, specifiedRules, validate, type ValidationRule,
} from 'graphql';
import { checkComplexity } from '../graphql/limits.js';
import { requestShapeProblem } from './request-guards.js';

/**
 * Subscriptions get the limits and the error contract of POST /graphql (issue 8 §2–3).
 *
 * Mercurius's WebSocket path parses a `subscribe` frame's document with no token limit, never
 * validates it (neither GraphQL's own rules nor the alias limit, the introspection switch or the
 * complexity limit apply), and sends a thrown error's own message, uncoded. Two guards close that:
 *
 * - `guardSubscribeFrames`: every `subscribe` frame is checked before Mercurius reads it: a payload
 *   that is not an object with a `query` string, nesting past the limit, a document over the token
 *   limit, one that fails validation or exceeds the complexity limit gets an `error` frame with the
 *   same code and message as over HTTP (in the upgrade request's Accept-Language), and Mercurius
 *   never sees the frame. Other frames pass untouched.
 * - `codedSubscribeRefusals`: a subscription field whose `subscribe` throws (unknown or invisible
 *   object, missing scope) answers with the refusal's code and a message in the caller's language,
 *   through Mercurius's error frame, and without an error-level log line for what a client caused;
 *   anything unexpected is masked as INTERNAL like everywhere else.
 */

/** An error as the client sees it (message, path, extensions), or null to let it through. */
export type FormatError = (error: GraphQLError, context: unknown) => { message: string; path?: readonly unknown[]; extensions?: Record<string, unknown> };

interface FrameLimits {
  schema: GraphQLSchema;
  maxTokens: number;
  maxComplexity: number;
  /** The project's validation rules (those Mercurius runs over HTTP), added to GraphQL's own. */
  rules: readonly ValidationRule[];
}

/** The first problem of a `subscribe` frame, as a GraphQLError, or null when it may go on to Mercurius. */
export function subscribeFrameProblem(raw: unknown, limits: FrameLimits): { id: string | null; error: GraphQLError } | null {
  let frame: unknown;
  try {
    frame = JSON.parse(String(raw));
  } catch {
    return null; // Mercurius answers "Message must be a JSON string" itself.
  }
  if (!frame || typeof frame !== 'object') return null;
  const { type, id, payload } = frame as { type?: unknown; id?: unknown; payload?: unknown };
  if (type !== 'subscribe' && type !== 'start') return null;
  const frameId = typeof id === 'string' ? id : null;
  const refuse = (message: string, extensions: Record<string, unknown> = { code: 'BAD_REQUEST' }) =>
    ({ id: frameId, error: new GraphQLError(message, { extensions }) });
  if (payload === null || typeof payload !== 'object' || typeof (payload as { query?: unknown }).query !== 'string') {
    return refuse('A subscribe message\'s payload must be an object with a "query" string');
  }
  const shape = requestShapeProblem(payload, 'WS');
  if (shape) return refuse(shape);
  const { query, variables } = payload as { query: string; variables?: Record<string, unknown> | null };
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return { id: frameId, error: error instanceof GraphQLError ? error : new GraphQLError('The query could not be parsed', { extensions: { code: 'BAD_REQUEST' } }) };
  }
  const [invalid] = validate(limits.schema, document, [...specifiedRules, ...limits.rules]);
  if (invalid) return { id: frameId, error: invalid };
  try {
    checkComplexity(limits.schema, document, {}, variables ?? undefined, limits.maxComplexity);
  } catch (error) {
    if (error instanceof GraphQLError) return { id: frameId, error };
    throw error;
  }
  return null;
}

type Listener = (...args: unknown[]) => void;

/**
 * Check every `subscribe` frame of a socket before any other `message` listener sees it (wraps the
 * listeners added from now on: call it as the socket connects, before Mercurius attaches its own).
 */
export function guardSubscribeFrames(
  socket: EventEmitter & { send(data: string): void },
  limits: FrameLimits,
  format: (error: GraphQLError) => object,
): void {
  const refused = new WeakSet<object>();
  const wrapped = new Map<Listener, Listener>();
  const on = socket.on.bind(socket);
  const off = socket.off.bind(socket);
  on('message', (data: unknown) => {
    const problem = subscribeFrameProblem(data, limits);
    if (!problem || typeof data !== 'object' || data === null) return;
    refused.add(data);
    socket.send(JSON.stringify({ id: problem.id, type: 'error', payload: [format(problem.error)] }));
  });
  const add = (event: string | symbol, listener: Listener) => {
    if (event !== 'message') return on(event, listener);
    const guarded: Listener = (data, ...rest) => {
      if (typeof data === 'object' && data !== null && refused.has(data)) return;
      listener(data, ...rest);
    };
    wrapped.set(listener, guarded);
    return on(event, guarded);
  };
  const remove = (event: string | symbol, listener: Listener) => {
    const guarded = event === 'message' ? wrapped.get(listener) : undefined;
    if (guarded) wrapped.delete(listener);
    return off(event, guarded ?? listener);
  };
  Object.assign(socket, { on: add, addListener: add, off: remove, removeListener: remove });
}

/** An async iterator whose first step fails with `error` (graphql-js hands it on to Mercurius's error frame). */
function failing(error: GraphQLError): AsyncIterableIterator<never> {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => Promise.reject(error),
    return: () => Promise.resolve({ done: true, value: undefined }),
  };
}

/** Make every subscription field's refusal a coded error in the caller's language (see above). */
export function codedSubscribeRefusals(schema: GraphQLSchema, format: FormatError): void {
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    const subscribe = field.subscribe as GraphQLFieldResolver<unknown, unknown> | undefined;
    if (!subscribe) continue;
    field.subscribe = async (root, args, context, info) => {
      try {
        return await subscribe(root, args, context, info);
      } catch (error) {
        const located = new GraphQLError(error instanceof Error ? error.message : String(error), {
          path: [info.fieldName], originalError: error instanceof Error ? error : undefined,
        });
        const { message, path, extensions } = format(located, context);
        return failing(new GraphQLError(message, { path: path as Array<string | number> | undefined, extensions }));
      }
    };
  }
}
