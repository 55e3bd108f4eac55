import { describe, expect, it } from 'vitest';
import type { MembershipStatus } from '../../platform/db-types.js';
import { InvalidTransitionError } from '../../platform/errors.js';
import { canTransition, type MembershipAction, transition } from './state.js';

const FROM: Array<MembershipStatus | null> = [null, 'APPLIED', 'APPROVED', 'REJECTED', 'SUSPENDED'];
const ACTIONS: MembershipAction[] = ['APPLY', 'APPROVE', 'REJECT', 'SUSPEND', 'REINSTATE'];
const ALLOWED: Record<string, MembershipStatus> = {
  'null APPLY': 'APPLIED',
  'REJECTED APPLY': 'APPLIED',
  'APPLIED APPROVE': 'APPROVED',
  'APPLIED REJECT': 'REJECTED',
  'APPROVED SUSPEND': 'SUSPENDED',
  'SUSPENDED REINSTATE': 'APPROVED',
};

describe('membership state machine', () => {
  for (const from of FROM) {
    for (const action of ACTIONS) {
      const key = `${from} ${action}`;
      const to = ALLOWED[key];
      if (to) {
        it(`allows ${key} → ${to}`, () => {
          expect(canTransition(from, action)).toBe(true);
          expect(transition(from, action)).toBe(to);
        });
      } else {
        it(`refuses ${key}`, () => {
          expect(canTransition(from, action)).toBe(false);
          expect(() => transition(from, action)).toThrow(InvalidTransitionError);
          try {
            transition(from, action);
          } catch (e) {
            expect((e as InvalidTransitionError).from).toBe(from ?? 'NONE');
            expect((e as InvalidTransitionError).code).toBe('INVALID_TRANSITION');
          }
        });
      }
    }
  }
});
