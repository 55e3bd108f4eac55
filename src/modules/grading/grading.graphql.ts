import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError } from '../../platform/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { findUsersByIds } from '../accounts/accounts.repo.js';
import { canSeeSupplyRow } from '../lots/visibility.js';
import { GradeLevelRef } from '../brands/brands.graphql.js';
import { AssessmentRef, GradeSchemeRef, LotRef } from '../refs.js';
import * as grading from './grading.service.js';
import { DEFECT_TYPES, type FailedRequirement } from './sni.js';

export const DefectTypeEnum = builder.enumType('DefectType', {
  description: 'SNI 01-2907-2008 defect types (value per bean or piece in brackets).',
  values: Object.fromEntries(
    DEFECT_TYPES.map((d) => [d.code, { description: `${d.label} (${d.value.num}${d.value.den === 1n ? '' : `/${d.value.den}`}).` }]),
  ) as Record<(typeof DEFECT_TYPES)[number]['code'], { description: string }>,
});

const CuppingBandEnum = builder.enumType('CuppingBand', {
  description: 'SCA band of a cupping score.',
  values: {
    BELOW_SPECIALTY: { description: 'Below 80: not specialty.' },
    VERY_GOOD: { description: '80–84.99: specialty, very good.' },
    EXCELLENT: { description: '85–89.99: specialty, excellent.' },
    OUTSTANDING: { description: '90 and above: specialty, outstanding.' },
  } as const,
});

const GeneralRequirementEnum = builder.enumType('GeneralRequirement', {
  description: 'SNI general requirements every lot must meet to be graded at all.',
  values: {
    MOISTURE: { description: 'Moisture at most 12.5 %.' },
    FOREIGN_MATTER: { description: 'Foreign matter at most 0.5 %.' },
    LIVE_INSECTS: { description: 'No live insects.' },
    FOUL_OR_MOULDY: { description: 'No foul-smelling or mouldy beans.' },
  } as const,
});

const DefectCountRef = builder.objectRef<{ defect: string; count: number }>('DefectCount').implement({
  description: 'How many beans or pieces of one defect type the sample had.',
  fields: (t) => ({
    defect: t.field({ type: DefectTypeEnum, description: 'The defect type.', resolve: (d) => d.defect as never }),
    count: t.exposeInt('count', { description: 'Number of beans or pieces.' }),
  }),
});

const FailedRequirementRef = builder.objectRef<FailedRequirement>('FailedRequirement').implement({
  description: 'A general requirement the sample did not meet (the lot is off-grade).',
  fields: (t) => ({
    code: t.field({ type: GeneralRequirementEnum, description: 'Which requirement.', resolve: (f) => f.code }),
    message: t.exposeString('message', { description: 'What was measured against the limit.' }),
  }),
});

