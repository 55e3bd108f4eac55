import { Decimal } from 'decimal.js';
import type { Transaction } from 'kysely';
import type { DB, Db, Row } from '../../platform/db-types.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { decimal, kg, type Texts } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import { appendEvents, type NewProvenanceEvent } from '../provenance/provenance.repo.js';
import * as repo from './allocation.repo.js';
import { commitmentKey, lotKey, parseCandidateKey } from './candidate-key.js';
import { regencyKey, toValidationError } from './constraints.js';
import {
  AllocationInputError, type Candidate, type Constraints, type ExplainedLine, type PlanResult, type PlanSummary, planAllocation,
  type Strategy,
} from './engine.js';
import { AllocationInvariantError, InsufficientSupplyError } from './errors.js';
import { planStillHolds } from './plan-check.js';

/**
 * The supply ledger: the only writer of lots' and commitments' allocated_g and of allocation lines.
 * The order workflow (orders: accept; fulfilment: deliveries, shortfalls, regrades, cancellations)
 * sits on top and calls it inside its own transaction, holding the order row lock.
 *
 * Candidates of an order (both only from producers with an APPROVED membership in the brand):
 * - spot: graded, not off-grade lots of the order's product with grade rank ≤ the order's minimum
 *   rank and weight left (net − allocated > 0); date = harvest end;
 * - forward: OPEN commitments of the product promising rank ≤ the order's minimum rank, with weight
 *   left, whose delivery window overlaps the order's window; date = window start.
 * The pure engine (engine.ts) applies the strategy and the constraints (supply mode, regencies,
 * EUDR, whole bags, max share, minimum contribution) and names the binding constraint when short.
 *
 * Writing never allocates a kilogram twice:
 * 1. the caller has locked the order row (FOR UPDATE) and re-checked its status;
 * 2. supply rows are locked FOR NO KEY UPDATE in one global order — lots by id, then commitments by
 *    id (`lockSupply`, or the candidate queries) — and what is written is checked against the locked
 *    rows: allocating locks only the rows its plan uses, as late as it can, and re-checks the plan on
 *    them (see allocateInTransaction), the other writers compute availability from the locked rows;
 * 3. lines are written, allocated_g changes by relative updates, and the invariant
 *    "allocated_g = Σ ACTIVE lines (+ ACTIVE fulfilments for lots) ≤ net/committed" is re-checked on
 *    every touched row before commit (`applySupplyDeltas`; the DB CHECKs allocated_g ≤ net_g /
 *    committed_g back it);
 * 4. lock waits are bounded and deadlocks retried by the caller's transaction (platform/transaction.ts).
 */

/** What the ledger needs of an order. */
export type LedgerOrder = Pick<Row<'orders'>, 'id' | 'product_id' | 'brand_id' | 'min_grade_rank' | 'window_start' | 'window_end'>;

type LotRow = repo.LotRow;
type CommitmentRow = repo.CommitmentRow;
type LineRow = repo.LineRow;

// Supply rows: ids, locks, deltas -----------------------------------------------------------------

/** Something that holds weight on a lot or a commitment: an allocation line, a fulfilment. */
export interface SupplyHolding {
  lot_id: number | null;
  commitment_id?: number | null;
  weight_g: number;
}

/** Lots and commitments by id. */
export interface SupplyIds {
  lotIds: readonly number[];
  commitmentIds: readonly number[];
}

/** The lots and commitments the rows hold weight on. */
export const sourcesOf = (rows: ReadonlyArray<Omit<SupplyHolding, 'weight_g'>>): SupplyIds => ({
  lotIds: rows.flatMap((r) => (r.lot_id !== null ? [r.lot_id] : [])),
  commitmentIds: rows.flatMap((r) => (r.lot_id === null && r.commitment_id != null ? [r.commitment_id] : [])),
});

const uniqueSorted = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

/** Lock lots FOR UPDATE, each once, in id order; call before reading their available weight. */
export const lockLotsForAllocation = (trx: Transaction<DB>, lotIds: readonly number[]) => repo.lockLots(trx, uniqueSorted(lotIds));

