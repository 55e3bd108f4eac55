import { describe, expect, it } from 'vitest';
import type { AppError } from '../../platform/errors.js';
import { fulfilmentRefusal, shortfallRefusal } from './refusals.js';

// A 600 kg forward line of producer 7 on commitment 3, 120 kg already delivered, for an ACCEPTED
// whole-bags order of product 1 at minimum grade 3; a lot of producer 7, product 1, grade 2, 300 kg free.
const order = { status: 'ACCEPTED' as const, whole_bags: true, product_id: 1, min_grade_rank: 3, min_grade_code: '3' };
const line = { status: 'ACTIVE' as const, commitment_id: 3, producer_id: 7, weight_g: 600_000, fulfilled_g: 120_000 };
const lot = { producer_id: 7, product_id: 1, off_grade: false, grade_rank: 2, grade_code: '2', net_g: 1_000_000, allocated_g: 700_000 };

/** What a client sees of a refusal: the GraphQL type, the code, the field and, for a FulfilmentRefusedError, the reason. */
const seen = (e: AppError | null) =>
  e && {
    typename: e.name,
    code: e.code,
    path: (e as { path?: string }).path ?? (e as { issues?: { path: string }[] }).issues?.[0]?.path,
    reason: (e as { reason?: string }).reason,
  };

describe('fulfilmentRefusal', () => {
  it('given a valid delivery, when checked, then nothing refuses it', () => {
    expect(fulfilmentRefusal(order, line, lot, 240_000)).toBeNull();
    expect(fulfilmentRefusal({ ...order, status: 'IN_FULFILLMENT' }, line, lot, 300_000)).toBeNull();
  });

  it.each([
    ['the order is not open', { order: { ...order, status: 'REQUESTED' as const } }, 'ORDER_NOT_IN_FULFILMENT', 'input.lineId'],
    ['the line is a spot line', { line: { ...line, commitment_id: null } }, 'LINE_NOT_FORWARD', 'input.lineId'],
    ['the line no longer holds supply', { line: { ...line, status: 'RELEASED' as const } }, 'LINE_NOT_ACTIVE', 'input.lineId'],
    ['the lot is another producer\'s', { lot: { ...lot, producer_id: 8 } }, 'LOT_OF_ANOTHER_PRODUCER', 'input.lotId'],
    ['the lot is of another product', { lot: { ...lot, product_id: 2 } }, 'WRONG_PRODUCT', 'input.lotId'],
    ['the lot is off-grade', { lot: { ...lot, off_grade: true } }, 'LOT_OFF_GRADE', 'input.lotId'],
    ['the lot is not graded', { lot: { ...lot, grade_rank: null, grade_code: null } }, 'LOT_NOT_GRADED', 'input.lotId'],
    ['the lot is below the minimum grade', { lot: { ...lot, grade_rank: 4, grade_code: '4' } }, 'GRADE_BELOW_MINIMUM', 'input.lotId'],
    ['the weight exceeds what the line has left', { weight: 540_000 }, 'EXCEEDS_LINE_REMAINING', 'input.weight'],
    ['the weight exceeds what the lot has free', { lot: { ...lot, allocated_g: 820_000 } }, 'EXCEEDS_LOT_AVAILABLE', 'input.weight'],
  ])('given %s, when checked, then it is a FulfilmentRefusedError with that reason', (_what, change, reason, path) => {
    const c = change as { order?: typeof order; line?: typeof line; lot?: typeof lot; weight?: number };
    const refused = fulfilmentRefusal(c.order ?? order, c.line ?? line, c.lot ?? lot, c.weight ?? 240_000);
    expect(seen(refused)).toEqual({ typename: 'FulfilmentRefusedError', code: 'FULFILMENT_REFUSED', path, reason });
  });

  it('given a weight that is not whole bags for a whole-bags order, when checked, then it is a ValidationError on input.weight', () => {
    expect(seen(fulfilmentRefusal(order, line, lot, 30_000))).toMatchObject({ typename: 'ValidationError', code: 'VALIDATION_FAILED', path: 'input.weight' });
    expect(fulfilmentRefusal({ ...order, whole_bags: false }, line, lot, 30_000)).toBeNull();
  });

  it('given no such lot, when checked, then it is a NotFoundError on input.lotId — after the line checks', () => {
    expect(seen(fulfilmentRefusal(order, line, undefined, 240_000))).toMatchObject({ typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.lotId' });
    expect(seen(fulfilmentRefusal(order, { ...line, status: 'SHORTFALL' }, undefined, 240_000))?.reason).toBe('LINE_NOT_ACTIVE');
  });

  it('given several faults, when checked, then the first in the documented order wins', () => {
    const everything = fulfilmentRefusal({ ...order, status: 'CANCELLED' }, { ...line, commitment_id: null }, { ...lot, off_grade: true }, 1);
    expect(seen(everything)?.reason).toBe('ORDER_NOT_IN_FULFILMENT');
    expect(seen(fulfilmentRefusal(order, line, { ...lot, product_id: 2, off_grade: true }, 240_000))?.reason).toBe('WRONG_PRODUCT');
    expect(seen(fulfilmentRefusal(order, line, { ...lot, allocated_g: 1_000_000 }, 600_000))?.reason).toBe('EXCEEDS_LINE_REMAINING');
  });

  it('names the weights in kilograms in the message', () => {
    expect(fulfilmentRefusal(order, line, lot, 540_000)?.message).toBe('The line has 480 kg left to fulfil (asked 540 kg)');
    expect(fulfilmentRefusal(order, line, { ...lot, allocated_g: 820_000 }, 240_000)?.message).toBe('The lot has 180 kg available (asked 240 kg)');
  });
});

describe('shortfallRefusal', () => {
  it('given up to what is not yet delivered of an ACTIVE line of an open order, when checked, then nothing refuses it', () => {
    expect(shortfallRefusal(order, line, 480_000)).toBeNull();
    expect(shortfallRefusal(order, { ...line, commitment_id: null, fulfilled_g: 0 }, 600_000)).toBeNull();
  });

  it.each([
    ['the order is not open', { ...order, status: 'SHIPPED' as const }, line, 60_000, 'ORDER_NOT_IN_FULFILMENT', 'input.lineId'],
    ['the line is not ACTIVE', order, { ...line, status: 'SHORTFALL' as const }, 60_000, 'LINE_NOT_ACTIVE', 'input.lineId'],
    ['more than is not yet delivered', order, line, 540_000, 'EXCEEDS_LINE_REMAINING', 'input.weight'],
  ])('given %s, when checked, then it is a FulfilmentRefusedError with that reason', (_what, o, l, weight, reason, path) => {
    expect(seen(shortfallRefusal(o, l, weight))).toEqual({ typename: 'FulfilmentRefusedError', code: 'FULFILMENT_REFUSED', path, reason });
  });

  it('given a weight that is not whole bags for a whole-bags order, when checked, then it is a ValidationError on input.weight', () => {
    expect(seen(shortfallRefusal(order, line, 1_000))).toMatchObject({ typename: 'ValidationError', path: 'input.weight' });
    expect(shortfallRefusal(order, line, 540_000)?.message).toBe('The line has 480 kg not yet delivered (asked 540 kg)');
  });
});
