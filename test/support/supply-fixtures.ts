import type { Kysely } from 'kysely';
import type { DB, MembershipStatus, Row } from '../../src/platform/db-types.js';
import { type GradeDefinition, SNI_ARABICA_PRESET, SNI_ROBUSTA_PRESET } from '../../src/modules/grading/sni.js';
import { createUser, type TestApp } from './app.js';

/**
 * Direct-insert fixtures for the supply side (brands, products, grade schemes, cooperatives,
 * producers, memberships, plots, lots, commitments). They bypass the services on purpose: tests
 * use them for the "given" part; the "when" goes through GraphQL.
 */

let counter = 0;
const unique = (prefix: string) => `${prefix} ${process.pid}-${++counter}`;

/** A valid EUDR point (Bondowoso, ≥ 6 decimals). */
export const POINT = { type: 'Point', coordinates: [113.8214501, -7.9131234] } as const;
/** A valid ~5 ha polygon near Ijen (closed, simple, 7 decimals). */
export const POLYGON_5HA = {
  type: 'Polygon',
  coordinates: [[
    [114.1000001, -7.9000001],
    [114.1020001, -7.9000001],
    [114.1020001, -7.9022501],
    [114.1000001, -7.9022501],
    [114.1000001, -7.9000001],
  ]],
} as const;

export async function insertBrand(db: Kysely<DB>, name = unique('Brand')): Promise<Row<'brands'>> {
  return db.insertInto('brands').values({ name, commodity: 'COFFEE', fee_pct: '5.00' }).returningAll().executeTakeFirstOrThrow();
}

