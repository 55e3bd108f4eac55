import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB, Db } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import type { Context } from '../../platform/graphql/context.js';
import { ProducerRef, type ProducerNode } from '../refs.js';
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

/** What access depends on: the producer's cooperative and the brands it holds a membership in. */
export interface ProducerTies {
  id: number;
  cooperative_id: number | null;
  membership_brand_ids: readonly number[];
}

/** The principal's supply-side roles, or null when it may see no producer at all (buyers, anonymous). */
function supplyRoles(principal: Principal | null) {
  if (!principal) return null;
  const roles = {
    admin: isAdmin(principal),
    own: new Set(orgIdsWithRole(principal, 'PRODUCER')),
    coops: new Set(orgIdsWithRole(principal, 'COOP_MANAGER')),
    managed: new Set(orgIdsWithRole(principal, 'BRAND_MANAGER')),
    curated: new Set(orgIdsWithRole(principal, 'CURATOR')),
  };
  const any = roles.own.size + roles.coops.size + roles.managed.size + roles.curated.size > 0;
  return roles.admin || any ? roles : null;
}

/** Access of the principal to each producer, from the producers' ties (pure). Producers not given map to no access. */
export function accessFromTies(principal: Principal | null, producers: readonly ProducerTies[]): Map<number, ProducerAccess> {
  const result = new Map<number, ProducerAccess>();
  const roles = supplyRoles(principal);
  for (const p of producers) {
    if (!roles) result.set(p.id, NONE);
    else if (roles.admin) result.set(p.id, ALL);
    else {
      const manage = roles.own.has(p.id) || (p.cooperative_id !== null && roles.coops.has(p.cooperative_id));
      const contact = manage || p.membership_brand_ids.some((b) => roles.managed.has(b));
      const view = contact || p.membership_brand_ids.some((b) => roles.curated.has(b));
      result.set(p.id, { view, manage, contact });
    }
  }
  return result;
}

/**
 * Access of the principal to each producer, in at most one query for the whole batch (none for a
 * caller without supply-side roles). Unknown producer ids map to no access.
 */
export async function producerAccess(
  db: Db,
  principal: Principal | null,
  producerIds: readonly number[],
): Promise<Map<number, ProducerAccess>> {
  const ids = [...new Set(producerIds)];
  const ties = ids.length === 0 || !supplyRoles(principal) ? [] : await repo.producerTies(db, ids);
  const result = accessFromTies(principal, ties);
  for (const id of ids) if (!result.has(id)) result.set(id, NONE);
  return result;
}

/** Access of the principal to one producer. */
export async function accessToProducer(db: Db, principal: Principal | null, producerId: number): Promise<ProducerAccess> {
  return (await producerAccess(db, principal, [producerId])).get(producerId) ?? NONE;
}

/**
 * Throws unless the principal may act for the producer (themself, their cooperative manager, admin).
 * Anonymous → UnauthenticatedError; a producer the caller may not see, known or not, → NotFoundError(path)
 * (what you may not see looks like what does not exist); a producer the caller sees but may not act for
 * → ForbiddenError.
 */
export async function assertCanManageProducer(
  db: Db,
  principal: Principal | null,
  producerId: number,
  path: string,
  /** What the path refers to (a plot's ID names the plot, not its producer). */
  entity = 'Producer',
): Promise<void> {
  if (!principal) throw new UnauthenticatedError();
  const access = await accessToProducer(db, principal, producerId);
  if (access.manage) return;
  if (!access.view) throw new NotFoundError(entity, path);
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

/**
 * A per-request loader: all producers checked during one request cost one batch. In a GraphQL
 * request the batch goes through the Producer loader, whose rows carry the membership brands, so
 * resolving a producer and checking access to it read producers once (none when already resolved).
 */
export function producerAccessLoader(ctx: AccessContext): DataLoader<number, ProducerAccess> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader<number, ProducerAccess>(async (ids) => {
      if (!supplyRoles(ctx.principal)) return ids.map(() => NONE);
      // The Producer loader only needs ctx.db; it caches per context object.
      const rows = await ProducerRef.getDataloader(ctx as Context).loadMany(ids.map(String));
      const found = rows.filter((r): r is ProducerNode => r != null && !(r instanceof Error));
      const withBrands = found.filter((r) => r.membership_brand_ids !== undefined);
      const without = found.filter((r) => r.membership_brand_ids === undefined).map((r) => r.id);
      const ties: ProducerTies[] = [
        ...withBrands.map((r) => ({ id: r.id, cooperative_id: r.cooperative_id, membership_brand_ids: r.membership_brand_ids! })),
        // A row primed from a list query carries no brands: read its ties (not the case today).
        ...(without.length > 0 ? await repo.producerTies(ctx.db, without) : []),
      ];
      const map = accessFromTies(ctx.principal, ties);
      return ids.map((id) => map.get(id) ?? NONE);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}


/** Batched access of the request's principal to one producer. */
export const loadProducerAccess = (ctx: AccessContext, producerId: number): Promise<ProducerAccess> =>
  producerAccessLoader(ctx).load(producerId);
