import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import './redis.js';

/** Who a request counts against: its machine client, its user, or (anonymous) its IP. */
export function limitKey(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.client) return `client:${p.client.id}`;
  if (p) return `user:${p.userId}`;
  return `ip:${request.ip}`;
}

export class RateLimitedError extends Error {
  readonly code = 'RATE_LIMITED';
  readonly statusCode = 429;
  readonly retryable = true;
  constructor(readonly retryAfterSeconds: number) {
    super(`Rate limit exceeded; retry in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}

/**
 * Request rate per client, per user and per IP (@fastify/rate-limit), in a one-minute window; in
 * memory when embedded, in Redis when REDIS_URL is set so every node shares one count. Answers 429
 * with Retry-After and the IETF draft `ratelimit-limit/-remaining/-reset` headers. A route opts out
 * with `config: { rateLimit: false }` (the health checks; an allow-list function would cost every
 * request one more await). Register it before the routes it protects (it attaches to routes as they
 * are added); it runs after authentication (an app-level onRequest hook), so it can key by the
 * principal.
 */
export const rateLimitPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const perMinute = config.rateLimit;
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      timeWindow: 60_000,
      enableDraftSpec: true,
      keyGenerator: limitKey,
      max: (_request, key) =>
        key.startsWith('client:') ? perMinute.clientPerMinute : key.startsWith('user:') ? perMinute.userPerMinute : perMinute.ipPerMinute,
      ...(app.redis ? { redis: app.redis, nameSpace: `${config.redisKeyPrefix}rl:`, skipOnError: true } : {}),
      errorResponseBuilder: (_request, context) => new RateLimitedError(Math.max(1, Math.ceil(context.ttl / 1000))),
    });
  },
  { name: 'lumbung-rate-limit', dependencies: ['lumbung-redis'] },
);
