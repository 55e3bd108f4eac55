// npm run migrate: apply pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR.
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';

const config = loadConfig();
const database = await createDatabase(config.database);
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length ? `applied ${applied.join(', ')} to ${database.describe}` : `${database.describe} is up to date`);
} finally {
  await database.close();
}
