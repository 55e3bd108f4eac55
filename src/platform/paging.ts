import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Db } from './db-types.js';
import type { KeysetPage } from './graphql/pagination.js';

/**
 * Keyset pages in SQL. Nested connections without N+1: a page of parents (brands) each asking for
 * a page of children (products) costs ONE query. The children of all parents are selected together
 * and cut per parent with `row_number() over (partition by parent order by id)`. The GraphQL side
 * (one DataLoader per field and page) is `childPage` in graphql/loaders.ts.
 */

/** Keyset bounds on `idColumn` applied to a select (the same rules as the top-level connections). */
export function applyKeyset<QB extends SelectQueryBuilder<any, any, any>>(qb: QB, idColumn: string, page: KeysetPage): QB {
  let q = qb;
  if (page.afterId !== null) q = q.where(sql.ref(idColumn), '>', page.afterId) as QB;
  if (page.beforeId !== null) q = q.where(sql.ref(idColumn), '<', page.beforeId) as QB;
  return q;
}

/**
 * Run `base` (already filtered to the parents and to what the caller may see) and keep at most
 * `page.limit` rows per `parentColumn`, in id order (descending when inverted). Grouped by parent id.
 */
export async function pagesPerParent<R extends { id: number }>(
  db: Db,
  base: SelectQueryBuilder<any, any, any>,
  parentColumn: string,
  parentKey: (row: R) => number,
  idColumn: string,
  page: KeysetPage,
): Promise<Map<number, R[]>> {
  const dir = sql.raw(page.inverted ? 'desc' : 'asc');
  const inner = applyKeyset(base, idColumn, page).select(
    sql<number>`row_number() over (partition by ${sql.ref(parentColumn)} order by ${sql.ref(idColumn)} ${dir})`.as('page_rn'),
  );
  const rows = (await (db as Kysely<any>)
    .selectFrom(inner.as('paged'))
    .selectAll()
    .where('page_rn', '<=', page.limit)
    .orderBy('id', page.inverted ? 'desc' : 'asc')
    .execute()) as Array<R & { page_rn?: number }>;
  const byParent = new Map<number, R[]>();
  for (const row of rows) {
    delete row.page_rn;
    const key = parentKey(row);
    const list = byParent.get(key);
    if (list) list.push(row);
    else byParent.set(key, [row]);
  }
  return byParent;
}
