import { type Expression, type SqlBool, type Transaction } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB, Db, NewRow, Row, RowUpdate } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { pagesPerParent } from '../../platform/paging.js';
import { supplyVisibilitySql } from './visibility.js';

export type LotRow = Row<'lots'>;

export const insertLot = (trx: Transaction<DB>, row: NewRow<'lots'>) =>
  trx.insertInto('lots').values(row).returningAll().executeTakeFirstOrThrow();

export const insertLotPlots = (trx: Transaction<DB>, lotId: number, plotIds: readonly number[]) =>
  trx.insertInto('lot_plots').values(plotIds.map((plot_id) => ({ lot_id: lotId, plot_id }))).execute();

export const findLot = (db: Db, id: number) => db.selectFrom('lots').selectAll().where('id', '=', id).executeTakeFirst();

/** Lock a lot row for the rest of the transaction (grading, allocation): FOR NO KEY UPDATE, as allocation.repo locks supply. */
export const lockLot = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('lots').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();

export const updateLot = (trx: Transaction<DB>, id: number, set: RowUpdate<'lots'>) =>
  trx.updateTable('lots').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

/** The producer fields a lot copies (regency) and the ownership check needs. */
export const findProducer = (db: Db, id: number) =>
  db.selectFrom('producers').select(['id', 'regency', 'cooperative_id']).where('id', '=', id).executeTakeFirst();

export interface LotFilter {
  productId?: number | null;
  producerId?: number | null;
}

/** A keyset page of the lots the principal may see (filtered in SQL). */
export function listLots(db: Db, principal: Principal | null, filter: LotFilter, page: KeysetPage) {
  let q = db
    .selectFrom('lots')
    .selectAll('lots')
    .where(supplyVisibilitySql('lots.producer_id', 'lots.brand_id', principal) as Expression<SqlBool>);
  if (filter.productId != null) q = q.where('lots.product_id', '=', filter.productId);
  if (filter.producerId != null) q = q.where('lots.producer_id', '=', filter.producerId);
  if (page.afterId !== null) q = q.where('lots.id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('lots.id', '<', page.beforeId);
  return q.orderBy('lots.id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

/** A page of visible lots for each producer, in one query (Producer.lots under a list of producers). */
export function lotsPerProducer(db: Db, principal: Principal | null, producerIds: readonly number[], filter: LotFilter, page: KeysetPage) {
  let q = db
    .selectFrom('lots')
    .selectAll('lots')
    .where(supplyVisibilitySql('lots.producer_id', 'lots.brand_id', principal) as Expression<SqlBool>)
    .where('lots.producer_id', 'in', producerIds);
  if (filter.productId != null) q = q.where('lots.product_id', '=', filter.productId);
  return pagesPerParent<LotRow>(db, q, 'lots.producer_id', (l) => l.producer_id, 'lots.id', page);
}
