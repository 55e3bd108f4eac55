import { type Kysely, sql } from 'kysely';

// Settlement: price rules and certifications, cooperative service fees, the snapshot taken at
// acceptance, invoices, costs, payments, exchange rates, settlement runs and payout statements.
// Money is int8 minor units (IDR sen for *_idr_minor); exact rates that are not whole minor units
// (premium and base rate per kg) are numeric. Everything a settlement computed is stored and
// append-only; a statement only moves PENDING → PAID. Frozen in time: never import src/.
const statements = [
  // Certifications a producer (all their coffee) or a single lot holds, with validity dates.
  `CREATE TABLE certifications (
      id          int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id int8 REFERENCES producers(id),
      lot_id      int8 REFERENCES lots(id),
      scheme      text NOT NULL CHECK (scheme IN ('ORGANIC', 'FAIRTRADE', 'RAINFOREST_ALLIANCE')),
      reference   text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
      valid_from  date NOT NULL,
      valid_until date NOT NULL,
      recorded_by int8 REFERENCES users(id),
      created_at  timestamptz NOT NULL DEFAULT now(),
      CHECK (num_nonnulls(producer_id, lot_id) = 1),
      CHECK (valid_until >= valid_from)
    )`,
  `CREATE INDEX certifications_producer_idx ON certifications (producer_id, id) WHERE producer_id IS NOT NULL`,
  `CREATE INDEX certifications_lot_idx ON certifications (lot_id, id) WHERE lot_id IS NOT NULL`,
  // Premium rules of a brand, versioned: a version and its rules never change; a new set adds a version.
  `CREATE TABLE premium_rule_versions (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      brand_id   int8 NOT NULL REFERENCES brands(id),
      version    int4 NOT NULL CHECK (version >= 1),
      note       text,
      created_by int8 REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (brand_id, version)
    )`,
  `CREATE TABLE premium_rules (
      id                  int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      version_id          int8 NOT NULL REFERENCES premium_rule_versions(id),
      position            int4 NOT NULL,
      applies_to          text NOT NULL CHECK (applies_to IN ('GRADE', 'CERTIFICATION', 'ALL')),
      grade_code          text,
      certification       text CHECK (certification IN ('ORGANIC', 'FAIRTRADE', 'RAINFOREST_ALLIANCE')),
      per_kg_idr_minor    int8 CHECK (per_kg_idr_minor > 0),
      price_pct           numeric(5,2) CHECK (price_pct > 0 AND price_pct <= 100),
      UNIQUE (version_id, position),
      CHECK (num_nonnulls(per_kg_idr_minor, price_pct) = 1),
      CHECK ((applies_to = 'GRADE') = (grade_code IS NOT NULL)),
      CHECK ((applies_to = 'CERTIFICATION') = (certification IS NOT NULL))
    )`,
  // A cooperative's service fee over time; the latest row is the current fee.
  `CREATE TABLE cooperative_fees (
      id             int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      cooperative_id int8 NOT NULL REFERENCES cooperatives(id),
      fee_pct        numeric(5,2) NOT NULL CHECK (fee_pct >= 0 AND fee_pct <= 100),
      set_by         int8 REFERENCES users(id),
      created_at     timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX cooperative_fees_coop_idx ON cooperative_fees (cooperative_id, id)`,
  // The snapshot at acceptOrder: the premium rule version and every member cooperative's fee.
  `CREATE TABLE order_settlement_terms (
      order_id           int8 PRIMARY KEY REFERENCES orders(id),
      brand_fee_pct      numeric(5,2) NOT NULL,
      premium_version_id int8 REFERENCES premium_rule_versions(id),
      snapshotted_at     timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE TABLE order_cooperative_fees (
      order_id       int8 NOT NULL REFERENCES orders(id),
      cooperative_id int8 NOT NULL REFERENCES cooperatives(id),
      fee_pct        numeric(5,2) NOT NULL,
      PRIMARY KEY (order_id, cooperative_id)
    )`,
  // The invoice written when the order ships: shipped weight × price per kg, in the order's currency.
  `CREATE TABLE invoices (
      id                 int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id           int8 NOT NULL UNIQUE REFERENCES orders(id),
      number             text NOT NULL UNIQUE,
      shipped_g          int8 NOT NULL CHECK (shipped_g > 0),
      price_minor_per_kg int8 NOT NULL,
      currency           text NOT NULL,
      amount_minor       int8 NOT NULL CHECK (amount_minor >= 0),
      issued_by          int8 REFERENCES users(id),
      issued_at          timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE TABLE order_costs (
      id           int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id     int8 NOT NULL REFERENCES orders(id),
      kind         text NOT NULL CHECK (kind IN ('FREIGHT', 'HANDLING', 'CERTIFICATES', 'OTHER')),
      amount_minor int8 NOT NULL CHECK (amount_minor > 0),
      currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      reference    text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
      description  text,
      recorded_by  int8 REFERENCES users(id),
      recorded_at  timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX order_costs_order_idx ON order_costs (order_id, id)`,
  `CREATE TABLE order_payments (
      id           int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id     int8 NOT NULL REFERENCES orders(id),
      amount_minor int8 NOT NULL CHECK (amount_minor > 0),
      currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      received_on  date NOT NULL,
      reference    text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
      recorded_by  int8 REFERENCES users(id),
      recorded_at  timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, reference)
    )`,
  // Exchange rate to IDR: IDR per one unit of the currency (e.g. 16250.5 per USD), with source and date.
  `CREATE TABLE exchange_rates (
      id          int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id    int8 NOT NULL REFERENCES orders(id),
      currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      rate        numeric(20,6) NOT NULL CHECK (rate > 0),
      source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
      rate_date   date NOT NULL,
      recorded_by int8 REFERENCES users(id),
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX exchange_rates_order_idx ON exchange_rates (order_id, currency, id)`,
  // One settlement run of an order: what it received (this run and in total) and how it was split.
  `CREATE TABLE settlements (
      id                       int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id                 int8 NOT NULL REFERENCES orders(id),
      run_no                   int4 NOT NULL CHECK (run_no >= 1),
      settled_on               date NOT NULL,
      settled_by               int8 REFERENCES users(id),
      weight_g                 int8 NOT NULL CHECK (weight_g > 0),
      received_idr_minor       int8 NOT NULL CHECK (received_idr_minor >= 0),
      received_total_idr_minor int8 NOT NULL CHECK (received_total_idr_minor >= 0),
      costs_idr_minor          int8 NOT NULL CHECK (costs_idr_minor >= 0),
      costs_total_idr_minor    int8 NOT NULL CHECK (costs_total_idr_minor >= 0),
      brand_fee_pct            numeric(5,2) NOT NULL,
      brand_fee_idr_minor      int8 NOT NULL CHECK (brand_fee_idr_minor >= 0),
      coop_fees_idr_minor      int8 NOT NULL CHECK (coop_fees_idr_minor >= 0),
      payouts_idr_minor        int8 NOT NULL CHECK (payouts_idr_minor >= 0),
      premiums_total_minor     numeric(30,10) NOT NULL,
      net_total_minor          numeric(30,10) NOT NULL,
      base_rate_minor_per_kg   numeric(30,10) NOT NULL,
      created_at               timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, run_no),
      UNIQUE (id, order_id),
      CHECK (received_idr_minor = costs_idr_minor + brand_fee_idr_minor + coop_fees_idr_minor + payouts_idr_minor)
    )`,
  `CREATE TABLE settlement_payments (
      settlement_id int8 NOT NULL REFERENCES settlements(id),
      payment_id    int8 NOT NULL UNIQUE REFERENCES order_payments(id),
      rate          numeric(20,6) NOT NULL,
      rate_id       int8 REFERENCES exchange_rates(id),
      idr_minor     int8 NOT NULL,
      PRIMARY KEY (settlement_id, payment_id)
    )`,
  `CREATE TABLE settlement_costs (
      settlement_id int8 NOT NULL REFERENCES settlements(id),
      cost_id       int8 NOT NULL UNIQUE REFERENCES order_costs(id),
      rate          numeric(20,6) NOT NULL,
      rate_id       int8 REFERENCES exchange_rates(id),
      idr_minor     int8 NOT NULL,
      PRIMARY KEY (settlement_id, cost_id)
    )`,
  `CREATE TABLE settlement_cooperative_fees (
      settlement_id  int8 NOT NULL REFERENCES settlements(id),
      cooperative_id int8 NOT NULL REFERENCES cooperatives(id),
      fee_pct        numeric(5,2) NOT NULL,
      idr_minor      int8 NOT NULL CHECK (idr_minor >= 0),
      PRIMARY KEY (settlement_id, cooperative_id)
    )`,
  // A contributor's statement for one settlement run of one order. fiscal_date is the run's date.
  // A run writes hundreds of statements and lines in one statement and every foreign key costs a
  // lookup per row, so the keys are the necessary ones: (settlement_id, order_id) is one composite
  // key to the run (whose order_id references orders); brand_id is the order's brand, copied for
  // the visibility filter by the one writer (settleOrder), like payout_lines.lot_id.
  `CREATE TABLE payout_statements (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      settlement_id    int8 NOT NULL,
      order_id         int8 NOT NULL,
      brand_id         int8 NOT NULL,
      producer_id      int8 NOT NULL REFERENCES producers(id),
      cooperative_id   int8 REFERENCES cooperatives(id),
      fiscal_date      date NOT NULL,
      delivered_g      int8 NOT NULL CHECK (delivered_g > 0),
      amount_idr_minor int8 NOT NULL CHECK (amount_idr_minor >= 0),
      status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PAID')),
      paid_method      text CHECK (paid_method IN ('BANK_TRANSFER', 'E_WALLET', 'CASH_VIA_COOPERATIVE')),
      paid_reference   text,
      paid_at          timestamptz,
      paid_by          int8 REFERENCES users(id),
      created_at       timestamptz NOT NULL DEFAULT now(),
      UNIQUE (settlement_id, producer_id),
      FOREIGN KEY (settlement_id, order_id) REFERENCES settlements (id, order_id),
      CHECK ((status = 'PAID') = (paid_method IS NOT NULL AND paid_at IS NOT NULL AND paid_by IS NOT NULL))
    )`,
  `CREATE INDEX payout_statements_producer_idx ON payout_statements (producer_id, id)`,
  `CREATE INDEX payout_statements_coop_idx ON payout_statements (cooperative_id, fiscal_date, id)`,
  `CREATE INDEX payout_statements_order_idx ON payout_statements (order_id, id)`,
  `CREATE TABLE payout_lines (
      id                     int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      statement_id           int8 NOT NULL REFERENCES payout_statements(id),
      position               int4 NOT NULL,
      allocation_line_id     int8 NOT NULL REFERENCES allocation_lines(id),
      fulfilment_id          int8 REFERENCES fulfilments(id),
      lot_id                 int8 NOT NULL, -- the spot line's lot or the fulfilment's lot (copied)
      weight_g               int8 NOT NULL CHECK (weight_g > 0),
      grade_code             text,
      certifications         jsonb NOT NULL DEFAULT '[]',
      premium_minor_per_kg   numeric(30,10) NOT NULL CHECK (premium_minor_per_kg >= 0),
      base_rate_minor_per_kg numeric(30,10) NOT NULL,
      coop_fee_pct           numeric(5,2) NOT NULL,
      gross_minor            numeric(30,10) NOT NULL,
      coop_fee_minor         numeric(30,10) NOT NULL,
      amount_idr_minor       int8 NOT NULL CHECK (amount_idr_minor >= 0),
      explanation_id         text NOT NULL,
      explanation_en         text NOT NULL,
      UNIQUE (statement_id, position)
    )`,
  `CREATE FUNCTION payout_statement_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'payout_statements are kept' USING ERRCODE = 'restrict_violation';
      END IF;
      IF OLD.status = 'PAID' OR (OLD.settlement_id, OLD.order_id, OLD.brand_id, OLD.producer_id, OLD.cooperative_id,
          OLD.fiscal_date, OLD.delivered_g, OLD.amount_idr_minor)
        IS DISTINCT FROM (NEW.settlement_id, NEW.order_id, NEW.brand_id, NEW.producer_id, NEW.cooperative_id,
          NEW.fiscal_date, NEW.delivered_g, NEW.amount_idr_minor) THEN
        RAISE EXCEPTION 'a payout statement only moves PENDING to PAID' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN NEW;
    END $$`,
  `CREATE TRIGGER payout_statements_guard BEFORE UPDATE OR DELETE ON payout_statements
      FOR EACH ROW EXECUTE FUNCTION payout_statement_guard()`,
  ...[
    'premium_rule_versions', 'premium_rules', 'order_settlement_terms', 'order_cooperative_fees', 'invoices',
    'order_payments', 'exchange_rates', 'settlements', 'settlement_payments', 'settlement_costs',
    'settlement_cooperative_fees', 'payout_lines',
  ].map(
    (table) => `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reject_change()`,
  ),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE payout_lines, payout_statements, settlement_cooperative_fees, settlement_costs, settlement_payments,
    settlements, exchange_rates, order_payments, order_costs, invoices, order_cooperative_fees, order_settlement_terms,
    cooperative_fees, premium_rules, premium_rule_versions, certifications`.execute(db);
  await sql`DROP FUNCTION payout_statement_guard()`.execute(db);
}
