import { decimal } from './format.js';
import type { Language } from './language.js';

/**
 * Validation issue texts in English and Indonesian (issue 8 §4): what a client shows next to each
 * field (`ValidationError.issues[].message`). An issue carries an IssueText, both languages at
 * once; the API picks one by the request's language (ctx.language). Paths never change with it.
 *
 * ISSUES below is the catalogue of the texts many fields share (lengths, emptiness, ranges, IDs,
 * dates, money, weights, text checks): a parameterised entry is a function of its typed
 * parameters, made with `withParams(sample, en, id)` (the sample types the parameters and lets the
 * catalogue test render it). A text that only one rule says is written where the rule is, as a
 * `{ en, id }` object: the IssueText type needs both, so a missing translation fails the type check.
 *
 * English stays as it has always been written (clients and tests match on it); Indonesian is
 * written for a cooperative clerk or a brand manager, with numbers in the Indonesian way
 * (19.200 kg, 0,5).
 */
export interface IssueText {
  readonly en: string;
  readonly id: string;
}

/** A text with typed parameters; `sample` is a set of parameters it can be rendered with. */
export interface ParamText<P> {
  (params: P): IssueText;
  readonly sample: P;
}

export function withParams<P>(sample: P, en: (p: P) => string, id: (p: P) => string): ParamText<P> {
  return Object.assign((p: P): IssueText => ({ en: en(p), id: id(p) }), { sample });
}

