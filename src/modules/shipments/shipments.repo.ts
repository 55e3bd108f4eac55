import { type Expression, type Kysely, sql, type SqlBool, type Transaction } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB, Row } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { orderVisibilitySql } from '../orders/orders.repo.js';

type Db = Kysely<DB> | Transaction<DB>;

/** All SQL of shipments, their containers and loaded lots, and the reads behind the EUDR package. */

export type ShipmentRow = Row<'shipments'> & { buyer_org_id: number };

const withBuyer = (db: Db) =>
  db.selectFrom('shipments as s').innerJoin('orders as o', 'o.id', 's.order_id').selectAll('s').select('o.buyer_org_id');

export const findShipment = (db: Db, id: number): Promise<ShipmentRow | undefined> => withBuyer(db).where('s.id', '=', id).executeTakeFirst();

export const shipmentsByIds = (db: Db, ids: readonly number[]): Promise<ShipmentRow[]> =>
  ids.length === 0 ? Promise.resolve([]) : withBuyer(db).where('s.id', 'in', [...ids]).execute();

export const shipmentsOfOrders = (db: Db, orderIds: readonly number[]): Promise<ShipmentRow[]> =>
  orderIds.length === 0 ? Promise.resolve([]) : withBuyer(db).where('s.order_id', 'in', [...orderIds]).execute();

/** Shipments whose order the principal may see (buyers their organisation's, managers their brand's). */
export function listShipments(db: Db, principal: Principal | null, page: KeysetPage): Promise<ShipmentRow[]> {
  let q = withBuyer(db).where(orderVisibilitySql(principal, 'o') as Expression<SqlBool>);
  if (page.afterId !== null) q = q.where('s.id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('s.id', '<', page.beforeId);
  return q.orderBy('s.id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

export interface NewShipment {
  orderId: number;
  brandId: number;
  billOfLading: string;
  portOfLoading: string;
  portOfDischarge: string;
  departureDate: string;
  createdBy: number;
  containers: { containerNumber: string; sealNumber: string; bagCount: number; lots: { lotId: number; weightG: number }[] }[];
}

export async function insertShipment(trx: Transaction<DB>, s: NewShipment): Promise<Row<'shipments'>> {
  const shipment = await trx
    .insertInto('shipments')
    .values({
      order_id: s.orderId, brand_id: s.brandId, bill_of_lading: s.billOfLading, port_of_loading: s.portOfLoading,
      port_of_discharge: s.portOfDischarge, departure_date: s.departureDate, created_by: s.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const containers = await trx
    .insertInto('shipment_containers')
    .values(s.containers.map((c, i) => ({
      shipment_id: shipment.id, position: i + 1, container_number: c.containerNumber, seal_number: c.sealNumber, bag_count: c.bagCount,
    })))
    .returning(['id', 'position'])
    .execute();
  const idOf = new Map(containers.map((c) => [c.position, c.id]));
  await trx
    .insertInto('container_lots')
    .values(s.containers.flatMap((c, i) => c.lots.map((l) => ({ container_id: idOf.get(i + 1) as number, lot_id: l.lotId, weight_g: l.weightG }))))
    .execute();
  return shipment;
}

export const recordDds = (trx: Db, shipmentId: number, set: { reference: string; verification: string; userId: number }) =>
  trx
    .updateTable('shipments')
    .set({ dds_reference: set.reference, dds_verification: set.verification, dds_recorded_by: set.userId, dds_recorded_at: sql<Date>`now()` })
    .where('id', '=', shipmentId)
    .returningAll()
    .executeTakeFirstOrThrow();

export const lockShipment = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('shipments as s').innerJoin('orders as o', 'o.id', 's.order_id').selectAll('s').select('o.buyer_org_id')
    .where('s.id', '=', id).forUpdate('s').executeTakeFirst();

export const containersOfShipments = (db: Db, shipmentIds: readonly number[]) =>
  shipmentIds.length === 0
    ? Promise.resolve([] as Row<'shipment_containers'>[])
    : db.selectFrom('shipment_containers').selectAll().where('shipment_id', 'in', [...shipmentIds]).orderBy('shipment_id').orderBy('position').execute();

export const lotsOfContainers = (db: Db, containerIds: readonly number[]) =>
  containerIds.length === 0
    ? Promise.resolve([] as Row<'container_lots'>[])
    : db.selectFrom('container_lots').selectAll().where('container_id', 'in', [...containerIds]).orderBy('container_id').orderBy('lot_id').execute();

// Reads behind the EUDR package ------------------------------------------------------------------

export const lotsWithPlots = (db: Db, lotIds: readonly number[]) =>
  lotIds.length === 0
    ? Promise.resolve([] as Array<Row<'lots'> & { plot_ids: number[] | null }>)
    : db
        .selectFrom('lots as l')
        .selectAll('l')
        .select(sql<number[] | null>`(SELECT array_agg(lp.plot_id ORDER BY lp.plot_id) FROM lot_plots lp WHERE lp.lot_id = l.id)`.as('plot_ids'))
        .where('l.id', 'in', [...lotIds])
        .execute();

export const plotsByIds = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([] as Row<'plots'>[]) : db.selectFrom('plots').selectAll().where('id', 'in', [...ids]).orderBy('id').execute();

/** Public columns of producers (no contact data) with their cooperative's name. */
export const producersWithCooperative = (db: Db, ids: readonly number[]) =>
  ids.length === 0
    ? Promise.resolve([] as Array<{ id: number; display_name: string; village: string; district: string; regency: string; cooperative_name: string | null }>)
    : db
        .selectFrom('producers as p')
        .leftJoin('cooperatives as c', 'c.id', 'p.cooperative_id')
        .select(['p.id', 'p.display_name', 'p.village', 'p.district', 'p.regency', 'c.name as cooperative_name'])
        .where('p.id', 'in', [...ids])
        .execute();

/** Producers of an order in the order of their first allocation line (the "Contributor n" numbering). */
export const producersInLineOrder = (db: Db, orderId: number) =>
  db
    .selectFrom('allocation_lines')
    .select(['producer_id', sql<number>`min(id)`.as('first_line')])
    .where('order_id', '=', orderId)
    .groupBy('producer_id')
    .orderBy('first_line')
    .execute();

/** Active forward lines with undelivered weight. */
export const undeliveredForwardLines = (db: Db, orderId: number) =>
  db
    .selectFrom('allocation_lines')
    .select(['id', 'producer_id', sql<number>`(weight_g - fulfilled_g)::int8`.as('undelivered_g')])
    .where('order_id', '=', orderId)
    .where('status', '=', 'ACTIVE')
    .where('commitment_id', 'is not', null)
    .where(sql<SqlBool>`weight_g > fulfilled_g`)
    .orderBy('id')
    .execute();

export const orderHeader = (db: Db, orderId: number) =>
  db
    .selectFrom('orders as o')
    .innerJoin('products as p', 'p.id', 'o.product_id')
    .innerJoin('brands as b', 'b.id', 'o.brand_id')
    .innerJoin('buyer_orgs as bo', 'bo.id', 'o.buyer_org_id')
    .select([
      'o.id', 'p.name as product_name', 'p.commodity', 'p.species', 'p.process', 'p.form', 'b.name as brand_name',
      'bo.name as buyer_name', 'bo.country as buyer_country',
    ])
    .where('o.id', '=', orderId)
    .executeTakeFirstOrThrow();
