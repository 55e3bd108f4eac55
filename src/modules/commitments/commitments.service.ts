import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { hasRole, type Principal } from '../../platform/auth.js';
import type { DB, Db } from '../../platform/db-types.js';
import {
  AppError, ConflictError, ForbiddenError, InvalidTransitionError, type Issue, issueAt, NotFoundError, UnauthenticatedError, ValidationError,
} from '../../platform/errors.js';
import { addDaysIso, EARLIEST_DATE, IsoDate, MAX_WINDOW_START_DAYS, todayIso } from '../../platform/dates.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { addIssue, parseInput, positiveWeight, zm } from '../../platform/validate.js';
import { gramsToKg } from '../../platform/weight.js';
import { kg } from '../../platform/format.js';
import * as brandsRepo from '../brands/brands.repo.js';
import { requireGrade } from '../brands/brands.service.js';
import * as lotsRepo from '../lots/lots.repo.js';
import { assertApprovedMember } from '../memberships/memberships.service.js';
import * as plotsRepo from '../plots/plots.repo.js';
import { accessToProducer, assertCanManageProducer } from '../producers/access.js';
import * as provenance from '../provenance/provenance.repo.js';
import { emit, globalId, producerAudience } from '../outbox/outbox.js';
import * as repo from './commitments.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES, type IssueText, kgId } from '../../platform/issue-messages.js';

/**
 * Commitments: a producer's promise to deliver a volume of a product, at a minimum grade, within a
 * delivery window (forward supply). Rules:
 * - the producer themself, their cooperative manager or an admin acts; the producer must be an
 *   APPROVED member of the product's brand to commit or amend (withdrawing needs no membership);
 * - weight > 0 and at most 1,000 t; window end ≥ window start; the window must not have ended
 *   already, nor start more than 3 years ahead;
 * - the minimum grade is a code of the product's current grade scheme (stored with its rank);
 * - the commitment never drops below what is allocated to orders: amending below it is a
 *   ValidationError, withdrawing while anything is allocated is a CommitmentAllocatedError
 *   (rows are locked FOR UPDATE; the DB CHECK allocated_g <= committed_g backs it);
 * - while anything is allocated the window is fixed (allocated orders were matched on it);
 * - EUDR-ready when the producer has at least one plot and every plot is EUDR-ready (evaluated
 *   when the commitment is made; the lots delivered against it carry their own readiness).
 * Every change appends a provenance event (COMMITTED, COMMITMENT_AMENDED, COMMITMENT_WITHDRAWN).
 */

/** Withdrawing a commitment that still has weight allocated to orders. */
export class CommitmentAllocatedError extends AppError {
  readonly code = 'COMMITMENT_ALLOCATED';
  constructor(readonly allocatedG: number, readonly path: string | null = 'input.commitmentId') {
    super(`${kg(allocatedG, 'en')} of this commitment is allocated to orders; release it from those orders before withdrawing`);
    this.name = 'CommitmentAllocatedError';
  }

  override indonesian(): string {
    return `${kg(this.allocatedG, 'id')} dari komitmen ini sudah dialokasikan ke pesanan; lepaskan dari pesanan tersebut sebelum menarik komitmen.`;
  }
}

const weight = positiveWeight();

function checkWindow(
  start: string,
  end: string,
  add: (path: 'windowStart' | 'windowEnd', text: IssueText) => void,
  endPath: 'windowStart' | 'windowEnd' = 'windowEnd',
) {
  const today = todayIso();
  const latestStart = addDaysIso(today, MAX_WINDOW_START_DAYS);
  if (start < EARLIEST_DATE) add('windowStart', ISSUES.onOrAfterDate({ date: EARLIEST_DATE }));
  if (start > latestStart) add('windowStart', ISSUES.notLaterThan({ latest: latestStart }));
  if (end < start) {
    add(
      endPath,
      endPath === 'windowEnd'
        ? ISSUES.onOrAfter({ field: 'windowStart', value: start })
        : { en: `must be on or before windowEnd (${end})`, id: `harus sama dengan atau sebelum windowEnd (${end})` },
    );
  }
  else if (end < today) add('windowEnd', ISSUES.notInPast({ today }));
}

