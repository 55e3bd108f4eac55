import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../platform/db-types.js';
import { canTransition, ORDER_ROLES, ORDER_STATUSES, type OrderRole, refusal } from './state.js';

// The rules, written out independently of the table in state.ts.
const ALLOWED: ReadonlyArray<[OrderStatus, OrderStatus, OrderRole]> = [
  ['REQUESTED', 'ACCEPTED', 'MANAGER'],
  ['REQUESTED', 'REJECTED', 'MANAGER'],
  ['REQUESTED', 'CANCELLED', 'MANAGER'],
  ['REQUESTED', 'CANCELLED', 'BUYER'],
  ['ACCEPTED', 'IN_FULFILLMENT', 'MANAGER'],
  ['ACCEPTED', 'CANCELLED', 'MANAGER'],
  ['IN_FULFILLMENT', 'SHIPPED', 'MANAGER'],
  ['IN_FULFILLMENT', 'CANCELLED', 'MANAGER'],
  ['SHIPPED', 'COMPLETED', 'MANAGER'],
];
const allowed = new Set(ALLOWED.map((t) => t.join('>')));

const every: Array<[OrderStatus, OrderStatus, OrderRole]> = [];
for (const from of ORDER_STATUSES) for (const to of ORDER_STATUSES) for (const role of ORDER_ROLES) every.push([from, to, role]);

describe('order state machine', () => {
  it('covers 7 statuses × 7 targets × 3 roles', () => {
    expect(every).toHaveLength(147);
  });

  it.each(every.filter((t) => allowed.has(t.join('>'))))('allows %s → %s by %s', (from, to, role) => {
    expect(canTransition(from, to, role)).toBe(true);
    expect(refusal(from, to, role)).toBeNull();
  });

  it.each(every.filter((t) => !allowed.has(t.join('>'))))('refuses %s → %s by %s, saying why', (from, to, role) => {
    expect(canTransition(from, to, role)).toBe(false);
    expect(refusal(from, to, role)).toMatch(/\w/);
  });

  it('explains that a buyer may cancel only before acceptance', () => {
    expect(refusal('ACCEPTED', 'CANCELLED', 'BUYER')).toBe('A buyer may cancel an order only before it is accepted (it is ACCEPTED)');
  });

  it('calls terminal states final', () => {
    for (const from of ['REJECTED', 'COMPLETED', 'CANCELLED'] as const) {
      expect(refusal(from, 'REQUESTED', 'MANAGER')).toMatch(/is final/);
    }
  });

  it('never lets a shipped or completed order be cancelled', () => {
    for (const role of ORDER_ROLES) {
      expect(canTransition('SHIPPED', 'CANCELLED', role)).toBe(false);
      expect(canTransition('COMPLETED', 'CANCELLED', role)).toBe(false);
    }
  });
});
