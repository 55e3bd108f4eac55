import type { FastifyReply } from 'fastify';
import { GraphQLError } from 'graphql';
import type { BucketStore } from '../limits/stores.js';

/**
 * Query cost budget per client or user (anonymous: per IP), a leaky bucket as Shopify's GraphQL
 * Admin API has: `max` points, refilled at `restorePerSecond`. Before execution the requested cost
 * (the complexity limits.ts computes) is reserved; a request that does not fit is refused before any
 * resolver runs (THROTTLED, retryable, with Retry-After). After execution the difference between
 * requested and actual cost (what was really returned, counted the same way: 1 per field, lists by
 * their real length) is given back. Every response carries `extensions.cost`.
 */

export interface CostExtension {
  requested: number;
  actual: number | null;
  budget: { remaining: number; max: number; restoreRate: number };
}

export class ThrottledError extends GraphQLError {
  constructor(cost: CostExtension, retryAfterSeconds: number) {
    super(`Query cost ${cost.requested} exceeds the remaining budget of ${cost.budget.remaining}; retry in ${retryAfterSeconds} s`, {
      extensions: { code: 'THROTTLED', retryable: true, retryAfterSeconds, cost },
    });
  }
}

/** Per-request slot on the GraphQL context. */
export interface CostState {
  key: string;
  extension: CostExtension;
}

/**
 * Actual cost of a result: 1 per field present, a list by its real length (mirrors the complexity
 * rules). Plain loops, since it walks every answer (Object.entries and reduce allocated per object).
 */
export function actualCost(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let cost = 0;
  if (Array.isArray(value)) {
    for (const item of value) cost += actualCost(item);
    return cost;
  }
  // GraphQL's result objects have no prototype: every key is the answer's own.
  for (const key in value) {
    if (key !== '__typename') cost += 1 + actualCost((value as Record<string, unknown>)[key]);
  }
  return cost;
}

export class CostBudget {
  constructor(private readonly store: BucketStore, readonly max: number, readonly restorePerSecond: number) {}

  /**
   * Reserve `requested` points for `key`. When over budget, the state carries the ThrottledError to
   * throw (Retry-After is already set), so the refusal can report the budget too.
   */
  async reserve(key: string, requested: number, reply: FastifyReply | undefined): Promise<CostState & { refused?: ThrottledError }> {
    const result = await this.store.take(key, requested, this.max, this.restorePerSecond);
    const extension: CostExtension = {
      requested,
      actual: null,
      budget: { remaining: result.remaining, max: this.max, restoreRate: this.restorePerSecond },
    };
    if (!result.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      reply?.header('retry-after', String(retryAfterSeconds));
      return { key, extension, refused: new ThrottledError(extension, retryAfterSeconds) };
    }
    return { key, extension };
  }

  /** After execution: record the actual cost and give back what was reserved but not used. */
  async settle(state: CostState & { refused?: ThrottledError }, data: unknown): Promise<CostExtension> {
    if (state.refused) return state.extension;
    // Nothing requested (`{ __typename }`): nothing to count or give back.
    const actual = state.extension.requested === 0 ? 0 : Math.min(state.extension.requested, actualCost(data));
    const unused = state.extension.requested - actual;
    const remaining = unused > 0 ? await this.store.refund(state.key, unused, this.max, this.restorePerSecond) : state.extension.budget.remaining;
    state.extension.actual = actual;
    state.extension.budget.remaining = remaining;
    return state.extension;
  }
}
