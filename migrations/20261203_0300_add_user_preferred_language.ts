import { type Kysely, sql } from 'kysely';

// A person's preferred language (issue 8 §4): 'id' (Indonesian) or 'en' (English); NULL means the
// request's Accept-Language decides. Frozen in time: never import src/.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN preferred_language text CHECK (preferred_language IN ('en', 'id'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN preferred_language`.execute(db);
}
