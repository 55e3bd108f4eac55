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
    // Fail fast instead of queueing commands forever when Redis is down; limits then fail open/closed per plugin.
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    redis.on('error', (err) => app.log.warn({ err }, 'redis error'));
    app.decorate('redis', redis);
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'lumbung-redis' },
);
