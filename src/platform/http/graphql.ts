import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type DocumentNode, GraphQLError, type GraphQLSchema, NoSchemaIntrospectionCustomRule } from 'graphql';
import fastifyWebsocket from '@fastify/websocket';
import mercurius from 'mercurius';
import type { Config } from '../../config.js';
import type { Database } from '../db.js';
import { AppError, ValidationError } from '../errors.js';
import type { Context } from '../graphql/context.js';
import { type Language, pickLanguage } from '../language.js';
import { requestLanguage } from './refusal.js';
import { INPUT_MESSAGES, localizedMessage, localizedRequestMessage } from '../messages.js';
import { inputPathOf, inputPathRule } from '../graphql/input-paths.js';
import { aliasLimitRule, checkComplexity } from '../graphql/limits.js';
import { persistedQueryProvider } from '../graphql/persisted-queries.js';
import './limits.js';
import { limitKey } from './rate-limit.js';
import { type AuthOptions, principalOfToken } from './auth.js';
import { createEmitter, topicPrefix } from '../pubsub.js';
import { codedSubscribeRefusals, guardSubscribeFrames } from './subscription-guards.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Publish to subscriptions (topic without the deployment prefix); see platform/pubsub.ts. */
    publishToSubscribers(topic: string, payload: unknown): void;
  }
}

/** graphql-transport-ws close code for a refused or expired authentication. */
export const CLOSE_FORBIDDEN = 4403;

/** Token expiry (ms) per WebSocket, from its connection_init. */
const initExpiry = new WeakMap<object, number>();

/** The token of a connection_init payload: { authorization: "Bearer …" }, { token }, or { headers: { authorization } }. */
function tokenOf(payload: unknown): string | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  const raw = p.authorization ?? p.Authorization ?? p.token ?? (p.headers as Record<string, unknown> | undefined)?.authorization;
  if (typeof raw !== 'string') return null;
  return raw.startsWith('Bearer ') ? raw.slice(7) : raw;
}

/** A check run before execution (and before the cost is reserved); it throws a GraphQLError to refuse. */
export type BeforeExecution = (request: {
  schema: GraphQLSchema;
  document: DocumentNode;
  context: Context;
  variables: Record<string, unknown> | undefined;
  /** The document's text as received (or as found by its persisted-query hash). */
  source: string | undefined;
}) => void | Promise<void>;

export interface GraphqlOptions {
  /** Machine-client tokens for subscriptions' connection_init (the auth plugin's `clientTokens`). */
  clientTokens?: AuthOptions['clientTokens'];
  /** The assembled schema (src/schema.ts: platform does not import the modules). */
  schema: GraphQLSchema;
  config: Config;
  database: Database;
  /** Checks the wiring adds (machine-client scopes, trusted documents: modules/partners). */
  beforeExecution?: BeforeExecution[];
}

/**
 * POST /graphql (and GraphiQL when enabled): Mercurius with the request limits (depth, tokens,
 * aliases, complexity), no batched queries, introspection as configured, the per-request Context
 * and an error formatter that masks anything unexpected as "Internal error (request …)".
 * Automatic persisted queries are stored in the database (persisted-queries.ts). Before execution:
 * the wiring's checks, the complexity limit, then the cost budget (limits plugin): every response
 * carries `extensions.cost`. Needs the auth and limits plugins registered before it.
 */
