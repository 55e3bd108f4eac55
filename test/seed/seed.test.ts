import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePlotGeolocation } from '../../src/modules/plots/geo.js';
import { globalId } from '../../src/platform/graphql/ids.js';
import { seedDigest } from '../../src/seed/digest.js';
import { DEMO_BRANDS, DEMO_LOGINS, DEMO_PASSWORD, DEMO_PRODUCTS, seedDemo, seedIfEmpty } from '../../src/seed/seed.js';
import { createTestApp, openTestDatabase, type TestApp } from '../support/app.js';

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { __typename ... on LoginPayload { token } ... on Error { code } }
  }`;

const ME = /* GraphQL */ `query Me { me { email roles { role } } }`;

const AVAILABILITY = /* GraphQL */ `
  query Availability($input: AvailabilityInput!) {
    availability(input: $input) {
      __typename
      ... on Availability {
        spotWeight forwardWeight totalWeight contributorCount
        byGrade { grade { code rank } spotWeight forwardWeight }
        byRegency { regency totalWeight contributorCount }
      }
      ... on Error { code message }
    }
  }`;

const silent = { info: () => {} };

describe('demo seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    expect(await seedIfEmpty(t.database.db, silent)).toBe(true);
  });
  afterAll(async () => { await t?.close(); });

  it('seeds only an empty database', async () => {
    const users = await t.database.db.selectFrom('users').select('id').execute();
    expect(await seedIfEmpty(t.database.db, silent)).toBe(false);
    expect(await t.database.db.selectFrom('users').select('id').execute()).toHaveLength(users.length);
  });

  it('has two brands, three cooperatives, about 60 producers and the membership mix', async () => {
    const db = t.database.db;
    expect((await db.selectFrom('brands').select('name').orderBy('id').execute()).map((b) => b.name)).toEqual([
      DEMO_BRANDS.arabica.name, DEMO_BRANDS.robusta.name,
    ]);
    expect(await db.selectFrom('cooperatives').select('id').execute()).toHaveLength(3);
    expect(await db.selectFrom('producers').select('id').execute()).toHaveLength(60);
    const regencies = (await db.selectFrom('producers').select('regency').distinct().execute()).map((r) => r.regency).sort();
    expect(regencies).toEqual(['Banyuwangi', 'Bondowoso', 'Jember', 'Malang', 'Situbondo']);
    const statuses = await db.selectFrom('memberships').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    const count = (s: string) => statuses.find((r) => r.status === s)?.n ?? 0;
    expect(count('APPLIED')).toBeGreaterThanOrEqual(2);
    expect(count('SUSPENDED')).toBe(1);
    expect(count('APPROVED')).toBeGreaterThanOrEqual(50);
  });

  it('has EUDR-valid plots in the right places: 6+ decimals, polygons above 4 ha, Arabica at 900–1,500 m', async () => {
    const plots = await t.database.db
      .selectFrom('plots')
      .innerJoin('memberships', 'memberships.producer_id', 'plots.producer_id')
      .innerJoin('brands', 'brands.id', 'memberships.brand_id')
      .select(['plots.geometry', 'plots.area_ha', 'plots.altitude_m', 'plots.eudr_ready', 'brands.name as brand'])
      .execute();
    expect(plots.length).toBeGreaterThanOrEqual(60);
    let polygons = 0;
    for (const plot of plots) {
      const geometry = plot.geometry as { type: string; coordinates: unknown };
      expect(validatePlotGeolocation(geometry, plot.area_ha).ok).toBe(true);
      expect(plot.eudr_ready).toBe(true);
      if (geometry.type === 'Polygon') {
        polygons += 1;
        expect(Number(plot.area_ha)).toBeGreaterThan(4);
      }
      const [lon, lat] = (geometry.type === 'Point' ? geometry.coordinates : (geometry.coordinates as number[][][])[0]![0]) as number[];
      expect(lon).toBeGreaterThan(112.5);
      expect(lon).toBeLessThan(114.5);
      expect(lat).toBeGreaterThan(-8.5);
      expect(lat).toBeLessThan(-7.7);
      if (plot.brand === DEMO_BRANDS.arabica.name) {
        expect(plot.altitude_m).toBeGreaterThanOrEqual(900);
        expect(plot.altitude_m).toBeLessThanOrEqual(1500);
      }
    }
    expect(polygons).toBeGreaterThanOrEqual(3);
  });

  it('has lots at mixed grades, some off-grade, graded from their latest assessment, with provenance', async () => {
    const db = t.database.db;
    const lots = await db
      .selectFrom('lots')
      .leftJoin('assessments', 'assessments.id', 'lots.latest_assessment_id')
      .innerJoin('producers', 'producers.id', 'lots.producer_id')
      .select(['lots.id', 'lots.grade_code', 'lots.grade_rank', 'lots.off_grade', 'lots.regency', 'producers.regency as producer_regency',
        'assessments.grade_rank as assessed_rank', 'assessments.off_grade as assessed_off', 'lots.latest_assessment_id'])
      .execute();
    expect(lots.length).toBeGreaterThan(100);
    expect(lots.filter((l) => l.off_grade).length).toBeGreaterThanOrEqual(3);
    expect(new Set(lots.map((l) => l.grade_code).filter(Boolean)).size).toBeGreaterThanOrEqual(5);
    expect(lots.some((l) => l.grade_code === 'SPECIALTY')).toBe(true);
    expect(lots.some((l) => l.latest_assessment_id === null)).toBe(true);
    for (const l of lots) {
      expect(l.regency).toBe(l.producer_regency);
      if (l.latest_assessment_id !== null) {
        expect(l.grade_rank).toBe(l.assessed_rank);
        expect(l.off_grade).toBe(l.assessed_off);
      }
    }
    const events = await db.selectFrom('provenance_events').select(['kind', 'lot_id', 'commitment_id']).execute();
    const kinds = (kind: string) => events.filter((e) => e.kind === kind);
    expect(new Set(kinds('DECLARED').map((e) => e.lot_id))).toEqual(new Set(lots.map((l) => l.id)));
    expect(new Set(kinds('ASSESSED').map((e) => e.lot_id))).toEqual(new Set(lots.filter((l) => l.latest_assessment_id !== null).map((l) => l.id)));
    const commitments = await db.selectFrom('commitments').select(['id', 'window_start']).execute();
    expect(commitments.every((c) => c.window_start.startsWith('2027-'))).toBe(true);
    expect(new Set(kinds('COMMITTED').map((e) => e.commitment_id))).toEqual(new Set(commitments.map((c) => c.id)));
  });

  it('signs in every demo login with the documented password', async () => {
    for (const login of Object.values(DEMO_LOGINS)) {
      const res = await t.gql(LOGIN, { input: { email: login.email, password: DEMO_PASSWORD } });
      expect(res.data.login.__typename).toBe('LoginPayload');
      const me = await t.gql(ME, {}, res.data.login.token);
      expect(me.data.me.email).toBe(login.email);
      expect(me.data.me.roles.map((r: { role: string }) => r.role)).toContain(login.role);
    }
  });

  it('lets the buyer fill a 20-ft container (19,200 kg) of Arabica grade 3 or better for the 2027 window', async () => {
    const db = t.database.db;
    const res = await t.gql(LOGIN, { input: { email: DEMO_LOGINS.buyer.email, password: DEMO_PASSWORD } });
    const token = res.data.login.token as string;
    const product = await db.selectFrom('products').select('id').where('name', '=', DEMO_PRODUCTS.arabica.name).executeTakeFirstOrThrow();
    const answer = await t.gql(AVAILABILITY, {
      input: { productId: globalId('Product', product.id), minGrade: '3', windowStart: '2027-05-01', windowEnd: '2027-09-30' },
    }, token);
    const a = answer.data.availability;
    expect(a.__typename).toBe('Availability');
    expect(Number(a.totalWeight)).toBeGreaterThanOrEqual(19_200);
    expect(Number(a.spotWeight)).toBeGreaterThan(0);
    expect(Number(a.forwardWeight)).toBeGreaterThan(0);
    expect(a.contributorCount).toBeGreaterThanOrEqual(20);
    expect(a.byGrade.map((g: { grade: { code: string } }) => g.grade.code)).toEqual(['SPECIALTY', '1', '2', '3']);
    expect(a.byRegency.map((r: { regency: string }) => r.regency)).toEqual(['Banyuwangi', 'Bondowoso', 'Situbondo']);
    // The answer printed in the README (the seed is deterministic; update both together).
    expect({ spot: a.spotWeight, forward: a.forwardWeight, total: a.totalWeight, contributors: a.contributorCount })
      .toEqual({ spot: '62501', forward: '53640', total: '116141', contributors: 37 });
  });

  it('gives the same data when seeded again into another empty database', async () => {
    const other = await openTestDatabase();
    try {
      await seedDemo(other.database.db);
      const [first, second] = [await seedDigest(t.database.db), await seedDigest(other.database.db)];
      expect(second.rows).toEqual(first.rows);
      expect(second.digest).toBe(first.digest);
    } finally {
      await other.drop();
    }
  }, 180_000); // a whole second seed: minutes on a loaded 2-core machine
});
