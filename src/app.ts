import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { composeModules } from './composition.js';
import type { Config } from './config.js';
import { httpScopesPlugin } from './modules/partners/http-scopes.js';
import { enforceScopes } from './modules/partners/scope-hook.js';
import { tokenRoute } from './modules/partners/token-route.js';
import { clientPrincipalFromClaims } from './modules/partners/tokens.js';
import { enforceTrustedDocuments } from './modules/partners/trusted-documents.js';
import { createDatabase, type Database, type DbOptions } from './platform/db.js';
import { authPlugin } from './platform/http/auth.js';
import { csrfPlugin } from './platform/http/csrf.js';
import { idleGcPlugin } from './platform/http/idle-gc.js';
import { drainPlugin } from './platform/http/drain.js';
import { errorsPlugin } from './platform/http/errors.js';
import { jsonBodyPlugin } from './platform/http/json-body.js';
import { graphiqlPlugin } from './platform/http/graphiql.js';
import { graphqlPlugin } from './platform/http/graphql.js';
import { headersPlugin } from './platform/http/headers.js';
import { healthPlugin } from './platform/http/health.js';
import { logRedactPaths, logSerializers } from './platform/log.js';
import { requestGuardsPlugin } from './platform/http/request-guards.js';
import { limitsPlugin } from './platform/http/limits.js';
import { pressurePlugin } from './platform/http/pressure.js';
import { rateLimitPlugin } from './platform/http/rate-limit.js';
import { redisPlugin } from './platform/http/redis.js';
import { migrateToLatest } from './platform/migrate.js';
import { epcisRoutes } from './modules/epcis/epcis.routes.js';
import { exportRoutes } from './modules/shipments/exports.routes.js';
import { buildSchema } from './schema.js';
import { startAvailabilityCompactor } from './modules/availability/availability.service.js';
import { acceptanceGate } from './modules/orders/acceptance.js';
import { shuExports } from './modules/shu/shu.http.js';
import { settlementExports } from './modules/settlement/settlement.http.js';
import { startWorkers, workerOptionsFrom, type Workers } from './modules/webhooks/engine.js';
import { subscriptionTopics } from './modules/webhooks/topics.js';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
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

/**
 * The Fastify instance (tests drive it through `inject`): the database, the module wiring, then
 * one small plugin each (platform/http/) for request ids and errors, load shedding, security
 * headers and CORS, CSRF, limit stores, authentication, request rate, graceful drain, health
 * checks, the OAuth token endpoint (modules/partners) and GraphQL. The order matters: errors first
 * (its hook sets x-request-id before anything may answer early), pressure before any work, auth
 * before the rate limit (which counts per client or user) and before GraphQL (request.principal);
 * the rate limit before the routes it protects (it attaches to routes as they are added).
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // The error serializer and redaction (platform/log.ts) apply to every logger, tests' included.
    logger: (options.logger === false
      ? false
      : {
            level: config.logLevel,
            ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
            ...(typeof options.logger === 'object' ? options.logger : {}),
            serializers: logSerializers,
            redact: { paths: logRedactPaths, censor: '[redacted]' },
          }) as FastifyServerOptions['logger'],
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
  composeModules();
  acceptanceGate.configure(config.acceptance.concurrency, config.acceptance.queue);
  // Availability's maintained aggregates: fold changed producers into the counters in the background.
  const stopCompactor = startAvailabilityCompactor(database.db, config.availabilityCompactMs, (err) =>
    app.log.error({ err }, 'availability compaction failed'),
  );
  app.addHook('preClose', stopCompactor);

  await app.register(errorsPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(redisPlugin, { config });
  await app.register(pressurePlugin, { config });
  await app.register(headersPlugin, { config });
  await app.register(csrfPlugin, { maxTokens: config.limits.maxTokens });
  await app.register(limitsPlugin, { config });
  await app.register(authPlugin, { jwt: config.jwt, database, clientTokens: clientPrincipalFromClaims });
  await app.register(httpScopesPlugin);
  await app.register(rateLimitPlugin, { config });
  await app.register(drainPlugin);
  await app.register(idleGcPlugin, { idleMs: config.idleGcMs });
  await app.register(healthPlugin, { database });
  await app.register(requestGuardsPlugin);
  await app.register(tokenRoute, { config, database });
  await app.register(graphqlPlugin, {
    schema: buildSchema(),
    config,
    database,
    clientTokens: clientPrincipalFromClaims,
    // Machine clients: scopes and trusted documents, checked before the cost is reserved.
    beforeExecution: [
      ({ schema, document, context, variables }) => enforceScopes(schema, document, context.principal, variables, undefined),
      ({ context, source }) => enforceTrustedDocuments(context.principal, source),
    ],
  });
  if (config.graphiql) await app.register(graphiqlPlugin);
  // CSV downloads with bearer auth (the auth plugin authenticates /exports/ requests too).
  await app.register(shuExports);
  await app.register(settlementExports);
  await app.register(exportRoutes);
  await app.register(epcisRoutes);
  // The event workers (outbox → webhooks, subscriptions) start with the server unless WORKERS=false
  // (then `npm run worker` runs them on their own).
  if (config.events.workers) {
    let workers: Workers | null = null;
    app.addHook('onReady', async () => {
      workers = await startWorkers(database, workerOptionsFrom(config, {
        log: app.log,
        // Published after commit, from the outbox (to Redis when REDIS_URL is set: every node hears it).
        onDispatched: ({ event }) => {
          for (const { topic, payload } of subscriptionTopics(event)) app.publishToSubscribers(topic, payload);
        },
      }));
    });
    app.addHook('onClose', async () => {
      await workers?.stop();
    });
  }
  return app;
}
