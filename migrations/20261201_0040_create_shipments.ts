import { type Kysely, sql } from 'kysely';

// Export papers (issue 10): shipments with their containers and the lots loaded into each,
// producers' consent events (UU 27/2022) and per-plot deforestation assessments (EUDR, cut-off
// 31 Dec 2020). Weights are int8 grams. Frozen in time: never import src/.
const statements = [
  // One shipment per order: B/L, UN/LOCODE ports, departure date; the DDS reference and
  // verification number the EU importer sends back are recorded later by the brand manager.
  `CREATE TABLE shipments (
      id                  int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id            int8 NOT NULL UNIQUE REFERENCES orders(id),
      brand_id            int8 NOT NULL REFERENCES brands(id),
      bill_of_lading      text NOT NULL CHECK (length(bill_of_lading) BETWEEN 1 AND 35),
      port_of_loading     text NOT NULL CHECK (port_of_loading ~ '^[A-Z]{2}[A-Z2-9]{3}$'),
      port_of_discharge   text NOT NULL CHECK (port_of_discharge ~ '^[A-Z]{2}[A-Z2-9]{3}$'),
      departure_date      date NOT NULL,
      dds_reference       text CHECK (dds_reference ~ '^[0-9]{2}[A-Z]{2}[A-Z0-9]{10}$'),
      dds_verification    text CHECK (length(dds_verification) BETWEEN 5 AND 35),
      dds_recorded_by     int8 REFERENCES users(id),
      dds_recorded_at     timestamptz,
      created_by          int8 NOT NULL REFERENCES users(id),
      created_at          timestamptz NOT NULL DEFAULT now(),
      CHECK ((dds_reference IS NULL) = (dds_verification IS NULL))
    )`,
  `CREATE INDEX shipments_brand_idx ON shipments (brand_id, id)`,
  `CREATE TABLE shipment_containers (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      shipment_id      int8 NOT NULL REFERENCES shipments(id),
      position         int4 NOT NULL CHECK (position >= 1),
      container_number text NOT NULL CHECK (container_number ~ '^[A-Z]{3}[UJZ][0-9]{7}$'),
      seal_number      text NOT NULL CHECK (length(seal_number) BETWEEN 1 AND 35),
      bag_count        int4 NOT NULL CHECK (bag_count >= 1),
      UNIQUE (shipment_id, container_number),
      UNIQUE (shipment_id, position)
    )`,
  `CREATE TABLE container_lots (
      container_id int8 NOT NULL REFERENCES shipment_containers(id),
      lot_id       int8 NOT NULL REFERENCES lots(id),
      weight_g     int8 NOT NULL CHECK (weight_g > 0),
      PRIMARY KEY (container_id, lot_id)
    )`,
  `CREATE INDEX container_lots_lot_idx ON container_lots (lot_id)`,
  // Consent is an append-only log; the latest event per (producer, purpose) is the current state.
  `CREATE TABLE consent_events (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      producer_id   int8 NOT NULL REFERENCES producers(id),
      purpose       text NOT NULL CHECK (purpose IN ('NAME_TO_BUYERS', 'NAME_IN_EXPORT_DOCUMENTS')),
      action        text NOT NULL CHECK (action IN ('GIVEN', 'WITHDRAWN')),
      given_by      text NOT NULL CHECK (given_by IN ('PRODUCER', 'COOPERATIVE_MANAGER', 'ADMIN')),
      actor_user_id int8 NOT NULL REFERENCES users(id),
      evidence      text CHECK (length(evidence) BETWEEN 1 AND 2000),
      at            timestamptz NOT NULL DEFAULT now(),
      CHECK (given_by = 'PRODUCER' OR action = 'WITHDRAWN' OR evidence IS NOT NULL)
    )`,
  `CREATE INDEX consent_events_current_idx ON consent_events (producer_id, purpose, id DESC)`,
  // Deforestation assessments are immutable; a re-assessment adds a row and the latest counts.
  `CREATE TABLE plot_deforestation_assessments (
      id                 int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      plot_id            int8 NOT NULL REFERENCES plots(id),
      land_use_at_cutoff text NOT NULL CHECK (land_use_at_cutoff IN (
        'COFFEE_AGROFORESTRY', 'COFFEE_PLANTATION', 'OTHER_AGRICULTURE', 'FOREST', 'SHRUB_OR_GRASSLAND', 'SETTLEMENT', 'OTHER')),
      result             text NOT NULL CHECK (result IN ('NOT_ASSESSED', 'NEGLIGIBLE_RISK', 'NEEDS_REVIEW', 'HIGH_RISK')),
      evidence_refs      jsonb NOT NULL DEFAULT '[]',
      notes              text CHECK (length(notes) <= 2000),
      assessed_by        int8 NOT NULL REFERENCES users(id),
      assessed_at        timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX plot_deforestation_current_idx ON plot_deforestation_assessments (plot_id, id DESC)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['plot_deforestation_assessments', 'consent_events', 'container_lots', 'shipment_containers', 'shipments']) {
    await sql.raw(`DROP TABLE ${table}`).execute(db);
  }
}
