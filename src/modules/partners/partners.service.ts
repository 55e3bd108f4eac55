import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal, type RoleGrant } from '../../platform/auth.js';
import type { ClientRole, DB } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, issueAt, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { addIssue, parseInput, zm } from '../../platform/validate.js';
import * as repo from './partners.repo.js';
import { isScope, ROLE_SCOPES, type Scope, SCOPE_NAMES } from './scopes.js';
import { hashSecret, newClientId, newSecret, sameHash, SECRET_RE } from './secrets.js';
import { checkDocuments } from './trusted-documents.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Machine clients (OAuth 2.0 client credentials, RFC 6749 §4.4): registered by an organisation's
 * administrator, holding scopes within what the organisation's role allows, authenticated with one
 * of at most two active secrets. A client acts as its organisation's role, on behalf of its owner:
 * when the owner loses that role (or the client is disabled) its tokens stop working at once.
 */

export const MAX_ACTIVE_SECRETS = 2;

export interface Keys {
  /** HMAC key for secrets (see secrets.ts). */
  secretKey: Buffer;
}

function requirePrincipal(actor: Principal | null): Principal {
  if (!actor) throw new UnauthenticatedError();
  return actor;
}

/** The org the input names, by its typename, to the client role it gets. */
const ROLE_OF_ORG: Record<string, ClientRole> = { Brand: 'BRAND_MANAGER', Cooperative: 'COOP_MANAGER', BuyerOrganization: 'BUYER' };

/** May this person administer clients of this organisation (role on org)? */
export function mayAdminister(actor: Principal, role: ClientRole, orgId: number | null): boolean {
  if (isAdmin(actor)) return true;
  if (role === 'ADMIN' || orgId === null) return false;
  if (role === 'BUYER') return actor.grants.some((g) => g.role === 'BUYER' && g.orgId === orgId && g.orgAdmin === true);
  return hasRole(actor, role, orgId);
}

const RegisterInput = z.object({
  name: z.string().trim().min(1, zm(ISSUES.notEmpty)).max(200, zm(ISSUES.maxChars({ max: 200 }))),
  scopes: z
    .array(z.string())
    .min(1, zm({ en: 'must name at least one scope', id: 'sebutkan paling sedikit satu cakupan (scope)' }))
    .max(SCOPE_NAMES.length)
    .superRefine((scopes, ctx) => {
      scopes.forEach((s, i) => {
        if (!isScope(s)) {
          addIssue(ctx, [i], { en: `is not a scope; known: ${SCOPE_NAMES.join(', ')}`, id: `bukan cakupan yang dikenal; yang ada: ${SCOPE_NAMES.join(', ')}` });
        }
      });
    }),
});

export async function registerClient(
  db: Kysely<DB>,
  keys: Keys,
  actor: Principal | null,
  input: { organization: { typename: string; id: number } | null; name: string; scopes: string[] },
) {
  const principal = requirePrincipal(actor);
  if (principal.client) throw new ForbiddenError('A machine client cannot register clients');
  const parsed = parseInput(RegisterInput, { name: input.name, scopes: input.scopes });
  const role: ClientRole = input.organization ? ROLE_OF_ORG[input.organization.typename]! : 'ADMIN';
  const orgId = input.organization?.id ?? null;
  if (!mayAdminister(principal, role, orgId)) {
    throw new ForbiddenError(
      role === 'ADMIN'
        ? 'Only a platform admin registers platform clients'
        : 'Only the organisation\'s administrator (brand manager, cooperative manager, buyer admin) or a platform admin registers its clients',
    );
  }
  const column = repo.ORG_COLUMN[role];
  if (column && !(await repo.orgExists(db, column, orgId as number))) throw new NotFoundError(input.organization!.typename, 'input.organizationId');
  const scopes = [...new Set(parsed.scopes as Scope[])];
  const allowed = new Set(ROLE_SCOPES[role]);
  const beyond = scopes.filter((s) => !allowed.has(s));
  if (beyond.length > 0) {
    throw new ValidationError(
      beyond.map((s) => issueAt(`input.scopes.${scopes.indexOf(s)}`, {
        en: `${s} is beyond what a ${role} organisation may do`,
        id: `${s} melampaui wewenang organisasi ${role}`,
      })),
    );
  }
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    const client = await repo.insertClient(trx, { clientId: newClientId(), name: parsed.name, ownerUserId: principal.userId, role, orgId, scopes });
    const stored = await repo.insertSecret(trx, { clientId: client.id, hash: hashSecret(keys.secretKey, secret), last4: secret.slice(-4), createdBy: principal.userId });
    await repo.appendAudit(trx, {
      action: 'client.created', actorUserId: principal.userId, clientId: client.id,
      details: { name: client.name, scopes, role, orgId, secretId: stored.id, last4: stored.last4 },
    });
    return { client, secret, secretRow: stored };
  });
}