/** Lock commitments FOR UPDATE, each once, in id order; call before reading their open weight. */
export const lockCommitmentsForAllocation = (trx: Transaction<DB>, ids: readonly number[]) => repo.lockCommitments(trx, uniqueSorted(ids));

/** Lock every lot and commitment of the given sets in the global order: all lots by id, then all commitments by id. */
export async function lockSupply(trx: Transaction<DB>, ...sets: SupplyIds[]): Promise<{ lots: LotRow[]; commitments: CommitmentRow[] }> {
  const lots = await lockLotsForAllocation(trx, sets.flatMap((s) => s.lotIds));
  const commitments = await lockCommitmentsForAllocation(trx, sets.flatMap((s) => s.commitmentIds));
  return { lots, commitments };
}

/** allocated_g changes per lot and per commitment. */
export interface SupplyDeltas {
  lots: Map<number, number>;
  commitments: Map<number, number>;
}

/** What the rows hold, per lot and per commitment, added (`sign` 1) or given back (−1). */
export function supplyDeltas(rows: readonly SupplyHolding[], sign: 1 | -1): SupplyDeltas {
  const deltas: SupplyDeltas = { lots: new Map(), commitments: new Map() };
  for (const r of rows) {
    const [map, id] = r.lot_id !== null ? [deltas.lots, r.lot_id] : [deltas.commitments, r.commitment_id];
    if (id != null) map.set(id, (map.get(id) ?? 0) + sign * r.weight_g);
  }
  return deltas;
}

/** Fail (rolling the transaction back) when any of these lots or commitments breaks the invariant. */
export async function assertSupplyInvariant(trx: Transaction<DB>, ...sets: SupplyIds[]): Promise<void> {
  const lotIds = uniqueSorted(sets.flatMap((s) => s.lotIds));
  const commitmentIds = uniqueSorted(sets.flatMap((s) => s.commitmentIds));
  const violations = await repo.invariantViolations(trx, lotIds, commitmentIds);
  if (violations.length > 0) throw new AllocationInvariantError(violations);
}

/** Add the deltas to allocated_g (relative updates), then re-check the invariant on every touched row. */
async function applySupplyDeltas(trx: Transaction<DB>, deltas: SupplyDeltas): Promise<void> {
  await repo.addAllocated(trx, deltas);
  await assertSupplyInvariant(trx, { lotIds: [...deltas.lots.keys()], commitmentIds: [...deltas.commitments.keys()] });
}

/**
 * Allocate `deltaG` grams of one lot (negative: release). Refused with a ConflictError when the lot
 * would go over its net weight or below 0, or — when allocating — it is ungraded or off-grade.
 * The DB CHECK lots_allocation_within_net backs this. Provenance is the caller's.
 */
export async function changeLotAllocation(trx: Transaction<DB>, lotId: number, deltaG: number, path: string | null = null): Promise<LotRow> {
  assertDelta(deltaG);
  const updated = await repo.addLotAllocation(trx, lotId, deltaG);
  if (updated) return updated;
  const [lot] = await repo.lockLots(trx, [lotId]);
  if (!lot) throw new NotFoundError('Lot', path);
  if (deltaG > 0 && (lot.off_grade || lot.grade_rank === null)) {
    throw new ConflictError(`Lot ${lotId} is ${lot.off_grade ? 'off-grade' : 'not graded yet'} and cannot be allocated`, path);
  }
  throw new ConflictError(
    deltaG > 0
      ? `Lot ${lotId} has only ${kg(lot.net_g - lot.allocated_g, 'en')} available (asked ${kg(deltaG, 'en')})`
      : `Lot ${lotId} has only ${kg(lot.allocated_g, 'en')} allocated (asked to release ${kg(-deltaG, 'en')})`,
    path,
  );
}

/**
 * Allocate `deltaG` grams of one commitment (negative: release). Refused with a ConflictError when
 * it would go over the committed weight or below 0, or — when allocating — it is withdrawn.
 * The DB CHECK commitments_allocation_within_committed backs this. Provenance is the caller's.
 */
