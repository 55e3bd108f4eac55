import { randomUUID } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import mercurius from 'mercurius';
import { composeModules } from './composition.js';
import type { Config } from './config.js';
import { loadPrincipal, type Principal } from './platform/auth.js';
import { createDatabase, type Database, type DbOptions } from './platform/db.js';
import type { Context } from './platform/graphql/context.js';
import { aliasLimitRule, checkComplexity } from './platform/graphql/limits.js';
import { buildSchema } from './schema.js';
import { migrateToLatest } from './platform/migrate.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    database: Database;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string };
    user: { sub: string; iat: number; exp: number; iss: string; aud: string };
  }
}

export interface BuildOptions {
  /** An already open database (tests share one); otherwise one is opened from config and closed with the app. */
  database?: Database;
  dbOptions?: DbOptions;
  /** Apply migrations on start (default true). */
  migrate?: boolean;
  /** Pino options override (tests silence logs). */
  logger?: boolean | object;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function unauthenticated(message: string) {
  return { data: null, errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] };
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger ??
      {
        level: config.logLevel,
        ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
        redact: { paths: ['req.headers.authorization', 'password', '*.password', 'variables.input.password'], censor: '[redacted]' },
      },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 2 * 1024 * 1024,
  });

  const database = options.database ?? (await createDatabase(config.database, options.dbOptions));
  app.decorate('database', database);
  if (!options.database) app.addHook('onClose', async () => database.close());
  if (options.migrate !== false) await migrateToLatest(database.db);

  const secret = config.jwt.secret;
  if (!secret) throw new Error('JWT secret missing: server.ts resolves it before building the app');
  await app.register(fastifyJwt, {
    secret,
    sign: { algorithm: 'HS256', iss: config.jwt.issuer, aud: config.jwt.audience, expiresIn: config.jwt.expiresInSeconds },
    verify: {
      algorithms: ['HS256'],
      allowedIss: config.jwt.issuer,
      allowedAud: config.jwt.audience,
      requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
    },
  });

  // Anything unexpected outside GraphQL (a database outage during authentication, …) is logged
  // with the request id and answered without internal detail.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'unexpected error');
      return reply.code(500).send({ errors: [{ message: `Internal error (request ${request.id})`, extensions: { code: 'INTERNAL', requestId: request.id } }] });
    }
    return reply.code(status).send({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] });
  });

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    request.principal = null;
    reply.header('x-request-id', request.id);
    if (!request.url.startsWith('/graphql') || request.headers.authorization === undefined) return;
    const principal = await authenticate(request, database);
    if (typeof principal === 'string') return reply.code(401).send(unauthenticated(principal));
    request.principal = principal;
  });

  // Graceful drain: once closing, answer in-flight requests with `Connection: close` so keep-alive
  // sockets end with their last response instead of holding the shutdown open.
  let closing = false;
  app.addHook('preClose', async () => { closing = true; });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    try {
      await database.db.selectFrom('users').select((eb) => eb.lit(1).as('one')).limit(1).execute();
      return { status: 'ready', database: database.driver };
    } catch (error) {
      app.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', database: database.driver });
    }
  });

  composeModules();
  const schema = buildSchema();
  const signToken = (userId: number) => {
    const token = app.jwt.sign({ sub: String(userId) });
    return { token, expiresAt: new Date(Date.now() + config.jwt.expiresInSeconds * 1000) };
  };

  await app.register(mercurius, {
    schema,
    path: '/graphql',
    graphiql: config.graphiql,
    allowBatchedQueries: false,
    queryDepth: config.limits.maxDepth,
    graphql: { parseOptions: { maxTokens: config.limits.maxTokens } },
    validationRules: [
      aliasLimitRule(config.limits.maxAliases),
      ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    context: (request: FastifyRequest): Context => ({
      principal: request.principal,
      db: database.db,
      config,
      requestId: request.id,
      log: request.log,
      signToken,
    }),
    errorFormatter: (execution, context) => {
      const requestId: string | undefined = (context as { reply?: { request?: { id: string } } }).reply?.request?.id;
      const log = app.log.child({ reqId: requestId });
      const masked = flattenErrors(execution.errors ?? []).map((error) => maskError(error, requestId, log));
      const statusCode = execution.data ? 200 : Math.max(400, ...masked.map((e) => e.status));
      const errors = masked.map(({ status: _status, ...e }) => e);
      return { statusCode, response: { data: execution.data ?? null, errors } as never };
    },
  });

  app.graphql.addHook('preExecution', async (schema, document, context, variables) => {
    checkComplexity(schema, document, context, variables as Record<string, unknown> | undefined, config.limits.maxComplexity);
  });

  return app;
}

async function authenticate(request: FastifyRequest, database: Database): Promise<Principal | string> {
  const header = request.headers.authorization ?? '';
  if (!/^Bearer [A-Za-z0-9._~+/-]+=*$/.test(header)) return 'Authorization must be "Bearer <token>"';
  let sub: string;
  try {
    sub = (await request.jwtVerify<{ sub: string }>()).sub;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    return code.includes('EXPIRED') ? 'Token expired' : 'Invalid token';
  }
  if (!/^\d{1,15}$/.test(sub)) return 'Invalid token';
  const principal = await loadPrincipal(database.db, Number(sub));
  return principal ?? 'Invalid token';
}

/** Mercurius wraps validation failures (one error holding `errors`); unwrap them so each is reported. */
function flattenErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
    if (!Array.isArray(inner)) return [error];
    return inner.map((e: Error) => (e instanceof GraphQLError ? e : new GraphQLError(e.message, { originalError: e })));
  });
}

/** Known GraphQL errors pass through with a code; anything unexpected becomes "Internal error" plus the request id. */
function maskError(
  error: GraphQLError,
  requestId: string | undefined,
  log: { error: (obj: object, msg: string) => void },
): { message: string; locations?: readonly unknown[]; path?: readonly unknown[]; extensions?: Record<string, unknown>; status: number } {
  const original = error.originalError as (Error & { code?: string; statusCode?: number }) | undefined;
  const base = { ...(error.locations ? { locations: error.locations } : {}), ...(error.path ? { path: error.path } : {}) };
  // Errors GraphQL itself raises (syntax, validation, variable coercion, limits) carry no internal detail.
  if (!original || original instanceof GraphQLError) {
    const code = (error.extensions?.code as string | undefined) ?? 'BAD_REQUEST';
    return { message: error.message, ...base, extensions: { ...error.extensions, code }, status: 400 };
  }
  // Mercurius's own request errors (depth limit, batching, method) are client errors with a status.
  // (Some, like the depth limit, carry statusCode 500 although the client is at fault.)
  // Fastify's own 4xx (a body that fails the route schema, e.g. a batched array) are client errors too.
  if (original.code?.startsWith('MER_ERR_GQL') || (original.statusCode !== undefined && original.statusCode >= 400 && original.statusCode < 500)) {
    const status = original.statusCode && original.statusCode < 500 ? original.statusCode : 400;
    return { message: error.message, ...base, extensions: { code: 'BAD_REQUEST' }, status };
  }
  const appCode = typeof original.code === 'string' ? original.code : null;
  if (appCode && ['FORBIDDEN', 'UNAUTHENTICATED', 'VALIDATION_FAILED', 'NOT_FOUND'].includes(appCode)) {
    return { message: original.message, ...base, extensions: { code: appCode }, status: 200 };
  }
  log.error({ err: original, path: error.path }, 'unexpected error in GraphQL resolver');
  return { message: `Internal error (request ${requestId ?? 'unknown'})`, ...base, extensions: { code: 'INTERNAL', requestId }, status: 500 };
}
