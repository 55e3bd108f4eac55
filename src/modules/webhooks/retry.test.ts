import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, DEFAULT_SCHEDULE_MS, nextStep, parseRetryAfter } from './retry.js';
import { isForbiddenAddress } from './ssrf.js';

const ctx = (over: Partial<Parameters<typeof nextStep>[2]> = {}) => ({ now: 1_000_000_000_000, failingSince: null, policy: DEFAULT_POLICY, random: () => 0.5, ...over });
const response = (status: number, retryAfter: string | null = null) => ({ kind: 'response' as const, status, retryAfter });

describe('the retry schedule', () => {
  it('2xx is delivered; 410 disables; other failures follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, then give up', () => {
    expect(nextStep(1, response(204), ctx())).toEqual({ kind: 'delivered' });
    expect(nextStep(1, response(410), ctx())).toMatchObject({ kind: 'disable-endpoint', reason: expect.stringMatching(/410/) });
    expect(DEFAULT_SCHEDULE_MS.map((_, i) => (nextStep(i + 1, response(500), ctx()) as { delayMs: number }).delayMs)).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
    ]);
    expect(nextStep(10, response(500), ctx())).toMatchObject({ kind: 'give-up' });
    expect(nextStep(1, { kind: 'error', message: 'timeout after 15000 ms' }, ctx())).toEqual({ kind: 'retry', delayMs: 5_000 });
  });

  it('jitter stays within ±10 %', () => {
    expect(nextStep(2, response(500), ctx({ random: () => 0 }))).toEqual({ kind: 'retry', delayMs: 270_000 });
    expect(nextStep(2, response(500), ctx({ random: () => 0.999999 }))).toMatchObject({ delayMs: expect.any(Number) });
    expect((nextStep(2, response(500), ctx({ random: () => 0.999999 })) as { delayMs: number }).delayMs).toBeLessThanOrEqual(330_000);
  });

  it('429 and 5xx wait at least Retry-After (seconds or a date), capped at 24 h; a 400 ignores it', () => {
    expect(nextStep(1, response(429, '120'), ctx())).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(nextStep(1, response(503, new Date(1_000_000_000_000 + 60_000).toUTCString()), ctx())).toEqual({ kind: 'retry', delayMs: 60_000 });
    expect(nextStep(1, response(503, '999999'), ctx())).toEqual({ kind: 'retry', delayMs: 86_400_000 });
    expect(nextStep(1, response(400, '120'), ctx())).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });

  it('an endpoint failing for 5 days is disabled with the reason', () => {
    const since = 1_000_000_000_000 - 5 * 24 * 3_600_000;
    expect(nextStep(3, response(502), ctx({ failingSince: since }))).toMatchObject({ kind: 'disable-endpoint', reason: expect.stringMatching(/120 hours.*HTTP 502/) });
    expect(nextStep(3, response(502), ctx({ failingSince: since + 60_000 }))).toMatchObject({ kind: 'retry' });
  });
});

describe('the SSRF guard', () => {
  it('refuses loopback, private, link-local (metadata), CGNAT, unspecified and mapped forms; loopback only by config', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1']) {
      expect(isForbiddenAddress(a, false), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '2606:4700:4700::1111', '8.8.8.8']) expect(isForbiddenAddress(a, false), a).toBe(false);
    expect(isForbiddenAddress('127.0.0.1', true)).toBe(false);
    expect(isForbiddenAddress('::1', true)).toBe(false);
    expect(isForbiddenAddress('169.254.169.254', true)).toBe(true);
  });
});
