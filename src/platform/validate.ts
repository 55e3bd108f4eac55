import { z } from 'zod';
import { type Issue, ValidationError } from './errors.js';
import { ISSUES, type IssueText, nId, registeredZodText, zodText } from './issue-messages.js';
import { gramsToKg, MAX_QUANTITY_G, MAX_QUANTITY_TEXT, MAX_QUANTITY_TEXT_ID } from './weight.js';

/**
 * Parse input with a zod schema; failures become one ValidationError naming every bad field, each
 * issue in English and Indonesian (issue-messages.ts).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, basePath = 'input'): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(zodIssues(result.error.issues, basePath));
}

export function zodIssues(issues: readonly z.core.$ZodIssue[], basePath: string): Issue[] {
  return issues.map((i) => {
    const text = zodIssueText(i);
    return { path: [basePath, ...i.path.map(String)].filter(Boolean).join('.'), message: text.en, text };
  });
}

/**
 * Add a custom issue from a superRefine, carrying both languages (they travel in the issue's
 * params, so texts with values known only at parse time need no registration).
 */
export function addIssue(ctx: z.RefinementCtx, path: (string | number)[] | undefined, text: IssueText): void {
  ctx.addIssue({ code: 'custom', ...(path ? { path } : {}), message: text.en, params: { text } });
}

/** A zod custom message (`.max(200, zm(ISSUES.maxChars({ max: 200 })))`): its English, remembered with its Indonesian. */
export const zm = zodText;

const EN = z.locales.en().localeError;
const ID = z.locales.id().localeError;

/** Both languages of a zod issue: a text the schema gave (zm, addIssue), or zod's own rendered per language. */
export function zodIssueText(issue: z.core.$ZodIssue): IssueText {
  const params = (issue as { params?: { text?: IssueText } }).params;
  if (params?.text && params.text.en === issue.message) return params.text;
  const registered = registeredZodText(issue.message);
  if (registered) return registered;
  const raw = issue as unknown as z.core.$ZodRawIssue;
  const builtIn = unwrap(EN(raw));
  if (builtIn !== issue.message) {
    // A custom English message nobody translated: say so in Indonesian rather than show English alone.
    return { en: issue.message, id: `tidak valid (${issue.message})` };
  }
  return { en: issue.message, id: indonesian(issue) ?? unwrap(ID(raw)) ?? 'Isian tidak valid' };
}

const unwrap = (m: string | { message: string } | undefined | null): string | undefined => (typeof m === 'string' ? m : m?.message);

const TYPE_ID: Record<string, string> = {
  string: 'teks', number: 'angka', int: 'bilangan bulat', bigint: 'bilangan bulat', boolean: 'true atau false', array: 'daftar',
  object: 'objek', date: 'tanggal', undefined: 'kosong', null: 'null', nan: 'NaN',
};

/** zod's built-in issues as a clerk would read them; the rest falls back to zod's Indonesian locale. */
function indonesian(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (/received undefined$/.test(issue.message)) return 'wajib diisi';
      return `harus berupa ${TYPE_ID[issue.expected] ?? issue.expected}`;
    }
    case 'too_big': {
      const max = nId(issue.maximum as number | bigint);
      if (issue.origin === 'string') return `paling banyak ${max} karakter`;
      if (issue.origin === 'array' || issue.origin === 'set') return `paling banyak ${max} item`;
      return issue.inclusive ? `paling besar ${max}` : `harus kurang dari ${max}`;
    }
    case 'too_small': {
      const min = nId(issue.minimum as number | bigint);
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'tidak boleh kosong' : `paling sedikit ${min} karakter`;
      if (issue.origin === 'array' || issue.origin === 'set') return `paling sedikit ${min} item`;
      return issue.inclusive ? `paling kecil ${min}` : `harus lebih dari ${min}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `harus ${String(issue.values[0])}` : `harus salah satu dari: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'email') return 'harus berupa alamat email';
      if (issue.format === 'url') return 'harus berupa URL';
      if (issue.format === 'regex') return 'formatnya tidak sesuai';
      return undefined;
    case 'not_multiple_of':
      return `harus kelipatan ${nId(issue.divisor as number | bigint)}`;
    case 'unrecognized_keys':
      return `ada kolom yang tidak dikenal: ${issue.keys.join(', ')}`;
    default:
      return undefined;
  }
}

/**
 * Zod schema of an input weight in grams that must be > 0 and at most `max` (the Weight scalar
 * also admits 0 and negatives, so each mutation says what it accepts). Messages name the kg.
 */
export const positiveWeight = (
  max: number = MAX_QUANTITY_G,
  maxText: string = MAX_QUANTITY_TEXT,
  maxTextId: string | null = max === MAX_QUANTITY_G ? MAX_QUANTITY_TEXT_ID : null,
) =>
  z
    .number()
    .int(zm(ISSUES.wholeNumberOfGrams))
    .superRefine((g, ctx) => {
      if (g <= 0) addIssue(ctx, undefined, ISSUES.weightMoreThanZero({ got: gramsToKg(g) }));
      else if (g > max) addIssue(ctx, undefined, ISSUES.weightAtMost({ maxText, maxTextId: maxTextId ?? maxText, got: gramsToKg(g) }));
    });
