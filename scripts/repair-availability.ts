// npm run repair:availability: recompute availability's maintained aggregates (counters, per-producer
// contributions, live marks) from lots, commitments and memberships, in one transaction, on
// DATABASE_URL or the embedded database in DATA_DIR. Prints how many counters were wrong before.
// Safe while the API runs: readers keep the old figures until it commits, and changes made meanwhile
// stay marked dirty (answers are exact throughout).
import { loadConfig } from '../src/config.js';
import { checkAvailabilityCounters, repairAvailability } from '../src/modules/availability/availability.service.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';

const config = loadConfig({ ...process.env, JWT_SECRET: process.env.JWT_SECRET ?? 'repair-script-does-not-sign-tokens-000000' });
const database = await createDatabase(config.database);
try {
  await migrateToLatest(database.db);
  const report = await repairAvailability(database.db);
  console.log(
    `${database.describe}: recomputed availability for ${report.producers} producers: ${report.counters} counters, ` +
      `${report.wrongCounters} of them were wrong or missing before; ${(report.ms / 1000).toFixed(1)} s`,
  );
  if (process.argv.includes('--check')) {
    const check = await checkAvailabilityCounters(database.db);
    console.log(`check: ${check.wrong} counters differ from a recomputation, ${check.dirty} producers marked dirty`);
  }
} finally {
  await database.close();
}
