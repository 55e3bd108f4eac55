import type { Transaction } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB, OrderStatus } from '../../platform/db-types.js';
import type { OrderRow } from './orders.repo.js';

/**
 * Extension point for other modules (fulfilment, settlement): code that must run inside the
 * transaction of an order's status change, after the state machine allowed it and before the new
 * status is written. A hook may throw a domain error to refuse the change (everything rolls back),
 * or write its own rows. Hooks run in registration order; the order row is locked.
 */
export interface OrderTransitionEvent {
  /** The order as locked, still in `from`. */
  order: OrderRow;
  from: OrderStatus;
  to: OrderStatus;
  actor: Principal;
  reason: string | null;
}

export type OrderTransitionHook = (trx: Transaction<DB>, event: OrderTransitionEvent) => Promise<void> | void;

const hooks: OrderTransitionHook[] = [];

export function onOrderTransition(hook: OrderTransitionHook): void {
  hooks.push(hook);
}

export async function runTransitionHooks(trx: Transaction<DB>, event: OrderTransitionEvent): Promise<void> {
  for (const hook of hooks) await hook(trx, event);
}
