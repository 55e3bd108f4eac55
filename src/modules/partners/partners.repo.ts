import { type Kysely, sql, type Transaction } from 'kysely';
import type { ClientRole, DB, Row } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

export type ClientRow = Row<'oauth_clients'>;
export type SecretRow = Row<'oauth_client_secrets'>;
export type OrgColumn = 'brand_id' | 'cooperative_id' | 'buyer_org_id';

export const ORG_COLUMN: Record<ClientRole, OrgColumn | null> = {
  ADMIN: null,
  BRAND_MANAGER: 'brand_id',
  COOP_MANAGER: 'cooperative_id',
  BUYER: 'buyer_org_id',
};

export const orgIdOf = (c: ClientRow): number | null => c.brand_id ?? c.cooperative_id ?? c.buyer_org_id ?? null;

export async function insertClient(
  db: Db,
  row: { clientId: string; name: string; ownerUserId: number; role: ClientRole; orgId: number | null; scopes: string[] },
): Promise<ClientRow> {
  const column = ORG_COLUMN[row.role];
  return db
    .insertInto('oauth_clients')
    .values({
      client_id: row.clientId,
      name: row.name,
      owner_user_id: row.ownerUserId,
      role: row.role,
      scopes: sql<string[]>`${sql.val(row.scopes)}::text[]` as never,
      ...(column ? { [column]: row.orgId } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertSecret(db: Db, row: { clientId: number; hash: string; last4: string; createdBy: number }): Promise<SecretRow> {
  return db
    .insertInto('oauth_client_secrets')
    .values({ client_id: row.clientId, secret_hash: row.hash, last4: row.last4, created_by: row.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const findClientById = (db: Db, id: number) =>
  db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();

export const findClientByClientId = (db: Db, clientId: string) =>
  db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();

/** Lock the client row: serialises rotations so two concurrent ones cannot exceed two active secrets. */
export const lockClient = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('oauth_clients').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const activeSecrets = (db: Db, clientId: number) =>
  db.selectFrom('oauth_client_secrets').selectAll().where('client_id', '=', clientId).where('revoked_at', 'is', null).orderBy('id').execute();

export const secretsOfClients = (db: Db, clientIds: readonly number[]) =>
  clientIds.length === 0
    ? Promise.resolve([] as SecretRow[])
    : db.selectFrom('oauth_client_secrets').selectAll().where('client_id', 'in', clientIds).orderBy('id').execute();

export const revokeSecret = (db: Db, clientId: number, secretId: number) =>
  db
    .updateTable('oauth_client_secrets')
    .set({ revoked_at: sql<Date>`now()` as never })
    .where('id', '=', secretId)
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();

export const setDisabled = (db: Db, id: number, disabled: boolean) =>
  db
    .updateTable('oauth_clients')
    .set({ disabled_at: disabled ? (sql<Date>`coalesce(disabled_at, now())` as never) : null })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

/** Clients visible to the caller: of these organisations (per role), or all (admin); keyset by id. */
export async function listClients(
  db: Db,
  scope: { all: true } | { orgs: Array<{ role: ClientRole; orgId: number }>; ownerUserId: number },
  page: { afterId: number | null; beforeId: number | null; limit: number; inverted: boolean },
): Promise<ClientRow[]> {
  let q = db.selectFrom('oauth_clients').selectAll();
  if (!('all' in scope)) {
    const orgs = scope.orgs;
    q = q.where((eb) =>
      eb.or([
        eb('owner_user_id', '=', scope.ownerUserId),
        ...orgs.map((o) => {
          const column = ORG_COLUMN[o.role];
          return column ? eb.and([eb('role', '=', o.role), eb(column, '=', o.orgId)]) : eb.val(false);
        }),
      ]),
    );
  }
  if (page.afterId !== null) q = q.where('id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('id', '<', page.beforeId);
  return q.orderBy('id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

/** Record use at most once a minute per row, so a busy client does not write on every request. */
export async function touchClient(db: Db, id: number): Promise<void> {
  await db
    .updateTable('oauth_clients')
    .set({ last_used_at: sql<Date>`now()` as never })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}

export async function touchSecret(db: Db, id: number): Promise<void> {
  await db
    .updateTable('oauth_client_secrets')
    .set({ last_used_at: sql<Date>`now()` as never })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}

export async function appendAudit(
  db: Db,
  event: { action: string; actorUserId: number | null; clientId: number | null; details: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({ action: event.action, actor_user_id: event.actorUserId, client_id: event.clientId, details: JSON.stringify(event.details) })
    .execute();
}

export const auditOfClient = (db: Db, clientId: number) =>
  db.selectFrom('audit_events').selectAll().where('client_id', '=', clientId).orderBy('id').execute();

/** Does this user currently hold this role on this organisation (or ADMIN)? */
export async function holdsRole(db: Db, userId: number, role: ClientRole, orgId: number | null): Promise<{ grantId: number; orgAdmin: boolean } | null> {
  const column = ORG_COLUMN[role];
  let q = db.selectFrom('role_grants').select(['id', 'org_admin']).where('user_id', '=', userId).where('role', '=', role);
  if (column) q = q.where(column, '=', orgId as number);
  const row = await q.executeTakeFirst();
  return row ? { grantId: row.id, orgAdmin: row.org_admin } : null;
}

export const findGrant = (db: Db, grantId: number) =>
  db.selectFrom('role_grants').selectAll().where('id', '=', grantId).executeTakeFirst();

export const setGrantOrgAdmin = (db: Db, grantId: number, admin: boolean) =>
  db.updateTable('role_grants').set({ org_admin: admin }).where('id', '=', grantId).returningAll().executeTakeFirstOrThrow();

const ORG_TABLE: Record<OrgColumn, 'brands' | 'cooperatives' | 'buyer_orgs'> = {
  brand_id: 'brands',
  cooperative_id: 'cooperatives',
  buyer_org_id: 'buyer_orgs',
};

export async function orgExists(db: Db, column: OrgColumn, id: number): Promise<boolean> {
  const row = await db.selectFrom(ORG_TABLE[column]).select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Replace a client's trusted documents (empty: unlocked); the documents also become persisted queries. */
export async function replaceTrustedDocuments(trx: Transaction<DB>, clientId: number, documents: Array<{ hash: string; source: string }>, locked: boolean) {
  await trx.deleteFrom('client_trusted_documents').where('client_id', '=', clientId).execute();
  if (documents.length > 0) {
    await trx.insertInto('client_trusted_documents').values(documents.map((d) => ({ client_id: clientId, hash: d.hash }))).execute();
    await trx
      .insertInto('persisted_queries')
      .values(documents.map((d) => ({ hash: d.hash, query: d.source })))
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
  }
  return trx.updateTable('oauth_clients').set({ trusted_documents_only: locked }).where('id', '=', clientId).returningAll().executeTakeFirstOrThrow();
}

export async function trustedHashes(db: Db, clientId: number): Promise<string[]> {
  const rows = await db.selectFrom('client_trusted_documents').select('hash').where('client_id', '=', clientId).orderBy('hash').execute();
  return rows.map((r) => r.hash);
}
