import { type Kysely, sql } from 'kysely';

// Supply side: products, grade schemes, memberships, plots, lots, assessments, commitments,
// and the append-only provenance log. Weights are int8 grams. Frozen in time: never import src/.
const statements = [
  `CREATE TABLE products (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      brand_id   int8 NOT NULL REFERENCES brands(id),
      name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      commodity  text NOT NULL,
      species    text NOT NULL CHECK (species IN ('ARABICA', 'ROBUSTA')),
      process    text NOT NULL CHECK (process IN ('WASHED', 'NATURAL', 'HONEY', 'WET_HULLED')),
      form       text NOT NULL CHECK (form IN ('CHERRY', 'PARCHMENT', 'GREEN')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX products_brand_idx ON products (brand_id, id)`,
  // A scheme version is immutable; changing a product's grades adds a version.
  `CREATE TABLE grade_schemes (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      product_id int8 NOT NULL REFERENCES products(id),
      version    int4 NOT NULL CHECK (version >= 1),
      preset     text,
      created_by int8 REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (product_id, version)
    )`,
  `CREATE TABLE grades (
      id              int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      scheme_id       int8 NOT NULL REFERENCES grade_schemes(id),
      code            text NOT NULL,
      label           text NOT NULL,
      rank            int4 NOT NULL CHECK (rank >= 1),
      max_defect      numeric(8,2) NOT NULL CHECK (max_defect >= 0),
      max_moisture    numeric(5,2) NOT NULL CHECK (max_moisture >= 0 AND max_moisture <= 100),
      min_cupping     numeric(5,2) CHECK (min_cupping >= 0 AND min_cupping <= 100),
      UNIQUE (scheme_id, code),
      UNIQUE (scheme_id, rank)
    )`,
  `CREATE TABLE memberships (
      id          int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id int8 NOT NULL REFERENCES producers(id),
      brand_id    int8 NOT NULL REFERENCES brands(id),
      status      text NOT NULL CHECK (status IN ('APPLIED', 'APPROVED', 'REJECTED', 'SUSPENDED')),
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      UNIQUE (producer_id, brand_id)
    )`,
  `CREATE INDEX memberships_brand_status_idx ON memberships (brand_id, status, producer_id)`,
  `CREATE TABLE membership_events (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      membership_id int8 NOT NULL REFERENCES memberships(id),
      from_status   text,
      to_status     text NOT NULL,
      actor_user_id int8 REFERENCES users(id),
      reason        text,
      at            timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX membership_events_membership_idx ON membership_events (membership_id, id)`,
  `CREATE TABLE plots (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id      int8 NOT NULL REFERENCES producers(id),
      name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      area_ha          numeric(10,4) NOT NULL CHECK (area_ha > 0),
      altitude_m       int4 CHECK (altitude_m BETWEEN -500 AND 9000),
      geometry         jsonb NOT NULL,
      computed_area_ha numeric(12,4),
      eudr_ready       boolean NOT NULL,
      created_at       timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX plots_producer_idx ON plots (producer_id, id)`,
  `CREATE TABLE lots (
      id                   int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id          int8 NOT NULL REFERENCES producers(id),
      product_id           int8 NOT NULL REFERENCES products(id),
      brand_id             int8 NOT NULL REFERENCES brands(id),
      regency              text NOT NULL,
      harvest_start        date NOT NULL,
      harvest_end          date NOT NULL,
      process              text NOT NULL CHECK (process IN ('WASHED', 'NATURAL', 'HONEY', 'WET_HULLED')),
      net_g                int8 NOT NULL CHECK (net_g > 0),
      allocated_g          int8 NOT NULL DEFAULT 0,
      storage_location     text NOT NULL,
      eudr_ready           boolean NOT NULL,
      grade_rank           int4,
      grade_code           text,
      off_grade            boolean NOT NULL DEFAULT false,
      latest_assessment_id int8,
      created_at           timestamptz NOT NULL DEFAULT now(),
      CHECK (harvest_end >= harvest_start),
      CONSTRAINT lots_allocation_within_net CHECK (allocated_g >= 0 AND allocated_g <= net_g)
    )`,
  `CREATE INDEX lots_producer_idx ON lots (producer_id, id)`,
  // Availability: graded, offerable lots with weight left, by product and grade.
  `CREATE INDEX lots_available_idx ON lots (product_id, grade_rank, regency)
      INCLUDE (producer_id, net_g, allocated_g)
      WHERE grade_rank IS NOT NULL AND NOT off_grade AND allocated_g < net_g`,
  `CREATE TABLE lot_plots (
      lot_id  int8 NOT NULL REFERENCES lots(id),
      plot_id int8 NOT NULL REFERENCES plots(id),
      PRIMARY KEY (lot_id, plot_id)
    )`,
  `CREATE INDEX lot_plots_plot_idx ON lot_plots (plot_id)`,
  `CREATE TABLE assessments (
      id                 int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      lot_id             int8 NOT NULL REFERENCES lots(id),
      scheme_id          int8 NOT NULL REFERENCES grade_schemes(id),
      curator_user_id    int8 NOT NULL REFERENCES users(id),
      sample_g           int4 NOT NULL CHECK (sample_g > 0),
      defect_counts      jsonb NOT NULL,
      moisture_pct       numeric(5,2) NOT NULL,
      foreign_matter_pct numeric(5,2) NOT NULL,
      live_insects       boolean NOT NULL,
      foul_odour         boolean NOT NULL,
      cupping_score      numeric(5,2),
      defect_value       numeric(10,2) NOT NULL,
      grade_code         text,
      grade_rank         int4,
      off_grade          boolean NOT NULL,
      failed_requirements jsonb NOT NULL DEFAULT '[]',
      created_at         timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX assessments_lot_idx ON assessments (lot_id, id)`,
  `ALTER TABLE lots ADD CONSTRAINT lots_latest_assessment_fk FOREIGN KEY (latest_assessment_id) REFERENCES assessments(id)`,
  `CREATE TABLE commitments (
      id             int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id    int8 NOT NULL REFERENCES producers(id),
      product_id     int8 NOT NULL REFERENCES products(id),
      brand_id       int8 NOT NULL REFERENCES brands(id),
      regency        text NOT NULL,
      min_grade_rank int4 NOT NULL CHECK (min_grade_rank >= 1),
      min_grade_code text NOT NULL,
      committed_g    int8 NOT NULL CHECK (committed_g > 0),
      allocated_g    int8 NOT NULL DEFAULT 0,
      window_start   date NOT NULL,
      window_end     date NOT NULL,
      status         text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'WITHDRAWN')),
      eudr_ready     boolean NOT NULL DEFAULT false,
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      CHECK (window_end >= window_start),
      CONSTRAINT commitments_allocation_within_committed CHECK (allocated_g >= 0 AND allocated_g <= committed_g)
    )`,
  `CREATE INDEX commitments_producer_idx ON commitments (producer_id, id)`,
  `CREATE INDEX commitments_open_idx ON commitments (product_id, min_grade_rank, window_start)
      INCLUDE (window_end, regency, producer_id, committed_g, allocated_g)
      WHERE status = 'OPEN' AND allocated_g < committed_g`,
  // Append-only provenance log: declared, assessed, allocated, fulfilled, shipped, ...
  `CREATE TABLE provenance_events (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind          text NOT NULL,
      lot_id        int8 REFERENCES lots(id),
      commitment_id int8 REFERENCES commitments(id),
      order_id      int8,
      actor_user_id int8 REFERENCES users(id),
      payload       jsonb NOT NULL DEFAULT '{}',
      at            timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX provenance_events_lot_idx ON provenance_events (lot_id, id) WHERE lot_id IS NOT NULL`,
  `CREATE INDEX provenance_events_order_idx ON provenance_events (order_id, id) WHERE order_id IS NOT NULL`,
  `CREATE FUNCTION reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END $$`,
  `CREATE TRIGGER provenance_events_append_only BEFORE UPDATE OR DELETE ON provenance_events
      FOR EACH ROW EXECUTE FUNCTION reject_change()`,
  `CREATE TRIGGER assessments_immutable BEFORE UPDATE OR DELETE ON assessments
      FOR EACH ROW EXECUTE FUNCTION reject_change()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE provenance_events, commitments, lot_plots, assessments, lots, plots,
    membership_events, memberships, grades, grade_schemes, products CASCADE`.execute(db);
  await sql`DROP FUNCTION reject_change()`.execute(db);
}
