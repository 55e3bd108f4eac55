import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import {
  DEFECT_CODES,
  DEFECT_TYPES,
  GradingInputError,
  MEASUREMENT_LIMITS,
  SNI_ARABICA_PRESET,
  SNI_ROBUSTA_PRESET,
  computeDefectValue,
  formatFractionHalfUp,
  gradeAssessment,
  isDefectCode,
  scaCuppingBand,
  validateMeasurements,
  validateScheme,
  type DefectCode,
  type GradeDefinition,
  type GradeScheme,
  type MeasurementsInput,
} from './sni.js';

type Counts = Partial<Record<DefectCode, number>>;

/** Clean lot meeting every general requirement; override what a test is about. */
function lot(defectCounts: Counts, extra: Partial<MeasurementsInput> = {}): MeasurementsInput {
  return {
    sampleG: 300,
    defectCounts,
    moisturePct: '12.0',
    foreignMatterPct: '0.2',
    hasLiveInsects: false,
    hasFoulOrMouldyBeans: false,
    cuppingScore: null,
    ...extra,
  };
}

/**
 * Test fixture (not a preset): a custom scheme with a SPECIALTY grade above the SNI grades
 * of `base` — max defect 5, max moisture 12 %, min cupping score 80.
 */
function withSpecialty(base: GradeScheme): GradeScheme {
  return {
    code: `${base.code}_SPECIALTY`,
    label: `${base.label} + Specialty`,
    grades: [
      {
        code: 'SPECIALTY',
        label: 'Specialty',
        rank: 1,
        maxDefectValue: '5',
        maxMoisturePct: '12',
        minCuppingScore: '80',
      },
      ...base.grades.map((g) => ({ ...g, rank: g.rank + 1 })),
    ],
  };
}

// Independent oracle: SNI defect values per piece in twentieths, written out by hand.
const TWENTIETHS: Record<DefectCode, number> = {
  BLACK_BEAN: 20,
  PARTIAL_BLACK: 10,
  BROKEN_BLACK: 10,
  DRIED_CHERRY: 20,
  BROWN_BEAN: 5,
  HUSK_LARGE: 20,
  HUSK_MEDIUM: 10,
  HUSK_SMALL: 4,
  BEAN_IN_PARCHMENT: 10,
  PARCHMENT_LARGE: 10,
  PARCHMENT_MEDIUM: 4,
  PARCHMENT_SMALL: 2,
  BROKEN_BEAN: 4,
  IMMATURE_BEAN: 4,
  INSECT_HOLE_ONE: 2,
  INSECT_HOLE_MANY: 4,
  SPOTTED_BEAN: 2,
  STICK_STONE_LARGE: 100,
  STICK_STONE_MEDIUM: 40,
  STICK_STONE_SMALL: 20,
};

