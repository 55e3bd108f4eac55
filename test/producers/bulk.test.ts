import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { countRows, deniedType, ERROR_FIELDS, gid, insertBrand, insertCooperative, insertProducer, result } from './fixtures.js';

const REGISTER_PRODUCERS = /* GraphQL */ `
  mutation RegisterProducers($input: RegisterProducersInput!) {
    registerProducers(input: $input) {
      __typename
      ... on RegisterProducersPayload { count plotCount producerIds }
      ${ERROR_FIELDS}
    }
  }`;

/** A coordinate with exactly 7 decimals (EUDR wants ≥ 6), distinct per n. */
const coord = (whole: string, n: number) => Number(`${whole}.${String(n).padStart(6, '0')}1`);

const point = (i: number, j: number) => ({ type: 'Point', coordinates: [coord('113', 100000 + i * 7 + j), coord('-7', 900000 + i * 5 + j)] });

/** A closed ~5 ha square (about 224 m a side) near Ijen. */
const polygon = (i: number) => {
  const x = 114.1000001 + i * 0.01;
  const y = -7.9000001;
  const d = 0.002;
  const r = (v: number) => Number(v.toFixed(7));
  return { type: 'Polygon', coordinates: [[[r(x), r(y)], [r(x + d), r(y)], [r(x + d), r(y - d)], [r(x), r(y - d)], [r(x), r(y)]]] };
};

const row = (i: number) => ({
  displayName: `Petani ${i + 1}`,
  kind: i % 10 === 0 ? 'UMKM' : 'SMALLHOLDER',
  village: 'Sukorejo',
  district: 'Sumberwringin',
  regency: 'Bondowoso',
  contact: { phone: `+62 812 ${String(1000000 + i)}` },
  plots: [
    { name: `Kebun ${i + 1}a`, areaHa: '1.25', altitudeM: 1100, geolocation: point(i, 0) },
    i % 50 === 0
      ? { name: `Kebun ${i + 1}b`, areaHa: '5', altitudeM: 1250, geolocation: polygon(i) }
      : { name: `Kebun ${i + 1}b`, areaHa: '0.8', altitudeM: 1250, geolocation: point(i, 1) },
  ],
});

const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i));

type U = { id: number; token: string };

