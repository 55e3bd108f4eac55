import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';

/**
 * Apply every migration not applied yet; returns the names applied. When the database already has
 * exactly this code's migrations (every start but the first after an upgrade), two plain reads
 * answer that and Kysely's Migrator is not run: it introspects the catalog to find its own tables
 * and takes its lock first, which cost ~230 ms of a ~1.5 s warm start on the embedded database.
 * Anything else (no migration table, a missing migration, one this code does not know) goes
 * through the Migrator, with its lock and its errors.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function upToDate(db: Kysely<any>): Promise<boolean> {
  const table = await sql<{ t: string | null }>`select to_regclass('kysely_migration')::text as t`.execute(db);
  if (!table.rows[0]?.t) return false;
  const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const known = Object.keys(migrations);
  const names = new Set(applied.rows.map((r) => r.name));
  return names.size === known.length && known.every((name) => names.has(name));
}
