import { type Kysely, sql } from 'kysely';

// Availability drill-down in producer order. The aggregate reads lots_available_idx and
// commitments_open_idx (grade/window order); the per-producer page of contributors probes these
// (product, producer) covering indexes once per approved member, in member-id order, and stops after
// one page, instead of aggregating the whole product. Same predicates as the existing partial indexes,
// so they only hold rows with weight left. Frozen in time: never import src/.
const statements = [
  `CREATE INDEX lots_available_producer_idx ON lots (product_id, producer_id)
      INCLUDE (grade_rank, regency, net_g, allocated_g)
      WHERE grade_rank IS NOT NULL AND NOT off_grade AND allocated_g < net_g`,
  `CREATE INDEX commitments_open_producer_idx ON commitments (product_id, producer_id)
      INCLUDE (min_grade_rank, window_start, window_end, regency, committed_g, allocated_g)
      WHERE status = 'OPEN' AND allocated_g < committed_g`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX commitments_open_producer_idx`.execute(db);
  await sql`DROP INDEX lots_available_producer_idx`.execute(db);
}
