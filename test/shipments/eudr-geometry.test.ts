import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureCollection, Geometry, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { exportGeometry, polygonAreaHa, removeHoles, roundRing } from '../../src/modules/shipments/eudr-geometry.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/data/eudr/geojson-fixtures');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as FeatureCollection;

const decimals = (n: number) => (String(n).split('.')[1] ?? '').length;
const positions = (g: Geometry): Position[] =>
  g.type === 'Point' ? [g.coordinates] : g.type === 'Polygon' ? g.coordinates.flat() : g.type === 'MultiPolygon' ? g.coordinates.flat(2) : [];

describe('export geometry: the valid fixtures', () => {
  it.each(['valid/point-under-4ha.geojson', 'valid/polygon-over-4ha.geojson', 'valid/multipolygon-farm.geojson'])(
    'given %s, when exported, then every geometry is a Point or hole-free Polygon with at most 6 decimals and closed rings',
    (name) => {
      const geometry = fixture(name).features[0]!.geometry as Geometry;
      const result = exportGeometry(geometry, name);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      for (const g of result.geometries) {
        expect(['Point', 'Polygon']).toContain(g.type);
        for (const p of positions(g)) for (const c of p) expect(decimals(c)).toBeLessThanOrEqual(6);
        if (g.type === 'Polygon') {
          expect(g.coordinates).toHaveLength(1);
          const ring = g.coordinates[0]!;
          expect(ring[0]).toEqual(ring.at(-1));
        }
      }
      if (geometry.type === 'MultiPolygon') expect(result.geometries).toHaveLength(geometry.coordinates.length);
    },
  );

  it('given the invalid duplicate-ring fixture (hole = outer ring), when exported, then it is refused, never exported silently', () => {
    const result = exportGeometry(fixture('invalid/duplicate-ring.geojson').features[0]!.geometry as Geometry, 'GH-AH-0125');
    // The hole removes the whole area: either kinks finds the touching rings or no part remains.
    expect(result.ok).toBe(false);
  });
});

describe('export geometry: holes', () => {
  const outer: Position[] = [[113.8, -7.9], [113.803, -7.9], [113.803, -7.897], [113.8, -7.897], [113.8, -7.9]];
  const hole: Position[] = [[113.801, -7.899], [113.801, -7.898], [113.802, -7.898], [113.802, -7.899], [113.801, -7.899]];
  const hole2: Position[] = [[113.8012, -7.8975], [113.8022, -7.8975], [113.8022, -7.8972], [113.8012, -7.8975]];

  it.each([
    ['one hole', [outer, hole]],
    ['two holes', [outer, hole, hole2]],
  ])('given a polygon with %s, when exported, then hole-free polygons cover the same area within 0.01 %%', (_name, rings) => {
    const polygon: Polygon = { type: 'Polygon', coordinates: rings as Position[][] };
    const result = exportGeometry(polygon, 'Kebun berlubang');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.geometries.length).toBeGreaterThanOrEqual(2);
    for (const g of result.geometries) expect((g as Polygon).coordinates).toHaveLength(1);
    const original = polygonAreaHa(polygon.coordinates);
    const exported = result.geometries.reduce((s, g) => s + polygonAreaHa((g as Polygon).coordinates), 0);
    expect(Math.abs(exported - original) / original).toBeLessThan(0.0001);
    expect(result.areaHa).toBeCloseTo(exported, 8);
  });

  it('given a polygon without holes, when cut, then it is returned as it is', () => {
    expect(removeHoles([outer])).toEqual([[outer]]);
  });
});

describe('export geometry: rounding to 6 decimals', () => {
  it('given consecutive points that differ only after the 6th decimal, when rounded, then the duplicates are removed and the ring stays closed', () => {
    const ring: Position[] = [[113.8000001, -7.9], [113.8000002, -7.9], [113.803, -7.9], [113.803, -7.897], [113.8, -7.897], [113.8000001, -7.9]];
    expect(roundRing(ring)).toEqual([[113.8, -7.9], [113.803, -7.9], [113.803, -7.897], [113.8, -7.897], [113.8, -7.9]]);
  });

  it('given a sliver that rounding collapses, when exported, then it is an error naming the plot and the rule', () => {
    const sliver: Polygon = {
      type: 'Polygon',
      coordinates: [[[113.8000001, -7.9000001], [113.8000004, -7.9000001], [113.8000004, -7.9000004], [113.8000001, -7.9000001]]],
    };
    const result = exportGeometry(sliver, 'Kebun tipis');
    expect(result).toEqual({ ok: false, issue: { rule: 'RING_BROKEN_BY_ROUNDING', message: expect.stringContaining('Plot "Kebun tipis"') } });
  });

  it('given two spikes 0.6 µ° apart that rounding makes touch, when exported, then SELF_INTERSECTION_AFTER_ROUNDING names the plot', () => {
    // Valid as registered (the tips do not touch); at 6 decimals both tips are 113.8005, -7.8995.
    const ring: Position[] = [
      [113.8, -7.9], [113.801, -7.9], [113.8005003, -7.8995], [113.801, -7.899], [113.8, -7.899], [113.8004997, -7.8995], [113.8, -7.9],
    ];
    const result = exportGeometry({ type: 'Polygon', coordinates: [ring] }, 'Kebun silang');
    expect(result).toEqual({
      ok: false,
      issue: { rule: 'SELF_INTERSECTION_AFTER_ROUNDING', message: 'Plot "Kebun silang": the polygon intersects itself after rounding to 6 decimals' },
    });
  });

  it('given a LineString, when exported, then GEOMETRY_TYPE refuses it', () => {
    const result = exportGeometry({ type: 'LineString', coordinates: [[113.8, -7.9], [113.9, -7.8]] }, 'Jalan');
    expect(result).toMatchObject({ ok: false, issue: { rule: 'GEOMETRY_TYPE' } });
  });
});
