import { Decimal } from 'decimal.js';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import {
  AppError, ForbiddenError, InvalidTransitionError, NotFoundError, UnauthenticatedError, ValidationError,
} from '../../platform/errors.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { parseInput } from '../../platform/validate.js';
import { BAG_G, gramsToKg } from '../../platform/weight.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import { runTransitionHooks } from '../orders/hooks.js';
import * as ordersRepo from '../orders/orders.repo.js';
import { accessToProducer } from '../producers/access.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { canTransition, refusal } from '../orders/state.js';
import { idempotent, type TxOptions } from '../orders/transaction.js';
import { appendEvents, type NewProvenanceEvent } from '../provenance/provenance.repo.js';
import * as repo from './allocation.repo.js';
import {
  AllocationInputError, type BindingConstraint, type Candidate, type Constraints, type PlanLine, type PlanResult,
  type PlanSummary, planAllocation, STRATEGIES, type Strategy, SUPPLY_MODES, type SupplyMode, validatePlanInput,
} from './engine.js';

/**
 * Allocation: splitting an order among the brand's approved members, and writing that split.
 *
 * Candidates of an order (both only from producers with an APPROVED membership in the brand):
 * - spot: graded, not off-grade lots of the order's product with grade rank ≤ the order's minimum
 *   rank and weight left (net − allocated > 0); date = harvest end;
 * - forward: OPEN commitments of the product promising rank ≤ the order's minimum rank, with weight
 *   left, whose delivery window overlaps the order's window; date = window start.
 * The pure engine (engine.ts) applies the strategy and the constraints (supply mode, regencies,
 * EUDR, whole bags, max share, minimum contribution) and names the binding constraint when short.
 *
 * Writing an allocation (`allocateInTransaction`) never allocates a kilogram twice:
 * 1. the caller has locked the order row (FOR UPDATE) and re-checked its status;
 * 2. candidate rows are locked FOR UPDATE in one global order — lots by id, then commitments by id —
 *    and availability is computed from the locked (current) rows;
 * 3. lines are inserted, allocated_g is incremented with relative updates, and the invariant
 *    "allocated_g = Σ ACTIVE lines (+ ACTIVE fulfilments for lots) ≤ net/committed" is re-checked on
 *    every touched row before commit (the DB CHECKs allocated_g ≤ net_g/committed_g back it);
 * 4. lock waits are bounded (lock_timeout 5 s → AllocationBusyError); deadlocks and serialization
 *    failures re-run the transaction a bounded number of times (see orders/transaction.ts).
 */

// Errors ----------------------------------------------------------------------------------------

/** The supply cannot cover the order under the constraints; nothing was written. */
export class InsufficientSupplyError extends AppError {
  readonly code = 'INSUFFICIENT_SUPPLY';
  constructor(
    readonly requestedG: number,
    readonly availableG: number,
    readonly shortfallG: number,
    readonly binding: BindingConstraint,
    message?: string,
  ) {
    super(
      message ??
        `Only ${gramsToKg(availableG)} kg of the ${gramsToKg(requestedG)} kg can be allocated (short ${gramsToKg(shortfallG)} kg); binding constraint: ${binding}`,
    );
    this.name = 'InsufficientSupplyError';
  }
}

/** The allocation invariant failed after writing (a bug or a writer that bypassed the locks); rolled back. */
export class AllocationInvariantError extends Error {
  constructor(readonly violations: repo.InvariantViolation[]) {
    super(
      `allocation invariant violated on ${violations
        .slice(0, 5)
        .map((v) => `${v.kind} ${v.id} (allocated ${v.allocatedG} g, active ${v.activeG} g, capacity ${v.capacityG} g)`)
        .join(', ')}`,
    );
    this.name = 'AllocationInvariantError';
  }
}

// Constraints -----------------------------------------------------------------------------------

/** Constraints as the client gives them (weights already in grams, percentages as decimal text). */
export interface ConstraintsInput {
  wholeBags?: boolean | null;
  minContribution?: number | null;
  maxSharePct?: string | null;
  regencies?: readonly string[] | null;
  eudrOnly?: boolean | null;
  supply?: SupplyMode | null;
}

