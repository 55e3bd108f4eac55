import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { parseInput } from '../../platform/validate.js';
import { currentScheme } from '../brands/brands.service.js';
import * as repo from './availability.repo.js';
import { inTransaction } from '../../platform/transaction.js';

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
    minGrade: z.string().trim().min(1, 'must name a grade of the product, e.g. "3"').max(32),
    windowStart: z.string(),
    windowEnd: z.string(),
    regencies: z
      .array(z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'))
      .min(1, 'must name at least one regency, or be omitted for all')
      .max(MAX_REGENCIES, `must name at most ${MAX_REGENCIES} regencies`)
      .nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.windowEnd < v.windowStart) {
      ctx.addIssue({ code: 'custom', path: ['windowEnd'], message: `must not be before windowStart (${v.windowStart})` });
    }
  });

export type AvailabilityInput = z.input<typeof Input>;

/** Answer the availability question (aggregates only). One statement after the product and scheme lookups. */
export async function getAvailability(db: Kysely<DB>, principal: Principal | null, input: AvailabilityInput): Promise<Availability> {
  if (!principal) throw new UnauthenticatedError();
  const parsed = parseInput(Input, input);
  const product = await repo.findProduct(db, parsed.productId);
  if (!product) throw new NotFoundError('Product', 'input.productId');
  if (!canQueryAvailability(principal, product.brand_id)) {
    throw new ForbiddenError('Availability is for buyers, admins and the managers and curators of the brand');
  }
  const grades: GradeLevel[] = ((await currentScheme(db, product.id))?.grades ?? [])
    .map((g) => ({ code: g.code, rank: g.rank, label: g.label }))
    .sort((a, b) => a.rank - b.rank);
  if (grades.length === 0) throw ValidationError.field('input.minGrade', 'the product has no grade scheme yet');
  const minGrade = grades.find((g) => g.code === parsed.minGrade) ?? grades.find((g) => g.code.toLowerCase() === parsed.minGrade.toLowerCase());
  if (!minGrade) {
    throw ValidationError.field('input.minGrade', `unknown grade "${parsed.minGrade}"; the product's grades are ${grades.map((g) => g.code).join(', ')}`);
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
  const rows = await inTransaction(db, (trx) => repo.aggregate(trx, filter), { settings: repo.AGGREGATE_SETTINGS });
  const figures = (r: repo.AggregateRow | undefined): AvailabilityFigures => ({
    spotG: r?.spot_g ?? 0,
    forwardG: r?.forward_g ?? 0,
    contributorCount: r?.producers ?? 0,
  });
  const total = rows.find((r) => r.level === 3);
  const perRank = new Map(rows.filter((r) => r.level === 1).map((r) => [r.rank as number, r]));
  return {
    productId: product.id,
    brandId: product.brand_id,
    minGrade,
    windowStart: parsed.windowStart,
    windowEnd: parsed.windowEnd,
    regencies,
    ...figures(total),
    byGrade: grades.filter((g) => g.rank <= minGrade.rank).map((grade) => ({ grade, ...figures(perRank.get(grade.rank)) })),
    byRegency: rows
      .filter((r) => r.level === 2)
      .map((r) => ({ regency: r.regency as string, ...figures(r) }))
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
