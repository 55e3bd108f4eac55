import { type Kysely, sql } from 'kysely';

// The allocation invariant's re-check (issue 13): every write to a lot's or a commitment's
// allocated_g re-sums the ACTIVE lines on it while the row is locked. With only (lot_id) to go on,
// that read every line on the lot from the heap: on the contention bench's database (15,655 lines,
// 3,217 of them on the 40 lots an acceptance touched) the re-check took 3.1 ms of the lock; with
// these covering partial indexes it is an index-only scan, 0.7 ms once autovacuum has marked the
// pages all-visible. Frozen in time: never import src/.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX allocation_lines_active_lot_idx ON allocation_lines (lot_id) INCLUDE (weight_g)
    WHERE status = 'ACTIVE' AND lot_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX allocation_lines_active_commitment_idx ON allocation_lines (commitment_id) INCLUDE (weight_g)
    WHERE status = 'ACTIVE' AND commitment_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX allocation_lines_active_commitment_idx`.execute(db);
  await sql`DROP INDEX allocation_lines_active_lot_idx`.execute(db);
}
