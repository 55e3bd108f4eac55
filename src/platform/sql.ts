import { type RawBuilder, sql } from 'kysely';

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

/** The SQLSTATE of a database error (pg and PGlite both expose it as `code`), or undefined. */
export const sqlState = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** A PostgreSQL unique violation (SQLSTATE 23505). */
export const isUniqueViolation = (e: unknown): boolean => sqlState(e) === '23505';