export async function changeCommitmentAllocation(
  trx: Transaction<DB>,
  commitmentId: number,
  deltaG: number,
  path: string | null = null,
): Promise<CommitmentRow> {
  assertDelta(deltaG);
  const updated = await repo.addCommitmentAllocation(trx, commitmentId, deltaG);
  if (updated) return updated;
  const [c] = await repo.lockCommitments(trx, [commitmentId]);
  if (!c) throw new NotFoundError('Commitment', path);
  if (deltaG > 0 && c.status !== 'OPEN') throw new ConflictError(`Commitment ${commitmentId} is withdrawn and cannot be allocated`, path);
  throw new ConflictError(
    deltaG > 0
      ? `Commitment ${commitmentId} has only ${kg(c.committed_g - c.allocated_g, 'en')} open (asked ${kg(deltaG, 'en')})`
      : `Commitment ${commitmentId} has only ${kg(c.allocated_g, 'en')} allocated (asked to release ${kg(-deltaG, 'en')})`,
    path,
  );
}

function assertDelta(deltaG: number): void {
  if (!Number.isSafeInteger(deltaG) || deltaG === 0) throw new RangeError(`allocation change must be a non-zero whole number of grams, got ${deltaG}`);
}

// Candidates and plans ----------------------------------------------------------------------------

export interface CandidateExclusions {
  excludeLotIds?: readonly number[];
  excludeCommitmentIds?: readonly number[];
  excludeProducerIds?: readonly number[];
}

export interface CandidateSet {
  lots: LotRow[];
  commitments: CommitmentRow[];
  candidates: Candidate[];
}

export type OkPlan = Extract<PlanResult, { ok: true }>;

/** The engine's candidates: graded lots (spot) and commitments (forward); reasons name grades by their scheme code. */
export function toCandidates(lots: readonly LotRow[], commitments: readonly CommitmentRow[]): Candidate[] {
  const out: Candidate[] = [];
  for (const l of lots) {
    out.push({
      id: lotKey(l.id),
      kind: 'SPOT',
      producerId: String(l.producer_id),
      gradeRank: l.grade_rank as number,
      gradeCode: l.grade_code as string,
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
      gradeCode: c.min_grade_code,
      availableG: c.committed_g - c.allocated_g,
      date: c.window_start,
      regency: regencyKey(c.regency),
      eudrReady: c.eudr_ready,
    });
  }
  return out;
}

/**
 * Load the candidates of an order (locked FOR UPDATE in the global order when `lock` is 'update'),
 * or only those of them among `only` (the rows of a plan).
 */
export async function loadCandidates(
  db: Db,
  order: LedgerOrder,
  exclusions: CandidateExclusions,
  lock: repo.LockMode,
  only?: SupplyIds,
): Promise<CandidateSet> {
  const query: repo.CandidateQuery = {
    ...(only ? { onlyLotIds: uniqueSorted(only.lotIds), onlyCommitmentIds: uniqueSorted(only.commitmentIds) } : {}),
    productId: order.product_id,
    brandId: order.brand_id,
    minGradeRank: order.min_grade_rank,
    windowStart: order.window_start,
    windowEnd: order.window_end,
    ...(exclusions.excludeLotIds ? { excludeLotIds: exclusions.excludeLotIds } : {}),
    ...(exclusions.excludeCommitmentIds ? { excludeCommitmentIds: exclusions.excludeCommitmentIds } : {}),
    ...(exclusions.excludeProducerIds ? { excludeProducerIds: exclusions.excludeProducerIds } : {}),
  };
  // Lots first, then commitments: the global lock order.
  const lots = await repo.candidateLots(db, query, lock);
  const commitments = await repo.candidateCommitments(db, query, lock);
  return { lots, commitments, candidates: toCandidates(lots, commitments) };
}

/** The ids of an order's candidates now, read without locks (to lock them with others in one pass). */
export async function candidateSupply(trx: Transaction<DB>, order: LedgerOrder, exclusions: CandidateExclusions): Promise<SupplyIds> {
  const set = await loadCandidates(trx, order, exclusions, 'none');
  return { lotIds: set.lots.map((l) => l.id), commitmentIds: set.commitments.map((c) => c.id) };
}

/** Run the engine on the order's grade. */
const runEngine = (order: LedgerOrder, quantityG: number, candidates: readonly Candidate[], strategy: Strategy, constraints: Constraints): PlanResult =>
  planAllocation({ quantityG, minGradeRank: order.min_grade_rank }, candidates, strategy, constraints);

