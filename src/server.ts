import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config.js';
import { resolveJwtSecret, withJwtSecret } from './platform/secrets.js';
import { seedIfEmpty } from './seed/seed.js';
import { isEmptyDataDir } from './platform/db.js';
import { demoTemplate } from './seed/template.js';

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const jwt = resolveJwtSecret(config);
  config = withJwtSecret(config, jwt.secret);

  // A cold start of the embedded database with the demo data copies a prepared template instead of
  // running initdb, the migrations and the seed (see seed/template.ts).
  const db = config.database;
  const fromTemplate = db.kind === 'pglite' && db.dataDir !== null && config.autoSeed && isEmptyDataDir(db.dataDir);
  const started = Date.now();
  const app = await buildApp(config, fromTemplate ? { dbOptions: { templateDir: await demoTemplate() } } : {});
  if (fromTemplate) app.log.info({ ms: Date.now() - started }, 'empty embedded database: copied the prepared demo database');
  if (jwt.generated) {
    app.log.warn({ file: jwt.file }, 'JWT_SECRET not set: generated a secret and stored it in the data directory');
  }
  if (config.database.kind === 'pglite' && config.autoSeed) {
    const seeded = await seedIfEmpty(app.database.db, app.log);
    if (seeded) app.log.info('empty embedded database: loaded the demo data (AUTO_SEED=false turns this off)');
  }

  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'draining in-flight requests and closing the database');
    await app.close();
  });

  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `Lumbung listening on ${address} (GraphQL ${address}/graphql${config.graphiql ? `, GraphiQL ${address}/graphiql` : ''}) using ${app.database.describe}`,
  );
}

main().catch((error) => {
  process.stderr.write(`Lumbung failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