const CommitVolumeInput = z
  .object({
    producerId: z.number().int(),
    productId: z.number().int(),
    minGrade: z.string().trim().min(1, zm(ISSUES.nameAGrade)).max(32, zm(ISSUES.maxChars({ max: 32 }))),
    weight,
    windowStart: IsoDate,
    windowEnd: IsoDate,
  })
  .superRefine((v, ctx) =>
    checkWindow(v.windowStart, v.windowEnd, (path, text) => addIssue(ctx, [path], text)),
  );

/** Whether the producer's plots make its supply EUDR-ready: at least one plot, all of them ready. */
async function producerEudrReady(db: Db, producerId: number): Promise<boolean> {
  const [row] = await plotsRepo.plotReadiness(db, [producerId]);
  return row !== undefined && row.plots > 0 && row.ready === row.plots;
}

export async function commitVolume(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof CommitVolumeInput>) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(CommitVolumeInput, input);
  return inTransaction(db, async (trx) => {
    await assertCanManageProducer(trx, actor, parsed.producerId, 'input.producerId');
    const producer = await lotsRepo.findProducer(trx, parsed.producerId);
    if (!producer) throw new NotFoundError('Producer', 'input.producerId');
    const product = await brandsRepo.findProduct(trx, parsed.productId);
    if (!product) throw new NotFoundError('Product', 'input.productId');
    await assertApprovedMember(trx, parsed.producerId, product.brand_id, 'input.producerId');
    const grade = await requireGrade(trx, product.id, parsed.minGrade, 'input.minGrade');
    const commitment = await repo.insertCommitment(trx, {
      producer_id: parsed.producerId,
      product_id: product.id,
      brand_id: product.brand_id,
      regency: producer.regency,
      min_grade_code: grade.code,
      min_grade_rank: grade.rank,
      committed_g: parsed.weight,
      window_start: parsed.windowStart,
      window_end: parsed.windowEnd,
      eudr_ready: await producerEudrReady(trx, parsed.producerId),
    });
    await provenance.appendEvent(trx, {
      kind: 'COMMITTED',
      commitmentId: commitment.id,
      actorUserId: actor.userId,
      payload: {
        producerId: commitment.producer_id,
        productId: commitment.product_id,
        committedG: commitment.committed_g,
        minGrade: { code: grade.code, rank: grade.rank, schemeId: grade.schemeId },
        windowStart: commitment.window_start,
        windowEnd: commitment.window_end,
        eudrReady: commitment.eudr_ready,
      },
    });
    await emitCommitmentChanged(trx, 'COMMITTED', commitment);
    return commitment;
  });
}

const AmendCommitmentInput = z.object({
  commitmentId: z.number().int(),
  weight: weight.nullish(),
  windowStart: IsoDate.nullish(),
  windowEnd: IsoDate.nullish(),
});

async function lockOwnCommitment(trx: Transaction<DB>, actor: Principal, commitmentId: number) {
  const commitment = await repo.lockCommitment(trx, commitmentId);
  if (!commitment) throw new NotFoundError('Commitment', 'input.commitmentId');
  if ((await accessToProducer(trx, actor, commitment.producer_id)).manage) return commitment;
  // The commitment's brand sees it (and is refused); anyone else is answered as for an unknown commitment.
  if (hasRole(actor, 'BRAND_MANAGER', commitment.brand_id) || hasRole(actor, 'CURATOR', commitment.brand_id)) {
    throw new ForbiddenError('Only the producer, their cooperative manager or an admin may act for this producer');
  }
  throw new NotFoundError('Commitment', 'input.commitmentId');
}