/** Run the engine; engine input errors become ValidationErrors naming the input field; short supply throws. */
export function planOrThrow(order: LedgerOrder, candidates: readonly Candidate[], request: Pick<AllocationRequest, 'strategy' | 'constraints' | 'quantityG'>): OkPlan {
  let plan: PlanResult;
  try {
    plan = runEngine(order, request.quantityG, candidates, request.strategy, request.constraints);
  } catch (e) {
    if (e instanceof AllocationInputError) throw toValidationError(e);
    throw e;
  }
  if (!plan.ok) throw new InsufficientSupplyError(plan.requestedG, plan.availableG, plan.shortfallG, plan.binding);
  return plan;
}

// Allocating --------------------------------------------------------------------------------------

export interface AllocationRequest extends CandidateExclusions {
  strategy: Strategy;
  constraints: Constraints;
  /** Grams to allocate: the order quantity, or a shortfall being reallocated. */
  quantityG: number;
  /** Adapt the engine's candidates and constraints to the request (reallocation: the order-wide share cap as head-room). */
  adjust?: (candidates: Candidate[], constraints: Constraints) => { candidates: Candidate[]; constraints: Constraints };
}

/** The new lines cover (part of) another line's shortfall. */
export interface Replacing {
  lineId: number;
  /** Put before each line's reason, in each language: "Covers shortfall of line N: …". */
  because: Texts;
  /** Why the line fell short, for the REALLOCATED provenance events. */
  cause: string;
}

/** TEST-ONLY switches; never reachable from GraphQL. */
export interface UnsafeOptions {
  /** Skip FOR UPDATE and write allocated_g from the values read (lost update), without re-checking. */
  unsafeSkipLocks?: boolean;
}

export interface AllocationOutcome {
  plan: OkPlan;
  /** The lines written, in id order. */
  lines: LineRow[];
  /** The rows the plan was checked on, as locked, before the update (all candidates on the locking-everything path). */
  lots: LotRow[];
  commitments: CommitmentRow[];
}

/**
 * The provenance event of one line (allocated, reallocated, released, shortfall): on the line's lot
 * or commitment, for its order, with the line in the payload followed by `extra`.
 */
function lineEvent(kind: string, l: LineRow, actorUserId: number | null, extra: Record<string, unknown>): NewProvenanceEvent {
  return {
    kind,
    lotId: l.lot_id,
    commitmentId: l.commitment_id,
    orderId: l.order_id,
    actorUserId,
    payload: { orderId: l.order_id, lineId: l.id, producerId: l.producer_id, weightG: l.weight_g, ...extra },
  };
}

/** Write a plan on locked rows: insert its lines, take their weight from the supply, append one event per line. */
async function writePlan(
  trx: Transaction<DB>,
  order: LedgerOrder,
  plan: OkPlan,
  request: AllocationRequest,
  actor: { userId: number | null },
  replacing: Replacing | null,
  locked: { lots: readonly LotRow[]; commitments: readonly CommitmentRow[] } | null,
): Promise<LineRow[]> {
  // Both languages are stored with the line (allocation_lines.reason / reason_id), so it reads the same forever.
  const newLines = plan.lines.map((l: ExplainedLine) => ({
    orderId: order.id,
    producerId: Number(l.producerId),
    ...parseCandidateKey(l.candidateId),
    weightG: l.weightG,
    reason: replacing ? `${replacing.because.en}. ${l.reason}` : l.reason,
    reasonId: replacing ? `${replacing.because.id}. ${l.reasonIn('id')}` : l.reasonIn('id'),
    replacesLineId: replacing?.lineId ?? null,
  }));
  const deltas = supplyDeltas(newLines.map((l) => ({ lot_id: l.lotId, commitment_id: l.commitmentId, weight_g: l.weightG })), 1);
  let lines: LineRow[];
  if (locked) {
    // TEST-ONLY: the lost-update pattern the locks prevent — write back what was read plus the delta.
    lines = await repo.insertLines(trx, newLines);
    const absolute = (rows: ReadonlyArray<{ id: number; allocated_g: number }>, delta: Map<number, number>) =>
      new Map(rows.filter((r) => delta.has(r.id)).map((r) => [r.id, r.allocated_g + (delta.get(r.id) as number)]));
    await repo.setAllocated(trx, 'lots', absolute(locked.lots, deltas.lots));
    await repo.setAllocated(trx, 'commitments', absolute(locked.commitments, deltas.commitments));
  } else {
    // The lines and the weight they take in one statement, then the invariant re-check.
    lines = await repo.insertLines(trx, newLines, deltas);
    await assertSupplyInvariant(trx, { lotIds: [...deltas.lots.keys()], commitmentIds: [...deltas.commitments.keys()] });
  }
  await appendEvents(
    trx,
    lines.map((l) =>
      replacing
        ? lineEvent('REALLOCATED', l, actor.userId, { strategy: request.strategy, replacesLineId: replacing.lineId, cause: replacing.cause })
        : lineEvent('ALLOCATED', l, actor.userId, { strategy: request.strategy }),
    ),
  );
  return lines;
}

