import { type Kysely, sql } from 'kysely';

// Demand side: orders, their transitions, allocation lines, fulfilments and idempotency keys.
// Frozen in time: never import src/.
const statements = [
  `CREATE TABLE orders (
      id                  int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      buyer_org_id        int8 NOT NULL REFERENCES buyer_orgs(id),
      brand_id            int8 NOT NULL REFERENCES brands(id),
      product_id          int8 NOT NULL REFERENCES products(id),
      min_grade_rank      int4 NOT NULL CHECK (min_grade_rank >= 1),
      min_grade_code      text NOT NULL,
      quantity_g          int8 NOT NULL CHECK (quantity_g > 0),
      whole_bags          boolean NOT NULL DEFAULT false,
      window_start        date NOT NULL,
      window_end          date NOT NULL,
      destination_country text NOT NULL CHECK (destination_country ~ '^[A-Z]{2}$'),
      incoterm            text NOT NULL,
      price_minor_per_kg  int8 NOT NULL CHECK (price_minor_per_kg >= 0),
      currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      notes               text,
      status              text NOT NULL DEFAULT 'REQUESTED'
                          CHECK (status IN ('REQUESTED', 'ACCEPTED', 'REJECTED', 'IN_FULFILLMENT', 'SHIPPED', 'COMPLETED', 'CANCELLED')),
      strategy            text,
      constraints         jsonb,
      fee_pct             numeric(5,2),
      uncovered_g         int8 NOT NULL DEFAULT 0 CHECK (uncovered_g >= 0),
      placed_by           int8 NOT NULL REFERENCES users(id),
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      CHECK (window_end >= window_start),
      CHECK (NOT whole_bags OR quantity_g % 60000 = 0)
    )`,
  `CREATE INDEX orders_buyer_idx ON orders (buyer_org_id, id)`,
  `CREATE INDEX orders_brand_idx ON orders (brand_id, status, id)`,
  `CREATE TABLE order_events (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id      int8 NOT NULL REFERENCES orders(id),
      from_status   text,
      to_status     text NOT NULL,
      actor_user_id int8 REFERENCES users(id),
      reason        text,
      at            timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX order_events_order_idx ON order_events (order_id, id)`,
  `CREATE TABLE allocation_lines (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id      int8 NOT NULL REFERENCES orders(id),
      producer_id   int8 NOT NULL REFERENCES producers(id),
      lot_id        int8 REFERENCES lots(id),
      commitment_id int8 REFERENCES commitments(id),
      weight_g      int8 NOT NULL CHECK (weight_g > 0),
      fulfilled_g   int8 NOT NULL DEFAULT 0,
      status        text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'RELEASED', 'SHORTFALL')),
      reason        text NOT NULL,
      replaces_line_id int8 REFERENCES allocation_lines(id),
      created_at    timestamptz NOT NULL DEFAULT now(),
      CHECK (num_nonnulls(lot_id, commitment_id) = 1),
      CHECK (fulfilled_g >= 0 AND fulfilled_g <= weight_g)
    )`,
  `CREATE INDEX allocation_lines_order_idx ON allocation_lines (order_id, id)`,
  `CREATE INDEX allocation_lines_producer_idx ON allocation_lines (producer_id, id)`,
  `CREATE INDEX allocation_lines_lot_idx ON allocation_lines (lot_id) WHERE lot_id IS NOT NULL`,
  `CREATE INDEX allocation_lines_commitment_idx ON allocation_lines (commitment_id) WHERE commitment_id IS NOT NULL`,
  // A forward line is fulfilled by delivered, graded lots of the same producer.
  `CREATE TABLE fulfilments (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      line_id    int8 NOT NULL REFERENCES allocation_lines(id),
      lot_id     int8 NOT NULL REFERENCES lots(id),
      weight_g   int8 NOT NULL CHECK (weight_g > 0),
      status     text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FAILED')),
      created_by int8 REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX fulfilments_line_idx ON fulfilments (line_id)`,
  `CREATE INDEX fulfilments_lot_idx ON fulfilments (lot_id)`,
  `CREATE TABLE idempotency_keys (
      user_id      int8 NOT NULL REFERENCES users(id),
      operation    text NOT NULL,
      key          text NOT NULL CHECK (length(key) BETWEEN 8 AND 200),
      request_hash text NOT NULL,
      response     jsonb,
      created_at   timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      PRIMARY KEY (user_id, operation, key)
    )`,
  `ALTER TABLE provenance_events ADD CONSTRAINT provenance_events_order_fk FOREIGN KEY (order_id) REFERENCES orders(id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE provenance_events DROP CONSTRAINT provenance_events_order_fk`.execute(db);
  await sql`DROP TABLE idempotency_keys, fulfilments, allocation_lines, order_events, orders`.execute(db);
}
