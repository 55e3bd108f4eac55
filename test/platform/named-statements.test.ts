import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/platform/db.js';
import { prepared } from '../../src/platform/sql.js';
import { inTransaction, LOCK_TIMEOUT } from '../../src/platform/transaction.js';
import { adminPool, databaseUrl } from '../support/pg.js';

/**
 * On PostgreSQL the statements `prepared` compiles run as named (server-side) prepared statements
 * (platform/db.ts); everything else runs unnamed. Real PostgreSQL only (TEST_DATABASE_URL): PGlite
 * has no connection pool and its driver prepares nothing by name.
 */

const PG = process.env.TEST_DATABASE_URL;

describe.skipIf(!PG)('named statements on PostgreSQL', () => {
  const name = `lumbung_named_${process.pid}`;
  const admin = PG ? adminPool(PG) : null;
  // One connection, so every statement of a test meets the statements the one before prepared.
  let named: Database;
  let plain: Database;
  const db = () => named.db as unknown as Kysely<any>;

  const rowsOf = prepared((d: Kysely<any>, min: number) => d.selectFrom('things').selectAll().where('id', '>=', min).orderBy('id'));
  const preparedHere = (d: Kysely<any>) =>
    sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(d).then((r) => r.rows);

  beforeAll(async () => {
    await admin!.query(`CREATE DATABASE ${name}`);
    named = await createDatabase({ kind: 'postgres', url: databaseUrl(PG!, name), poolSize: 1 });
    plain = await createDatabase({ kind: 'postgres', url: databaseUrl(PG!, name), poolSize: 1, transactionPooler: true });
    await sql`create table things (id int8 primary key, label text not null)`.execute(db());
    await sql`insert into things values (1, 'one'), (2, 'two')`.execute(db());
  });

  afterAll(async () => {
    await named?.close();
    await plain?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end();
  });

  it('runs a prepared statement by name, parsed once on the connection, and other statements unnamed', async () => {
    // when a prepared statement runs twice, with other values, next to a plain query
    expect((await rowsOf(db(), 1)).rows).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
    expect((await rowsOf(db(), 2)).rows).toEqual([{ id: 2, label: 'two' }]);
    await db().selectFrom('things').select('id').where('label', '=', 'one').execute();
    // then the connection holds the prepared one, once, under its name, and nothing else
    const held = await preparedHere(db());
    expect(held).toHaveLength(1);
    expect(held[0]!.name).toMatch(/^lumbung_\d+_\d+$/);
    expect(held[0]!.statement).toContain('from "things"');
  });

  it('after a migration changes what the statement returns, runs it again under a new name, outside a transaction and inside one', async () => {
    // given the statement prepared on the connection
    await rowsOf(db(), 1);
    // when a column is added (a `select *` now returns another row type: PostgreSQL refuses the old plan)
    await sql`alter table things add column grade text`.execute(db());
    // then the next run answers with the new column
    expect((await rowsOf(db(), 2)).rows).toEqual([{ id: 2, label: 'two', grade: null }]);
    // and inside a transaction, which the refusal aborts, the transaction runs again and succeeds
    await sql`alter table things add column season text`.execute(db());
    let attempts = 0;
    const rows = await inTransaction(named.db, async (trx) => {
      attempts++;
      return (await rowsOf(trx as unknown as Kysely<any>, 2)).rows;
    });
    expect(rows).toEqual([{ id: 2, label: 'two', grade: null, season: null }]);
    expect(attempts).toBe(2);
  });

  it('after the server drops its prepared statements (a pooler\'s DISCARD ALL), prepares them again', async () => {
    await rowsOf(db(), 1);
    await sql`deallocate all`.execute(db());
    expect(await preparedHere(db())).toEqual([]);
    expect((await rowsOf(db(), 1)).rows.map((r) => r.id)).toEqual([1, 2]);
    expect(await preparedHere(db())).toHaveLength(1);
  });

  it('behind a transaction pooler (DATABASE_TRANSACTION_POOLER=true), prepares nothing by name and sets the lock timeout in every transaction', async () => {
    const d = plain.db as unknown as Kysely<any>;
    expect((await rowsOf(d, 1)).rows.map((r) => r.id)).toEqual([1, 2]);
    expect(await preparedHere(d)).toEqual([]);
    const lockTimeout = (k: Kysely<any>) => sql<{ lock_timeout: string }>`show lock_timeout`.execute(k).then((r) => r.rows[0]!.lock_timeout);
    // the connection has the server's default; each transaction has the service's
    expect(await lockTimeout(d)).toBe('0');
    expect(await inTransaction(plain.db, (trx) => lockTimeout(trx as unknown as Kysely<any>))).toBe(LOCK_TIMEOUT);
  });
});
