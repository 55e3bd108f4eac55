import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared Redis (REDIS_URL) for limits across nodes; null when embedded (in-memory limits). */
    redis: Redis | null;
  }
}

/** One Redis connection per app for rate limits, cost budgets and login throttling; closed with the app. */
export const redisPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    if (!config.redisUrl) {
      app.decorate('redis', null);
      return;
    }
    // While Redis is unreachable, commands fail at once instead of waiting in a queue for reconnects
    // (which made each request take seconds): the rate limit then skips, and the cost budget and the
    // login throttle count in this node's memory (platform/limits/stores.ts, Fallback*Store).
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    redis.on('error', (err) => app.log.warn({ err }, 'redis error'));
    app.decorate('redis', redis);
    // Start with the shared counts when Redis is there; don't hold the start-up when it is not.
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2_000).unref()),
    ]);
    if (!ready) app.log.warn('redis not ready after 2 s: limits count in memory until it is');
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'lumbung-redis' },
);
