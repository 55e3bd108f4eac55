import { type RawBuilder, sql, type SqlBool } from 'kysely';
import { hasRole, isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import { idList } from '../../platform/sql.js';
import { loadProducerAccess, manageableProducersFilter } from '../producers/access.js';
import { producerVisibilitySql } from '../producers/producers.repo.js';
import type { AccessCtx } from '../plots/plots.service.js';

/**
 * Who sees a producer's supply rows (lots, commitments): rows carry both the producer and the brand.
 *
 * - the producer themself, their cooperative manager, admins (they act for the producer);
 * - brand managers and curators of the row's brand (the brand the lot or commitment is for) —
 *   not of other brands the producer happens to be a member of;
 * - nobody else: buyers see supply only as availability aggregates (and, later, the lots in
 *   their own orders' provenance, through `extendSupplyVisibility`).
 */
export interface SupplyRow {
  producer_id: number;
  brand_id: number;
}


const brandRoles = (principal: Principal | null) => [
  ...new Set([...orgIdsWithRole(principal, 'BRAND_MANAGER'), ...orgIdsWithRole(principal, 'CURATOR')]),
];

/** SQL condition "this row is visible", for lists filtered in the database. */
export function supplyVisibilitySql(producerColumn: string, brandColumn: string, principal: Principal | null): RawBuilder<SqlBool> {
  if (!principal) return sql<SqlBool>`false`;
  if (isAdmin(principal)) return sql<SqlBool>`true`;
  const brands = brandRoles(principal);
  const byProducer = producerVisibilitySql(producerColumn, manageableProducersFilter(principal));
  if (brands.length === 0) return byProducer;
  return sql<SqlBool>`(${byProducer} or ${sql.ref(brandColumn)} in (${idList(brands)}))`;
}

/** Extra visibility (e.g. a buyer sees the lots of their order); must batch its I/O per request. */
export type SupplyVisibilityRule = (ctx: AccessCtx, kind: 'lot' | 'commitment', row: SupplyRow & { id: number }) => boolean | Promise<boolean>;
const rules: SupplyVisibilityRule[] = [];

export function extendSupplyVisibility(rule: SupplyVisibilityRule): void {
  rules.push(rule);
}

/** Per-row check for the type-level authScopes of Lot and Commitment; batched per request. */
export async function canSeeSupplyRow(ctx: AccessCtx, kind: 'lot' | 'commitment', row: SupplyRow & { id: number }): Promise<boolean> {
  const p = ctx.principal;
  if (!p) return false;
  if (isAdmin(p) || hasRole(p, 'BRAND_MANAGER', row.brand_id) || hasRole(p, 'CURATOR', row.brand_id)) return true;
  if ((hasRole(p, 'PRODUCER') || hasRole(p, 'COOP_MANAGER')) && (await loadProducerAccess(ctx, row.producer_id)).manage) return true;
  for (const rule of rules) if (await rule(ctx, kind, row)) return true;
  return false;
}
