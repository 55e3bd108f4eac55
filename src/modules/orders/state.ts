import type { OrderStatus } from '../../platform/db-types.js';

/**
 * The order state machine (pure). Who may move an order where:
 *
 *   REQUESTED      → ACCEPTED        manager (through acceptOrder: the allocation is written in the same transaction)
 *   REQUESTED      → REJECTED        manager
 *   REQUESTED      → CANCELLED       manager or buyer (a buyer may cancel only before acceptance)
 *   ACCEPTED       → IN_FULFILLMENT  manager
 *   ACCEPTED       → CANCELLED       manager (every allocated kilogram is released)
 *   IN_FULFILLMENT → SHIPPED         manager
 *   IN_FULFILLMENT → CANCELLED       manager (every allocated kilogram is released)
 *   SHIPPED        → COMPLETED       manager
 *
 * "manager" is the brand manager of the order's brand (or an admin); "buyer" a member of the buyer
 * organisation that placed the order. Everything else (other roles, other pairs, terminal states
 * REJECTED, COMPLETED, CANCELLED) is refused with an InvalidTransitionError.
 */

export type OrderRole = 'MANAGER' | 'BUYER' | 'OTHER';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'REQUESTED', 'ACCEPTED', 'REJECTED', 'IN_FULFILLMENT', 'SHIPPED', 'COMPLETED', 'CANCELLED',
];
export const ORDER_ROLES: readonly OrderRole[] = ['MANAGER', 'BUYER', 'OTHER'];

type Table = Readonly<Partial<Record<OrderStatus, Readonly<Partial<Record<OrderStatus, readonly OrderRole[]>>>>>>;

export const ORDER_TRANSITIONS: Table = {
  REQUESTED: { ACCEPTED: ['MANAGER'], REJECTED: ['MANAGER'], CANCELLED: ['MANAGER', 'BUYER'] },
  ACCEPTED: { IN_FULFILLMENT: ['MANAGER'], CANCELLED: ['MANAGER'] },
  IN_FULFILLMENT: { SHIPPED: ['MANAGER'], CANCELLED: ['MANAGER'] },
  SHIPPED: { COMPLETED: ['MANAGER'] },
};

/** Transitions that must say why (kept in order_events.reason). */
export const REASON_REQUIRED: ReadonlySet<OrderStatus> = new Set(['REJECTED', 'CANCELLED']);

/** States in which allocation lines hold supply: leaving them for CANCELLED releases it. */
export const HOLDS_ALLOCATION: ReadonlySet<OrderStatus> = new Set(['ACCEPTED', 'IN_FULFILLMENT']);

export function canTransition(from: OrderStatus, to: OrderStatus, role: OrderRole): boolean {
  return ORDER_TRANSITIONS[from]?.[to]?.includes(role) ?? false;
}

/** Why a transition is refused, for the error message; null when it is allowed. */
export function refusal(from: OrderStatus, to: OrderStatus, role: OrderRole): string | null {
  if (canTransition(from, to, role)) return null;
  const roles = ORDER_TRANSITIONS[from]?.[to];
  if (!roles) {
    const next = Object.keys(ORDER_TRANSITIONS[from] ?? {});
    return next.length === 0
      ? `An order that is ${from} is final and cannot move to ${to}`
      : `An order that is ${from} cannot move to ${to} (it can move to ${next.join(', ')})`;
  }
  if (to === 'CANCELLED' && role === 'BUYER') return `A buyer may cancel an order only before it is accepted (it is ${from})`;
  return `Only ${roles.map((r) => (r === 'MANAGER' ? 'the brand manager' : 'the buyer')).join(' or ')} may move an order from ${from} to ${to}`;
}
