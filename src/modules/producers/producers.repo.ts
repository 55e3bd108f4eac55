import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

/** The cooperative of each producer (only rows that exist). */
export const producerCooperatives = (db: Db, producerIds: readonly number[]) =>
  producerIds.length === 0
    ? Promise.resolve([] as Array<{ id: number; cooperative_id: number | null }>)
    : db.selectFrom('producers').select(['id', 'cooperative_id']).where('id', 'in', producerIds).execute();

/** Memberships (any status) of these producers in these brands. */
export const membershipBrandPairs = (db: Db, producerIds: readonly number[], brandIds: readonly number[]) =>
  producerIds.length === 0 || brandIds.length === 0
    ? Promise.resolve([] as Array<{ producer_id: number; brand_id: number }>)
    : db
        .selectFrom('memberships')
        .select(['producer_id', 'brand_id'])
        .where('producer_id', 'in', producerIds)
        .where('brand_id', 'in', brandIds)
        .execute();
