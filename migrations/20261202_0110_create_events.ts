import { type Kysely, sql } from 'kysely';

// Events (issue 12): the transactional outbox every business mutation writes to, the coalescing
// marks of availability changes, webhook endpoints with their secrets, deliveries and attempts.
// Frozen in time: never import src/.
const statements = [
  `-- One row per event, written in the transaction of the change it announces.
    CREATE TABLE events (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      public_id     text NOT NULL UNIQUE CHECK (public_id ~ '^evt_[A-Za-z0-9]{20,40}$'),
      type          text NOT NULL CHECK (type ~ '^[a-z]+\\.[a-z_]+$'),
      version       int4 NOT NULL CHECK (version > 0),
      subject_id    text NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 200),
      -- Who it concerns: 'brand:1', 'buyer:3', 'coop:2', 'producer:5', or '*' (every organisation).
      audience      text[] NOT NULL CHECK (cardinality(audience) > 0),
      payload       jsonb NOT NULL,
      occurred_at   timestamptz NOT NULL DEFAULT now(),
      -- Fanned out to the matching webhook endpoints and the subscriptions (null: not yet).
      dispatched_at timestamptz
    )`,
  `CREATE INDEX events_undispatched_idx ON events (id) WHERE dispatched_at IS NULL`,
  `CREATE INDEX events_type_idx ON events (type, id)`,
  `-- On PostgreSQL with graphile-worker installed (the worker installs its schema itself), every event
    -- enqueues its dispatch job in the same transaction; without it (the embedded database, or before a
    -- worker ever ran) nothing is enqueued and the poller or the worker's start-up sweep picks it up.
    CREATE FUNCTION events_enqueue_dispatch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF to_regnamespace('graphile_worker') IS NOT NULL THEN
        PERFORM graphile_worker.add_job('lumbung_dispatch', json_build_object('eventId', NEW.id), max_attempts => 25);
      END IF;
      RETURN NULL;
    END $$`,
  `CREATE TRIGGER events_enqueue_dispatch AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_enqueue_dispatch()`,
  `-- Availability changed for a product: appended by triggers on lots and commitments, drained by the
    -- coalescer, which emits one availability.changed per product per window.
    CREATE TABLE availability_marks (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      product_id int8 NOT NULL,
      at         timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX availability_marks_product_idx ON availability_marks (product_id, id)`,
  `CREATE FUNCTION availability_mark_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO availability_marks (product_id) SELECT DISTINCT product_id FROM changed_rows;
      RETURN NULL;
    END $$`,
  `CREATE TRIGGER lots_availability_insert AFTER INSERT ON lots REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION availability_mark_rows()`,
  `CREATE TRIGGER lots_availability_update AFTER UPDATE ON lots REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION availability_mark_rows()`,
  `CREATE TRIGGER commitments_availability_insert AFTER INSERT ON commitments REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION availability_mark_rows()`,
  `CREATE TRIGGER commitments_availability_update AFTER UPDATE ON commitments REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION availability_mark_rows()`,
  `-- A webhook endpoint of one organisation (owner_kind/owner_id) or of the platform (owner_id null).
    CREATE TABLE webhook_endpoints (
      id              int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_kind      text NOT NULL CHECK (owner_kind IN ('platform', 'brand', 'coop', 'buyer')),
      owner_id        int8,
      url             text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
      event_types     text[] NOT NULL CHECK (cardinality(event_types) > 0),
      description     text CHECK (length(description) <= 500),
      created_by      int8 NOT NULL REFERENCES users(id),
      created_at      timestamptz NOT NULL DEFAULT now(),
      disabled_at     timestamptz,
      disabled_reason text,
      failing_since   timestamptz,
      CHECK ((owner_kind = 'platform') = (owner_id IS NULL))
    )`,
  `CREATE INDEX webhook_endpoints_owner_idx ON webhook_endpoints (owner_kind, owner_id, id)`,
  `-- Signing secrets (whsec_…): at most two active at once during a rotation. The secret must be known
    -- to sign, so it is stored as is; it is never returned after creation.
    CREATE TABLE webhook_secrets (
      id          int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      endpoint_id int8 NOT NULL REFERENCES webhook_endpoints(id),
      secret      text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]{40,100}$'),
      last4       text NOT NULL CHECK (length(last4) = 4),
      created_at  timestamptz NOT NULL DEFAULT now(),
      revoked_at  timestamptz
    )`,
  `CREATE INDEX webhook_secrets_active_idx ON webhook_secrets (endpoint_id) WHERE revoked_at IS NULL`,
  `-- One message of one event to one endpoint; attempts are retried on the schedule until delivered,
    -- given up or the endpoint is disabled. webhook-id is the event's public_id (stable across retries).
    CREATE TABLE webhook_deliveries (
      id              int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      endpoint_id     int8 NOT NULL REFERENCES webhook_endpoints(id),
      event_id        int8 NOT NULL REFERENCES events(id),
      kind            text NOT NULL DEFAULT 'EVENT' CHECK (kind IN ('EVENT', 'REPLAY', 'PING')),
      status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED')),
      attempts        int4 NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      leased_until    timestamptz,
      created_at      timestamptz NOT NULL DEFAULT now(),
      finished_at     timestamptz
    )`,
  `CREATE UNIQUE INDEX webhook_deliveries_event_once ON webhook_deliveries (endpoint_id, event_id) WHERE kind = 'EVENT'`,
  `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING'`,
  `CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id)`,
  `CREATE TABLE webhook_attempts (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      delivery_id      int8 NOT NULL REFERENCES webhook_deliveries(id),
      attempt_no       int4 NOT NULL,
      at               timestamptz NOT NULL DEFAULT now(),
      status_code      int4,
      error            text,
      latency_ms       int4 NOT NULL,
      response_excerpt text,
      UNIQUE (delivery_id, attempt_no)
    )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['lots', 'commitments']) {
    await sql.raw(`DROP TRIGGER ${t}_availability_insert ON ${t}; DROP TRIGGER ${t}_availability_update ON ${t}`).execute(db);
  }
  await sql`DROP TABLE webhook_attempts, webhook_deliveries, webhook_secrets, webhook_endpoints, availability_marks, events`.execute(db);
  await sql`DROP FUNCTION availability_mark_rows(), events_enqueue_dispatch()`.execute(db);
}
