import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB, Db, MembershipStatus } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { parseInput, zm } from '../../platform/validate.js';
import * as brandsRepo from '../brands/brands.repo.js';
import { accessToProducer, assertCanManageProducer } from '../producers/access.js';
import { NotApprovedMemberError } from './errors.js';
import * as repo from './memberships.repo.js';
import { type MembershipAction, REASON_REQUIRED, transition } from './state.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES } from '../../platform/issue-messages.js';

export { NotApprovedMemberError } from './errors.js';

/**
 * Memberships of producers in brands. The producer (or their cooperative manager) applies; a
 * curator or the brand manager approves or rejects with a reason; the brand manager suspends and
 * reinstates. Every transition locks the membership row and appends a membership_events row in
 * the same transaction.
 */

/** Who may take each action on a membership of `brandId` (apply is checked on the producer). */
function mayAct(actor: Principal, action: Exclude<MembershipAction, 'APPLY'>, brandId: number): boolean {
  if (isAdmin(actor) || hasRole(actor, 'BRAND_MANAGER', brandId)) return true;
  return (action === 'APPROVE' || action === 'REJECT') && hasRole(actor, 'CURATOR', brandId);
}

/** Brand-side visibility of a membership: admin, or the manager or a curator of its brand. */
export const seesBrandMemberships = (actor: Principal | null, brandId: number) =>
  isAdmin(actor) || hasRole(actor, 'BRAND_MANAGER', brandId) || hasRole(actor, 'CURATOR', brandId);

const Reason = (required: boolean) =>
  required
    ? z.string().trim().min(1, zm({ en: 'is required and must not be empty', id: 'wajib diisi dan tidak boleh kosong' })).max(1000, zm(ISSUES.maxChars({ max: 1000 })))
    : z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(1000, zm(ISSUES.maxChars({ max: 1000 }))).nullish());

function parseReason(action: MembershipAction, reason: string | null | undefined): string | null {
  return parseInput(z.object({ reason: Reason(REASON_REQUIRED.has(action)) }), { reason: reason ?? undefined }).reason ?? null;
}

/**
 * Apply for membership of a brand (the producer themself, their cooperative manager, or an admin).
 * A new application is APPLIED. After a rejection the producer may apply again (REJECTED → APPLIED).
 * An existing application or membership (APPLIED, APPROVED, SUSPENDED) is a ConflictError.
 */
export async function applyForMembership(db: Kysely<DB>, actor: Principal | null, producerId: number, brandId: number) {
  const principal = requirePrincipal(actor);
  return inTransaction(db, async (trx) => {
    await assertCanManageProducer(trx, principal, producerId, 'input.producerId');
    if (!(await brandsRepo.findBrand(trx, brandId))) throw new NotFoundError('Brand', 'input.brandId');
    const existing = await repo.lockMembershipOf(trx, producerId, brandId);
    if (existing && existing.status !== 'REJECTED') {
      throw new ConflictError(`The producer already has a membership in this brand (${existing.status})`, 'input.brandId');
    }
    const to = transition(existing?.status ?? null, 'APPLY');
    let membership: repo.MembershipRow;
    if (existing) {
      membership = await repo.setStatus(trx, existing.id, to);
    } else {
      const inserted = await repo.insertMembership(trx, { producer_id: producerId, brand_id: brandId, status: to });
      if (!inserted) throw new ConflictError('The producer already has a membership in this brand', 'input.brandId');
      membership = inserted;
    }
    await repo.insertEvent(trx, {
      membership_id: membership.id,
      from_status: existing?.status ?? null,
      to_status: to,
      actor_user_id: principal.userId,
      reason: null,
    });
    return membership;
  });
}

/** Move a membership by `action` under a row lock, recording who and why. */
async function act(
  db: Kysely<DB>,
  actor: Principal | null,
  membershipId: number,
  action: Exclude<MembershipAction, 'APPLY'>,
  reasonInput: string | null | undefined,
) {
  const principal = requirePrincipal(actor);
  const reason = parseReason(action, reasonInput);
  return inTransaction(db, async (trx) => {
    const membership = await repo.lockMembership(trx, membershipId);
    if (!membership) throw new NotFoundError('Membership', 'input.membershipId');
    if (!mayAct(principal, action, membership.brand_id)) {
      // A membership you may not see (not of your brand, not your own or your member's) looks unknown.
      const sees = seesBrandMemberships(principal, membership.brand_id) || (await accessToProducer(trx, principal, membership.producer_id)).manage;
      if (!sees) throw new NotFoundError('Membership', 'input.membershipId');
      throw new ForbiddenError(
        action === 'APPROVE' || action === 'REJECT'
          ? 'Only a curator or the manager of this brand decides its membership applications'
          : 'Only the manager of this brand suspends or reinstates its members',
      );
    }
    const to = transition(membership.status, action);
    const updated = await repo.setStatus(trx, membership.id, to);
    await repo.insertEvent(trx, {
      membership_id: membership.id,
      from_status: membership.status,
      to_status: to,
      actor_user_id: principal.userId,
      reason,
    });
    return updated;
  });
}

/** Approve or reject an application (a curator or the manager of the brand). A rejection needs a reason. */
export const decideMembership = (
  db: Kysely<DB>,
  actor: Principal | null,
  membershipId: number,
  decision: 'APPROVE' | 'REJECT',
  reason: string | null | undefined,
) => act(db, actor, membershipId, decision, reason);

/** Suspend an approved member (the manager of the brand), with a reason. */
export const suspendMembership = (db: Kysely<DB>, actor: Principal | null, membershipId: number, reason: string) =>
  act(db, actor, membershipId, 'SUSPEND', reason);

/** Reinstate a suspended member (the manager of the brand). */
export const reinstateMembership = (db: Kysely<DB>, actor: Principal | null, membershipId: number, reason: string | null | undefined) =>
  act(db, actor, membershipId, 'REINSTATE', reason);

/**
 * Throws NotApprovedMemberError (code NOT_APPROVED_MEMBER, naming `path`) unless the producer is an
 * APPROVED member of the brand. Inside a transaction the membership row is share-locked, so a
 * concurrent suspension waits until the caller commits.
 */
export async function assertApprovedMember(db: Db, producerId: number, brandId: number, path: string): Promise<void> {
  const row = await repo.membershipStatusFor(db, producerId, brandId);
  if (row?.status !== 'APPROVED') throw new NotApprovedMemberError(path, (row?.status as MembershipStatus | undefined) ?? null);
}