describe('DEFECT_TYPES', () => {
  it('lists the 20 SNI defect codes with exact per-piece values', () => {
    expect(DEFECT_CODES).toEqual(Object.keys(TWENTIETHS));
    for (const d of DEFECT_TYPES) {
      expect(d.value.num * 20n, d.code).toBe(BigInt(TWENTIETHS[d.code]) * d.value.den);
      expect(d.label.length).toBeGreaterThan(0);
    }
    expect(isDefectCode('BLACK_BEAN')).toBe(true);
    expect(isDefectCode('GREEN_BEAN')).toBe(false);
    expect(isDefectCode('constructor')).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// Worked examples: every grade boundary of both presets, from realistic raw counts (300 g).
// `null` = OFF_GRADE.
// ---------------------------------------------------------------------------

interface WorkedExample {
  readonly counts: Counts;
  readonly value: string;
  readonly arabica: string | null;
  readonly robusta: string | null;
}

const WORKED_EXAMPLES: readonly WorkedExample[] = [
  { value: '0.00', arabica: '1', robusta: '1', counts: {} },
  {
    value: '11.00',
    arabica: '1',
    robusta: '1',
    counts: { BLACK_BEAN: 4, PARTIAL_BLACK: 4, BROWN_BEAN: 4, BROKEN_BEAN: 10, IMMATURE_BEAN: 5, SPOTTED_BEAN: 10 },
  },
  // 1/20 resolution: a brown bean (1/4) with fifths gives 11.05.
  { value: '11.05', arabica: '2', robusta: '2', counts: { BLACK_BEAN: 10, BROWN_BEAN: 1, BROKEN_BEAN: 4 } },
  { value: '11.10', arabica: '2', robusta: '2', counts: { BLACK_BEAN: 11, SPOTTED_BEAN: 1 } },
  { value: '11.50', arabica: '2', robusta: '2', counts: { BLACK_BEAN: 11, PARTIAL_BLACK: 1 } },
  { value: '12.00', arabica: '2', robusta: '2', counts: { BLACK_BEAN: 12 } },
  {
    value: '25.00',
    arabica: '2',
    robusta: '2',
    counts: {
      BLACK_BEAN: 12,
      PARTIAL_BLACK: 8,
      DRIED_CHERRY: 3,
      BROWN_BEAN: 8,
      BROKEN_BEAN: 10,
      IMMATURE_BEAN: 5,
      INSECT_HOLE_ONE: 10,
    },
  },
  { value: '25.05', arabica: '3', robusta: '3', counts: { BLACK_BEAN: 24, BROWN_BEAN: 1, IMMATURE_BEAN: 4 } },
  { value: '25.25', arabica: '3', robusta: '3', counts: { BLACK_BEAN: 25, BROWN_BEAN: 1 } },
  { value: '26.00', arabica: '3', robusta: '3', counts: { BLACK_BEAN: 20, DRIED_CHERRY: 4, HUSK_MEDIUM: 4 } },
  {
    value: '44.00',
    arabica: '3',
    robusta: '3',
    counts: {
      BLACK_BEAN: 20,
      PARTIAL_BLACK: 10,
      BROKEN_BLACK: 8,
      DRIED_CHERRY: 6,
      BROWN_BEAN: 12,
      BROKEN_BEAN: 15,
      IMMATURE_BEAN: 10,
      SPOTTED_BEAN: 10,
    },
  },
  {
    value: '44.05',
    arabica: '4',
    robusta: '4a',
    counts: { BLACK_BEAN: 30, PARTIAL_BLACK: 20, DRIED_CHERRY: 3, BROWN_BEAN: 1, BROKEN_BEAN: 4 },
  },
  { value: '44.10', arabica: '4', robusta: '4a', counts: { BLACK_BEAN: 44, INSECT_HOLE_ONE: 1 } },
  {
    value: '45.00',
    arabica: '4',
    robusta: '4a',
    counts: {
      BLACK_BEAN: 30,
      DRIED_CHERRY: 5,
      HUSK_LARGE: 2,
      HUSK_MEDIUM: 4,
      STICK_STONE_MEDIUM: 1,
      PARCHMENT_LARGE: 4,
      BEAN_IN_PARCHMENT: 4,
    },
  },
  {
    value: '60.00',
    arabica: '4',
    robusta: '4a',
    counts: { BLACK_BEAN: 40, PARTIAL_BLACK: 10, BROKEN_BLACK: 10, STICK_STONE_LARGE: 1, BROWN_BEAN: 20 },
  },
  { value: '60.05', arabica: '4', robusta: '4b', counts: { BLACK_BEAN: 59, BROWN_BEAN: 1, BROKEN_BEAN: 4 } },
  { value: '60.10', arabica: '4', robusta: '4b', counts: { BLACK_BEAN: 60, PARCHMENT_SMALL: 1 } },
  { value: '61.00', arabica: '4', robusta: '4b', counts: { BLACK_BEAN: 50, DRIED_CHERRY: 8, STICK_STONE_SMALL: 3 } },
  {
    value: '80.00',
    arabica: '4',
    robusta: '4b',
    counts: { BLACK_BEAN: 60, PARTIAL_BLACK: 20, DRIED_CHERRY: 5, INSECT_HOLE_MANY: 25 },
  },
  { value: '80.05', arabica: '5', robusta: '5', counts: { BLACK_BEAN: 79, BROWN_BEAN: 1, HUSK_SMALL: 4 } },
  { value: '80.10', arabica: '5', robusta: '5', counts: { BLACK_BEAN: 80, INSECT_HOLE_ONE: 1 } },
  { value: '81.00', arabica: '5', robusta: '5', counts: { BLACK_BEAN: 81 } },
  {
    value: '150.00',
    arabica: '5',
    robusta: '5',
    counts: { BLACK_BEAN: 100, DRIED_CHERRY: 30, STICK_STONE_LARGE: 2, BROWN_BEAN: 40 },
  },
  { value: '150.05', arabica: '6', robusta: '6', counts: { BLACK_BEAN: 149, BROWN_BEAN: 1, PARCHMENT_MEDIUM: 4 } },
  { value: '150.10', arabica: '6', robusta: '6', counts: { BLACK_BEAN: 150, SPOTTED_BEAN: 1 } },
  { value: '151.00', arabica: '6', robusta: '6', counts: { BLACK_BEAN: 151 } },
  {
    value: '225.00',
    arabica: '6',
    robusta: '6',
    counts: { BLACK_BEAN: 150, DRIED_CHERRY: 50, HUSK_LARGE: 10, STICK_STONE_LARGE: 3 },
  },
  { value: '225.05', arabica: null, robusta: null, counts: { BLACK_BEAN: 224, BROWN_BEAN: 1, BROKEN_BEAN: 4 } },
  { value: '225.10', arabica: null, robusta: null, counts: { BLACK_BEAN: 225, SPOTTED_BEAN: 1 } },
];

const PRESETS = { Arabica: SNI_ARABICA_PRESET, Robusta: SNI_ROBUSTA_PRESET } as const;

const WORKED_ROWS = WORKED_EXAMPLES.flatMap((ex) => [
  { preset: 'Arabica' as const, value: ex.value, expected: ex.arabica, counts: ex.counts },
  { preset: 'Robusta' as const, value: ex.value, expected: ex.robusta, counts: ex.counts },
]);

describe('worked examples (300 g sample)', () => {
  it.each(WORKED_ROWS)('$preset: defect value $value → grade $expected', ({ preset, value, expected, counts }) => {
    const r = gradeAssessment(lot(counts), PRESETS[preset]);
    expect(r.defectValue).toBe(value);
    expect(formatFractionHalfUp(r.defectValueExact, 2)).toBe(value);
    // All examples are exact at 2 dp.
    expect(new Decimal(r.defectValueExact.num.toString()).div(r.defectValueExact.den.toString()).toFixed(2)).toBe(value);
    expect(r.failedRequirements).toEqual([]);
    if (expected === null) {
      expect(r.offGrade).toBe(true);
      expect(r.grade).toBeNull();
      expect(r.explanation).toContain('OFF_GRADE');
      expect(r.explanation).toContain(`defect value ${value} exceeds 225`);
    } else {
      expect(r.offGrade).toBe(false);
      expect(r.grade?.code).toBe(expected);
      expect(r.explanation).toContain(`Grade ${expected} (`);
    }
  });

  it('table covers every boundary of both presets (max → that grade, max + 0.05 → next worse)', () => {
    for (const [name, scheme] of Object.entries(PRESETS)) {
      const key = name === 'Arabica' ? 'arabica' : 'robusta';
      const grades = [...scheme.grades].sort((a, b) => a.rank - b.rank);
      grades.forEach((g, i) => {
        const max = new Decimal(g.maxDefectValue);
        const atMax = WORKED_EXAMPLES.find((ex) => new Decimal(ex.value).eq(max));
        const justAbove = WORKED_EXAMPLES.find((ex) => new Decimal(ex.value).eq(max.plus('0.05')));
        expect(atMax?.[key], `${name} ${g.code} at ${max}`).toBe(g.code);
        expect(justAbove?.[key], `${name} ${g.code} above ${max}`).toBe(grades[i + 1]?.code ?? null);
      });
    }
  });
});

describe('exact summation (no float drift)', () => {
  it('30 spotted beans tallied one by one then 8 black beans is exactly 11 → grade 1', () => {
    const counts: Counts = { SPOTTED_BEAN: 30, BLACK_BEAN: 8 };
    // The naive float tally drifts above the grade 1 limit...
    let naive = 0;
    for (let i = 0; i < 30; i++) naive += 0.1;
    for (let i = 0; i < 8; i++) naive += 1;
    expect(naive).toBeGreaterThan(11);
    // ...the exact sum does not.
    const dv = computeDefectValue(counts);
    expect(dv.exact).toEqual({ num: 11n, den: 1n });
    expect(dv.decimal).toBe('11.00');
    expect(gradeAssessment(lot(counts), SNI_ARABICA_PRESET).grade?.code).toBe('1');
  });

  it('10 × 1/10 + 10 × 1/10 + 10 × 1/10 is exactly 3', () => {
    let naive = 0;
    for (let i = 0; i < 30; i++) naive += 0.1;
    expect(naive).not.toBe(3);
    const dv = computeDefectValue({ PARCHMENT_SMALL: 10, INSECT_HOLE_ONE: 10, SPOTTED_BEAN: 10 });
    expect(dv.exact).toEqual({ num: 3n, den: 1n });
    expect(dv.decimal).toBe('3.00');
  });

  it('property: equals the independent integer-twentieths sum, normalised to 300 g', () => {
    const countsArb = fc.record(
      Object.fromEntries(DEFECT_CODES.map((c) => [c, fc.nat({ max: 5000 })])) as Record<
        DefectCode,
        fc.Arbitrary<number>
      >,
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(countsArb, fc.integer({ min: 1, max: MEASUREMENT_LIMITS.maxSampleG }), (counts, sampleG) => {
        let twentieths = 0;
        for (const [code, n] of Object.entries(counts) as Array<[DefectCode, number]>) {
          twentieths += n * TWENTIETHS[code];
        }
        const dv = computeDefectValue(counts, sampleG);
        // exact: value = twentieths / 20 × 300 / sampleG
        expect(dv.exact.num * 20n * BigInt(sampleG)).toBe(BigInt(twentieths) * 300n * dv.exact.den);
        expect(dv.exact.den > 0n).toBe(true);
        // reduced
        let [a, b] = [dv.exact.num, dv.exact.den];
        while (b !== 0n) [a, b] = [b, a % b];
        expect(a === 1n || dv.exact.num === 0n).toBe(true);
        // display: half-up, 2 dp
        const expected = new Decimal(twentieths)
          .times(300)
          .div(20 * sampleG)
          .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
          .toFixed(2);
        expect(dv.decimal).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('property: one more defect never gives a better grade', () => {
    fc.assert(
      fc.property(
        fc.record(
          Object.fromEntries(DEFECT_CODES.map((c) => [c, fc.nat({ max: 60 })])) as Record<
            DefectCode,
            fc.Arbitrary<number>
          >,
          { requiredKeys: [] },
        ),
        fc.constantFrom(...DEFECT_CODES),
        fc.constantFrom(SNI_ARABICA_PRESET, SNI_ROBUSTA_PRESET),
        (counts, extra, scheme) => {
          const before = gradeAssessment(lot(counts), scheme);
          const after = gradeAssessment(lot({ ...counts, [extra]: (counts[extra] ?? 0) + 1 }), scheme);
          const rank = (g: { rank: number } | null) => g?.rank ?? Number.POSITIVE_INFINITY;
          expect(rank(after.grade)).toBeGreaterThanOrEqual(rank(before.grade));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('general requirements', () => {
  const scheme = SNI_ARABICA_PRESET;
  const counts: Counts = { BLACK_BEAN: 5 };

  it.each([
    ['moisture 12.5 passes', { moisturePct: '12.5' }, []],
    ['moisture 12.50 passes', { moisturePct: '12.50' }, []],
    ['moisture 12.51 fails', { moisturePct: '12.51' }, [{ code: 'MOISTURE', message: 'moisture 12.51 % exceeds 12.5 %' }]],
    ['moisture 13.1 fails', { moisturePct: '13.1' }, [{ code: 'MOISTURE', message: 'moisture 13.1 % exceeds 12.5 %' }]],
    ['foreign matter 0.5 passes', { foreignMatterPct: '0.5' }, []],
    [
      'foreign matter 0.51 fails',
      { foreignMatterPct: '0.51' },
      [{ code: 'FOREIGN_MATTER', message: 'foreign matter 0.51 % exceeds 0.5 %' }],
    ],
    ['live insects fail', { hasLiveInsects: true }, [{ code: 'LIVE_INSECTS', message: expect.stringContaining('insects') }]],
    [
      'foul/mouldy beans fail',
      { hasFoulOrMouldyBeans: true },
      [{ code: 'FOUL_OR_MOULDY', message: expect.stringContaining('mouldy') }],
    ],
  ] as const)('%s', (_name, extra, failed) => {
    const r = gradeAssessment(lot(counts, extra), scheme);
    expect(r.failedRequirements).toEqual(failed);
    expect(r.offGrade).toBe(failed.length > 0);
    expect(r.grade?.code ?? null).toBe(failed.length > 0 ? null : '1');
    expect(r.defectValue).toBe('5.00');
  });

  it('lists every failed requirement, checked before the scheme, and explains', () => {
    const r = gradeAssessment(
      lot(
        { BLACK_BEAN: 1 },
        { moisturePct: '14', foreignMatterPct: '1.25', hasLiveInsects: true, hasFoulOrMouldyBeans: true },
      ),
      scheme,
    );
    expect(r.offGrade).toBe(true);
    expect(r.grade).toBeNull();
    expect(r.failedRequirements.map((f) => f.code)).toEqual(['MOISTURE', 'FOREIGN_MATTER', 'LIVE_INSECTS', 'FOUL_OR_MOULDY']);
    expect(r.defectValue).toBe('1.00');
    expect(r.explanation).toContain('general requirements not met');
    expect(r.explanation).toContain('moisture 14 % exceeds 12.5 %');
  });

  it('a custom scheme allowing more moisture cannot override the general requirement', () => {
    const lenient: GradeScheme = {
      code: 'LENIENT',
      label: 'Lenient',
      grades: [{ code: 'A', label: 'A', rank: 1, maxDefectValue: '500', maxMoisturePct: '15', minCuppingScore: null }],
    };
    expect(validateScheme(lenient.grades)).toEqual([]);
    const r = gradeAssessment(lot({}, { moisturePct: '13' }), lenient);
    expect(r.offGrade).toBe(true);
    expect(r.failedRequirements.map((f) => f.code)).toEqual(['MOISTURE']);
  });
});

describe('sample-weight normalisation', () => {
  it.each([
    // sampleG, counts, exact num/den, display, Arabica grade
    [350, { BLACK_BEAN: 14 }, 12n, 1n, '12.00', '2'],
    [350, { BLACK_BEAN: 11, SPOTTED_BEAN: 2 }, 48n, 5n, '9.60', '1'],
    [200, { BLACK_BEAN: 11 }, 33n, 2n, '16.50', '2'],
    [600, { BLACK_BEAN: 22 }, 11n, 1n, '11.00', '1'],
    // 15 × 300 / 409 = 11.0024… → shown "11.00", but exactly above 11 → grade 2
    [409, { BLACK_BEAN: 15 }, 4500n, 409n, '11.00', '2'],
    // 0.3 × 300 / 400 = 0.225 → half-up "0.23"
    [400, { SPOTTED_BEAN: 3 }, 9n, 40n, '0.23', '1'],
    // 0.1 × 300 / 350 = 0.0857… → "0.09"
    [350, { PARCHMENT_SMALL: 1 }, 3n, 35n, '0.09', '1'],
  ] as const)('%i g sample %o → %i/%i ("%s") → grade %s', (sampleG, counts, num, den, display, grade) => {
    const dv = computeDefectValue(counts, sampleG);
    expect(dv.exact).toEqual({ num, den });
    expect(dv.decimal).toBe(display);
    expect(dv.sampleG).toBe(sampleG);
    const r = gradeAssessment(lot(counts, { sampleG }), SNI_ARABICA_PRESET);
    expect(r.defectValue).toBe(display);
    expect(r.defectValueExact).toEqual({ num, den });
    expect(r.grade?.code).toBe(grade);
    expect(r.sampleG).toBe(sampleG);
  });

  it('explains a normalised, non-terminating value with its exact fraction', () => {
    const r = gradeAssessment(lot({ BLACK_BEAN: 15 }, { sampleG: 409 }), SNI_ARABICA_PRESET);
    expect(r.explanation).toContain('normalised from a 409 g sample');
    expect(r.explanation).toContain('≈11.00 (exactly 4500/409)');
    expect(r.explanation).toContain('Grade 1 not met');
  });

  it('defaults to 300 g when sampleG is omitted or null', () => {
    expect(computeDefectValue({ BLACK_BEAN: 3 }).sampleG).toBe(300);
    const { sampleG: _omit, ...noSample } = lot({ BLACK_BEAN: 12 });
    expect(gradeAssessment(noSample, SNI_ARABICA_PRESET)).toMatchObject({ sampleG: 300, defectValue: '12.00' });
    expect(gradeAssessment(lot({ BLACK_BEAN: 12 }, { sampleG: null }), SNI_ARABICA_PRESET).sampleG).toBe(300);
  });
});

describe('custom scheme with a SPECIALTY grade (fixture)', () => {
  const scheme = withSpecialty(SNI_ARABICA_PRESET);
  const fewDefects: Counts = { BLACK_BEAN: 2, BROKEN_BEAN: 5 }; // 3.00

  it('fixture is a valid scheme', () => {
    expect(validateScheme(scheme.grades)).toEqual([]);
    expect(scheme.grades.map((g) => g.code)).toEqual(['SPECIALTY', '1', '2', '3', '4', '5', '6']);
  });

  it.each([
    ['cupping 84.5 → SPECIALTY', { cuppingScore: '84.5', moisturePct: '11.5' }, fewDefects, 'SPECIALTY', 'VERY_GOOD'],
    ['cupping exactly 80 → SPECIALTY', { cuppingScore: '80', moisturePct: '11.5' }, fewDefects, 'SPECIALTY', 'VERY_GOOD'],
    ['cupping 87.25 → SPECIALTY', { cuppingScore: '87.25', moisturePct: '12' }, fewDefects, 'SPECIALTY', 'EXCELLENT'],
    ['cupping 79.99 → SNI 1', { cuppingScore: '79.99', moisturePct: '11.5' }, fewDefects, '1', 'BELOW_SPECIALTY'],
    ['no cupping score → SNI 1', { cuppingScore: null, moisturePct: '11.5' }, fewDefects, '1', null],
    ['moisture 12.01 → SNI 1', { cuppingScore: '91', moisturePct: '12.01' }, fewDefects, '1', 'OUTSTANDING'],
    ['defect 5.00 → SPECIALTY', { cuppingScore: '85' }, { BLACK_BEAN: 5 }, 'SPECIALTY', 'EXCELLENT'],
    ['defect 5.05 → SNI 1', { cuppingScore: '85' }, { BLACK_BEAN: 4, BROWN_BEAN: 1, BROKEN_BEAN: 4 }, '1', 'EXCELLENT'],
    ['defect 12 with cupping 90 → SNI 2', { cuppingScore: '90' }, { BLACK_BEAN: 12 }, '2', 'OUTSTANDING'],
  ] as const)('%s', (_name, extra, counts, grade, band) => {
    const r = gradeAssessment(lot(counts, extra), scheme);
    expect(r.grade?.code).toBe(grade);
    expect(r.cuppingBand).toBe(band);
    if (grade === 'SPECIALTY') expect(r.grade).toEqual({ code: 'SPECIALTY', rank: 1, label: 'Specialty' });
  });

  it('explains why SPECIALTY was not met', () => {
    expect(gradeAssessment(lot(fewDefects, { cuppingScore: '79.99' }), scheme).explanation).toContain(
      'Grade SPECIALTY not met: cupping score 79.99 is below 80.',
    );
    expect(gradeAssessment(lot(fewDefects), scheme).explanation).toContain(
      'cupping score of at least 80 required, none given',
    );
    const both = gradeAssessment(lot({ BLACK_BEAN: 6 }, { moisturePct: '12.3', cuppingScore: '70' }), scheme);
    expect(both.explanation).toContain(
      'Grade SPECIALTY not met: defect value 6.00 exceeds 5; moisture 12.3 % exceeds 12 %; cupping score 70 is below 80.',
    );
    expect(both.grade?.code).toBe('1');
  });

  it('grades by rank, not by array order', () => {
    const shuffled: GradeScheme = { ...scheme, grades: [...scheme.grades].reverse() };
    expect(validateScheme(shuffled.grades)).toEqual([]);
    expect(gradeAssessment(lot(fewDefects, { cuppingScore: '82' }), shuffled).grade?.code).toBe('SPECIALTY');
    expect(gradeAssessment(lot({ BLACK_BEAN: 30 }), shuffled).grade?.code).toBe('3');
  });

  it('is OFF_GRADE (with no failed general requirement) when no grade criterion set is met', () => {
    const onlySpecialty: GradeScheme = { code: 'X', label: 'X', grades: scheme.grades.slice(0, 1) };
    const r = gradeAssessment(lot(fewDefects), onlySpecialty);
    expect(r).toMatchObject({ offGrade: true, grade: null, failedRequirements: [] });
    expect(r.explanation).toContain('no grade of the scheme is met');
  });
});

describe('scaCuppingBand', () => {
  it.each([
    ['0', 'BELOW_SPECIALTY'],
    ['79.99', 'BELOW_SPECIALTY'],
    ['80', 'VERY_GOOD'],
    ['80.00', 'VERY_GOOD'],
    ['84.99', 'VERY_GOOD'],
    ['85', 'EXCELLENT'],
    ['89.99', 'EXCELLENT'],
    ['90', 'OUTSTANDING'],
    ['100', 'OUTSTANDING'],
  ] as const)('%s → %s', (score, band) => {
    expect(scaCuppingBand(score)).toBe(band);
  });

  it.each(['100.01', '-1', '85.123', 'abc', '', '8e1'])('rejects %j', (score) => {
    expect(() => scaCuppingBand(score)).toThrow(GradingInputError);
  });
});

describe('validateScheme', () => {
  const g = (over: Partial<GradeDefinition> & Pick<GradeDefinition, 'code' | 'rank'>): GradeDefinition => ({
    label: `Grade ${over.code}`,
    maxDefectValue: '10',
    maxMoisturePct: '12.5',
    minCuppingScore: null,
    ...over,
  });

  it('accepts both presets', () => {
    expect(validateScheme(SNI_ARABICA_PRESET.grades)).toEqual([]);
    expect(validateScheme(SNI_ROBUSTA_PRESET.grades)).toEqual([]);
    expect(SNI_ARABICA_PRESET.grades.map((x) => x.code)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(SNI_ROBUSTA_PRESET.grades.map((x) => x.code)).toEqual(['1', '2', '3', '4a', '4b', '5', '6']);
    expect(SNI_ARABICA_PRESET.grades.every((x) => x.maxMoisturePct === '12.5' && x.minCuppingScore === null)).toBe(true);
    expect(Object.isFrozen(SNI_ROBUSTA_PRESET.grades[0])).toBe(true);
  });

  it.each([
    ['empty list', [], [{ path: 'grades', message: 'must contain at least one grade' }]],
    [
      'duplicate code',
      [g({ code: 'A', rank: 1 }), g({ code: 'A', rank: 2, maxDefectValue: '20' })],
      [{ path: 'grades.1.code', message: expect.stringContaining("duplicate code 'A'") }],
    ],
    ['reserved code', [g({ code: 'OFF_GRADE', rank: 1 })], [{ path: 'grades.0.code', message: expect.stringContaining('reserved') }]],
    ['empty code', [g({ code: '', rank: 1 })], [{ path: 'grades.0.code', message: expect.any(String) }]],
    ['empty label', [g({ code: 'A', rank: 1, label: '  ' })], [{ path: 'grades.0.label', message: 'must not be empty' }]],
    [
      'rank gap (1, 2, 4)',
      [g({ code: 'A', rank: 1 }), g({ code: 'B', rank: 2 }), g({ code: 'C', rank: 4 })],
      [{ path: 'grades.2.rank', message: expect.stringContaining('from 1 to 3') }],
    ],
    [
      'duplicate rank',
      [g({ code: 'A', rank: 1 }), g({ code: 'B', rank: 1 })],
      [{ path: 'grades.1.rank', message: expect.stringContaining('duplicate rank 1') }],
    ],
    ['fractional rank', [g({ code: 'A', rank: 1.5 })], [{ path: 'grades.0.rank', message: expect.any(String) }]],
    [
      'negative max defect value',
      [g({ code: 'A', rank: 1, maxDefectValue: '-1' })],
      [{ path: 'grades.0.maxDefectValue', message: expect.stringContaining('negative') }],
    ],
    [
      'too many decimals',
      [g({ code: 'A', rank: 1, maxDefectValue: '10.125' })],
      [{ path: 'grades.0.maxDefectValue', message: expect.stringContaining('at most 2 decimals') }],
    ],
    [
      'not a decimal string',
      [g({ code: 'A', rank: 1, maxDefectValue: 'ten' })],
      [{ path: 'grades.0.maxDefectValue', message: expect.any(String) }],
    ],
    [
      'moisture above 100',
      [g({ code: 'A', rank: 1, maxMoisturePct: '100.01' })],
      [{ path: 'grades.0.maxMoisturePct', message: expect.stringContaining('at most 100') }],
    ],
    [
      'cupping above 100',
      [g({ code: 'A', rank: 1, minCuppingScore: '101' })],
      [{ path: 'grades.0.minCuppingScore', message: expect.stringContaining('at most 100') }],
    ],
    [
      'better rank allows more defects than worse rank',
      [g({ code: 'A', rank: 1 }), g({ code: 'B', rank: 2, maxDefectValue: '30' }), g({ code: 'C', rank: 3, maxDefectValue: '25' })],
      [{ path: 'grades.1.maxDefectValue', message: expect.stringContaining("rank 2 grade 'B' allows defect value up to 30") }],
    ],
    [
      'non-monotone in shuffled array order',
      [g({ code: 'W', rank: 2, maxDefectValue: '5' }), g({ code: 'B', rank: 1, maxDefectValue: '5.01' })],
      [{ path: 'grades.1.maxDefectValue', message: expect.stringContaining('more than worse rank 2') }],
    ],
  ] as const)('%s', (_name, grades, issues) => {
    expect(validateScheme(grades).map(({ path, message }) => ({ path, message }))).toEqual(issues);
  });

  it('accepts equal defect limits on neighbouring ranks and any array order', () => {
    expect(
      validateScheme([
        g({ code: 'B', rank: 2, maxDefectValue: '5' }),
        g({ code: 'A', rank: 1, maxDefectValue: '5', minCuppingScore: '85' }),
      ]),
    ).toEqual([]);
  });

  it('reports several issues at once with grade paths', () => {
    const issues = validateScheme([
      g({ code: 'A', rank: 1, maxDefectValue: '1.234' }),
      g({ code: 'A', rank: 3, maxMoisturePct: 'x' }),
      g({ code: 'C', rank: 2, minCuppingScore: '-5' }),
    ]);
    expect(issues.map((i) => i.path)).toEqual([
      'grades.0.maxDefectValue',
      'grades.1.code',
      'grades.1.maxMoisturePct',
      'grades.2.minCuppingScore',
    ]);
  });

  it('makes gradeAssessment throw GradingInputError for an invalid scheme', () => {
    const bad: GradeScheme = { code: 'BAD', label: 'Bad', grades: [] };
    expect(() => gradeAssessment(lot({}), bad)).toThrow(GradingInputError);
    try {
      gradeAssessment(lot({}), bad);
    } catch (e) {
      expect((e as GradingInputError).issues).toMatchObject([{ path: 'grades', message: 'must contain at least one grade' }]);
    }
  });
});

describe('validateMeasurements', () => {
  it('accepts a valid assessment (with and without optional fields)', () => {
    expect(validateMeasurements(lot({ BLACK_BEAN: 3, SPOTTED_BEAN: 0 }, { cuppingScore: '84.25' }))).toEqual([]);
    expect(
      validateMeasurements({
        defectCounts: { BROWN_BEAN: null, HUSK_SMALL: undefined },
        moisturePct: '0',
        foreignMatterPct: '100',
        hasLiveInsects: false,
        hasFoulOrMouldyBeans: false,
      }),
    ).toEqual([]);
  });

  it.each([
    ['sampleG 0', { sampleG: 0 }, 'sampleG', 'positive whole number'],
    ['sampleG 1.5', { sampleG: 1.5 }, 'sampleG', 'positive whole number'],
    ['sampleG above bound', { sampleG: 5001 }, 'sampleG', 'at most 5000'],
    ['unknown defect code', { defectCounts: { GREEN_BEAN: 1 } }, 'defectCounts.GREEN_BEAN', "unknown defect code 'GREEN_BEAN'"],
    ['prototype key as code', { defectCounts: JSON.parse('{"__proto__": 1}') }, 'defectCounts.__proto__', 'unknown defect code'],
    ['negative count', { defectCounts: { BLACK_BEAN: -1 } }, 'defectCounts.BLACK_BEAN', 'non-negative whole number'],
    ['fractional count', { defectCounts: { BLACK_BEAN: 2.5 } }, 'defectCounts.BLACK_BEAN', 'non-negative whole number'],
    ['NaN count', { defectCounts: { BLACK_BEAN: Number.NaN } }, 'defectCounts.BLACK_BEAN', 'non-negative whole number'],
    ['huge count', { defectCounts: { BLACK_BEAN: 100_001 } }, 'defectCounts.BLACK_BEAN', 'at most 100000'],
    ['moisture above 100', { moisturePct: '100.5' }, 'moisturePct', 'at most 100'],
    ['moisture 3 decimals', { moisturePct: '12.555' }, 'moisturePct', 'at most 2 decimals'],
    ['moisture as number', { moisturePct: 12.5 as unknown as string }, 'moisturePct', 'decimal string'],
    ['moisture with exponent', { moisturePct: '1e1' }, 'moisturePct', 'plain decimal string'],
    ['negative foreign matter', { foreignMatterPct: '-0.1' }, 'foreignMatterPct', 'must not be negative'],
    ['cupping above 100', { cuppingScore: '100.5' }, 'cuppingScore', 'at most 100'],
    ['cupping empty string', { cuppingScore: '' }, 'cuppingScore', 'plain decimal string'],
    ['insects not boolean', { hasLiveInsects: 'no' as unknown as boolean }, 'hasLiveInsects', 'boolean'],
  ] as const)('%s → %s', (_name, extra, path, message) => {
    const issues = validateMeasurements(lot({ BLACK_BEAN: 1 }, extra as Partial<MeasurementsInput>));
    expect(issues).toHaveLength(1);
    expect(issues).toMatchObject([{ path, message: expect.stringContaining(message) }]);
  });

  it('collects every issue with its path', () => {
    const issues = validateMeasurements({
      sampleG: -300,
      defectCounts: { BLACK_BEAN: -2, MYSTERY: 1, SPOTTED_BEAN: 3 },
      moisturePct: 'wet',
      foreignMatterPct: '0.5',
      hasLiveInsects: false,
      hasFoulOrMouldyBeans: false,
      cuppingScore: '85.5',
    });
    expect(issues.map((i) => i.path)).toEqual(['sampleG', 'defectCounts.BLACK_BEAN', 'defectCounts.MYSTERY', 'moisturePct']);
  });

  it('computeDefectValue and gradeAssessment reject invalid input with GradingInputError', () => {
    expect(() => computeDefectValue({ GREEN_BEAN: 1 })).toThrow(GradingInputError);
    expect(() => computeDefectValue({ BLACK_BEAN: -1 })).toThrow(/defectCounts\.BLACK_BEAN/);
    expect(() => computeDefectValue({ BLACK_BEAN: 1 }, 0)).toThrow(/sampleG/);
    expect(() => gradeAssessment(lot({}, { moisturePct: '12,5' }), SNI_ARABICA_PRESET)).toThrow(/moisturePct/);
  });
});
