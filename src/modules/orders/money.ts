/**
 * Money: an exact decimal amount in a currency, stored as integer minor units (pure, no floats).
 *
 * Minor units follow ISO 4217. That includes IDR with 2 decimals (sen): ISO lists 2, and keeping
 * them costs nothing while making every amount that a bank or an ERP may send representable
 * (Rp 45.000,50 per kg is valid). JPY has 0. An amount with more decimals than its currency has
 * is refused rather than rounded: a price is an offer and we never change it silently.
 */
import type { IssueText } from '../../platform/issue-messages.js';

export const CURRENCY_MINOR_UNITS = {
  IDR: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  JPY: 0,
  SGD: 2,
  AUD: 2,
  EGP: 2,
} as const;

export type Currency = keyof typeof CURRENCY_MINOR_UNITS;
export const CURRENCIES = Object.keys(CURRENCY_MINOR_UNITS) as Currency[];

/** Largest amount accepted, in minor units (10^15: beyond any price per kg, well inside 2^53). */
export const MAX_MINOR = 1_000_000_000_000_000;

export const isCurrency = (c: unknown): c is Currency => typeof c === 'string' && Object.hasOwn(CURRENCY_MINOR_UNITS, c);

/**
 * "4.50" USD → 450; "45000" IDR → 4500000; "1200" JPY → 1200.
 * Throws a RangeError with the reason when the text is not a non-negative decimal, has more decimals
 * than the currency's minor unit, or is too large.
 */
/** Why an amount is refused, in English (the error's message) and Indonesian. */
export class AmountError extends RangeError {
  constructor(readonly text: IssueText) {
    super(text.en);
    this.name = 'AmountError';
  }
}

/** The IssueText of an amount refused by toMinorUnits (anything else is rethrown). */
export function amountText(error: unknown): IssueText {
  if (error instanceof AmountError) return error.text;
  throw error;
}

export function toMinorUnits(amount: string, currency: Currency): number {
  const digits = CURRENCY_MINOR_UNITS[currency];
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) {
    throw new AmountError({
      en: `"${amount}" is not a non-negative decimal amount such as "4.50"`,
      id: `"${amount}" bukan jumlah desimal yang tidak negatif, misalnya "4.50"`,
    });
  }
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) {
    throw new AmountError(
      digits === 0
        ? { en: `${currency} has no minor unit: give a whole amount (got ${amount})`, id: `${currency} tidak memakai pecahan: isi jumlah bulat (yang diisi ${amount})` }
        : { en: `${currency} has ${digits} decimals: "${amount}" has more`, id: `${currency} memakai ${digits} angka desimal: "${amount}" lebih dari itu` },
    );
  }
  const tooLarge = (): IssueText => ({
    en: `${amount} ${currency} is beyond the largest amount accepted`,
    id: `${amount} ${currency} melebihi jumlah terbesar yang diterima`,
  });
  if (whole.length > 16) throw new AmountError(tooLarge());
  const minor = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR) throw new AmountError(tooLarge());
  return minor;
}

/** 450 USD → "4.50"; 4500000 IDR → "45000.00"; 1200 JPY → "1200". Always the currency's number of decimals. */
export function fromMinorUnits(minor: number, currency: Currency | string): string {
  const digits = isCurrency(currency) ? CURRENCY_MINOR_UNITS[currency] : 2;
  if (!Number.isSafeInteger(minor)) throw new TypeError(`amount ${minor} is not a whole number of minor units`);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
