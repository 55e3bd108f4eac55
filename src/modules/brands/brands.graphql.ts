import { Decimal } from 'decimal.js';
import type { Context } from '../../platform/graphql/context.js';
import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { BrandRef, GradeSchemeRef, ProductRef } from '../refs.js';
import type { Strategy } from '../allocation/engine.js';
import * as repo from './brands.repo.js';
import * as brands from './brands.service.js';
import { childPage } from '../../platform/graphql/loaders.js';

/** numeric text → shortest exact decimal ("7.50" → "7.5", "11.00" → "11"). */
const plain = (value: string) => new Decimal(value).toFixed();

export const AllocationStrategyEnum = builder.enumType('AllocationStrategy', {
  description: 'How an accepted order is split among the brand\'s members.',
  values: {
    PRO_RATA: { description: 'In proportion to each producer\'s eligible supply.' },
    QUALITY_FIRST: { description: 'Best grades first.' },
    OLDEST_FIRST: { description: 'Oldest lots and earliest commitments first.' },
    FEWEST_CONTRIBUTORS: { description: 'As few producers as possible (largest supplies first).' },
  } as const satisfies Record<Strategy, unknown>,
});

export const SpeciesEnum = builder.enumType('Species', {
  description: 'Coffee species.',
  values: { ARABICA: { description: 'Coffea arabica.' }, ROBUSTA: { description: 'Coffea canephora (Robusta).' } } as const,
});

export const CoffeeProcessEnum = builder.enumType('CoffeeProcess', {
  description: 'Post-harvest process.',
  values: {
    WASHED: { description: 'Fully washed.' },
    NATURAL: { description: 'Natural (dried in the cherry).' },
    HONEY: { description: 'Honey (pulped, dried with mucilage).' },
    WET_HULLED: { description: 'Wet-hulled (giling basah).' },
  } as const,
});

/** Alias: the same enum, for modules that say "process" (lots). */
export const ProcessEnum = CoffeeProcessEnum;

export const ProductFormEnum = builder.enumType('ProductForm', {
  description: 'The form the coffee is traded in.',
  values: { CHERRY: { description: 'Cherry.' }, PARCHMENT: { description: 'Parchment (gabah).' }, GREEN: { description: 'Green bean.' } } as const,
});

export const GradeSchemePresetEnum = builder.enumType('GradeSchemePreset', {
  description: 'A built-in grade scheme.',
  values: {
    SNI_ARABICA: { description: 'SNI 01-2907-2008 Arabica: grades 1, 2, 3, 4 (defect value 45–80), 5, 6.' },
    SNI_ROBUSTA: { description: 'SNI 01-2907-2008 Robusta: grades 1, 2, 3, 4a (45–60), 4b (61–80), 5, 6.' },
  } as const,
});

const GradeObject = builder.objectRef<repo.GradeRow>('Grade').implement({
  description: 'One grade of a scheme with its criteria; a lot gets the best grade whose every criterion it meets.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. "1" or "4a".' }),
    label: t.exposeString('label', { description: 'Name shown to people, e.g. "Mutu 1".' }),
    rank: t.exposeInt('rank', { description: '1 is the best grade; ranks are 1..n without gaps.' }),
    maxDefectValue: t.field({ type: 'Decimal', description: 'Maximum total defect value per 300 g (inclusive).', resolve: (g) => plain(g.max_defect) }),
    maxMoisturePct: t.field({ type: 'Decimal', description: 'Maximum moisture in % (inclusive).', resolve: (g) => plain(g.max_moisture) }),
    minCuppingScore: t.field({
      type: 'Decimal',
      nullable: true,
      description: 'Minimum SCA cupping score (inclusive); null when the grade needs no cupping.',
      resolve: (g) => (g.min_cupping === null ? null : plain(g.min_cupping)),
    }),
  }),
});

BrandRef.implement({
  description: 'A communal brand, e.g. "Java Ijen-Raung Arabica": its products, grade schemes and member producers.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Brand name (unique).' }),
    commodity: t.exposeString('commodity', { description: 'The commodity, e.g. "coffee".' }),
    feePct: t.field({ type: 'Decimal', description: 'Brand fee in % of order revenue, snapshotted when an order is accepted.', resolve: (b) => plain(b.fee_pct) }),
    defaultStrategy: t.field({
      type: AllocationStrategyEnum,
      description: 'Allocation strategy used when an order does not choose one.',
      resolve: (b) => b.default_strategy as Strategy,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the brand was created.' }),
    products: t.connection({
      type: ProductRef,
      description: 'Products of the brand.',
      complexity: connectionComplexity,
      resolve: (brand, args, ctx) =>
        resolveKeysetConnection(args, (page) =>
          childPage(ctx, `Brand.products:${JSON.stringify(page)}`, (ids) => repo.productsPerBrand(ctx.db, ids, page)).load(brand.id),
        ),
    }),
  }),
});

