import { Decimal } from 'decimal.js';
import { engineConstraints, type StoredConstraints } from '../allocation/constraints.js';
import { BAG_G, type Candidate, type Constraints } from '../allocation/engine.js';

/**
 * How a shortfall is planned (pure). The weight a producer cannot deliver is reallocated with the
 * order's stored strategy and constraints, adapted so that they keep meaning what they meant for
 * the whole order:
 *
 * - regencies, EUDR-only, supply mode and whole bags apply unchanged;
 * - the per-producer share cap (maxSharePct) is a cap on each producer's share of the ORDER, so it
 *   is enforced as head-room: cap = ⌊pct · quantity / 100⌋ (whole bags when required) minus what
 *   the producer already holds in the order's ACTIVE lines. A producer at the cap gets no candidates,
 *   the others see their candidates trimmed (in id order) to their head-room, and the engine gets no
 *   cap of its own (its cap would be relative to the shortfall, not the order);
 * - the minimum contribution is taken as min(minimum, shortfall): a shortfall smaller than the
 *   minimum can still be covered by one producer.
 */

export interface ShortfallPlanInput {
  orderQuantityG: number;
  shortfallG: number;
  constraints: StoredConstraints;
  /** Σ ACTIVE line weight per producer id (as the engine spells it: a string), after the shortfall was released. */
  heldByProducer: ReadonlyMap<string, number>;
}

/** The order-wide per-producer cap in grams, or null when the order has none. */
export function orderShareCapG(quantityG: number, constraints: StoredConstraints): number | null {
  if (constraints.maxSharePct === null) return null;
  const unit = constraints.wholeBags ? BAG_G : 1;
  const raw = new Decimal(constraints.maxSharePct).mul(quantityG).div(100).floor();
  return raw.div(unit).floor().mul(unit).toNumber();
}

export function shortfallPlanInputs(
  candidates: readonly Candidate[],
  input: ShortfallPlanInput,
): { candidates: Candidate[]; constraints: Constraints } {
  const c = input.constraints;
  const constraints: Constraints = {
    ...engineConstraints(c),
    minContributionG: Math.min(c.minContributionG, input.shortfallG),
    maxSharePct: null,
  };
  const cap = orderShareCapG(input.orderQuantityG, c);
  if (cap === null) return { candidates: [...candidates], constraints };
  const unit = c.wholeBags ? BAG_G : 1;
  const room = new Map<string, number>();
  const out: Candidate[] = [];
  for (const candidate of candidates) {
    let left = room.get(candidate.producerId);
    if (left === undefined) {
      const held = input.heldByProducer.get(candidate.producerId) ?? 0;
      left = Math.max(0, Math.floor((cap - held) / unit) * unit);
    }
    const take = Math.min(candidate.availableG, left);
    room.set(candidate.producerId, left - take);
    if (take > 0) out.push({ ...candidate, availableG: take });
  }
  return { candidates: out, constraints };
}
