import { type Kysely, sql } from 'kysely';

// Accounts, organisations and role grants. Frozen in time: never import src/.
const statements = [
  `CREATE TABLE users (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
      display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
      password_hash text NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`,
  `CREATE TABLE brands (
      id               int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      commodity        text NOT NULL,
      fee_pct          numeric(5,2) NOT NULL CHECK (fee_pct >= 0 AND fee_pct <= 100),
      default_strategy text NOT NULL DEFAULT 'PRO_RATA',
      created_at       timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE UNIQUE INDEX brands_name_lower_key ON brands (lower(name))`,
  `CREATE TABLE cooperatives (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      regency    text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE TABLE producers (
      id             int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      cooperative_id int8 REFERENCES cooperatives(id),
      user_id        int8 UNIQUE REFERENCES users(id),
      display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
      kind           text NOT NULL DEFAULT 'SMALLHOLDER' CHECK (kind IN ('SMALLHOLDER', 'UMKM')),
      village        text NOT NULL,
      district       text NOT NULL,
      regency        text NOT NULL,
      contact_phone  text,
      contact_email  text,
      contact_address text,
      created_at     timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX producers_cooperative_idx ON producers (cooperative_id, id)`,
  `CREATE TABLE buyer_orgs (
      id         int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      country    text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
  `-- A role on an organisation. The role decides which organisation column is set.
    CREATE TABLE role_grants (
      id             int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id        int8 NOT NULL REFERENCES users(id),
      role           text NOT NULL CHECK (role IN ('ADMIN', 'BRAND_MANAGER', 'CURATOR', 'COOP_MANAGER', 'PRODUCER', 'BUYER')),
      brand_id       int8 REFERENCES brands(id),
      cooperative_id int8 REFERENCES cooperatives(id),
      producer_id    int8 REFERENCES producers(id),
      buyer_org_id   int8 REFERENCES buyer_orgs(id),
      granted_by     int8 REFERENCES users(id),
      granted_at     timestamptz NOT NULL DEFAULT now(),
      CHECK (num_nonnulls(brand_id, cooperative_id, producer_id, buyer_org_id) = CASE WHEN role = 'ADMIN' THEN 0 ELSE 1 END),
      CHECK (role NOT IN ('BRAND_MANAGER', 'CURATOR') OR brand_id IS NOT NULL),
      CHECK (role <> 'COOP_MANAGER' OR cooperative_id IS NOT NULL),
      CHECK (role <> 'PRODUCER' OR producer_id IS NOT NULL),
      CHECK (role <> 'BUYER' OR buyer_org_id IS NOT NULL)
    )`,
  `CREATE UNIQUE INDEX role_grants_unique ON role_grants
      (user_id, role, coalesce(brand_id, cooperative_id, producer_id, buyer_org_id, 0))`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE role_grants, buyer_orgs, producers, cooperatives, brands, users`.execute(db);
}