ProductRef.implement({
  description: 'A tradeable form of a commodity under a brand, e.g. "Arabica green bean, fully washed".',
  authScopes: { authenticated: true },
  fields: (t) => ({
    brand: t.field({ type: BrandRef, description: 'The brand it is sold under.', resolve: (p) => String(p.brand_id) }),
    name: t.exposeString('name', { description: 'Product name.' }),
    commodity: t.exposeString('commodity', { description: 'The commodity, e.g. "coffee".' }),
    species: t.field({ type: SpeciesEnum, description: 'Coffee species.', resolve: (p) => p.species }),
    process: t.field({ type: CoffeeProcessEnum, description: 'Post-harvest process.', resolve: (p) => p.process }),
    form: t.field({ type: ProductFormEnum, description: 'Cherry, parchment or green bean.', resolve: (p) => p.form }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the product was created.' }),
    currentGradeScheme: t.loadable({
      type: GradeSchemeRef,
      description: 'The grade scheme new assessments use (the latest version).',
      load: async (productIds: number[], ctx: Context) => {
        const rows = await repo.latestSchemes(ctx.db, productIds);
        return productIds.map((id) => rows.find((r) => r.product_id === id) ?? new Error(`Product ${id} has no grade scheme`));
      },
      resolve: (p) => p.id,
    }),
    gradeSchemes: t.loadableList({
      type: GradeSchemeRef,
      description: 'Every version of the product\'s grade scheme, oldest first. Versions are never edited.',
      load: async (productIds: number[], ctx: Context) => {
        const rows = await repo.schemesOfProducts(ctx.db, productIds);
        return productIds.map((id) => rows.filter((r) => r.product_id === id));
      },
      resolve: (p) => p.id,
    }),
  }),
});

/** A grade of a product's scheme, as lots, assessments and commitments refer to it. */
export const GradeLevelRef = builder.objectRef<{ code: string; rank: number }>('GradeLevel').implement({
  description: 'A grade of a product\'s grade scheme, by code and rank (1 = best).',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Grade code, e.g. "1", "4a", "SPECIALTY".' }),
    rank: t.exposeInt('rank', { description: 'Rank within the scheme; 1 is the best.' }),
  }),
});

GradeSchemeRef.implement({
  description: 'One immutable version of a product\'s grade scheme.',
  authScopes: { authenticated: true },
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product it grades.', resolve: (s) => String(s.product_id) }),
    version: t.exposeInt('version', { description: 'Version number, from 1.' }),
    preset: t.field({
      type: GradeSchemePresetEnum,
      nullable: true,
      description: 'The built-in scheme it was created from; null for a custom scheme.',
      resolve: (s) => s.preset as brands.PresetCode | null,
    }),
    grades: t.loadableList({
      type: GradeObject,
      description: 'The grades, best (rank 1) first.',
      load: async (schemeIds: number[], ctx: Context) => {
        const rows = await repo.gradesOfSchemes(ctx.db, schemeIds);
        return schemeIds.map((id) => rows.filter((r) => r.scheme_id === id));
      },
      resolve: (s) => s.id,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When this version was created.' }),
  }),
});

// Inputs ---------------------------------------------------------------------------------------

const GradeInput = builder.inputType('GradeInput', {
  description: 'One grade of a custom scheme.',
  fields: (t) => ({
    code: t.string({ description: 'Stable code: 1–32 letters, digits, "_" or "-", e.g. "1" or "SPECIALTY".' }),
    label: t.string({ description: 'Name shown to people.' }),
    rank: t.int({ description: '1 is the best; the ranks of a scheme are 1..n without gaps.' }),
    maxDefectValue: t.field({ type: 'Decimal', description: 'Maximum defect value per 300 g; a worse grade may not allow less.' }),
    maxMoisturePct: t.field({ type: 'Decimal', description: 'Maximum moisture in % (0–100).' }),
    minCuppingScore: t.field({ type: 'Decimal', required: false, description: 'Minimum SCA cupping score (0–100), if any.' }),
  }),
});

const GradeSchemeInput = builder.inputType('GradeSchemeInput', {
  description: 'A grade scheme: either a preset or a custom list of grades.',
  fields: (t) => ({
    preset: t.field({ type: GradeSchemePresetEnum, required: false, description: 'A built-in scheme matching the product\'s species.' }),
    grades: t.field({ type: [GradeInput], required: false, description: 'A custom list of grades.' }),
  }),
});