/** Insert a grade scheme version with its grades; version defaults to the next one. */
export async function insertScheme(
  db: Kysely<DB>,
  productId: number,
  grades: readonly GradeDefinition[],
  opts: { version?: number; preset?: string | null } = {},
): Promise<{ scheme: Row<'grade_schemes'>; grades: Row<'grades'>[] }> {
  const version =
    opts.version ??
    ((await db.selectFrom('grade_schemes').select((eb) => eb.fn.max('version').as('v')).where('product_id', '=', productId).executeTakeFirst())
      ?.v ?? 0) + 1;
  const scheme = await db
    .insertInto('grade_schemes')
    .values({ product_id: productId, version, preset: opts.preset ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
  const rows = await db
    .insertInto('grades')
    .values(grades.map((g) => ({
      scheme_id: scheme.id, code: g.code, label: g.label, rank: g.rank,
      max_defect: g.maxDefectValue, max_moisture: g.maxMoisturePct, min_cupping: g.minCuppingScore,
    })))
    .returningAll()
    .execute();
  return { scheme, grades: rows };
}

export async function insertProduct(
  db: Kysely<DB>,
  brandId: number,
  opts: { species?: 'ARABICA' | 'ROBUSTA'; process?: Row<'products'>['process']; name?: string; withScheme?: boolean } = {},
): Promise<Row<'products'>> {
  const species = opts.species ?? 'ARABICA';
  const product = await db
    .insertInto('products')
    .values({
      brand_id: brandId, name: opts.name ?? unique('Green bean'), commodity: 'COFFEE', species,
      process: opts.process ?? 'WASHED', form: 'GREEN',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (opts.withScheme !== false) {
    const preset = species === 'ARABICA' ? SNI_ARABICA_PRESET : SNI_ROBUSTA_PRESET;
    await insertScheme(db, product.id, preset.grades, { version: 1, preset: preset.code });
  }
  return product;
}

export async function insertCooperative(db: Kysely<DB>, regency = 'Bondowoso'): Promise<Row<'cooperatives'>> {
  return db.insertInto('cooperatives').values({ name: unique('Koperasi'), regency }).returningAll().executeTakeFirstOrThrow();
}

export async function insertProducer(
  db: Kysely<DB>,
  opts: { cooperativeId?: number | null; regency?: string; userId?: number | null; name?: string } = {},
): Promise<Row<'producers'>> {
  return db
    .insertInto('producers')
    .values({
      cooperative_id: opts.cooperativeId ?? null, user_id: opts.userId ?? null, display_name: opts.name ?? unique('Pak Tani'),
      village: 'Sukorejo', district: 'Sumberwringin', regency: opts.regency ?? 'Bondowoso',
      contact_phone: '+62 812 0000 0000',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMembership(
  db: Kysely<DB>,
  producerId: number,
  brandId: number,
  status: MembershipStatus = 'APPROVED',
): Promise<Row<'memberships'>> {
  return db.insertInto('memberships').values({ producer_id: producerId, brand_id: brandId, status }).returningAll().executeTakeFirstOrThrow();
}

export async function insertPlot(
  db: Kysely<DB>,
  producerId: number,
  opts: { name?: string; areaHa?: string; eudrReady?: boolean; geometry?: unknown } = {},
): Promise<Row<'plots'>> {
  return db
    .insertInto('plots')
    .values({
      producer_id: producerId, name: opts.name ?? unique('Kebun'), area_ha: opts.areaHa ?? '1.5000', altitude_m: 1200,
      geometry: JSON.stringify(opts.geometry ?? POINT), computed_area_ha: null, eudr_ready: opts.eudrReady ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Insert a lot (and its lot_plots) directly: no validation, no provenance event. */
export async function insertLot(
  db: Kysely<DB>,
  opts: {
    producer: Row<'producers'>; product: Row<'products'>; plotIds: number[]; netG?: number; allocatedG?: number;
    grade?: { code: string; rank: number } | null; offGrade?: boolean; harvestStart?: string; harvestEnd?: string;
  },
): Promise<Row<'lots'>> {
  const lot = await db
    .insertInto('lots')
    .values({
      producer_id: opts.producer.id, product_id: opts.product.id, brand_id: opts.product.brand_id, regency: opts.producer.regency,
      harvest_start: opts.harvestStart ?? '2026-06-01', harvest_end: opts.harvestEnd ?? '2026-08-31', process: opts.product.process,
      net_g: opts.netG ?? 6_000_000, allocated_g: opts.allocatedG ?? 0, storage_location: 'Gudang koperasi',
      eudr_ready: true, grade_code: opts.grade?.code ?? null, grade_rank: opts.grade?.rank ?? null, off_grade: opts.offGrade ?? false,
      latest_assessment_id: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (opts.plotIds.length > 0) {
    await db.insertInto('lot_plots').values(opts.plotIds.map((plot_id) => ({ lot_id: lot.id, plot_id }))).execute();
  }
  return lot;
}

/** Insert a commitment directly (minimum grade by code/rank given as-is). */
export async function insertCommitment(
  db: Kysely<DB>,
  opts: {
    producer: Row<'producers'>; product: Row<'products'>; committedG?: number; allocatedG?: number;
    minGrade?: { code: string; rank: number }; windowStart?: string; windowEnd?: string; status?: 'OPEN' | 'WITHDRAWN';
    eudrReady?: boolean;
  },
): Promise<Row<'commitments'>> {
  return db
    .insertInto('commitments')
    .values({
      producer_id: opts.producer.id, product_id: opts.product.id, brand_id: opts.product.brand_id, regency: opts.producer.regency,
      min_grade_code: opts.minGrade?.code ?? '3', min_grade_rank: opts.minGrade?.rank ?? 3, committed_g: opts.committedG ?? 12_000_000,
      allocated_g: opts.allocatedG ?? 0, window_start: opts.windowStart ?? '2027-05-01', window_end: opts.windowEnd ?? '2027-09-30',
      status: opts.status ?? 'OPEN', eudr_ready: opts.eudrReady ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface Actor { id: number; token: string }
export interface SupplyWorld {
  brand: Row<'brands'>;
  product: Row<'products'>;
  coop: Row<'cooperatives'>;
  /** Approved member of `brand`, in `coop`, with a login. */
  producer: Row<'producers'>;
  /** Another approved member of `brand`, in `otherCoop`. */
  otherProducer: Row<'producers'>;
  otherCoop: Row<'cooperatives'>;
  otherBrand: Row<'brands'>;
  otherProduct: Row<'products'>;
  as: {
    admin: Actor; producer: Actor; otherProducer: Actor; coopManager: Actor; otherCoopManager: Actor;
    brandManager: Actor; curator: Actor; otherBrandCurator: Actor; otherBrandManager: Actor; buyer: Actor;
  };
}

/**
 * A brand with an SNI Arabica product, two cooperatives with one approved producer each, a second
 * brand, and a user per role (each with a token).
 */
export async function createSupplyWorld(t: TestApp): Promise<SupplyWorld> {
  const db = t.database.db;
  const brand = await insertBrand(db);
  const otherBrand = await insertBrand(db);
  const product = await insertProduct(db, brand.id);
  const otherProduct = await insertProduct(db, otherBrand.id);
  const coop = await insertCooperative(db, 'Bondowoso');
  const otherCoop = await insertCooperative(db, 'Jember');
  const producer = await insertProducer(db, { cooperativeId: coop.id, regency: 'Bondowoso' });
  const otherProducer = await insertProducer(db, { cooperativeId: otherCoop.id, regency: 'Jember' });
  await insertMembership(db, producer.id, brand.id);
  await insertMembership(db, otherProducer.id, brand.id);
  const buyerOrg = await db.insertInto('buyer_orgs').values({ name: unique('Roaster'), country: 'EG' }).returningAll().executeTakeFirstOrThrow();
  const producerUser = await createUser(t, [['PRODUCER', producer.id]]);
  const otherProducerUser = await createUser(t, [['PRODUCER', otherProducer.id]]);
  await db.updateTable('producers').set({ user_id: producerUser.id }).where('id', '=', producer.id).execute();
  await db.updateTable('producers').set({ user_id: otherProducerUser.id }).where('id', '=', otherProducer.id).execute();
  return {
    brand, product, coop, producer: { ...producer, user_id: producerUser.id }, otherProducer: { ...otherProducer, user_id: otherProducerUser.id },
    otherCoop, otherBrand, otherProduct,
    as: {
      admin: await createUser(t, [['ADMIN']]),
      producer: producerUser,
      otherProducer: otherProducerUser,
      coopManager: await createUser(t, [['COOP_MANAGER', coop.id]]),
      otherCoopManager: await createUser(t, [['COOP_MANAGER', otherCoop.id]]),
      brandManager: await createUser(t, [['BRAND_MANAGER', brand.id]]),
      curator: await createUser(t, [['CURATOR', brand.id]]),
      otherBrandCurator: await createUser(t, [['CURATOR', otherBrand.id]]),
      otherBrandManager: await createUser(t, [['BRAND_MANAGER', otherBrand.id]]),
      buyer: await createUser(t, [['BUYER', buyerOrg.id]]),
    },
  };
}

/** Count rows of a table (to assert that nothing was written). */
export async function countRows(db: Kysely<DB>, table: keyof DB): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Row counts of every supply table, for before/after comparisons. */
export async function supplyCounts(db: Kysely<DB>) {
  const tables = ['plots', 'lots', 'lot_plots', 'assessments', 'commitments', 'provenance_events'] as const;
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = await countRows(db, table);
  return out;
}

export { globalId as gid } from '../../src/platform/graphql/ids.js';

/** A GraphQL fragment selecting the typed error members of a mutation result union. */
export const ERROR_FIELDS = /* GraphQL */ `
  ... on Error { code message }
  ... on ValidationError { issues { path message } }
  ... on NotFoundError { path }
`;
