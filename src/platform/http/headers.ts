import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import type { Config } from '../../config.js';

/**
 * Security headers (@fastify/helmet) and CORS (@fastify/cors) with an allow-list of origins
 * (CORS_ORIGINS; none by default, so browsers on other origins get no CORS headers at all).
 *
 * The CSP lets the GraphiQL page (graphiql.ts, served from our own node_modules) work: every
 * script is a same-origin file; GraphiQL's editor injects <style> elements, hence the styles'
 * 'unsafe-inline'; everything else is 'self'.
 */
export const headersPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'worker-src': ["'self'", 'blob:'],
          'frame-ancestors': ["'none'"],
        },
      },
    });
    const allowed = new Set(config.corsOrigins);
    await app.register(cors, {
      origin: allowed.size === 0 ? false : (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'],
      exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      maxAge: 600,
      strictPreflight: true,
    });
  },
  { name: 'lumbung-headers' },
);
