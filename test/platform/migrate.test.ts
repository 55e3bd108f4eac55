import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import type { Database } from '../../src/platform/db.js';
import { migrateToLatest } from '../../src/platform/migrate.js';
import { openTestDatabase } from '../support/app.js';

// The test database is a clone of the migrated template, on PGlite or PostgreSQL (TEST_DB).
describe('migrateToLatest', () => {
  let database: Database;
  let drop: () => Promise<void>;
  const statements: string[] = [];
  beforeAll(async () => {
    ({ database, drop } = await openTestDatabase((s) => statements.push(s)));
  });
  afterAll(() => drop());

  it('answers an up-to-date database with two reads and applies nothing', async () => {
    statements.length = 0;
    expect(await migrateToLatest(database.db)).toEqual([]);
    expect(statements).toHaveLength(2);
    expect(statements.join('\n')).not.toMatch(/pg_advisory|kysely_migration_lock|pg_catalog|information_schema/);
  });

  it('runs the Migrator, and applies what is missing, when a migration is not recorded', async () => {
    const last = Object.keys(migrations).at(-1)!;
    // Undo the last migration (its down step) and forget it, as a database one release behind.
    await migrations[last]!.down!(database.db);
    await sql`delete from kysely_migration where name = ${last}`.execute(database.db);
    expect(await migrateToLatest(database.db)).toEqual([last]);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('refuses a database that records a migration this code does not know', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('29991231_9999_from_the_future', now()::text)`.execute(database.db);
    await expect(migrateToLatest(database.db)).rejects.toThrow(/corrupted migrations|29991231_9999_from_the_future/);
    await sql`delete from kysely_migration where name = '29991231_9999_from_the_future'`.execute(database.db);
  });
});
