/**
 * Weights travel as exact decimal kilograms ("19200", "12.345") and live as integer grams.
 * No floats touch the value: a decimal string is split into integer parts.
 */

export const GRAMS_PER_KG = 1000;
/** One bag of green coffee: 60 kg. With whole bags, every line is a multiple of it. */
export const BAG_G = 60_000;
/**
 * The largest quantity one lot, commitment, order or fulfilment may have: 1,000 t (a warehouse
 * batch or a contract; ~50 containers). Anything larger is a typo, not a trade.
 */
export const MAX_QUANTITY_G = 1_000_000_000;
/** MAX_QUANTITY_G as the error messages spell it. */
export const MAX_QUANTITY_TEXT = '1,000 t (1000000 kg)';
/** The same in Indonesian. */
export const MAX_QUANTITY_TEXT_ID = '1.000 ton (1.000.000 kg)';
/** Nothing we trade weighs more than this in one figure (1,000,000 t). */
export const MAX_WEIGHT_G = 1_000_000_000_000;

const KG_PATTERN = /^(\d{1,10})(?:\.(\d{1,3}))?$/;

/** Parse "12.345" (kg) into 12345 (g). Throws a TypeError with a reason on anything else. */
export function kgToGrams(value: unknown): number {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else throw new TypeError('a weight is a decimal number of kilograms, e.g. "19200" or "12.345"');
  const negative = text.startsWith('-');
  const m = KG_PATTERN.exec(negative ? text.slice(1) : text);
  if (!m) throw new TypeError(`"${text}" is not a weight in kg with at most 3 decimals (grams)`);
  const grams = Number(m[1]) * GRAMS_PER_KG + Number((m[2] ?? '').padEnd(3, '0'));
  if (grams > MAX_WEIGHT_G) throw new TypeError(`${text} kg is beyond the largest weight accepted (1,000,000 t)`);
  return negative ? -grams : grams;
}

/** 12345 → "12.345", 19200000 → "19200", 1500 → "1.5". */
export function gramsToKg(grams: number): string {
  if (!Number.isSafeInteger(grams)) throw new TypeError(`weight ${grams} g is not an integer number of grams`);
  const sign = grams < 0 ? '-' : '';
  const abs = Math.abs(grams);
  const kg = Math.floor(abs / GRAMS_PER_KG);
  const g = abs % GRAMS_PER_KG;
  return g === 0 ? `${sign}${kg}` : `${sign}${kg}.${String(g).padStart(3, '0').replace(/0+$/, '')}`;
}
