import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from './db-types.js';
import { BusyError } from './errors.js';
import { isStaleStatement, prepared, sqlState } from './sql.js';

/**
 * The one way a service opens a transaction: `inTransaction(db, async (trx) => …)`.
 *
 * - `lock_timeout` (5 s): no statement waits longer than that for a row lock (a locked lot, an
 *   order row, an idempotency key claimed by a concurrent request). A timeout (SQLSTATE 55P03)
 *   becomes BusyError (GraphQL `AllocationBusyError`) — nothing is written.
 * - Serialization failures (40001) and deadlocks (40P01) re-run the whole transaction, at most
 *   `MAX_ATTEMPTS` times with jittered exponential backoff, then give up with BusyError. `work` must
 *   therefore be safe to run again: it may only touch the database through `trx`. So does a named
 *   statement the server can no longer run (`isStaleStatement`): the next attempt prepares it anew.
 * - Anything else thrown (domain errors, unique violations, …) rolls back and is rethrown as is.
 *
 * Writers that lock several kinds of rows lock them in one global order (order row, then lots by
 * id, then commitments by id), so deadlocks should not happen between them; the retry covers the rest.
 */

export const LOCK_TIMEOUT = '5s';
export const MAX_ATTEMPTS = 5;

const RETRYABLE = new Set(['40001', '40P01']);
/** SQLSTATE of a lock wait that ran past lock_timeout. */
export const LOCK_NOT_AVAILABLE = '55P03';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TxOptions {
  /** Override the lock timeout, e.g. '500ms' in tests. */
  lockTimeout?: string;
  maxAttempts?: number;
  /**
   * More transaction-local settings, e.g. `{ work_mem: '64MB' }` for a large aggregate: applied
   * with `set_config(name, value, true)` in the same statement as the lock timeout.
   */
  settings?: Readonly<Record<string, string>>;
}

const SETTING_NAME = /^[a-z_]{1,63}$/;

/**
 * The settings every connection starts with: createDatabase passes them to the server when it
 * connects, so a transaction with the defaults sends none of its own (a round trip less in every
 * transaction; issue 13). Behind a pooler in transaction mode, where a server connection may
 * have been opened for another client, createDatabase does not declare them and every
 * transaction sets them.
 */
export const CONNECTION_SETTINGS: Readonly<Record<string, string>> = { lock_timeout: LOCK_TIMEOUT };
const startingSettings = new WeakMap<object, Readonly<Record<string, string>>>();

/** Declares that every connection of `db` (and of its transactions) starts with `settings`. */
export function connectionsStartWith(db: Kysely<any>, settings: Readonly<Record<string, string>>): void {
  startingSettings.set(db.getExecutor().adapter, settings);
}

/** Transaction-local settings in one statement, whose text is the same for any settings. */
const applySettings = prepared((_db, names: string[], values: string[]) =>
  sql`select set_config(s.name, s.value, true) from unnest(${names}::text[], ${values}::text[]) as s(name, value)`);

/** Run `work` in a transaction with a lock timeout, retrying serialization failures and deadlocks. */
export async function inTransaction<T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>, options: TxOptions = {}): Promise<T> {
  const attempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const timeout = options.lockTimeout ?? LOCK_TIMEOUT;
  if (!/^\d{1,6}(ms|s)$/.test(timeout)) throw new Error(`invalid lock timeout ${timeout}`);
  const settings = Object.entries({ lock_timeout: timeout, ...options.settings });
  for (const [name] of settings) if (!SETTING_NAME.test(name)) throw new Error(`invalid setting name ${name}`);
  const starting = startingSettings.get(db.getExecutor().adapter);
  const pending = starting ? settings.filter(([name, value]) => starting[name] !== value) : settings;
  const names = pending.map(([name]) => name);
  const values = pending.map(([, value]) => value);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        if (names.length > 0) await applySettings(trx, names, values);
        return work(trx);
      });
    } catch (e) {
      const state = sqlState(e);
      if (state === LOCK_NOT_AVAILABLE) throw new BusyError('LOCK_TIMEOUT');
      if (state === undefined || !(RETRYABLE.has(state) || isStaleStatement(e))) throw e;
      if (attempt >= attempts) throw new BusyError('CONFLICTS');
      // Full jitter over an exponential window: 10, 20, 40, 80 ms.
      await sleep(Math.random() * 10 * 2 ** (attempt - 1));
    }
  }
}
