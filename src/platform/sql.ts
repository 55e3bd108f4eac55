import { type Compilable, type CompiledQuery, createQueryId, type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely';

/**
 * Small SQL helpers every repo shares. Nothing here knows a table.
 */

/**
 * A literal list of ids for `in (…)` / `any(array[…])` inside a `sql` template:
 * `sql\`p.id in (${idList(ids)})\``. The ids must be integers (they are inlined as literals, which
 * lets PostgreSQL plan the list); pass a non-empty list — `in ()` is a syntax error.
 */
export function idList(ids: readonly number[]): RawBuilder<unknown> {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new TypeError(`id ${String(id)} is not an integer`);
  return sql.join(ids.map((id) => sql.lit(id)));
}

/**
 * Rows as columns, one array per key in the order given, for `unnest(${a}::int8[], ${b}::text[], …)`:
 * a statement whose text and number of parameters do not depend on how many rows it writes.
 */
export function columnsOf<T, const K extends readonly (keyof T)[]>(rows: readonly T[], ...keys: K): { [I in keyof K]: Array<T[K[I]]> } {
  return keys.map((k) => rows.map((r) => r[k])) as { [I in keyof K]: Array<T[K[I]]> };
}

/** The SQLSTATE of a database error (pg and PGlite both expose it as `code`), or undefined. */
export const sqlState = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** A PostgreSQL unique violation (SQLSTATE 23505). */
export const isUniqueViolation = (e: unknown): boolean => sqlState(e) === '23505';

/**
 * The texts `prepared` has compiled, which the PostgreSQL driver runs as named (server-side)
 * prepared statements: each connection parses and plans such a text once, then only binds and
 * executes it. The set is bounded by the code (one text per `prepared` shape and plugin set), never
 * by the data, so no connection's statement cache grows without bound. A text's name changes with
 * the generation, which `forgetStatementNames` bumps when the server has dropped or can no longer
 * run a connection's statements; the old ones are then never used again.
 */
const statementIndex = new Map<string, number>();
let statementGeneration = 0;

/** The server-side name for a text `prepared` compiled, or undefined for any other statement. */
export function statementName(text: string): string | undefined {
  const index = statementIndex.get(text);
  return index === undefined ? undefined : `lumbung_${statementGeneration}_${index}`;
}

/** Gives every named statement a new name: the next use parses it again on every connection. */
export function forgetStatementNames(): void {
  statementGeneration++;
}

/**
 * The server can no longer run a named statement as it was prepared: it was dropped (26000, e.g. a
 * pooler's DISCARD ALL), or a migration changed the type of its result (0A000 "cached plan must
 * not change result type"). Running it again under a new name succeeds.
 */
export const isStaleStatement = (e: unknown): boolean => {
  const state = sqlState(e);
  return state === '26000' || (state === '0A000' && /cached plan must not change result type/.test(String((e as Error).message)));
};

/** Stands for the i-th value of a prepared statement while it is built and compiled. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A statement built and compiled once, then run with new values: `build` receives stand-ins for
 * the values (pass them straight to the query builder or the `sql` template as values, never
 * compute with them: a value computed from one must be an argument of its own), and each run
 * replaces the stand-ins in the compiled parameters with the values it is given. The SQL text is
 * the one the builder produces, so logs and tests see the same statement. Building and compiling
 * the availability aggregate cost about a tenth of its request's CPU, and an acceptance's query
 * building a fifth of its Node CPU (issue 13). Statements whose shape depends on a value (a filter
 * present or not) need one per shape.
 *
 * The compiled statement is kept per dialect adapter, which a Kysely shares with its transactions
 * (what is compiled on `db` serves every `trx` of it), and used again only with the same plugins.
 */
export function prepared<A extends unknown[], R>(
  build: (db: Kysely<any>, ...values: A) => Compilable<R> | RawBuilder<R>,
): (db: Kysely<any>, ...values: A) => Promise<QueryResult<R>> {
  const compiled = new WeakMap<object, { plugins: readonly unknown[]; query: CompiledQuery<R> }>();
  return (db, ...values) => {
    const executor = db.getExecutor();
    const cached = compiled.get(executor.adapter);
    let query = cached && samePlugins(cached.plugins, executor.plugins) ? cached.query : undefined;
    if (!query) {
      const slots = values.map((_, i) => new Slot(i)) as A;
      const built = build(db, ...slots);
      query = 'isRawBuilder' in built ? built.compile(db) : built.compile();
      const used = new Set(query.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.index));
      if (used.size !== values.length) throw new Error(`prepared statement: ${values.length - used.size} of its values never reach a parameter`);
      if (!cached) compiled.set(executor.adapter, { plugins: executor.plugins, query });
      if (!statementIndex.has(query.sql)) statementIndex.set(query.sql, statementIndex.size);
    }
    const parameters = query.parameters.map((p) => (p instanceof Slot ? values[p.index] : p));
    const run = () => db.executeQuery<R>({ sql: query.sql, query: query.query, parameters, queryId: createQueryId() });
    // Outside a transaction a stale statement is run again at once (under its new name); inside
    // one the transaction is aborted, and inTransaction runs it again from the start.
    return db.isTransaction ? run() : run().catch((e: unknown) => (isStaleStatement(e) ? run() : Promise.reject(e)));
  };
}

const samePlugins = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((p, i) => p === b[i]);
