import { describe, expect, it } from 'vitest';
import { MemoryBucketStore } from './stores.js';

describe('MemoryBucketStore', () => {
  it('takes, refuses with the wait, refills at the rate and refunds up to the capacity', async () => {
    let now = 0;
    const store = new MemoryBucketStore(() => now);
    expect(await store.take('k', 60, 100, 10)).toEqual({ allowed: true, remaining: 40, retryAfterMs: 0 });
    // 50 needs 10 more points: 1 s at 10 points per second.
    expect(await store.take('k', 50, 100, 10)).toEqual({ allowed: false, remaining: 40, retryAfterMs: 1000 });
    now = 1000;
    expect(await store.take('k', 50, 100, 10)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
    expect(await store.refund('k', 30, 100, 10)).toBe(30);
    now = 100_000;
    expect(await store.refund('k', 30, 100, 10)).toBe(100);
  });

  it('keeps at most maxKeys buckets, forgetting the one used least recently', async () => {
    const store = new MemoryBucketStore(() => 0, 2);
    await store.take('a', 10, 100, 1);
    await store.take('b', 10, 100, 1);
    await store.take('a', 10, 100, 1); // a is now the most recent
    await store.take('c', 10, 100, 1); // forgets b
    expect((await store.take('a', 0, 100, 1)).remaining).toBe(80);
    expect((await store.take('b', 0, 100, 1)).remaining).toBe(100);
  });
});
