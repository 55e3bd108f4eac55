import { type Kysely, sql } from 'kysely';

// The cooperative's year (SHU, UU 25/1992 art. 45): members' capital records, the statutes' SHU
// split (versioned per fiscal year), and each fiscal year's computed result. Money is int8 IDR sen
// (100 = Rp 1); percentages are basis points (100 % = 10000). Capital records and split versions
// are append-only (a wrong capital record is cancelled by a reversing record, never edited); a year is a DRAFT (recomputed freely) until CLOSED, after which neither it nor
// its funds and member lines can change. Frozen in time: never import src/.
const statements = [
  `CREATE TABLE shu_capital_records (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      cooperative_id   int8 NOT NULL REFERENCES cooperatives(id),
      producer_id      int8 NOT NULL REFERENCES producers(id),
      kind             text NOT NULL CHECK (kind IN ('POKOK', 'WAJIB')),
      amount_idr_minor int8 NOT NULL CHECK (amount_idr_minor <> 0 AND abs(amount_idr_minor) <= 1000000000000000),
      recorded_on      date NOT NULL,
      reference        text CHECK (length(reference) BETWEEN 1 AND 200),
      -- A correction: this row cancels the record it reverses (same member, kind and date, negated amount), once.
      reverses_id      int8 UNIQUE REFERENCES shu_capital_records(id),
      reason           text CHECK (length(reason) BETWEEN 1 AND 500),
      recorded_by      int8 NOT NULL REFERENCES users(id),
      created_at       timestamptz NOT NULL DEFAULT now(),
      CHECK ((reverses_id IS NULL) = (amount_idr_minor > 0)),
      CHECK ((reverses_id IS NULL) = (reason IS NULL))
    )`,
  `CREATE INDEX shu_capital_records_member_idx ON shu_capital_records (cooperative_id, producer_id, recorded_on)`,
  `CREATE INDEX shu_capital_records_producer_idx ON shu_capital_records (producer_id, id)`,
  `CREATE TABLE shu_splits (
      id                  int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      cooperative_id      int8 NOT NULL REFERENCES cooperatives(id),
      version             int4 NOT NULL CHECK (version >= 1),
      effective_from_year int4 NOT NULL CHECK (effective_from_year BETWEEN 2000 AND 2200),
      reserve_bp          int4 NOT NULL CHECK (reserve_bp BETWEEN 0 AND 10000),
      transactions_bp     int4 NOT NULL CHECK (transactions_bp BETWEEN 0 AND 10000),
      capital_bp          int4 NOT NULL CHECK (capital_bp BETWEEN 0 AND 10000),
      created_by          int8 NOT NULL REFERENCES users(id),
      created_at          timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cooperative_id, version)
    )`,
  `CREATE INDEX shu_splits_year_idx ON shu_splits (cooperative_id, effective_from_year, version)`,
  `CREATE TABLE shu_split_funds (
      split_id int8 NOT NULL REFERENCES shu_splits(id),
      position int4 NOT NULL CHECK (position >= 0),
      name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      bp       int4 NOT NULL CHECK (bp BETWEEN 0 AND 10000),
      PRIMARY KEY (split_id, position)
    )`,
  `CREATE TABLE shu_years (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      cooperative_id   int8 NOT NULL REFERENCES cooperatives(id),
      fiscal_year      int4 NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2200),
      amount_idr_minor int8 NOT NULL CHECK (amount_idr_minor > 0 AND amount_idr_minor % 100 = 0),
      split_id         int8 NOT NULL REFERENCES shu_splits(id),
      status           text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'CLOSED')),
      computed_at      timestamptz NOT NULL,
      computed_by      int8 NOT NULL REFERENCES users(id),
      closed_at        timestamptz,
      closed_by        int8 REFERENCES users(id),
      created_at       timestamptz NOT NULL DEFAULT now(),
      UNIQUE (cooperative_id, fiscal_year),
      CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL AND closed_by IS NOT NULL))
    )`,
  `CREATE TABLE shu_year_funds (
      year_id          int8 NOT NULL REFERENCES shu_years(id),
      position         int4 NOT NULL CHECK (position >= 0),
      kind             text NOT NULL CHECK (kind IN ('RESERVE', 'MEMBERS_TRANSACTIONS', 'MEMBERS_CAPITAL', 'FUND')),
      name             text NOT NULL,
      bp               int4 NOT NULL CHECK (bp BETWEEN 0 AND 10000),
      amount_idr_minor int8 NOT NULL CHECK (amount_idr_minor >= 0),
      PRIMARY KEY (year_id, position)
    )`,
  `CREATE TABLE shu_year_members (
      id                          int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      year_id                     int8 NOT NULL REFERENCES shu_years(id),
      producer_id                 int8 NOT NULL REFERENCES producers(id),
      transactions_idr_minor      int8 NOT NULL CHECK (transactions_idr_minor >= 0),
      capital_idr_minor           int8 NOT NULL CHECK (capital_idr_minor >= 0),
      transactions_part_idr_minor int8 NOT NULL CHECK (transactions_part_idr_minor >= 0),
      capital_part_idr_minor      int8 NOT NULL CHECK (capital_part_idr_minor >= 0),
      total_idr_minor             int8 NOT NULL,
      UNIQUE (year_id, producer_id),
      CHECK (total_idr_minor = transactions_part_idr_minor + capital_part_idr_minor)
    )`,
  `CREATE INDEX shu_year_members_producer_idx ON shu_year_members (producer_id, id)`,
  ...['shu_capital_records', 'shu_splits', 'shu_split_funds'].map(
    (table) => `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reject_change()`,
  ),
  // A closed year keeps its figures: no update or delete of the year, and no change to its funds or lines.
  `CREATE FUNCTION shu_year_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'CLOSED' THEN
        RAISE EXCEPTION 'SHU year % is closed', OLD.id USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`,
  `CREATE TRIGGER shu_years_closed BEFORE UPDATE OR DELETE ON shu_years FOR EACH ROW EXECUTE FUNCTION shu_year_guard()`,
  `CREATE FUNCTION shu_year_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      target int8 := CASE WHEN TG_OP = 'INSERT' THEN NEW.year_id ELSE OLD.year_id END;
    BEGIN
      IF EXISTS (SELECT 1 FROM shu_years WHERE id = target AND status = 'CLOSED') THEN
        RAISE EXCEPTION 'SHU year % is closed', target USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`,
  ...['shu_year_funds', 'shu_year_members'].map(
    (table) => `CREATE TRIGGER ${table}_closed BEFORE INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION shu_year_lines_guard()`,
  ),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE shu_year_members, shu_year_funds, shu_years, shu_split_funds, shu_splits, shu_capital_records`.execute(db);
  await sql`DROP FUNCTION shu_year_lines_guard(), shu_year_guard()`.execute(db);
}
