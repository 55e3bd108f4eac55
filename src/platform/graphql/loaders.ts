import DataLoader from 'dataloader';

/**
 * Per-request DataLoaders that are not a Pothos loadable object's own loader.
 */

const loaders = new WeakMap<object, Map<string, DataLoader<number, unknown[]>>>();

/**
 * Per-request loader of one child page per parent id, for a nested connection
 * (`Brand.products(first: 10)` on a page of brands). `key` must name the field and its page and
 * filter arguments, e.g. `Brand.products:${JSON.stringify(page)}`; `batch` loads the pages of many
 * parents at once (see `pagesPerParent` in platform/paging.ts).
 */
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

/**
 * Put rows a list query already returned into an object's loader (a Pothos loadable ref's
 * `getDataloader(ctx)`), so resolving them as that object costs no second query. Returns the rows.
 */
export function primeLoader<R, T extends R & { id: number }>(loader: { prime(key: string, value: R): unknown }, rows: readonly T[]): readonly T[] {
  for (const row of rows) loader.prime(String(row.id), row);
  return rows;
}
