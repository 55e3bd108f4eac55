import type { Db, Row } from '../../platform/db-types.js';

/**
 * Read-only queries behind an order's trace. Each takes every id it needs at once, so a trace costs
 * the same number of statements for 2 lines or 500. Producers are read WITHOUT contact columns: the
 * trace never holds them, so it cannot leak them.
 */

export interface OrderHeader {
  product_name: string;
  commodity: string;
  species: Row<'products'>['species'];
  process: Row<'products'>['process'];
  form: Row<'products'>['form'];
  brand_name: string;
  buyer_name: string;
}

export const orderHeader = (db: Db, order: Pick<Row<'orders'>, 'product_id' | 'brand_id' | 'buyer_org_id'>): Promise<OrderHeader | undefined> =>
  db
    .selectFrom('products as p')
    .innerJoin('brands as b', 'b.id', 'p.brand_id')
    .innerJoin('buyer_orgs as bo', (j) => j.on('bo.id', '=', order.buyer_org_id))
    .select([
      'p.name as product_name', 'p.commodity', 'p.species', 'p.process', 'p.form', 'b.name as brand_name', 'bo.name as buyer_name',
    ])
    .where('p.id', '=', order.product_id)
    .executeTakeFirst();

export const lotsByIds = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([] as Row<'lots'>[]) : db.selectFrom('lots').selectAll().where('id', 'in', ids).execute();

export const commitmentsByIds = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([] as Row<'commitments'>[]) : db.selectFrom('commitments').selectAll().where('id', 'in', ids).execute();

export interface TraceProducerRow {
  id: number;
  display_name: string;
  village: string;
  district: string;
  regency: string;
}

/** Public columns of producers: no contact data, no user or cooperative link. */
export const producerPublicRows = (db: Db, ids: readonly number[]): Promise<TraceProducerRow[]> =>
  ids.length === 0
    ? Promise.resolve([])
    : db.selectFrom('producers').select(['id', 'display_name', 'village', 'district', 'regency']).where('id', 'in', ids).execute();

/** Provenance events of an order (oldest first), without actors. */
export const eventsOfOrder = (db: Db, orderId: number) =>
  db.selectFrom('provenance_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
