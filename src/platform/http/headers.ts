import cors from '@fastify/cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { Config } from '../../config.js';

/**
 * Security headers (helmet) and CORS (@fastify/cors) with an allow-list of origins
 * (CORS_ORIGINS; none by default, so browsers on other origins get no CORS headers at all).
 *
 * The CSP lets the GraphiQL page (graphiql.ts, served from our own node_modules) work: every
 * script is a same-origin file; GraphiQL's editor injects <style> elements, hence the styles'
 * 'unsafe-inline'; everything else is 'self'.
 *
 * Helmet's headers do not depend on the request (no nonces, no per-request directives), so they
 * are computed once, by running helmet's middleware against a recorder, and set on every response
 * from an onRequest hook (before any hook that may answer early, as helmet's own did). The
 * Fastify wrapper (@fastify/helmet) rebuilt helmet's middleware, CSP parsing included, on every
 * request: about a tenth of the CPU of a `{ __typename }` request (issue 13).
 */
export const headersPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const headers = securityHeaders();
    app.addHook('onRequest', (_request, reply, done) => {
      const raw = reply.raw;
      for (const [name, value] of headers) raw.setHeader(name, value);
      done();
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

/** The headers helmet sets with this app's policy, as [name, value] pairs. */
export function securityHeaders(): Array<[string, string]> {
  const middleware = helmet({
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
  const recorded = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      recorded.set(name.toLowerCase(), String(value));
      return recorder;
    },
    removeHeader(name: string) {
      recorded.delete(name.toLowerCase());
    },
  };
  let failure: unknown = null;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) failure = err;
  });
  if (failure) throw failure;
  return [...recorded];
}
