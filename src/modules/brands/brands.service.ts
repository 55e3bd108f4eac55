import { Decimal } from 'decimal.js';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB, Db } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, type Issue, issueAt, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { isUniqueViolation } from '../../platform/sql.js';
import { parseInput, zm } from '../../platform/validate.js';
import { STRATEGIES, type Strategy } from '../allocation/engine.js';
import { type GradeDefinition, SNI_ARABICA_PRESET, SNI_ROBUSTA_PRESET, validateScheme } from '../grading/sni.js';
import * as repo from './brands.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES } from '../../platform/issue-messages.js';

export const SPECIES = ['ARABICA', 'ROBUSTA'] as const;
export const PROCESSES = ['WASHED', 'NATURAL', 'HONEY', 'WET_HULLED'] as const;
export const FORMS = ['CHERRY', 'PARCHMENT', 'GREEN'] as const;
export const PRESETS = { SNI_ARABICA: SNI_ARABICA_PRESET, SNI_ROBUSTA: SNI_ROBUSTA_PRESET } as const;
export type PresetCode = keyof typeof PRESETS;
/** Which species each preset grades (SNI: Arabica has one grade 4, Robusta splits 4a/4b). */
const PRESET_SPECIES: Record<PresetCode, (typeof SPECIES)[number]> = { SNI_ARABICA: 'ARABICA', SNI_ROBUSTA: 'ROBUSTA' };

/** The brand manager of `brandId` or an admin. */
export const managesBrand = (actor: Principal | null, brandId: number) =>
  isAdmin(actor) || hasRole(actor, 'BRAND_MANAGER', brandId);

// Validation -----------------------------------------------------------------------------------

const name = z.string().trim().min(1, zm(ISSUES.notEmpty)).max(200, zm(ISSUES.maxChars({ max: 200 })));
const commodity = z.string().trim().min(1, zm(ISSUES.notEmpty)).max(100, zm(ISSUES.maxChars({ max: 100 })));
const feePct = z
  .string()
  .trim()
  .regex(/^\d{1,3}(\.\d{1,2})?$/, zm({ en: 'must be a percentage with at most 2 decimals, e.g. "7.5"', id: 'harus persentase dengan paling banyak 2 angka desimal, misalnya "7.5"' }))
  .refine((v) => new Decimal(v).lte(100), zm(ISSUES.between({ min: 0, max: 100 })));
const strategy = z.enum(STRATEGIES as unknown as [Strategy, ...Strategy[]]);

const CreateBrandInput = z.object({ name, commodity, feePct, defaultStrategy: strategy.nullish() });
const UpdateBrandInput = z.object({ name: name.nullish(), feePct: feePct.nullish(), defaultStrategy: strategy.nullish() });
const CreateProductInput = z.object({
  name,
  commodity,
  species: z.enum(SPECIES),
  process: z.enum(PROCESSES),
  form: z.enum(FORMS),
});

export interface GradeInput {
  code: string;
  label: string;
  rank: number;
  maxDefectValue: string;
  maxMoisturePct: string;
  minCuppingScore?: string | null | undefined;
}
export interface SchemeInput {
  preset?: PresetCode | null | undefined;
  grades?: readonly GradeInput[] | null | undefined;
}

/** numeric(8,2): the largest defect limit the grades table stores. */
const MAX_DEFECT_LIMIT = new Decimal('999999.99');

/**
 * A preset or a custom grade list, checked with `validateScheme` (contiguous ranks 1..n, unique
 * codes, a better grade never allows more defects). Issue paths are `<path>.grades.N.field`.
 */
