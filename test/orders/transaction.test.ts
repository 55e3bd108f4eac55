import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusyError as AllocationBusyError } from '../../src/platform/errors.js';
import { requestHash } from '../../src/platform/idempotency.js';
import { inTransaction, LOCK_TIMEOUT, MAX_ATTEMPTS } from '../../src/platform/transaction.js';
import type { Database } from '../../src/platform/db.js';
import { openTestDatabase } from '../support/app.js';

const pgError = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

// One database for the file; `sent` holds the statements it was sent.
let database: Database;
let drop: () => Promise<void>;
const sent: string[] = [];
beforeAll(async () => {
  ({ database, drop } = await openTestDatabase((text) => sent.push(text)));
});
afterAll(async () => { await drop?.(); });

describe('inTransaction: retries and lock timeouts', () => {

  it('re-runs the whole transaction after a deadlock (40P01) or serialization failure (40001)', async () => {
    let attempts = 0;
    const result = await inTransaction(database.db, async () => {
      attempts++;
      if (attempts === 1) throw pgError('40P01');
      if (attempts === 2) throw pgError('40001');
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts with AllocationBusyError (CONFLICTS), rolling every attempt back`, async () => {
    let attempts = 0;
    const before = await database.db.selectFrom('buyer_orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const run = inTransaction(database.db, async (trx) => {
      attempts++;
      await trx.insertInto('buyer_orgs').values({ name: `Attempt ${attempts}`, country: 'EG' }).execute();
      throw pgError('40P01');
    });
    await expect(run).rejects.toMatchObject({ code: 'ALLOCATION_BUSY', reason: 'CONFLICTS' });
    await expect(run).rejects.toBeInstanceOf(AllocationBusyError);
    expect(attempts).toBe(MAX_ATTEMPTS);
    const after = await database.db.selectFrom('buyer_orgs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('turns a lock timeout (55P03) into AllocationBusyError (LOCK_TIMEOUT) without retrying', async () => {
    let attempts = 0;
    await expect(
      inTransaction(database.db, async () => {
        attempts++;
        throw pgError('55P03');
      }),
    ).rejects.toMatchObject({ code: 'ALLOCATION_BUSY', reason: 'LOCK_TIMEOUT' });
    expect(attempts).toBe(1);
  });

  it('passes other errors through untouched', async () => {
    await expect(inTransaction(database.db, async () => { throw pgError('23505'); })).rejects.toMatchObject({ code: '23505' });
  });

  it('hashes requests canonically (key order and undefined fields do not matter)', () => {
    expect(requestHash({ a: 1, b: { c: [1, 2], d: undefined } })).toBe(requestHash({ b: { c: [1, 2] }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});

describe('inTransaction: the lock timeout', () => {
  const lockTimeout = (db: Database['db']) => sql<{ lock_timeout: string }>`show lock_timeout`.execute(db).then((r) => r.rows[0]!.lock_timeout);

  it(`holds on every connection from the start (${LOCK_TIMEOUT}), so a transaction with the defaults sets nothing`, async () => {
    sent.length = 0;
    expect(await lockTimeout(database.db)).toBe(LOCK_TIMEOUT);
    expect(await inTransaction(database.db, (trx) => lockTimeout(trx))).toBe(LOCK_TIMEOUT);
    expect(sent.filter((q) => /set_config|\bset\b/i.test(q))).toEqual([]);
  });

  it('is set for one transaction when it asks for another, with its other settings, and only there', async () => {
    sent.length = 0;
    const inside = await inTransaction(database.db, async (trx) => ({
      lockTimeout: await lockTimeout(trx),
      workMem: (await sql<{ work_mem: string }>`show work_mem`.execute(trx)).rows[0]!.work_mem,
    }), { lockTimeout: '500ms', settings: { work_mem: '8MB' } });
    expect(inside).toEqual({ lockTimeout: '500ms', workMem: '8MB' });
    expect(sent.filter((q) => /set_config/.test(q))).toHaveLength(1);
    expect(await lockTimeout(database.db)).toBe(LOCK_TIMEOUT);
  });
});