/** The client, if the caller may administer it; otherwise NotFound (what they may not see does not exist). */
async function administrable(db: Kysely<DB>, principal: Principal, clientId: number) {
  const client = await repo.findClientById(db, clientId);
  if (!client || !(mayAdminister(principal, client.role, repo.orgIdOf(client)) || client.owner_user_id === principal.userId && !principal.client)) {
    throw new NotFoundError('PartnerClient', 'input.clientId');
  }
  if (principal.client) throw new NotFoundError('PartnerClient', 'input.clientId');
  return client;
}

/** A second secret, for rotation without downtime; refused while two are active. */
export async function rotateSecret(db: Kysely<DB>, keys: Keys, actor: Principal | null, clientId: number) {
  const principal = requirePrincipal(actor);
  await administrable(db, principal, clientId);
  const secret = newSecret();
  return db.transaction().execute(async (trx) => {
    const client = (await repo.lockClient(trx, clientId))!;
    const active = await repo.activeSecrets(trx, clientId);
    if (active.length >= MAX_ACTIVE_SECRETS) {
      throw new ConflictError(`The client already has ${MAX_ACTIVE_SECRETS} active secrets; revoke one first`, 'input.clientId');
    }
    const stored = await repo.insertSecret(trx, { clientId, hash: hashSecret(keys.secretKey, secret), last4: secret.slice(-4), createdBy: principal.userId });
    await repo.appendAudit(trx, {
      action: 'client.secret_rotated', actorUserId: principal.userId, clientId,
      details: { secretId: stored.id, last4: stored.last4, activeSecrets: active.length + 1 },
    });
    return { client, secret, secretRow: stored };
  });
}

export async function revokeSecret(db: Kysely<DB>, actor: Principal | null, clientId: number, secretId: number) {
  const principal = requirePrincipal(actor);
  await administrable(db, principal, clientId);
  return db.transaction().execute(async (trx) => {
    const client = (await repo.lockClient(trx, clientId))!;
    const revoked = await repo.revokeSecret(trx, clientId, secretId);
    if (!revoked) throw new NotFoundError('ClientSecret', 'input.secretId', 'No active secret with this id on this client');
    await repo.appendAudit(trx, {
      action: 'client.secret_revoked', actorUserId: principal.userId, clientId, details: { secretId, last4: revoked.last4 },
    });
    return client;
  });
}

export async function setDisabled(db: Kysely<DB>, actor: Principal | null, clientId: number, disabled: boolean) {
  const principal = requirePrincipal(actor);
  await administrable(db, principal, clientId);
  return db.transaction().execute(async (trx) => {
    const client = await repo.setDisabled(trx, clientId, disabled);
    await repo.appendAudit(trx, { action: disabled ? 'client.disabled' : 'client.enabled', actorUserId: principal.userId, clientId, details: {} });
    return client;
  });
}

export async function listClients(db: Kysely<DB>, actor: Principal | null, page: Parameters<typeof repo.listClients>[2]) {
  const principal = requirePrincipal(actor);
  if (principal.client) throw new ForbiddenError('A machine client cannot list clients');
  if (isAdmin(principal)) return repo.listClients(db, { all: true }, page);
  const orgs = principal.grants
    .filter((g) => (g.role === 'BRAND_MANAGER' || g.role === 'COOP_MANAGER' || (g.role === 'BUYER' && g.orgAdmin)) && g.orgId !== null)
    .map((g) => ({ role: g.role as ClientRole, orgId: g.orgId as number }));
  return repo.listClients(db, { orgs, ownerUserId: principal.userId }, page);
}

export const canSeeClient = (actor: Principal | null, client: repo.ClientRow) =>
  actor !== null && !actor.client && (mayAdminister(actor, client.role, repo.orgIdOf(client)) || client.owner_user_id === actor.userId);

/** A buyer organisation's admin flag: set by a platform admin or another admin of the same buyer org. */
export async function setOrganizationAdmin(db: Kysely<DB>, actor: Principal | null, grantId: number, admin: boolean) {
  const principal = requirePrincipal(actor);
  if (principal.client) throw new ForbiddenError('A machine client cannot change roles');
  const grant = await repo.findGrant(db, grantId);
  const visible = grant && (isAdmin(principal) || (grant.role === 'BUYER' && mayAdminister(principal, 'BUYER', grant.buyer_org_id)));
  if (!grant || !visible) throw new NotFoundError('RoleGrant', 'input.grantId');
  if (grant.role !== 'BUYER') throw ValidationError.field('input.grantId', {
    en: 'only a BUYER grant carries the organisation admin flag',
    id: 'hanya hak akses BUYER yang dapat diberi tanda admin organisasi',
  });
  return db.transaction().execute(async (trx) => {
    const row = await repo.setGrantOrgAdmin(trx, grantId, admin);
    await repo.appendAudit(trx, {
      action: admin ? 'org_admin.granted' : 'org_admin.revoked', actorUserId: principal.userId, clientId: null,
      details: { grantId, userId: row.user_id, buyerOrgId: row.buyer_org_id },
    });
    return row;
  });
}

// ---------------------------------------------------------------------------------------------
// The token endpoint and request authentication

export type ClientAuthFailure = 'invalid_client' | 'invalid_scope';

