import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db-types.js';
import { countUsers } from '../modules/accounts/accounts.repo.js';

/** Loads the demo data into an empty database. Returns whether it did. (Filled in by the supply work.) */
export async function seedIfEmpty(db: Kysely<DB>, _log: FastifyBaseLogger): Promise<boolean> {
  if ((await countUsers(db)) > 0) return false;
  return false;
}
