import type { Kysely } from 'kysely';
import { z } from 'zod';
import { isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB, DeforestationResult, LandUseAtCutoff } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import { addIssue, parseInput, zm } from '../../platform/validate.js';
import * as plotsRepo from '../plots/plots.repo.js';
import { canSeePlot } from '../plots/plots.service.js';
import { membershipBrandPairs } from '../producers/producers.repo.js';
import * as repo from './deforestation.repo.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Deforestation evidence per plot (EUDR art. 2: produced on land not deforested after the cut-off,
 * 31 Dec 2020).
 *
 * - An assessment records the land use on the cut-off date, a result (NOT_ASSESSED,
 *   NEGLIGIBLE_RISK, NEEDS_REVIEW, HIGH_RISK), evidence references (satellite imagery ids, field
 *   visit reports, maps …), notes, who and when. Assessments are immutable; the latest counts.
 * - Only a curator or brand manager of a brand the plot's producer is a member of (any status)
 *   records one. Someone who cannot see the plot gets NotFoundError; the producer, their
 *   cooperative manager and admins see the plot but get ForbiddenError.
 * - A result other than NOT_ASSESSED needs at least one evidence reference. A plot that was FOREST
 *   on the cut-off date cannot be NEGLIGIBLE_RISK: coffee on it now means it was cleared after 2020.
 */

export const DEFORESTATION_CUT_OFF = '2020-12-31';
export const RESULTS = ['NOT_ASSESSED', 'NEGLIGIBLE_RISK', 'NEEDS_REVIEW', 'HIGH_RISK'] as const satisfies readonly DeforestationResult[];
export const LAND_USES = [
  'COFFEE_AGROFORESTRY', 'COFFEE_PLANTATION', 'OTHER_AGRICULTURE', 'FOREST', 'SHRUB_OR_GRASSLAND', 'SETTLEMENT', 'OTHER',
] as const satisfies readonly LandUseAtCutoff[];

const RecordInput = z
  .object({
    plotId: z.number().int(),
    landUseAtCutoff: z.enum(LAND_USES),
    result: z.enum(RESULTS),
    evidenceRefs: z
      .array(z.string().trim().min(1, zm(ISSUES.notEmpty)).max(500, zm(ISSUES.maxChars({ max: 500 }))))
      .max(20, zm({ en: 'must list at most 20 references', id: 'paling banyak 20 rujukan' })),
    notes: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
      z.string().trim().max(2000, zm(ISSUES.maxChars({ max: 2000 }))).nullish(),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.result !== 'NOT_ASSESSED' && v.evidenceRefs.length === 0) {
      addIssue(ctx, ['evidenceRefs'], {
        en: `must list at least one evidence reference for ${v.result}`,
        id: `cantumkan paling sedikit satu rujukan bukti untuk ${v.result}`,
      });
    }
    if (v.landUseAtCutoff === 'FOREST' && v.result === 'NEGLIGIBLE_RISK') {
      addIssue(ctx, ['result'], {
        en: `cannot be NEGLIGIBLE_RISK for a plot that was forest on the cut-off date (${DEFORESTATION_CUT_OFF})`,
        id: `tidak boleh NEGLIGIBLE_RISK untuk lahan yang masih berupa hutan pada tanggal batas (${DEFORESTATION_CUT_OFF})`,
      });
    }
  });
export type RecordDeforestationInput = z.input<typeof RecordInput>;

export async function recordDeforestationAssessment(db: Kysely<DB>, actor: Principal | null, input: RecordDeforestationInput) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(RecordInput, input);
  const plot = await plotsRepo.findPlot(db, parsed.plotId);
  if (!plot || !(await canSeePlot({ db, principal: actor }, plot))) throw new NotFoundError('Plot', 'input.plotId');
  const brandIds = [...new Set([...orgIdsWithRole(actor, 'BRAND_MANAGER'), ...orgIdsWithRole(actor, 'CURATOR')])];
  const pairs = await membershipBrandPairs(db, [plot.producer_id], brandIds);
  if (pairs.length === 0) {
    throw new ForbiddenError(
      isAdmin(actor)
        ? 'Deforestation assessments are recorded by a curator or brand manager of the producer\'s brand'
        : 'Only a curator or brand manager of a brand the producer belongs to records a deforestation assessment',
    );
  }
  return repo.insertAssessment(db, {
    plot_id: plot.id,
    land_use_at_cutoff: parsed.landUseAtCutoff,
    result: parsed.result,
    evidence_refs: JSON.stringify(parsed.evidenceRefs),
    notes: parsed.notes ?? null,
    assessed_by: actor.userId,
  });
}

/** Latest assessment per plot, for readers that already checked access to the plots. */
export async function latestDeforestation(db: Kysely<DB>, plotIds: readonly number[]): Promise<Map<number, repo.DeforestationRow>> {
  return new Map((await repo.latestOfPlots(db, plotIds)).map((r) => [r.plot_id, r]));
}

