import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db-types.js';

/**
 * Automatic persisted queries (the Apollo protocol: `extensions.persistedQuery { version: 1,
 * sha256Hash }`), as a Mercurius `persistedQueryProvider` whose store is the `persisted_queries`
 * table, so every node (and a restarted one) knows a query once any node has seen it. A small LRU in
 * front saves the round trip for hot queries. Mercurius only saves a query after it executed (so it
 * parsed, validated and passed the limits), and only when the sha256 matches.
 */

const HASH = /^[0-9a-f]{64}$/;

export function persistedQueryProvider(db: Kysely<DB>, cacheSize = 1000) {
  const cache = new Map<string, string>();
  const remember = (hash: string, query: string) => {
    cache.delete(hash);
    cache.set(hash, query);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  };
  type Body = { query?: string; extensions?: { persistedQuery?: { version?: number; sha256Hash?: string } } };
  return {
    isPersistedQuery: (body: Body) => !body.query && body.extensions?.persistedQuery !== undefined,
    isPersistedQueryRetry: (body: Body) => Boolean(body.query) && body.extensions?.persistedQuery !== undefined,
    getHash: (body: Body) => {
      const pq = body.extensions?.persistedQuery;
      // An empty hash tells Mercurius the request is not a persisted query it supports.
      return pq?.version === 1 && typeof pq.sha256Hash === 'string' && HASH.test(pq.sha256Hash) ? pq.sha256Hash : '';
    },
    getQueryFromHash: async (hash: string) => {
      const hit = cache.get(hash);
      if (hit !== undefined) return hit;
      const row = await db.selectFrom('persisted_queries').select('query').where('hash', '=', hash).executeTakeFirst();
      if (row) remember(hash, row.query);
      return row?.query;
    },
    getHashForQuery: (query: string) => createHash('sha256').update(query, 'utf8').digest('hex'),
    saveQuery: async (hash: string, query: string) => {
      await db.insertInto('persisted_queries').values({ hash, query }).onConflict((oc) => oc.column('hash').doNothing()).execute();
      remember(hash, query);
    },
    notFoundError: 'PersistedQueryNotFound',
    notSupportedError: 'PersistedQueryNotSupported',
    mismatchError: 'provided sha does not match query',
  };
}