export function resolveScheme(
  input: SchemeInput,
  species: (typeof SPECIES)[number],
  path: string,
): { preset: PresetCode | null; grades: GradeDefinition[] } {
  const hasPreset = input.preset !== null && input.preset !== undefined;
  const hasGrades = input.grades !== null && input.grades !== undefined;
  if (hasPreset === hasGrades) throw ValidationError.field(path, { en: 'give either a preset or a list of grades, not both', id: 'isi salah satu saja: preset atau daftar mutu' });
  if (hasPreset) {
    const preset = input.preset as PresetCode;
    if (!(preset in PRESETS)) throw ValidationError.field(`${path}.preset`, { en: `unknown preset ${String(preset)}`, id: `preset ${String(preset)} tidak dikenal` });
    if (PRESET_SPECIES[preset] !== species) {
      throw ValidationError.field(`${path}.preset`, {
        en: `${preset} grades ${PRESET_SPECIES[preset].toLowerCase()}, the product is ${species.toLowerCase()}`,
        id: `${preset} untuk kopi ${PRESET_SPECIES[preset].toLowerCase()}, sedangkan produk ini ${species.toLowerCase()}`,
      });
    }
    return { preset, grades: PRESETS[preset].grades.map((g) => ({ ...g })) };
  }
  const grades: GradeDefinition[] = (input.grades as readonly GradeInput[]).map((g) => ({
    code: typeof g.code === 'string' ? g.code.trim() : g.code,
    label: typeof g.label === 'string' ? g.label.trim() : g.label,
    rank: g.rank,
    maxDefectValue: g.maxDefectValue,
    maxMoisturePct: g.maxMoisturePct,
    minCuppingScore: g.minCuppingScore ?? null,
  }));
  const issues: Issue[] = validateScheme(grades).map((i) => issueAt(`${path}.${i.path}`, i.text));
  grades.forEach((g, i) => {
    if (/^\d+(\.\d+)?$/.test(g.maxDefectValue) && new Decimal(g.maxDefectValue).gt(MAX_DEFECT_LIMIT)) {
      issues.push(issueAt(`${path}.grades.${i}.maxDefectValue`, ISSUES.atMost({ max: MAX_DEFECT_LIMIT.toString() })));
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return { preset: null, grades };
}

// Brands ---------------------------------------------------------------------------------------

/** Create a brand (admin). Managers and curators are then appointed with grantRole. */
export async function createBrand(
  db: Kysely<DB>,
  actor: Principal | null,
  input: { name: string; commodity: string; feePct: string; defaultStrategy?: Strategy | null },
) {
  if (!isAdmin(requirePrincipal(actor))) throw new ForbiddenError('Only an admin creates brands');
  const parsed = parseInput(CreateBrandInput, input);
  if (await repo.findBrandByName(db, parsed.name)) throw new ConflictError('A brand with this name exists', 'input.name');
  try {
    return await repo.insertBrand(db, {
      name: parsed.name,
      commodity: parsed.commodity,
      fee_pct: parsed.feePct,
      ...(parsed.defaultStrategy ? { default_strategy: parsed.defaultStrategy } : {}),
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError('A brand with this name exists', 'input.name');
    throw e;
  }
}

/** Change a brand's name, fee or default allocation strategy (its manager or an admin). */
export async function updateBrand(
  db: Kysely<DB>,
  actor: Principal | null,
  brandId: number,
  input: { name?: string | null; feePct?: string | null; defaultStrategy?: Strategy | null },
) {
  requirePrincipal(actor);
  if (!(await repo.findBrand(db, brandId))) throw new NotFoundError('Brand', 'input.brandId');
  if (!managesBrand(actor, brandId)) throw new ForbiddenError('Only the manager of this brand or an admin may change it');
  const parsed = parseInput(UpdateBrandInput, input);
  if (parsed.name && (await repo.findBrandByName(db, parsed.name, brandId))) {
    throw new ConflictError('A brand with this name exists', 'input.name');
  }
  const patch = {
    ...(parsed.name ? { name: parsed.name } : {}),
    ...(parsed.feePct ? { fee_pct: parsed.feePct } : {}),
    ...(parsed.defaultStrategy ? { default_strategy: parsed.defaultStrategy } : {}),
  };
  if (Object.keys(patch).length === 0) throw ValidationError.field('input', ISSUES.nothingToChange({ fields: 'name, feePct, defaultStrategy' }));
  try {
    return await repo.updateBrand(db, brandId, patch);
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError('A brand with this name exists', 'input.name');
    throw e;
  }
}

/** Brands are public to every signed-in user (name, commodity, fee). */
export async function listBrands(db: Kysely<DB>, actor: Principal | null, page: KeysetPage) {
  requirePrincipal(actor);
  return repo.listBrands(db, page);
}

// Products and grade schemes -------------------------------------------------------------------

async function insertSchemeVersion(
  trx: Transaction<DB>,
  productId: number,
  version: number,
  scheme: { preset: PresetCode | null; grades: GradeDefinition[] },
  actorUserId: number,
) {
  const row = await repo.insertScheme(trx, { product_id: productId, version, preset: scheme.preset, created_by: actorUserId });
  await repo.insertGrades(
    trx,
    scheme.grades.map((g) => ({
      scheme_id: row.id,
      code: g.code,
      label: g.label,
      rank: g.rank,
      max_defect: g.maxDefectValue,
      max_moisture: g.maxMoisturePct,
      min_cupping: g.minCuppingScore,
    })),
  );
  return row;
}

/** Create a product of a brand with its grade scheme version 1 (the brand's manager or an admin). */
export async function createProduct(
  db: Kysely<DB>,
  actor: Principal | null,
  brandId: number,
  input: { name: string; commodity: string; species: string; process: string; form: string; gradeScheme: SchemeInput },
) {
  const principal = requirePrincipal(actor);
  if (!(await repo.findBrand(db, brandId))) throw new NotFoundError('Brand', 'input.brandId');
  if (!managesBrand(principal, brandId)) throw new ForbiddenError('Only the manager of this brand or an admin adds products');
  const parsed = parseInput(CreateProductInput, input);
  const scheme = resolveScheme(input.gradeScheme, parsed.species, 'input.gradeScheme');
  return inTransaction(db, async (trx) => {
    const product = await repo.insertProduct(trx, { brand_id: brandId, ...parsed });
    await insertSchemeVersion(trx, product.id, 1, scheme, principal.userId);
    return product;
  });
}

/**
 * Give a product a new grade scheme version. Versions are never edited: assessments keep the
 * scheme they were graded under, and new assessments use the latest version.
 */
export async function setGradeScheme(db: Kysely<DB>, actor: Principal | null, productId: number, input: SchemeInput) {
  const principal = requirePrincipal(actor);
  const product = await repo.findProduct(db, productId);
  if (!product) throw new NotFoundError('Product', 'input.productId');
  if (!managesBrand(principal, product.brand_id)) {
    throw new ForbiddenError('Only the manager of this brand or an admin changes its grade schemes');
  }
  const scheme = resolveScheme(input, product.species, 'input');
  return inTransaction(db, async (trx) => {
    // Serialise versions of one product: lock the product row, then take max + 1.
    await repo.lockProduct(trx, productId);
    const version = (await repo.maxSchemeVersion(trx, productId)) + 1;
    return insertSchemeVersion(trx, productId, version, scheme, principal.userId);
  });
}

// Scheme lookups for other modules -------------------------------------------------------------

export const gradeRowToDefinition = (g: repo.GradeRow): GradeDefinition => ({
  code: g.code,
  label: g.label,
  rank: g.rank,
  maxDefectValue: g.max_defect,
  maxMoisturePct: g.max_moisture,
  minCuppingScore: g.min_cupping,
});

export interface CurrentScheme {
  /** grade_schemes.id: store it with anything graded under this version. */
  id: number;
  productId: number;
  version: number;
  preset: string | null;
  createdAt: Date;
  /** Best (rank 1) first; fits grading/sni.ts `GradeSchemeLike`. */
  grades: GradeDefinition[];
}

/** The latest scheme version of each product with its grades, in two queries. */
export async function currentSchemes(db: Db, productIds: readonly number[]): Promise<Map<number, CurrentScheme>> {
  const schemes = await repo.latestSchemes(db, [...new Set(productIds)]);
  const grades = await repo.gradesOfSchemes(db, schemes.map((s) => s.id));
  const result = new Map<number, CurrentScheme>();
  for (const s of schemes) {
    result.set(s.product_id, {
      id: s.id,
      productId: s.product_id,
      version: s.version,
      preset: s.preset,
      createdAt: s.created_at,
      grades: grades.filter((g) => g.scheme_id === s.id).map(gradeRowToDefinition),
    });
  }
  return result;
}

/** The latest scheme version of a product with its grades; null for an unknown product. */
export async function currentScheme(db: Db, productId: number): Promise<CurrentScheme | null> {
  return (await currentSchemes(db, [productId])).get(productId) ?? null;
}

/**
 * A product's brand and the grades of its current scheme (best first; empty without a scheme), in
 * one statement; null for an unknown product. For reads that need only the grades (availability).
 */
export async function productGrades(
  db: Db,
  productId: number,
): Promise<{ id: number; brandId: number; grades: Array<{ code: string; rank: number; label: string }> } | null> {
  const rows = await repo.productWithCurrentGrades(db, productId);
  const first = rows[0];
  if (!first) return null;
  const grades = rows.flatMap((r) => (r.code !== null && r.rank !== null && r.label !== null ? [{ code: r.code, rank: r.rank, label: r.label }] : []));
  return { id: first.id, brandId: first.brand_id, grades };
}

/** A grade of the product's current scheme by code (exact, case-sensitive), or null. */
export async function gradeByCode(
  db: Db,
  productId: number,
  code: string,
): Promise<{ rank: number; code: string; label: string; schemeId: number } | null> {
  const scheme = await currentScheme(db, productId);
  const grade = scheme?.grades.find((g) => g.code === code);
  return scheme && grade ? { rank: grade.rank, code: grade.code, label: grade.label, schemeId: scheme.id } : null;
}

/**
 * Like gradeByCode, but a code the scheme does not have is a ValidationError naming `path`
 * (and listing the codes it does have). Unknown product → NotFoundError('Product', productPath).
 */
export async function requireGrade(db: Db, productId: number, code: string, path: string, productPath = 'input.productId') {
  const scheme = await currentScheme(db, productId);
  if (!scheme) throw new NotFoundError('Product', productPath);
  const grade = scheme.grades.find((g) => g.code === code);
  if (!grade) {
    const codes = scheme.grades.map((g) => g.code).join(', ');
    throw ValidationError.field(path, {
      en: `grade '${code}' is not in the product's grade scheme (grades: ${codes})`,
      id: `mutu '${code}' tidak ada dalam skema mutu produk ini (mutu yang ada: ${codes})`,
    });
  }
  return { rank: grade.rank, code: grade.code, label: grade.label, schemeId: scheme.id };
}
