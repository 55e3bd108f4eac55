import type { Kysely, Transaction } from 'kysely';
import type { DB, Row } from '../../platform/db-types.js';

type Db = Kysely<DB> | Transaction<DB>;

/** All SQL of the EPCIS module's own tables: a brand's identifier settings and its products' GTINs. */

export type SettingsRow = Row<'epcis_brand_settings'>;

export const findSettings = (db: Db, brandId: number): Promise<SettingsRow | undefined> =>
  db.selectFrom('epcis_brand_settings').selectAll().where('brand_id', '=', brandId).executeTakeFirst();

export const settingsOfBrands = (db: Db, brandIds: readonly number[]): Promise<SettingsRow[]> =>
  brandIds.length === 0 ? Promise.resolve([]) : db.selectFrom('epcis_brand_settings').selectAll().where('brand_id', 'in', [...brandIds]).execute();

/** GTINs of a brand's products, by product id order. */
export const gtinsOfBrands = (db: Db, brandIds: readonly number[]) =>
  brandIds.length === 0
    ? Promise.resolve([] as Array<{ brand_id: number; product_id: number; gtin: string }>)
    : db
        .selectFrom('epcis_product_gtins as g')
        .innerJoin('products as p', 'p.id', 'g.product_id')
        .select(['p.brand_id', 'g.product_id', 'g.gtin'])
        .where('p.brand_id', 'in', [...brandIds])
        .orderBy('g.product_id')
        .execute();

/** Lock the brand row, so two managers' settings changes apply one after the other. */
export const lockBrand = (trx: Transaction<DB>, brandId: number) =>
  trx.selectFrom('brands').select(['id', 'name']).where('id', '=', brandId).forUpdate().executeTakeFirst();

export const productsOfBrand = (db: Db, brandId: number, productIds: readonly number[]) =>
  productIds.length === 0
    ? Promise.resolve([] as Array<{ id: number }>)
    : db.selectFrom('products').select('id').where('brand_id', '=', brandId).where('id', 'in', [...productIds]).execute();

/** Replace the brand's settings and its products' GTINs (products not listed lose theirs). */
export async function replaceSettings(
  trx: Transaction<DB>,
  brandId: number,
  settings: { domain: string | null; gs1CompanyPrefix: string | null; syntax: 'URN' | 'DIGITAL_LINK'; userId: number },
  gtins: ReadonlyArray<{ productId: number; gtin14: string }>,
): Promise<SettingsRow> {
  const values = {
    identifier_domain: settings.domain,
    gs1_company_prefix: settings.gs1CompanyPrefix,
    identifier_syntax: settings.syntax,
    updated_by: settings.userId,
    updated_at: new Date(),
  };
  const row = await trx
    .insertInto('epcis_brand_settings')
    .values({ brand_id: brandId, ...values })
    .onConflict((oc) => oc.column('brand_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  const products = trx.selectFrom('products').select('id').where('brand_id', '=', brandId);
  await trx.deleteFrom('epcis_product_gtins').where('product_id', 'in', products).execute();
  if (gtins.length > 0) {
    await trx.insertInto('epcis_product_gtins').values(gtins.map((g) => ({ product_id: g.productId, gtin: g.gtin14 }))).execute();
  }
  return row;
}

// Read model of a shipment's chain (read-only, a constant number of statements for any size) ------

export const lotsByIds = (db: Db, ids: readonly number[]): Promise<Row<'lots'>[]> =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('lots').selectAll().where('id', 'in', [...ids]).orderBy('id').execute();

/** Plots behind many lots, without their geometry (the EUDR package carries geolocation). */
export const plotsOfLots = (db: Db, lotIds: readonly number[]) =>
  lotIds.length === 0
    ? Promise.resolve([] as Array<{ lot_id: number; id: number; area_ha: string; altitude_m: number | null }>)
    : db
        .selectFrom('lot_plots as lp')
        .innerJoin('plots as p', 'p.id', 'lp.plot_id')
        .select(['lp.lot_id', 'p.id', 'p.area_ha', 'p.altitude_m'])
        .where('lp.lot_id', 'in', [...lotIds])
        .orderBy('lp.lot_id')
        .orderBy('p.id')
        .execute();

/** Provenance events of many lots (oldest first), payload included, without actors. */
export const eventsOfLots = (db: Db, lotIds: readonly number[]): Promise<Row<'provenance_events'>[]> =>
  lotIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('provenance_events').selectAll().where('lot_id', 'in', [...lotIds]).orderBy('id').execute();

/**
 * What still serves an order: its ACTIVE allocation lines and the ACTIVE fulfilments of ACTIVE
 * lines (one statement).
 */
export async function servingOfOrder(db: Db, orderId: number): Promise<{ lineIds: Set<number>; fulfilmentIds: Set<number> }> {
  const rows = await db
    .selectFrom('allocation_lines as a')
    .leftJoin('fulfilments as f', (j) => j.onRef('f.line_id', '=', 'a.id').on('f.status', '=', 'ACTIVE'))
    .select(['a.id as line_id', 'f.id as fulfilment_id'])
    .where('a.order_id', '=', orderId)
    .where('a.status', '=', 'ACTIVE')
    .execute();
  return {
    lineIds: new Set(rows.map((r) => r.line_id)),
    fulfilmentIds: new Set(rows.flatMap((r) => (r.fulfilment_id === null ? [] : [r.fulfilment_id]))),
  };
}
