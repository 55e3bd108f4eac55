import { describe, expect, it } from 'vitest';
import { fromMinorUnits, toMinorUnits } from './money.js';

describe('money', () => {
  it.each([
    ['4.50', 'USD', 450],
    ['4.5', 'USD', 450],
    ['0.01', 'USD', 1],
    ['45000', 'IDR', 4_500_000],
    ['45000.25', 'IDR', 4_500_025],
    ['1200', 'JPY', 1200],
    ['1200.00', 'JPY', 1200],
    ['007.10', 'EUR', 710],
  ] as const)('parses %s %s into %d minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it.each([
    ['4.501', 'USD', /USD has 2 decimals/],
    ['45000.001', 'IDR', /IDR has 2 decimals/],
    ['1200.5', 'JPY', /JPY has no minor unit/],
    ['-1', 'USD', /not a non-negative decimal/],
    ['1e3', 'USD', /not a non-negative decimal/],
    ['99999999999999999', 'USD', /beyond/],
  ] as const)('refuses %s %s', (amount, currency, message) => {
    expect(() => toMinorUnits(amount, currency)).toThrow(message);
  });

  it('formats with the currency\'s decimals and round-trips', () => {
    expect(fromMinorUnits(450, 'USD')).toBe('4.50');
    expect(fromMinorUnits(5, 'USD')).toBe('0.05');
    expect(fromMinorUnits(4_500_000, 'IDR')).toBe('45000.00');
    expect(fromMinorUnits(1200, 'JPY')).toBe('1200');
    for (const minor of [0, 1, 99, 100, 123_456_789]) expect(toMinorUnits(fromMinorUnits(minor, 'USD'), 'USD')).toBe(minor);
  });
});
