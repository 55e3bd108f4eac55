import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LotRegrade, onLotRegraded } from '../../src/modules/grading/grading.service.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  type Actor, createSupplyWorld, ERROR_FIELDS, gid, insertLot, insertPlot, insertProduct, insertScheme, type SupplyWorld, supplyCounts,
} from '../support/supply-fixtures.js';

const RECORD = /* GraphQL */ `
  mutation RecordAssessment($input: RecordAssessmentInput!) {
    recordAssessment(input: $input) {
      __typename
      ... on Assessment {
        id sampleG defectValue offGrade explanation cuppingScore cuppingBand schemeVersion curator moisturePct foreignMatterPct
        liveInsects foulOdour
        grade { code rank }
        defectCounts { defect count }
        failedRequirements { code message }
        lot { id grade { code rank } offGrade latestAssessment { id } }
      }
      ${ERROR_FIELDS}
    }
  }`;

const LOT = /* GraphQL */ `
  query Lot($id: ID!) {
    lot(id: $id) {
      grade { code rank } offGrade
      latestAssessment { id grade { code } }
      assessments { id schemeVersion grade { code } defectValue }
      history { kind summary }
    }
  }`;

const DECLARE_LOT = /* GraphQL */ `
  mutation DeclareLot($input: DeclareLotInput!) { declareLot(input: $input) { __typename ... on Lot { id } ${ERROR_FIELDS} } }`;
const HISTORY = /* GraphQL */ `query History($id: ID!) { lot(id: $id) { history { kind actor summary payload } } }`;

