import type { Transaction } from 'kysely';
import type { DB, Db, NewRow, Row, RowUpdate } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { pagesPerParent } from '../../platform/paging.js';
import { applyProducerVisibility, type ProducerVisibility } from '../producers/producers.repo.js';

export type PlotRow = Row<'plots'>;

export const insertPlot = (trx: Db, row: NewRow<'plots'>) =>
  trx.insertInto('plots').values(row).returningAll().executeTakeFirstOrThrow();

export const updatePlot = (trx: Db, id: number, set: RowUpdate<'plots'>) =>
  trx.updateTable('plots').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export const findPlot = (db: Db, id: number) => db.selectFrom('plots').selectAll().where('id', '=', id).executeTakeFirst();

export const lockPlot = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('plots').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

/** Plots by id (any order; missing ids are absent). */
export const findPlots = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([] as PlotRow[]) : db.selectFrom('plots').selectAll().where('id', 'in', ids).execute();

/** The plots of many lots at once, with the lot each belongs to (plot id order). */
export const plotsOfLots = (db: Db, lotIds: readonly number[]) =>
  lotIds.length === 0
    ? Promise.resolve([] as Array<PlotRow & { lot_id: number }>)
    : db
        .selectFrom('lot_plots')
        .innerJoin('plots', 'plots.id', 'lot_plots.plot_id')
        .selectAll('plots')
        .select('lot_plots.lot_id')
        .where('lot_plots.lot_id', 'in', lotIds)
        .orderBy('plots.id')
        .execute();

/** Producer id → [plot count, EUDR-ready plot count], for many producers. */
export const plotReadiness = (db: Db, producerIds: readonly number[]) =>
  producerIds.length === 0
    ? Promise.resolve([] as Array<{ producer_id: number; plots: number; ready: number }>)
    : db
        .selectFrom('plots')
        .select((eb) => [
          'producer_id',
          eb.fn.countAll<number>().as('plots'),
          eb.fn.count<number>('id').filterWhere('eudr_ready', '=', true).as('ready'),
        ])
        .where('producer_id', 'in', producerIds)
        .groupBy('producer_id')
        .execute();

/** A keyset page of plots visible under `visibility`, optionally of one producer. */
export function listPlots(db: Db, visibility: ProducerVisibility, filter: { producerId?: number | null }, page: KeysetPage) {
  let q = applyProducerVisibility(db.selectFrom('plots').selectAll('plots'), 'plots.producer_id', visibility);
  if (filter.producerId != null) q = q.where('plots.producer_id', '=', filter.producerId);
  if (page.afterId !== null) q = q.where('plots.id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('plots.id', '<', page.beforeId);
  return q.orderBy('plots.id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

/** A page of visible plots for each producer, in one query (Producer.plots under a list of producers). */
export const plotsPerProducer = (db: Db, visibility: ProducerVisibility, producerIds: readonly number[], page: KeysetPage) =>
  pagesPerParent<PlotRow>(
    db,
    applyProducerVisibility(db.selectFrom('plots').selectAll('plots'), 'plots.producer_id', visibility).where('plots.producer_id', 'in', producerIds),
    'plots.producer_id',
    (p) => p.producer_id,
    'plots.id',
    page,
  );

/** Whether any lot has been declared from this plot. */
export const plotHasLots = async (db: Db, plotId: number) =>
  (await db.selectFrom('lot_plots').select('lot_id').where('plot_id', '=', plotId).limit(1).executeTakeFirst()) !== undefined;
