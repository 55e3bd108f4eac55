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

export function pickLanguage(acceptLanguage: string | string[] | undefined): Language {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return 'en';
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
  const picked = new Negotiator({ headers: { 'accept-language': canonical } }).language([...LANGUAGES]);
  return picked === 'id' ? 'id' : 'en';
}
