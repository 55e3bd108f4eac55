import {
  type AppError, BusyError, ConflictError, ForbiddenError, IdempotencyInProgressError, IdempotencyKeyReusedError,
  InvalidCredentialsError, InvalidTransitionError, type Issue, NotFoundError, UnauthenticatedError, ValidationError,
} from '../errors.js';
import { localizedMessage } from '../messages.js';
import { builder } from './builder.js';

/**
 * GraphQL shapes of the shared errors (platform/errors.ts), registered here and nowhere else.
 * Mutations list the ones they can return in their result union (`errors: { types: [...] }`);
 * `commonErrors` is what every mutation can return, `idempotencyErrors` what an idempotent one
 * adds. A module registers only the errors that are its own.
 */

export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'An expected failure, returned as part of a result union.',
  fields: (t) => ({
    message: t.string({
      description: 'Human-readable explanation, in Indonesian or English by Accept-Language (the code is the same in both).',
      resolve: (e, _args, ctx) => localizedMessage(e, ctx.language),
    }),
    code: t.exposeString('code', { description: 'Stable machine-readable code.' }),
  }),
});

const IssueRef = builder.objectRef<Issue>('ValidationIssue').implement({
  description: 'One problem with the input.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Dotted path of the offending field, e.g. input.netWeight.' }),
    message: t.string({
      description: 'What is wrong with it, in Indonesian or English by Accept-Language (the path is the same in both).',
      resolve: (issue, _args, ctx) => issue.text[ctx.language],
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input is invalid; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [IssueRef], description: 'Every problem found.', resolve: (e) => e.issues }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'A referenced object does not exist or is not visible to you.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path', { nullable: true, description: 'The input field that referenced it.' }) }),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'You are not allowed to do this.',
  interfaces: [ErrorInterface],
});

builder.objectType(UnauthenticatedError, {
  name: 'UnauthenticatedError',
  description: 'A valid token is required.',
  interfaces: [ErrorInterface],
});

builder.objectType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  description: 'The email or password is incorrect.',
  interfaces: [ErrorInterface],
});

builder.objectType(InvalidTransitionError, {
  name: 'InvalidTransitionError',
  description: 'The state machine does not allow this transition.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    from: t.exposeString('from', { description: 'Current state.' }),
    to: t.exposeString('to', { description: 'Requested state.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The change conflicts with existing data.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path', { nullable: true, description: 'The input field in conflict.' }) }),
});

builder.objectType(IdempotencyKeyReusedError, {
  name: 'IdempotencyKeyReusedError',
  description: 'The idempotency key was already used by you for a different request; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path', { nullable: true, description: 'The input field: input.idempotencyKey.' }) }),
});

builder.objectType(IdempotencyInProgressError, {
  name: 'IdempotencyInProgressError',
  description: 'A request with this idempotency key is still running; retry shortly to get its result.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path', { nullable: true, description: 'The input field: input.idempotencyKey.' }) }),
});

// The GraphQL name predates the class name: clients know it as AllocationBusyError.
builder.objectType(BusyError, {
  name: 'AllocationBusyError',
  description: 'The supply stayed locked by concurrent requests too long; nothing was written, retry shortly.',
  interfaces: [ErrorInterface],
});

/** Errors every mutation may return. */
export const commonErrors = [ValidationError, NotFoundError, ForbiddenError, UnauthenticatedError];

/** What an idempotent mutation (input.idempotencyKey, inTransaction) adds to them. */
export const idempotencyErrors = [IdempotencyKeyReusedError, IdempotencyInProgressError, BusyError];
