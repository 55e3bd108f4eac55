import type { Redis } from 'ioredis';

/**
 * Shared counters behind the limits: in-memory for one embedded node, Redis (REDIS_URL) so several
 * nodes share one count. All arithmetic is integers (milli-points for the bucket).
 */

export interface BucketResult {
  allowed: boolean;
  /** Points left after this request (or now, when refused). */
  remaining: number;
  /** When refused: how long until `cost` points are available again. */
  retryAfterMs: number;
}

/** A leaky bucket per key (Shopify-style cost budget): `capacity` points, refilled at `ratePerSecond`. */
export interface BucketStore {
  take(key: string, cost: number, capacity: number, ratePerSecond: number): Promise<BucketResult>;
  /** Give back points that were reserved but not used (requested − actual); never above capacity. */
  refund(key: string, points: number, capacity: number, ratePerSecond: number): Promise<number>;
}

/** Failure counters in a fixed window per key (login and token brute-force slowing). */
export interface CounterStore {
  /** Count one more in the window; returns the count and the ms until the window ends. */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  get(key: string): Promise<{ count: number; resetMs: number }>;
  reset(key: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// In memory

export class MemoryBucketStore implements BucketStore {
  /** key → [milli-points, last refill ms] */
  private readonly buckets = new Map<string, [number, number]>();
  constructor(private readonly now: () => number = Date.now, private readonly maxKeys = 100_000) {}

  private level(entry: [number, number] | undefined, now: number, capacity: number, ratePerSecond: number): number {
    const cap = capacity * 1000;
    if (!entry) return cap;
    const [milli, at] = entry;
    return Math.min(cap, milli + Math.max(0, now - at) * ratePerSecond);
  }

  /** Store the level and move the key to the newest end (the oldest key is the one forgotten first). */
  private store(key: string, entry: [number, number] | undefined, milli: number, now: number): void {
    if (entry) {
      this.buckets.delete(key);
      entry[0] = milli;
      entry[1] = now;
      this.buckets.set(key, entry);
      return;
    }
    if (this.buckets.size >= this.maxKeys) {
      // Full buckets carry no information; forget the oldest key to stay bounded.
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    this.buckets.set(key, [milli, now]);
  }

  async take(key: string, cost: number, capacity: number, ratePerSecond: number): Promise<BucketResult> {
    const now = this.now();
    const entry = this.buckets.get(key);
    const milli = this.level(entry, now, capacity, ratePerSecond);
    const need = cost * 1000;
    if (need > milli) {
      this.store(key, entry, milli, now);
      return { allowed: false, remaining: Math.floor(milli / 1000), retryAfterMs: Math.ceil((need - milli) / ratePerSecond) };
    }
    this.store(key, entry, milli - need, now);
    return { allowed: true, remaining: Math.floor((milli - need) / 1000), retryAfterMs: 0 };
  }

  async refund(key: string, points: number, capacity: number, ratePerSecond: number): Promise<number> {
    const now = this.now();
    const entry = this.buckets.get(key);
    const milli = Math.min(capacity * 1000, this.level(entry, now, capacity, ratePerSecond) + Math.max(0, points) * 1000);
    this.store(key, entry, milli, now);
    return Math.floor(milli / 1000);
  }
}

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { count: number; until: number }>();
  constructor(private readonly now: () => number = Date.now, private readonly maxKeys = 100_000) {}

  private live(key: string) {
    const entry = this.counters.get(key);
    if (entry && entry.until <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return entry;
  }

  async increment(key: string, windowMs: number) {
    let entry = this.live(key);
    if (!entry) {
      if (this.counters.size >= this.maxKeys) {
        const oldest = this.counters.keys().next().value;
        if (oldest !== undefined) this.counters.delete(oldest);
      }
      entry = { count: 0, until: this.now() + windowMs };
      this.counters.set(key, entry);
    }
    entry.count += 1;
    return { count: entry.count, resetMs: entry.until - this.now() };
  }

  async get(key: string) {
    const entry = this.live(key);
    return entry ? { count: entry.count, resetMs: entry.until - this.now() } : { count: 0, resetMs: 0 };
  }

  async reset(key: string) {
    this.counters.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Redis: each operation is one atomic script, so concurrent nodes never double-spend a bucket.

// KEYS[1] bucket; ARGV: cost, capacity, ratePerSecond, mode (take|refund). Uses the Redis clock.
const BUCKET_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1]) * 1000
local cap = tonumber(ARGV[2]) * 1000
local rate = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'm', 't')
local milli = cap
if state[1] then
  milli = math.min(cap, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * rate)
end
local allowed = 1
local retry = 0
if ARGV[4] == 'refund' then
  milli = math.min(cap, milli + cost)
elseif cost > milli then
  allowed = 0
  retry = math.ceil((cost - milli) / rate)
else
  milli = milli - cost
end
redis.call('HSET', KEYS[1], 'm', milli, 't', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - milli) / rate) + 1000)
return { allowed, math.floor(milli / 1000), retry }
`;

const COUNTER_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return { n, ttl }
`;