function adjusted(request: AllocationRequest, set: CandidateSet) {
  return request.adjust ? request.adjust(set.candidates, request.constraints) : { candidates: set.candidates, constraints: request.constraints };
}

/** The lots and commitments a plan takes weight from. */
function planSources(plan: OkPlan): SupplyIds {
  const sources = plan.lines.map((l) => parseCandidateKey(l.candidateId));
  return {
    lotIds: sources.flatMap((s) => (s.lotId !== null ? [s.lotId] : [])),
    commitmentIds: sources.flatMap((s) => (s.commitmentId !== null ? [s.commitmentId] : [])),
  };
}

/**
 * The caller's own writes that go with a plan (acceptance: the order's transition, its event, the
 * transition hooks). allocateInTransaction runs them before it locks any supply row when it can, so
 * those locks are held as briefly as possible; if the plan is then redone they are undone and run again.
 */
export type AlongsidePlan<T> = (plan: OkPlan) => Promise<T>;

/**
 * Allocate `request.quantityG` of `order` inside the caller's transaction, all or nothing: plan, run
 * the caller's `alongside` writes, lock what the plan uses, insert the lines, add to allocated_g,
 * re-check the invariant and append one ALLOCATED event per line. InsufficientSupplyError (or a
 * ValidationError for bad constraints) is thrown before anything is written.
 *
 * Acceptances that touch different rows never wait on each other, and those that share rows hold
 * them only for the writes that need them:
 * 1. read the candidates without locks (the latest committed state), run the engine, and write what
 *    does not touch supply (`alongside`);
 * 2. lock only the rows the plan uses, lots then commitments, each in id order, waiting for them
 *    (bounded by the lock timeout), re-reading them through the candidate query, and check the plan
 *    still holds on them (plan-check.ts: still candidates, same attributes, at least the planned
 *    weight left);
 * 3. if so, write the lines, the weight and the events on the locked rows; the caller commits;
 * 4. if a row moved while it waited, roll back to a savepoint taken before step 1 — undoing the
 *    writes and letting go of those locks, so nothing is ever held out of the global lock order —
 *    lock every candidate in the global order, and plan and write on the locked rows, which cannot
 *    move. So an acceptance that contends waits at most twice, and the second time only when the
 *    rows it planned on were taken.
 * Lines are inserted only once their rows are locked: their foreign keys take KEY SHARE locks, and
 * many concurrent holders of those on every lot would make each lot's lock a growing multixact.
 * The invariant re-check after writing and the CHECK constraints are the same on every path.
 *
 * The caller holds the order row lock and has checked its status.
 */
