import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client IDs and secrets. A secret is `lmb_cs_` plus 32 random bytes (256 bits) in base64url: the
 * prefix makes a leaked secret recognisable to secret scanners and people. Only a keyed hash
 * (HMAC-SHA256 with a server key derived from the JWT secret by HKDF) and the last 4 characters are
 * stored, so a copy of the database alone does not let anyone authenticate.
 */

export const CLIENT_ID_PREFIX = 'lmb_ci_';
export const SECRET_PREFIX = 'lmb_cs_';
export const SECRET_RE = /^lmb_cs_[A-Za-z0-9_-]{43}$/;
export const CLIENT_ID_RE = /^lmb_ci_[A-Za-z0-9_-]{22}$/;

export const newClientId = (): string => CLIENT_ID_PREFIX + randomBytes(16).toString('base64url');
export const newSecret = (): string => SECRET_PREFIX + randomBytes(32).toString('base64url');

/** The HMAC key for client secrets, derived from the server's JWT secret (domain-separated). */
export function secretKey(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'lumbung', 'oauth-client-secret-hmac', 32));
}

export const hashSecret = (key: Buffer, secret: string): string => createHmac('sha256', key).update(secret).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
