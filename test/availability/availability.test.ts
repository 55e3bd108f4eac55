import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contributorsByProbe, contributorsByScan, type SupplyFilter } from '../../src/modules/availability/availability.repo.js';
import { getAvailability } from '../../src/modules/availability/availability.service.js';
import { globalId } from '../../src/platform/graphql/ids.js';
import { gramsToKg } from '../../src/platform/weight.js';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { type Fixture, type FxCommitment, type FxLot, type FxProducer, type Inserted, insertFixture, type Question, reference } from './dataset.js';

const AVAILABILITY = /* GraphQL */ `
  query Availability($input: AvailabilityInput!) {
    availability(input: $input) {
      __typename
      ... on Availability {
        minGrade { code rank }
        windowStart windowEnd regencies
        spotWeight forwardWeight totalWeight contributorCount
        byGrade { grade { code rank } spotWeight forwardWeight totalWeight contributorCount }
        byRegency { regency spotWeight forwardWeight totalWeight contributorCount }
      }
      ... on Error { message code }
      ... on ValidationError { issues { path message } }
      ... on NotFoundError { path }
    }
  }`;

const DRILL_DOWN = /* GraphQL */ `
  query DrillDown($input: AvailabilityInput!, $first: Int, $after: String) {
    availability(input: $input) {
      __typename
      ... on Availability {
        totalWeight
        contributors(first: $first, after: $after) {
          __typename
          ... on AvailabilityContributorsConnection {
            pageInfo { hasNextPage endCursor }
            edges { node { producer { id } spotWeight forwardWeight totalWeight } }
          }
          ... on Error { code message }
        }
      }
      ... on Error { code message }
    }
  }`;

const DRILL_DOWN_PAGE_INFO = /* GraphQL */ `
  query DrillDownPageInfo($input: AvailabilityInput!, $first: Int) {
    availability(input: $input) {
      ... on Availability {
        contributors(first: $first) {
          __typename
          ... on AvailabilityContributorsConnection { pageInfo { hasNextPage } }
          ... on ValidationError { code issues { path } }
        }
      }
    }
  }`;

const W = '2027-05-01';
const WE = '2027-09-30';
const kg = (g: number) => gramsToKg(g);
const t6 = (tonnes: number) => tonnes * 1_000_000;

/**
 * Given: three regencies; approved members a–f, plus g (APPLIED), h (SUSPENDED), i (REJECTED) and
 * j (no membership in the brand). Lots at mixed grades, some off-grade, ungraded, partly and fully
 * allocated, and of another product. Commitments in, across the edges of, and outside the window,
 * withdrawn, fully allocated, and promising a grade worse than asked.
 */
const producers: FxProducer[] = [
  { key: 'a', regency: 'Bondowoso', membership: 'APPROVED' },
  { key: 'b', regency: 'Bondowoso', membership: 'APPROVED' },
  { key: 'c', regency: 'Situbondo', membership: 'APPROVED' },
  { key: 'd', regency: 'Banyuwangi', membership: 'APPROVED' },
  { key: 'e', regency: 'Banyuwangi', membership: 'APPROVED' },
  { key: 'f', regency: 'Situbondo', membership: 'APPROVED' },
  { key: 'g', regency: 'Bondowoso', membership: 'APPLIED' },
  { key: 'h', regency: 'Situbondo', membership: 'SUSPENDED' },
  { key: 'i', regency: 'Banyuwangi', membership: 'REJECTED' },
  { key: 'j', regency: 'Bondowoso', membership: null },
];
const lot = (producer: string, rank: number | null, netG: number, extra: Partial<FxLot> = {}): FxLot =>
  ({ producer, product: 'main', netG, allocatedG: 0, rank, offGrade: false, ...extra });