/**
 * Client authentication for POST /oauth/token: the client exists, is enabled, its owner still holds
 * its role, and the secret matches an active one (compared as keyed hashes, in constant time).
 * Returns the scopes to put in the token: all of the client's, or the requested subset.
 */
export async function authenticateClient(
  db: Kysely<DB>,
  keys: Keys,
  clientId: string,
  secret: string,
  requestedScope: string | undefined,
): Promise<{ client: repo.ClientRow; scopes: string[] } | ClientAuthFailure> {
  const client = await repo.findClientByClientId(db, clientId);
  const hash = hashSecret(keys.secretKey, SECRET_RE.test(secret) ? secret : `invalid:${secret}`);
  const secrets = client ? await repo.activeSecrets(db, client.id) : [];
  const match = secrets.find((s) => sameHash(s.secret_hash, hash));
  if (!client || !match || !SECRET_RE.test(secret) || client.disabled_at !== null) return 'invalid_client';
  if (!(await ownerStillEntitled(db, client))) return 'invalid_client';
  let scopes = client.scopes;
  if (requestedScope !== undefined) {
    const asked = requestedScope.split(' ').filter((s) => s.length > 0);
    if (asked.length === 0 || asked.some((s) => !client.scopes.includes(s))) return 'invalid_scope';
    scopes = [...new Set(asked)];
  }
  await repo.touchSecret(db, match.id);
  await repo.touchClient(db, client.id);
  return { client, scopes };
}

async function ownerStillEntitled(db: Kysely<DB>, client: repo.ClientRow): Promise<RoleGrant | null> {
  const admin = await repo.holdsRole(db, client.owner_user_id, 'ADMIN', null);
  if (admin) return { id: admin.grantId, role: client.role, orgId: repo.orgIdOf(client) };
  if (client.role === 'ADMIN') return null;
  const held = await repo.holdsRole(db, client.owner_user_id, client.role, repo.orgIdOf(client));
  if (!held) return null;
  if (client.role === 'BUYER' && !held.orgAdmin) return null;
  return { id: held.grantId, role: client.role, orgId: repo.orgIdOf(client), orgAdmin: held.orgAdmin };
}

/**
 * The principal of a request made with a client access token: the client's role on its organisation
 * (ADMIN for a platform client), on behalf of its owner; scopes cut to what the client still holds.
 * Null when the client is unknown, disabled, or its owner lost the role.
 */
export async function loadClientPrincipal(db: Kysely<DB>, clientId: string, tokenScopes: readonly string[]): Promise<Principal | null> {
  const client = await repo.findClientByClientId(db, clientId);
  if (!client || client.disabled_at !== null) return null;
  const grant = await ownerStillEntitled(db, client);
  if (!grant) return null;
  const owner = await db.selectFrom('users').select(['id', 'email', 'display_name']).where('id', '=', client.owner_user_id).executeTakeFirst();
  if (!owner) return null;
  await repo.touchClient(db, client.id);
  return {
    userId: owner.id,
    email: owner.email,
    displayName: `${client.name} (client of ${owner.display_name})`,
    grants: [grant.role === 'ADMIN' || client.role === 'ADMIN' ? { id: grant.id, role: 'ADMIN', orgId: null } : grant],
    client: {
      id: client.id,
      clientId: client.client_id,
      scopes: tokenScopes.filter((s) => client.scopes.includes(s)),
      trustedDocuments: client.trusted_documents_only ? new Set(await repo.trustedHashes(db, client.id)) : null,
    },
  };
}

export const clientAudit = (db: Kysely<DB>, clientId: number) => repo.auditOfClient(db, clientId);
export const secretsOf = (db: Kysely<DB>, clientIds: readonly number[]) => repo.secretsOfClients(db, clientIds);

/**
 * Lock a client to an allow-list of documents (trusted documents), or unlock it with null. Its
 * administrators decide (a brand manager for the brand's clients, …). Each document must parse.
 */
export async function setTrustedDocuments(
  db: Kysely<DB>,
  actor: Principal | null,
  clientId: number,
  documents: readonly string[] | null,
  maxTokens: number,
) {
  const principal = requirePrincipal(actor);
  await administrable(db, principal, clientId);
  const checked = documents === null ? [] : checkDocuments(documents, maxTokens);
  if (documents !== null && checked.length === 0) throw ValidationError.field('input.documents', {
      en: 'must list at least one document (null unlocks the client)',
      id: 'cantumkan paling sedikit satu dokumen (null membuka kunci klien)',
    });
  return db.transaction().execute(async (trx) => {
    await repo.lockClient(trx, clientId);
    const client = await repo.replaceTrustedDocuments(trx, clientId, checked, documents !== null);
    await repo.appendAudit(trx, {
      action: documents === null ? 'client.trusted_documents_cleared' : 'client.trusted_documents_set',
      actorUserId: principal.userId, clientId, details: { hashes: checked.map((d) => d.hash) },
    });
    return client;
  });
}

export const trustedHashesOf = (db: Kysely<DB>, clientId: number) => repo.trustedHashes(db, clientId);
