/**
 * Domain errors: thrown by services, mapped to typed GraphQL result members by the errors plugin
 * (see graphql/errors.ts). Anything else thrown is unexpected, logged in full and masked.
 */
import type { IssueText } from './issue-messages.js';

export interface Issue {
  /** Dotted path of the offending field, e.g. `input.netWeightKg` or `input.rows.3.plots.0.geolocation`. */
  path: string;
  /** What is wrong with it, in English (always `text.en`). */
  message: string;
  /** What is wrong with it, in English and Indonesian (issue-messages.ts); the API picks one by language. */
  text: IssueText;
}

/** The issue at `path` saying `text`. */
export const issueAt = (path: string, text: IssueText): Issue => ({ path, message: text.en, text });

export abstract class AppError extends Error {
  abstract readonly code: string;
  /**
   * The refusal in Indonesian with its specifics (figures, limits), for a module error that has
   * them; null: the code's Indonesian text in platform/messages.ts is used. English is `message`.
   */
  indonesian(): string | null {
    return null;
  }
}

export class ValidationError extends AppError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: Issue[], message?: string) {
    super(message ?? `Invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ValidationError';
  }
  static field(path: string, text: IssueText): ValidationError {
    return new ValidationError([issueAt(path, text)]);
  }
}

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
  constructor(readonly entity: string, readonly path: string | null = null, message?: string) {
    super(message ?? `${entity} not found${path ? ` (${path})` : ''}`);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN';
  constructor(message = 'Not allowed') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Authentication required') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** The same answer for an unknown email and a wrong password. */
export class InvalidCredentialsError extends AppError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('Email or password is incorrect');
    this.name = 'InvalidCredentialsError';
  }
}

/** A state transition the state machine does not allow. */
export class InvalidTransitionError extends AppError {
  readonly code = 'INVALID_TRANSITION';
  constructor(readonly entity: string, readonly from: string, readonly to: string, message?: string) {
    super(message ?? `${entity} cannot move from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

/** A uniqueness or state conflict (duplicate email, already a member, …). */
export class ConflictError extends AppError {
  readonly code = 'CONFLICT';
  constructor(message: string, readonly path: string | null = null) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The rows a mutation needs stayed locked by concurrent work longer than the lock timeout, or the
 * database kept detecting conflicts after several retries (see transaction.ts), or (QUEUE_FULL) too
 * many acceptances were already waiting for their turn on this server (orders/acceptance.ts). Nothing was
 * written; retry later. Its GraphQL name stays `AllocationBusyError` (code ALLOCATION_BUSY), the
 * name clients know from the first mutations that raised it.
 */
export class BusyError extends AppError {
  readonly code = 'ALLOCATION_BUSY';
  constructor(readonly reason: 'LOCK_TIMEOUT' | 'CONFLICTS' | 'QUEUE_FULL', message?: string) {
    super(
      message ??
        (reason === 'LOCK_TIMEOUT'
          ? 'The supply is being allocated by other requests and stayed locked too long; nothing was written, retry shortly'
          : reason === 'CONFLICTS'
            ? 'The allocation kept conflicting with concurrent requests; nothing was written, retry shortly'
            : 'Too many acceptances are waiting on this server; nothing was written, retry shortly'),
    );
    this.name = 'AllocationBusyError';
  }
}

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