/** Constraints as stored on the order (orders.constraints) and shown back. */
export interface StoredConstraints {
  wholeBags: boolean;
  minContributionG: number;
  maxSharePct: string | null;
  regencies: string[] | null;
  eudrOnly: boolean;
  supply: SupplyMode;
}

const ConstraintsSchema = z
  .object({
    wholeBags: z.boolean().nullish(),
    minContribution: z.number().int('must be a whole number of grams').min(0, 'must be 0 (no minimum) or more').nullish(),
    maxSharePct: z
      .string()
      .trim()
      .regex(/^\d{1,3}(\.\d{1,4})?$/, 'must be a percentage with at most 4 decimals, e.g. "12.5"')
      .refine((v) => new Decimal(v).gt(0) && new Decimal(v).lte(100), 'must be more than 0 and at most 100')
      .nullish(),
    regencies: z
      .array(z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'))
      .min(1, 'must name at least one regency (omit it to allow every regency)')
      .max(50, 'at most 50 regencies')
      .nullish(),
    eudrOnly: z.boolean().nullish(),
    supply: z.enum(SUPPLY_MODES as unknown as [SupplyMode, ...SupplyMode[]]).nullish(),
  })
  .nullish();

/** Where each engine input field lives in the GraphQL input. */
const ENGINE_FIELD_PATH: Record<string, string> = {
  quantityG: 'input.constraints.wholeBags',
  minGradeRank: 'input.orderId',
  strategy: 'input.strategy',
  wholeBags: 'input.constraints.wholeBags',
  eudrOnly: 'input.constraints.eudrOnly',
  supply: 'input.constraints.supply',
  minContributionG: 'input.constraints.minContribution',
  maxSharePct: 'input.constraints.maxSharePct',
  regencies: 'input.constraints.regencies',
};

/** An engine input error as a ValidationError naming the GraphQL input field. */
export function toValidationError(e: AllocationInputError): ValidationError | AllocationInputError {
  const path = ENGINE_FIELD_PATH[e.field];
  return path ? ValidationError.field(path, e.message) : e;
}

/**
 * Effective constraints for an order: the order's wholeBags always applies (it cannot be switched
 * off), every other constraint defaults to "none". Bad values are a ValidationError naming
 * `input.constraints.<field>`.
 */
export function resolveConstraints(order: Pick<OrderRow, 'whole_bags' | 'quantity_g'>, input: ConstraintsInput | null | undefined): StoredConstraints {
  const c = parseInput(ConstraintsSchema, input ?? null, 'input.constraints') ?? {};
  if (order.whole_bags && c.wholeBags === false) {
    throw ValidationError.field('input.constraints.wholeBags', 'the order asks for whole 60 kg bags; this cannot be switched off');
  }
  const wholeBags = order.whole_bags || c.wholeBags === true;
  if (wholeBags && order.quantity_g % BAG_G !== 0) {
    throw ValidationError.field(
      'input.constraints.wholeBags',
      `the order quantity ${gramsToKg(order.quantity_g)} kg is not a whole number of 60 kg bags`,
    );
  }
  const regencies = c.regencies ? [...new Set(c.regencies)] : null;
  return {
    wholeBags,
    minContributionG: c.minContribution ?? 0,
    maxSharePct: c.maxSharePct ? new Decimal(c.maxSharePct).toFixed() : null,
    regencies,
    eudrOnly: c.eudrOnly ?? false,
    supply: c.supply ?? 'EITHER',
  };
}

/** Regency names are matched case-insensitively (as availability does). */
const regencyKey = (r: string) => r.trim().toLowerCase();

export function engineConstraints(c: StoredConstraints): Constraints {
  return {
    wholeBags: c.wholeBags,
    minContributionG: c.minContributionG,
    // At most 4 decimals (validated), which the engine takes exactly: round(pct · 10^4).
    maxSharePct: c.maxSharePct === null ? null : Number(c.maxSharePct),
    regencies: c.regencies === null ? null : c.regencies.map(regencyKey),
    eudrOnly: c.eudrOnly,
    supply: c.supply,
  };
}

export function resolveStrategy(given: Strategy | null | undefined, brandDefault: string | null | undefined): Strategy {
  if (given) return given;
  return STRATEGIES.includes(brandDefault as Strategy) ? (brandDefault as Strategy) : 'PRO_RATA';
}

// The core --------------------------------------------------------------------------------------

export interface AllocationRequest {
  strategy: Strategy;
  constraints: Constraints;
  /** Grams to allocate: the order quantity, or a shortfall being reallocated. */
  quantityG: number;
  excludeLotIds?: readonly number[];
  excludeCommitmentIds?: readonly number[];
  excludeProducerIds?: readonly number[];
  /** Written on every new line (reallocation of a failed line). */
  replacesLineId?: number | null;
  /** Provenance event kind written per line; default 'ALLOCATED'. */
  eventKind?: string;
  /** Extra payload merged into each provenance event. */
  eventPayload?: Record<string, unknown>;
}

/** TEST-ONLY switches; never reachable from GraphQL. */
export interface UnsafeOptions {
  /** Skip FOR UPDATE and write allocated_g from the values read (lost update), without re-checking. */
  unsafeSkipLocks?: boolean;
}

export type OkPlan = Extract<PlanResult, { ok: true }>;

export interface CandidateSet {
  lots: repo.LotRow[];
  commitments: repo.CommitmentRow[];
  candidates: Candidate[];
}

const lotKey = (id: number) => `L${id}`;
const commitmentKey = (id: number) => `C${id}`;

export function toCandidates(lots: readonly repo.LotRow[], commitments: readonly repo.CommitmentRow[]): Candidate[] {
  const out: Candidate[] = [];
  for (const l of lots) {
    out.push({
      id: lotKey(l.id),
      kind: 'SPOT',
      producerId: String(l.producer_id),
      gradeRank: l.grade_rank as number,
      availableG: l.net_g - l.allocated_g,
      date: l.harvest_end,
      regency: regencyKey(l.regency),
      eudrReady: l.eudr_ready,
    });
  }
  for (const c of commitments) {
    out.push({
      id: commitmentKey(c.id),
      kind: 'FORWARD',
      producerId: String(c.producer_id),
      gradeRank: c.min_grade_rank,
      availableG: c.committed_g - c.allocated_g,
      date: c.window_start,
      regency: regencyKey(c.regency),
      eudrReady: c.eudr_ready,
    });
  }
  return out;
}

/** Load the candidates of an order (locked FOR UPDATE in the global order when `lock` is 'update'). */
export async function loadCandidates(
  db: Kysely<DB> | Transaction<DB>,
  order: OrderRow,
  request: Pick<AllocationRequest, 'excludeLotIds' | 'excludeCommitmentIds' | 'excludeProducerIds'>,
  lock: repo.LockMode,
): Promise<CandidateSet> {
  const query: repo.CandidateQuery = {
    productId: order.product_id,
    brandId: order.brand_id,
    minGradeRank: order.min_grade_rank,
    windowStart: order.window_start,
    windowEnd: order.window_end,
    ...(request.excludeLotIds ? { excludeLotIds: request.excludeLotIds } : {}),
    ...(request.excludeCommitmentIds ? { excludeCommitmentIds: request.excludeCommitmentIds } : {}),
    ...(request.excludeProducerIds ? { excludeProducerIds: request.excludeProducerIds } : {}),
  };
  // Lots first, then commitments: the global lock order.
  const lots = await repo.candidateLots(db, query, lock);
  const commitments = await repo.candidateCommitments(db, query, lock);
  return { lots, commitments, candidates: toCandidates(lots, commitments) };
}

/** Run the engine; engine input errors become ValidationErrors naming the input field; short supply throws. */
export function planOrThrow(order: OrderRow, candidates: readonly Candidate[], request: AllocationRequest): OkPlan {
  let plan: PlanResult;
  try {
    plan = planAllocation({ quantityG: request.quantityG, minGradeRank: order.min_grade_rank }, candidates, request.strategy, request.constraints);
  } catch (e) {
    if (e instanceof AllocationInputError) throw toValidationError(e);
    throw e;
  }
  if (!plan.ok) throw new InsufficientSupplyError(plan.requestedG, plan.availableG, plan.shortfallG, plan.binding);
  return plan;
}

export interface AllocationOutcome {
  plan: OkPlan;
  /** The lines written, in id order. */
  lines: repo.LineRow[];
  /** The candidate rows as locked, before the update. */
  lots: repo.LotRow[];
  commitments: repo.CommitmentRow[];
}

const parseKey = (key: string): { lotId: number | null; commitmentId: number | null } =>
  key.startsWith('L') ? { lotId: Number(key.slice(1)), commitmentId: null } : { lotId: null, commitmentId: Number(key.slice(1)) };

/**
 * The provenance event of one line (allocated, reallocated, released, …): on the line's lot or
 * commitment, for its order, with the line in the payload followed by `extra`.
 */
function lineEvent(kind: string, l: repo.LineRow, actorUserId: number | null, extra: Record<string, unknown>): NewProvenanceEvent {
  return {
    kind,
    lotId: l.lot_id,
    commitmentId: l.commitment_id,
    orderId: l.order_id,
    actorUserId,
    payload: { orderId: l.order_id, lineId: l.id, producerId: l.producer_id, weightG: l.weight_g, ...extra },
  };
}

/**
 * Allocate `request.quantityG` of `order` inside the caller's transaction: lock and load the
 * candidates, run the engine, insert the lines, add to allocated_g, re-check the invariant and
 * append one provenance event per line. All or nothing: InsufficientSupplyError (or a
 * ValidationError for bad constraints) is thrown before anything is written.
 *
 * The caller must hold the order row lock (`ordersRepo.lockOrder`) and have checked its status; it
 * updates the order itself (status, uncovered weight, …). Reused by acceptOrder and by reallocation.
 */
export async function allocateInTransaction(
  trx: Transaction<DB>,
  order: OrderRow,
  request: AllocationRequest,
  actor: { userId: number | null },
  unsafe: UnsafeOptions = {},
): Promise<AllocationOutcome> {
  const skipLocks = unsafe.unsafeSkipLocks === true;
  const { lots, commitments, candidates } = await loadCandidates(trx, order, request, skipLocks ? 'none' : 'update');
  const plan = planOrThrow(order, candidates, request);

  const producerOf = new Map<string, number>();
  const newLines: repo.NewLine[] = plan.lines.map((l: PlanLine) => {
    const { lotId, commitmentId } = parseKey(l.candidateId);
    producerOf.set(l.candidateId, Number(l.producerId));
    return {
      orderId: order.id,
      producerId: Number(l.producerId),
      lotId,
      commitmentId,
      weightG: l.weightG,
      reason: l.reason,
      replacesLineId: request.replacesLineId ?? null,
    };
  });
  const lines = await repo.insertLines(trx, newLines);

  const lotDelta = new Map<number, number>();
  const commitmentDelta = new Map<number, number>();
  for (const l of lines) {
    if (l.lot_id !== null) lotDelta.set(l.lot_id, (lotDelta.get(l.lot_id) ?? 0) + l.weight_g);
    else if (l.commitment_id !== null) commitmentDelta.set(l.commitment_id, (commitmentDelta.get(l.commitment_id) ?? 0) + l.weight_g);
  }
  if (skipLocks) {
    // The lost-update pattern the locks prevent: write back what was read plus the delta.
    const absolute = (rows: ReadonlyArray<{ id: number; allocated_g: number }>, delta: Map<number, number>) =>
      new Map(rows.filter((r) => delta.has(r.id)).map((r) => [r.id, r.allocated_g + (delta.get(r.id) as number)]));
    await repo.setAllocated(trx, 'lots', absolute(lots, lotDelta));
    await repo.setAllocated(trx, 'commitments', absolute(commitments, commitmentDelta));
  } else {
    await repo.addAllocated(trx, 'lots', lotDelta);
    await repo.addAllocated(trx, 'commitments', commitmentDelta);
    const violations = await repo.invariantViolations(trx, [...lotDelta.keys()], [...commitmentDelta.keys()]);
    if (violations.length > 0) throw new AllocationInvariantError(violations);
  }

  await appendEvents(
    trx,
    lines.map((l) =>
      lineEvent(request.eventKind ?? 'ALLOCATED', l, actor.userId, {
        strategy: request.strategy,
        ...(l.replaces_line_id !== null ? { replacesLineId: l.replaces_line_id } : {}),
        ...request.eventPayload,
      }),
    ),
  );
  return { plan, lines, lots, commitments };
}

/**
 * Release lines (cancellation, or before reallocating them): lock their lots and commitments in the
 * global order, mark them RELEASED (or `status`), subtract their weight from allocated_g, re-check
 * the invariant and append one provenance event (`eventKind`, default 'RELEASED') per line.
 * Forward lines' fulfilments are not touched here (the fulfilment module owns them).
 */
export async function releaseLines(
  trx: Transaction<DB>,
  lines: readonly repo.LineRow[],
  actor: { userId: number | null },
  options: { status?: 'RELEASED' | 'SHORTFALL'; eventKind?: string; reason?: string | null } = {},
): Promise<repo.LineRow[]> {
  const active = lines.filter((l) => l.status === 'ACTIVE');
  if (active.length === 0) return [];
  const lotDelta = new Map<number, number>();
  const commitmentDelta = new Map<number, number>();
  for (const l of active) {
    if (l.lot_id !== null) lotDelta.set(l.lot_id, (lotDelta.get(l.lot_id) ?? 0) - l.weight_g);
    else if (l.commitment_id !== null) commitmentDelta.set(l.commitment_id, (commitmentDelta.get(l.commitment_id) ?? 0) - l.weight_g);
  }
  const byId = (a: number, b: number) => a - b;
  await repo.lockSupply(trx, [...lotDelta.keys()].sort(byId), [...commitmentDelta.keys()].sort(byId));
  const status = options.status ?? 'RELEASED';
  await repo.setLinesStatus(trx, active.map((l) => l.id), status);
  await repo.addAllocated(trx, 'lots', lotDelta);
  await repo.addAllocated(trx, 'commitments', commitmentDelta);
  const violations = await repo.invariantViolations(trx, [...lotDelta.keys()], [...commitmentDelta.keys()]);
  if (violations.length > 0) throw new AllocationInvariantError(violations);
  await appendEvents(
    trx,
    active.map((l) => lineEvent(options.eventKind ?? 'RELEASED', l, actor.userId, options.reason ? { reason: options.reason } : {})),
  );
  return active.map((l) => ({ ...l, status }));
}

/** Release every ACTIVE line of an order (manager's cancellation). The caller holds the order lock. */
export async function releaseOrderAllocation(trx: Transaction<DB>, orderId: number, actor: { userId: number | null }, reason: string | null) {
  return releaseLines(trx, await repo.activeLinesOfOrder(trx, orderId), actor, { reason });
}

// Acting on orders ------------------------------------------------------------------------------

const requirePrincipal = (actor: Principal | null): Principal => {
  if (!actor) throw new UnauthenticatedError();
  return actor;
};

const STRATEGY = z.enum(STRATEGIES as unknown as [Strategy, ...Strategy[]]);

const PreviewInput = z.object({
  orderId: z.number().int(),
  strategy: STRATEGY.nullish(),
  constraints: z.unknown().optional(),
});

const AcceptInput = PreviewInput.extend({
  idempotencyKey: z.string().min(8, 'must be 8 to 200 characters').max(200, 'must be 8 to 200 characters'),
});

export interface PlanRequestInput {
  orderId: number;
  strategy?: Strategy | null;
  constraints?: ConstraintsInput | null;
}

export interface AllocationPreview {
  order: OrderRow;
  strategy: Strategy;
  constraints: StoredConstraints;
  plan: OkPlan;
  lots: repo.LotRow[];
  commitments: repo.CommitmentRow[];
}

/** Check the order may be accepted by this actor: exists, is theirs to manage, is REQUESTED. */
function assertMayAccept(actor: Principal, order: OrderRow | undefined): asserts order is OrderRow {
  if (!order || !canSeeOrder(actor, order)) throw new NotFoundError('Order', 'input.orderId');
  if (!managesOrder(actor, order)) throw new ForbiddenError('Only the brand manager of the order\'s brand may allocate it');
  if (!canTransition(order.status, 'ACCEPTED', 'MANAGER')) {
    throw new InvalidTransitionError('Order', order.status, 'ACCEPTED', refusal(order.status, 'ACCEPTED', 'MANAGER') ?? undefined);
  }
}

async function resolveRequest(db: Kysely<DB> | Transaction<DB>, order: OrderRow, input: PlanRequestInput) {
  const brand = await repo.findBrandSettings(db, order.brand_id);
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
  const order = await ordersRepo.findOrder(db, parsed.orderId);
  assertMayAccept(principal, order);
  const { strategy, constraints, engine } = await resolveRequest(db, order, input);
  const set = await loadCandidates(db, order, {}, 'none');
  const plan = planOrThrow(order, set.candidates, { strategy, constraints: engine, quantityG: order.quantity_g });
  return { order, strategy, constraints, plan, lots: set.lots, commitments: set.commitments };
}

export interface AcceptInput extends PlanRequestInput {
  idempotencyKey: string;
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
  options: UnsafeOptions & TxOptions = {},
): Promise<OrderRow> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(AcceptInput, input);
  const { unsafeSkipLocks, ...txOptions } = options;
  return idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'acceptOrder',
      key: parsed.idempotencyKey,
      request: { orderId: parsed.orderId, strategy: parsed.strategy ?? null, constraints: input.constraints ?? null },
      work: async (trx) => {
        const order = await ordersRepo.lockOrder(trx, parsed.orderId);
        assertMayAccept(principal, order);
        const { brand, strategy, constraints, engine } = await resolveRequest(trx, order, input);
        const outcome = await allocateInTransaction(
          trx,
          order,
          { strategy, constraints: engine, quantityG: order.quantity_g },
          { userId: principal.userId },
          { unsafeSkipLocks: unsafeSkipLocks === true },
        );
        await runTransitionHooks(trx, { order, from: order.status, to: 'ACCEPTED', actor: principal, reason: null });
        const accepted = await ordersRepo.updateOrder(trx, order.id, {
          status: 'ACCEPTED',
          strategy,
          constraints: JSON.stringify(constraints),
          fee_pct: brand?.fee_pct ?? null,
          uncovered_g: 0,
        });
        const s = outcome.plan.summary;
        await ordersRepo.insertOrderEvent(trx, {
          orderId: order.id,
          from: order.status,
          to: 'ACCEPTED',
          actorUserId: principal.userId,
          reason: `Accepted with ${strategy}: ${outcome.lines.length} line(s) from ${s.contributors} producer(s), ` +
            `${gramsToKg(s.spotG)} kg spot and ${gramsToKg(s.forwardG)} kg forward`,
        });
        return { result: accepted, response: { orderId: accepted.id } };
      },
      replay: async ({ orderId }: { orderId: number }) => {
        const order = await ordersRepo.findOrder(db, orderId);
        if (!order) throw new NotFoundError('Order', 'input.orderId');
        return order;
      },
    },
    txOptions,
  );
}

