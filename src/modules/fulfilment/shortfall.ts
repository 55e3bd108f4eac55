import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { NotFoundError } from '../../platform/errors.js';
import { texts, type Texts } from '../../platform/format.js';
import { IdempotencyKey, idempotent } from '../../platform/idempotency.js';
import type { Language } from '../../platform/language.js';
import type { TxOptions } from '../../platform/transaction.js';
import { parseInput, positiveWeight, zm } from '../../platform/validate.js';
import { gramsToKg } from '../../platform/weight.js';
import { audience, emit, globalId } from '../outbox/outbox.js';
import {
  allocateWhatFits, brandSettings, candidateSupply, type CandidateExclusions, lockSupply, shortLine, sourcesOf,
} from '../allocation/allocation.service.js';
import { engineConstraints, resolveConstraints, resolveStrategy, type StoredConstraints } from '../allocation/constraints.js';
import type { Strategy } from '../allocation/engine.js';
import * as ordersRepo from '../orders/orders.repo.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { accessToProducer } from '../producers/access.js';
import { appendEvent } from '../provenance/provenance.repo.js';
import * as repo from './fulfilment.repo.js';
import type { LineRow } from './fulfilment.repo.js';
import { checkLedger } from './ledger-check.js';
import { shortfallPlanInputs } from './reallocation.js';
import { shortfallRefusal } from './refusals.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Shortfalls (a producer defaults, or a linked lot fails grading) and their reallocation.
 *
 * The line shrinks by the missing weight (or becomes SHORTFALL when nothing is left of it), its
 * source is released by that weight, and the weight is reallocated in the same transaction with the
 * order's stored strategy and constraints (see reallocation.ts) among other eligible members: a
 * producer's own default excludes all of that producer's supply; a failed lot excludes the lot
 * (and, for a fulfilment, the forward line's commitment, which would otherwise just take its weight
 * back). New lines carry replaces_line_id and the reason "Covers shortfall of line N: …". What
 * cannot be covered is added to orders.uncovered_g, so that for an order that holds supply
 * Σ ACTIVE line weight + uncovered_g = quantity_g. Provenance: SHORTFALL (the defaulting line, on
 * its lot or commitment) and REALLOCATED (each new line), with order_id.
 *
 * declareShortfall: the producer of the line themself, their cooperative manager, or an admin.
 *
 * Locking: the order row first, then lots by id, then commitments by id (the order acceptOrder
 * uses): the supply a shortfall may touch (its own source and the candidates, read first without
 * locks) is locked in one pass before anything is changed; the candidate query then re-reads those
 * rows under the lock. A regrade runs inside recordAssessment, which has already locked the lot
 * before any order row: that one path cannot follow the order.
 */

/** Why a line falls short, for the provenance payload and the new lines' reason. */
export type ShortfallCause = 'PRODUCER_DEFAULT' | 'LOT_FAILED_GRADING';

const CAUSE_TEXT: Readonly<Record<Language, Record<ShortfallCause, string>>> = {
  en: { PRODUCER_DEFAULT: 'the producer cannot deliver', LOT_FAILED_GRADING: 'a lot failed grading' },
  id: { PRODUCER_DEFAULT: 'produsen tidak dapat mengirim', LOT_FAILED_GRADING: 'sebuah lot tidak lolos penilaian mutu' },
};

/** The replacement lines' prefix, in each language. */
const COVERS_TEXT: Readonly<Record<Language, (lineId: number, cause: string, reason: string) => string>> = {
  en: (lineId, cause, reason) => `Covers shortfall of line ${lineId}: ${cause} (${reason})`,
  id: (lineId, cause, reason) => `Menutup kekurangan baris ${lineId}: ${cause} (${reason})`,
};

export interface ShortfallOptions extends CandidateExclusions {
  cause: ShortfallCause;
  /** Human text: the producer's reason, or what failed. */
  reason: string;
  /** The same reason in each language when the system wrote it (a failed grading); a person's own words stay as written. */
  reasonTexts?: Texts;
  actorUserId: number | null;
}

