import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  type Actor, countRows, createSupplyWorld, ERROR_FIELDS, gid, insertLot, insertPlot, POINT, POLYGON_5HA, type SupplyWorld,
} from '../support/supply-fixtures.js';

const REGISTER_PLOT = /* GraphQL */ `
  mutation RegisterPlot($input: RegisterPlotInput!) {
    registerPlot(input: $input) {
      __typename
      ... on Plot { id name areaHa computedAreaHa altitudeM geolocation eudrReady producer { id } }
      ${ERROR_FIELDS}
    }
  }`;

const UPDATE_PLOT = /* GraphQL */ `
  mutation UpdatePlot($input: UpdatePlotInput!) {
    updatePlot(input: $input) {
      __typename
      ... on Plot { id name areaHa altitudeM geolocation }
      ${ERROR_FIELDS}
      ... on ConflictError { path }
    }
  }`;

const PLOTS = /* GraphQL */ `
  query Plots($producerId: ID) { plots(first: 100, producerId: $producerId) { edges { node { id producer { id } } } } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id ... on Plot { name geolocation } } }`;

/** Bow-tie: edges cross at the middle. */
const BOW_TIE = {
  type: 'Polygon',
  coordinates: [[[113.8000001, -7.9000001], [113.8020001, -7.9020001], [113.8020001, -7.9000001], [113.8000001, -7.9020001], [113.8000001, -7.9000001]]],
};