/** A number, or a plain decimal text, in Indonesian (19.200; 0,5); anything else as it is. */
export const nId = (value: number | bigint | string): string => {
  const text = String(value);
  return /^-?\d+(\.\d+)?$/.test(text) ? decimal(text, 'id') : text;
};
/** A weight in kg text ("19200", "0.5") in Indonesian: "19.200 kg". */
export const kgId = (kgText: string | number) => `${nId(kgText)} kg`;
/** "a, b atau c" */
export const orId = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} atau ${items[items.length - 1]}`;

export const textIn = (text: IssueText, language: Language): string => text[language];

export const ISSUES = {
  // --- text -----------------------------------------------------------------
  notEmpty: { en: 'must not be empty', id: 'tidak boleh kosong' },
  maxChars: withParams({ max: 200 }, (p) => `must be at most ${p.max} characters`, (p) => `paling banyak ${nId(p.max)} karakter`),
  minChars: withParams({ min: 12 }, (p) => `must be at least ${p.min} characters`, (p) => `paling sedikit ${nId(p.min)} karakter`),
  charsBetween: withParams({ min: 1, max: 500 }, (p) => `must be ${p.min} to ${p.max} characters`, (p) => `harus ${nId(p.min)} sampai ${nId(p.max)} karakter`),
  controlCharacter: withParams(
    { codePoint: '0000', position: 3 },
    (p) => `must not contain control characters (U+${p.codePoint} at position ${p.position})`,
    (p) => `tidak boleh berisi karakter kontrol (U+${p.codePoint} di posisi ${nId(p.position)})`,
  ),
  loneSurrogate: withParams(
    { position: 3 },
    (p) => `must be valid Unicode text (a lone surrogate at position ${p.position})`,
    (p) => `harus berupa teks Unicode yang sah (ada surrogate tunggal di posisi ${nId(p.position)})`,
  ),
  keyControlCharacter: withParams(
    { codePoint: '0000', position: 3 },
    (p) => `has a key that must not contain control characters (U+${p.codePoint} at position ${p.position})`,
    (p) => `memiliki kunci yang berisi karakter kontrol (U+${p.codePoint} di posisi ${nId(p.position)}); itu tidak diperbolehkan`,
  ),
  keyLoneSurrogate: withParams(
    { position: 3 },
    (p) => `has a key that must be valid Unicode text (a lone surrogate at position ${p.position})`,
    (p) => `memiliki kunci yang bukan teks Unicode yang sah (ada surrogate tunggal di posisi ${nId(p.position)})`,
  ),
  email: { en: 'must be an email address', id: 'harus berupa alamat email' },
  sayWhy: { en: 'must say why', id: 'sebutkan alasannya' },
  reasonRequired: { en: 'is required: say why', id: 'wajib diisi: sebutkan alasannya' },
  // --- lists ----------------------------------------------------------------
  atMostItems: withParams({ max: 50, what: { en: 'rules', id: 'aturan' } }, (p) => `at most ${p.max} ${p.what.en}`, (p) => `paling banyak ${nId(p.max)} ${p.what.id}`),
  // --- numbers --------------------------------------------------------------
  moreThanZero: { en: 'must be more than 0', id: 'harus lebih dari 0' },
  atLeast: withParams({ min: 1 as number | string }, (p) => `must be at least ${p.min}`, (p) => `paling sedikit ${nId(p.min)}`),
  atMost: withParams({ max: 40 as number | string }, (p) => `must be at most ${p.max}`, (p) => `paling banyak ${nId(p.max)}`),
  between: withParams({ min: 1, max: 100 }, (p) => `must be between ${p.min} and ${p.max}`, (p) => `harus antara ${nId(p.min)} dan ${nId(p.max)}`),
  wholeGrams: { en: 'must be whole grams', id: 'harus dalam gram bulat' },
  wholeNumberOfGrams: { en: 'must be a whole number of grams', id: 'harus bilangan bulat dalam gram' },
  // --- dates ----------------------------------------------------------------
  dateYmd: { en: 'must be a date as YYYY-MM-DD', id: 'harus berupa tanggal dengan format YYYY-MM-DD (misalnya 2026-12-03)' },
  notCalendarDate: { en: 'is not a calendar date', id: 'bukan tanggal yang ada di kalender' },
  notInFuture: { en: 'must not be in the future', id: 'tidak boleh di masa depan' },
  notInFutureToday: withParams(
    { today: '2026-12-03' },
    (p) => `must not be in the future (today in Jakarta is ${p.today})`,
    (p) => `tidak boleh di masa depan (hari ini di Jakarta ${p.today})`,
  ),
  onOrAfter: withParams(
    { field: 'windowStart', value: '2026-12-03' },
    (p) => `must be on or after ${p.field} (${p.value})`,
    (p) => `harus sama dengan atau sesudah ${p.field} (${p.value})`,
  ),
  notInPast: withParams({ today: '2026-12-03' }, (p) => `must not be in the past (today is ${p.today})`, (p) => `tidak boleh di masa lalu (hari ini ${p.today})`),
  notLaterThan: withParams(
    { latest: '2029-12-03' },
    (p) => `must not be later than ${p.latest} (3 years ahead)`,
    (p) => `tidak boleh lewat dari ${p.latest} (paling jauh 3 tahun ke depan)`,
  ),
  onOrAfterDate: withParams({ date: '2000-01-01' }, (p) => `must be on or after ${p.date}`, (p) => `harus sama dengan atau sesudah ${p.date}`),
  notLaterThanDate: withParams({ date: '2027-12-03' }, (p) => `must not be later than ${p.date}`, (p) => `tidak boleh lewat dari ${p.date}`),
  // --- grades ---------------------------------------------------------------
  nameAGrade: { en: 'must name a grade of the product\'s scheme', id: 'sebutkan salah satu mutu dalam skema produk' },
  // --- IDs and paging -------------------------------------------------------
  invalidId: { en: 'is not a valid ID', id: 'bukan ID yang sah' },
  wrongIdType: withParams(
    { expected: ['Lot'], got: 'Order' },
    (p) => `must be the ID of a ${p.expected.join(' or ')}, got a ${p.got || 'malformed'} ID`,
    (p) => `harus ID ${orId(p.expected)}, tetapi yang diberikan ${p.got ? `ID ${p.got}` : 'ID yang rusak'}`,
  ),
  notACursor: { en: 'is not a cursor from this connection', id: 'bukan kursor dari daftar ini' },
  pageSize: withParams({ max: 100 }, (p) => `must be between 1 and ${p.max}`, (p) => `harus antara 1 dan ${nId(p.max)}`),
  pageSizeRequired: { en: 'is required (1–100)', id: 'wajib diisi (1–100)' },
  // --- weights --------------------------------------------------------------
  weightMoreThanZero: withParams({ got: '0' }, (p) => `must be more than 0 kg (got ${p.got} kg)`, (p) => `harus lebih dari 0 kg (yang diisi ${kgId(p.got)})`),
  weightAtMost: withParams(
    { maxText: '1,000 t (1000000 kg)', maxTextId: '1.000 ton (1.000.000 kg)', got: '1000001' },
    (p) => `must be at most ${p.maxText} (got ${p.got} kg)`,
    (p) => `paling banyak ${p.maxTextId} (yang diisi ${kgId(p.got)})`,
  ),
  // --- money ----------------------------------------------------------------
  notACurrency: withParams(
    { currencies: ['IDR', 'USD'] },
    (p) => `is not a supported currency (${p.currencies.join(', ')})`,
    (p) => `bukan mata uang yang didukung (${p.currencies.join(', ')})`,
  ),
  // --- updates --------------------------------------------------------------
  nothingToChange: withParams(
    { fields: 'name, feePct, defaultStrategy' },
    (p) => `give at least one of ${p.fields}`,
    (p) => `isi paling sedikit salah satu dari ${p.fields}`,
  ),
  nothingToChangePrefixed: withParams(
    { fields: 'weight, windowStart, windowEnd' },
    (p) => `nothing to change: give at least one of ${p.fields}`,
    (p) => `tidak ada yang diubah: isi paling sedikit salah satu dari ${p.fields}`,
  ),
} as const satisfies Record<string, IssueText | ParamText<any>>;

/**
 * Texts zod schemas use as custom messages, found again by their English after parsing. A zod
 * issue only carries a string, so `zodText` registers the IssueText it is given and returns its
 * English for the schema; validate.ts turns the issue back into both languages.
 */
const ZOD_TEXTS = new Map<string, IssueText>();

/** The English of `text` for a zod schema's custom message, remembered with its Indonesian. */
export function zodText(text: IssueText): string {
  ZOD_TEXTS.set(text.en, text);
  return text.en;
}

export function registeredZodText(english: string): IssueText | undefined {
  return ZOD_TEXTS.get(english);
}
