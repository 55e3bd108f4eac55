import Negotiator from 'negotiator';

/**
 * The language of a response, picked from the request's Accept-Language (pure).
 *
 * Supported: Indonesian (`id`) and English (`en`, the default). Tags are canonicalised first with
 * Intl.getCanonicalLocales, so the old Android tag `in-ID` becomes `id-ID`; `negotiator` then
 * matches `id-ID` to `id` and honours q-values. Anything unparseable falls back to English.
 */
export const LANGUAGES = ['en', 'id'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The language of a response: the signed-in person's preferred language when they set one
 * (setPreferredLanguage), else the request's Accept-Language.
 */
export function responseLanguage(preferred: Language | null | undefined, acceptLanguage: string | string[] | undefined): Language {
  return preferred ?? pickLanguage(acceptLanguage);
}

/**
 * Picked languages per Accept-Language value: browsers and apps send a handful of distinct values,
 * and canonicalising and negotiating one costs microseconds per request. Bounded: cleared when full.
 */
const picked = new Map<string, Language>();
const PICKED_MAX = 512;
const PICKED_MAX_HEADER = 256;

export function pickLanguage(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return 'en';
  const known = picked.get(header);
  if (known) return known;
  const language = negotiate(header);
  if (header.length <= PICKED_MAX_HEADER) {
    if (picked.size >= PICKED_MAX) picked.clear();
    picked.set(header, language);
  }
  return language;
}

function negotiate(header: string): Language {
  const canonical = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      if (!tag || tag === '*') return part.trim();
      try {
        const [c] = Intl.getCanonicalLocales(tag.trim());
        return [c ?? tag, ...params].join(';');
      } catch {
        return null;
      }
    })
    .filter((p): p is string => p !== null && p !== '')
    .join(', ');
  const best = new Negotiator({ headers: { 'accept-language': canonical } }).language([...LANGUAGES]);
  return best === 'id' ? 'id' : 'en';
}