describe('registerProducers (bulk, all or nothing)', () => {
  let t: TestApp;
  let coop: { id: number };
  let admin: U, coopManager: U, otherCoopManager: U, brandManager: U, curator: U, buyer: U, producerUser: U;

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    coop = await insertCooperative(db);
    const otherCoop = await insertCooperative(db);
    const brand = await insertBrand(db);
    admin = await createUser(t, [['ADMIN']]);
    coopManager = await createUser(t, [['COOP_MANAGER', coop.id]]);
    otherCoopManager = await createUser(t, [['COOP_MANAGER', otherCoop.id]]);
    brandManager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
    curator = await createUser(t, [['CURATOR', brand.id]]);
    const org = await db.insertInto('buyer_orgs').values({ name: 'Cairo Roasters', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    buyer = await createUser(t, [['BUYER', org.id]]);
    producerUser = await createUser(t, [['PRODUCER', (await insertProducer(db, { cooperativeId: coop.id })).id]]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = async () => ({ producers: await countRows(t.database.db, 'producers'), plots: await countRows(t.database.db, 'plots') });

  it('registers 1,000 producers with 2 plots each in one transaction', async () => {
    const before = await counts();
    const input = { cooperativeId: gid('Cooperative', coop.id), rows: rows(1000) };
    t.queries.length = 0;
    const started = performance.now();
    const res = await t.gql(REGISTER_PRODUCERS, { input }, coopManager.token);
    const ms = performance.now() - started;
    const payload = result(res, 'registerProducers', 'RegisterProducersPayload');
    // Timing is reported, not asserted (machines differ).
    console.log(`[bulk] 1000 producers × 2 plots on ${t.database.driver}: ${ms.toFixed(0)} ms end to end, ${t.queries.length} statements`);
    expect(payload.count).toBe(1000);
    expect(payload.plotCount).toBe(2000);
    expect(payload.producerIds).toHaveLength(1000);
    expect(await counts()).toEqual({ producers: before.producers + 1000, plots: before.plots + 2000 });
    // Multi-row inserts, not a round trip per row.
    const inserts = t.queries.filter((q) => /^insert/i.test(q));
    expect(inserts.length).toBeLessThanOrEqual(3);

    // Row order is kept: producer i got row i's plots.
    const firstId = Number(Buffer.from(payload.producerIds[20], 'base64').toString().split(':')[1]);
    const producer = await t.database.db.selectFrom('producers').selectAll().where('id', '=', firstId).executeTakeFirstOrThrow();
    expect(producer).toMatchObject({ display_name: 'Petani 21', cooperative_id: coop.id, contact_phone: '+62 812 1000020' });
    const plots = await t.database.db.selectFrom('plots').selectAll().where('producer_id', '=', firstId).orderBy('id').execute();
    expect(plots.map((p) => p.name)).toEqual(['Kebun 21a', 'Kebun 21b']);
    expect(plots.every((p) => p.eudr_ready)).toBe(true);
    const polygonPlot = await t.database.db
      .selectFrom('plots')
      .selectAll()
      .where('producer_id', '=', Number(Buffer.from(payload.producerIds[50], 'base64').toString().split(':')[1]))
      .where('name', '=', 'Kebun 51b')
      .executeTakeFirstOrThrow();
    expect((polygonPlot.geometry as { type: string }).type).toBe('Polygon');
    expect(Number(polygonPlot.computed_area_ha)).toBeGreaterThan(4);
  });

  it('rejects 1,000 rows with 3 invalid ones in ONE ValidationError listing exactly those rows, writing nothing', async () => {
    const input = rows(1000);
    // Row 17: coordinates swapped ([latitude, longitude]).
    const [lon, lat] = point(17, 0).coordinates as [number, number];
    input[17]!.plots[0]!.geolocation = { type: 'Point', coordinates: [lat, lon] };
    // Row 402: 5 ha given as a Point (EUDR needs a polygon above 4 ha).
    input[402]!.plots[1] = { name: 'Kebun besar', areaHa: '5', altitudeM: 1200, geolocation: point(402, 1) };
    // Row 999: empty name.
    input[999]!.displayName = '';
    const before = await counts();
    const res = await t.gql(REGISTER_PRODUCERS, { input: { cooperativeId: gid('Cooperative', coop.id), rows: input } }, coopManager.token);
    const err = result(res, 'registerProducers', 'ValidationError', 'VALIDATION_FAILED');
    const badRows = [...new Set(err.issues.map((i: { path: string }) => Number(i.path.split('.')[2])))];
    expect(badRows).toEqual([17, 402, 999]);
    expect(err.issues.find((i: { path: string }) => i.path.startsWith('input.rows.17.plots.0.geolocation'))?.message).toMatch(/^row 18: /);
    expect(err.issues.find((i: { path: string }) => i.path.startsWith('input.rows.402.plots.1.geolocation'))?.message).toMatch(/^row 403: .*POLYGON_REQUIRED/);
    expect(err.issues).toContainEqual({ path: 'input.rows.999.displayName', message: 'row 1000: must not be empty' });
    expect(err.message).toMatch(/3 of 1000 rows are invalid \(rows 18, 403, 1000\)/);
    expect(await counts()).toEqual(before);
  });

  it('names bad plot fields and refuses more than 1,000 rows', async () => {
    const input = rows(3);
    input[1]!.plots[0] = { name: '', areaHa: '0', altitudeM: 1100, geolocation: point(1, 0) };
    const res = await t.gql(REGISTER_PRODUCERS, { input: { cooperativeId: gid('Cooperative', coop.id), rows: input } }, coopManager.token);
    const paths = result(res, 'registerProducers', 'ValidationError').issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(['input.rows.1.plots.0.name', 'input.rows.1.plots.0.areaHa']);

    const tooMany = await t.gql(REGISTER_PRODUCERS, { input: { cooperativeId: gid('Cooperative', coop.id), rows: rows(1001) } }, coopManager.token);
    expect(result(tooMany, 'registerProducers', 'ValidationError').issues).toEqual([
      { path: 'input.rows', message: 'must contain at most 1000 rows (got 1001); split the file' },
    ]);
  });

  it('lets an admin register in bulk', async () => {
    const res = await t.gql(REGISTER_PRODUCERS, { input: { cooperativeId: gid('Cooperative', coop.id), rows: rows(2) } }, admin.token);
    expect(result(res, 'registerProducers', 'RegisterProducersPayload').count).toBe(2);
  });

  for (const role of ['other cooperative manager', 'brand manager', 'curator', 'buyer', 'producer', 'anonymous'] as const) {
    it(`refuses a ${role} and writes nothing`, async () => {
      const token =
        { 'other cooperative manager': otherCoopManager, 'brand manager': brandManager, curator, buyer, producer: producerUser, anonymous: null }[role]?.token ?? null;
      const before = await counts();
      const res = await t.gql(REGISTER_PRODUCERS, { input: { cooperativeId: gid('Cooperative', coop.id), rows: rows(2) } }, token);
      const [typename, code] = deniedType(token);
      result(res, 'registerProducers', typename, code);
      expect(await counts()).toEqual(before);
    });
  }
});