export async function allocateInTransaction<T>(
  trx: Transaction<DB>,
  order: LedgerOrder,
  request: AllocationRequest,
  actor: { userId: number | null },
  alongside: AlongsidePlan<T>,
  unsafe: UnsafeOptions = {},
): Promise<AllocationOutcome & { alongside: T }> {
  if (unsafe.unsafeSkipLocks === true) {
    const set = await loadCandidates(trx, order, request, 'none');
    const { candidates, constraints } = adjusted(request, set);
    const plan = planOrThrow(order, candidates, { ...request, constraints });
    const result = await alongside(plan);
    const lines = await writePlan(trx, order, plan, request, actor, null, set);
    return { plan, lines, lots: set.lots, commitments: set.commitments, alongside: result };
  }
  await repo.savepoint(trx, 'allocation_plan');
  {
    const set = await loadCandidates(trx, order, request, 'none');
    const { candidates, constraints } = adjusted(request, set);
    const plan = planOrThrow(order, candidates, { ...request, constraints });
    const result = await alongside(plan);
    const locked = await loadCandidates(trx, order, request, 'update', planSources(plan));
    if (planStillHolds(plan.lines, set.candidates, locked.candidates) === null) {
      const lines = await writePlan(trx, order, plan, request, actor, null, null);
      return { plan, lines, lots: locked.lots, commitments: locked.commitments, alongside: result };
    }
    await repo.rollbackToSavepoint(trx, 'allocation_plan');
  }
  const set = await loadCandidates(trx, order, request, 'update');
  const { candidates, constraints } = adjusted(request, set);
  const plan = planOrThrow(order, candidates, { ...request, constraints });
  const result = await alongside(plan);
  const lines = await writePlan(trx, order, plan, request, actor, null, null);
  return { plan, lines, lots: set.lots, commitments: set.commitments, alongside: result };
}

/**
 * Partial mode, for a line's shortfall: allocate as much of `request.quantityG` as the supply
 * covers (the engine plans the shortfall, or else the most it can), with lines that replace
 * `replacing.lineId` and REALLOCATED events. Nothing covers it: no lines. The order's stored
 * constraints were valid at acceptance, so an engine input error here is a bug, not bad input.
 *
 * The caller has already locked, in the global order, every row this may use (`locked`); only those
 * are candidates, re-read as locked. Locking candidates that turned up since would take those locks
 * out of the global order, behind rows already held, and deadlock with an acceptance locking upwards.
 */
export async function allocateWhatFits(
  trx: Transaction<DB>,
  order: LedgerOrder,
  request: AllocationRequest,
  replacing: Replacing,
  actor: { userId: number | null },
  locked: SupplyIds,
): Promise<{ lines: LineRow[]; coveredG: number }> {
  const set = await loadCandidates(trx, order, request, 'update', locked);
  const { candidates, constraints } = adjusted(request, set);
  const plan = (quantityG: number): PlanResult => {
    try {
      return runEngine(order, quantityG, candidates, request.strategy, constraints);
    } catch (e) {
      if (e instanceof AllocationInputError) throw new Error(`reallocation of line ${replacing.lineId}: ${e.message}`);
      throw e;
    }
  };
  let result = plan(request.quantityG);
  if (!result.ok && result.availableG > 0) result = plan(result.availableG);
  if (!result.ok) return { lines: [], coveredG: 0 };
  const lines = await writePlan(trx, order, result, request, actor, replacing, null);
  return { lines, coveredG: result.summary.allocatedG };
}

// Releasing ---------------------------------------------------------------------------------------

/**
 * Release lines (cancellation): lock their lots and commitments in the global order, mark them
 * RELEASED, subtract their weight from allocated_g, re-check the invariant and append one RELEASED
 * event per line. Forward lines' fulfilments are the fulfilment module's (see returnFulfilments).
 */
export async function releaseLines(
  trx: Transaction<DB>,
  lines: readonly LineRow[],
  actor: { userId: number | null },
  reason: string | null,
): Promise<LineRow[]> {
  const active = lines.filter((l) => l.status === 'ACTIVE');
  if (active.length === 0) return [];
  await lockSupply(trx, sourcesOf(active));
  await repo.setLinesStatus(trx, active.map((l) => l.id), 'RELEASED');
  await applySupplyDeltas(trx, supplyDeltas(active, -1));
  await appendEvents(trx, active.map((l) => lineEvent('RELEASED', l, actor.userId, reason ? { reason } : {})));
  return active.map((l) => ({ ...l, status: 'RELEASED' as const }));
}

/** Release every ACTIVE line of an order (manager's cancellation). The caller holds the order lock. */
export async function releaseOrderAllocation(trx: Transaction<DB>, orderId: number, actor: { userId: number | null }, reason: string | null) {
  return releaseLines(trx, await repo.activeLinesOfOrder(trx, orderId), actor, reason);
}

