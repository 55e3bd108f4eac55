import { type Expression, sql, type SqlBool, type Transaction } from 'kysely';
import { isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB, Db, NewRow, OrderStatus, Row, RowUpdate } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { idList, prepared } from '../../platform/sql.js';

export type OrderRow = Row<'orders'>;
export type OrderEventRow = Row<'order_events'> & { actor_display_name: string | null };

// Orders ---------------------------------------------------------------------------------------

export const insertOrder = (trx: Transaction<DB>, row: NewRow<'orders'>) =>
  trx.insertInto('orders').values(row).returningAll().executeTakeFirstOrThrow();

export const findOrder = (db: Db, id: number) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();

/** Lock the order row for the rest of the transaction: every transition and allocation starts here. */
export const lockOrder = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const updateOrder = (trx: Transaction<DB>, id: number, set: RowUpdate<'orders'>) =>
  trx.updateTable('orders').set({ ...set, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

/** The brand's allocation settings, read with the order's lock (acceptance needs both). */
export interface OrderBrandSettings { fee_pct: string; default_strategy: string }

/** lockOrder, with the order's brand's fee and default strategy in the same statement (the brand row is not locked). */
const lockOrderWithBrandQuery = prepared((trx: Db, id: number) =>
  trx
    .selectFrom('orders as o')
    .innerJoin('brands as b', 'b.id', 'o.brand_id')
    .selectAll('o')
    .select(['b.fee_pct as brand_fee_pct', 'b.default_strategy as brand_default_strategy'])
    .where('o.id', '=', id)
    .forUpdate('o'));

export async function lockOrderWithBrand(trx: Transaction<DB>, id: number): Promise<{ order: OrderRow; brand: OrderBrandSettings } | undefined> {
  const row = (await lockOrderWithBrandQuery(trx, id)).rows[0];
  if (!row) return undefined;
  const { brand_fee_pct, brand_default_strategy, ...order } = row;
  return { order, brand: { fee_pct: brand_fee_pct, default_strategy: brand_default_strategy } };
}

/**
 * A status change and its history row in one statement: the order updated (`set`, its status and
 * updated_at) and its order event inserted; returns the updated order. `set` holds plain values
 * (no SQL expressions); a key whose value is undefined is left alone. The statement is prepared
 * once per set of columns, which the transitions fix in code.
 */
export const updateOrderWithEvent = async (
  trx: Transaction<DB>,
  id: number,
  set: RowUpdate<'orders'>,
  event: { from: OrderStatus | null; to: OrderStatus; actorUserId: number | null; reason: string | null; reasonId?: string | null },
): Promise<OrderRow> => {
  const columns = (Object.keys(set) as Array<keyof typeof set>).filter((c) => set[c] !== undefined).sort();
  const shape = columns.join(',');
  let query = updateWithEventQueries.get(shape);
  if (!query) updateWithEventQueries.set(shape, (query = updateWithEventQuery(columns)));
  const { rows } = await query(trx, id, event.from, event.to, event.actorUserId, event.reason, event.reasonId ?? null, new Date(), ...columns.map((c) => set[c]));
  if (!rows[0]) throw new Error(`order ${id} was not updated`);
  return rows[0];
};

const updateWithEventQueries = new Map<string, ReturnType<typeof updateWithEventQuery>>();
const updateWithEventQuery = (columns: ReadonlyArray<keyof RowUpdate<'orders'>>) =>
  prepared((trx: Db, id: number, from: OrderStatus | null, to: OrderStatus, actorUserId: number | null, reason: string | null, reasonId: string | null, updatedAt: Date, ...values: unknown[]) =>
    trx
      .with('updated', (db) =>
        db.updateTable('orders').set({ ...Object.fromEntries(columns.map((c, i) => [c, values[i]])), updated_at: updatedAt }).where('id', '=', id).returningAll())
      .with('event', (db) =>
        db.insertInto('order_events').values({ order_id: id, from_status: from, to_status: to, actor_user_id: actorUserId, reason, reason_id: reasonId }))
      .selectFrom('updated')
      .selectAll());

export const insertOrderEvent = (
  trx: Transaction<DB>,
  row: { orderId: number; from: OrderStatus | null; to: OrderStatus; actorUserId: number | null; reason: string | null; reasonId?: string | null },
) =>
  trx
    .insertInto('order_events')
    .values({
      order_id: row.orderId, from_status: row.from, to_status: row.to, actor_user_id: row.actorUserId, reason: row.reason, reason_id: row.reasonId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

/** Transition history of many orders, oldest first, with the actor's display name. */
export const eventsOfOrders = (db: Db, orderIds: readonly number[]): Promise<OrderEventRow[]> =>
  orderIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('order_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_user_id')
        .selectAll('e')
        .select('u.display_name as actor_display_name')
        .where('e.order_id', 'in', orderIds)
        .orderBy('e.id')
        .execute();


/**
 * "The order is visible" as SQL: admins see all; brand managers their brands' orders; buyers their
 * organisations' orders; nobody else any.
 */
export function orderVisibilitySql(principal: Principal | null, alias = 'orders') {
  if (!principal) return sql<SqlBool>`false`;
  if (isAdmin(principal)) return sql<SqlBool>`true`;
  const brands = orgIdsWithRole(principal, 'BRAND_MANAGER');
  const buyers = orgIdsWithRole(principal, 'BUYER');
  const conditions = [];
  if (brands.length > 0) conditions.push(sql`${sql.ref(`${alias}.brand_id`)} in (${idList(brands)})`);
  if (buyers.length > 0) conditions.push(sql`${sql.ref(`${alias}.buyer_org_id`)} in (${idList(buyers)})`);
  if (conditions.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
}

export interface OrderFilter {
  status?: OrderStatus | null;
  productId?: number | null;
  brandId?: number | null;
}

/** A keyset page of the orders the principal may see (filtered in SQL). */
export function listOrders(db: Db, principal: Principal | null, filter: OrderFilter, page: KeysetPage) {
  let q = db.selectFrom('orders').selectAll().where(orderVisibilitySql(principal) as Expression<SqlBool>);
  if (filter.status != null) q = q.where('status', '=', filter.status);
  if (filter.productId != null) q = q.where('product_id', '=', filter.productId);
  if (filter.brandId != null) q = q.where('brand_id', '=', filter.brandId);
  if (page.afterId !== null) q = q.where('id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('id', '<', page.beforeId);
  return q.orderBy('id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

// Lookups for placing an order -----------------------------------------------------------------

export const findBuyerOrg = (db: Db, id: number) => db.selectFrom('buyer_orgs').select(['id', 'name']).where('id', '=', id).executeTakeFirst();

export const buyerOrgNames = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('buyer_orgs').select(['id', 'name']).where('id', 'in', ids).execute();

/** What still stands between an order and shipping: uncovered weight and forward lines not yet delivered. */
export const undeliveredForwardG = async (trx: Transaction<DB>, orderId: number): Promise<number> =>
  (
    await trx
      .selectFrom('allocation_lines')
      .select(sql<number>`coalesce(sum(weight_g - fulfilled_g), 0)::int8`.as('g'))
      .where('order_id', '=', orderId)
      .where('status', '=', 'ACTIVE')
      .where('commitment_id', 'is not', null)
      .executeTakeFirstOrThrow()
  ).g;

/** The lots that ship with an order and the weight of each: spot lines plus active fulfilments of forward lines. */
export const shippedLots = (trx: Transaction<DB>, orderId: number) =>
  sql<{ lot_id: number; weight_g: number }>`
    SELECT lot_id, sum(weight_g)::int8 AS weight_g FROM (
      SELECT lot_id, weight_g FROM allocation_lines
       WHERE order_id = ${orderId} AND status = 'ACTIVE' AND lot_id IS NOT NULL
      UNION ALL
      SELECT f.lot_id, f.weight_g FROM fulfilments f JOIN allocation_lines l ON l.id = f.line_id
       WHERE l.order_id = ${orderId} AND l.status = 'ACTIVE' AND f.status = 'ACTIVE'
    ) s GROUP BY lot_id ORDER BY lot_id`
    .execute(trx)
    .then((r) => r.rows);
