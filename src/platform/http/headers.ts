import cors from '@fastify/cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { Config } from '../../config.js';

/**
 * Security headers and CORS (@fastify/cors) with an allow-list of origins (CORS_ORIGINS; none by
 * default, so browsers on other origins get no CORS headers at all).
 *
 * Every response carries the headers that protect an API (`API_HEADERS`, as OWASP's REST Security
 * Cheat Sheet lists them, and as GitHub's API answers): nothing it returns may be framed, sniffed,
 * embedded by another origin or reached over plain HTTP, and its CSP allows nothing, since a JSON
 * answer loads nothing. (Caching is left to each route: the token endpoint and the CSV exports say
 * `no-store`; a persisted query's GET stays cacheable.) The headers that only mean something for a
 * page a browser renders (COOP, Origin-Agent-Cluster, Referrer-Policy, X-DNS-Prefetch-Control,
 * X-Download-Options, …) are helmet's, sent with the GraphiQL page and its files
 * (`documentHeaders`, graphiql.ts), whose CSP lets that page work.
 *
 * None of them depends on the request (no nonces), so they are computed once and set from a
 * synchronous onRequest hook, before any hook that may answer early (auth's 401 carries them too).
 * Each header costs every request its validation and serialisation: helmet's 12 on every JSON
 * answer were ~5 of the ~35 µs of CPU of a `{ __typename }` request (issue 13); @fastify/helmet,
 * which rebuilt helmet's middleware per request, had cost a tenth more.
 */
export const headersPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    app.addHook('onRequest', setHeaders(API_HEADERS));
    const allowed = new Set(config.corsOrigins);
    // No origin allowed: no CORS plugin at all. With `origin: false` it grants nothing and answers a
    // preflight with a 404 too, but still copies its options on every request (~3 µs of the ~60 that
    // a `{ __typename }` costs on top of Mercurius alone; bench:api, issue 13).
    if (allowed.size === 0) return;
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight', 'x-apollo-operation-name'],
      exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
      maxAge: 600,
      strictPreflight: true,
    });
  },
  { name: 'lumbung-headers' },
);

/**
 * A synchronous onRequest hook that sets these headers on the reply, like every other header of
 * ours: while nothing is set on the raw response, Node writes Fastify's headers as they are instead
 * of passing each through setHeader again.
 */
export const setHeaders =
  (headers: ReadonlyArray<readonly [string, string]>) =>
  (_request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    for (const [name, value] of headers) reply.header(name, value);
    done();
  };

/** The security headers of every response (documents get `documentHeaders` on top). */
export const API_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
  ['cross-origin-resource-policy', 'same-origin'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
];

/**
 * The headers of a page a browser renders (the GraphiQL page and its scripts and styles): helmet's,
 * with a CSP under which GraphiQL works. Every script is a same-origin file; GraphiQL's editor
 * injects <style> elements, hence the styles' 'unsafe-inline'; everything else is 'self'.
 */
export function documentHeaders(): Array<[string, string]> {
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