export const graphqlPlugin = fp<GraphqlOptions>(
  async (app: FastifyInstance, { schema, config, database, beforeExecution = [], clientTokens }) => {
    const { costBudget, loginThrottle } = app.limits;
    const signToken = (userId: number) => {
      const token = app.jwt.sign({ sub: String(userId) });
      return { token, expiresAt: new Date(Date.now() + config.jwt.expiresInSeconds * 1000) };
    };

    const emitter = createEmitter(config, (err) => app.log.warn({ err }, 'subscriptions: Redis failed'));
    const prefix = topicPrefix(config);
    app.addHook('onClose', (_app, done) => emitter.close(() => done()));
    // One object literal per request (no spread of a base object into another on the HTTP path).
    const baseContext = (request: FastifyRequest, language: Language, principal: Context['principal']) => ({
      db: database.db,
      config,
      requestId: request.id,
      log: request.log,
      language,
      signToken,
      clientIp: request.ip,
      loginThrottle,
      principal,
    });

    const validationRules = [
      inputPathRule,
      aliasLimitRule(config.limits.maxAliases),
      ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
    // A subscription field's refusal: coded, in the caller's language, masked when unexpected (subscription-guards.ts).
    codedSubscribeRefusals(schema, (error, context) => {
      const ctx = context as Partial<Context>;
      const { status: _status, ...formatted } = maskError(error, ctx.requestId, ctx.log ?? app.log, ctx.language ?? 'en');
      return formatted;
    });

    // Answers are written with JSON.stringify. Mercurius's route would use fast-json-stringify with a
    // response schema in which data and extensions are `additionalProperties: true` (slower than
    // JSON.stringify, ~1.5 µs of a `{ __typename }`), and whose `path: string[]` turned an error's
    // list index into a string ("0"): GraphQL's paths hold integers for list indices.
    app.addHook('onRoute', (route) => {
      if (route.url === '/graphql') route.serializerCompiler = () => (data) => JSON.stringify(data);
    });

    // Registered here rather than by Mercurius (same options as its own: 1 MiB messages), so that the
    // WebSocket server is in this scope and each socket's connection_init can be read as it arrives.
    await app.register(fastifyWebsocket, { options: { maxPayload: 1_048_576 } });
    await app.register(mercurius, {
      schema,
      path: '/graphql',
      /**
       * Subscriptions (graphql-transport-ws). connection_init carries the token; a missing, invalid or
       * expired one closes the socket with 4403 (Mercurius would close without a code, seen as 1005),
       * and so does the token's expiry, from the moment the connection is acknowledged (whether or not
       * a subscription is open).
       */
      subscription: {
        emitter,
        keepAlive: 30_000,
        context: (
          socket: { close(code?: number, reason?: string): void; send(data: unknown, ...rest: unknown[]): void },
          request: FastifyRequest,
        ) => {
          let acked = false;
          let timer: NodeJS.Timeout | null = null;
          const close = socket.close.bind(socket);
          socket.close = (code?: number, reason?: string) => {
            if (timer) clearTimeout(timer);
            close(code ?? (acked ? 1000 : CLOSE_FORBIDDEN), reason ?? (acked ? undefined : 'Forbidden'));
          };
          const send = socket.send.bind(socket);
          socket.send = (data: unknown, ...rest: unknown[]) => {
            if (!acked && typeof data === 'string' && data.includes('"connection_ack"')) {
              acked = true;
              armExpiry(initExpiry.get(socket));
            }
            send(data, ...rest);
          };
          const armExpiry = (expiresAt: number | undefined) => {
            if (timer || !expiresAt) return;
            const wait = Math.max(0, expiresAt - Date.now());
            timer = setTimeout(() => close(CLOSE_FORBIDDEN, 'Token expired'), Math.min(wait, 2 ** 31 - 1));
            timer.unref();
          };
          const ctx: Record<string, unknown> = {
            ...baseContext(request, pickLanguage(request.headers['accept-language']), null),
            subscription: { prefix, armExpiry },
          };
          return ctx;
        },
        onConnect: async (data: { payload?: unknown }) => {
          const token = tokenOf(data.payload);
          if (!token) return false;
          const result = await principalOfToken(app, token, database, clientTokens);
          if (typeof result === 'string') return false;
          // The person's preferred language wins over the upgrade request's Accept-Language (baseContext's).
          const preferred = result.principal.preferredLanguage;
          return { principal: result.principal, tokenExpiresAt: result.expiresAt, ...(preferred ? { language: preferred } : {}) };
        },
      },
      // GraphiQL is served offline by platform/http/graphiql.ts, not by Mercurius (whose page needs a CDN).
      graphiql: false,
      allowBatchedQueries: false,
      persistedQueryProvider: persistedQueryProvider(database.db),
      queryDepth: config.limits.maxDepth,
      graphql: { parseOptions: { maxTokens: config.limits.maxTokens } },
      validationRules,
      context: (request: FastifyRequest): Context => baseContext(request, requestLanguage(request), request.principal),
      errorFormatter: (execution, context) => {
        const requestId: string | undefined = (context as { reply?: { request?: { id: string } } }).reply?.request?.id;
        // A child logger only when something is logged (most errors are expected and logged by no one).
        const log = { error: (obj: object, msg: string) => app.log.child({ reqId: requestId }).error(obj, msg) };
        const language = (context as Partial<Context>).language ?? 'en';
        const masked = flattenErrors(execution.errors ?? []).map((error) => maskError(error, requestId, log, language));
        const statusCode = execution.data ? 200 : Math.max(400, ...masked.map((e) => e.status));
        const errors = masked.map(({ status: _status, ...e }) => e);
        const cost = (context as Partial<Context>).cost?.extension;
        return { statusCode, response: { data: execution.data ?? null, errors, ...(cost ? { extensions: { cost } } : {}) } as never };
      },
    });

    // The token's expiry from each socket's connection_init, read as the message arrives (Mercurius
    // asks for the subscription context only after it has taken that message). onConnect verifies
    // the token itself: a bad one never gets the ack that arms the timer.
    app.websocketServer.on('connection', (socket: import('node:events').EventEmitter & { send(data: string): void }, upgrade: { headers: Record<string, string | string[] | undefined> }) => {
      // Each subscribe frame is parsed, validated and costed like a POST before Mercurius reads it.
      const language = pickLanguage(upgrade.headers['accept-language']);
      guardSubscribeFrames(socket, { schema, maxTokens: config.limits.maxTokens, maxComplexity: config.limits.maxComplexity, rules: validationRules }, (error) => {
        const { status: _status, ...formatted } = maskError(error, undefined, app.log, language);
        return formatted;
      });
      const capture = (raw: unknown) => {
        socket.off('message', capture);
        try {
          const message = JSON.parse(String(raw)) as { type?: string; payload?: unknown };
          const token = message.type === 'connection_init' ? tokenOf(message.payload) : null;
          const exp = token ? app.jwt.decode<{ exp?: unknown }>(token)?.exp : undefined;
          if (typeof exp === 'number') initExpiry.set(socket, exp * 1000);
        } catch {
          // Not JSON or not a JWT: Mercurius and onConnect refuse it.
        }
      };
      socket.on('message', capture);
    });

    app.decorate('publishToSubscribers', (topic: string, payload: unknown) => {
      void app.graphql.pubsub.publish({ topic: `${prefix}${topic}`, payload });
    });

    app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
      const ctx = context as unknown as Context & { reply?: FastifyReply; __currentQuery?: string };
      const vars = variables as Record<string, unknown> | undefined;
      for (const check of beforeExecution) {
        // The checks are synchronous so far: await only a promise (each await is a microtask turn).
        const pending = check({ schema, document, context: ctx, variables: vars, source: ctx.__currentQuery });
        if (pending) await pending;
      }
      const requested = checkComplexity(schema, document, context, vars, config.limits.maxComplexity);
      if (!ctx.reply) return;
      const reservation = await costBudget.reserve(limitKey(ctx.reply.request), requested, ctx.reply);
      ctx.cost = reservation;
      if (reservation.refused) throw reservation.refused;
    });
    app.graphql.addHook('onResolution', async (execution, context) => {
      const ctx = context as unknown as Context;
      if (!ctx.cost) return;
      const cost = await costBudget.settle(ctx.cost, execution.data);
      (execution as { extensions?: Record<string, unknown> }).extensions = { ...execution.extensions, cost };
    });
  },
  { name: 'lumbung-graphql', dependencies: ['lumbung-auth', 'lumbung-limits'] },
);

