import { sql, type Transaction } from 'kysely';
import type { DB, Db, Row } from '../../platform/db-types.js';
import { idList } from '../../platform/sql.js';

/**
 * Fulfilments (forward lines delivered as lots) and the reads of allocation lines that fulfilment and
 * shortfalls need. The line columns they change (fulfilled_g, and weight_g / status when a producer
 * defaults on part of a line) are written by the supply ledger (allocation.service: takeForFulfilment,
 * returnFulfilments, shortLine), the only writer of allocation_lines and allocated_g. Every write
 * here runs under the lock of the line's order row (FOR UPDATE), which is what serialises changes to
 * an order's lines.
 */

export type FulfilmentRow = Row<'fulfilments'>;
export type LineRow = Row<'allocation_lines'>;

/** A fulfilment with what its access checks need: the line's producer and order, the order's brand. */
export type FulfilmentView = FulfilmentRow & { order_id: number; producer_id: number; brand_id: number };

export const findLine = (db: Db, id: number) => db.selectFrom('allocation_lines').selectAll().where('id', '=', id).executeTakeFirst();

export const linesByIds = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([] as LineRow[]) : db.selectFrom('allocation_lines').selectAll().where('id', 'in', ids).orderBy('id').execute();

export const insertFulfilment = (trx: Transaction<DB>, row: { lineId: number; lotId: number; weightG: number; createdBy: number | null }) =>
  trx
    .insertInto('fulfilments')
    .values({ line_id: row.lineId, lot_id: row.lotId, weight_g: row.weightG, created_by: row.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();

export const setFulfilmentsStatus = (trx: Transaction<DB>, ids: readonly number[], status: FulfilmentRow['status']) =>
  ids.length === 0
    ? Promise.resolve()
    : trx.updateTable('fulfilments').set({ status }).where('id', 'in', ids).execute().then(() => undefined);

export const findFulfilment = (db: Db, id: number) => db.selectFrom('fulfilments').selectAll().where('id', '=', id).executeTakeFirst();

/** Fulfilments (any status) of many lines, oldest first, with the line's producer and order and the order's brand. */
export const fulfilmentsOfLines = (db: Db, lineIds: readonly number[]): Promise<FulfilmentView[]> =>
  lineIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('fulfilments as f')
        .innerJoin('allocation_lines as a', 'a.id', 'f.line_id')
        .innerJoin('orders as o', 'o.id', 'a.order_id')
        .selectAll('f')
        .select(['a.order_id', 'a.producer_id', 'o.brand_id'])
        .where('f.line_id', 'in', lineIds)
        .orderBy('f.id')
        .execute();

/** ACTIVE fulfilments of an order's lines (any line status), in id order. */
export const activeFulfilmentsOfOrder = (db: Db, orderId: number) =>
  db
    .selectFrom('fulfilments as f')
    .innerJoin('allocation_lines as a', 'a.id', 'f.line_id')
    .selectAll('f')
    .where('a.order_id', '=', orderId)
    .where('f.status', '=', 'ACTIVE')
    .orderBy('f.id')
    .execute();

/**
 * What a lot that failed grading puts at risk, for orders that still hold supply: the orders with an
 * ACTIVE spot line on the lot or an ACTIVE fulfilment from it (on an ACTIVE line) whose minimum grade
 * the lot no longer meets (`rank` null: off-grade, meets none).
 */
export async function ordersAffectedByLot(db: Db, lotId: number, rank: number | null): Promise<number[]> {
  const below = rank === null ? sql<boolean>`true` : sql<boolean>`o.min_grade_rank < ${rank}`;
  const { rows } = await sql<{ order_id: number }>`
    select distinct o.id as order_id from orders o
    where o.status in ('ACCEPTED', 'IN_FULFILLMENT') and ${below}
      and (
        exists (select 1 from allocation_lines a where a.order_id = o.id and a.lot_id = ${lotId} and a.status = 'ACTIVE')
        or exists (
          select 1 from fulfilments f join allocation_lines a on a.id = f.line_id
          where a.order_id = o.id and f.lot_id = ${lotId} and f.status = 'ACTIVE' and a.status = 'ACTIVE'
        )
      )
    order by o.id`.execute(db);
  return rows.map((r) => r.order_id);
}

/** ACTIVE spot lines of an order on a lot, in id order. */
export const activeSpotLinesOnLot = (db: Db, orderId: number, lotId: number) =>
  db
    .selectFrom('allocation_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('lot_id', '=', lotId)
    .where('status', '=', 'ACTIVE')
    .orderBy('id')
    .execute();

/** ACTIVE fulfilments from a lot on ACTIVE lines of an order, in id order. */
export const activeFulfilmentsFromLot = (db: Db, orderId: number, lotId: number) =>
  db
    .selectFrom('fulfilments as f')
    .innerJoin('allocation_lines as a', 'a.id', 'f.line_id')
    .selectAll('f')
    .where('a.order_id', '=', orderId)
    .where('a.status', '=', 'ACTIVE')
    .where('f.lot_id', '=', lotId)
    .where('f.status', '=', 'ACTIVE')
    .orderBy('f.id')
    .execute();

/** Σ ACTIVE line weight of an order per producer (for the order's per-producer share cap). */
export const activeWeightByProducer = (db: Db, orderId: number) =>
  db
    .selectFrom('allocation_lines')
    .select(['producer_id', sql<number>`coalesce(sum(weight_g), 0)::int8`.as('g')])
    .where('order_id', '=', orderId)
    .where('status', '=', 'ACTIVE')
    .groupBy('producer_id')
    .execute();

export interface LedgerViolation {
  kind: 'order' | 'line';
  id: number;
  message: string;
}

/**
 * The demand-side ledger, checked on the given orders (null: every order):
 * - an order that holds supply (ACCEPTED, IN_FULFILLMENT): Σ ACTIVE line weight + uncovered_g = quantity_g;
 * - every line: fulfilled_g = Σ ACTIVE fulfilments of the line, and only forward lines have fulfilments.
 * (The supply side — allocated_g of lots and commitments — is allocation.repo's invariantViolations.)
 */
export async function ledgerViolations(db: Db, orderIds: readonly number[] | null): Promise<LedgerViolation[]> {
  if (orderIds !== null && orderIds.length === 0) return [];
  const onlyOrders = (col: string) => (orderIds === null ? sql`true` : sql`${sql.ref(col)} in (${idList(orderIds)})`);
  const orders = await sql<{ id: number; quantity: number; active: number; uncovered: number }>`
    select o.id, o.quantity_g as quantity, o.uncovered_g as uncovered, coalesce(sum(a.weight_g), 0)::int8 as active
    from orders o left join allocation_lines a on a.order_id = o.id and a.status = 'ACTIVE'
    where o.status in ('ACCEPTED', 'IN_FULFILLMENT') and ${onlyOrders('o.id')}
    group by o.id
    having coalesce(sum(a.weight_g), 0) + o.uncovered_g <> o.quantity_g
    order by o.id`.execute(db);
  const lines = await sql<{ id: number; fulfilled: number; active: number; lot_id: number | null }>`
    select a.id, a.fulfilled_g as fulfilled, a.lot_id, coalesce(sum(f.weight_g) filter (where f.status = 'ACTIVE'), 0)::int8 as active
    from allocation_lines a left join fulfilments f on f.line_id = a.id
    where ${onlyOrders('a.order_id')}
    group by a.id
    having a.fulfilled_g <> coalesce(sum(f.weight_g) filter (where f.status = 'ACTIVE'), 0)
        or (a.lot_id is not null and count(f.id) > 0)
    order by a.id`.execute(db);
  return [
    ...orders.rows.map((o) => ({
      kind: 'order' as const,
      id: o.id,
      message: `active lines ${o.active} g + uncovered ${o.uncovered} g ≠ quantity ${o.quantity} g`,
    })),
    ...lines.rows.map((l) => ({
      kind: 'line' as const,
      id: l.id,
      message: l.lot_id !== null ? 'a spot line has fulfilments' : `fulfilled ${l.fulfilled} g ≠ Σ active fulfilments ${l.active} g`,
    })),
  ];
}
