import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { inTransaction } from '../../platform/transaction.js';
import type { Kysely, Transaction } from 'kysely';
import { hasRole, isAdmin, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, type Issue, issueAt, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import * as brandsRepo from '../brands/brands.repo.js';
import { currentScheme, gradeRowToDefinition } from '../brands/brands.service.js';
import * as lotsRepo from '../lots/lots.repo.js';
import { accessToProducer } from '../producers/access.js';
import * as provenance from '../provenance/provenance.repo.js';
import { emit, globalId, producerAudience } from '../outbox/outbox.js';
import {
  type AssessmentResult, DEFECT_CODES, type DefectCode, type GradeDefinition, gradeAssessment, isDefectCode, MEASUREMENT_LIMITS,
  type MeasurementsInput, validateMeasurements,
} from './sni.js';
import * as repo from './grading.repo.js';

/**
 * Quality assessments. A curator of the lot's brand (or an admin) records raw measurements; the
 * grade is computed by sni.ts against the product's CURRENT grade scheme version, and stored with
 * that version. Assessments are immutable; the latest one governs the lot's grade, and a later
 * scheme change never regrades a stored assessment.
 */

export interface RecordAssessmentInput {
  lotId: number;
  sampleG?: number | null;
  defectCounts: ReadonlyArray<{ defect: string; count: number }>;
  moisturePct: string;
  foreignMatterPct: string;
  liveInsects: boolean;
  foulOdour: boolean;
  cuppingScore?: string | null;
}

/** sni.ts issue paths → input paths. */
function inputPath(path: string, defectIndex: Map<string, number>): string {
  const [head, code] = path.split('.', 2);
  switch (head) {
    case 'defectCounts': {
      const i = code === undefined ? undefined : defectIndex.get(code);
      return i === undefined ? 'input.defectCounts' : `input.defectCounts.${i}.count`;
    }
    case 'hasLiveInsects':
      return 'input.liveInsects';
    case 'hasFoulOrMouldyBeans':
      return 'input.foulOdour';
    default:
      return `input.${path}`;
  }
}

/** Turn the input into sni.ts measurements, or throw a ValidationError naming each bad field. */
export function toMeasurements(input: RecordAssessmentInput): MeasurementsInput {
  const issues: Issue[] = [];
  const counts: Record<string, number> = {};
  const index = new Map<string, number>();
  input.defectCounts.forEach(({ defect, count }, i) => {
    if (!isDefectCode(defect)) {
      issues.push(issueAt(`input.defectCounts.${i}.defect`, {
        en: `unknown defect type ${defect} (known: ${DEFECT_CODES.join(', ')})`,
        id: `jenis cacat ${defect} tidak dikenal (yang dikenal: ${DEFECT_CODES.join(', ')})`,
      }));
      return;
    }
    const first = index.get(defect);
    if (first !== undefined) {
      issues.push(issueAt(`input.defectCounts.${i}.defect`, {
        en: `${defect} is listed twice (also defectCounts.${first}); give one count per defect type`,
        id: `${defect} tercantum dua kali (juga di defectCounts.${first}); isi satu jumlah per jenis cacat`,
      }));
      return;
    }
    index.set(defect, i);
    counts[defect] = count;
  });
  const measurements: MeasurementsInput = {
    sampleG: input.sampleG ?? MEASUREMENT_LIMITS.defaultSampleG,
    defectCounts: counts,
    moisturePct: input.moisturePct,
    foreignMatterPct: input.foreignMatterPct,
    hasLiveInsects: input.liveInsects,
    hasFoulOrMouldyBeans: input.foulOdour,
    cuppingScore: input.cuppingScore ?? null,
  };
  issues.push(...validateMeasurements(measurements).map((i) => issueAt(inputPath(i.path, index), i.text)));
  if (issues.length > 0) throw new ValidationError(issues);
  return measurements;
}

/** Curators of the lot's brand record assessments; admins may too. */
export const mayAssess = (actor: Principal | null, brandId: number) => isAdmin(actor) || hasRole(actor, 'CURATOR', brandId);

async function seesLot(db: Kysely<DB>, actor: Principal, lot: { brand_id: number; producer_id: number }): Promise<boolean> {
  if (hasRole(actor, 'BRAND_MANAGER', lot.brand_id)) return true;
  return (await accessToProducer(db, actor, lot.producer_id)).manage;
}

export async function recordAssessment(db: Kysely<DB>, actor: Principal | null, input: RecordAssessmentInput) {
  if (!actor) throw new UnauthenticatedError();
  const measurements = toMeasurements(input);
  // A regrade can shrink order lines (the fulfilment module's onLotRegraded handler), which locks
  // order rows after this lot: run with the allocation lock timeout and deadlock retries.
  return inTransaction(db, async (trx) => {
    const lot = await lotsRepo.lockLot(trx, input.lotId);
    if (!lot) throw new NotFoundError('Lot', 'input.lotId');
    // A lot you may not see (not of your brand, not your own or your member's) looks unknown.
    if (!mayAssess(actor, lot.brand_id) && !(await seesLot(trx, actor, lot))) throw new NotFoundError('Lot', 'input.lotId');
    if (!mayAssess(actor, lot.brand_id)) throw new ForbiddenError('Only a curator of the lot\'s brand records its assessments');
    const scheme = await currentScheme(trx, lot.product_id);
    if (!scheme || scheme.grades.length === 0) throw new ConflictError('The lot\'s product has no grade scheme yet', 'input.lotId');
    const result = gradeAssessment(measurements, scheme);
    const assessment = await repo.insertAssessment(trx, {
      lot_id: lot.id,
      scheme_id: scheme.id,
      curator_user_id: actor.userId,
      sample_g: result.sampleG,
      defect_counts: JSON.stringify(nonZeroCounts(measurements.defectCounts)),
      moisture_pct: measurements.moisturePct,
      foreign_matter_pct: measurements.foreignMatterPct,
      live_insects: measurements.hasLiveInsects,
      foul_odour: measurements.hasFoulOrMouldyBeans,
      cupping_score: measurements.cuppingScore ?? null,
      defect_value: result.defectValue,
      grade_code: result.grade?.code ?? null,
      grade_rank: result.grade?.rank ?? null,
      off_grade: result.offGrade,
      failed_requirements: JSON.stringify(result.failedRequirements),
    });
    await applyAssessmentToLot(trx, lot.id, assessment, { actorUserId: actor.userId, schemeVersion: scheme.version });
    return assessment;
  });
}

/** Counts in the standard's table order, without zeros. */
function nonZeroCounts(counts: MeasurementsInput['defectCounts']): Partial<Record<DefectCode, number>> {
  const out: Partial<Record<DefectCode, number>> = {};
  for (const code of DEFECT_CODES) {
    const n = counts[code];
    if (n) out[code] = n;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Applying a grade to a lot (the one place a lot's grade changes)
// ---------------------------------------------------------------------------

export interface LotRegrade {
  /** The lot after the update. */
  lot: lotsRepo.LotRow;
  assessment: repo.AssessmentRow;
  previous: { gradeCode: string | null; gradeRank: number | null; offGrade: boolean; assessed: boolean };
  /** The lot can no longer be offered (it was offerable, or ungraded, and is now off-grade). */
  becameOffGrade: boolean;
  /** The lot's grade got worse (higher rank) or it became off-grade. */
  downgraded: boolean;
}

/**
 * Something that must happen in the same transaction when a lot is regraded — e.g. the orders
 * module registers one that turns allocations of a lot that failed grading into shortfalls.
 */
export type LotRegradeHandler = (trx: Transaction<DB>, change: LotRegrade) => Promise<void>;
const regradeHandlers: LotRegradeHandler[] = [];

export function onLotRegraded(handler: LotRegradeHandler): void {
  regradeHandlers.push(handler);
}

/**
 * Make `assessment` the lot's governing assessment: set the lot's grade / off-grade and
 * latest_assessment_id, append the ASSESSED provenance event, then run the regrade handlers.
 * Locks the lot row (FOR UPDATE). Must run inside the transaction that inserted the assessment.
 */
export async function applyAssessmentToLot(
  trx: Transaction<DB>,
  lotId: number,
  assessment: repo.AssessmentRow,
  meta: { actorUserId: number | null; schemeVersion: number },
): Promise<LotRegrade> {
  const before = await lotsRepo.lockLot(trx, lotId);
  if (!before) throw new NotFoundError('Lot');
  const lot = await lotsRepo.updateLot(trx, lotId, {
    grade_code: assessment.grade_code,
    grade_rank: assessment.grade_rank,
    off_grade: assessment.off_grade,
    latest_assessment_id: assessment.id,
  });
  await provenance.appendEvent(trx, {
    kind: 'ASSESSED',
    lotId,
    actorUserId: meta.actorUserId,
    payload: {
      assessmentId: assessment.id,
      schemeId: assessment.scheme_id,
      schemeVersion: meta.schemeVersion,
      defectValue: assessment.defect_value,
      grade: assessment.grade_code === null ? null : { code: assessment.grade_code, rank: assessment.grade_rank },
      offGrade: assessment.off_grade,
      previousGrade: before.grade_code === null ? null : { code: before.grade_code, rank: before.grade_rank },
      previousOffGrade: before.off_grade,
    },
  });
  const change: LotRegrade = {
    lot,
    assessment,
    previous: { gradeCode: before.grade_code, gradeRank: before.grade_rank, offGrade: before.off_grade, assessed: before.latest_assessment_id !== null },
    becameOffGrade: lot.off_grade && !before.off_grade,
    downgraded:
      (lot.off_grade && !before.off_grade) ||
      (lot.grade_rank !== null && before.grade_rank !== null && lot.grade_rank > before.grade_rank),
  };
  await emit(trx, {
    type: 'lot.graded',
    subject: { type: 'Lot', id: lot.id },
    audience: await producerAudience(trx, lot.brand_id, lot.producer_id),
    data: {
      lot: { id: globalId('Lot', lot.id), producer: globalId('Producer', lot.producer_id), product: globalId('Product', lot.product_id) },
      grade: assessment.grade_code, offGrade: assessment.off_grade, previousGrade: before.grade_code, defectValue: assessment.defect_value,
    },
  });
  for (const handler of regradeHandlers) await handler(trx, change);
  return change;
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/** Assessments of many lots, newest first, grouped per lot in the order asked. */
export async function assessmentsOfLots(db: Kysely<DB>, lotIds: readonly number[]): Promise<repo.AssessmentRow[][]> {
  const rows = await repo.assessmentsOfLots(db, lotIds);
  return lotIds.map((id) => rows.filter((r) => r.lot_id === id));
}

/** Per-request loader of the grades of scheme versions (for explanations). */
const schemeGradesLoader = createContextCache(
  (ctx: { db: Kysely<DB> }) =>
    new DataLoader<number, GradeDefinition[]>(async (schemeIds) => {
      const rows = await brandsRepo.gradesOfSchemes(ctx.db, schemeIds);
      return schemeIds.map((id) => rows.filter((g) => g.scheme_id === id).map(gradeRowToDefinition));
    }),
);

/** The stored measurements of an assessment, as sni.ts takes them. */
export const storedMeasurements = (a: repo.AssessmentRow): MeasurementsInput => ({
  sampleG: a.sample_g,
  defectCounts: a.defect_counts,
  moisturePct: a.moisture_pct,
  foreignMatterPct: a.foreign_matter_pct,
  hasLiveInsects: a.live_insects,
  hasFoulOrMouldyBeans: a.foul_odour,
  cuppingScore: a.cupping_score,
});

/**
 * The grading of a stored assessment, recomputed from its raw measurements and the scheme version
 * it was graded under (both immutable), so explanation and band match the stored grade.
 */
export async function explainAssessment(ctx: { db: Kysely<DB> }, a: repo.AssessmentRow): Promise<AssessmentResult> {
  const grades = await schemeGradesLoader(ctx).load(a.scheme_id);
  return gradeAssessment(storedMeasurements(a), { grades });
}