/** Domain error codes a field without a result union may end in (scope checks, ID decoding, lookups). */
const EXPECTED_OUTSIDE_UNIONS = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'VALIDATION_FAILED', 'NOT_FOUND']);

/** HTTP status of the limit errors raised before execution. */
const GRAPHQL_STATUS: Record<string, number> = { THROTTLED: 429, INSUFFICIENT_SCOPE: 403, UNTRUSTED_DOCUMENT: 403 };
const RETRYABLE_STATUS: Record<string, number> = { SERVICE_BUSY: 503, TOO_MANY_ATTEMPTS: 429, RATE_LIMITED: 429 };

/**
 * Mercurius wraps validation failures (one error holding `errors`); unwrap them so each is reported.
 * A plain inner Error keeps the wrapper's code and status (a mutation over GET: MER_ERR_METHOD_NOT_ALLOWED, 405).
 */
function flattenErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const outer = error.originalError as { errors?: unknown; code?: unknown; statusCode?: unknown } | undefined;
    const inner = outer?.errors;
    if (!Array.isArray(inner)) return [error];
    return inner.map((e: Error) =>
      e instanceof GraphQLError
        ? e
        : new GraphQLError(e.message, { originalError: Object.assign(e, { code: outer?.code, statusCode: outer?.statusCode }) }),
    );
  });
}

/**
 * Echo amplification (issue 8 §2): messages from GraphQL and the scalars quote the offending value,
 * so a 100 kB invalid variable would come back in full (several times). Every quoted run longer
 * than ECHO_EXCERPT characters is cut to an excerpt, and a message to MAX_MESSAGE characters.
 */
