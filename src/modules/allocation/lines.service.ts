import type { Kysely } from 'kysely';
import { orgIdsWithRole, type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { accessToProducer } from '../producers/access.js';
import * as repo from './allocation.repo.js';

/** Reading allocation lines from the producer's side: who may list which lines, filtered in SQL. */

/** Lines of the producers the caller acts for (own producer, cooperative members), filtered in SQL. */
export function listMyLines(db: Kysely<DB>, actor: Principal | null, filter: repo.LineFilter, page: KeysetPage) {
  const principal = requirePrincipal(actor);
  const scope: repo.LineScope = {
    all: false,
    producerIds: orgIdsWithRole(principal, 'PRODUCER'),
    cooperativeIds: orgIdsWithRole(principal, 'COOP_MANAGER'),
    brandIds: [],
  };
  return repo.listLines(db, scope, filter, page);
}

/**
 * One producer's lines, as far as the caller may see them: all of them for the producer's side
 * (themself, their cooperative manager) and admins; those of the brand's orders for a brand
 * manager; none for anyone else.
 */
export async function listProducerLines(
  db: Kysely<DB>,
  actor: Principal | null,
  producerId: number,
  filter: repo.LineFilter,
  page: KeysetPage,
) {
  const principal = requirePrincipal(actor);
  const access = await accessToProducer(db, principal, producerId);
  const scope: repo.LineScope = access.manage
    ? { all: true }
    : { all: false, producerIds: [], cooperativeIds: [], brandIds: orgIdsWithRole(principal, 'BRAND_MANAGER') };
  return repo.listLines(db, scope, { ...filter, producerId }, page);
}