// Presentation helpers --------------------------------------------------------------------------

/** A sentence explaining the fairness index of a plan. */
export function explainFairness(s: PlanSummary): string {
  const n = s.eligibleProducers;
  const floor = n > 0 ? new Decimal(1).div(n).toDecimalPlaces(4).toFixed() : '0';
  return (
    `Jain's fairness index ${s.fairness} over the ${n} producer(s) with eligible supply, computed on the share of ` +
    `their eligible weight each ships: 1 means every producer ships the same fraction of what they offered; ` +
    `${floor} (1/${n}) means one producer ships everything. ${s.contributors} of ${n} contribute.`
  );
}


// Lists -----------------------------------------------------------------------------------------

/** Lines of the producers the caller acts for (own producer, cooperative members), filtered in SQL. */
export function listMyLines(db: Kysely<DB>, actor: Principal | null, filter: repo.LineFilter, page: KeysetPage) {
  const principal = requirePrincipal(actor);
  const scope: repo.LineScope = {
    all: false,
    producerIds: orgIdsWithRole(principal, 'PRODUCER'),
    cooperativeIds: orgIdsWithRole(principal, 'COOP_MANAGER'),
    brandIds: [],
  };
  return repo.listLines(db, scope, filter, page);
}

/**
 * One producer's lines, as far as the caller may see them: all of them for the producer's side
 * (themself, their cooperative manager) and admins; those of the brand's orders for a brand
 * manager; none for anyone else.
 */
export async function listProducerLines(
  db: Kysely<DB>,
  actor: Principal | null,
  producerId: number,
  filter: repo.LineFilter,
  page: KeysetPage,
) {
  const principal = requirePrincipal(actor);
  const access = await accessToProducer(db, principal, producerId);
  const scope: repo.LineScope = access.manage
    ? { all: true }
    : { all: false, producerIds: [], cooperativeIds: [], brandIds: orgIdsWithRole(principal, 'BRAND_MANAGER') };
  return repo.listLines(db, scope, { ...filter, producerId }, page);
}