const CreateBrandInput = builder.inputType('CreateBrandInput', {
  description: 'A new communal brand.',
  fields: (t) => ({
    name: t.string({ description: 'Brand name (unique, 1–200 characters).' }),
    commodity: t.string({ description: 'The commodity, e.g. "coffee".' }),
    feePct: t.field({ type: 'Decimal', description: 'Brand fee in % (0–100, at most 2 decimals).' }),
    defaultStrategy: t.field({ type: AllocationStrategyEnum, required: false, description: 'Default allocation strategy (PRO_RATA if omitted).' }),
  }),
});

const UpdateBrandInput = builder.inputType('UpdateBrandInput', {
  description: 'Changes to a brand; omitted fields stay.',
  fields: (t) => ({
    brandId: t.id({ description: 'The brand.' }),
    name: t.string({ required: false, description: 'New name.' }),
    feePct: t.field({ type: 'Decimal', required: false, description: 'New fee in % (0–100, at most 2 decimals).' }),
    defaultStrategy: t.field({ type: AllocationStrategyEnum, required: false, description: 'New default allocation strategy.' }),
  }),
});

const CreateProductInput = builder.inputType('CreateProductInput', {
  description: 'A new product of a brand with its first grade scheme.',
  fields: (t) => ({
    brandId: t.id({ description: 'The brand.' }),
    name: t.string({ description: 'Product name (1–200 characters).' }),
    commodity: t.string({ description: 'The commodity, e.g. "coffee".' }),
    species: t.field({ type: SpeciesEnum, description: 'Coffee species.' }),
    process: t.field({ type: CoffeeProcessEnum, description: 'Post-harvest process.' }),
    form: t.field({ type: ProductFormEnum, description: 'Cherry, parchment or green bean.' }),
    gradeScheme: t.field({ type: GradeSchemeInput, description: 'Grade scheme version 1.' }),
  }),
});

const SetGradeSchemeInput = builder.inputType('SetGradeSchemeInput', {
  description: 'A new version of a product\'s grade scheme: either a preset or a custom list of grades.',
  fields: (t) => ({
    productId: t.id({ description: 'The product.' }),
    preset: t.field({ type: GradeSchemePresetEnum, required: false, description: 'A built-in scheme matching the product\'s species.' }),
    grades: t.field({ type: [GradeInput], required: false, description: 'A custom list of grades.' }),
  }),
});

// Root fields ----------------------------------------------------------------------------------

builder.queryFields((t) => ({
  brands: t.connection({
    type: BrandRef,
    description: 'All communal brands.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => resolveKeysetConnection(args, (page) => brands.listBrands(ctx.db, ctx.principal, page)),
  }),
  brand: t.field({
    type: BrandRef,
    nullable: true,
    description: 'A brand by ID; null when unknown.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Brand ID.' }) },
    resolve: async (_root, args, ctx) => (await repo.findBrand(ctx.db, decodeId(args.id, 'Brand', 'id'))) ?? null,
  }),
}));

builder.mutationFields((t) => ({
  createBrand: t.field({
    type: BrandRef,
    description: 'Create a communal brand (admin). Appoint its managers and curators with grantRole.',
    authScopes: { admin: true },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: CreateBrandInput, required: true }) },
    resolve: (_root, { input }, ctx) => brands.createBrand(ctx.db, ctx.principal, input),
  }),
  updateBrand: t.field({
    type: BrandRef,
    description: 'Change a brand\'s name, fee or default allocation strategy (its manager or an admin).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [ConflictError, ...commonErrors] },
    args: { input: t.arg({ type: UpdateBrandInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { brandId, ...rest } = input;
      return brands.updateBrand(ctx.db, ctx.principal, decodeId(brandId, 'Brand', 'input.brandId'), rest);
    },
  }),
  createProduct: t.field({
    type: ProductRef,
    description: 'Create a product of a brand with grade scheme version 1 (the brand\'s manager or an admin).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: CreateProductInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { brandId, ...rest } = input;
      return brands.createProduct(ctx.db, ctx.principal, decodeId(brandId, 'Brand', 'input.brandId'), rest);
    },
  }),
  setGradeScheme: t.field({
    type: GradeSchemeRef,
    description: 'Add a new version of a product\'s grade scheme (the brand\'s manager or an admin); earlier versions stay.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: SetGradeSchemeInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { productId, ...rest } = input;
      return brands.setGradeScheme(ctx.db, ctx.principal, decodeId(productId, 'Product', 'input.productId'), rest);
    },
  }),
}));