export interface ShortfallOutcome {
  /** The defaulting line after the change. */
  line: LineRow;
  shortfallG: number;
  /** Weight covered by the new lines. */
  coveredG: number;
  /** Weight added to the order's uncovered weight (shortfall − covered). */
  uncoveredG: number;
  replacementLines: LineRow[];
  /** The order after the change (uncovered_g updated). */
  order: OrderRow;
}

/**
 * Treat `weightG` of an ACTIVE line as missing: shrink (or mark SHORTFALL) the line, release that
 * weight from its lot or commitment, reallocate it to other eligible supply and add what stays
 * uncovered to the order. The caller holds the order row lock, has checked the order is open, the
 * line ACTIVE and 0 < weightG ≤ weight_g − fulfilled_g.
 */
export async function shortfallInTransaction(
  trx: Transaction<DB>,
  order: OrderRow,
  line: LineRow,
  weightG: number,
  options: ShortfallOptions,
): Promise<ShortfallOutcome> {
  if (!Number.isSafeInteger(weightG) || weightG <= 0 || weightG > line.weight_g - line.fulfilled_g) {
    throw new RangeError(`shortfall of ${weightG} g does not fit line ${line.id} (${line.weight_g - line.fulfilled_g} g open)`);
  }
  const excludes: CandidateExclusions = {
    excludeProducerIds: options.excludeProducerIds ?? [],
    excludeLotIds: options.excludeLotIds ?? [],
    excludeCommitmentIds: options.excludeCommitmentIds ?? [],
  };
  // Lock everything this may touch in the global order (lots by id, then commitments by id) before changing anything.
  const own = sourcesOf([line]);
  const supply = await candidateSupply(trx, order, excludes);
  await lockSupply(trx, own, supply);

  // 1. The defaulting line gives up the weight.
  const after = await shortLine(trx, line, weightG);
  await appendEvent(trx, {
    kind: 'SHORTFALL',
    lotId: line.lot_id,
    commitmentId: line.commitment_id,
    orderId: order.id,
    actorUserId: options.actorUserId,
    payload: {
      orderId: order.id, lineId: line.id, producerId: line.producer_id, weightG, cause: options.cause, reason: options.reason,
      lineStatus: after.status, lineWeightG: after.weight_g,
    },
  });

  // 2. Reallocate it, with the order's strategy and constraints, the share cap as head-room.
  const brand = await brandSettings(trx, order.brand_id);
  const strategy: Strategy = resolveStrategy(order.strategy as Strategy | null, brand?.default_strategy);
  const stored: StoredConstraints = (order.constraints as StoredConstraints | null) ?? resolveConstraints(order, null);
  const held = await repo.activeWeightByProducer(trx, order.id);
  const { lines, coveredG } = await allocateWhatFits(
    trx,
    order,
    {
      ...excludes,
      strategy,
      constraints: engineConstraints(stored),
      quantityG: weightG,
      adjust: (candidates) =>
        shortfallPlanInputs(candidates, {
          orderQuantityG: order.quantity_g,
          shortfallG: weightG,
          constraints: stored,
          heldByProducer: new Map(held.map((h) => [String(h.producer_id), h.g])),
        }),
    },
    {
      lineId: line.id,
      because: texts((lang) => COVERS_TEXT[lang](line.id, CAUSE_TEXT[lang][options.cause], options.reasonTexts?.[lang] ?? options.reason)),
      cause: options.cause,
    },
    { userId: options.actorUserId },
    // Only what was locked above: the line's own source and the candidates then.
    { lotIds: [...own.lotIds, ...supply.lotIds], commitmentIds: [...own.commitmentIds, ...supply.commitmentIds] },
  );

  // 3. What stays uncovered shows on the order.
  const uncoveredG = weightG - coveredG;
  const updated = uncoveredG > 0 ? await ordersRepo.updateOrder(trx, order.id, { uncovered_g: order.uncovered_g + uncoveredG }) : order;
  await checkLedger(trx, order.id, sourcesOf([line]), sourcesOf(lines));
  await emit(trx, {
    type: 'allocation.changed',
    subject: { type: 'Order', id: order.id },
    audience: [audience.buyer(order.buyer_org_id), audience.brand(order.brand_id)],
    data: {
      order: { id: globalId('Order', order.id), status: updated.status, quantityKg: gramsToKg(order.quantity_g), uncoveredKg: gramsToKg(updated.uncovered_g) },
      cause: options.cause, shortfallKg: gramsToKg(weightG), coveredKg: gramsToKg(coveredG), uncoveredKg: gramsToKg(uncoveredG),
    },
    restricted: {
      shortLine: { line: globalId('AllocationLine', line.id), producer: globalId('Producer', line.producer_id), weightKg: gramsToKg(weightG) },
      lines: lines.map((l) => ({
        line: globalId('AllocationLine', l.id), producer: globalId('Producer', l.producer_id),
        lot: l.lot_id === null ? null : globalId('Lot', l.lot_id), commitment: l.commitment_id === null ? null : globalId('Commitment', l.commitment_id),
        weightKg: gramsToKg(l.weight_g),
      })),
    },
  });
  return { line: after, shortfallG: weightG, coveredG, uncoveredG, replacementLines: lines, order: updated };
}