/**
 * The scripts as ioredis commands: sent by SHA1 (EVALSHA; the script's text only when Redis does not
 * have it yet), where EVAL sent and hashed ~900 bytes of Lua with every request's reservation.
 */
type ScriptedRedis = Redis & {
  lumbungBucket(key: string, cost: number, capacity: number, rate: number, mode: string): Promise<[number, number, number]>;
  lumbungCounter(key: string, windowMs: number): Promise<[number, number]>;
};
const scripted = (redis: Redis): ScriptedRedis => {
  const r = redis as ScriptedRedis;
  if (typeof r.lumbungBucket !== 'function') redis.defineCommand('lumbungBucket', { numberOfKeys: 1, lua: BUCKET_LUA });
  if (typeof r.lumbungCounter !== 'function') redis.defineCommand('lumbungCounter', { numberOfKeys: 1, lua: COUNTER_LUA });
  return r;
};

export class RedisBucketStore implements BucketStore {
  private readonly redis: ScriptedRedis;
  constructor(redis: Redis, private readonly prefix = 'lumbung:cost:') {
    this.redis = scripted(redis);
  }

  private async run(key: string, cost: number, capacity: number, rate: number, mode: 'take' | 'refund') {
    const [allowed, remaining, retry] = await this.redis.lumbungBucket(this.prefix + key, cost, capacity, rate, mode);
    return { allowed: allowed === 1, remaining, retryAfterMs: retry };
  }

  take(key: string, cost: number, capacity: number, ratePerSecond: number) {
    return this.run(key, cost, capacity, ratePerSecond, 'take');
  }

  async refund(key: string, points: number, capacity: number, ratePerSecond: number) {
    return (await this.run(key, Math.max(0, points), capacity, ratePerSecond, 'refund')).remaining;
  }
}

export class RedisCounterStore implements CounterStore {
  private readonly redis: ScriptedRedis;
  constructor(redis: Redis, private readonly prefix = 'lumbung:fail:') {
    this.redis = scripted(redis);
  }

  async increment(key: string, windowMs: number) {
    const [count, ttl] = await this.redis.lumbungCounter(this.prefix + key, windowMs);
    return { count, resetMs: Math.max(0, ttl) };
  }

  async get(key: string) {
    const [value, ttl] = await this.redis.multi().get(this.prefix + key).pttl(this.prefix + key).exec().then((r) => (r ?? []).map(([, v]) => v) as [string | null, number]);
    return { count: value === null ? 0 : Number(value), resetMs: Math.max(0, ttl) };
  }

  async reset(key: string) {
    await this.redis.del(this.prefix + key);
  }
}

// ---------------------------------------------------------------------------------------------
// While the shared store is down
// ---------------------------------------------------------------------------------------------

/**
 * Calls the shared (Redis) store, and while it fails, this node's own memory store: a Redis outage
 * makes the limits per node for a while instead of failing requests (or letting everything
 * through). After a failure the shared store is left alone for `pauseMs`, so a request does not
 * wait for a connection timeout each time; then it is tried again.
 */
class Fallback<S extends object> {
  private downUntil = 0;
  constructor(
    private readonly shared: S,
    private readonly local: S,
    private readonly onError: (error: unknown) => void,
    private readonly pauseMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  async call<T>(use: (store: S) => Promise<T>): Promise<T> {
    if (this.now() < this.downUntil) return use(this.local);
    try {
      return await use(this.shared);
    } catch (error) {
      this.downUntil = this.now() + this.pauseMs;
      this.onError(error);
      return use(this.local);
    }
  }
}

export interface FallbackOptions {
  onError: (error: unknown) => void;
  pauseMs?: number;
  now?: () => number;
}

export class FallbackBucketStore implements BucketStore {
  private readonly stores: Fallback<BucketStore>;
  constructor(shared: BucketStore, local: BucketStore, o: FallbackOptions) {
    this.stores = new Fallback(shared, local, o.onError, o.pauseMs, o.now);
  }
  take(key: string, cost: number, capacity: number, ratePerSecond: number) {
    return this.stores.call((s) => s.take(key, cost, capacity, ratePerSecond));
  }
  refund(key: string, points: number, capacity: number, ratePerSecond: number) {
    return this.stores.call((s) => s.refund(key, points, capacity, ratePerSecond));
  }
}

export class FallbackCounterStore implements CounterStore {
  private readonly stores: Fallback<CounterStore>;
  constructor(shared: CounterStore, local: CounterStore, o: FallbackOptions) {
    this.stores = new Fallback(shared, local, o.onError, o.pauseMs, o.now);
  }
  increment(key: string, windowMs: number) {
    return this.stores.call((s) => s.increment(key, windowMs));
  }
  get(key: string) {
    return this.stores.call((s) => s.get(key));
  }
  reset(key: string) {
    return this.stores.call((s) => s.reset(key));
  }
}
