import type { Language } from './language.js';
import { gramsToKg } from './weight.js';

/**
 * Numbers as people read them, in Indonesian or English (pure; one copy for every module's texts).
 *
 *   kg(19_200_000, 'id') → "19.200 kg"     kg(19_200_000, 'en') → "19,200 kg"
 *   decimal('48.3', 'id') → "48,3"          decimal(1234.5, 'en') → "1,234.5"
 *   percent('48.3', 'id') → "48,3 %"        percent('48.3', 'en') → "48.3 %"
 *
 * Values are exact decimal texts (or numbers, printed with String()), never rounded here: the
 * caller decides the precision. Dates stay ISO (2027-05-01) in both languages.
 */

const SEPARATORS: Record<Language, { thousands: string; decimal: string }> = {
  id: { thousands: '.', decimal: ',' },
  en: { thousands: ',', decimal: '.' },
};

/** Group the integer part of a plain decimal text: ("1234567.5", 'id') → "1.234.567,5". */
export function decimal(value: string | number, lang: Language): string {
  const text = typeof value === 'number' ? String(value) : value;
  const { thousands, decimal: point } = SEPARATORS[lang];
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const whole = dot < 0 ? body : body.slice(0, dot);
  let out = negative ? '-' : '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) out += thousands;
    out += whole[i];
  }
  return dot < 0 ? out : out + point + body.slice(dot + 1);
}

/** Grams → "19.200 kg" (id) / "19,200 kg" (en), exact to the gram. */
export function kg(grams: number, lang: Language): string {
  return `${decimal(gramsToKg(grams), lang)} kg`;
}

/** A percentage (already rounded by the caller) → "48,3 %" (id) / "48.3 %" (en). */
export function percent(value: string | number, lang: Language): string {
  return `${decimal(value, lang)} %`;
}

/** One text in every language. */
export type Texts = Readonly<Record<Language, string>>;

/** Render a text in every language from a function of the language (a catalogue lookup). */
export function texts(render: (lang: Language) => string): Texts {
  return { en: render('en'), id: render('id') };
}
