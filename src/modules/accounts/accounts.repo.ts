import { sql } from 'kysely';
import type { Db, NewRow, RoleName, Row } from '../../platform/db-types.js';

export const findUserByEmail = (db: Db, email: string) =>
  db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();

export const findUsersByIds = (db: Db, ids: readonly number[]) =>
  db.selectFrom('users').select(['id', 'email', 'display_name', 'preferred_language', 'created_at']).where('id', 'in', ids).execute();

export const setPreferredLanguage = (db: Db, userId: number, language: 'en' | 'id' | null) =>
  db.updateTable('users').set({ preferred_language: language }).where('id', '=', userId)
    .returning(['id', 'email', 'display_name', 'preferred_language', 'created_at']).executeTakeFirst();

export const insertUser = (db: Db, row: NewRow<'users'>) =>
  db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();

export const listUsers = (db: Db, page: { afterId: number | null; beforeId: number | null; limit: number; inverted: boolean }) => {
  let q = db.selectFrom('users').select(['id', 'email', 'display_name', 'preferred_language', 'created_at']);
  if (page.afterId !== null) q = q.where('id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('id', '<', page.beforeId);
  return q.orderBy('id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
};

export const grantsOfUsers = (db: Db, userIds: readonly number[]) =>
  db.selectFrom('role_grants').selectAll().where('user_id', 'in', userIds).orderBy('id').execute();

export const findGrant = (db: Db, id: number) => db.selectFrom('role_grants').selectAll().where('id', '=', id).executeTakeFirst();

export const insertGrant = (db: Db, row: NewRow<'role_grants'>) =>
  db.insertInto('role_grants').values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();

export const findSameGrant = (db: Db, userId: number, role: RoleName, orgColumn: OrgColumn | null, orgId: number | null) => {
  let q = db.selectFrom('role_grants').selectAll().where('user_id', '=', userId).where('role', '=', role);
  if (orgColumn && orgId !== null) q = q.where(orgColumn, '=', orgId);
  return q.executeTakeFirst();
};

export const deleteGrant = (db: Db, id: number) => db.deleteFrom('role_grants').where('id', '=', id).executeTakeFirst();

export type OrgColumn = 'brand_id' | 'cooperative_id' | 'producer_id' | 'buyer_org_id';
export type OrgTable = 'brands' | 'cooperatives' | 'producers' | 'buyer_orgs';

export const orgExists = async (db: Db, table: OrgTable, id: number) =>
  (await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

export const insertBuyerOrg = (db: Db, row: NewRow<'buyer_orgs'>) =>
  db.insertInto('buyer_orgs').values(row).returningAll().executeTakeFirstOrThrow();

export const findBuyerOrgsByIds = (db: Db, ids: readonly number[]) =>
  db.selectFrom('buyer_orgs').selectAll().where('id', 'in', ids).execute();

export const countUsers = async (db: Db) =>
  (await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

export type UserRow = Pick<Row<'users'>, 'id' | 'email' | 'display_name' | 'preferred_language' | 'created_at'>;
export type GrantRow = Row<'role_grants'>;
export type BuyerOrgRow = Row<'buyer_orgs'>;
