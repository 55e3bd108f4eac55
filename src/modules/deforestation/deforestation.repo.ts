import type { Kysely, Transaction } from 'kysely';
import type { DB, NewRow, Row } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

export type DeforestationRow = Row<'plot_deforestation_assessments'>;

export const insertAssessment = (trx: Db, row: NewRow<'plot_deforestation_assessments'>) =>
  trx.insertInto('plot_deforestation_assessments').values(row).returningAll().executeTakeFirstOrThrow();

/** The latest assessment of each plot (plots never assessed are absent). */
export const latestOfPlots = (db: Db, plotIds: readonly number[]): Promise<DeforestationRow[]> =>
  plotIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('plot_deforestation_assessments')
        .selectAll()
        .distinctOn('plot_id')
        .where('plot_id', 'in', [...plotIds])
        .orderBy('plot_id')
        .orderBy('id', 'desc')
        .execute();

/** Every assessment of a plot, newest first. */
export const historyOfPlot = (db: Db, plotId: number) =>
  db.selectFrom('plot_deforestation_assessments').selectAll().where('plot_id', '=', plotId).orderBy('id', 'desc').execute();
