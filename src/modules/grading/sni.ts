/**
 * Coffee green-bean grading per SNI 01-2907-2008 ("Biji kopi") — pure logic, no I/O.
 *
 * Documented choices
 * ------------------
 * - **Exact arithmetic.** Every SNI defect value is a multiple of 1/20, so raw defect
 *   values are summed as integer *twentieths* (bigint). Normalisation to the 300 g
 *   reference sample (`value × 300 / sampleG`) is kept as an exact, reduced rational
 *   ({@link Fraction}); every comparison (grade limits, boundaries) uses that exact
 *   rational. Floats are never used.
 * - **Presentation.** The defect value is *presented* as a decimal string rounded
 *   half-up to 2 decimal places (e.g. 0.225 → "0.23"). The rounded string is for
 *   display only: a 409 g sample with 15 black beans normalises to 11.0024… which is
 *   shown as "11.00" but grades as 2 (it exceeds 11).
 * - **Ranges are maxima.** SNI publishes integer ranges (grade 1: ≤ 11, grade 2: 12–25,
 *   …). They are interpreted as *maximum* defect values: a lot belongs to the best grade
 *   whose maximum it does not exceed, so 11.05 or 11.5 is grade 2, 25.25 is grade 3,
 *   and anything above 225 is OFF_GRADE.
 * - **Decimal inputs are strings.** Moisture, foreign matter, cupping score and all
 *   scheme limits are plain decimal strings (`/^\d+(\.\d{1,2})?$/`, at most 2 decimals,
 *   no sign, no exponent). JavaScript numbers are *not* accepted, so that values coming
 *   from GraphQL/DB are never silently passed through binary floating point.
 * - **Counts** are whole, non-negative numbers per defect code (a record keyed by the
 *   codes of {@link DEFECT_TYPES}); missing/null/undefined counts mean 0.
 * - **General requirements** (moisture ≤ 12.5 %, foreign matter ≤ 0.5 %, no live
 *   insects, no foul-smelling/mouldy beans) are always checked first, independent of the
 *   grade scheme. Failing any of them → OFF_GRADE with `failedRequirements` listing each.
 *   When the general requirements pass but no grade of the scheme is met (e.g. defect
 *   value > 225), the result is also OFF_GRADE, `failedRequirements` is empty and the
 *   `explanation` names the unmet criteria of every grade.
 */
import { ISSUES, type IssueText, nId } from '../../platform/issue-messages.js';

// ---------------------------------------------------------------------------
// Exact rationals
// ---------------------------------------------------------------------------

/** An exact rational number, always reduced, with `den > 0`. */
export interface Fraction {
  readonly num: bigint;
  readonly den: bigint;
}

function absBig(a: bigint): bigint {
  return a < 0n ? -a : a;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = absBig(a);
  let y = absBig(b);
  while (y !== 0n) {
    [x, y] = [y, x % y];
  }
  return x;
}

