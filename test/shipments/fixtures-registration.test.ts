import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { countRows, ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createOrderWorld, type OrderWorld } from '../orders/fixtures.js';
import { fixture, fixtureGeometryText, registerPlotRaw } from './fixtures.js';

/**
 * The EU GeoJSON fixtures (../shared/data/eudr/geojson-fixtures) at plot registration, sent through
 * GraphQL exactly as the files write them: the valid ones register as EUDR-ready plots (their
 * coordinates such as 6.348210 count as 6 decimal places, as written), and the invalid ones are
 * refused with a rule code in the issue ("[RULE] …") and no plot is written.
 */
describe('EUDR fixtures at plot registration', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const areaOf = (name: string) => String((fixture(name).features[0]!.properties as { area_ha?: number } | null)?.area_ha ?? '1');
  const register = (name: string) =>
    registerPlotRaw(t, w.as.producer.token, gid('Producer', w.producer.id), fixtureGeometryText(name), areaOf(name));

  it.each(['valid/point-under-4ha.geojson', 'valid/polygon-over-4ha.geojson', 'valid/multipolygon-farm.geojson'])(
    'given %s as written, when registered through GraphQL variables, then it is an EUDR-ready plot',
    async (name) => {
      const plot = await register(name);
      expect(plot, JSON.stringify(plot)).toMatchObject({ __typename: 'Plot', eudrReady: true });
    },
  );

  it('given the polygon fixture as an inline GraphQL literal, when registered, then its trailing zeros count too', async () => {
    const literal = fixtureGeometryText('valid/polygon-over-4ha.geojson').replace(/"(type|coordinates)"\s*:/g, '$1:');
    expect(literal).toContain('6.348210');
    const res = await t.gql(/* GraphQL */ `
      mutation {
        registerPlot(input: { producerId: "${gid('Producer', w.producer.id)}", name: "Inline", areaHa: "25.1", altitudeM: 900, geolocation: ${literal} }) {
          __typename ... on Plot { eudrReady } ${ERROR_FIELDS}
        }
      }`, {}, w.as.producer.token);
    expect(res.data.registerPlot).toMatchObject({ __typename: 'Plot', eudrReady: true });
  });

  it('given a coordinate that really has 5 decimal places, when registered, then PRECISION still refuses it', async () => {
    const coarse = fixtureGeometryText('valid/polygon-over-4ha.geojson').replace('[-1.977725, 6.352710]', '[-1.977725, 6.35271]');
    const before = await countRows(t.database.db, 'plots');
    const plot = await registerPlotRaw(t, w.as.producer.token, gid('Producer', w.producer.id), coarse, '25.1');
    expect(plot.__typename).toBe('ValidationError');
    expect(plot.issues).toEqual([
      expect.objectContaining({ path: 'input.geolocation.coordinates.0.2', message: expect.stringMatching(/^\[PRECISION\] Latitude 6\.35271 has 5 decimal places/) }),
    ]);
    expect(await countRows(t.database.db, 'plots')).toBe(before);
  });

  it.each([
    ['invalid/latitude-out-of-range.geojson', 'WGS84_RANGE'],
    ['invalid/unclosed-ring.geojson', 'RING_NOT_CLOSED'],
    ['invalid/self-intersecting-polygon.geojson', 'SELF_INTERSECTION'],
    ['invalid/duplicate-ring.geojson', 'SELF_INTERSECTION'],
  ] as const)('given %s as written, when registered, then ValidationError carries rule %s and no plot is written', async (name, rule) => {
    const before = await countRows(t.database.db, 'plots');
    const plot = await register(name);
    expect(plot.__typename).toBe('ValidationError');
    expect(plot.issues.map((i: { message: string }) => i.message).join(' ')).toContain(`[${rule}]`);
    expect(await countRows(t.database.db, 'plots')).toBe(before);
  });

  it('given the feature-without-geometry fixture sent as is, then GEOMETRY_TYPE refuses the Feature wrapper', async () => {
    const res = await t.gql(/* GraphQL */ `
      mutation Register($input: RegisterPlotInput!) { registerPlot(input: $input) { __typename ${ERROR_FIELDS} } }`, {
      input: { producerId: gid('Producer', w.producer.id), name: 'Fixture plot', areaHa: '1', altitudeM: 900, geolocation: fixture('invalid/feature-without-geometry.geojson').features[0] },
    }, w.as.producer.token);
    expect(res.data?.registerPlot?.__typename, JSON.stringify(res)).toBe('ValidationError');
    expect(JSON.stringify(res.data.registerPlot.issues)).toContain('[GEOMETRY_TYPE]');
  });
});
