import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { countRows, createSupplyWorld, ERROR_FIELDS, gid, POLYGON_5HA, type SupplyWorld } from '../support/supply-fixtures.js';

// Issue 8 §1: a plot in two parts registered as one MultiPolygon was refused, and plot areas were
// computed on a sphere (about 0.4 % high at East Java's latitude) instead of the WGS84 ellipsoid.

const REGISTER_PLOT = /* GraphQL */ `
  mutation RegisterPlot($input: RegisterPlotInput!) {
    registerPlot(input: $input) {
      __typename
      ... on Plot { id areaHa computedAreaHa geolocation eudrReady }
      ${ERROR_FIELDS}
    }
  }`;

type Ring = ReadonlyArray<readonly [number, number]>;
const RING_5HA = POLYGON_5HA.coordinates[0] as Ring;
/** The ~5 ha square moved `dLon` degrees east (7 decimals kept). */
const movedEast = (ring: Ring, dLon: number): number[][] => ring.map(([lon, lat]) => [Number((lon + dLon).toFixed(7)), lat]);

const TWO_PARTS = { type: 'MultiPolygon', coordinates: [[RING_5HA], [movedEast(RING_5HA, 0.005)]] };

/** The old figure: R² · Δλ · (sin φ₂ − sin φ₁) on the sphere R = 6 371 008.8 m, in ha. */
function sphericalCellHa(ring: Ring): number {
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  const rad = Math.PI / 180;
  const R = 6_371_008.8;
  return (R * R * (Math.max(...lons) - Math.min(...lons)) * rad * (Math.sin(Math.max(...lats) * rad) - Math.sin(Math.min(...lats) * rad))) / 10_000;
}

describe('plots: MultiPolygon geolocation and ellipsoidal area', () => {
  let t: TestApp;
  let w: SupplyWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSupplyWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const register = (areaHa: string, geolocation: unknown) =>
    t.gql(REGISTER_PLOT, {
      input: { producerId: gid('Producer', w.producer.id), name: 'Kebun dua bagian', areaHa, altitudeM: 1200, geolocation },
    }, w.as.producer.token);

  it('registers a two-part plot as one MultiPolygon and reports the total computed area', async () => {
    // given one part alone, as a Polygon
    const one = (await register('5', POLYGON_5HA)).data.registerPlot;
    expect(one.__typename).toBe('Plot');
    // when both parts are registered as one MultiPolygon for a 10 ha plot
    const res = await register('10', TWO_PARTS);
    // then it is stored as sent, EUDR-ready, with the area of both parts
    const plot = res.data.registerPlot;
    expect(plot).toMatchObject({ __typename: 'Plot', areaHa: '10', eudrReady: true, geolocation: TWO_PARTS });
    expect(Number(plot.computedAreaHa)).toBeCloseTo(2 * Number(one.computedAreaHa), 3);
  });

  it('computes the area on the WGS84 ellipsoid: about 0.4 % below the spherical figure at 7.9° S', async () => {
    const plot = (await register('5', POLYGON_5HA)).data.registerPlot;
    expect(plot.__typename).toBe('Plot');
    const excess = sphericalCellHa(RING_5HA) / Number(plot.computedAreaHa) - 1;
    expect(excess).toBeGreaterThan(0.003);
    expect(excess).toBeLessThan(0.005);
  });

  it('refuses a MultiPolygon with a self-intersecting part, naming the part, and writes nothing', async () => {
    const [a, b, c, d] = movedEast(RING_5HA, 0.005);
    const bowTie = [a, c, b, d, a];
    const before = await countRows(t.database.db, 'plots');
    const res = await register('10', { type: 'MultiPolygon', coordinates: [[RING_5HA], [bowTie]] });
    expect(res.data.registerPlot.__typename).toBe('ValidationError');
    expect(res.data.registerPlot.code).toBe('VALIDATION_FAILED');
    expect(res.data.registerPlot.issues).toEqual([
      { path: 'input.geolocation.coordinates.1.0', message: expect.stringMatching(/^\[SELF_INTERSECTION\] The exterior ring of part 1/) },
    ]);
    expect(await countRows(t.database.db, 'plots')).toBe(before);
  });

  it('still refuses a LineString', async () => {
    const before = await countRows(t.database.db, 'plots');
    const res = await register('1', { type: 'LineString', coordinates: RING_5HA });
    expect(res.data.registerPlot.__typename).toBe('ValidationError');
    expect(res.data.registerPlot.issues).toEqual([
      { path: 'input.geolocation.type', message: expect.stringMatching(/^\[GEOMETRY_TYPE\]/) },
    ]);
    expect(await countRows(t.database.db, 'plots')).toBe(before);
  });
});
