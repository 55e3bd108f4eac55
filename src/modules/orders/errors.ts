import { AppError } from '../../platform/errors.js';

/** The idempotency key was used before by this user for this operation with a different input. */
export class IdempotencyKeyReusedError extends AppError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly path = 'input.idempotencyKey';
  constructor(readonly operation: string) {
    super(`This idempotency key was already used for a different ${operation} request; use a new key for a new request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** A request with the same idempotency key is still running; retry shortly to get its result. */
export class IdempotencyInProgressError extends AppError {
  readonly code = 'IDEMPOTENCY_IN_PROGRESS';
  readonly path = 'input.idempotencyKey';
  constructor(readonly operation: string) {
    super(`A ${operation} request with this idempotency key is still in progress; retry shortly to get its result`);
    this.name = 'IdempotencyInProgressError';
  }
}

/**
 * The supply (or the order) stayed locked by concurrent work longer than the lock timeout, or the
 * database kept detecting conflicts after several retries. Nothing was written; retry later.
 */
export class AllocationBusyError extends AppError {
  readonly code = 'ALLOCATION_BUSY';
  constructor(readonly reason: 'LOCK_TIMEOUT' | 'CONFLICTS', message?: string) {
    super(
      message ??
        (reason === 'LOCK_TIMEOUT'
          ? 'The supply is being allocated by other requests and stayed locked too long; nothing was written, retry shortly'
          : 'The allocation kept conflicting with concurrent requests; nothing was written, retry shortly'),
    );
    this.name = 'AllocationBusyError';
  }
}
