import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { countRows, ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, type OrderWorld } from '../orders/fixtures.js';
import { fixture, REGISTER_PLOT } from './fixtures.js';

/**
 * The EU GeoJSON fixtures (../shared/data/eudr/geojson-fixtures) at plot registration: the valid
 * Point registers; the invalid ones are refused with a rule code in the issue ("[RULE] …") and no
 * plot is written. (The valid Polygon writes 6.348210, which the GraphQL path sees as 6.34821: see
 * shipments.test.ts, where it is stored directly and exported.)
 */
describe('EUDR fixtures at plot registration', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const register = (geolocation: unknown, areaHa: string) =>
    t.gql(REGISTER_PLOT, {
      input: { producerId: gid('Producer', w.producer.id), name: 'Fixture plot', areaHa, altitudeM: 900, geolocation },
    }, w.as.producer.token);

  it('given the valid point fixture (1.2 ha), when registered, then it is an EUDR-ready plot', async () => {
    const res = await register(fixture('valid/point-under-4ha.geojson').features[0]!.geometry, '1.2');
    expect(res.data.registerPlot).toMatchObject({ __typename: 'Plot', eudrReady: true });
  });

  it.each([
    ['invalid/latitude-out-of-range.geojson', 'WGS84_RANGE'],
    ['invalid/unclosed-ring.geojson', 'RING_NOT_CLOSED'],
    // As written these two have coordinates ending in 0 (6.348210), which the parsed GraphQL value
    // loses: PRECISION refuses them first. Shifted by 1e-7° (same shape), the shape rule shows.
    ['invalid/self-intersecting-polygon.geojson', 'PRECISION'],
    ['invalid/duplicate-ring.geojson', 'PRECISION'],
    ['invalid/self-intersecting-polygon.geojson', 'SELF_INTERSECTION', 1e-7],
    ['invalid/duplicate-ring.geojson', 'SELF_INTERSECTION', 1e-7],
  ] as const)('given %s, when registered, then ValidationError carries rule %s and no plot is written', async (name, rule, shift?: number) => {
    const feature = fixture(name).features[0]!;
    const geometry = shift
      ? JSON.parse(JSON.stringify(feature.geometry), (_k, v) => (typeof v === 'number' ? Math.round((v + shift) * 1e7) / 1e7 : v))
      : feature.geometry;
    const before = await countRows(t.database.db, 'plots');
    const res = await register(geometry, String((feature.properties as { area_ha?: number } | null)?.area_ha ?? '1'));
    expect(res.data.registerPlot.__typename).toBe('ValidationError');
    expect(res.data.registerPlot.issues.map((i: { message: string }) => i.message).join(' ')).toContain(`[${rule}]`);
    expect(await countRows(t.database.db, 'plots')).toBe(before);
  });

  it('given the feature-without-geometry fixture sent as is, then GEOMETRY_TYPE refuses the Feature wrapper', async () => {
    const res = await register(fixture('invalid/feature-without-geometry.geojson').features[0], '1');
    expect(res.data.registerPlot.__typename).toBe('ValidationError');
    expect(JSON.stringify(res.data.registerPlot.issues)).toContain('[GEOMETRY_TYPE]');
  });
});
