import { sql, type Transaction } from 'kysely';
import type { DB, Db, NewRow, Row, RowUpdate } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { applyKeyset, pagesPerParent } from '../../platform/paging.js';
import { prepared } from '../../platform/sql.js';

export type BrandRow = Row<'brands'>;
export type ProductRow = Row<'products'>;
export type SchemeRow = Row<'grade_schemes'>;
export type GradeRow = Row<'grades'>;

const ordered = <Q extends { orderBy: (c: 'id', d: 'asc' | 'desc') => Q; limit: (n: number) => Q }>(q: Q, page: KeysetPage) =>
  q.orderBy('id', page.inverted ? 'desc' : 'asc').limit(page.limit);

// Brands ---------------------------------------------------------------------------------------

export const insertBrand = (db: Db, row: NewRow<'brands'>) =>
  db.insertInto('brands').values(row).returningAll().executeTakeFirstOrThrow();

export const updateBrand = (db: Db, id: number, patch: RowUpdate<'brands'>) =>
  db.updateTable('brands').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export const findBrand = (db: Db, id: number) => db.selectFrom('brands').selectAll().where('id', '=', id).executeTakeFirst();

export const lockBrand = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('brands').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

/** Another brand with this name (case-insensitive), other than `exceptId`. */
export const findBrandByName = (db: Db, name: string, exceptId: number | null = null) => {
  let q = db.selectFrom('brands').select('id').where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId !== null) q = q.where('id', '<>', exceptId);
  return q.executeTakeFirst();
};

export const listBrands = (db: Db, page: KeysetPage) =>
  ordered(applyKeyset(db.selectFrom('brands').selectAll(), 'id', page), page).execute();

// Products -------------------------------------------------------------------------------------

export const insertProduct = (db: Db, row: NewRow<'products'>) =>
  db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow();

export const findProduct = (db: Db, id: number) => db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();

/** A page of products for each brand, in one query. */
export const productsPerBrand = (db: Db, brandIds: readonly number[], page: KeysetPage) =>
  pagesPerParent<ProductRow>(
    db,
    db.selectFrom('products').selectAll().where('brand_id', 'in', brandIds),
    'brand_id',
    (p) => p.brand_id,
    'id',
    page,
  );

// Grade schemes --------------------------------------------------------------------------------

export const insertScheme = (trx: Transaction<DB>, row: NewRow<'grade_schemes'>) =>
  trx.insertInto('grade_schemes').values(row).returningAll().executeTakeFirstOrThrow();

export const insertGrades = (trx: Transaction<DB>, rows: NewRow<'grades'>[]) =>
  trx.insertInto('grades').values(rows).execute();

/** Highest scheme version of a product (0 when none); locks nothing, the unique key guards races. */
export const maxSchemeVersion = async (db: Db, productId: number) =>
  (
    await db
      .selectFrom('grade_schemes')
      .select(sql<number>`coalesce(max(version), 0)::int4`.as('v'))
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow()
  ).v;

/** The latest scheme of each product, one query. */
export const latestSchemes = (db: Db, productIds: readonly number[]) =>
  productIds.length === 0
    ? Promise.resolve([] as SchemeRow[])
    : db
        .selectFrom('grade_schemes')
        .selectAll()
        .distinctOn('product_id')
        .where('product_id', 'in', productIds)
        .orderBy('product_id')
        .orderBy('version', 'desc')
        .execute();

/** Every scheme version of each product, oldest first. */
export const schemesOfProducts = (db: Db, productIds: readonly number[]) =>
  db.selectFrom('grade_schemes').selectAll().where('product_id', 'in', productIds).orderBy('product_id').orderBy('version').execute();

/** Grades of each scheme, best (rank 1) first. */
export const gradesOfSchemes = (db: Db, schemeIds: readonly number[]) =>
  schemeIds.length === 0
    ? Promise.resolve([] as GradeRow[])
    : db.selectFrom('grades').selectAll().where('scheme_id', 'in', schemeIds).orderBy('scheme_id').orderBy('rank').execute();

/**
 * A product with the grades of its latest scheme version, in one statement: one row per grade
 * (best first), or one row with null grade columns when the product has no scheme (or no grades);
 * no rows for an unknown product.
 */
/** Compiled once (prepared, platform/sql.ts): availability reads it on every request. */
const productWithCurrentGradesQuery = prepared((db: Db, productId: number) =>
  db
    .selectFrom('products as p')
    .leftJoinLateral(
      (eb) => eb.selectFrom('grade_schemes as s').select('s.id').whereRef('s.product_id', '=', 'p.id').orderBy('s.version', 'desc').limit(1).as('s'),
      (join) => join.onTrue(),
    )
    .leftJoin('grades as g', 'g.scheme_id', 's.id')
    .select(['p.id', 'p.brand_id', 's.id as scheme_id', 'g.code', 'g.rank', 'g.label'])
    .where('p.id', '=', productId)
    .orderBy('g.rank'),
);
export const productWithCurrentGrades = async (db: Db, productId: number) => (await productWithCurrentGradesQuery(db, productId)).rows;

/** Lock a product row (serialises new grade-scheme versions of one product). */
export const lockProduct = (trx: Transaction<DB>, productId: number) =>
  trx.selectFrom('products').select('id').where('id', '=', productId).forUpdate().executeTakeFirstOrThrow();
