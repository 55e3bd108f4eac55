import { decimal, kg, percent } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import type { Ratio } from './ratio.js';

/**
 * One sentence per payout line, in Indonesian and in English (pure). Both are stored with the line
 * when it is settled, so a statement reads the same forever; the API picks one by Accept-Language.
 */

/** sen (exact) → "Rp 30.461,90" (id) or "IDR 30,461.90" (en), rounded half up to the sen. */
const decimals = new WeakMap<Ratio, string>();
/** sen → rupiah with 2 decimals, computed once per Ratio object (the run's base rate is shared by every line). */
function rupiahText(sen: Ratio): string {
  let text = decimals.get(sen);
  if (text === undefined) {
    text = sen.shift(2).toFixed(2);
    decimals.set(sen, text);
  }
  return text;
}

export function rupiah(sen: Ratio, lang: Language): string {
  const text = rupiahText(sen);
  return lang === 'id' ? `Rp ${decimal(text, 'id')}` : `IDR ${decimal(text, 'en')}`;
}

// Weights and percentages: platform/format.ts (one formatter for every module's texts).
const pct = percent;

export interface LineFacts {
  weightG: number;
  gradeCode: string | null;
  lotId: number;
  /** Labels of the premiums that apply, e.g. ["grade SPECIALTY", "FAIRTRADE"]. */
  premiumLabels: string[];
  premiumPerKg: Ratio;
  baseRatePerKg: Ratio;
  coopFeePct: string;
  coopFee: Ratio;
  amount: Ratio;
  runNo: number;
  /** Covers another producer's shortfall (allocation line id), or null. */
  coversLineId: number | null;
}

// The sentence's parts, one function per part and language (module level: nothing is allocated per line but the text).
const grade = (f: LineFacts, lang: Language) =>
  f.gradeCode ? (lang === 'id' ? `mutu ${f.gradeCode}` : `grade ${f.gradeCode}`) : lang === 'id' ? 'tanpa mutu' : 'ungraded';

const premium = (f: LineFacts, lang: Language) =>
  f.premiumPerKg.isZero()
    ? ''
    : lang === 'id'
      ? ` ditambah premi ${rupiah(f.premiumPerKg, 'id')}/kg (${f.premiumLabels.join(', ')})`
      : ` plus a premium of ${rupiah(f.premiumPerKg, 'en')}/kg (${f.premiumLabels.join(', ')})`;

const fee = (f: LineFacts, lang: Language) =>
  f.coopFee.isZero()
    ? ''
    : lang === 'id'
      ? `, dikurangi biaya layanan koperasi ${pct(f.coopFeePct, 'id')} (${rupiah(f.coopFee, 'id')})`
      : `, less the cooperative's ${pct(f.coopFeePct, 'en')} service fee (${rupiah(f.coopFee, 'en')})`;

const covers = (f: LineFacts, lang: Language) =>
  f.coversLineId === null ? '' : lang === 'id' ? `, menggantikan kekurangan baris ${f.coversLineId}` : `, covering the shortfall of line ${f.coversLineId}`;

export function explainLine(f: LineFacts): { id: string; en: string } {
  if (f.runNo === 1) {
    return {
      id:
        `${kg(f.weightG, 'id')} kopi ${grade(f, 'id')} dari lot ${f.lotId}${covers(f, 'id')} dengan harga dasar ${rupiah(f.baseRatePerKg, 'id')}/kg` +
        `${premium(f, 'id')}${fee(f, 'id')}: dibayar ${rupiah(f.amount, 'id')}.`,
      en:
        `${kg(f.weightG, 'en')} of ${grade(f, 'en')} coffee from lot ${f.lotId}${covers(f, 'en')} at a base rate of ${rupiah(f.baseRatePerKg, 'en')}/kg` +
        `${premium(f, 'en')}${fee(f, 'en')}: paid ${rupiah(f.amount, 'en')}.`,
    };
  }
  return {
    id:
      `Pembayaran lanjutan ke-${f.runNo} menaikkan harga dasar menjadi ${rupiah(f.baseRatePerKg, 'id')}/kg untuk ${kg(f.weightG, 'id')} kopi ${grade(f, 'id')} ` +
      `dari lot ${f.lotId}${fee(f, 'id')}: tambahan ${rupiah(f.amount, 'id')}.`,
    en:
      `Further payment no. ${f.runNo} raises the base rate to ${rupiah(f.baseRatePerKg, 'en')}/kg for ${kg(f.weightG, 'en')} of ${grade(f, 'en')} coffee ` +
      `from lot ${f.lotId}${fee(f, 'en')}: a further ${rupiah(f.amount, 'en')}.`,
  };
}