/** Change the weight and/or window of an OPEN commitment; never below what is allocated. */
export async function amendCommitment(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof AmendCommitmentInput>) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(AmendCommitmentInput, input);
  if (parsed.weight == null && parsed.windowStart == null && parsed.windowEnd == null) {
    throw ValidationError.field('input', ISSUES.nothingToChangePrefixed({ fields: 'weight, windowStart, windowEnd' }));
  }
  return inTransaction(db, async (trx) => {
    const before = await lockOwnCommitment(trx, actor, parsed.commitmentId);
    if (before.status !== 'OPEN') throw new ConflictError('A withdrawn commitment cannot be amended', 'input.commitmentId');
    await assertApprovedMember(trx, before.producer_id, before.brand_id, 'input.commitmentId');

    const start = parsed.windowStart ?? before.window_start;
    const end = parsed.windowEnd ?? before.window_end;
    const issues: Issue[] = [];
    if (parsed.weight != null && parsed.weight < before.allocated_g) {
      const [allocated, got] = [gramsToKg(before.allocated_g), gramsToKg(parsed.weight)];
      issues.push(issueAt('input.weight', {
        en: `must be at least the ${allocated} kg already allocated to orders (got ${got} kg)`,
        id: `tidak boleh kurang dari ${kgId(allocated)} yang sudah dialokasikan ke pesanan (yang diisi ${kgId(got)})`,
      }));
    }
    if (parsed.windowStart != null || parsed.windowEnd != null) {
      checkWindow(start, end, (path, text) => issues.push(issueAt(`input.${path}`, text)), parsed.windowEnd != null ? 'windowEnd' : 'windowStart');
    }
    if (issues.length > 0) throw new ValidationError(issues);
    const windowChanges = start !== before.window_start || end !== before.window_end;
    if (windowChanges && before.allocated_g > 0) {
      throw new ConflictError(
        `${kg(before.allocated_g, 'en')} of this commitment is allocated to orders, so its delivery window is fixed`,
        parsed.windowStart != null ? 'input.windowStart' : 'input.windowEnd',
      );
    }
    const after = await repo.updateCommitment(trx, before.id, {
      committed_g: parsed.weight ?? before.committed_g,
      window_start: start,
      window_end: end,
      updated_at: new Date(),
    });
    await provenance.appendEvent(trx, {
      kind: 'COMMITMENT_AMENDED',
      commitmentId: before.id,
      actorUserId: actor.userId,
      payload: {
        before: { committedG: before.committed_g, windowStart: before.window_start, windowEnd: before.window_end },
        after: { committedG: after.committed_g, windowStart: after.window_start, windowEnd: after.window_end },
      },
    });
    await emitCommitmentChanged(trx, 'AMENDED', after);
    return after;
  });
}

const WithdrawCommitmentInput = z.object({
  commitmentId: z.number().int(),
  reason: z.string().trim().min(1, zm(ISSUES.sayWhy)).max(500, zm(ISSUES.maxChars({ max: 500 }))),
});

/** Withdraw an OPEN commitment that has nothing allocated. */
export async function withdrawCommitment(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof WithdrawCommitmentInput>) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(WithdrawCommitmentInput, input);
  return inTransaction(db, async (trx) => {
    const before = await lockOwnCommitment(trx, actor, parsed.commitmentId);
    if (before.status !== 'OPEN') throw new InvalidTransitionError('Commitment', before.status, 'WITHDRAWN');
    if (before.allocated_g > 0) throw new CommitmentAllocatedError(before.allocated_g);
    const after = await repo.updateCommitment(trx, before.id, { status: 'WITHDRAWN', updated_at: new Date() });
    await provenance.appendEvent(trx, {
      kind: 'COMMITMENT_WITHDRAWN',
      commitmentId: before.id,
      actorUserId: actor.userId,
      payload: { reason: parsed.reason, committedG: before.committed_g },
    });
    await emitCommitmentChanged(trx, 'WITHDRAWN', after);
    return after;
  });
}

/** commitment.changed in the outbox (the brand, the producer, the producer's cooperative). */
async function emitCommitmentChanged(trx: Transaction<DB>, change: 'COMMITTED' | 'AMENDED' | 'WITHDRAWN', c: repo.CommitmentRow) {
  await emit(trx, {
    type: 'commitment.changed',
    subject: { type: 'Commitment', id: c.id },
    audience: await producerAudience(trx, c.brand_id, c.producer_id),
    data: {
      change,
      commitment: {
        id: globalId('Commitment', c.id), producer: globalId('Producer', c.producer_id), product: globalId('Product', c.product_id),
        committedKg: gramsToKg(c.committed_g), minGrade: c.min_grade_code, windowStart: c.window_start, windowEnd: c.window_end, status: c.status,
      },
    },
  });
}

/** Commitments the caller may see, filtered in SQL (buyers and anonymous callers see none). */
export function listCommitments(db: Kysely<DB>, actor: Principal | null, filter: repo.CommitmentFilter, page: KeysetPage) {
  if (!actor) throw new UnauthenticatedError();
  return repo.listCommitments(db, actor, filter, page);
}

/** A page of the commitments the caller may see for each of many producers (one query). */
export function commitmentsPerProducer(
  db: Kysely<DB>,
  actor: Principal | null,
  producerIds: readonly number[],
  filter: repo.CommitmentFilter,
  page: KeysetPage,
) {
  if (!actor) throw new UnauthenticatedError();
  return repo.commitmentsPerProducer(db, actor, producerIds, filter, page);
}
