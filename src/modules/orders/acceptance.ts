import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB, Db } from '../../platform/db-types.js';
import { BusyError, ForbiddenError, InvalidTransitionError, NotFoundError } from '../../platform/errors.js';
import { IdempotencyKey, idempotent } from '../../platform/idempotency.js';
import { ConcurrencyGate } from '../../platform/limits/gate.js';
import type { TxOptions } from '../../platform/transaction.js';
import { parseInput } from '../../platform/validate.js';
import { kg, texts } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import * as ledger from '../allocation/allocation.service.js';
import type { CommitmentRow, LotRow } from '../allocation/allocation.repo.js';
import {
  type ConstraintsInput, engineConstraints, resolveConstraints, resolveStrategy, type StoredConstraints, toValidationError,
} from '../allocation/constraints.js';
import { AllocationInputError, STRATEGIES, type Strategy, validatePlanInput } from '../allocation/engine.js';
import { canSeeOrder, managesOrder } from './access.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';
import { replayOrder, transitionInTransaction } from './orders.service.js';
import { canTransition, refusal } from './state.js';

/**
 * Accepting an order (REQUESTED → ACCEPTED) and previewing what acceptance would write: the order
 * workflow on top of the supply ledger (allocation.service). Acceptance writes the allocation and
 * then goes through the same transitionInTransaction as every other status change, which also
 * stores the strategy, the constraints and the brand's fee snapshot.
 */

const STRATEGY = z.enum(STRATEGIES as unknown as [Strategy, ...Strategy[]]);

const PreviewInput = z.object({
  orderId: z.number().int(),
  strategy: STRATEGY.nullish(),
  constraints: z.unknown().optional(),
});

const AcceptInput = PreviewInput.extend({
  idempotencyKey: IdempotencyKey,
});

export interface PlanRequestInput {
  orderId: number;
  strategy?: Strategy | null;
  constraints?: ConstraintsInput | null;
}

export interface AcceptInput extends PlanRequestInput {
  idempotencyKey: string;
}

export interface AllocationPreview {
  order: OrderRow;
  strategy: Strategy;
  constraints: StoredConstraints;
  plan: ledger.OkPlan;
  lots: LotRow[];
  commitments: CommitmentRow[];
}

/** The order event's reason for an acceptance, per language. */
const ACCEPTED_TEXT: Readonly<Record<Language, (strategy: Strategy, lines: number, contributors: number, spotG: number, forwardG: number) => string>> = {
  en: (strategy, lines, contributors, spotG, forwardG) =>
    `Accepted with ${strategy}: ${lines} line(s) from ${contributors} producer(s), ${kg(spotG, 'en')} spot and ${kg(forwardG, 'en')} forward`,
  id: (strategy, lines, contributors, spotG, forwardG) =>
    `Diterima dengan ${strategy}: ${lines} baris dari ${contributors} produsen, ${kg(spotG, 'id')} dari gudang dan ${kg(forwardG, 'id')} dari komitmen ke depan`,
};

/**
 * Acceptances that run at once in this process (ACCEPT_CONCURRENCY, default 8; configured by the
 * app), the others waiting their turn in arrival order (at most ACCEPT_QUEUE; beyond that
 * AllocationBusyError QUEUE_FULL, nothing written). Orders over shared supply all lock the same
 * lots, so past a few at once more concurrency only lengthens the lock queues: each waiter holds
 * the rows it already locked while it waits for the next (`npm run bench:contention`, 50 callers:
 * 8 at once gave more acceptances per second and a p99 under a fifth of 30 at once). A waiting
 * call holds no connection and no lock. It bounds one process; the row locks still serialise
 * what must be serialised across processes.
 */
export const acceptanceGate = new ConcurrencyGate(8, 1_000, () => new BusyError('QUEUE_FULL'));

