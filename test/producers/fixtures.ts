import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB, MembershipStatus, Row } from '../../src/platform/db-types.js';
import { SNI_ARABICA_PRESET } from '../../src/modules/grading/sni.js';
import { globalId } from '../../src/platform/graphql/ids.js';
import type { GqlResponse } from '../support/app.js';

/**
 * Direct-insert "given" fixtures for the brands, producers and memberships tests; the "when" goes
 * through GraphQL.
 */

let counter = 0;
export const unique = (prefix: string) => `${prefix} ${process.pid}-${++counter}`;

export const gid = globalId;

export const insertBrand = (db: Kysely<DB>, name = unique('Brand')): Promise<Row<'brands'>> =>
  db.insertInto('brands').values({ name, commodity: 'coffee', fee_pct: '5.00' }).returningAll().executeTakeFirstOrThrow();

export const insertCooperative = (db: Kysely<DB>, name = unique('Koperasi')): Promise<Row<'cooperatives'>> =>
  db.insertInto('cooperatives').values({ name, regency: 'Bondowoso' }).returningAll().executeTakeFirstOrThrow();

export const insertProducer = (
  db: Kysely<DB>,
  opts: { cooperativeId?: number | null; name?: string; phone?: string | null } = {},
): Promise<Row<'producers'>> =>
  db
    .insertInto('producers')
    .values({
      cooperative_id: opts.cooperativeId ?? null,
      display_name: opts.name ?? unique('Pak Tani'),
      village: 'Sukorejo',
      district: 'Sumberwringin',
      regency: 'Bondowoso',
      contact_phone: opts.phone === undefined ? '+62 812 0000 0000' : opts.phone,
      contact_email: 'tani@example.test',
      contact_address: 'Dusun Krajan RT 01',
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export const insertMembership = (db: Kysely<DB>, producerId: number, brandId: number, status: MembershipStatus = 'APPLIED') =>
  db.insertInto('memberships').values({ producer_id: producerId, brand_id: brandId, status }).returningAll().executeTakeFirstOrThrow();

/** A product with the SNI Arabica preset as scheme version 1. */
export async function insertProduct(db: Kysely<DB>, brandId: number): Promise<Row<'products'>> {
  const product = await db
    .insertInto('products')
    .values({ brand_id: brandId, name: unique('Arabica green'), commodity: 'coffee', species: 'ARABICA', process: 'WASHED', form: 'GREEN' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const scheme = await db
    .insertInto('grade_schemes')
    .values({ product_id: product.id, version: 1, preset: 'SNI_ARABICA' })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('grades')
    .values(
      SNI_ARABICA_PRESET.grades.map((g) => ({
        scheme_id: scheme.id,
        code: g.code,
        label: g.label,
        rank: g.rank,
        max_defect: g.maxDefectValue,
        max_moisture: g.maxMoisturePct,
        min_cupping: g.minCuppingScore,
      })),
    )
    .execute();
  return product;
}

type Table = keyof DB;
export const countRows = async (db: Kysely<DB>, table: Table): Promise<number> =>
  Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

/** Counts of the tables a supply mutation may write. */
export async function snapshot(db: Kysely<DB>) {
  const tables: Table[] = ['brands', 'products', 'grade_schemes', 'grades', 'cooperatives', 'producers', 'plots', 'users', 'role_grants', 'memberships', 'membership_events'];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await countRows(db, t);
  return out;
}

/** The result union member of mutation `field`: asserts its __typename (and code, for errors). */
export function result(res: GqlResponse, field: string, typename: string, code?: string) {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const value = res.data[field];
  expect(value.__typename, JSON.stringify(value)).toBe(typename);
  if (code) expect(value.code).toBe(code);
  return value;
}

export const ERROR_FIELDS = /* GraphQL */ `
  ... on Error { code message }
  ... on ValidationError { issues { path message } }
  ... on NotFoundError { path }
`;
export const CONFLICT_FIELDS = /* GraphQL */ `... on ConflictError { path }`;
export const TRANSITION_FIELDS = /* GraphQL */ `... on InvalidTransitionError { from to }`;

/** Denied result: Forbidden for a signed-in caller, Unauthenticated for anonymous. */
export const deniedType = (token: string | null) => (token ? ['ForbiddenError', 'FORBIDDEN'] : ['UnauthenticatedError', 'UNAUTHENTICATED']) as [string, string];
