import { createHash } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import { AllocationBusyError, IdempotencyInProgressError, IdempotencyKeyReusedError } from './errors.js';
import * as repo from './orders.repo.js';

/**
 * Transactions for orders and allocations:
 *
 * - `lock_timeout` (5 s): no statement waits longer than that for a row lock (a locked lot, the
 *   order row, an idempotency key claimed by a concurrent request). A timeout (SQLSTATE 55P03)
 *   becomes AllocationBusyError — nothing is written.
 * - Serialization failures (40001) and deadlocks (40P01) re-run the whole transaction, at most
 *   `MAX_ATTEMPTS` times with jittered exponential backoff, then give up with AllocationBusyError.
 *   Allocation locks rows in one global order (order row, then lots by id, then commitments by id),
 *   so deadlocks should not happen between allocations; the retry covers other writers.
 * - Idempotency: the key row is inserted inside the same transaction as the work (see `idempotent`).
 */

export const LOCK_TIMEOUT = '5s';
export const MAX_ATTEMPTS = 5;

const RETRYABLE = new Set(['40001', '40P01']);
const LOCK_NOT_AVAILABLE = '55P03';

export const sqlState = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TxOptions {
  /** Override the lock timeout, e.g. '500ms' in tests. */
  lockTimeout?: string;
  maxAttempts?: number;
}

/** Run `work` in a transaction with a lock timeout, retrying serialization failures and deadlocks. */
export async function inTransaction<T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>, options: TxOptions = {}): Promise<T> {
  const attempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const timeout = options.lockTimeout ?? LOCK_TIMEOUT;
  if (!/^\d{1,6}(ms|s)$/.test(timeout)) throw new Error(`invalid lock timeout ${timeout}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        await sql.raw(`SET LOCAL lock_timeout = '${timeout}'`).execute(trx);
        return work(trx);
      });
    } catch (e) {
      const state = sqlState(e);
      if (state === LOCK_NOT_AVAILABLE) throw new AllocationBusyError('LOCK_TIMEOUT');
      if (state === undefined || !RETRYABLE.has(state)) throw e;
      if (attempt >= attempts) throw new AllocationBusyError('CONFLICTS');
      // Full jitter over an exponential window: 10, 20, 40, 80 ms.
      await sleep(Math.random() * 10 * 2 ** (attempt - 1));
    }
  }
}

/** A stable hash of a request: JSON with object keys sorted. */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

export interface IdempotentCall<T, R> {
  userId: number;
  operation: string;
  key: string;
  /** The request (without the key) whose hash must match on a retry. */
  request: unknown;
  /** The work, in the transaction that claims the key; `response` is stored (JSON) to re-resolve the result. */
  work: (trx: Transaction<DB>) => Promise<{ result: T; response: R }>;
  /** Rebuild the result of a completed earlier call from its stored response (outside any transaction). */
  replay: (response: R) => Promise<T>;
}

/**
 * Run an idempotent operation. The key row (user, operation, key) is inserted in the same
 * transaction as the work, so:
 * - a retry after success conflicts on the primary key and replays the stored response (same
 *   result, nothing written);
 * - concurrent duplicates serialise on the key: the second INSERT waits for the first
 *   transaction; once it commits the second replays its response; if it failed (rolled back,
 *   nothing written, key not kept) the second runs the work itself;
 * - a duplicate that waits longer than the lock timeout gets IdempotencyInProgressError;
 * - the same key with a different request is IdempotencyKeyReusedError.
 * Failed calls (typed errors) write nothing, not even the key: the client may retry with it.
 */
export async function idempotent<T, R>(db: Kysely<DB>, call: IdempotentCall<T, R>, options: TxOptions = {}): Promise<T> {
  const scope = { userId: call.userId, operation: call.operation, key: call.key };
  const hash = requestHash(call.request);
  const outcome = await inTransaction(
    db,
    async (trx): Promise<{ replay: R } | { result: T }> => {
      let claimed: boolean;
      try {
        claimed = await repo.claimIdempotencyKey(trx, scope, hash);
      } catch (e) {
        if (sqlState(e) === LOCK_NOT_AVAILABLE) throw new IdempotencyInProgressError(call.operation);
        throw e;
      }
      if (!claimed) {
        const row = await repo.findIdempotencyKey(trx, scope);
        if (!row || row.completed_at === null) throw new IdempotencyInProgressError(call.operation);
        if (row.request_hash !== hash) throw new IdempotencyKeyReusedError(call.operation);
        return { replay: row.response as R };
      }
      const { result, response } = await call.work(trx);
      await repo.completeIdempotencyKey(trx, scope, response);
      return { result };
    },
    options,
  );
  return 'replay' in outcome ? call.replay(outcome.replay) : outcome.result;
}
