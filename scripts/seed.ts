// npm run seed: load the demo data (East Java coffee: two brands, three cooperatives, 60 producers,
// plots, 2026 lots with assessments, 2027 commitments, a buyer) into DATABASE_URL, or into the
// embedded database in DATA_DIR. It only seeds an EMPTY database (no users): on a database with data
// it refuses and changes nothing; there is no --force (use a fresh DATA_DIR or database instead).
// Prints the demo logins and a digest of the data (the same on every run: the seed is deterministic).
import { loadConfig } from '../src/config.js';
import { countUsers } from '../src/modules/accounts/accounts.repo.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { seedDigest } from '../src/seed/digest.js';
import { seedDemo } from '../src/seed/seed.js';

// The seed signs no tokens: a JWT secret is not needed even with DATABASE_URL.
const config = loadConfig({ ...process.env, JWT_SECRET: process.env.JWT_SECRET ?? 'seed-script-signs-no-tokens-0000000000000' });
const database = await createDatabase(config.database);
try {
  await migrateToLatest(database.db);
  const users = await countUsers(database.db);
  if (users > 0) {
    console.error(`${database.describe} already has ${users} user(s): the demo seed only loads into an empty database; nothing was changed.`);
    console.error('Use a fresh DATA_DIR (embedded) or an empty database (DATABASE_URL).');
    process.exitCode = 1;
  } else {
    const summary = await seedDemo(database.db);
    const { digest } = await seedDigest(database.db);
    console.log(`seeded ${database.describe} in ${(summary.ms / 1000).toFixed(1)} s:`);
    console.log(`  ${summary.brands} brands, ${summary.cooperatives} cooperatives, ${summary.producers} producers, ${summary.plots} plots,`);
    console.log(`  ${summary.lots} lots (${summary.assessments} assessed), ${summary.commitments} commitments for 2027`);
    console.log(`  digest ${digest}`);
    console.log(`\nlogins (password for all: ${summary.logins[0]!.password}):`);
    for (const l of summary.logins) console.log(`  ${l.role.padEnd(14)} ${l.email.padEnd(26)} ${l.displayName} — ${l.note}`);
  }
} finally {
  await database.close();
}