const ECHO_EXCERPT = 40;
const MAX_MESSAGE = 600;
export function excerptMessage(message: string): string {
  const cut = message.replace(/"((?:[^"\\]|\\.)*)"/g, (quoted, inner: string) =>
    inner.length > ECHO_EXCERPT ? `"${inner.slice(0, ECHO_EXCERPT)}…" (${inner.length} characters)` : quoted,
  );
  return cut.length > MAX_MESSAGE ? `${cut.slice(0, MAX_MESSAGE)}…` : cut;
}

/** Known GraphQL errors pass through with a code; anything unexpected becomes "Internal error" plus the request id. */
function maskError(
  error: GraphQLError,
  requestId: string | undefined,
  log: { error: (obj: object, msg: string) => void },
  language: Language = 'en',
): { message: string; locations?: readonly unknown[]; path?: readonly unknown[]; extensions?: Record<string, unknown>; status: number } {
  const original = error.originalError as (Error & { code?: string; statusCode?: number }) | undefined;
  const base = { ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}) };
  // Errors GraphQL itself raises (syntax, validation, variable coercion, limits) carry no internal detail.
  // An input value GraphQL refused (enum, scalar, missing or unknown input field) is BAD_USER_INPUT with its input path.
  if (!original || original instanceof GraphQLError) {
    const inputPath = error.extensions?.code ? null : inputPathOf(error);
    const code = (error.extensions?.code as string | undefined) ?? (inputPath !== null ? 'BAD_USER_INPUT' : 'BAD_REQUEST');
    const path = inputPath !== null ? { path: inputPath } : {};
    const message = inputPath !== null ? INPUT_MESSAGES[language](inputPath, error.message) : localizedRequestMessage(code, error.message, language);
    return { message: excerptMessage(message), ...base, extensions: { ...error.extensions, code, ...path }, status: GRAPHQL_STATUS[code] ?? 400 };
  }
  // Retryable limits (the request rate, or thrown where no result union can carry them, e.g. a
  // mutation that hashes a password) keep their code and status.
  const limitCode = typeof original.code === 'string' ? original.code : null;
  if (limitCode && RETRYABLE_STATUS[limitCode]) {
    const retryAfterSeconds = (original as { retryAfterSeconds?: number }).retryAfterSeconds;
    const message = original instanceof AppError ? localizedMessage(original, language) : localizedRequestMessage(limitCode, original.message, language);
    return { message, ...base, extensions: { code: limitCode, retryable: true, retryAfterSeconds }, status: RETRYABLE_STATUS[limitCode] };
  }
  // Mercurius's own request errors (depth limit, batching, method) are client errors with a status.
  // (Some, like the depth limit, carry statusCode 500 although the client is at fault.)
  // Fastify's own 4xx (a body that fails the route schema, e.g. a batched array) are client errors too.
  if (original.code?.startsWith('MER_ERR_GQL') || (original.statusCode !== undefined && original.statusCode >= 400 && original.statusCode < 500)) {
    const status = original.statusCode && original.statusCode < 500 ? original.statusCode : 400;
    return { message: excerptMessage(localizedRequestMessage('BAD_REQUEST', error.message, language)), ...base, extensions: { code: 'BAD_REQUEST' }, status };
  }
  // Domain errors keep their code. The common ones are expected outside result unions (a query
  // field has none); any other reached here because its field's union forgot it: a schema bug, logged,
  // but the client still gets the refusal's own code (and issues), never "Internal error".
  if (original instanceof AppError) {
    const code = original.code;
    if (!EXPECTED_OUTSIDE_UNIONS.has(code)) {
      log.error({ code, path: error.path, errorName: original.name }, 'schema bug: a domain error is not in its field\'s result union');
    }
    const issues = original instanceof ValidationError ? { issues: original.issues.map((i) => ({ path: i.path, message: i.text[language] })) } : {};
    const retryable = code === 'ALLOCATION_BUSY' ? { retryable: true } : {};
    return { message: excerptMessage(localizedMessage(original, language)), ...base, extensions: { code, ...issues, ...retryable }, status: code === 'ALLOCATION_BUSY' ? 503 : 200 };
  }
  log.error({ err: original, path: error.path }, 'unexpected error in GraphQL resolver');
  const internal = language === 'id' ? 'Terjadi kesalahan internal (permintaan' : 'Internal error (request';
  return { message: `${internal} ${requestId ?? 'unknown'})`, ...base, extensions: { code: 'INTERNAL', requestId }, status: 500 };
}