const ShortfallInput = z.object({
  lineId: z.number().int(),
  weight: positiveWeight(),
  reason: z
    .string()
    .trim()
    .min(1, zm({ en: 'must say why (1–1000 characters)', id: 'sebutkan alasannya (1–1.000 karakter)' }))
    .max(1000, zm(ISSUES.maxChars({ max: 1000 }))),
  idempotencyKey: IdempotencyKey,
});
export type DeclareShortfallInput = z.input<typeof ShortfallInput>;

/**
 * A producer (themself, their cooperative manager, or an admin) declares they cannot deliver
 * `weight` of an ACTIVE line (spot or forward; at most what is not yet fulfilled). The weight is
 * reallocated to other members (never to this producer); what cannot be covered becomes the order's
 * uncovered weight. Idempotent on idempotencyKey.
 */
export async function declareShortfall(
  db: Kysely<DB>,
  actor: Principal | null,
  input: DeclareShortfallInput,
  options: TxOptions = {},
): Promise<ShortfallOutcome> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(ShortfallInput, input);
  const { idempotencyKey, ...request } = parsed;
  return idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'declareShortfall',
      key: idempotencyKey,
      request,
      work: async (trx) => {
        const seen = await repo.findLine(trx, request.lineId);
        // Someone who does not act for the line's producer does not learn the line exists.
        if (!seen || !(await accessToProducer(trx, principal, seen.producer_id)).manage) {
          throw new NotFoundError('AllocationLine', 'input.lineId');
        }
        const order = (await ordersRepo.lockOrder(trx, seen.order_id)) as OrderRow;
        const line = (await repo.findLine(trx, request.lineId)) as LineRow;
        const refused = shortfallRefusal(order, line, request.weight);
        if (refused) throw refused;
        const outcome = await shortfallInTransaction(trx, order, line, request.weight, {
          cause: 'PRODUCER_DEFAULT',
          reason: request.reason,
          actorUserId: principal.userId,
          excludeProducerIds: [line.producer_id],
        });
        return {
          result: outcome,
          response: {
            lineId: line.id, shortfallG: outcome.shortfallG, coveredG: outcome.coveredG, uncoveredG: outcome.uncoveredG,
            replacementLineIds: outcome.replacementLines.map((l) => l.id),
          },
        };
      },
      replay: async (r: { lineId: number; shortfallG: number; coveredG: number; uncoveredG: number; replacementLineIds: number[] }) => {
        const line = await repo.findLine(db, r.lineId);
        const order = line && (await ordersRepo.findOrder(db, line.order_id));
        if (!line || !order) throw new NotFoundError('AllocationLine', 'input.lineId');
        const replacementLines = await repo.linesByIds(db, r.replacementLineIds);
        return { line, order, shortfallG: r.shortfallG, coveredG: r.coveredG, uncoveredG: r.uncoveredG, replacementLines };
      },
    },
    options,
  );
}