const lots: FxLot[] = [
  lot('a', 1, 6_000_000),
  lot('a', 3, 4_500_000, { allocatedG: 1_500_000 }),
  lot('a', 2, 3_000_000, { allocatedG: 3_000_000 }), // fully allocated
  lot('b', 2, 2_400_500),
  lot('b', 4, 5_000_000), // worse than grade 3
  lot('b', null, 9_000_000, { offGrade: true }), // off-grade
  lot('c', 3, 7_250_125),
  lot('c', null, 1_000_000), // not yet assessed
  lot('d', 1, 1_000_000, { product: 'other' }), // another product
  lot('d', 2, 12_000_000, { allocatedG: 6_000_000 }),
  lot('e', 5, 8_000_000),
  lot('g', 1, 30_000_000), // APPLIED
  lot('h', 1, 30_000_000), // SUSPENDED
  lot('i', 2, 30_000_000), // REJECTED
  lot('j', 1, 30_000_000), // not a member
];
const commit = (producer: string, minRank: number, committedG: number, extra: Partial<FxCommitment> = {}): FxCommitment =>
  ({ producer, product: 'main', minRank, committedG, allocatedG: 0, windowStart: W, windowEnd: WE, status: 'OPEN', ...extra });
const commitments: FxCommitment[] = [
  commit('a', 3, 12_000_000),
  commit('b', 2, 6_000_000, { allocatedG: 1_000_000 }),
  commit('c', 1, 3_000_000, { windowStart: '2027-04-01', windowEnd: '2027-05-01' }), // touches the start
  commit('d', 3, 9_000_000, { windowStart: '2027-09-30', windowEnd: '2027-12-31' }), // touches the end
  commit('e', 3, 4_000_000, { windowStart: '2027-10-01', windowEnd: '2027-12-31' }), // after the window
  commit('e', 2, 5_000_000, { windowStart: '2027-01-01', windowEnd: '2027-04-30' }), // before the window
  commit('f', 3, 20_000_000, { status: 'WITHDRAWN' }),
  commit('f', 1, 2_000_000, { allocatedG: 2_000_000 }), // fully allocated
  commit('f', 4, 7_000_000), // worse than grade 3
  commit('f', 3, 1_000_000, { product: 'other' }),
  commit('f', 2, 3_333_333),
  commit('g', 1, 50_000_000), // APPLIED
  commit('h', 1, 50_000_000), // SUSPENDED
  commit('j', 1, 50_000_000), // not a member
];
const fixture: Fixture = { producers, lots, commitments };

