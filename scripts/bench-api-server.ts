/**
 * The GraphQL side of bench:api (run as its child): the app of the checkout at APP_ROOT (this one,
 * or another one's for a before/after comparison in one run) on the bench's database, configured
 * from APP_ENV; or, with APP_MODE=mercurius, that checkout's schema on Mercurius alone (a bare
 * Fastify: no platform plugin or hook, no database). Reports its port, then answers the parent's
 * `cpu` message with its CPU time so far and `close` by closing. A process of its own per app: Pothos keeps its plugins in one global
 * registry, so two checkouts' schemas cannot be built in one process.
 */
import path from 'node:path';

// What production runs (the Dockerfile sets NODE_ENV=production): graphql-js reads it once, when loaded.
process.env.NODE_ENV ??= 'production';
const root = path.resolve(process.env.APP_ROOT ?? path.join(import.meta.dirname, '..'));
const env = JSON.parse(process.env.APP_ENV ?? '{}') as Record<string, string | undefined>;
const { buildApp } = (await import(path.join(root, 'src/app.js'))) as typeof import('../src/app.js');
const { loadConfig } = (await import(path.join(root, 'src/config.js'))) as typeof import('../src/config.js');
const { createDatabase } = (await import(path.join(root, 'src/platform/db.js'))) as typeof import('../src/platform/db.js');
/** 'app': the whole app (buildApp). 'mercurius': the schema on Mercurius alone, a bare Fastify (no platform plugin or hook, no database). */
const mode = process.env.APP_MODE ?? 'app';

const config = loadConfig(env);
const POOL = Number(process.env.BENCH_POOL_SIZE ?? 10);
if (config.database.kind !== 'postgres') throw new Error('bench-api-server: DATABASE_URL must be set in APP_ENV');
const database = mode === 'app' ? await createDatabase({ kind: 'postgres', url: config.database.url, poolSize: POOL }) : null;
// BENCH_SERVER_LOG=error: the app's own logger (pino, to stdout) at that level, to see why requests failed;
// off by default (a logger costs every request its child logger, and the plain route has none).
const logLevel = process.env.BENCH_SERVER_LOG;
const app = database
  ? await buildApp(logLevel ? { ...config, logLevel } : config, { database, migrate: false, ...(logLevel ? {} : { logger: false }) })
  : await mercuriusAlone();

/** Mercurius with the app's schema and its own defaults, on a Fastify without plugins. */
async function mercuriusAlone() {
  const { default: Fastify } = await import('fastify');
  const { default: mercurius } = await import('mercurius');
  const { composeModules } = (await import(path.join(root, 'src/composition.js'))) as typeof import('../src/composition.js');
  const { buildSchema } = (await import(path.join(root, 'src/schema.js'))) as typeof import('../src/schema.js');
  composeModules();
  const bare = Fastify({ logger: false });
  await bare.register(mercurius, { schema: buildSchema(), path: '/graphql', graphiql: false });
  return bare;
}
await app.listen({ port: 0, host: '127.0.0.1' });
process.on('message', (m) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (m === 'close') {
    void app
      .close()
      .then(() => database?.close())
      .finally(() => process.exit(0));
  }
});
process.send?.({ port: (app.server.address() as { port: number }).port });
