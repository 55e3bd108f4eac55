import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { addIssue, parseInput, zm } from '../../platform/validate.js';
import { currentScheme, productGrades } from '../brands/brands.service.js';
import * as repo from './availability.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { combine, contributionsOf, deltas, type StoredCell, storedKey } from './aggregates.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Availability: how much of a product is on offer at a minimum grade, for a delivery window.
 *
 * Rules (documented choices)
 * - Spot: unallocated weight (net − allocated) of lots of the product whose latest assessment
 *   graded them at a rank ≤ the asked grade's rank and not off-grade. Spot is stock in the
 *   warehouse now, so it does not depend on the window: a lot's harvest dates are not filtered
 *   (a lot is declared after its harvest; it can ship on any day of the window).
 * - Forward: unallocated weight (committed − allocated) of OPEN commitments of the product whose
 *   promised minimum grade rank ≤ the asked rank and whose delivery window overlaps the asked
 *   window (start ≤ windowEnd and end ≥ windowStart). An overlapping commitment counts in full.
 * - Only producers with an APPROVED membership in the product's brand count (APPLIED, REJECTED
 *   and SUSPENDED members contribute nothing), as only they can be allocated.
 * - By grade: spot by the lot's grade, forward by the commitment's promised minimum grade. Every
 *   grade of the product's current scheme from rank 1 to the asked grade is listed, zero or not.
 * - By regency: the regency recorded on the lot/commitment (copied from the producer); only
 *   regencies with supply are listed, by name. The regency filter is case-insensitive.
 * - Contributor counts are distinct producers with any spot or forward weight.
 *
 * Who may ask
 * - Buyers (and partner apps, which hold the BUYER role), admins, and brand managers and curators
 *   of the product's brand. Producers and cooperative managers are denied: availability is the
 *   buyer's question and would reveal competitors' positions.
 * - Buyers see aggregates only. The per-producer drill-down is for brand managers of the
 *   product's brand and admins.
 *
 * How it is computed (issue 13: exact at 100k producers / 1M lots)
 * - From maintained counters per product (aggregates.ts says what they hold and why the
 *   contributor counts are exact), not by scanning lots and commitments.
 * - Maintenance: triggers on lots, commitments, memberships and products (a product's brand) mark
 *   the producer dirty, in the transaction that changes the supply, whichever service made it (a
 *   new write path cannot forget it, and the writers' services are untouched). A mark is an
 *   append-only insert, so acceptances never queue on a shared aggregate row (bench:contention);
 *   only the compactor (startAvailabilityCompactor, one at a time by an advisory lock) writes the
 *   counters, folding dirty producers in from their lots and commitments with the rules below in
 *   TypeScript.
 * - Until folded, a dirty producer (and a producer whose supply of the product spans several
 *   regencies) is computed from its own lots and commitments by the read, in the same statement
 *   as the counters (one snapshot): answers are exact at every moment, the compactor only keeps
 *   the read small. repairAvailability (npm run repair:availability) recomputes everything.
 * - Plain SQL and PL/pgSQL, the same on PGlite and PostgreSQL.
 */

export interface GradeLevel {
  code: string;
  rank: number;
  label: string;
}

export interface AvailabilityFigures {
  spotG: number;
  forwardG: number;
  contributorCount: number;
}

export interface Availability extends AvailabilityFigures {
  productId: number;
  brandId: number;
  minGrade: GradeLevel;
  windowStart: string;
  windowEnd: string;
  /** The regency filter as given (trimmed), or null. */
  regencies: string[] | null;
  byGrade: Array<AvailabilityFigures & { grade: GradeLevel }>;
  byRegency: Array<AvailabilityFigures & { regency: string }>;
  /** The SQL filter this answer was computed with (reused by the drill-down). */
  filter: repo.SupplyFilter;
}

export interface AvailabilityContributor {
  /** The producer id (keyset of the drill-down connection). */
  id: number;
  brandId: number;
  spotG: number;
  forwardG: number;
}

/** May the principal ask availability questions about a brand's products? */
export function canQueryAvailability(principal: Principal | null, brandId: number): boolean {
  return (
    isAdmin(principal) ||
    hasRole(principal, 'BUYER') ||
    hasRole(principal, 'BRAND_MANAGER', brandId) ||
    hasRole(principal, 'CURATOR', brandId)
  );
}

/** May the principal see which producers contribute (identities and their weights)? */
export function canDrillDown(principal: Principal | null, brandId: number): boolean {
  return isAdmin(principal) || hasRole(principal, 'BRAND_MANAGER', brandId);
}

const MAX_REGENCIES = 50;

const Input = z
  .object({
    productId: z.number().int().positive(),
    minGrade: z.string().trim().min(1, zm({ en: 'must name a grade of the product, e.g. "3"', id: 'sebutkan salah satu mutu produk, misalnya "3"' })).max(32),
    windowStart: z.string(),
    windowEnd: z.string(),
    regencies: z
      .array(z.string().trim().min(1, zm(ISSUES.notEmpty)).max(100, zm(ISSUES.maxChars({ max: 100 }))))
      .min(1, zm({ en: 'must name at least one regency, or be omitted for all', id: 'sebutkan paling sedikit satu kabupaten, atau kosongkan untuk semua' }))
      .max(MAX_REGENCIES, zm({ en: `must name at most ${MAX_REGENCIES} regencies`, id: `paling banyak ${MAX_REGENCIES} kabupaten` }))
      .nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.windowEnd < v.windowStart) {
      addIssue(ctx, ['windowEnd'], { en: `must not be before windowStart (${v.windowStart})`, id: `tidak boleh sebelum windowStart (${v.windowStart})` });
    }
  });

export type AvailabilityInput = z.input<typeof Input>;

/**
 * Answer the availability question (aggregates only): two statements, the product with its current
 * grades, then the maintained counters; no transaction (the counters' read is one snapshot).
 */
export async function getAvailability(db: Kysely<DB>, principal: Principal | null, input: AvailabilityInput): Promise<Availability> {
  if (!principal) throw new UnauthenticatedError();
  const parsed = parseInput(Input, input);
  // The product's brand and its current grades in one statement (the principal was read with the request).
  const found = await productGrades(db, parsed.productId);
  if (!found) throw new NotFoundError('Product', 'input.productId');
  const product = { id: found.id, brand_id: found.brandId };
  if (!canQueryAvailability(principal, product.brand_id)) {
    throw new ForbiddenError('Availability is for buyers, admins and the managers and curators of the brand');
  }
  const grades: GradeLevel[] = found.grades;
  if (grades.length === 0) throw ValidationError.field('input.minGrade', { en: 'the product has no grade scheme yet', id: 'produk ini belum punya skema mutu' });
  const minGrade = grades.find((g) => g.code === parsed.minGrade) ?? grades.find((g) => g.code.toLowerCase() === parsed.minGrade.toLowerCase());
  if (!minGrade) {
    const codes = grades.map((g) => g.code).join(', ');
    throw ValidationError.field('input.minGrade', {
      en: `unknown grade "${parsed.minGrade}"; the product's grades are ${codes}`,
      id: `mutu "${parsed.minGrade}" tidak dikenal; mutu produk ini: ${codes}`,
    });
  }
  const regencies = parsed.regencies ? [...new Set(parsed.regencies)] : null;
  const filter: repo.SupplyFilter = {
    productId: product.id,
    brandId: product.brand_id,
    maxRank: minGrade.rank,
    windowStart: parsed.windowStart,
    windowEnd: parsed.windowEnd,
    regencies: regencies ? [...new Set(regencies.map((r) => r.toLowerCase()))] : null,
  };
  // The maintained aggregates (one statement, no transaction: one snapshot); same answers as the
  // scan of lots and commitments (repo.aggregateQuery), which they replace.
  const { summed, live } = await repo.readAggregates(db, filter);
  const answer = combine(summed, live);
  const figures = (f: AvailabilityFigures | undefined): AvailabilityFigures => ({
    spotG: f?.spotG ?? 0,
    forwardG: f?.forwardG ?? 0,
    contributorCount: f?.contributorCount ?? 0,
  });
  return {
    productId: product.id,
    brandId: product.brand_id,
    minGrade,
    windowStart: parsed.windowStart,
    windowEnd: parsed.windowEnd,
    regencies,
    ...figures(answer.total),
    byGrade: grades.filter((g) => g.rank <= minGrade.rank).map((grade) => ({ grade, ...figures(answer.byRank.get(grade.rank)) })),
    byRegency: [...answer.byRegency.entries()]
      .map(([regency, f]) => ({ regency, ...figures(f) }))
      .sort((a, b) => (a.regency < b.regency ? -1 : a.regency > b.regency ? 1 : 0)),
    filter,
  };
}

/**
 * Above this many contributors the drill-down walks the approved members in id order and probes
 * each one's supply (stops after a page); at or below it, it aggregates the product's whole supply
 * once (bounded by the index range, independent of how sparse the filter is). See
 * scripts/explain-availability.ts for the measurements behind the choice.
 */
export const PROBE_ABOVE_CONTRIBUTORS = 500;

/** One page of the producers behind an availability answer (brand managers of the brand and admins). */
export async function listContributors(
  db: Kysely<DB>,
  principal: Principal | null,
  availability: Availability,
  page: repo.ContributorPage,
): Promise<AvailabilityContributor[]> {
  if (!principal) throw new UnauthenticatedError();
  if (!canDrillDown(principal, availability.brandId)) {
    throw new ForbiddenError('Only the brand managers of the brand and admins see who contributes');
  }
  if (availability.contributorCount === 0) return [];
  const rows =
    availability.contributorCount > PROBE_ABOVE_CONTRIBUTORS
      ? await repo.contributorsByProbe(db, availability.filter, page)
      : await repo.contributorsByScan(db, availability.filter, page);
  return rows.map((r) => ({ id: r.producer_id, brandId: availability.brandId, spotG: r.spot_g, forwardG: r.forward_g }));
}

/**
 * The totals of a product over every delivery window, per grade of its current scheme (spot by the
 * lot's grade, forward by the commitment's promised minimum grade): what availability.changed
 * announces (modules/webhooks). Aggregates only; no caller check (the event goes to every organisation).
 */
export async function productTotals(trx: Transaction<DB>, productId: number) {
  const product = await repo.findProduct(trx, productId);
  if (!product) return null;
  const grades = ((await currentScheme(trx, product.id))?.grades ?? []).map((g) => ({ code: g.code, rank: g.rank })).sort((a, b) => a.rank - b.rank);
  const maxRank = grades.at(-1)?.rank ?? 0;
  const rows = grades.length === 0 ? [] : await repo.aggregate(trx, {
    productId: product.id, brandId: product.brand_id, maxRank, windowStart: '0001-01-01', windowEnd: '9999-12-31', regencies: null,
  });
  const total = rows.find((r) => r.level === 3);
  const perRank = new Map(rows.filter((r) => r.level === 1).map((r) => [r.rank as number, r]));
  return {
    productId: product.id,
    brandId: product.brand_id,
    spotG: total?.spot_g ?? 0,
    forwardG: total?.forward_g ?? 0,
    byGrade: grades.map((g) => ({ grade: g.code, rank: g.rank, spotG: perRank.get(g.rank)?.spot_g ?? 0, forwardG: perRank.get(g.rank)?.forward_g ?? 0 })),
  };
}

// ---------------------------------------------------------------------------------------------
// Keeping the aggregates: the compactor folds dirty producers into the counters; the repair
// recomputes everything. Neither changes an answer (the read is exact whatever is dirty); the
// compactor keeps the read small.

/** Producers folded per compaction transaction. */
export const COMPACT_BATCH = 2_000;
/** Producers recomputed per pass of the repair. */
const REPAIR_BATCH = 25_000;

/**
 * Fold these producers' current supply into the counters, replacing what they contributed before.
 * Only the contribution rows that changed are written (a lot allocated a little changes a spot sum,
 * not the producer's dozens of count rows).
 */
async function fold(trx: Transaction<DB>, producerIds: readonly number[]): Promise<void> {
  const before = await repo.contributionsOfProducers(trx, producerIds);
  // Read after the markers were read (a later statement, a later snapshot): it includes every change they mark.
  const { perProducer, live } = contributionsOf(await repo.supplyItems(trx, producerIds));
  const set: Array<[number, StoredCell]> = [];
  const removed: Array<[number, StoredCell]> = [];
  for (const producerId of producerIds) {
    const old = new Map((before.get(producerId) ?? []).map((c) => [storedKey(c), c]));
    for (const c of perProducer.get(producerId) ?? []) {
      const k = storedKey(c);
      if (old.get(k)?.value !== c.value) set.push([producerId, c]);
      old.delete(k);
    }
    for (const c of old.values()) removed.push([producerId, c]);
  }
  await repo.applyContributionChanges(trx, producerIds, set, removed, live);
  await repo.addToCounters(trx, deltas([...perProducer.values()].flat(), [...before.values()].flat()));
}

/**
 * One compaction step: fold the producers of the oldest dirty markers (up to COMPACT_BATCH) and
 * delete those markers. Returns how many producers it folded; 0 when nothing was dirty or another
 * compaction or repair is running.
 */
export async function compactAvailability(db: Kysely<DB>, batch = COMPACT_BATCH, options: { wait?: boolean; upToId?: number } = {}): Promise<number> {
  return inTransaction(db, async (trx) => {
    if (options.wait) await repo.lockCompaction(trx);
    else if (!(await repo.tryLockCompaction(trx))) return 0;
    const markers = await repo.dirtyMarkers(trx, batch * 4, options.upToId);
    if (markers.length === 0) return 0;
    const producers = [...new Set(markers.map((m) => m.producer_id))].slice(0, batch);
    const chosen = new Set(producers);
    await fold(trx, producers);
    await repo.deleteMarkers(trx, markers.filter((m) => chosen.has(m.producer_id)).map((m) => m.id));
    return producers.length;
  });
}

/** Compact until nothing is dirty, waiting for a running compaction (tests, scripts). */
export async function compactAll(db: Kysely<DB>): Promise<number> {
  let total = 0;
  const step = () => compactAvailability(db, COMPACT_BATCH, { wait: true });
  for (let n = await step(); n > 0; n = await step()) total += n;
  return total;
}

export interface RepairReport {
  producers: number;
  counters: number;
  /** Counters that differed from the recomputation before the repair (missing, extra or other value). */
  wrongCounters: number;
  ms: number;
}

/** Every counter recomputed from lots, commitments and memberships, keyed like storedKey. */
async function recompute(db: Kysely<DB> | Transaction<DB>, producerIds: readonly number[], onBatch?: (perProducer: Map<number, StoredCell[]>, live: Array<[number, number]>) => Promise<void>) {
  const counters = new Map<string, StoredCell>();
  // By ranges of producer ids (ids ascending): one pass over lots and commitments per range.
  for (let i = 0; i < producerIds.length; i += REPAIR_BATCH) {
    const range = { from: producerIds[i]!, to: producerIds[Math.min(i + REPAIR_BATCH, producerIds.length) - 1]! };
    const { perProducer, live } = contributionsOf(await repo.supplyItems(db, range));
    for (const c of deltas([...perProducer.values()].flat(), [])) {
      const k = storedKeyOf(c);
      const cur = counters.get(k);
      if (cur) cur.value += c.value;
      else counters.set(k, { ...c });
    }
    await onBatch?.(perProducer, live);
  }
  for (const [k, c] of counters) if (c.value === 0) counters.delete(k);
  return counters;
}

const storedKeyOf = (c: StoredCell) => JSON.stringify([c.productId, c.gran, c.d1, c.metric, c.rankLo, c.rankHi, c.regency, c.d2]);

/**
 * How many stored counters differ from a full recomputation (0 = consistent), and how many dirty
 * markers there are (the counters only match once those are folded). Reads only; call it when no
 * writer is running (tests, after compactAll).
 */
export async function checkAvailabilityCounters(db: Kysely<DB>): Promise<{ wrong: number; counters: number; dirty: number }> {
  return inTransaction(db, async (trx) => {
    const dirty = (await repo.dirtyMarkers(trx, 1_000_000)).length;
    const stored = await repo.allCounters(trx);
    const fresh = await recompute(trx, await repo.allProducerIds(trx));
    return { wrong: countDifferences(stored, fresh), counters: fresh.size, dirty };
  });
}

function countDifferences(stored: readonly StoredCell[], fresh: Map<string, StoredCell>): number {
  let wrong = 0;
  const seen = new Set<string>();
  for (const c of stored) {
    const k = storedKeyOf(c);
    seen.add(k);
    if (fresh.get(k)?.value !== c.value) wrong++;
  }
  for (const k of fresh.keys()) if (!seen.has(k)) wrong++;
  return wrong;
}

/**
 * Recompute every contribution and counter from lots, commitments and memberships, in one
 * transaction (readers keep the old figures until it commits). Markers present when it starts are
 * folded by it; later ones stay for the compactor.
 */
export async function repairAvailability(db: Kysely<DB>): Promise<RepairReport> {
  const t0 = Date.now();
  return inTransaction(
    db,
    async (trx) => {
      await repo.lockCompaction(trx);
      const upTo = await repo.maxDirtyId(trx);
      const stored = await repo.allCounters(trx);
      await repo.clearAggregates(trx);
      const producers = await repo.allProducerIds(trx);
      const counters = await recompute(trx, producers, (perProducer, live) => repo.insertContributions(trx, [...perProducer], live));
      await repo.addToCounters(trx, [...counters.values()]);
      if (upTo !== null) await repo.deleteMarkersUpTo(trx, upTo);
      return { producers: producers.length, counters: counters.size, wrongCounters: countDifferences(stored, counters), ms: Date.now() - t0 };
    },
    { lockTimeout: '60s' },
  );
}

/**
 * Compact in the background every `intervalMs` (0: never); returns the stop function. A tick folds
 * the markers there were when it began (in batches, however many), not the ones written meanwhile:
 * those wait for the next tick. Under a steady stream of writes a producer is then folded at most
 * once per tick. Looping until nothing was dirty kept one connection folding the same hot
 * producers back to back (~19 folds a second in bench:contention, a quarter of its acceptances per
 * second); the reads are exact whatever is dirty, so the only cost of waiting is a live set of at
 * most one interval's producers. Errors are reported and the next tick tries again.
 */
export function startAvailabilityCompactor(db: Kysely<DB>, intervalMs: number, onError: (e: unknown) => void): () => Promise<void> {
  if (intervalMs <= 0) return async () => {};
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      const upToId = await repo.maxDirtyId(db);
      if (upToId === null) return;
      for (let n = 1; n > 0 && !stopped; ) n = await compactAvailability(db, COMPACT_BATCH, { upToId });
    })()
      .catch(onError)
      .finally(() => { running = null; });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
