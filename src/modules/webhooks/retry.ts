/**
 * The retry schedule (Standard Webhooks / Svix): immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h and 24 h after the previous attempt, each with ±10 % jitter. Pure: the outcome of
 * an attempt → what happens next. The schedule is injectable so tests never wait on it.
 */

export const DEFAULT_SCHEDULE_MS: readonly number[] = [
  5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 14 * 3_600_000, 20 * 3_600_000, 24 * 3_600_000,
];

/** An endpoint failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

export type AttemptResult =
  | { kind: 'response'; status: number; retryAfter: string | null }
  | { kind: 'error'; message: string };

export type NextStep =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'give-up'; reason: string }
  | { kind: 'disable-endpoint'; reason: string };

/** Seconds or an HTTP date → milliseconds from now (null when absent or unreadable). */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export interface RetryPolicy {
  scheduleMs: readonly number[];
  /** ±fraction of jitter (0.1). */
  jitter: number;
  /** The most a Retry-After may push the next attempt (so a receiver cannot park a message forever). */
  maxRetryAfterMs: number;
  disableAfterMs: number;
}

export const DEFAULT_POLICY: RetryPolicy = { scheduleMs: DEFAULT_SCHEDULE_MS, jitter: 0.1, maxRetryAfterMs: 24 * 3_600_000, disableAfterMs: DISABLE_AFTER_MS };

/**
 * After attempt number `attempt` (1-based) with `result`: 2xx delivered; 410 disables the endpoint;
 * 429 and 5xx wait at least Retry-After (capped); anything else follows the schedule; when the
 * schedule is used up the message is given up; an endpoint failing since more than 5 days is
 * disabled with the reason.
 */
export function nextStep(
  attempt: number,
  result: AttemptResult,
  ctx: { now: number; failingSince: number | null; policy: RetryPolicy; random?: () => number },
): NextStep {
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { kind: 'delivered' };
  if (result.kind === 'response' && result.status === 410) return { kind: 'disable-endpoint', reason: 'The endpoint answered 410 Gone' };
  const what = result.kind === 'response' ? `HTTP ${result.status}` : result.message;
  const since = ctx.failingSince ?? ctx.now;
  if (ctx.now - since >= ctx.policy.disableAfterMs) {
    return { kind: 'disable-endpoint', reason: `Every delivery failed for ${Math.round((ctx.now - since) / 3_600_000)} hours (last: ${what})` };
  }
  const base = ctx.policy.scheduleMs[attempt - 1];
  if (base === undefined) return { kind: 'give-up', reason: `Gave up after ${attempt} attempts (last: ${what})` };
  const random = ctx.random ?? Math.random;
  let delayMs = Math.round(base * (1 + ctx.policy.jitter * (2 * random() - 1)));
  if (result.kind === 'response' && (result.status === 429 || result.status >= 500)) {
    const asked = parseRetryAfter(result.retryAfter, ctx.now);
    if (asked !== null) delayMs = Math.max(delayMs, Math.min(asked, ctx.policy.maxRetryAfterMs));
  }
  return { kind: 'retry', delayMs };
}