/**
 * A line falls short by `weightG` (at most what is not yet fulfilled): it shrinks, or becomes
 * SHORTFALL when that is all of it, and its lot or commitment gets the weight back. The caller holds
 * the order lock and has locked the line's source; provenance is the caller's.
 */
export async function shortLine(trx: Transaction<DB>, line: LineRow, weightG: number): Promise<LineRow> {
  const after = weightG === line.weight_g ? await repo.markLineShortfall(trx, line.id) : await repo.shrinkLine(trx, line.id, weightG);
  if (line.lot_id !== null) await changeLotAllocation(trx, line.lot_id, -weightG);
  else if (line.commitment_id !== null) await changeCommitmentAllocation(trx, line.commitment_id, -weightG);
  return after;
}

// Fulfilments: delivered lots held by forward lines -------------------------------------------------

/**
 * `weightG` of a delivered lot now counts for a forward line: the line's fulfilled_g grows and the
 * lot's weight is taken (refused with a ConflictError on `path` when it does not fit). The
 * commitment keeps its allocation. The caller has locked the order row and the lot.
 */
export async function takeForFulfilment(trx: Transaction<DB>, lineId: number, lotId: number, weightG: number, path: string): Promise<LineRow> {
  const line = await repo.addFulfilled(trx, lineId, weightG);
  await changeLotAllocation(trx, lotId, weightG, path);
  return line;
}

/**
 * Fulfilments that stopped counting (already marked FAILED or RELEASED by the caller): their lines'
 * fulfilled_g and their lots' allocated_g give the weight back; the invariant is re-checked.
 * Returns the updated lines by id.
 */
export async function returnFulfilments(
  trx: Transaction<DB>,
  fulfilments: ReadonlyArray<{ line_id: number; lot_id: number; weight_g: number }>,
): Promise<Map<number, LineRow>> {
  const perLine = new Map<number, number>();
  for (const f of fulfilments) perLine.set(f.line_id, (perLine.get(f.line_id) ?? 0) + f.weight_g);
  const lines = new Map<number, LineRow>();
  for (const [lineId, g] of perLine) lines.set(lineId, await repo.addFulfilled(trx, lineId, -g));
  await applySupplyDeltas(trx, supplyDeltas(fulfilments, -1));
  return lines;
}

// Reading -----------------------------------------------------------------------------------------

/** The brand's allocation settings (default strategy, fee). */
export const brandSettings = (db: Db, brandId: number) => repo.findBrandSettings(db, brandId);

/** A stored line's reason in the language; lines written before Indonesian was stored fall back to English. */
export const lineReason = (line: Pick<LineRow, 'reason' | 'reason_id'>, lang: Language): string =>
  lang === 'id' ? (line.reason_id ?? line.reason) : line.reason;

const FAIRNESS_TEXT: Readonly<Record<Language, (s: PlanSummary, floor: string) => string>> = {
  en: (s, floor) =>
    `Jain's fairness index ${s.fairness} over the ${s.eligibleProducers} producer(s) with eligible supply, computed on the share of ` +
    `their eligible weight each ships: 1 means every producer ships the same fraction of what they offered; ` +
    `${floor} (1/${s.eligibleProducers}) means one producer ships everything. ${s.contributors} of ${s.eligibleProducers} contribute.`,
  id: (s, floor) =>
    `Indeks keadilan Jain ${decimal(s.fairness, 'id')} atas ${s.eligibleProducers} produsen yang pasokannya memenuhi syarat, dihitung dari ` +
    `bagian pasokan masing-masing yang ikut dikirim: 1 berarti setiap produsen mengirim porsi yang sama dari yang mereka tawarkan; ` +
    `${decimal(floor, 'id')} (1/${s.eligibleProducers}) berarti satu produsen mengirim semuanya. ${s.contributors} dari ${s.eligibleProducers} produsen ikut memasok.`,
};

/** A sentence explaining the fairness index of a plan, in the language. */
export function explainFairness(s: PlanSummary, lang: Language = 'en'): string {
  const n = s.eligibleProducers;
  const floor = n > 0 ? new Decimal(1).div(n).toDecimalPlaces(4).toFixed() : '0';
  return FAIRNESS_TEXT[lang](s, floor);
}
