import type { Transaction } from 'kysely';
import type { DB, Db, MembershipStatus, NewRow, Row } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { pagesPerParent } from '../../platform/paging.js';

export type MembershipRow = Row<'memberships'>;
export type MembershipEventRow = Row<'membership_events'> & { actor_name: string | null };

export const lockMembership = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('memberships').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const lockMembershipOf = (trx: Transaction<DB>, producerId: number, brandId: number) =>
  trx.selectFrom('memberships').selectAll().where('producer_id', '=', producerId).where('brand_id', '=', brandId).forUpdate().executeTakeFirst();

/** Status of a producer's membership in a brand, share-locked so it cannot change under the caller's transaction. */
export const membershipStatusFor = (db: Db, producerId: number, brandId: number) =>
  db
    .selectFrom('memberships')
    .select(['id', 'status'])
    .where('producer_id', '=', producerId)
    .where('brand_id', '=', brandId)
    .forShare()
    .executeTakeFirst();

/** Insert a new membership; undefined when one for (producer, brand) appeared concurrently. */
export const insertMembership = (trx: Transaction<DB>, row: NewRow<'memberships'>) =>
  trx
    .insertInto('memberships')
    .values(row)
    .onConflict((oc) => oc.columns(['producer_id', 'brand_id']).doNothing())
    .returningAll()
    .executeTakeFirst();

export const setStatus = (trx: Transaction<DB>, id: number, status: MembershipStatus) =>
  trx.updateTable('memberships').set({ status, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export const insertEvent = (trx: Transaction<DB>, row: NewRow<'membership_events'>) =>
  trx.insertInto('membership_events').values(row).execute();

/** Events of each membership, oldest first, with the actor's display name. */
export const eventsOfMemberships = (db: Db, membershipIds: readonly number[]): Promise<MembershipEventRow[]> =>
  db
    .selectFrom('membership_events')
    .leftJoin('users', 'users.id', 'membership_events.actor_user_id')
    .selectAll('membership_events')
    .select('users.display_name as actor_name')
    .where('membership_events.membership_id', 'in', membershipIds)
    .orderBy('membership_events.membership_id')
    .orderBy('membership_events.id')
    .execute();

export const membershipsOfProducers = (db: Db, producerIds: readonly number[]) =>
  db.selectFrom('memberships').selectAll().where('producer_id', 'in', producerIds).orderBy('producer_id').orderBy('id').execute();

/** A page of memberships of each brand, optionally in one status, in one query. */
export const membershipsPerBrand = (db: Db, brandIds: readonly number[], status: MembershipStatus | null, page: KeysetPage) => {
  let base = db.selectFrom('memberships').selectAll().where('brand_id', 'in', brandIds);
  if (status) base = base.where('status', '=', status);
  return pagesPerParent<MembershipRow>(db, base, 'brand_id', (m) => m.brand_id, 'id', page);
};
