import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB, RoleName } from './db-types.js';
import { UnauthenticatedError } from './errors.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// scrypt, memory-hard: N=2^15, r=8 → 32 MiB per hash. Encoded as scrypt$N$r$p$salt$hash (base64url).
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLen: 32, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, hashB64] = encoded.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64url');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash to verify against when the email is unknown, so both failures cost the same time. */
let dummyHash: Promise<string> | null = null;
export function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

export interface RoleGrant {
  id: number;
  role: RoleName;
  /** The organisation the role is on: brand, cooperative, producer or buyer org; null for ADMIN. */
  orgId: number | null;
}

/** Who is asking. Roles are read from the database on each request, so a revocation is immediate. */
export interface Principal {
  userId: number;
  email: string;
  displayName: string;
  grants: RoleGrant[];
}

/** The caller, or UnauthenticatedError when nobody signed in. Services call it first. */
export function requirePrincipal(actor: Principal | null): Principal {
  if (!actor) throw new UnauthenticatedError();
  return actor;
}

export function orgIdsWithRole(principal: Principal | null, role: RoleName): number[] {
  return principal ? principal.grants.filter((g) => g.role === role && g.orgId !== null).map((g) => g.orgId as number) : [];
}

export function hasRole(principal: Principal | null, role: RoleName, orgId?: number): boolean {
  if (!principal) return false;
  return principal.grants.some((g) => g.role === role && (orgId === undefined || g.orgId === orgId));
}

export const isAdmin = (principal: Principal | null): boolean => hasRole(principal, 'ADMIN');

export async function loadPrincipal(db: Kysely<DB>, userId: number): Promise<Principal | null> {
  const rows = await db
    .selectFrom('users')
    .leftJoin('role_grants', 'role_grants.user_id', 'users.id')
    .select([
      'users.id as userId', 'users.email', 'users.display_name as displayName',
      'role_grants.id as grantId', 'role_grants.role', 'role_grants.brand_id', 'role_grants.cooperative_id',
      'role_grants.producer_id', 'role_grants.buyer_org_id',
    ])
    .where('users.id', '=', userId)
    .execute();
  const first = rows[0];
  if (!first) return null;
  return {
    userId: first.userId,
    email: first.email,
    displayName: first.displayName,
    grants: rows
      .filter((r) => r.grantId !== null && r.role !== null)
      .map((r) => ({
        id: r.grantId as number,
        role: r.role as RoleName,
        orgId: r.brand_id ?? r.cooperative_id ?? r.producer_id ?? r.buyer_org_id ?? null,
      })),
  };
}