/** Check the order may be accepted by this actor: exists, is theirs to manage, is REQUESTED. */
function assertMayAccept(actor: Principal, order: OrderRow | undefined): asserts order is OrderRow {
  if (!order || !canSeeOrder(actor, order)) throw new NotFoundError('Order', 'input.orderId');
  if (!managesOrder(actor, order)) throw new ForbiddenError('Only the brand manager of the order\'s brand may allocate it');
  if (!canTransition(order.status, 'ACCEPTED', 'MANAGER')) {
    throw new InvalidTransitionError('Order', order.status, 'ACCEPTED', refusal(order.status, 'ACCEPTED', 'MANAGER') ?? undefined);
  }
}

/** The strategy (given, or the brand's default) and the constraints, validated against the order. */
async function resolveRequest(db: Db, order: OrderRow, input: PlanRequestInput, brandRead?: repo.OrderBrandSettings) {
  const brand = brandRead ?? (await ledger.brandSettings(db, order.brand_id));
  const strategy = resolveStrategy(input.strategy, brand?.default_strategy);
  const constraints = resolveConstraints(order, input.constraints);
  const engine = engineConstraints(constraints);
  try {
    validatePlanInput({ quantityG: order.quantity_g, minGradeRank: order.min_grade_rank }, [], strategy, engine);
  } catch (e) {
    if (e instanceof AllocationInputError) throw toValidationError(e);
    throw e;
  }
  return { brand, strategy, constraints, engine };
}

/**
 * Show the plan acceptOrder would write now, writing nothing (brand manager of the order's brand).
 * Short supply is an InsufficientSupplyError, as for acceptOrder.
 */
export async function previewAllocation(db: Kysely<DB>, actor: Principal | null, input: PlanRequestInput): Promise<AllocationPreview> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(PreviewInput, input);
  const order = await repo.findOrder(db, parsed.orderId);
  assertMayAccept(principal, order);
  const { strategy, constraints, engine } = await resolveRequest(db, order, input);
  const set = await ledger.loadCandidates(db, order, {}, 'none');
  const plan = ledger.planOrThrow(order, set.candidates, { strategy, constraints: engine, quantityG: order.quantity_g });
  return { order, strategy, constraints, plan, lots: set.lots, commitments: set.commitments };
}

/**
 * Accept an order: write its allocation and move it REQUESTED → ACCEPTED in one transaction
 * (brand manager of the order's brand). Stores the strategy, the constraints and the brand's fee
 * percentage (snapshot) on the order. Idempotent on `idempotencyKey`.
 */
export async function acceptOrder(
  db: Kysely<DB>,
  actor: Principal | null,
  input: AcceptInput,
  options: ledger.UnsafeOptions & TxOptions = {},
): Promise<OrderRow> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(AcceptInput, input);
  const { unsafeSkipLocks, ...txOptions } = options;
  return acceptanceGate.run(() => idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'acceptOrder',
      key: parsed.idempotencyKey,
      request: { orderId: parsed.orderId, strategy: parsed.strategy ?? null, constraints: input.constraints ?? null },
      knownResponse: { orderId: parsed.orderId },
      work: async (trx) => {
        // The order's lock and its brand's settings in one statement.
        const locked = await repo.lockOrderWithBrand(trx, parsed.orderId);
        const order = locked?.order;
        assertMayAccept(principal, order);
        const { brand, strategy, constraints, engine } = await resolveRequest(trx, order, input, locked?.brand);
        // The transition (order row, its event, the hooks: settlement terms) is written with the plan,
        // before the supply rows are locked, so they are held only to take the weight and commit.
        const { alongside: accepted } = await ledger.allocateInTransaction(
          trx,
          order,
          { strategy, constraints: engine, quantityG: order.quantity_g },
          { userId: principal.userId },
          (plan) => {
            const s = plan.summary;
            const reason = texts((lang) => ACCEPTED_TEXT[lang](strategy, plan.lines.length, s.contributors, s.spotG, s.forwardG));
            return transitionInTransaction(trx, order, 'ACCEPTED', principal, reason, {
              strategy,
              constraints: JSON.stringify(constraints),
              fee_pct: brand?.fee_pct ?? null,
              uncovered_g: 0,
            });
          },
          { unsafeSkipLocks: unsafeSkipLocks === true },
        );
        return { result: accepted, response: { orderId: accepted.id } };
      },
      replay: replayOrder(db),
    },
    txOptions,
  ));
}