describe('plots', () => {
  let t: TestApp;
  let w: SupplyWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSupplyWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  const input = (over: Record<string, unknown> = {}) => ({
    producerId: gid('Producer', w.producer.id),
    name: 'Kebun atas',
    areaHa: '1.25',
    altitudeM: 1350,
    geolocation: POINT,
    ...over,
  });
  const register = (actor: Actor | null, over: Record<string, unknown> = {}) =>
    t.gql(REGISTER_PLOT, { input: input(over) }, actor?.token ?? null);

  describe('registerPlot: who may', () => {
    it('lets the producer register a point plot; it is stored as validated and EUDR-ready', async () => {
      const res = await register(w.as.producer);
      expect(res.data.registerPlot).toMatchObject({
        __typename: 'Plot', name: 'Kebun atas', areaHa: '1.25', computedAreaHa: null, altitudeM: 1350, eudrReady: true,
        geolocation: POINT, producer: { id: gid('Producer', w.producer.id) },
      });
    });

    it('stores a polygon with its computed geodesic area', async () => {
      const res = await register(w.as.producer, { areaHa: '5', geolocation: POLYGON_5HA });
      const plot = res.data.registerPlot;
      expect(plot.__typename).toBe('Plot');
      expect(Number(plot.computedAreaHa)).toBeGreaterThan(4.5);
      expect(Number(plot.computedAreaHa)).toBeLessThan(6);
    });

    it.each(['coopManager', 'admin'] as const)('lets the %s register for the producer', async (role) => {
      expect((await register(w.as[role])).data.registerPlot.__typename).toBe('Plot');
    });

    it.each(['otherProducer', 'otherCoopManager', 'buyer', 'curator', 'brandManager'] as const)(
      'refuses the %s (NotFound when it may not see the producer, else Forbidden) and writes nothing',
      async (role) => {
        const before = await countRows(t.database.db, 'plots');
        const res = await register(w.as[role]);
        // Who may not see the producer (other producers, other cooperatives' managers) is answered as for an unknown producer.
        const hidden = role === 'otherProducer' || role === 'otherCoopManager';
        expect(res.data.registerPlot).toMatchObject(hidden ? { __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.producerId' } : { __typename: 'ForbiddenError', code: 'FORBIDDEN' });
        expect(await countRows(t.database.db, 'plots')).toBe(before);
      },
    );

    it('refuses an anonymous caller', async () => {
      const res = await register(null);
      expect(res.data.registerPlot).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    });

    it('an unknown producer is a NotFoundError', async () => {
      const res = await register(w.as.admin, { producerId: gid('Producer', 999_999) });
      expect(res.data.registerPlot).toMatchObject({ __typename: 'NotFoundError', path: 'input.producerId' });
    });
  });

  describe('registerPlot: invalid input names the field and the EUDR rule, and nothing is written', () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['swapped [lat, lon] coordinates', { geolocation: { type: 'Point', coordinates: [-7.9131234, 113.8214501] } }, 'input.geolocation.coordinates', /^\[WGS84_RANGE\].*\[longitude, latitude\]/],
      ['a point for more than 4 ha', { areaHa: '4.5' }, 'input.geolocation', /^\[POLYGON_REQUIRED\]/],
      ['a self-intersecting polygon', { areaHa: '5', geolocation: BOW_TIE }, 'input.geolocation.coordinates.0', /^\[SELF_INTERSECTION\]/],
      ['too few decimals', { geolocation: { type: 'Point', coordinates: [113.82145, -7.91312] } }, 'input.geolocation.coordinates', /^\[PRECISION\]/],
      ['a Feature wrapper', { geolocation: { type: 'Feature', geometry: POINT, properties: {} } }, 'input.geolocation.type', /^\[GEOMETRY_TYPE\]/],
      ['an unclosed ring', { areaHa: '5', geolocation: { type: 'Polygon', coordinates: [POLYGON_5HA.coordinates[0].slice(0, 4)] } }, 'input.geolocation.coordinates.0', /^\[RING_NOT_CLOSED\]/],
      ['a zero area', { areaHa: '0' }, 'input.areaHa', /greater than 0/],
      ['a negative area', { areaHa: '-1' }, 'input.areaHa', /./],
      ['an absurd altitude', { altitudeM: 12000 }, 'input.altitudeM', /at most 5000/],
      ['an empty name', { name: '' }, 'input.name', /empty/],
      ['a producer ID of the wrong type', { producerId: gid('Plot', 1) }, 'input.producerId', /Producer/],
    ];
    it.each(cases)('%s', async (_name, over, path, message) => {
      const before = await countRows(t.database.db, 'plots');
      const res = await register(w.as.producer, over);
      const r = res.data.registerPlot;
      expect(r.__typename).toBe('ValidationError');
      const issue = r.issues.find((i: { path: string }) => i.path === path);
      expect(issue, JSON.stringify(r.issues)).toBeDefined();
      expect(issue.message).toMatch(message);
      expect(await countRows(t.database.db, 'plots')).toBe(before);
    });
  });

  describe('updatePlot', () => {
    it('renames a plot; a plot with lots keeps its geolocation (ConflictError)', async () => {
      const plot = await insertPlot(t.database.db, w.producer.id);
      const renamed = await t.gql(UPDATE_PLOT, { input: { plotId: gid('Plot', plot.id), name: 'Kebun bawah', altitudeM: 1100 } }, w.as.producer.token);
      expect(renamed.data.updatePlot).toMatchObject({ __typename: 'Plot', name: 'Kebun bawah', altitudeM: 1100 });
      const moved = { type: 'Point', coordinates: [113.8214599, -7.9131299] };
      const ok = await t.gql(UPDATE_PLOT, { input: { plotId: gid('Plot', plot.id), geolocation: moved } }, w.as.coopManager.token);
      expect(ok.data.updatePlot).toMatchObject({ __typename: 'Plot', geolocation: moved });
      await insertLot(t.database.db, { producer: w.producer, product: w.product, plotIds: [plot.id] });
      const res = await t.gql(UPDATE_PLOT, { input: { plotId: gid('Plot', plot.id), geolocation: POINT } }, w.as.producer.token);
      expect(res.data.updatePlot).toMatchObject({ __typename: 'ConflictError', path: 'input.geolocation' });
    });

    it('re-validates the geolocation against a new area, and answers other producers as for an unknown plot', async () => {
      const plot = await insertPlot(t.database.db, w.producer.id);
      const bigger = await t.gql(UPDATE_PLOT, { input: { plotId: gid('Plot', plot.id), areaHa: '6' } }, w.as.producer.token);
      expect(bigger.data.updatePlot.__typename).toBe('ValidationError');
      expect(bigger.data.updatePlot.issues[0].message).toMatch(/^\[POLYGON_REQUIRED\]/);
      const other = await t.gql(UPDATE_PLOT, { input: { plotId: gid('Plot', plot.id), name: 'x' } }, w.as.otherProducer.token);
      // Another producer may not see the plot: answered as for an unknown plot.
      expect(other.data.updatePlot).toMatchObject({ __typename: 'NotFoundError', message: 'Plot not found (input.plotId)', path: 'input.plotId' });
      const none = await t.gql(UPDATE_PLOT, { input: { plotId: gid('Plot', plot.id) } }, w.as.producer.token);
      expect(none.data.updatePlot.__typename).toBe('ValidationError');
    });
  });

  describe('reading plots', () => {
    let own: number;
    let others: number;
    beforeAll(async () => {
      own = (await insertPlot(t.database.db, w.producer.id)).id;
      others = (await insertPlot(t.database.db, w.otherProducer.id)).id;
    });
    const idsOf = async (actor: Actor, producerId?: number) => {
      const res = await t.gql(PLOTS, producerId ? { producerId: gid('Producer', producerId) } : {}, actor.token);
      expect(res.errors).toBeUndefined();
      return res.data.plots.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
    };

    it('a producer lists only their own plots and cannot read another\'s by ID', async () => {
      const ids = await idsOf(w.as.producer);
      expect(ids).toContain(gid('Plot', own));
      expect(ids).not.toContain(gid('Plot', others));
      expect(await idsOf(w.as.producer, w.otherProducer.id)).toEqual([]);
      const res = await t.gql(NODE, { id: gid('Plot', others) }, w.as.producer.token);
      expect(res.data?.node ?? null).toBeNull();
    });

    it('a cooperative manager sees their members\' plots; brand managers and curators their members\'', async () => {
      expect(await idsOf(w.as.coopManager)).not.toContain(gid('Plot', others));
      for (const actor of [w.as.brandManager, w.as.curator]) {
        expect(await idsOf(actor)).toEqual(expect.arrayContaining([gid('Plot', own), gid('Plot', others)]));
        const res = await t.gql(NODE, { id: gid('Plot', others) }, actor.token);
        expect(res.data.node).toMatchObject({ __typename: 'Plot', id: gid('Plot', others) });
      }
    });

    it('buyers and curators of other brands see no plots directly', async () => {
      expect(await idsOf(w.as.buyer)).toEqual([]);
      expect(await idsOf(w.as.otherBrandCurator)).toEqual([]);
      const res = await t.gql(NODE, { id: gid('Plot', own) }, w.as.buyer.token);
      expect(res.data?.node ?? null).toBeNull();
    });
  });
});
