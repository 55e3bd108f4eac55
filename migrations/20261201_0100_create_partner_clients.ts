import { type Kysely, sql } from 'kysely';

// Partner access (issue 11): machine clients (OAuth 2.0 client credentials), their secrets, an audit
// log, the shared store of automatic persisted queries, and an administrator flag on role grants
// (a buyer organisation's administrator), and trusted documents per client. Frozen in time: never import src/.
const statements = [
  `ALTER TABLE role_grants ADD COLUMN org_admin boolean NOT NULL DEFAULT false`,
  `-- A machine client of one organisation (or of the platform, when every org column is null).
    CREATE TABLE oauth_clients (
      id             int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      client_id      text NOT NULL UNIQUE CHECK (client_id ~ '^lmb_ci_[A-Za-z0-9_-]{22}$'),
      name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      owner_user_id  int8 NOT NULL REFERENCES users(id),
      role           text NOT NULL CHECK (role IN ('ADMIN', 'BRAND_MANAGER', 'COOP_MANAGER', 'BUYER')),
      brand_id       int8 REFERENCES brands(id),
      cooperative_id int8 REFERENCES cooperatives(id),
      buyer_org_id   int8 REFERENCES buyer_orgs(id),
      scopes         text[] NOT NULL,
      disabled_at    timestamptz,
      last_used_at   timestamptz,
      -- Locked to its trusted documents (client_trusted_documents) when true.
      trusted_documents_only boolean NOT NULL DEFAULT false,
      created_at     timestamptz NOT NULL DEFAULT now(),
      CHECK (num_nonnulls(brand_id, cooperative_id, buyer_org_id) = CASE WHEN role = 'ADMIN' THEN 0 ELSE 1 END),
      CHECK (role <> 'BRAND_MANAGER' OR brand_id IS NOT NULL),
      CHECK (role <> 'COOP_MANAGER' OR cooperative_id IS NOT NULL),
      CHECK (role <> 'BUYER' OR buyer_org_id IS NOT NULL)
    )`,
  `CREATE INDEX oauth_clients_org_idx ON oauth_clients (coalesce(brand_id, cooperative_id, buyer_org_id, 0), id)`,
  `-- Secrets are stored only as a keyed hash (HMAC-SHA256 with a server key) plus the last 4 characters.
    CREATE TABLE oauth_client_secrets (
      id           int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      client_id    int8 NOT NULL REFERENCES oauth_clients(id),
      secret_hash  text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
      last4        text NOT NULL CHECK (length(last4) = 4),
      created_by   int8 REFERENCES users(id),
      created_at   timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at   timestamptz
    )`,
  `CREATE INDEX oauth_client_secrets_active_idx ON oauth_client_secrets (client_id) WHERE revoked_at IS NULL`,
  `CREATE TABLE client_trusted_documents (
      client_id int8 NOT NULL REFERENCES oauth_clients(id),
      hash      text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
      PRIMARY KEY (client_id, hash)
    )`,
  `CREATE TABLE audit_events (
      id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      action        text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
      actor_user_id int8 REFERENCES users(id),
      client_id     int8 REFERENCES oauth_clients(id),
      details       jsonb NOT NULL DEFAULT '{}'::jsonb,
      at            timestamptz NOT NULL DEFAULT now()
    )`,
  `CREATE INDEX audit_events_client_idx ON audit_events (client_id, id)`,
  `-- Automatic persisted queries (Apollo protocol), shared by every node.
    CREATE TABLE persisted_queries (
      hash       text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
      query      text NOT NULL CHECK (length(query) BETWEEN 1 AND 200000),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE persisted_queries, audit_events, client_trusted_documents, oauth_client_secrets, oauth_clients`.execute(db);
  await sql`ALTER TABLE role_grants DROP COLUMN org_admin`.execute(db);
}
