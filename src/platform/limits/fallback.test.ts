import { describe, expect, it } from 'vitest';
import { FallbackBucketStore, FallbackCounterStore, MemoryBucketStore, MemoryCounterStore, type BucketStore, type CounterStore } from './stores.js';

/** A shared store that fails while `down` is set (as a Redis outage does), else counts in memory. */
function flaky<S extends object>(inner: S): { store: S; state: { down: boolean; calls: number } } {
  const state = { down: false, calls: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        state.calls++;
        if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return value.apply(target, args);
      };
    },
  });
  return { store, state };
}

describe('limits while the shared store is down', () => {
  it('given Redis failing, when the cost budget takes points, then this node counts in memory and logs once per pause', async () => {
    let now = 1_000_000;
    const errors: unknown[] = [];
    const shared = flaky<BucketStore>(new MemoryBucketStore(() => now));
    const store = new FallbackBucketStore(shared.store, new MemoryBucketStore(() => now), { onError: (e) => errors.push(e), pauseMs: 5_000, now: () => now });
    expect((await store.take('k', 60, 100, 1)).allowed).toBe(true);
    shared.state.down = true;
    // Still limited, by the local bucket (fresh: 100 points): 60 allowed, the next 60 refused.
    expect((await store.take('k', 60, 100, 1)).allowed).toBe(true);
    expect((await store.take('k', 60, 100, 1)).allowed).toBe(false);
    expect(errors).toHaveLength(1);
    expect(shared.state.calls).toBe(2); // paused: the third call did not touch the shared store
    now += 5_001;
    shared.state.down = false;
    await store.take('k', 1, 100, 1);
    expect(shared.state.calls).toBe(3); // tried again after the pause, and it answered
  });

  it('given Redis failing, when logins fail, then the failure counter still counts (in memory)', async () => {
    const shared = flaky<CounterStore>(new MemoryCounterStore());
    shared.state.down = true;
    const store = new FallbackCounterStore(shared.store, new MemoryCounterStore(), { onError: () => {} });
    await store.increment('login:a', 60_000);
    expect((await store.increment('login:a', 60_000)).count).toBe(2);
    expect((await store.get('login:a')).count).toBe(2);
  });
});
