import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hashPassword, hasRole, isAdmin, type Principal, requirePrincipal, timingDummyHash, verifyPassword } from '../../platform/auth.js';
import type { DB, RoleName } from '../../platform/db-types.js';
import {
  ConflictError, ForbiddenError, InvalidCredentialsError, NotFoundError, ValidationError,
} from '../../platform/errors.js';
import type { Language } from '../../platform/language.js';
import { parseInput, zm } from '../../platform/validate.js';
import * as repo from './accounts.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES } from '../../platform/issue-messages.js';

export const ROLES = ['ADMIN', 'BRAND_MANAGER', 'CURATOR', 'COOP_MANAGER', 'PRODUCER', 'BUYER'] as const satisfies readonly RoleName[];

/** Which organisation each role is granted on. */
export const ROLE_ORG: Record<RoleName, { column: repo.OrgColumn; table: repo.OrgTable; typename: string } | null> = {
  ADMIN: null,
  BRAND_MANAGER: { column: 'brand_id', table: 'brands', typename: 'Brand' },
  CURATOR: { column: 'brand_id', table: 'brands', typename: 'Brand' },
  COOP_MANAGER: { column: 'cooperative_id', table: 'cooperatives', typename: 'Cooperative' },
  PRODUCER: { column: 'producer_id', table: 'producers', typename: 'Producer' },
  BUYER: { column: 'buyer_org_id', table: 'buyer_orgs', typename: 'BuyerOrganization' },
};

const email = z.string().trim().max(254).email(zm(ISSUES.email));
const password = z.string().min(12, zm(ISSUES.minChars({ min: 12 }))).max(200, zm(ISSUES.maxChars({ max: 200 })));

/** Login: an unknown email and a wrong password give the same error and cost the same time. */
export async function login(db: Kysely<DB>, input: { email: string; password: string }) {
  const { email: address, password: pw } = parseInput(z.object({ email, password: z.string().min(1).max(200) }), input);
  const user = await repo.findUserByEmail(db, address);
  const ok = await verifyPassword(pw, user?.password_hash ?? (await timingDummyHash()));
  if (!user || !ok) throw new InvalidCredentialsError();
  return user;
}

const CreateUserInput = z.object({
  email,
  password,
  displayName: z.string().trim().min(1, zm(ISSUES.notEmpty)).max(200),
});

/** Create a user; the password is hashed (scrypt) and never stored or logged. Admin only. */
export async function createUser(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof CreateUserInput>) {
  if (!isAdmin(requirePrincipal(actor))) throw new ForbiddenError('Only an admin creates users');
  return insertUserChecked(db, parseInput(CreateUserInput, input));
}

/**
 * Set (or, with null, clear) the caller's own preferred language: messages then come in it whatever
 * Accept-Language says. People only: a machine client acts for its owner but does not speak for them.
 */
export async function setPreferredLanguage(db: Kysely<DB>, actor: Principal | null, language: Language | null) {
  const principal = requirePrincipal(actor);
  if (principal.client) throw new ForbiddenError('A machine client cannot set its owner\'s language');
  const user = await repo.setPreferredLanguage(db, principal.userId, language);
  if (!user) throw new NotFoundError('User');
  return user;
}

/** Bootstrap and seed path: no actor check. */
export async function insertUserChecked(db: Kysely<DB>, input: z.output<typeof CreateUserInput>) {
  const parsed = parseInput(CreateUserInput, input);
  if (await repo.findUserByEmail(db, parsed.email)) throw new ConflictError('A user with this email exists', 'input.email');
  return repo.insertUser(db, {
    email: parsed.email,
    display_name: parsed.displayName,
    password_hash: await hashPassword(parsed.password),
  });
}

/**
 * Who may grant what: an admin grants any role; a brand manager appoints curators of their brand
 * and cooperative managers; a cooperative manager links producer accounts of their cooperative
 * (checked by the producers module when it registers a producer with a login).
 */
function mayGrant(actor: Principal, role: RoleName, orgId: number | null): boolean {
  if (isAdmin(actor)) return true;
  if (role === 'CURATOR' && orgId !== null) return hasRole(actor, 'BRAND_MANAGER', orgId);
  if (role === 'COOP_MANAGER') return hasRole(actor, 'BRAND_MANAGER');
  return false;
}

