import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import { passwordHashGate } from '../auth.js';
import { CostBudget } from '../graphql/cost.js';
import { FailureThrottle } from '../limits/throttle.js';
import { type CounterStore, MemoryBucketStore, MemoryCounterStore, RedisBucketStore, RedisCounterStore } from '../limits/stores.js';
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
 * bound on concurrent password hashing (one gate per process, sized from config).
 */
export const limitsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    passwordHashGate.configure(config.login.hashConcurrency, config.login.hashQueue);
    const counters = app.redis ? new RedisCounterStore(app.redis, `${config.redisKeyPrefix}fail:`) : new MemoryCounterStore();
    const costBudget = new CostBudget(
      app.redis ? new RedisBucketStore(app.redis, `${config.redisKeyPrefix}cost:`) : new MemoryBucketStore(),
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
