/**
 * `npm run worker`: the event workers alone (outbox → webhook deliveries, availability coalescing),
 * for a deployment that scales them apart from the API (run the API with WORKERS=false). Same
 * configuration as the server; SIGTERM stops after the attempts in flight.
 */
import closeWithGrace from 'close-with-grace';
import { composeModules } from '../src/composition.js';
import { loadConfigOrExit } from '../src/config.js';
import { startWorkers, workerOptionsFrom } from '../src/modules/webhooks/engine.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { createEmitter, publish, topicPrefix } from '../src/platform/pubsub.js';
import { subscriptionTopics } from '../src/modules/webhooks/topics.js';

async function main() {
  const config = loadConfigOrExit();
  composeModules();
  const database = await createDatabase(config.database);
  await migrateToLatest(database.db);
  const log = { error: (obj: unknown, msg?: string) => process.stderr.write(`${msg ?? 'error'} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}\n`) };
  // With REDIS_URL the worker publishes to the API nodes' subscriptions through Redis; without it an
  // embedded emitter would reach nobody, so subscriptions need the workers in the API process.
  const emitter = config.redisUrl ? createEmitter(config, (err) => log.error({ err }, 'subscriptions: Redis failed')) : null;
  const prefix = topicPrefix(config);
  const workers = await startWorkers(database, workerOptionsFrom(config, {
    log,
    onDispatched: ({ event }) => {
      if (!emitter) return;
      for (const { topic, payload } of subscriptionTopics(event)) void publish(emitter, `${prefix}${topic}`, payload).catch(() => {});
    },
  }));
  process.stdout.write(`Lumbung event workers running (${workers.engine}) on ${database.describe}\n`);
  closeWithGrace({ delay: config.shutdownGraceMs }, async () => {
    await workers.stop();
    await new Promise<void>((resolve) => (emitter ? emitter.close(() => resolve()) : resolve()));
    await database.close();
  });
}

main().catch((error) => {
  process.stderr.write(`Lumbung worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