export async function grantRole(
  db: Kysely<DB>,
  actor: Principal | null,
  input: { userId: number; role: RoleName; organizationId: number | null; organizationType: string | null },
) {
  const principal = requirePrincipal(actor);
  const org = ROLE_ORG[input.role];
  if (!org && input.organizationId !== null) throw ValidationError.field('input.organizationId', { en: 'must be empty for ADMIN', id: 'harus kosong untuk ADMIN' });
  if (org && input.organizationId === null) {
    throw ValidationError.field('input.organizationId', {
      en: `is required: ${input.role} is granted on a ${org.typename}`,
      id: `wajib diisi: peran ${input.role} diberikan pada ${org.typename}`,
    });
  }
  if (org && input.organizationType !== org.typename) {
    throw ValidationError.field('input.organizationId', {
      en: `must be the ID of a ${org.typename} for ${input.role}`,
      id: `harus ID ${org.typename} untuk peran ${input.role}`,
    });
  }
  if (!mayGrant(principal, input.role, input.organizationId)) throw new ForbiddenError(`You may not grant ${input.role} here`);
  if ((await repo.findUsersByIds(db, [input.userId])).length === 0) throw new NotFoundError('User', 'input.userId');
  if (org && !(await repo.orgExists(db, org.table, input.organizationId as number))) {
    throw new NotFoundError(org.typename, 'input.organizationId');
  }
  return inTransaction(db, async (trx) => {
    const row = {
      user_id: input.userId,
      role: input.role,
      granted_by: principal.userId,
      ...(org ? { [org.column]: input.organizationId } : {}),
    };
    const inserted = await repo.insertGrant(trx, row);
    // Granting a role the user already has is idempotent: return the existing grant.
    return inserted ?? (await repo.findSameGrant(trx, input.userId, input.role, org?.column ?? null, input.organizationId))!;
  });
}

export async function revokeRole(db: Kysely<DB>, actor: Principal | null, grantId: number) {
  const principal = requirePrincipal(actor);
  const grant = await repo.findGrant(db, grantId);
  if (!grant) throw new NotFoundError('RoleGrant', 'input.grantId');
  const orgId = grant.brand_id ?? grant.cooperative_id ?? grant.producer_id ?? grant.buyer_org_id ?? null;
  if (!mayGrant(principal, grant.role, orgId)) {
    // Someone else's grant you may not manage looks like an unknown one; your own is yours to know.
    if (grant.user_id !== principal.userId) throw new NotFoundError('RoleGrant', 'input.grantId');
    throw new ForbiddenError(`You may not revoke ${grant.role} here`);
  }
  if (grant.role === 'ADMIN' && grant.user_id === principal.userId) {
    throw new ConflictError('An admin cannot revoke their own admin role', 'input.grantId');
  }
  await repo.deleteGrant(db, grantId);
  return grant;
}

const BuyerOrgInput = z.object({
  name: z.string().trim().min(1, zm(ISSUES.notEmpty)).max(200),
  country: z.string().regex(/^[A-Z]{2}$/, zm({ en: 'must be an ISO 3166-1 alpha-2 code such as EG', id: 'harus kode negara ISO 3166-1 alpha-2, misalnya EG' })),
});

export async function createBuyerOrganization(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof BuyerOrgInput>) {
  if (!isAdmin(requirePrincipal(actor))) throw new ForbiddenError('Only an admin creates buyer organisations');
  return repo.insertBuyerOrg(db, parseInput(BuyerOrgInput, input));
}

/** A user is visible to themselves and admins; others see only display names through other types. */
export const canSeeUser = (actor: Principal | null, userId: number) => actor !== null && (actor.userId === userId || isAdmin(actor));

/** A grant is visible to its holder, admins, and whoever may grant or revoke it (e.g. the brand manager who appointed a curator). */
export const canSeeGrant = (actor: Principal | null, grant: repo.GrantRow) =>
  actor !== null &&
  (canSeeUser(actor, grant.user_id) ||
    mayGrant(actor, grant.role, grant.brand_id ?? grant.cooperative_id ?? grant.producer_id ?? grant.buyer_org_id ?? null));

export async function listUsers(db: Kysely<DB>, actor: Principal | null, page: Parameters<typeof repo.listUsers>[1]) {
  if (!isAdmin(requirePrincipal(actor))) throw new ForbiddenError('Only an admin lists users');
  return repo.listUsers(db, page);
}
