import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.js';
import { loadPrincipal, type Principal } from '../auth.js';
import type { Database } from '../db.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: set from the bearer token on /graphql and /exports/ requests, null when anonymous. */
    principal: Principal | null;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string };
    user: { sub: string; iat: number; exp: number; iss: string; aud: string };
  }
}

export interface AuthOptions {
  jwt: Config['jwt'];
  database: Database;
  /**
   * The principal of a verified machine-client access token (RFC 9068, `typ: at+jwt`), or null when
   * its client may no longer act. Provided by the wiring (modules/partners); without it such tokens
   * are refused.
   */
  clientTokens?: (db: Database['db'], claims: Record<string, unknown>) => Promise<Principal | null>;
}

/** RFC 9068's token type of access tokens (also in its media-type form). */
export const isAccessTokenType = (typ: unknown): boolean =>
  typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());

/**
 * Bearer tokens: @fastify/jwt with the algorithm, issuer, audience and required claims pinned
 * (its defaults accept tokens without exp, foreign aud/iss and other algorithms). A /graphql
 * request with an Authorization header gets its Principal (roles read fresh from the database,
 * so a revocation is immediate) or a 401 naming what is wrong; without the header it is anonymous.
 */
/** Paths whose requests carry a bearer token: GraphQL and the downloads under /exports/ (shipments, settlement, SHU). */
export const AUTHENTICATED_PREFIXES = ['/graphql', '/exports/'] as const;

export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, { jwt, database, clientTokens }) => {
    if (!jwt.secret) throw new Error('JWT secret missing: server.ts resolves it before building the app');
    await app.register(fastifyJwt, {
      secret: jwt.secret,
      sign: { algorithm: 'HS256', iss: jwt.issuer, aud: jwt.audience, expiresIn: jwt.expiresInSeconds },
      verify: {
        algorithms: ['HS256'],
        allowedIss: jwt.issuer,
        allowedAud: jwt.audience,
        requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
      },
    });
    app.decorateRequest('principal', null);
    // Synchronous for an anonymous request (no promise, no microtask turn); a bearer token waits for its principal.
    app.addHook('onRequest', (request, reply, done) => {
      request.principal = null;
      if (request.headers.authorization === undefined || !AUTHENTICATED_PREFIXES.some((p) => request.url.startsWith(p))) return done();
      authenticate(request, database, clientTokens).then((principal) => {
        if (typeof principal === 'string') {
          reply.code(401).send(unauthenticated(principal));
          return;
        }
        request.principal = principal;
        done();
      }, done);
    });
  },
  { name: 'lumbung-auth' },
);

function unauthenticated(message: string) {
  return { data: null, errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] };
}

/** The principal of a bearer token, or why there is none. */
async function authenticate(
  request: FastifyRequest,
  database: Database,
  clientTokens: AuthOptions['clientTokens'],
): Promise<Principal | string> {
  const header = request.headers.authorization ?? '';
  if (!/^Bearer [A-Za-z0-9._~+/-]+=*$/.test(header)) return 'Authorization must be "Bearer <token>"';
  const result = await principalOfToken(request.server, header.slice(7), database, clientTokens);
  return typeof result === 'string' ? result : result.principal;
}

/** The JOSE header of a token whose signature was verified (so it is well-formed JSON). */
function verifiedHeader(token: string): { typ?: unknown } {
  const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as unknown;
  return header !== null && typeof header === 'object' ? (header as { typ?: unknown }) : {};
}

/**
 * The principal of a token (the bearer header's, or a WebSocket's connection_init, which carries
 * no Authorization header), with its expiry in ms, or why there is none: the signature and claims
 * checked by the app's one verifier, then the principal (loadPrincipal: the one place a user's
 * principal is read, roles fresh, so a revocation is immediate).
 */
export async function principalOfToken(
  app: FastifyInstance,
  token: string,
  database: Database,
  clientTokens: AuthOptions['clientTokens'],
): Promise<{ principal: Principal; expiresAt: number } | string> {
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(token)) return 'Invalid token';
  let claims: Record<string, unknown>;
  try {
    claims = app.jwt.verify<Record<string, unknown>>(token);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    return code.includes('EXPIRED') ? 'Token expired' : 'Invalid token';
  }
  const expiresAt = Number(claims.exp) * 1000;
  // A machine client's access token names a client, never a user; a user token never carries
  // client claims. Neither can stand in for the other.
  if (isAccessTokenType(verifiedHeader(token).typ)) {
    const principal = clientTokens ? await clientTokens(database.db, claims) : null;
    return principal ? { principal, expiresAt } : 'Invalid token';
  }
  if ('client_id' in claims || 'scope' in claims) return 'Invalid token';
  const sub = claims.sub;
  if (typeof sub !== 'string' || !/^\d{1,15}$/.test(sub)) return 'Invalid token';
  const principal = await loadPrincipal(database.db, Number(sub));
  return principal ? { principal, expiresAt } : 'Invalid token';
}
