import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import { passwordHashGate } from '../auth.js';
import { CostBudget } from '../graphql/cost.js';
import { FailureThrottle } from '../limits/throttle.js';
import {
  type BucketStore,
  type CounterStore,
  FallbackBucketStore,
  FallbackCounterStore,
  MemoryBucketStore,
  MemoryCounterStore,
  RedisBucketStore,
  RedisCounterStore,
} from '../limits/stores.js';
import './redis.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The stores behind the limits (in memory, or the shared Redis): see platform/limits. */
    limits: { counters: CounterStore; costBudget: CostBudget; loginThrottle: FailureThrottle };
  }
}

/**
 * The limit stores of this app: failure counters (login and token brute-force slowing) and the
 * query cost budget, in Redis when REDIS_URL is set so nodes share them, else in memory; and the
 * bound on concurrent password hashing (one gate per process, sized from config). While Redis
 * fails, each node counts in its own memory (logged), so an outage neither fails requests nor
 * lifts the limits.
 */
export const limitsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    passwordHashGate.configure(config.login.hashConcurrency, config.login.hashQueue);
    const onError = (err: unknown) => app.log.warn({ err }, 'limits: Redis failed; counting in this node\'s memory for a while');
    const counters: CounterStore = app.redis
      ? new FallbackCounterStore(new RedisCounterStore(app.redis, `${config.redisKeyPrefix}fail:`), new MemoryCounterStore(), { onError })
      : new MemoryCounterStore();
    const buckets: BucketStore = app.redis
      ? new FallbackBucketStore(new RedisBucketStore(app.redis, `${config.redisKeyPrefix}cost:`), new MemoryBucketStore(), { onError })
      : new MemoryBucketStore();
    const costBudget = new CostBudget(
      buckets,
      config.costBudget.max,
      config.costBudget.restorePerSecond,
    );
    const loginThrottle = new FailureThrottle(
      counters,
      { maxPerAccount: config.login.maxFailuresPerAccount, maxPerIp: config.login.maxFailuresPerIp, windowSeconds: config.login.windowSeconds },
      'login',
    );
    app.decorate('limits', { counters, costBudget, loginThrottle });
  },
  { name: 'lumbung-limits', dependencies: ['lumbung-redis'] },
);
