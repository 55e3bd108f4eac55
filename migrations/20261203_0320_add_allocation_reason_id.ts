import { type Kysely, sql } from 'kysely';

// Allocation line reasons, and the reasons the system writes into order events ("Accepted with
// PRO_RATA: …"), in Indonesian (issue 8 §4). Frozen in time: never import src/.
//
// A line's reason must read the same forever, so both texts are stored when the line is written
// (as settlement stores explanation_id / explanation_en), rather than the facts re-rendered at read
// time by whatever the catalogue says then. `reason` stays the English text; `reason_id` is the
// Indonesian. Lines written before this migration keep NULL: their Indonesian is not guessed from
// the English (a machine-made sentence would read worse than the original), and the API falls back
// to the English reason for them. An order event's reason_id is NULL also when a person wrote the
// reason: their words are shown as written in both languages.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE allocation_lines ADD COLUMN reason_id text`.execute(db);
  await sql`ALTER TABLE order_events ADD COLUMN reason_id text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE order_events DROP COLUMN reason_id`.execute(db);
  await sql`ALTER TABLE allocation_lines DROP COLUMN reason_id`.execute(db);
}
