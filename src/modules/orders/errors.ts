/**
 * Moved to platform/errors.ts (issue 7 §1); the busy error is `BusyError` in code and keeps its
 * GraphQL name `AllocationBusyError`. This shim keeps old imports working; delete it once no file
 * imports it.
 */
export { BusyError as AllocationBusyError, IdempotencyInProgressError, IdempotencyKeyReusedError } from '../../platform/errors.js';