AssessmentRef.implement({
  description: 'A curator\'s quality assessment of a lot: raw measurements and the grade computed from them. Immutable.',
  authScopes: async (a, ctx) => {
    const lot = await LotRef.getDataloader(ctx).load(String(a.lot_id));
    return canSeeSupplyRow(ctx, 'lot', lot);
  },
  fields: (t) => ({
    lot: t.field({ type: LotRef, description: 'The lot assessed.', resolve: (a) => String(a.lot_id) }),
    scheme: t.field({ type: GradeSchemeRef, description: 'The grade scheme version the lot was graded under.', resolve: (a) => String(a.scheme_id) }),
    schemeVersion: t.int({
      description: 'Version number of that grade scheme.',
      resolve: async (a, _args, ctx) => (await GradeSchemeRef.getDataloader(ctx).load(String(a.scheme_id))).version,
    }),
    sampleG: t.exposeInt('sample_g', { description: 'Sample mass in grams (defect values are normalised to 300 g).' }),
    defectCounts: t.field({
      type: [DefectCountRef],
      description: 'Raw counts per defect type (types with a zero count are left out).',
      resolve: (a) =>
        DEFECT_TYPES.filter((d) => (a.defect_counts[d.code] ?? 0) > 0).map((d) => ({ defect: d.code, count: a.defect_counts[d.code] ?? 0 })),
    }),
    moisturePct: t.exposeString('moisture_pct', { description: 'Moisture, %.' }),
    foreignMatterPct: t.exposeString('foreign_matter_pct', { description: 'Foreign matter, % by weight.' }),
    liveInsects: t.exposeBoolean('live_insects', { description: 'Whether live insects were found.' }),
    foulOdour: t.exposeBoolean('foul_odour', { description: 'Whether foul-smelling or mouldy beans were found.' }),
    cuppingScore: t.exposeString('cupping_score', { nullable: true, description: 'SCA cupping score, when cupped.' }),
    cuppingBand: t.field({
      type: CuppingBandEnum,
      nullable: true,
      description: 'SCA band of the cupping score, when cupped.',
      resolve: async (a, _args, ctx) => (a.cupping_score === null ? null : (await grading.explainAssessment(ctx, a)).cuppingBand),
    }),
    defectValue: t.exposeString('defect_value', { description: 'Total SNI defect value per 300 g, rounded to 2 decimals.' }),
    grade: t.field({
      type: GradeLevelRef,
      nullable: true,
      description: 'The best grade met; null when off-grade.',
      resolve: (a) => (a.grade_code !== null && a.grade_rank !== null ? { code: a.grade_code, rank: a.grade_rank } : null),
    }),
    offGrade: t.exposeBoolean('off_grade', { description: 'Whether the sample met no grade (or failed a general requirement).' }),
    failedRequirements: t.field({
      type: [FailedRequirementRef],
      description: 'General requirements not met (empty when all were met).',
      resolve: (a) => a.failed_requirements as FailedRequirement[],
    }),
    explanation: t.string({
      description: 'How the grade was reached, criterion by criterion.',
      resolve: async (a, _args, ctx) => (await grading.explainAssessment(ctx, a)).explanation,
    }),
    curator: t.loadable({
      type: 'String',
      description: 'Display name of the curator who recorded it.',
      load: async (ids: number[], ctx) => {
        const users = await findUsersByIds(ctx.db, ids);
        return ids.map((id) => users.find((u) => u.id === id)?.display_name ?? 'unknown');
      },
      resolve: (a) => a.curator_user_id,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

builder.objectFields(LotRef, (t) => ({
  latestAssessment: t.field({
    type: AssessmentRef,
    nullable: true,
    description: 'The assessment that governs the lot\'s grade; null when not yet assessed.',
    resolve: (l) => (l.latest_assessment_id === null ? null : String(l.latest_assessment_id)),
  }),
  assessments: t.loadableList({
    type: AssessmentRef,
    description: 'Every assessment of the lot, newest first.',
    complexity: { field: 1, multiplier: 3 },
    load: (lotIds: number[], ctx) => grading.assessmentsOfLots(ctx.db, lotIds),
    resolve: (l) => l.id,
  }),
}));

const DefectCountInput = builder.inputType('DefectCountInput', {
  description: 'The count of one defect type in the sample.',
  fields: (t) => ({
    defect: t.field({ type: DefectTypeEnum, description: 'The defect type (each at most once).' }),
    count: t.int({ description: 'Number of beans or pieces (0 or more).' }),
  }),
});

const RecordAssessmentInput = builder.inputType('RecordAssessmentInput', {
  description: 'Raw measurements of a lot\'s sample; the grade is computed from them.',
  fields: (t) => ({
    lotId: t.id({ description: 'The lot.' }),
    sampleG: t.int({ required: false, description: 'Sample mass in grams (default 300, at most 5000).' }),
    defectCounts: t.field({ type: [DefectCountInput], description: 'Counts per defect type; types left out count 0.' }),
    moisturePct: t.field({ type: 'Decimal', description: 'Moisture, % (0–100, at most 2 decimals).' }),
    foreignMatterPct: t.field({ type: 'Decimal', description: 'Foreign matter, % by weight (0–100, at most 2 decimals).' }),
    liveInsects: t.boolean({ description: 'Whether live insects were found.' }),
    foulOdour: t.boolean({ description: 'Whether foul-smelling or mouldy beans were found.' }),
    cuppingScore: t.field({ type: 'Decimal', required: false, description: 'SCA cupping score (0–100), when cupped.' }),
  }),
});

builder.mutationFields((t) => ({
  recordAssessment: t.field({
    type: AssessmentRef,
    description: 'Record a quality assessment of a lot (a curator of the lot\'s brand); the latest assessment sets the lot\'s grade.',
    authScopes: { admin: true, curator: 'any' },
    errors: { types: [ConflictError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: RecordAssessmentInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      grading.recordAssessment(ctx.db, ctx.principal, {
        ...input,
        lotId: decodeId(input.lotId, 'Lot', 'input.lotId'),
      }),
  }),
}));
