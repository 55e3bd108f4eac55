// npm run create-admin -- --email admin@example.org --password '…' [--name 'Platform admin']
// Creates the first admin (or grants ADMIN to an existing user after checking the password).
import { parseArgs } from 'node:util';
import { composeModules } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { verifyPassword } from '../src/platform/auth.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { findUserByEmail, insertGrant } from '../src/modules/accounts/accounts.repo.js';
import { insertUserChecked } from '../src/modules/accounts/accounts.service.js';
import { AppError, ValidationError } from '../src/platform/errors.js';

composeModules();

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string', default: 'Platform admin' } },
});
if (!values.email || !values.password) {
  console.error('usage: npm run create-admin -- --email <email> --password <password (12+ chars)> [--name <display name>]');
  process.exit(2);
}

const database = await createDatabase(loadConfig().database).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
try {
  await migrateToLatest(database.db);
  let user = await findUserByEmail(database.db, values.email);
  if (user) {
    if (!(await verifyPassword(values.password, user.password_hash))) {
      console.error(`a user ${values.email} exists and the password does not match; not changed`);
      process.exit(1);
    }
  } else {
    user = await insertUserChecked(database.db, { email: values.email, password: values.password, displayName: values.name! });
  }
  await insertGrant(database.db, { user_id: user.id, role: 'ADMIN' });
  console.log(`admin ready: ${user.email} (user ${user.id}) in ${database.describe}`);
} catch (error) {
  if (error instanceof ValidationError) console.error(error.issues.map((i) => `${i.path.replace(/^input\./, '--')}: ${i.message}`).join('\n'));
  else if (error instanceof AppError) console.error(error.message);
  else throw error;
  process.exitCode = 1;
} finally {
  await database.close();
}
