import { type Expression, type SqlBool, type Transaction } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB, Db, NewRow, Row, RowUpdate } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { pagesPerParent } from '../../platform/paging.js';
import { supplyVisibilitySql } from '../lots/visibility.js';

export type CommitmentRow = Row<'commitments'>;

export const insertCommitment = (trx: Transaction<DB>, row: NewRow<'commitments'>) =>
  trx.insertInto('commitments').values(row).returningAll().executeTakeFirstOrThrow();

/** Lock a commitment row for the rest of the transaction (amend, withdraw, allocation): FOR NO KEY UPDATE, as allocation.repo locks supply. */
export const lockCommitment = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('commitments').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();

export const updateCommitment = (trx: Transaction<DB>, id: number, set: RowUpdate<'commitments'>) =>
  trx.updateTable('commitments').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export interface CommitmentFilter {
  productId?: number | null;
  producerId?: number | null;
  status?: 'OPEN' | 'WITHDRAWN' | null;
}

/** A keyset page of the commitments the principal may see (filtered in SQL). */
export function listCommitments(db: Db, principal: Principal | null, filter: CommitmentFilter, page: KeysetPage) {
  let q = db
    .selectFrom('commitments')
    .selectAll('commitments')
    .where(supplyVisibilitySql('commitments.producer_id', 'commitments.brand_id', principal) as Expression<SqlBool>);
  if (filter.productId != null) q = q.where('commitments.product_id', '=', filter.productId);
  if (filter.producerId != null) q = q.where('commitments.producer_id', '=', filter.producerId);
  if (filter.status != null) q = q.where('commitments.status', '=', filter.status);
  if (page.afterId !== null) q = q.where('commitments.id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('commitments.id', '<', page.beforeId);
  return q.orderBy('commitments.id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

/** A page of visible commitments for each producer, in one query (Producer.commitments under a list of producers). */
export function commitmentsPerProducer(
  db: Db,
  principal: Principal | null,
  producerIds: readonly number[],
  filter: CommitmentFilter,
  page: KeysetPage,
) {
  let q = db
    .selectFrom('commitments')
    .selectAll('commitments')
    .where(supplyVisibilitySql('commitments.producer_id', 'commitments.brand_id', principal) as Expression<SqlBool>)
    .where('commitments.producer_id', 'in', producerIds);
  if (filter.productId != null) q = q.where('commitments.product_id', '=', filter.productId);
  if (filter.status != null) q = q.where('commitments.status', '=', filter.status);
  return pagesPerParent<CommitmentRow>(db, q, 'commitments.producer_id', (c) => c.producer_id, 'commitments.id', page);
}
