import { hasRole, isAdmin, type Principal } from '../../platform/auth.js';
import type { OrderRow } from './orders.repo.js';
import type { OrderRole } from './state.js';

/**
 * Who sees an order: admins, the brand managers of its brand, the buyers of its organisation.
 * Producers never see orders (they see their own allocation lines, without buyer or price);
 * curators do not either. Someone who cannot see an order gets NotFoundError for it.
 */
export const canSeeOrder = (actor: Principal | null, order: Pick<OrderRow, 'brand_id' | 'buyer_org_id'>) =>
  isAdmin(actor) || hasRole(actor, 'BRAND_MANAGER', order.brand_id) || hasRole(actor, 'BUYER', order.buyer_org_id);

/** The brand manager of the order's brand, or an admin. */
export const managesOrder = (actor: Principal | null, order: Pick<OrderRow, 'brand_id'>) =>
  isAdmin(actor) || hasRole(actor, 'BRAND_MANAGER', order.brand_id);

/** The roles the actor holds on this order, as the state machine knows them. */
export function rolesOn(actor: Principal, order: Pick<OrderRow, 'brand_id' | 'buyer_org_id'>): OrderRole[] {
  const roles: OrderRole[] = [];
  if (managesOrder(actor, order)) roles.push('MANAGER');
  if (hasRole(actor, 'BUYER', order.buyer_org_id)) roles.push('BUYER');
  return roles;
}