describe('availability', () => {
  let t: TestApp;
  let data: Inserted;
  let as: Record<'admin' | 'buyer' | 'manager' | 'curator' | 'otherManager' | 'producer' | 'coopManager', string>;
  const input = (q: Partial<{ productId: string; minGrade: string; windowStart: string; windowEnd: string; regencies: string[] | null }> = {}) => ({
    productId: globalId('Product', data.productId), minGrade: '3', windowStart: W, windowEnd: WE, ...q,
  });
  const idOf = (key: string) => globalId('Producer', data.producerIds.get(key)!);

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    data = await insertFixture(db, fixture);
    const other = await insertFixture(db, { producers: [{ key: 'z', regency: 'Jember', membership: 'APPROVED' }], lots: [], commitments: [] });
    const buyerOrg = await db.insertInto('buyer_orgs').values({ name: 'Cairo Coffee Importers', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    const coop = await db.insertInto('cooperatives').values({ name: 'Koperasi Avail', regency: 'Bondowoso' }).returning('id').executeTakeFirstOrThrow();
    as = {
      admin: (await createUser(t, [['ADMIN']])).token,
      buyer: (await createUser(t, [['BUYER', buyerOrg.id]])).token,
      manager: (await createUser(t, [['BRAND_MANAGER', data.brandId]])).token,
      curator: (await createUser(t, [['CURATOR', data.brandId]])).token,
      otherManager: (await createUser(t, [['BRAND_MANAGER', other.brandId]])).token,
      producer: (await createUser(t, [['PRODUCER', data.producerIds.get('a')!]])).token,
      coopManager: (await createUser(t, [['COOP_MANAGER', coop.id]])).token,
    };
  });
  afterAll(async () => { await t?.close(); });

  describe('figures', () => {
    it('matches the plain-TS reference for grade 3 over the 2027 window', async () => {
      // Given the fixture; when a buyer asks for grade 3 or better in May–September 2027
      const res = await t.gql(AVAILABILITY, { input: input() }, as.buyer);
      // Then every figure equals the independently computed sums
      const a = res.data.availability;
      expect(a.__typename).toBe('Availability');
      const ref = reference(fixture, { maxRank: 3, windowStart: W, windowEnd: WE, regencies: null });
      expect(a.spotWeight).toBe(kg(ref.total.spotG));
      expect(a.forwardWeight).toBe(kg(ref.total.forwardG));
      expect(a.totalWeight).toBe(kg(ref.total.spotG + ref.total.forwardG));
      expect(a.contributorCount).toBe(ref.total.contributors.size);
      expect(a.byGrade).toEqual([1, 2, 3].map((rank) => {
        const f = ref.byRank.get(rank);
        return {
          grade: { code: String(rank), rank },
          spotWeight: kg(f?.spotG ?? 0), forwardWeight: kg(f?.forwardG ?? 0), totalWeight: kg((f?.spotG ?? 0) + (f?.forwardG ?? 0)),
          contributorCount: f?.contributors.size ?? 0,
        };
      }));
      expect(a.byRegency).toEqual([...ref.byRegency.entries()].sort(([x], [y]) => x.localeCompare(y)).map(([regency, f]) => ({
        regency, spotWeight: kg(f.spotG), forwardWeight: kg(f.forwardG), totalWeight: kg(f.spotG + f.forwardG), contributorCount: f.contributors.size,
      })));
      // And the hand-computed headline numbers, so the reference itself is checked too:
      // spot a 6000 + 3000, b 2400.5, c 7250.125, d 6000 = 24650.625 kg;
      // forward a 12000, b 5000, c 3000, d 9000, f 3333.333 = 32333.333 kg; contributors a b c d f.
      expect(a.spotWeight).toBe('24650.625');
      expect(a.forwardWeight).toBe('32333.333');
      expect(a.contributorCount).toBe(5);
      expect(a.minGrade).toEqual({ code: '3', rank: 3 });
      expect(a.regencies).toBeNull();
    });

    it('filters by regency (case-insensitive) and narrows by grade and window', async () => {
      const questions: Array<[Partial<Question> & { minGrade?: string }, Question]> = [
        [{ regencies: ['bondowoso', 'SITUBONDO'] }, { maxRank: 3, windowStart: W, windowEnd: WE, regencies: ['bondowoso', 'situbondo'] }],
        [{ minGrade: '1' }, { maxRank: 1, windowStart: W, windowEnd: WE, regencies: null }],
        [{ minGrade: '6' }, { maxRank: 6, windowStart: W, windowEnd: WE, regencies: null }],
        [{ windowStart: '2027-10-01', windowEnd: '2027-10-01' }, { maxRank: 3, windowStart: '2027-10-01', windowEnd: '2027-10-01', regencies: null }],
        [{ windowStart: '2030-01-01', windowEnd: '2030-12-31', regencies: ['Jember'] }, { maxRank: 3, windowStart: '2030-01-01', windowEnd: '2030-12-31', regencies: ['Jember'] }],
      ];
      for (const [q, expected] of questions) {
        const res = await t.gql(AVAILABILITY, { input: input(q as never) }, as.buyer);
        const a = res.data.availability;
        expect(a.__typename).toBe('Availability');
        const ref = reference(fixture, expected);
        expect({ spot: a.spotWeight, forward: a.forwardWeight, n: a.contributorCount, regencies: a.byRegency.map((r: { regency: string }) => r.regency) })
          .toEqual({
            spot: kg(ref.total.spotG), forward: kg(ref.total.forwardG), n: ref.total.contributors.size,
            regencies: [...ref.byRegency.keys()].sort(),
          });
        expect(a.byGrade).toHaveLength(expected.maxRank);
      }
    });

    it('answers in three statements: the principal, the product with its grades, the counters; no transaction, no set_config', async () => {
      t.queries.length = 0;
      const res = await t.gql(AVAILABILITY, { input: input() }, as.buyer);
      expect(res.data.availability.__typename).toBe('Availability');
      expect(t.queries).toHaveLength(3);
      const [principal, product, counters] = t.queries as [string, string, string];
      expect(principal).toMatch(/from "users"/);
      expect(product).toMatch(/from "products"/);
      expect(product).toMatch(/"grades"/);
      expect(counters).toMatch(/availability_/);
      expect(t.queries.filter((q) => /\b(begin|commit|set_config|set local)\b/i.test(q))).toEqual([]);
    });

    it('agrees with the reference on random datasets (property)', async () => {
      const db = t.database.db;
      const pool: FxProducer[] = [
        { key: 'p1', regency: 'Bondowoso', membership: 'APPROVED' },
        { key: 'p2', regency: 'Bondowoso', membership: 'APPROVED' },
        { key: 'p3', regency: 'Situbondo', membership: 'APPROVED' },
        { key: 'p4', regency: 'Banyuwangi', membership: 'APPROVED' },
        { key: 'p5', regency: 'Banyuwangi', membership: 'APPLIED' },
        { key: 'p6', regency: 'Situbondo', membership: 'SUSPENDED' },
        { key: 'p7', regency: 'Jember', membership: null },
      ];
      const base = await insertFixture(db, { producers: pool, lots: [], commitments: [] });
      const keys = pool.map((p) => p.key);
      const day = fc.integer({ min: 0, max: 365 }).map((n) => new Date(Date.UTC(2027, 0, 1 + n)).toISOString().slice(0, 10));
      const range = fc.tuple(day, day).map(([x, y]) => (x <= y ? [x, y] : [y, x]) as [string, string]);
      const weightPair = fc.tuple(fc.integer({ min: 1, max: 50_000_000 }), fc.integer({ min: 0, max: 100 }))
        .map(([net, pct]) => [net, Math.floor((net * pct) / 100)] as const);
      const lotArb = fc.record({
        producer: fc.constantFrom(...keys), product: fc.constantFrom('main' as const, 'main' as const, 'other' as const), w: weightPair,
        rank: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }), offGrade: fc.boolean(),
      }).map(({ w, ...l }): FxLot => ({ ...l, netG: w[0], allocatedG: w[1], rank: l.offGrade ? null : l.rank }));
      const commitmentArb = fc.record({
        producer: fc.constantFrom(...keys), product: fc.constantFrom('main' as const, 'main' as const, 'other' as const), w: weightPair,
        minRank: fc.integer({ min: 1, max: 6 }), window: range, status: fc.constantFrom('OPEN' as const, 'OPEN' as const, 'WITHDRAWN' as const),
      }).map(({ w, window, ...c }): FxCommitment => ({ ...c, committedG: w[0], allocatedG: w[1], windowStart: window[0], windowEnd: window[1] }));
      const questionArb = fc.record({
        maxRank: fc.integer({ min: 1, max: 6 }), window: range,
        regencies: fc.option(fc.subarray(['Bondowoso', 'situbondo', 'BANYUWANGI', 'Jember'], { minLength: 1 }), { nil: null }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(lotArb, { maxLength: 12 }), fc.array(commitmentArb, { maxLength: 12 }), questionArb, async (rLots, rCommitments, q) => {
          const fx: Fixture = { producers: pool, lots: rLots, commitments: rCommitments };
          const inserted = await insertFixture(db, fx, base);
          const answer = await getAvailability(db, { userId: 0, email: 'x', displayName: 'x', grants: [{ id: 0, role: 'ADMIN', orgId: null }] }, {
            productId: inserted.productId, minGrade: String(q.maxRank), windowStart: q.window[0], windowEnd: q.window[1], regencies: q.regencies,
          });
          const ref = reference(fx, { maxRank: q.maxRank, windowStart: q.window[0], windowEnd: q.window[1], regencies: q.regencies });
          expect(answer.spotG).toBe(ref.total.spotG);
          expect(answer.forwardG).toBe(ref.total.forwardG);
          expect(answer.contributorCount).toBe(ref.total.contributors.size);
          expect(answer.byGrade.map((g) => [g.grade.rank, g.spotG, g.forwardG, g.contributorCount])).toEqual(
            Array.from({ length: q.maxRank }, (_, i) => {
              const f = ref.byRank.get(i + 1);
              return [i + 1, f?.spotG ?? 0, f?.forwardG ?? 0, f?.contributors.size ?? 0];
            }),
          );
          expect(answer.byRegency.map((r) => [r.regency, r.spotG, r.forwardG, r.contributorCount])).toEqual(
            [...ref.byRegency.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([r, f]) => [r, f.spotG, f.forwardG, f.contributors.size]),
          );
        }),
        { numRuns: 40, seed: 20271001 },
      );
    });
  });

  describe('bad input', () => {
    it('names input.minGrade for a grade the scheme does not have', async () => {
      const res = await t.gql(AVAILABILITY, { input: input({ minGrade: '4a' }) }, as.buyer);
      expect(res.data.availability).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(res.data.availability.issues.map((i: { path: string }) => i.path)).toEqual(['input.minGrade']);
    });

    it('names input.windowEnd when the window ends before it starts', async () => {
      const res = await t.gql(AVAILABILITY, { input: input({ windowStart: '2027-09-30', windowEnd: '2027-05-01' }) }, as.buyer);
      expect(res.data.availability).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(res.data.availability.issues.map((i: { path: string }) => i.path)).toEqual(['input.windowEnd']);
    });

    it('answers NotFoundError for an unknown product and ValidationError for an ID of another type', async () => {
      const unknown = await t.gql(AVAILABILITY, { input: input({ productId: globalId('Product', 987654) }) }, as.buyer);
      expect(unknown.data.availability).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.productId' });
      const wrongType = await t.gql(AVAILABILITY, { input: input({ productId: globalId('Lot', data.productId) }) }, as.buyer);
      expect(wrongType.data.availability).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.productId' }] });
    });

    it('rejects an empty regency list and blank regency names', async () => {
      const emptyList = await t.gql(AVAILABILITY, { input: input({ regencies: [] }) }, as.buyer);
      expect(emptyList.data.availability).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.regencies' }] });
      const blank = await t.gql(AVAILABILITY, { input: input({ regencies: ['Bondowoso', ' '] }) }, as.buyer);
      expect(blank.data.availability).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.regencies.1' }] });
    });
  });

  describe('who may ask', () => {
    it.each(['buyer', 'admin', 'manager', 'curator'] as const)('%s gets the aggregates', async (role) => {
      const res = await t.gql(AVAILABILITY, { input: input() }, as[role]);
      expect(res.data.availability.__typename).toBe('Availability');
      expect(res.data.availability.spotWeight).toBe('24650.625');
    });

    it.each(['producer', 'coopManager', 'otherManager'] as const)('%s is forbidden', async (role) => {
      const res = await t.gql(AVAILABILITY, { input: input() }, as[role]);
      expect(res.data.availability).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    });

    it('an anonymous caller must authenticate', async () => {
      const res = await t.gql(AVAILABILITY, { input: input() });
      expect(res.data.availability).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    });
  });

  describe('drill-down', () => {
    it.each(['buyer', 'curator'] as const)('is forbidden to a %s, who still gets the aggregates', async (role) => {
      const res = await t.gql(DRILL_DOWN, { input: input(), first: 10 }, as[role]);
      expect(res.errors).toBeUndefined();
      expect(res.data.availability.__typename).toBe('Availability');
      expect(res.data.availability.totalWeight).toBe('56983.958');
      expect(res.data.availability.contributors).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    });

    it.each(['manager', 'admin'] as const)('lists every contributor with their figures, page by page, for the %s', async (role) => {
      const ref = reference(fixture, { maxRank: 3, windowStart: W, windowEnd: WE, regencies: null });
      const expected = [...ref.byProducer.entries()]
        .map(([key, f]) => ({ id: data.producerIds.get(key)!, key, ...f }))
        .sort((x, y) => x.id - y.id)
        .map((p) => ({ producer: { id: idOf(p.key) }, spotWeight: kg(p.spotG), forwardWeight: kg(p.forwardG), totalWeight: kg(p.spotG + p.forwardG) }));
      const seen: unknown[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        t.queries.length = 0;
        const res: { data: any; errors?: unknown } = await t.gql(DRILL_DOWN, { input: input(), first: 2, after }, as[role]);
        expect(res.errors).toBeUndefined();
        const conn = res.data.availability.contributors;
        expect(conn.__typename).toBe('AvailabilityContributorsConnection');
        seen.push(...conn.edges.map((e: { node: unknown }) => e.node));
        pages += 1;
        // principal, product, scheme (2), aggregate transaction (4), the page, producers, producer access (≤ 2)
        expect(t.queries.length).toBeLessThanOrEqual(12);
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);
      // The cost of a page does not grow with its size.
      const cost = async (first: number) => {
        t.queries.length = 0;
        const res = await t.gql(DRILL_DOWN, { input: input(), first }, as[role]);
        expect(res.data.availability.contributors.edges).toHaveLength(first);
        return t.queries.length;
      };
      expect(await cost(5)).toBe(await cost(1));
    });

    it('pages the same by scan and by probe, forwards and backwards, and both match the reference', async () => {
      const db = t.database.db;
      const questions: Question[] = [
        { maxRank: 3, windowStart: W, windowEnd: WE, regencies: null },
        { maxRank: 6, windowStart: '2027-01-01', windowEnd: '2027-12-31', regencies: null },
        { maxRank: 2, windowStart: W, windowEnd: WE, regencies: ['banyuwangi', 'bondowoso'] },
        { maxRank: 3, windowStart: W, windowEnd: WE, regencies: ['jember'] },
      ];
      for (const q of questions) {
        const filter: SupplyFilter = { productId: data.productId, brandId: data.brandId, ...q };
        const ref = reference(fixture, q);
        const expected = [...ref.byProducer.entries()]
          .map(([key, f]) => ({ producer_id: data.producerIds.get(key)!, spot_g: f.spotG, forward_g: f.forwardG }))
          .sort((x, y) => x.producer_id - y.producer_id);
        for (const load of [contributorsByScan, contributorsByProbe]) {
          const forward: unknown[] = [];
          let afterId: number | null = null;
          for (;;) {
            const rows = await load(db, filter, { afterId, beforeId: null, limit: 2, inverted: false });
            forward.push(...rows);
            if (rows.length < 2) break;
            afterId = rows[rows.length - 1]!.producer_id;
          }
          expect(forward).toEqual(expected);
          const lastTwo = await load(db, filter, { afterId: null, beforeId: null, limit: 2, inverted: true });
          expect(lastTwo).toEqual(expected.slice(-2).reverse());
          if (expected.length > 1) {
            const before = await load(db, filter, { afterId: null, beforeId: expected[expected.length - 1]!.producer_id, limit: 10, inverted: true });
            expect(before).toEqual(expected.slice(0, -1).reverse());
          }
        }
      }
    });

    it('rejects a page size above 100', async () => {
      const res = await t.gql(DRILL_DOWN_PAGE_INFO, { input: input(), first: 101 }, as.manager);
      expect(res.data.availability.contributors).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', issues: [{ path: 'first' }] });
    });
  });
});
