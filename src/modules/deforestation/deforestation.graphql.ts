import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { PlotRef } from '../refs.js';
import * as repo from './deforestation.repo.js';
import * as deforestation from './deforestation.service.js';

export const DeforestationResultEnum = builder.enumType('DeforestationResult', {
  description: 'Outcome of a plot\'s deforestation assessment against the EUDR cut-off (31 Dec 2020).',
  values: {
    NOT_ASSESSED: { description: 'Not assessed yet (blocks an EUDR package).' },
    NEGLIGIBLE_RISK: { description: 'Negligible risk: not deforested after the cut-off.' },
    NEEDS_REVIEW: { description: 'Evidence is inconclusive; needs review (blocks an EUDR package).' },
    HIGH_RISK: { description: 'High risk of deforestation after the cut-off (blocks an EUDR package).' },
  } as const,
});

export const LandUseEnum = builder.enumType('LandUseAtCutoff', {
  description: 'Land use of a plot on the EUDR cut-off date (31 Dec 2020).',
  values: {
    COFFEE_AGROFORESTRY: { description: 'Coffee under shade trees (agroforestry).' },
    COFFEE_PLANTATION: { description: 'Coffee in full sun.' },
    OTHER_AGRICULTURE: { description: 'Other cropland.' },
    FOREST: { description: 'Forest (coffee there now means clearing after the cut-off).' },
    SHRUB_OR_GRASSLAND: { description: 'Shrubland or grassland.' },
    SETTLEMENT: { description: 'Settlement or built-up land.' },
    OTHER: { description: 'Anything else (say what in the notes).' },
  } as const,
});

const DeforestationAssessmentRef = builder.objectRef<repo.DeforestationRow>('DeforestationAssessment').implement({
  description: 'Deforestation evidence for a plot, recorded by a curator or brand manager.',
  fields: (t) => ({
    landUseAtCutoff: t.field({ type: LandUseEnum, description: 'Land use on 31 Dec 2020.', resolve: (a) => a.land_use_at_cutoff }),
    result: t.field({ type: DeforestationResultEnum, description: 'The assessment\'s outcome.', resolve: (a) => a.result }),
    evidenceRefs: t.stringList({ description: 'References to the evidence (imagery ids, reports, maps).', resolve: (a) => a.evidence_refs }),
    notes: t.exposeString('notes', { nullable: true, description: 'Notes of the assessor.' }),
    assessedAt: t.expose('assessed_at', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

builder.objectFields(PlotRef, (t) => ({
  deforestationAssessment: t.loadable({
    type: DeforestationAssessmentRef,
    nullable: true,
    description: 'The latest deforestation assessment of the plot; null when never assessed.',
    load: async (ids: number[], ctx) => {
      const latest = await deforestation.latestDeforestation(ctx.db, ids);
      return ids.map((id) => latest.get(id) ?? null);
    },
    resolve: (p) => p.id,
  }),
}));

const RecordDeforestationInput = builder.inputType('RecordDeforestationAssessmentInput', {
  description: 'Deforestation evidence for one plot.',
  fields: (t) => ({
    plotId: t.id({ description: 'The plot.' }),
    landUseAtCutoff: t.field({ type: LandUseEnum, description: 'Land use on the cut-off date, 31 Dec 2020.' }),
    result: t.field({ type: DeforestationResultEnum, description: 'The outcome (NEGLIGIBLE_RISK impossible for land that was forest).' }),
    evidenceRefs: t.stringList({ description: 'Evidence references, 1–500 characters each, at most 20 (at least one unless NOT_ASSESSED).' }),
    notes: t.string({ required: false, description: 'Notes (at most 2000 characters).' }),
  }),
});

builder.mutationFields((t) => ({
  recordDeforestationAssessment: t.field({
    type: DeforestationAssessmentRef,
    description: 'Record a plot\'s deforestation assessment (a curator or brand manager of a brand the producer belongs to).',
    authScopes: { curator: 'any', brandManager: 'any' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RecordDeforestationInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      deforestation.recordDeforestationAssessment(ctx.db, ctx.principal, {
        ...input,
        plotId: decodeId(input.plotId, 'Plot', 'input.plotId'),
        notes: input.notes ?? null,
      }),
  }),
}));
