import { type Kysely, sql } from 'kysely';

// Maintained availability aggregates (issue 13). Frozen in time: never import src/.
//
// - availability_counters: per product, summed over producers, the figures availability reads
//   (spot and forward grams, and the pieces of exact contributor counts; metric codes and the
//   meaning of gran/d1/d2/rank_lo/rank_hi are in src/modules/availability/aggregates.ts). The key
//   starts with (product_id, gran, d1) so the read is a handful of range scans.
// - availability_contributions: each producer's share of the counters, per product, as last
//   folded in (what to subtract when the producer changes).
// - availability_live: (product, producer) pairs whose supply spans several regencies: they are
//   left out of the counters and always computed from their lots and commitments at read time.
// - availability_dirty: producers whose supply may have changed since they were last folded in.
//   Appended to by triggers in the same transaction as the change; the read computes these
//   producers from their lots and commitments (so answers are exact at once) and the compactor
//   folds them into the counters later, deleting the markers it folded.
//
// Why triggers, and why they only mark: a trigger cannot be forgotten by a new write path (every
// change to lots, commitments, memberships and a product's brand marks the producer, whichever
// service made it), and an append-only INSERT takes no row lock, so concurrent acceptances never
// queue on a shared aggregate row (the counters are written by the compactor alone). The rules of
// what counts stay in TypeScript (src/modules/availability), not in PL/pgSQL.
const statements = [
  `CREATE TABLE availability_counters (
      product_id int8 NOT NULL,
      gran       "char" NOT NULL,
      d1         date NOT NULL,
      metric     int2 NOT NULL,
      rank_lo    int2 NOT NULL,
      rank_hi    int2 NOT NULL,
      regency    text NOT NULL,
      d2         date NOT NULL,
      value      int8 NOT NULL,
      PRIMARY KEY (product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2)
    )`,
  `CREATE TABLE availability_contributions (
      producer_id int8 NOT NULL,
      product_id  int8 NOT NULL,
      gran        "char" NOT NULL,
      d1          date NOT NULL,
      metric      int2 NOT NULL,
      rank_lo     int2 NOT NULL,
      rank_hi     int2 NOT NULL,
      regency     text NOT NULL,
      d2          date NOT NULL,
      value       int8 NOT NULL,
      PRIMARY KEY (producer_id, product_id, gran, d1, metric, rank_lo, rank_hi, regency, d2)
    )`,
  `CREATE TABLE availability_live (
      product_id  int8 NOT NULL,
      producer_id int8 NOT NULL,
      PRIMARY KEY (product_id, producer_id)
    )`,
  `CREATE TABLE availability_dirty (
      id          int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id int8 NOT NULL
    )`,
  `CREATE FUNCTION availability_aggregates_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO availability_dirty (producer_id) VALUES (OLD.producer_id);
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.producer_id IS DISTINCT FROM OLD.producer_id) THEN
        INSERT INTO availability_dirty (producer_id) VALUES (NEW.producer_id);
      END IF;
      RETURN NULL;
    END $$`,
  `CREATE FUNCTION availability_aggregates_mark_product() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO availability_dirty (producer_id)
        SELECT DISTINCT producer_id FROM lots WHERE product_id = NEW.id
        UNION SELECT DISTINCT producer_id FROM commitments WHERE product_id = NEW.id;
      RETURN NULL;
    END $$`,
  `CREATE TRIGGER lots_aggregates_insert_delete AFTER INSERT OR DELETE ON lots
      FOR EACH ROW EXECUTE FUNCTION availability_aggregates_mark()`,
  `CREATE TRIGGER lots_aggregates_update AFTER UPDATE ON lots FOR EACH ROW
      WHEN (OLD.net_g IS DISTINCT FROM NEW.net_g OR OLD.allocated_g IS DISTINCT FROM NEW.allocated_g
         OR OLD.grade_rank IS DISTINCT FROM NEW.grade_rank OR OLD.off_grade IS DISTINCT FROM NEW.off_grade
         OR OLD.regency IS DISTINCT FROM NEW.regency OR OLD.product_id IS DISTINCT FROM NEW.product_id
         OR OLD.producer_id IS DISTINCT FROM NEW.producer_id)
      EXECUTE FUNCTION availability_aggregates_mark()`,
  `CREATE TRIGGER commitments_aggregates_insert_delete AFTER INSERT OR DELETE ON commitments
      FOR EACH ROW EXECUTE FUNCTION availability_aggregates_mark()`,
  `CREATE TRIGGER commitments_aggregates_update AFTER UPDATE ON commitments FOR EACH ROW
      WHEN (OLD.committed_g IS DISTINCT FROM NEW.committed_g OR OLD.allocated_g IS DISTINCT FROM NEW.allocated_g
         OR OLD.status IS DISTINCT FROM NEW.status OR OLD.min_grade_rank IS DISTINCT FROM NEW.min_grade_rank
         OR OLD.window_start IS DISTINCT FROM NEW.window_start OR OLD.window_end IS DISTINCT FROM NEW.window_end
         OR OLD.regency IS DISTINCT FROM NEW.regency OR OLD.product_id IS DISTINCT FROM NEW.product_id
         OR OLD.producer_id IS DISTINCT FROM NEW.producer_id)
      EXECUTE FUNCTION availability_aggregates_mark()`,
  `CREATE TRIGGER memberships_aggregates_insert_delete AFTER INSERT OR DELETE ON memberships
      FOR EACH ROW EXECUTE FUNCTION availability_aggregates_mark()`,
  `CREATE TRIGGER memberships_aggregates_update AFTER UPDATE ON memberships FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.brand_id IS DISTINCT FROM NEW.brand_id
         OR OLD.producer_id IS DISTINCT FROM NEW.producer_id)
      EXECUTE FUNCTION availability_aggregates_mark()`,
  `CREATE TRIGGER products_aggregates_brand AFTER UPDATE ON products FOR EACH ROW
      WHEN (OLD.brand_id IS DISTINCT FROM NEW.brand_id)
      EXECUTE FUNCTION availability_aggregates_mark_product()`,
  // Existing supply: every producer starts dirty (exact at once); the compactor folds them in.
  `INSERT INTO availability_dirty (producer_id) SELECT id FROM producers`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER products_aggregates_brand ON products`.execute(db);
  for (const t of ['lots', 'commitments', 'memberships']) {
    await sql.raw(`DROP TRIGGER ${t}_aggregates_update ON ${t}`).execute(db);
    await sql.raw(`DROP TRIGGER ${t}_aggregates_insert_delete ON ${t}`).execute(db);
  }
  await sql`DROP FUNCTION availability_aggregates_mark_product(), availability_aggregates_mark()`.execute(db);
  await sql`DROP TABLE availability_dirty, availability_live, availability_contributions, availability_counters`.execute(db);
}