function fraction(num: bigint, den: bigint): Fraction {
  if (den === 0n) throw new RangeError('fraction denominator must not be zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** Exact comparison: -1 if a < b, 0 if equal, 1 if a > b. */
export function compareFractions(a: Fraction, b: Fraction): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/**
 * Formats a fraction as a decimal string with `dp` decimals, rounding half-up
 * (half away from zero for negatives).
 */
export function formatFractionHalfUp(f: Fraction, dp = 2): string {
  const scale = 10n ** BigInt(dp);
  const neg = f.num < 0n;
  const n = absBig(f.num) * scale;
  let q = n / f.den;
  if ((n % f.den) * 2n >= f.den) q += 1n;
  const digits = q.toString().padStart(dp + 1, '0');
  const intPart = digits.slice(0, digits.length - dp);
  const fracPart = digits.slice(digits.length - dp);
  const body = dp > 0 ? `${intPart}.${fracPart}` : intPart;
  return neg && q !== 0n ? `-${body}` : body;
}

/** True when the fraction has a finite decimal expansion with at most `dp` decimals. */
function isExactAtDp(f: Fraction, dp: number): boolean {
  return (f.num * 10n ** BigInt(dp)) % f.den === 0n;
}

// ---------------------------------------------------------------------------
// Decimal strings
// ---------------------------------------------------------------------------

const MAX_DECIMAL_STRING_LENGTH = 32;
const DECIMAL_RE = /^\d+(?:\.(\d+))?$/;
const SIGNED_DECIMAL_RE = /^[+-]\d+(?:\.\d+)?$/;

/** Maximum number of decimals accepted in decimal strings (inputs and scheme limits). */
export const MAX_DECIMALS = 2;

type DecimalCheck = { readonly ok: true; readonly value: Fraction } | { readonly ok: false; readonly text: IssueText };

/** Parses an unsigned decimal string (at most {@link MAX_DECIMALS} decimals) into an exact fraction. */
function checkDecimal(raw: unknown, min: Fraction | null, max: Fraction | null): DecimalCheck {
  if (typeof raw !== 'string') {
    return { ok: false, text: { en: 'must be a decimal string such as "12.5"', id: 'harus angka desimal dalam teks, misalnya "12.5"' } };
  }
  if (raw.length > MAX_DECIMAL_STRING_LENGTH) {
    return {
      ok: false,
      text: { en: `must be a decimal string of at most ${MAX_DECIMAL_STRING_LENGTH} characters`, id: `harus angka desimal paling banyak ${MAX_DECIMAL_STRING_LENGTH} karakter` },
    };
  }
  if (raw.startsWith('-') && SIGNED_DECIMAL_RE.test(raw) && /[1-9]/.test(raw)) {
    return { ok: false, text: { en: `must not be negative (got "${raw}")`, id: `tidak boleh negatif (yang diisi "${raw}")` } };
  }
  const m = DECIMAL_RE.exec(raw);
  if (!m) {
    return { ok: false, text: { en: `must be a plain decimal string such as "12.5" (got "${raw}")`, id: `harus angka desimal biasa, misalnya "12.5" (yang diisi "${raw}")` } };
  }
  const fracDigits = m[1] ?? '';
  if (fracDigits.length > MAX_DECIMALS) {
    return { ok: false, text: { en: `must have at most ${MAX_DECIMALS} decimals (got "${raw}")`, id: `paling banyak ${MAX_DECIMALS} angka desimal (yang diisi "${raw}")` } };
  }
  const [intDigits = '0'] = raw.split('.');
  const value = fraction(BigInt(intDigits + fracDigits), 10n ** BigInt(fracDigits.length));
  if (min !== null && compareFractions(value, min) < 0) {
    return { ok: false, text: { en: `must be at least ${formatPlain(min)} (got "${raw}")`, id: `paling kecil ${nId(formatPlain(min))} (yang diisi "${raw}")` } };
  }
  if (max !== null && compareFractions(value, max) > 0) {
    return { ok: false, text: { en: `must be at most ${formatPlain(max)} (got "${raw}")`, id: `paling besar ${nId(formatPlain(max))} (yang diisi "${raw}")` } };
  }
  return { ok: true, value };
}

/** Parses a decimal string that is known to be valid (throws otherwise). */
function parseValidDecimal(raw: string, path: string): Fraction {
  const c = checkDecimal(raw, null, null);
  if (!c.ok) throw new GradingInputError([issue(path, c.text)]);
  return c.value;
}

/** Integer-or-short-decimal rendering used only for messages about limits. */
function formatPlain(f: Fraction): string {
  if (f.den === 1n) return f.num.toString();
  return formatFractionHalfUp(f, MAX_DECIMALS);
}

const ZERO: Fraction = { num: 0n, den: 1n };
const BOOLEAN: IssueText = { en: 'must be a boolean', id: 'harus true atau false' };
const HUNDRED: Fraction = { num: 100n, den: 1n };

// ---------------------------------------------------------------------------
// Issues / errors
// ---------------------------------------------------------------------------

/** A validation problem; `path` is dot-separated, e.g. `grades.2.maxDefectValue`. */
export interface ValidationIssue {
  readonly path: string;
  /** English (always `text.en`). */
  readonly message: string;
  readonly text: IssueText;
}

const issue = (path: string, text: IssueText): ValidationIssue => ({ path, message: text.en, text });

/** Thrown by the computing functions when given input that the validators would reject. */
export class GradingInputError extends Error {
  override readonly name = 'GradingInputError';
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[]) {
    super(`invalid grading input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------
// Defect types (SNI 01-2907-2008, table of defect values per bean/piece, 300 g sample)
// ---------------------------------------------------------------------------

export interface DefectTypeInfo {
  /** Stable SCREAMING_SNAKE code. */
  readonly code: string;
  readonly label: string;
  /** Defect value per bean/piece as an exact fraction. */
  readonly value: Fraction;
}

/** SNI 01-2907-2008 defect types, in the order of the standard's table. */
export const DEFECT_TYPES = Object.freeze([
  { code: 'BLACK_BEAN', label: 'Black bean', value: { num: 1n, den: 1n } },
  { code: 'PARTIAL_BLACK', label: 'Partially black bean', value: { num: 1n, den: 2n } },
  { code: 'BROKEN_BLACK', label: 'Broken black bean', value: { num: 1n, den: 2n } },
  { code: 'DRIED_CHERRY', label: 'Dried cherry (whole coffee cherry)', value: { num: 1n, den: 1n } },
  { code: 'BROWN_BEAN', label: 'Brown bean', value: { num: 1n, den: 4n } },
  { code: 'HUSK_LARGE', label: 'Husk (dried cherry skin), large', value: { num: 1n, den: 1n } },
  { code: 'HUSK_MEDIUM', label: 'Husk (dried cherry skin), medium', value: { num: 1n, den: 2n } },
  { code: 'HUSK_SMALL', label: 'Husk (dried cherry skin), small', value: { num: 1n, den: 5n } },
  { code: 'BEAN_IN_PARCHMENT', label: 'Bean in parchment', value: { num: 1n, den: 2n } },
  { code: 'PARCHMENT_LARGE', label: 'Parchment, large', value: { num: 1n, den: 2n } },
  { code: 'PARCHMENT_MEDIUM', label: 'Parchment, medium', value: { num: 1n, den: 5n } },
  { code: 'PARCHMENT_SMALL', label: 'Parchment, small', value: { num: 1n, den: 10n } },
  { code: 'BROKEN_BEAN', label: 'Broken bean', value: { num: 1n, den: 5n } },
  { code: 'IMMATURE_BEAN', label: 'Immature bean', value: { num: 1n, den: 5n } },
  { code: 'INSECT_HOLE_ONE', label: 'Bean with one insect hole', value: { num: 1n, den: 10n } },
  { code: 'INSECT_HOLE_MANY', label: 'Bean with more than one insect hole', value: { num: 1n, den: 5n } },
  { code: 'SPOTTED_BEAN', label: 'Spotted bean', value: { num: 1n, den: 10n } },
  { code: 'STICK_STONE_LARGE', label: 'Stick, soil or stone, large', value: { num: 5n, den: 1n } },
  { code: 'STICK_STONE_MEDIUM', label: 'Stick, soil or stone, medium', value: { num: 2n, den: 1n } },
  { code: 'STICK_STONE_SMALL', label: 'Stick, soil or stone, small', value: { num: 1n, den: 1n } },
] as const satisfies readonly DefectTypeInfo[]);

export type DefectCode = (typeof DEFECT_TYPES)[number]['code'];

/** All defect codes, in table order. */
export const DEFECT_CODES: readonly DefectCode[] = Object.freeze(DEFECT_TYPES.map((d) => d.code));

/** Defect value per piece in twentieths (every SNI value is a multiple of 1/20). */
const TWENTIETHS = new Map<string, bigint>(
  DEFECT_TYPES.map((d) => {
    const scaled = d.value.num * 20n;
    if (scaled % d.value.den !== 0n) throw new Error(`defect value of ${d.code} is not a multiple of 1/20`);
    return [d.code, scaled / d.value.den] as const;
  }),
);

/** Type guard for defect codes. */
export function isDefectCode(code: string): code is DefectCode {
  return TWENTIETHS.has(code);
}

// ---------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------

/** Counts per defect code; missing, null or undefined mean 0. */
export type DefectCounts = Readonly<Record<string, number | null | undefined>>;

/** Input of one quality assessment (all percentages / scores are decimal strings). */
export interface MeasurementsInput {
  /** Sample mass in whole grams; defaults to 300 (the SNI reference sample). */
  readonly sampleG?: number | null | undefined;
  readonly defectCounts: DefectCounts;
  /** Moisture content, %, decimal string with at most 2 decimals, 0–100. */
  readonly moisturePct: string;
  /** Foreign matter (kotoran), % by weight, decimal string with at most 2 decimals, 0–100. */
  readonly foreignMatterPct: string;
  readonly hasLiveInsects: boolean;
  /** Foul-smelling (busuk) or mouldy (kapang) beans present. */
  readonly hasFoulOrMouldyBeans: boolean;
  /** SCA cupping score, decimal string 0–100 with at most 2 decimals; null/undefined when not cupped. */
  readonly cuppingScore?: string | null | undefined;
}

export const MEASUREMENT_LIMITS = Object.freeze({
  /** SNI reference sample mass, g. */
  referenceSampleG: 300,
  defaultSampleG: 300,
  maxSampleG: 5000,
  /** Upper bound (inclusive) for a single defect count. */
  maxDefectCount: 100_000,
});

function validateSampleG(sampleG: unknown, path: string): ValidationIssue[] {
  if (sampleG === undefined || sampleG === null) return [];
  if (typeof sampleG !== 'number' || !Number.isInteger(sampleG) || sampleG <= 0) {
    return [issue(path, { en: 'must be a positive whole number of grams', id: 'harus bilangan bulat positif dalam gram' })];
  }
  if (sampleG > MEASUREMENT_LIMITS.maxSampleG) {
    return [issue(path, {
      en: `must be at most ${MEASUREMENT_LIMITS.maxSampleG} g (got ${sampleG})`,
      id: `paling banyak ${nId(MEASUREMENT_LIMITS.maxSampleG)} g (yang diisi ${nId(sampleG)} g)`,
    })];
  }
  return [];
}

function validateCounts(counts: unknown, path: string): ValidationIssue[] {
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) {
    return [issue(path, { en: 'must be an object mapping defect codes to counts', id: 'harus objek berisi kode cacat dan jumlahnya' })];
  }
  const issues: ValidationIssue[] = [];
  for (const [code, count] of Object.entries(counts)) {
    const p = `${path}.${code}`;
    if (!isDefectCode(code)) {
      issues.push(issue(p, { en: `unknown defect code '${code}'`, id: `kode cacat '${code}' tidak dikenal` }));
      continue;
    }
    if (count === undefined || count === null) continue;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      issues.push(issue(p, { en: `must be a non-negative whole number (got ${String(count)})`, id: `harus bilangan bulat yang tidak negatif (yang diisi ${String(count)})` }));
    } else if (count > MEASUREMENT_LIMITS.maxDefectCount) {
      issues.push(issue(p, {
        en: `must be at most ${MEASUREMENT_LIMITS.maxDefectCount} (got ${count})`,
        id: `paling banyak ${nId(MEASUREMENT_LIMITS.maxDefectCount)} (yang diisi ${nId(count)})`,
      }));
    }
  }
  return issues;
}

function pushDecimalIssue(
  issues: ValidationIssue[],
  path: string,
  raw: unknown,
  min: Fraction | null,
  max: Fraction | null,
): void {
  const c = checkDecimal(raw, min, max);
  if (!c.ok) issues.push(issue(path, c.text));
}

/**
 * Validates assessment input. Returns an empty list when valid. Paths are
 * `sampleG`, `defectCounts.<CODE>`, `moisturePct`, `foreignMatterPct`,
 * `cuppingScore`, `hasLiveInsects`, `hasFoulOrMouldyBeans`.
 */
export function validateMeasurements(input: MeasurementsInput): ValidationIssue[] {
  if (typeof input !== 'object' || input === null) {
    return [issue('', { en: 'measurements must be an object', id: 'hasil pengukuran harus berupa objek' })];
  }
  const issues: ValidationIssue[] = [];
  issues.push(...validateSampleG(input.sampleG, 'sampleG'));
  issues.push(...validateCounts(input.defectCounts, 'defectCounts'));
  pushDecimalIssue(issues, 'moisturePct', input.moisturePct, ZERO, HUNDRED);
  pushDecimalIssue(issues, 'foreignMatterPct', input.foreignMatterPct, ZERO, HUNDRED);
  if (input.cuppingScore !== undefined && input.cuppingScore !== null) {
    pushDecimalIssue(issues, 'cuppingScore', input.cuppingScore, ZERO, HUNDRED);
  }
  if (typeof input.hasLiveInsects !== 'boolean') {
    issues.push(issue('hasLiveInsects', BOOLEAN));
  }
  if (typeof input.hasFoulOrMouldyBeans !== 'boolean') {
    issues.push(issue('hasFoulOrMouldyBeans', BOOLEAN));
  }
  return issues;
}

// ---------------------------------------------------------------------------
// Defect value
// ---------------------------------------------------------------------------

export interface DefectValue {
  /** Exact defect value normalised to 300 g (reduced fraction). */
  readonly exact: Fraction;
  /** Same, rounded half-up to 2 decimals, for display only. */
  readonly decimal: string;
  /** Sample mass used, g. */
  readonly sampleG: number;
}

/**
 * Total SNI defect value of a sample, normalised exactly to 300 g
 * (`raw × 300 / sampleG`). Throws {@link GradingInputError} on unknown codes,
 * negative/non-integer/too-large counts, or an invalid sample mass.
 */
export function computeDefectValue(counts: DefectCounts, sampleG: number = MEASUREMENT_LIMITS.defaultSampleG): DefectValue {
  const issues = [...validateCounts(counts, 'defectCounts'), ...validateSampleG(sampleG, 'sampleG')];
  if (sampleG === null || sampleG === undefined) issues.push(issue('sampleG', { en: 'is required', id: 'wajib diisi' }));
  if (issues.length > 0) throw new GradingInputError(issues);

  let twentieths = 0n;
  for (const [code, count] of Object.entries(counts)) {
    if (count === undefined || count === null || count === 0) continue;
    twentieths += BigInt(count) * (TWENTIETHS.get(code) ?? 0n);
  }
  const exact = fraction(twentieths * BigInt(MEASUREMENT_LIMITS.referenceSampleG), 20n * BigInt(sampleG));
  return { exact, decimal: formatFractionHalfUp(exact, 2), sampleG };
}

// ---------------------------------------------------------------------------
// Grade schemes
// ---------------------------------------------------------------------------

export interface GradeDefinition {
  /** Stable code, e.g. '1', '4a', 'SPECIALTY'. */
  readonly code: string;
  readonly label: string;
  /** 1 = best; ranks of a scheme are 1..n without gaps. */
  readonly rank: number;
  /** Maximum total defect value per 300 g (inclusive), decimal string. */
  readonly maxDefectValue: string;
  /** Maximum moisture % (inclusive), decimal string. */
  readonly maxMoisturePct: string;
  /** Minimum SCA cupping score (inclusive), decimal string, or null for no cupping requirement. */
  readonly minCuppingScore: string | null;
}

export interface GradeScheme {
  readonly code: string;
  readonly label: string;
  readonly grades: readonly GradeDefinition[];
}

/** Code used for results that meet no grade; reserved, cannot be a grade code. */
export const OFF_GRADE = 'OFF_GRADE';

/** SNI general requirements (syarat umum), checked before any grade scheme. */
export const SNI_GENERAL_REQUIREMENTS = Object.freeze({
  maxMoisturePct: '12.5',
  maxForeignMatterPct: '0.5',
  liveInsectsAllowed: false,
  foulOrMouldyBeansAllowed: false,
});

function deepFreezeScheme(s: GradeScheme): GradeScheme {
  return Object.freeze({ ...s, grades: Object.freeze(s.grades.map((g) => Object.freeze({ ...g }))) });
}

function sniGrades(limits: ReadonlyArray<readonly [code: string, maxDefectValue: string]>): GradeDefinition[] {
  return limits.map(([code, maxDefectValue], i) => ({
    code,
    label: `Mutu ${code}`,
    rank: i + 1,
    maxDefectValue,
    maxMoisturePct: SNI_GENERAL_REQUIREMENTS.maxMoisturePct,
    minCuppingScore: null,
  }));
}

/** SNI 01-2907-2008, Arabica: grades 1, 2, 3, 4 (45–80), 5, 6. */
export const SNI_ARABICA_PRESET: GradeScheme = deepFreezeScheme({
  code: 'SNI_ARABICA',
  label: 'SNI 01-2907-2008 Arabica',
  grades: sniGrades([
    ['1', '11'],
    ['2', '25'],
    ['3', '44'],
    ['4', '80'],
    ['5', '150'],
    ['6', '225'],
  ]),
});

/** SNI 01-2907-2008, Robusta: grades 1, 2, 3, 4a (45–60), 4b (61–80), 5, 6. */
export const SNI_ROBUSTA_PRESET: GradeScheme = deepFreezeScheme({
  code: 'SNI_ROBUSTA',
  label: 'SNI 01-2907-2008 Robusta',
  grades: sniGrades([
    ['1', '11'],
    ['2', '25'],
    ['3', '44'],
    ['4a', '60'],
    ['4b', '80'],
    ['5', '150'],
    ['6', '225'],
  ]),
});

const GRADE_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const MAX_LABEL_LENGTH = 100;

/**
 * Validates a custom grade list. Returns an empty list when valid. Checks: at least one
 * grade; codes non-empty (`[A-Za-z0-9][A-Za-z0-9_-]{0,31}`), unique and not 'OFF_GRADE';
 * labels non-empty; ranks are the integers 1..n (any array order, no gaps/duplicates);
 * limits are non-negative decimal strings (≤ 2 decimals), moisture ≤ 100, cupping 0–100;
 * and monotone defect limits: a better rank must not allow a larger defect value than a
 * worse rank (equal is allowed). Paths look like `grades.2.maxDefectValue`.
 */
export function validateScheme(grades: readonly GradeDefinition[]): ValidationIssue[] {
  if (!Array.isArray(grades)) return [issue('grades', { en: 'must be a list of grades', id: 'harus berupa daftar mutu' })];
  if (grades.length === 0) return [issue('grades', { en: 'must contain at least one grade', id: 'harus berisi paling sedikit satu mutu' })];
  const seen: SchemeIndex = { codes: new Map(), ranks: new Map(), defectLimits: [], ranksOk: true };
  const issues: ValidationIssue[] = [];
  grades.forEach((g: GradeDefinition, i) => issues.push(...gradeIssues(g, i, grades.length, seen)));
  if (seen.ranksOk) issues.push(...monotonicityIssues(grades, seen));
  return issues;
}

/** What the per-grade checks have seen so far, for the checks across grades. */
interface SchemeIndex {
  /** first array index of each code */
  readonly codes: Map<string, number>;
  /** array index of each rank */
  readonly ranks: Map<number, number>;
  /** parsed maxDefectValue per array index (null when invalid) */
  readonly defectLimits: Array<Fraction | null>;
  /** every rank is a whole number in 1..n and none repeats */
  ranksOk: boolean;
}

/** Checks of one grade at array index `i` of `n`, in field order; records what it saw in `seen`. */
function gradeIssues(g: GradeDefinition, i: number, n: number, seen: SchemeIndex): ValidationIssue[] {
  const p = `grades.${i}`;
  if (typeof g !== 'object' || g === null) {
    seen.ranksOk = false;
    seen.defectLimits.push(null);
    return [issue(p, { en: 'must be an object', id: 'harus berupa objek' })];
  }
  const issues: ValidationIssue[] = [];
  const code = codeProblem(g.code, i, seen.codes);
  if (code !== null) issues.push(issue(`${p}.code`, code));
  const label = labelProblem(g.label);
  if (label !== null) issues.push(issue(`${p}.label`, label));
  const rank = rankProblem(g.rank, i, n, seen);
  if (rank !== null) issues.push(issue(`${p}.rank`, rank));

  const defect = checkDecimal(g.maxDefectValue, ZERO, null);
  if (!defect.ok) issues.push(issue(`${p}.maxDefectValue`, defect.text));
  seen.defectLimits.push(defect.ok ? defect.value : null);
  pushDecimalIssue(issues, `${p}.maxMoisturePct`, g.maxMoisturePct, ZERO, HUNDRED);
  if (g.minCuppingScore !== null && g.minCuppingScore !== undefined) {
    pushDecimalIssue(issues, `${p}.minCuppingScore`, g.minCuppingScore, ZERO, HUNDRED);
  }
  return issues;
}

/** A code is well-formed, not OFF_GRADE and not taken by an earlier grade (then it is recorded). */
function codeProblem(code: unknown, i: number, codes: Map<string, number>): IssueText | null {
  if (typeof code !== 'string' || !GRADE_CODE_RE.test(code)) {
    return {
      en: 'must be 1–32 letters, digits, "_" or "-", starting with a letter or digit',
      id: 'harus 1–32 huruf, angka, "_" atau "-", diawali huruf atau angka',
    };
  }
  if (code.toUpperCase() === OFF_GRADE) return { en: `'${OFF_GRADE}' is reserved`, id: `'${OFF_GRADE}' sudah dipakai sistem` };
  const first = codes.get(code);
  if (first !== undefined) return { en: `duplicate code '${code}' (also grades.${first}.code)`, id: `kode '${code}' ganda (juga di grades.${first}.code)` };
  codes.set(code, i);
  return null;
}

function labelProblem(label: unknown): IssueText | null {
  if (typeof label !== 'string' || label.trim() === '') return ISSUES.notEmpty;
  if (label.length > MAX_LABEL_LENGTH) return ISSUES.maxChars({ max: MAX_LABEL_LENGTH });
  return null;
}

/** A rank is a whole number in 1..n not taken by an earlier grade (then it is recorded). */
function rankProblem(rank: unknown, i: number, n: number, seen: SchemeIndex): IssueText | null {
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1 || rank > n) {
    seen.ranksOk = false;
    return { en: `must be a whole number from 1 to ${n} (ranks are 1..n, 1 = best)`, id: `harus bilangan bulat 1 sampai ${n} (peringkat 1..n, 1 = terbaik)` };
  }
  const first = seen.ranks.get(rank);
  if (first !== undefined) {
    seen.ranksOk = false;
    return { en: `duplicate rank ${rank} (also grades.${first}.rank)`, id: `peringkat ${rank} ganda (juga di grades.${first}.rank)` };
  }
  seen.ranks.set(rank, i);
  return null;
}

/**
 * Once the ranks are a permutation of 1..n (all in range and distinct): a better rank must not
 * allow a larger defect value than the next worse rank. Checking neighbouring ranks is
 * sufficient by transitivity.
 */
function monotonicityIssues(grades: readonly GradeDefinition[], seen: SchemeIndex): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (let rank = 1; rank < grades.length; rank++) {
    const bi = seen.ranks.get(rank);
    const wi = seen.ranks.get(rank + 1);
    if (bi === undefined || wi === undefined) continue;
    const better = seen.defectLimits[bi];
    const worse = seen.defectLimits[wi];
    if (!better || !worse) continue;
    if (compareFractions(better, worse) > 0) {
      const bg = grades[bi];
      const wg = grades[wi];
      issues.push(issue(`grades.${bi}.maxDefectValue`, {
        en:
          `rank ${rank} grade '${bg?.code}' allows defect value up to ${bg?.maxDefectValue}, ` +
          `more than worse rank ${rank + 1} grade '${wg?.code}' (${wg?.maxDefectValue})`,
        id:
          `mutu '${bg?.code}' (peringkat ${rank}) membolehkan nilai cacat sampai ${nId(bg?.maxDefectValue ?? '')}, ` +
          `lebih dari mutu '${wg?.code}' yang lebih rendah (peringkat ${rank + 1}, ${nId(wg?.maxDefectValue ?? '')})`,
      }));
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------
// SCA cupping bands
// ---------------------------------------------------------------------------

export type ScaCuppingBand = 'BELOW_SPECIALTY' | 'VERY_GOOD' | 'EXCELLENT' | 'OUTSTANDING';

const F80: Fraction = { num: 80n, den: 1n };
const F85: Fraction = { num: 85n, den: 1n };
const F90: Fraction = { num: 90n, den: 1n };

/**
 * SCA band of a cupping score (decimal string 0–100, ≤ 2 decimals): < 80 BELOW_SPECIALTY,
 * 80–84.99 VERY_GOOD, 85–89.99 EXCELLENT, ≥ 90 OUTSTANDING (≥ 80 is "specialty").
 * Throws {@link GradingInputError} for an invalid score.
 */
export function scaCuppingBand(score: string): ScaCuppingBand {
  const c = checkDecimal(score, ZERO, HUNDRED);
  if (!c.ok) throw new GradingInputError([issue('cuppingScore', c.text)]);
  const s = c.value;
  if (compareFractions(s, F90) >= 0) return 'OUTSTANDING';
  if (compareFractions(s, F85) >= 0) return 'EXCELLENT';
  if (compareFractions(s, F80) >= 0) return 'VERY_GOOD';
  return 'BELOW_SPECIALTY';
}

// ---------------------------------------------------------------------------
// Assessment
// ---------------------------------------------------------------------------

export type GeneralRequirementCode = 'MOISTURE' | 'FOREIGN_MATTER' | 'LIVE_INSECTS' | 'FOUL_OR_MOULDY';

export interface FailedRequirement {
  readonly code: GeneralRequirementCode;
  readonly message: string;
}

export interface GradeRef {
  readonly code: string;
  readonly rank: number;
  readonly label: string;
}

export interface AssessmentResult {
  /** Defect value per 300 g, rounded half-up to 2 decimals (display only). */
  readonly defectValue: string;
  /** Exact defect value per 300 g; used for all comparisons. */
  readonly defectValueExact: Fraction;
  /** Sample mass the counts were taken from (default 300). */
  readonly sampleG: number;
  /** Best grade met, or null when OFF_GRADE. */
  readonly grade: GradeRef | null;
  readonly offGrade: boolean;
  /** Failed SNI general requirements (empty when they all pass). */
  readonly failedRequirements: readonly FailedRequirement[];
  /** SCA band of the cupping score, when one was given. */
  readonly cuppingBand: ScaCuppingBand | null;
  /** Human-readable account of how the grade was reached. */
  readonly explanation: string;
}

/** Minimal shape accepted as a scheme (presets and stored custom schemes both fit). */
export interface GradeSchemeLike {
  readonly grades: readonly GradeDefinition[];
}

const GENERAL_MAX_MOISTURE = parseValidDecimal(SNI_GENERAL_REQUIREMENTS.maxMoisturePct, 'maxMoisturePct');
const GENERAL_MAX_FOREIGN = parseValidDecimal(SNI_GENERAL_REQUIREMENTS.maxForeignMatterPct, 'maxForeignMatterPct');

/** Checks the SNI general requirements; returns the failed ones (empty when all pass). */
export function checkGeneralRequirements(m: MeasurementsInput): FailedRequirement[] {
  const failed: FailedRequirement[] = [];
  const moisture = parseValidDecimal(m.moisturePct, 'moisturePct');
  if (compareFractions(moisture, GENERAL_MAX_MOISTURE) > 0) {
    failed.push({
      code: 'MOISTURE',
      message: `moisture ${m.moisturePct} % exceeds ${SNI_GENERAL_REQUIREMENTS.maxMoisturePct} %`,
    });
  }
  const foreign = parseValidDecimal(m.foreignMatterPct, 'foreignMatterPct');
  if (compareFractions(foreign, GENERAL_MAX_FOREIGN) > 0) {
    failed.push({
      code: 'FOREIGN_MATTER',
      message: `foreign matter ${m.foreignMatterPct} % exceeds ${SNI_GENERAL_REQUIREMENTS.maxForeignMatterPct} %`,
    });
  }
  if (m.hasLiveInsects) {
    failed.push({ code: 'LIVE_INSECTS', message: 'live insects found (none allowed)' });
  }
  if (m.hasFoulOrMouldyBeans) {
    failed.push({ code: 'FOUL_OR_MOULDY', message: 'foul-smelling or mouldy beans found (none allowed)' });
  }
  return failed;
}

function describeDefectValue(f: Fraction): string {
  const shown = formatFractionHalfUp(f, 2);
  return isExactAtDp(f, 2) ? shown : `≈${shown} (exactly ${f.num}/${f.den})`;
}

/** Unmet criteria of one grade, as messages (empty when the grade is met). */
function unmetCriteria(
  g: GradeDefinition,
  defect: Fraction,
  defectText: string,
  moisture: Fraction,
  m: MeasurementsInput,
  cupping: Fraction | null,
  gi: number,
): string[] {
  const unmet: string[] = [];
  const p = `grades.${gi}`;
  if (compareFractions(defect, parseValidDecimal(g.maxDefectValue, `${p}.maxDefectValue`)) > 0) {
    unmet.push(`defect value ${defectText} exceeds ${g.maxDefectValue}`);
  }
  if (compareFractions(moisture, parseValidDecimal(g.maxMoisturePct, `${p}.maxMoisturePct`)) > 0) {
    unmet.push(`moisture ${m.moisturePct} % exceeds ${g.maxMoisturePct} %`);
  }
  if (g.minCuppingScore !== null && g.minCuppingScore !== undefined) {
    const min = parseValidDecimal(g.minCuppingScore, `${p}.minCuppingScore`);
    if (cupping === null) {
      unmet.push(`cupping score of at least ${g.minCuppingScore} required, none given`);
    } else if (compareFractions(cupping, min) < 0) {
      unmet.push(`cupping score ${m.cuppingScore} is below ${g.minCuppingScore}`);
    }
  }
  return unmet;
}

/**
 * Grades one assessment against a scheme. SNI general requirements are checked first
 * (any failure → OFF_GRADE); then the result is the best grade (lowest rank) whose every
 * criterion is met — defect value ≤ maxDefectValue, moisture ≤ maxMoisturePct, and, if the
 * grade has minCuppingScore, a cupping score ≥ it (no score → not met) — else OFF_GRADE.
 * Throws {@link GradingInputError} when the measurements or the scheme are invalid.
 */
export function gradeAssessment(measurements: MeasurementsInput, scheme: GradeSchemeLike): AssessmentResult {
  const issues = [
    ...validateMeasurements(measurements),
    ...(typeof scheme === 'object' && scheme !== null
      ? validateScheme(scheme.grades)
      : [issue('grades', { en: 'scheme must be an object with grades', id: 'skema mutu harus berupa objek yang berisi daftar mutu' })]),
  ];
  if (issues.length > 0) throw new GradingInputError(issues);

  const sampleG = measurements.sampleG ?? MEASUREMENT_LIMITS.defaultSampleG;
  const dv = computeDefectValue(measurements.defectCounts, sampleG);
  const defectText = describeDefectValue(dv.exact);
  const cupping =
    measurements.cuppingScore === null || measurements.cuppingScore === undefined
      ? null
      : parseValidDecimal(measurements.cuppingScore, 'cuppingScore');
  const cuppingBand = measurements.cuppingScore ? scaCuppingBand(measurements.cuppingScore) : null;

  const sampleText =
    sampleG === MEASUREMENT_LIMITS.referenceSampleG ? '' : ` (normalised from a ${sampleG} g sample)`;
  const header = `Defect value ${defectText} per 300 g${sampleText}.`;

  const base = { defectValue: dv.decimal, defectValueExact: dv.exact, sampleG, cuppingBand };

  const failedRequirements = checkGeneralRequirements(measurements);
  if (failedRequirements.length > 0) {
    return {
      ...base,
      grade: null,
      offGrade: true,
      failedRequirements,
      explanation:
        `${header} OFF_GRADE: SNI general requirements not met: ` +
        `${failedRequirements.map((f) => f.message).join('; ')}.`,
    };
  }

  const moisture = parseValidDecimal(measurements.moisturePct, 'moisturePct');
  const ordered = scheme.grades.map((g, i) => ({ g, i })).sort((a, b) => a.g.rank - b.g.rank);
  const rejected: string[] = [];
  for (const { g, i } of ordered) {
    const unmet = unmetCriteria(g, dv.exact, defectText, moisture, measurements, cupping, i);
    if (unmet.length === 0) {
      const cuppingText =
        g.minCuppingScore !== null && g.minCuppingScore !== undefined
          ? `, cupping ${measurements.cuppingScore} ≥ ${g.minCuppingScore}`
          : '';
      const met =
        `Grade ${g.code} (${g.label}) met: defect value ≤ ${g.maxDefectValue}, ` +
        `moisture ${measurements.moisturePct} % ≤ ${g.maxMoisturePct} %${cuppingText}.`;
      return {
        ...base,
        grade: { code: g.code, rank: g.rank, label: g.label },
        offGrade: false,
        failedRequirements: [],
        explanation: [header, ...rejected, met].join(' '),
      };
    }
    rejected.push(`Grade ${g.code} not met: ${unmet.join('; ')}.`);
  }
  return {
    ...base,
    grade: null,
    offGrade: true,
    failedRequirements: [],
    explanation: [header, ...rejected, 'OFF_GRADE: no grade of the scheme is met.'].join(' '),
  };
}
