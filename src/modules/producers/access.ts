import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB, Db } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import * as repo from './producers.repo.js';
import type { ProducerVisibility } from './producers.repo.js';

/**
 * Who may see and act for a producer. Used by every module that holds producer-owned rows
 * (plots, lots, commitments, allocations).
 *
 * - manage:  the producer themself (PRODUCER grant on it), the manager of its cooperative, an admin.
 *            They may declare plots, lots and commitments for it.
 * - view:    manage, or a brand manager or curator of a brand the producer has a membership in
 *            (any status: an application is enough for the curator to review it).
 * - contact: manage, or a brand manager (not a curator) of a brand the producer has a membership in.
 * Buyers never see producers (they see aggregates only).
 */
export interface ProducerAccess {
  view: boolean;
  manage: boolean;
  contact: boolean;
}

const NONE: ProducerAccess = Object.freeze({ view: false, manage: false, contact: false });
const ALL: ProducerAccess = Object.freeze({ view: true, manage: true, contact: true });

/**
 * Access of the principal to each producer, in at most two queries for the whole batch.
 * Unknown producer ids map to no access.
 */
export async function producerAccess(
  db: Db,
  principal: Principal | null,
  producerIds: readonly number[],
): Promise<Map<number, ProducerAccess>> {
  const result = new Map<number, ProducerAccess>();
  const ids = [...new Set(producerIds)];
  for (const id of ids) result.set(id, NONE);
  if (!principal || ids.length === 0) return result;

  const own = new Set(orgIdsWithRole(principal, 'PRODUCER'));
  const coops = new Set(orgIdsWithRole(principal, 'COOP_MANAGER'));
  const managed = new Set(orgIdsWithRole(principal, 'BRAND_MANAGER'));
  const curated = new Set(orgIdsWithRole(principal, 'CURATOR'));
  // Buyers (and users without supply-side roles) see no producer: no query needed.
  if (!isAdmin(principal) && own.size + coops.size + managed.size + curated.size === 0) return result;

  const producers = await repo.producerCooperatives(db, ids);
  if (isAdmin(principal)) {
    for (const p of producers) result.set(p.id, ALL);
    return result;
  }
  const brandIds = [...new Set([...managed, ...curated])];

  const pairs = await repo.membershipBrandPairs(db, producers.map((p) => p.id), brandIds);
  const viaManager = new Set<number>();
  const viaCurator = new Set<number>();
  for (const m of pairs) {
    if (managed.has(m.brand_id)) viaManager.add(m.producer_id);
    if (curated.has(m.brand_id)) viaCurator.add(m.producer_id);
  }
  for (const p of producers) {
    const manage = own.has(p.id) || (p.cooperative_id !== null && coops.has(p.cooperative_id));
    const contact = manage || viaManager.has(p.id);
    const view = contact || viaCurator.has(p.id);
    result.set(p.id, { view, manage, contact });
  }
  return result;
}

/** Access of the principal to one producer. */
export async function accessToProducer(db: Db, principal: Principal | null, producerId: number): Promise<ProducerAccess> {
  return (await producerAccess(db, principal, [producerId])).get(producerId) ?? NONE;
}

/**
 * Throws unless the principal may act for the producer (themself, their cooperative manager, admin).
 * Anonymous → UnauthenticatedError; unknown producer → NotFoundError(path); any other producer the
 * caller may not act for (visible or not) → ForbiddenError.
 */
export async function assertCanManageProducer(
  db: Db,
  principal: Principal | null,
  producerId: number,
  path: string,
): Promise<void> {
  if (!principal) throw new UnauthenticatedError();
  const access = await accessToProducer(db, principal, producerId);
  if (access.manage) return;
  if (!access.view) {
    const exists = (await repo.producerCooperatives(db, [producerId])).length > 0;
    if (!exists) throw new NotFoundError('Producer', path);
  }
  throw new ForbiddenError('Only the producer, their cooperative manager or an admin may act for this producer');
}

// ---------------------------------------------------------------------------
// Which producers' rows a principal may list (the SQL is producers.repo's producerVisibilitySql)
// ---------------------------------------------------------------------------

export function visibleProducersFilter(principal: Principal | null): ProducerVisibility {
  if (isAdmin(principal)) return { all: true };
  return {
    all: false,
    producerIds: orgIdsWithRole(principal, 'PRODUCER'),
    cooperativeIds: orgIdsWithRole(principal, 'COOP_MANAGER'),
    brandIds: [...new Set([...orgIdsWithRole(principal, 'BRAND_MANAGER'), ...orgIdsWithRole(principal, 'CURATOR')])],
  };
}

/** Which producers a principal may act for (the manage set), as the same filter shape (brandIds empty). */
export function manageableProducersFilter(principal: Principal | null): ProducerVisibility {
  if (isAdmin(principal)) return { all: true };
  return {
    all: false,
    producerIds: orgIdsWithRole(principal, 'PRODUCER'),
    cooperativeIds: orgIdsWithRole(principal, 'COOP_MANAGER'),
    brandIds: [],
  };
}

// ---------------------------------------------------------------------------
// Per-request batching (type-level authScopes of Producer and of producer-owned rows)
// ---------------------------------------------------------------------------

interface AccessContext {
  db: Kysely<DB>;
  principal: Principal | null;
}

const loaders = new WeakMap<object, DataLoader<number, ProducerAccess>>();

/** A per-request loader: all producers checked during one request cost one batch (≤ 2 queries). */
export function producerAccessLoader(ctx: AccessContext): DataLoader<number, ProducerAccess> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader<number, ProducerAccess>(async (ids) => {
      const map = await producerAccess(ctx.db, ctx.principal, ids);
      return ids.map((id) => map.get(id) ?? NONE);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

/** Batched access of the request's principal to one producer. */
export const loadProducerAccess = (ctx: AccessContext, producerId: number): Promise<ProducerAccess> =>
  producerAccessLoader(ctx).load(producerId);
