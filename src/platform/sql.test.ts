import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { columnsOf, prepared } from './sql.js';

/** A Kysely that compiles for PostgreSQL and records what it would send (no database). */
function recordingDb() {
  const sent: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  const db = new Kysely<{ users: { id: number; email: string } }>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.level === 'query') sent.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  return { db, sent };
}

describe('prepared', () => {
  it('compiles once per database and sends the builder\'s SQL with each run\'s values', async () => {
    // given a prepared query builder statement
    const { db, sent } = recordingDb();
    let builds = 0;
    const byIdAndEmail = prepared((d: typeof db, id: number, email: string) => {
      builds++;
      return d.selectFrom('users').select('id').where('id', '=', id).where('email', '=', email);
    });
    // when it runs twice with other values
    await byIdAndEmail(db, 1, 'a@example.com');
    await byIdAndEmail(db, 2, 'b@example.com');
    // then it was built once, and each run sent the same SQL as the builder with its own values
    expect(builds).toBe(1);
    const direct = db.selectFrom('users').select('id').where('id', '=', 2).where('email', '=', 'b@example.com').compile();
    expect(sent).toEqual([
      { sql: direct.sql, parameters: [1, 'a@example.com'] },
      { sql: direct.sql, parameters: [2, 'b@example.com'] },
    ]);
  });

  it('compiles once for a database and its transactions, and again for the same database with a plugin', async () => {
    // given a prepared statement run on a database
    const { db, sent } = recordingDb();
    let builds = 0;
    const byId = prepared((d: typeof db, id: number) => {
      builds++;
      return d.selectFrom('users').select('id').where('id', '=', id);
    });
    await byId(db, 1);
    // when it runs inside a transaction of that database
    await db.transaction().execute((trx) => byId(trx, 2));
    // then it was not built again, and the transaction sent the same SQL with its value
    expect(builds).toBe(1);
    expect(sent.map((s) => s.parameters)).toEqual([[1], [2]]);
    // when the same database runs it with a plugin that changes the SQL
    await byId(db.withSchema('other'), 3);
    // then that run is built for it (the plugin's SQL), and the cached statement is kept for the rest
    expect(builds).toBe(2);
    expect(sent[2]!.sql).toContain('"other"."users"');
    await byId(db, 4);
    expect(builds).toBe(2);
    expect(sent[3]!.sql).not.toContain('other');
  });

  it('fills a value used twice in a sql template, keeps the template\'s own values, and passes arrays whole', async () => {
    const { db, sent } = recordingDb();
    const q = prepared((_d, rank: number, names: string[]) =>
      sql`select 1 where ${rank} < 3 and ${'fixed'} = 'fixed' and ${rank} > ${0} and name = any(${sql.val(names)}::text[])`);
    await q(db, 2, ['x', 'y']);
    expect(sent[0]!.parameters).toEqual([2, 'fixed', 2, 0, ['x', 'y']]);
  });

  it('refuses a statement one of whose values reaches no parameter (computed from, or not used)', async () => {
    const { db } = recordingDb();
    const q = prepared((_d, a: number, _b: number) => sql`select ${a}`);
    await expect(async () => q(db, 1, 2)).rejects.toThrow(/1 of its values never reach a parameter/);
  });
});

describe('columnsOf', () => {
  it('turns rows into one array per key, in the order of the keys and of the rows, nulls kept', () => {
    const rows = [{ id: 1, lot: null, name: 'a' }, { id: 2, lot: 7, name: 'b' }];
    expect(columnsOf(rows, 'name', 'id', 'lot')).toEqual([['a', 'b'], [1, 2], [null, 7]]);
    expect(columnsOf([] as typeof rows, 'id')).toEqual([[]]);
  });
});
