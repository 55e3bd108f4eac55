import { builder } from '../../platform/graphql/builder.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { ProducerRef, ProductRef } from '../refs.js';
import * as availability from './availability.service.js';

const AvailabilityGradeRef = builder.objectRef<availability.GradeLevel>('AvailabilityGrade').implement({
  description: 'A grade of the product\'s current grade scheme.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Grade code, e.g. "1", "4a", "SPECIALTY".' }),
    rank: t.exposeInt('rank', { description: 'Rank in the scheme; 1 is the best.' }),
    label: t.exposeString('label', { description: 'Human-readable label.' }),
  }),
});

type ByGrade = availability.Availability['byGrade'][number];
type ByRegency = availability.Availability['byRegency'][number];

const AvailabilityByGradeRef = builder.objectRef<ByGrade>('AvailabilityByGrade').implement({
  description: 'Supply at one grade: spot lots graded at it, forward commitments promising at least it.',
  fields: (t) => ({
    grade: t.field({ type: AvailabilityGradeRef, description: 'The grade.', resolve: (r) => r.grade }),
    spotWeight: t.field({ type: 'Weight', description: 'Unallocated weight of lots graded at this grade.', resolve: (r) => r.spotG }),
    forwardWeight: t.field({ type: 'Weight', description: 'Unallocated weight of open commitments promising this grade.', resolve: (r) => r.forwardG }),
    totalWeight: t.field({ type: 'Weight', description: 'Spot plus forward.', resolve: (r) => r.spotG + r.forwardG }),
    contributorCount: t.exposeInt('contributorCount', { description: 'Distinct producers contributing at this grade.' }),
  }),
});

const AvailabilityByRegencyRef = builder.objectRef<ByRegency>('AvailabilityByRegency').implement({
  description: 'Supply from one regency (kabupaten).',
  fields: (t) => ({
    regency: t.exposeString('regency', { description: 'Regency of production, e.g. "Bondowoso".' }),
    spotWeight: t.field({ type: 'Weight', description: 'Unallocated weight of graded lots from this regency.', resolve: (r) => r.spotG }),
    forwardWeight: t.field({ type: 'Weight', description: 'Unallocated weight of open commitments from this regency.', resolve: (r) => r.forwardG }),
    totalWeight: t.field({ type: 'Weight', description: 'Spot plus forward.', resolve: (r) => r.spotG + r.forwardG }),
    contributorCount: t.exposeInt('contributorCount', { description: 'Distinct producers contributing from this regency.' }),
  }),
});

const AvailabilityContributorRef = builder.objectRef<availability.AvailabilityContributor>('AvailabilityContributor').implement({
  description: 'One producer behind an availability answer (brand managers and admins only).',
  authScopes: (c, ctx) => availability.canDrillDown(ctx.principal, c.brandId),
  fields: (t) => ({
    producer: t.field({ type: ProducerRef, description: 'The producer.', resolve: (c) => String(c.id) }),
    spotWeight: t.field({ type: 'Weight', description: 'Their unallocated graded lot weight.', resolve: (c) => c.spotG }),
    forwardWeight: t.field({ type: 'Weight', description: 'Their unallocated open commitment weight in the window.', resolve: (c) => c.forwardG }),
    totalWeight: t.field({ type: 'Weight', description: 'Spot plus forward.', resolve: (c) => c.spotG + c.forwardG }),
  }),
});

const AvailabilityRef = builder.objectRef<availability.Availability>('Availability').implement({
  description: 'How much of a product is on offer at a minimum grade for a delivery window: aggregates, no producer identities.',
  authScopes: (a, ctx) => availability.canQueryAvailability(ctx.principal, a.brandId),
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product asked about.', resolve: (a) => String(a.productId) }),
    minGrade: t.field({ type: AvailabilityGradeRef, description: 'The minimum grade asked for.', resolve: (a) => a.minGrade }),
    windowStart: t.field({ type: 'Date', description: 'First day of the delivery window.', resolve: (a) => a.windowStart }),
    windowEnd: t.field({ type: 'Date', description: 'Last day of the delivery window.', resolve: (a) => a.windowEnd }),
    regencies: t.stringList({ nullable: true, description: 'The regency filter applied; null for all regencies.', resolve: (a) => a.regencies }),
    spotWeight: t.field({ type: 'Weight', description: 'Unallocated weight of graded lots at or above the grade (stock now).', resolve: (a) => a.spotG }),
    forwardWeight: t.field({
      type: 'Weight',
      description: 'Unallocated weight of open commitments at or above the grade whose window overlaps the asked window.',
      resolve: (a) => a.forwardG,
    }),
    totalWeight: t.field({ type: 'Weight', description: 'Spot plus forward.', resolve: (a) => a.spotG + a.forwardG }),
    contributorCount: t.exposeInt('contributorCount', { description: 'Distinct approved member producers with any spot or forward weight.' }),
    byGrade: t.field({
      type: [AvailabilityByGradeRef],
      description: 'Per grade from the best to the asked one (zeros included).',
      resolve: (a) => a.byGrade,
    }),
    byRegency: t.field({
      type: [AvailabilityByRegencyRef],
      description: 'Per regency with supply, by name.',
      resolve: (a) => a.byRegency,
    }),
    contributors: t.connection({
      type: AvailabilityContributorRef,
      description: 'Drill-down: the producers behind these figures, by producer. Brand managers of the brand and admins only.',
      complexity: connectionComplexity,
      authScopes: (a, _args, ctx) => availability.canDrillDown(ctx.principal, a.brandId),
      errors: { types: [ForbiddenError, ValidationError] },
      resolve: (a, args, ctx) =>
        resolveKeysetConnection(args, (page) => availability.listContributors(ctx.db, ctx.principal, a, page)),
    }),
  }),
});

const AvailabilityInput = builder.inputType('AvailabilityInput', {
  description: 'The buyer\'s question: a product, a minimum grade, a delivery window and optionally regencies.',
  fields: (t) => ({
    productId: t.id({ description: 'The product (global ID).' }),
    minGrade: t.string({ description: 'Minimum grade code of the product\'s scheme, e.g. "3"; better grades are included.' }),
    windowStart: t.field({ type: 'Date', description: 'First day of the wanted delivery window.' }),
    windowEnd: t.field({ type: 'Date', description: 'Last day of the wanted delivery window (not before windowStart).' }),
    regencies: t.stringList({ required: false, description: 'Only these regencies (case-insensitive); omit for all.' }),
  }),
});

builder.queryFields((t) => ({
  availability: t.field({
    type: AvailabilityRef,
    description: 'Spot and forward supply of a product at a minimum grade for a window. Buyers, admins, brand managers and curators of the brand.',
    authScopes: { admin: true, buyer: 'any', brandManager: 'any', curator: 'any' },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, UnauthenticatedError] },
    args: { input: t.arg({ type: AvailabilityInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      availability.getAvailability(ctx.db, ctx.principal, {
        productId: decodeId(input.productId, 'Product', 'input.productId'),
        minGrade: input.minGrade,
        windowStart: input.windowStart,
        windowEnd: input.windowEnd,
        regencies: input.regencies ?? null,
      }),
  }),
}));
