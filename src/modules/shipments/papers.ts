/**
 * Shipping-paper formats (pure): ISO 6346 container numbers, UN/LOCODE ports, the EU DDS reference
 * and verification numbers, and the HS heading of a product.
 */
import type { IssueText } from '../../platform/issue-messages.js';

/** ISO 6346 letter values: A=10, then counting up while skipping multiples of 11 (11, 22, 33). */
const LETTER_VALUE: Record<string, number> = (() => {
  const out: Record<string, number> = {};
  let v = 10;
  for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (v % 11 === 0) v++;
    out[letter] = v++;
  }
  return out;
})();

export const CONTAINER_NUMBER = /^[A-Z]{3}[UJZ]\d{6}\d$/;

/** The check digit of the first 10 characters (owner code, category, serial), or null if malformed. */
export function iso6346CheckDigit(first10: string): number | null {
  if (!/^[A-Z]{3}[UJZ]\d{6}$/.test(first10)) return null;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = first10[i] as string;
    const value = i < 4 ? (LETTER_VALUE[c] as number) : Number(c);
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

/** Why a container number is not a valid ISO 6346 freight container number, or null when it is. */
export function containerNumberProblem(value: string): string | null {
  return containerNumberProblemText(value)?.en ?? null;
}

/** The same problem in English and Indonesian. */
export function containerNumberProblemText(value: string): IssueText | null {
  if (!CONTAINER_NUMBER.test(value)) {
    return {
      en: 'must be an ISO 6346 container number: 3-letter owner code, category U, J or Z, 6 digits and a check digit, e.g. CSQU3054383',
      id: 'harus nomor kontainer ISO 6346: 3 huruf kode pemilik, kategori U, J atau Z, 6 angka dan 1 digit pemeriksa, misalnya CSQU3054383',
    };
  }
  const expected = iso6346CheckDigit(value.slice(0, 10));
  const given = Number(value[10]);
  if (expected === given) return null;
  return {
    en: `has check digit ${given} but ISO 6346 gives ${expected} for ${value.slice(0, 10)}`,
    id: `digit pemeriksanya ${given}, padahal menurut ISO 6346 untuk ${value.slice(0, 10)} seharusnya ${expected}`,
  };
}

/** Normalise a container number as written on a box ("CSQU 305438-3") to its 11 characters. */
export const normaliseContainerNumber = (value: string) => value.toUpperCase().replace(/[\s-]/g, '');

/** UN/LOCODE: ISO 3166 alpha-2 country + 3 characters (letters or digits 2–9), e.g. IDSUB, EGALY. */
export const UN_LOCODE = /^[A-Z]{2}[A-Z2-9]{3}$/;

/** EU DDS reference number: 2-digit year, 2-letter member state, 10 letters or digits (e.g. 26BE7XTVCZAQ2S). */
export const DDS_REFERENCE = /^\d{2}[A-Z]{2}[A-Z0-9]{10}$/;
export const DDS_VERIFICATION_MIN = 5;
export const DDS_VERIFICATION_MAX = 35;

/** HS heading of a coffee product as the DDS wants it (6 digits). Lumbung's forms are all unroasted, not decaffeinated. */
export function hsHeading(_product: { commodity: string; form: string }): { code: string; description: string } {
  return { code: '090111', description: 'Coffee, not roasted, not decaffeinated' };
}
