import DataLoader from 'dataloader';
import { type Kysely, type SelectQueryBuilder, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';

/**
 * Nested connections without N+1: a page of parents (brands) each asking for a page of children
 * (products) costs ONE query. The children of all parents are selected together and cut per parent
 * with `row_number() over (partition by parent order by id)`.
 *
 * `childPage(ctx, key, batch)` returns a per-request DataLoader for one field and page (the key
 * must name both, e.g. `Brand.products:{page}`); `batch` loads the pages of many parents at once.
 */

type Db = Kysely<DB> | Transaction<DB>;

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

const loaders = new WeakMap<object, Map<string, DataLoader<number, unknown[]>>>();

/** Per-request loader of one child page per parent id; `key` names the field and its page/filter args. */
export function childPage<R>(
  ctx: object,
  key: string,
  batch: (parentIds: number[]) => Promise<Map<number, R[]>>,
): DataLoader<number, R[]> {
  let perCtx = loaders.get(ctx);
  if (!perCtx) {
    perCtx = new Map();
    loaders.set(ctx, perCtx);
  }
  let loader = perCtx.get(key) as DataLoader<number, R[]> | undefined;
  if (!loader) {
    loader = new DataLoader<number, R[]>(async (ids) => {
      const map = await batch([...ids]);
      return ids.map((id) => map.get(id) ?? []);
    });
    perCtx.set(key, loader as DataLoader<number, unknown[]>);
  }
  return loader;
}
