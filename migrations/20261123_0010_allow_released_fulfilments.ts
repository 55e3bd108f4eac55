import { type Kysely, sql } from 'kysely';

// A fulfilment can also be RELEASED: its order was cancelled, so the delivered lot's weight goes back
// to the lot (FAILED stays for a lot that failed grading). Frozen in time: never import src/.
const statements = [
  `ALTER TABLE fulfilments DROP CONSTRAINT fulfilments_status_check`,
  `ALTER TABLE fulfilments ADD CONSTRAINT fulfilments_status_check CHECK (status IN ('ACTIVE', 'FAILED', 'RELEASED'))`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`ALTER TABLE fulfilments DROP CONSTRAINT fulfilments_status_check`).execute(db);
  await sql.raw(`ALTER TABLE fulfilments ADD CONSTRAINT fulfilments_status_check CHECK (status IN ('ACTIVE', 'FAILED'))`).execute(db);
}
