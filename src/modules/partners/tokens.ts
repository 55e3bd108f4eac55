import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { loadClientPrincipal } from './partners.service.js';
import { CLIENT_ID_RE } from './secrets.js';

/**
 * Client access tokens (RFC 9068 JWT profile): header `typ: at+jwt`; claims iss, aud, exp, iat,
 * sub (= client_id), client_id, scope (space-separated), jti. Signed and verified with the same
 * pinned algorithm, issuer and audience as user tokens (app.ts registers @fastify/jwt once).
 */

export function signClientToken(app: FastifyInstance, clientId: string, scopes: readonly string[], ttlSeconds: number): string {
  return app.jwt.sign(
    { sub: clientId, client_id: clientId, scope: scopes.join(' '), jti: randomUUID() } as { sub: string },
    // @fastify/jwt takes a numeric expiresIn in seconds.
    { expiresIn: ttlSeconds, header: { typ: 'at+jwt' } } as never,
  );
}

/**
 * The principal of an already verified client token, or null when its claims are not those of a
 * client token or the client no longer may act (disabled, owner lost the role).
 */
export async function clientPrincipalFromClaims(db: Kysely<DB>, claims: Record<string, unknown>): Promise<Principal | null> {
  const { sub, client_id: clientId, scope } = claims;
  if (typeof clientId !== 'string' || !CLIENT_ID_RE.test(clientId) || sub !== clientId) return null;
  if (typeof scope !== 'string' || scope.length > 1000) return null;
  return loadClientPrincipal(db, clientId, scope.split(' ').filter((s) => s.length > 0));
}
