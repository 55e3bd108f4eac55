/**
 * Moved to platform (issue 7 §1): the bounded transaction wrapper is platform/transaction.ts, the
 * idempotency helpers are platform/idempotency.ts. This shim keeps old imports working until the
 * orders/allocation/fulfilment files import from platform directly; then delete it.
 */
export { inTransaction, LOCK_NOT_AVAILABLE, LOCK_TIMEOUT, MAX_ATTEMPTS, type TxOptions } from '../../platform/transaction.js';
export { idempotent, type IdempotentCall, requestHash } from '../../platform/idempotency.js';
export { sqlState } from '../../platform/sql.js';
