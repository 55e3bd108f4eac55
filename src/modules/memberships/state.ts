import type { MembershipStatus } from '../../platform/db-types.js';
import { InvalidTransitionError } from '../../platform/errors.js';

/**
 * The membership state machine, pure.
 *
 *   (none) ──APPLY──▶ APPLIED ──APPROVE──▶ APPROVED ──SUSPEND──▶ SUSPENDED
 *                       │  ▲                  ▲                      │
 *                  REJECT  APPLY              └──────REINSTATE───────┘
 *                       ▼  │
 *                     REJECTED
 *
 * Documented choice: a rejected producer may apply again (REJECTED → APPLIED, a new curation
 * round with its own event); the row is reused because (producer, brand) is unique and the
 * history stays in one place. Applying while APPLIED, APPROVED or SUSPENDED is a conflict
 * (checked by the service before it gets here), not a transition.
 */
export type MembershipAction = 'APPLY' | 'APPROVE' | 'REJECT' | 'SUSPEND' | 'REINSTATE';

export const MEMBERSHIP_STATUSES: readonly MembershipStatus[] = ['APPLIED', 'APPROVED', 'REJECTED', 'SUSPENDED'];

export const TRANSITIONS: Readonly<Record<MembershipAction, { from: readonly (MembershipStatus | null)[]; to: MembershipStatus }>> = {
  APPLY: { from: [null, 'REJECTED'], to: 'APPLIED' },
  APPROVE: { from: ['APPLIED'], to: 'APPROVED' },
  REJECT: { from: ['APPLIED'], to: 'REJECTED' },
  SUSPEND: { from: ['APPROVED'], to: 'SUSPENDED' },
  REINSTATE: { from: ['SUSPENDED'], to: 'APPROVED' },
};

/** Actions whose event must carry a reason. */
export const REASON_REQUIRED: ReadonlySet<MembershipAction> = new Set(['REJECT', 'SUSPEND']);

export function canTransition(from: MembershipStatus | null, action: MembershipAction): boolean {
  return TRANSITIONS[action].from.includes(from);
}

/** The status after `action`, or InvalidTransitionError naming both states. */
export function transition(from: MembershipStatus | null, action: MembershipAction): MembershipStatus {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(from)) {
    throw new InvalidTransitionError(
      'Membership',
      from ?? 'NONE',
      rule.to,
      `A membership that is ${from ?? 'not yet applied for'} cannot be ${verb[action]} (it must be ${rule.from.map((s) => s ?? 'new').join(' or ')})`,
    );
  }
  return rule.to;
}

const verb: Record<MembershipAction, string> = {
  APPLY: 'applied for',
  APPROVE: 'approved',
  REJECT: 'rejected',
  SUSPEND: 'suspended',
  REINSTATE: 'reinstated',
};
