import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Db, DB, NewRow } from './db-types.js';
import { IdempotencyInProgressError, IdempotencyKeyReusedError } from './errors.js';
import { prepared, sqlState } from './sql.js';
import { inTransaction, LOCK_NOT_AVAILABLE, type TxOptions } from './transaction.js';
import { ISSUES, zodText } from './issue-messages.js';

/**
 * Idempotent mutations: the client sends `input.idempotencyKey`; a retry with the same key and the
 * same request returns the first call's result without writing anything again. Keys live in
 * `idempotency_keys` (user, operation, key), claimed in the same transaction as the work.
 */

/** Zod schema of `input.idempotencyKey`. */
export const IdempotencyKey = z.string().min(8, zodText(ISSUES.charsBetween({ min: 8, max: 200 }))).max(200, zodText(ISSUES.charsBetween({ min: 8, max: 200 })));

/** A stable hash of a request: JSON with object keys sorted (undefined members dropped). */
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

export interface IdempotencyScope {
  userId: number;
  operation: string;
  key: string;
}

/**
 * Claim a key inside the caller's transaction. Returns true when this transaction now owns it.
 * With `response`, the claim is stored completed with it (the transaction's commit is what makes it
 * visible, and a rollback takes it away with the work).
 * When another transaction holds an uncommitted claim on the same key, PostgreSQL makes this INSERT
 * wait for it (bounded by lock_timeout); once that one commits the claim conflicts and this returns
 * false, and the stored row can be read; if it rolled back, this one wins.
 */
export async function claimIdempotencyKey(trx: Transaction<DB>, scope: IdempotencyScope, hash: string, response?: unknown): Promise<boolean> {
  const { rows } = response === undefined
    ? await claimQuery(trx, scope.userId, scope.operation, scope.key, hash)
    : await claimCompletedQuery(trx, scope.userId, scope.operation, scope.key, hash, JSON.stringify(response), new Date());
  return rows.length > 0;
}

/** The claim, prepared (platform/sql.ts): without a response, or with the response already known. */
const claim = (trx: Db, values: NewRow<'idempotency_keys'>) =>
  trx.insertInto('idempotency_keys').values(values).onConflict((oc) => oc.columns(['user_id', 'operation', 'key']).doNothing()).returning('key');
const claimQuery = prepared((trx: Db, userId: number, operation: string, key: string, hash: string) =>
  claim(trx, { user_id: userId, operation, key, request_hash: hash }));
const claimCompletedQuery = prepared((trx: Db, userId: number, operation: string, key: string, hash: string, response: string, completedAt: Date) =>
  claim(trx, { user_id: userId, operation, key, request_hash: hash, response, completed_at: completedAt }));

export const findIdempotencyKey = (db: Db, scope: IdempotencyScope) =>
  db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('operation', '=', scope.operation)
    .where('key', '=', scope.key)
    .executeTakeFirst();

export const completeIdempotencyKey = (trx: Transaction<DB>, scope: IdempotencyScope, response: unknown) =>
  trx
    .updateTable('idempotency_keys')
    .set({ response: JSON.stringify(response), completed_at: new Date() })
    .where('user_id', '=', scope.userId)
    .where('operation', '=', scope.operation)
    .where('key', '=', scope.key)
    .execute();

export interface IdempotentCall<T, R> {
  userId: number;
  operation: string;
  key: string;
  /** The request (without the key) whose hash must match on a retry. */
  request: unknown;
  /** The work, in the transaction that claims the key; `response` is stored (JSON) to re-resolve the result. */
  work: (trx: Transaction<DB>) => Promise<{ result: T; response: R }>;
  /**
   * The response, when it is known before the work runs (acceptOrder: the order's id): stored with
   * the claim, so nothing is written after the work and the row locks it took are let go one
   * statement sooner. The work must then return this same response.
   */
  knownResponse?: R;
  /** Rebuild the result of a completed earlier call from its stored response (outside any transaction). */
  replay: (response: R) => Promise<T>;
}

/**
 * Run an idempotent operation in one bounded transaction (`inTransaction`). The key row (user,
 * operation, key) is inserted in the same transaction as the work, so:
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
        claimed = await claimIdempotencyKey(trx, scope, hash, call.knownResponse);
      } catch (e) {
        if (sqlState(e) === LOCK_NOT_AVAILABLE) throw new IdempotencyInProgressError(call.operation);
        throw e;
      }
      if (!claimed) {
        const row = await findIdempotencyKey(trx, scope);
        if (!row || row.completed_at === null) throw new IdempotencyInProgressError(call.operation);
        if (row.request_hash !== hash) throw new IdempotencyKeyReusedError(call.operation);
        return { replay: row.response as R };
      }
      const { result, response } = await call.work(trx);
      if (call.knownResponse === undefined) await completeIdempotencyKey(trx, scope, response);
      else if (JSON.stringify(response) !== JSON.stringify(call.knownResponse)) {
        throw new Error(`${call.operation}: the work's response differs from the known response stored with the key`);
      }
      return { result };
    },
    options,
  );
  return 'replay' in outcome ? call.replay(outcome.replay) : outcome.result;
}
