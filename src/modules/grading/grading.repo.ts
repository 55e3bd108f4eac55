import type { Transaction } from 'kysely';
import type { DB, Db, NewRow, Row } from '../../platform/db-types.js';

export type AssessmentRow = Row<'assessments'>;

/** Assessments are immutable (a trigger rejects UPDATE and DELETE): insert only. */
export const insertAssessment = (trx: Transaction<DB>, row: NewRow<'assessments'>) =>
  trx.insertInto('assessments').values(row).returningAll().executeTakeFirstOrThrow();

/** Assessments of many lots at once, newest first. */
export const assessmentsOfLots = (db: Db, lotIds: readonly number[]) =>
  lotIds.length === 0
    ? Promise.resolve([] as AssessmentRow[])
    : db.selectFrom('assessments').selectAll().where('lot_id', 'in', lotIds).orderBy('id', 'desc').execute();
