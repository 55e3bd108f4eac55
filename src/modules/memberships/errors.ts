import type { MembershipStatus } from '../../platform/db-types.js';
import { AppError } from '../../platform/errors.js';

/** Only approved members of a brand may commit supply or be allocated. */
export class NotApprovedMemberError extends AppError {
  readonly code = 'NOT_APPROVED_MEMBER';
  constructor(
    readonly path: string | null,
    /** The producer's membership status in the brand; null when they never applied. */
    readonly status: MembershipStatus | null,
    message?: string,
  ) {
    super(message ?? `The producer is not an approved member of this brand (${status ? `membership is ${status}` : 'no membership'})`);
    this.name = 'NotApprovedMemberError';
  }
}
