import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { DB, RoleName } from './db-types.js';
import { UnauthenticatedError } from './errors.js';
import type { Language } from './language.js';
import { ConcurrencyGate } from './limits/gate.js';
import { prepared } from './sql.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// scrypt, memory-hard: N=2^15, r=8 → 32 MiB per hash. Encoded as scrypt$N$r$p$salt$hash (base64url).
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLen: 32, maxmem: 64 * 1024 * 1024 };

/**
 * Every scrypt hash (32 MiB each) goes through one gate per process: at most `concurrency` at once,
 * `queue` waiting, the rest refused with a retryable ServiceBusyError (see limits/gate.ts), so a
 * burst of logins cannot exhaust memory. buildApp sets the bounds from config.
 */
export const passwordHashGate = new ConcurrencyGate(4, 8);

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await passwordHashGate.run(() => scrypt(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem }));
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, hashB64] = encoded.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64url');
  const actual = await passwordHashGate.run(() => scrypt(password, Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem,
  }));
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
  /** The organisation's administrator (a buyer organisation's admin flag). */
  orgAdmin?: boolean;
}

/** A machine client acting for its organisation (OAuth 2.0 client credentials, see modules/partners). */
export interface ClientIdentity {
  /** Row id of the client. */
  id: number;
  /** Public client_id (`lmb_ci_…`). */
  clientId: string;
  /** Scopes of this token: what it asked for, cut to what the client still holds. */
  scopes: readonly string[];
  /** When the client is locked to trusted documents: their sha256 hashes (see modules/partners). */
  trustedDocuments?: ReadonlySet<string> | null;
}

/** Who is asking. Roles are read from the database on each request, so a revocation is immediate. */
export interface Principal {
  userId: number;
  email: string;
  displayName: string;
  grants: RoleGrant[];
  /** The person's preferred language, which wins over Accept-Language; null (or absent, for machine clients): the header decides. */
  preferredLanguage?: Language | null;
  /** Set when the caller is a machine client: its grants are its owner's roles on the client's organisation. */
  client?: ClientIdentity;
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

/** The user and their grants: compiled once, read on every authenticated request (never cached: a revocation is immediate). */
const principalRows = prepared((db: Kysely<DB>, userId: number) =>
  db
    .selectFrom('users')
    .leftJoin('role_grants', 'role_grants.user_id', 'users.id')
    .select([
      'users.id as userId', 'users.email', 'users.display_name as displayName', 'users.preferred_language as preferredLanguage',
      'role_grants.id as grantId', 'role_grants.role', 'role_grants.brand_id', 'role_grants.cooperative_id',
      'role_grants.producer_id', 'role_grants.buyer_org_id', 'role_grants.org_admin',
    ])
    .where('users.id', '=', userId),
);

export async function loadPrincipal(db: Kysely<DB>, userId: number): Promise<Principal | null> {
  const { rows } = await principalRows(db, userId);
  const first = rows[0];
  if (!first) return null;
  return {
    userId: first.userId,
    email: first.email,
    displayName: first.displayName,
    preferredLanguage: first.preferredLanguage,
    grants: rows
      .filter((r) => r.grantId !== null && r.role !== null)
      .map((r) => ({
        id: r.grantId as number,
        role: r.role as RoleName,
        orgId: r.brand_id ?? r.cooperative_id ?? r.producer_id ?? r.buyer_org_id ?? null,
        orgAdmin: r.org_admin === true,
      })),
  };
}