describe('quality assessments', () => {
  let t: TestApp;
  let w: SupplyWorld;
  let robusta: Row<'products'>;
  let plotId: number;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSupplyWorld(t);
    robusta = await insertProduct(t.database.db, w.brand.id, { species: 'ROBUSTA', process: 'NATURAL' });
    plotId = (await insertPlot(t.database.db, w.producer.id)).id;
  });
  afterAll(async () => { await t?.close(); });

  const newLot = async (product = w.product) => (await insertLot(t.database.db, { producer: w.producer, product, plotIds: [plotId] })).id;
  const measurements = (lotId: number, over: Record<string, unknown> = {}) => ({
    lotId: gid('Lot', lotId),
    defectCounts: [] as Array<{ defect: string; count: number }>,
    moisturePct: '12.0',
    foreignMatterPct: '0.2',
    liveInsects: false,
    foulOdour: false,
    ...over,
  });
  const record = (actor: Actor | null, lotId: number, over: Record<string, unknown> = {}) =>
    t.gql(RECORD, { input: measurements(lotId, over) }, actor?.token ?? null);
  const black = (count: number) => ({ defectCounts: [{ defect: 'BLACK_BEAN', count }] });

  describe('grades per preset, at the boundaries', () => {
    it.each([
      ['Arabica', 11, '1', 1],
      ['Arabica', 12, '2', 2],
      ['Arabica', 80, '4', 4],
      ['Arabica', 81, '5', 5],
      ['Robusta', 60, '4a', 4],
      ['Robusta', 61, '4b', 5],
    ] as const)('%s with %i black beans is grade %s', async (species, count, code, rank) => {
      const lotId = await newLot(species === 'Arabica' ? w.product : robusta);
      const res = await record(w.as.curator, lotId, black(count));
      const a = res.data.recordAssessment;
      expect(a.__typename).toBe('Assessment');
      expect(a).toMatchObject({ grade: { code, rank }, offGrade: false, defectValue: `${count}.00`, failedRequirements: [], schemeVersion: 1 });
      expect(a.lot).toMatchObject({ grade: { code, rank }, offGrade: false, latestAssessment: { id: a.id } });
      expect(a.explanation).toContain(`Grade ${code}`);
    });

    it('sums fractional defect values exactly and normalises to 300 g (409 g, 15 black beans → 11.0024… → grade 2)', async () => {
      const lotId = await newLot();
      const res = await record(w.as.curator, lotId, { ...black(15), sampleG: 409 });
      expect(res.data.recordAssessment).toMatchObject({ sampleG: 409, defectValue: '11.00', grade: { code: '2' } });
      const mixed = await record(w.as.curator, await newLot(), {
        defectCounts: [{ defect: 'BROWN_BEAN', count: 3 }, { defect: 'PARCHMENT_SMALL', count: 7 }, { defect: 'STICK_STONE_LARGE', count: 1 }],
        cuppingScore: '84.5',
      });
      // 3 × 1/4 + 7 × 1/10 + 5 = 6.45
      expect(mixed.data.recordAssessment).toMatchObject({
        defectValue: '6.45', grade: { code: '1' }, cuppingScore: '84.50', cuppingBand: 'VERY_GOOD',
        defectCounts: [{ defect: 'BROWN_BEAN', count: 3 }, { defect: 'PARCHMENT_SMALL', count: 7 }, { defect: 'STICK_STONE_LARGE', count: 1 }],
      });
    });

    it('is off-grade when moisture exceeds 12.5 %, whatever the defects; the lot is off-grade too', async () => {
      const lotId = await newLot();
      const res = await record(w.as.curator, lotId, { ...black(2), moisturePct: '12.6' });
      const a = res.data.recordAssessment;
      expect(a).toMatchObject({ grade: null, offGrade: true, lot: { grade: null, offGrade: true } });
      expect(a.failedRequirements).toEqual([{ code: 'MOISTURE', message: expect.stringContaining('12.6') }]);
      expect(a.explanation).toMatch(/OFF_GRADE/);
    });

    it('is off-grade beyond the lowest grade (226 black beans)', async () => {
      const res = await record(w.as.curator, await newLot(), black(226));
      expect(res.data.recordAssessment).toMatchObject({ grade: null, offGrade: true, failedRequirements: [] });
    });
  });

  describe('the latest assessment governs', () => {
    it('a re-assessment replaces the lot\'s grade; both stay, newest first, each with an ASSESSED event', async () => {
      const lotId = await newLot();
      const first = (await record(w.as.curator, lotId, black(5))).data.recordAssessment;
      const second = (await record(w.as.admin, lotId, black(30))).data.recordAssessment;
      expect(second.grade.code).toBe('3');
      const res = await t.gql(LOT, { id: gid('Lot', lotId) }, w.as.producer.token);
      expect(res.data.lot).toMatchObject({
        grade: { code: '3', rank: 3 }, offGrade: false, latestAssessment: { id: second.id, grade: { code: '3' } },
        assessments: [{ id: second.id }, { id: first.id }],
      });
      expect(res.data.lot.history.map((e: { kind: string }) => e.kind)).toEqual(['ASSESSED', 'ASSESSED']);
      expect(res.data.lot.history[1].summary).toMatch(/grade 3/);
    });

    it('an off-grade re-assessment makes a graded lot off-grade; a later good one restores it', async () => {
      const lotId = await newLot();
      await record(w.as.curator, lotId, black(5));
      expect((await record(w.as.curator, lotId, { liveInsects: true })).data.recordAssessment.lot).toMatchObject({ grade: null, offGrade: true });
      expect((await record(w.as.curator, lotId, black(1))).data.recordAssessment.lot).toMatchObject({ grade: { code: '1' }, offGrade: false });
    });

    it('a new scheme version grades new assessments only; old ones keep their version and grade', async () => {
      const product = await insertProduct(t.database.db, w.brand.id);
      const lotId = await newLot(product);
      const old = (await record(w.as.curator, lotId, black(20))).data.recordAssessment;
      expect(old).toMatchObject({ schemeVersion: 1, grade: { code: '2' } });
      await insertScheme(t.database.db, product.id, [
        { code: 'A', label: 'Premium', rank: 1, maxDefectValue: '25', maxMoisturePct: '12.5', minCuppingScore: null },
        { code: 'B', label: 'Standard', rank: 2, maxDefectValue: '150', maxMoisturePct: '12.5', minCuppingScore: null },
      ]);
      let lot = (await t.gql(LOT, { id: gid('Lot', lotId) }, w.as.curator.token)).data.lot;
      expect(lot.grade).toEqual({ code: '2', rank: 2 }); // not regraded by the scheme change
      const fresh = (await record(w.as.curator, lotId, black(20))).data.recordAssessment;
      expect(fresh).toMatchObject({ schemeVersion: 2, grade: { code: 'A', rank: 1 } });
      lot = (await t.gql(LOT, { id: gid('Lot', lotId) }, w.as.curator.token)).data.lot;
      expect(lot.assessments).toEqual([
        { id: fresh.id, schemeVersion: 2, grade: { code: 'A' }, defectValue: '20.00' },
        { id: old.id, schemeVersion: 1, grade: { code: '2' }, defectValue: '20.00' },
      ]);
    });

    it('declare then assess, end to end: the lot\'s history is DECLARED then ASSESSED', async () => {
      const declared = await t.gql(DECLARE_LOT, {
        input: {
          producerId: gid('Producer', w.producer.id), productId: gid('Product', w.product.id), harvestStart: '2026-07-01',
          harvestEnd: '2026-07-31', plotIds: [gid('Plot', plotId)], netWeight: '600', storageLocation: 'Gudang',
        },
      }, w.as.producer.token);
      const lotId = declared.data.declareLot.id as string;
      const assessed = await t.gql(RECORD, { input: { ...measurements(0, black(12)), lotId } }, w.as.curator.token);
      expect(assessed.data.recordAssessment.grade.code).toBe('2');
      const res = await t.gql(HISTORY, { id: lotId }, w.as.producer.token);
      expect(res.data.lot.history.map((e: { kind: string }) => e.kind)).toEqual(['DECLARED', 'ASSESSED']);
      expect(res.data.lot.history[1]).toMatchObject({ actor: expect.any(String), summary: expect.stringContaining('grade 2') });
      expect(JSON.parse(res.data.lot.history[1].payload)).toMatchObject({ grade: { code: '2', rank: 2 }, schemeVersion: 1, previousGrade: null });
    });

    it('runs the onLotRegraded handlers in the same transaction, telling when a lot became off-grade', async () => {
      const seen: LotRegrade[] = [];
      onLotRegraded(async (_trx, change) => { seen.push(change); });
      const lotId = await newLot();
      await record(w.as.curator, lotId, black(5));
      await record(w.as.curator, lotId, { foulOdour: true });
      const mine = seen.filter((c) => c.lot.id === lotId);
      expect(mine.map((c) => [c.becameOffGrade, c.downgraded, c.previous.gradeCode])).toEqual([[false, false, null], [true, true, '1']]);
    });

    it('assessments are immutable in the database', async () => {
      const a = await t.database.db.selectFrom('assessments').select('id').executeTakeFirstOrThrow();
      await expect(sql`update assessments set grade_code = 'X' where id = ${a.id}`.execute(t.database.db)).rejects.toThrow(/append-only/);
    });
  });

  describe('who may record', () => {
    it.each(['curator', 'admin'] as const)('the %s may', async (role) => {
      expect((await record(w.as[role], await newLot(), black(3))).data.recordAssessment.__typename).toBe('Assessment');
    });

    it.each(['otherBrandCurator', 'brandManager', 'producer', 'coopManager', 'buyer'] as const)(
      'the %s may not (NotFoundError when it may not see the lot, else ForbiddenError), and nothing is written',
      async (role) => {
        const lotId = await newLot();
        const before = await supplyCounts(t.database.db);
        const res = await record(w.as[role], lotId, black(3));
        const hidden = role === 'otherBrandCurator';
        expect(res.data.recordAssessment).toMatchObject(hidden ? { __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.lotId' } : { __typename: 'ForbiddenError', code: 'FORBIDDEN' });
        expect(await supplyCounts(t.database.db)).toEqual(before);
      },
    );

    it('an anonymous caller may not', async () => {
      const res = await record(null, await newLot(), black(3));
      expect(res.data.recordAssessment.__typename).toBe('UnauthenticatedError');
    });
  });

  describe('bad measurements are a ValidationError naming the field, and nothing is written', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a defect type listed twice', { defectCounts: [{ defect: 'BLACK_BEAN', count: 1 }, { defect: 'BLACK_BEAN', count: 2 }] }, 'input.defectCounts.1.defect'],
      ['a negative count', { defectCounts: [{ defect: 'BROKEN_BEAN', count: 1 }, { defect: 'SPOTTED_BEAN', count: -1 }] }, 'input.defectCounts.1.count'],
      ['moisture with 3 decimals', { moisturePct: '12.125' }, 'input.moisturePct'],
      ['negative foreign matter', { foreignMatterPct: '-0.1' }, 'input.foreignMatterPct'],
      ['a cupping score above 100', { cuppingScore: '101' }, 'input.cuppingScore'],
      ['a zero sample', { sampleG: 0 }, 'input.sampleG'],
      ['a lot ID of the wrong type', { lotId: gid('Plot', 1) }, 'input.lotId'],
    ];
    it.each(cases)('%s', async (_name, over, path) => {
      const lotId = await newLot();
      const before = await supplyCounts(t.database.db);
      const res = await record(w.as.curator, lotId, over);
      const r = res.data.recordAssessment;
      expect(r.__typename).toBe('ValidationError');
      expect(r.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('an unknown defect type is refused by the enum', async () => {
      const res = await record(w.as.curator, await newLot(), { defectCounts: [{ defect: 'GREEN_MOULD', count: 1 }] });
      expect(res.errors?.[0]?.message).toMatch(/DefectType/);
    });

    it('an unknown lot is a NotFoundError', async () => {
      const res = await record(w.as.curator, 999_999, black(1));
      expect(res.data.recordAssessment).toMatchObject({ __typename: 'NotFoundError', path: 'input.lotId' });
    });

    it('a product without a grade scheme is a ConflictError', async () => {
      const bare = await insertProduct(t.database.db, w.brand.id, { withScheme: false });
      const res = await record(w.as.curator, await newLot(bare), black(1));
      expect(res.data.recordAssessment.__typename).toBe('ConflictError');
    });
  });
});
