import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_POSITIONS,
  decimalPlaces,
  validatePlotGeolocation,
  validatePlotGeolocationJson,
  type GeoIssue,
  type PlotGeolocationResult,
} from './geo.js';
import { scanJson } from '../../platform/json-scan.js';

// A coffee plot in Bondowoso (East Java), 7 decimal places.
const BONDOWOSO: [number, number] = [113.8214501, -7.9131234];

/** Axis-aligned rectangle ring, counterclockwise, closed. */
function rect(west: number, south: number, east: number, north: number): number[][] {
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

// ~5 ha square on the Ijen plateau (Sempol): 223.6 m × 223.6 m on the sphere R = 6371008.8 m
// (1° of latitude = 111 195.08 m), ≈ 4.98 ha on the WGS84 ellipsoid.
const IJEN_SOUTH = -8.0312345;
const IJEN_WEST = 114.1123451;
const D_LAT = 223.607 / 111_195.08;
const D_LON = D_LAT / Math.cos(((IJEN_SOUTH + D_LAT / 2) * Math.PI) / 180);
const IJEN_RING = rect(IJEN_WEST, IJEN_SOUTH, IJEN_WEST + D_LON, IJEN_SOUTH + D_LAT);

function issuesOf(result: PlotGeolocationResult): GeoIssue[] {
  if (result.ok) throw new Error(`expected rejection, got ${JSON.stringify(result)}`);
  return result.issues;
}

function onlyIssue(result: PlotGeolocationResult): GeoIssue {
  const issues = issuesOf(result);
  expect(issues).toHaveLength(1);
  return issues[0]!;
}

function accepted(result: PlotGeolocationResult) {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.issues, null, 2)}`);
  return result;
}

describe('validatePlotGeolocation — accepted input', () => {
  it('accepts a Point in Bondowoso with ≥ 6 decimals', () => {
    const result = accepted(validatePlotGeolocation({ type: 'Point', coordinates: BONDOWOSO }, '1.5'));
    expect(result.geometry).toEqual({ type: 'Point', coordinates: BONDOWOSO });
    expect(result.computedAreaHa).toBeNull();
    expect(result.centroid).toEqual(BONDOWOSO);
  });

  it('accepts a Point when the declared area is exactly 4 ha, or unknown', () => {
    const point = { type: 'Point', coordinates: BONDOWOSO };
    expect(validatePlotGeolocation(point, '4').ok).toBe(true);
    expect(validatePlotGeolocation(point, '4.000').ok).toBe(true);
    expect(validatePlotGeolocation(point, null).ok).toBe(true);
    expect(validatePlotGeolocation(point, undefined).ok).toBe(true);
  });

  it('accepts a ~5 ha Polygon near Ijen and computes its geodesic area', () => {
    const result = accepted(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING] }, '5'));
    expect(result.geometry.type).toBe('Polygon');
    const ha = Number(result.computedAreaHa);
    expect(result.computedAreaHa).toMatch(/^\d+\.\d{4}$/);
    expect(Math.abs(ha - 5) / 5).toBeLessThan(0.02);
    const [lon, lat] = result.centroid;
    expect(lon).toBeCloseTo(IJEN_WEST + D_LON / 2, 9);
    expect(lat).toBeCloseTo(IJEN_SOUTH + D_LAT / 2, 9);
  });

  it('computes the area of a 0.001° × 0.001° square at the equator on the WGS84 ellipsoid (≈ 1.2309 ha)', () => {
    // Raw JSON keeps the trailing zeros, so 0.001000 counts as 6 decimals.
    const json =
      '{"type":"Polygon","coordinates":[[[0.000000,0.000000],[0.001000,0.000000],' +
      '[0.001000,0.001000],[0.000000,0.001000],[0.000000,0.000000]]]}';
    const result = accepted(validatePlotGeolocationJson(json, '1.2309'));
    expect(result.computedAreaHa).toBe('1.2309');
    // Independent check: M · N · Δφ · Δλ with the WGS84 radii of curvature at the equator,
    // M = a(1 − e²) and N = a. (The sphere R = 6371008.8 m gave 1.2364 ha, 0.45 % high.)
    const a = 6_378_137;
    const f = 1 / 298.257223563;
    const d = (0.001 * Math.PI) / 180;
    expect(Number(result.computedAreaHa)).toBeCloseTo((a * (1 - f * (2 - f)) * a * d * d) / 10_000, 4);
  });

  it('accepts a MultiPolygon of two parts, each checked like a Polygon, and reports the total area', () => {
    // Given the Ijen square and a copy of it 0.01° east, the second with a hole
    const east = (ring: number[][]) => ring.map(([lon, lat]) => [lon! + 0.01, lat!]);
    const south = IJEN_SOUTH + D_LAT / 4;
    const west = IJEN_WEST + 0.01 + D_LON / 4;
    const hole = rect(west, south, west + D_LON / 2, south + D_LAT / 2).reverse();
    const single = accepted(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING] }, '5'));
    const holed = accepted(validatePlotGeolocation({ type: 'Polygon', coordinates: [east(IJEN_RING), hole] }, '5'));
    // When both are sent as one MultiPolygon for a 9 ha plot
    const result = accepted(
      validatePlotGeolocation({ type: 'MultiPolygon', coordinates: [[IJEN_RING], [east(IJEN_RING), hole]] }, '9'),
    );
    // Then it is kept as a MultiPolygon and its area is the sum of the parts (to the rounding of 4 dp)
    expect(result.geometry.type).toBe('MultiPolygon');
    expect(result.geometry.coordinates).toHaveLength(2);
    expect(Number(result.computedAreaHa)).toBeCloseTo(Number(single.computedAreaHa) + Number(holed.computedAreaHa), 3);
    expect(result.centroid[0]).toBeCloseTo(IJEN_WEST + 0.005 + D_LON / 2, 9);
  });

  it('checks every part of a MultiPolygon: closed rings, ring length, self-intersection and 6 decimals', () => {
    const open = IJEN_RING.slice(0, 4);
    const bowTie = [IJEN_RING[0]!, IJEN_RING[2]!, IJEN_RING[1]!, IJEN_RING[3]!, IJEN_RING[0]!];
    const coarse = IJEN_RING.map((p) => [...p]);
    coarse[1] = [114.11, coarse[1]![1]!];
    const rulesOf = (...parts: number[][][]) =>
      issuesOf(validatePlotGeolocation({ type: 'MultiPolygon', coordinates: [[IJEN_RING.map(([lon, lat]) => [lon! + 0.01, lat!])], ...parts.map((r) => [r])] }, '9'))
        .map((i) => `${i.rule} ${i.path}`);
    expect(rulesOf(open)).toEqual(['RING_NOT_CLOSED geolocation.coordinates.1.0']);
    expect(rulesOf(IJEN_RING.slice(0, 3))).toContain('RING_TOO_SHORT geolocation.coordinates.1.0');
    expect(rulesOf(bowTie)).toEqual(['SELF_INTERSECTION geolocation.coordinates.1.0']);
    expect(rulesOf(coarse)).toEqual(['PRECISION geolocation.coordinates.1.0.1']);
    const message = issuesOf(validatePlotGeolocation({ type: 'MultiPolygon', coordinates: [[IJEN_RING], [open]] }, '9'))[0]!.message;
    expect(message).toContain('exterior ring of part 1 is not closed');
  });

  it('refuses MultiPolygon parts that cross or touch each other, and a MultiPolygon without parts', () => {
    const shifted = IJEN_RING.map(([lon, lat]) => [lon! + D_LON / 2, lat!]);
    expect(onlyIssue(validatePlotGeolocation({ type: 'MultiPolygon', coordinates: [[IJEN_RING], [shifted]] }, '9'))).toMatchObject({
      rule: 'SELF_INTERSECTION',
      path: 'geolocation.coordinates.1.0',
    });
    expect(onlyIssue(validatePlotGeolocation({ type: 'MultiPolygon', coordinates: [] }, '9'))).toMatchObject({
      rule: 'GEOJSON_INVALID',
      path: 'geolocation.coordinates',
    });
    expect(onlyIssue(validatePlotGeolocation({ type: 'MultiPolygon', coordinates: [[IJEN_RING], []] }, '9'))).toMatchObject({
      rule: 'GEOJSON_INVALID',
      path: 'geolocation.coordinates.1',
    });
  });

  it('does not reject on winding order (clockwise exterior gives the same area)', () => {
    const ccw = accepted(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING] }, '5'));
    const cw = accepted(validatePlotGeolocation({ type: 'Polygon', coordinates: [[...IJEN_RING].reverse()] }, '5'));
    expect(cw.computedAreaHa).toBe(ccw.computedAreaHa);
  });

  it('accepts a hole and subtracts it from the area', () => {
    const south = IJEN_SOUTH + D_LAT / 4;
    const west = IJEN_WEST + D_LON / 4;
    const hole = rect(west, south, west + D_LON / 2, south + D_LAT / 2).reverse();
    const result = accepted(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING, hole] }, '5'));
    expect(Math.abs(Number(result.computedAreaHa) - 3.75) / 3.75).toBeLessThan(0.02);
  });

  it('drops consecutive repeated positions and foreign members from the returned geometry', () => {
    const first = IJEN_RING[0]!;
    const withRepeats = [first, ...IJEN_RING.slice(0, 2), ...IJEN_RING.slice(1)];
    const input = { type: 'Polygon', coordinates: [withRepeats], bbox: [1, 2, 3, 4], name: 'kebun' };
    const result = accepted(validatePlotGeolocation(input, '5'));
    expect(result.geometry).toEqual({ type: 'Polygon', coordinates: [IJEN_RING] });
    expect(input.coordinates[0]).toHaveLength(7); // input untouched
  });

  it('keeps an altitude value', () => {
    const result = accepted(validatePlotGeolocation({ type: 'Point', coordinates: [...BONDOWOSO, 1350] }, null));
    expect(result.geometry.coordinates).toEqual([...BONDOWOSO, 1350]);
    expect(result.centroid).toEqual(BONDOWOSO);
  });
});

describe('validatePlotGeolocation — rejections name their rule and path', () => {
  it('WGS84_RANGE with a hint for swapped [latitude, longitude]', () => {
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: [-7.9131234, 113.8214501] }, '1'));
    expect(issue.rule).toBe('WGS84_RANGE');
    expect(issue.path).toBe('geolocation.coordinates');
    expect(issue.message).toContain('latitude 113.8214501 is outside -90..90');
    expect(issue.message).toContain('look like [latitude, longitude]; GeoJSON uses [longitude, latitude]');
  });

  it('WGS84_RANGE for latitude 95 (no swap hint when swapping would not help)', () => {
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: [113.8214501, 95.1234567] }, '1'));
    expect(issue.rule).toBe('WGS84_RANGE');
    expect(issue.message).toContain('latitude 95.1234567 is outside -90..90');
    expect(issue.message).not.toContain('look like');
  });

  it('WGS84_RANGE points at the offending polygon vertex', () => {
    const ring = IJEN_RING.map((p) => [...p]);
    ring[2] = [190.1234567, ring[2]![1]!];
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [ring] }, '5'));
    expect(issue).toMatchObject({ rule: 'WGS84_RANGE', path: 'geolocation.coordinates.0.2' });
    expect(issue.message).toContain('longitude 190.1234567 is outside -180..180');
  });

  it('PRECISION for 5 decimal places, explaining the trailing-zero limitation', () => {
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: [113.82145, -7.91312] }, '1'));
    expect(issue.rule).toBe('PRECISION');
    expect(issue.path).toBe('geolocation.coordinates');
    expect(issue.message).toContain('Longitude 113.82145 has 5 decimal places');
    expect(issue.message).toContain('latitude -7.91312 has 5 decimal places');
    expect(issue.message).toContain('113.821450 arrives as 113.82145');
    expect(issue.message).toContain('113.8214501');
  });

  it('PRECISION is reported per polygon vertex, not twice for the closing position', () => {
    const ring = IJEN_RING.map((p) => [...p]);
    ring[0] = [114.11234, ring[0]![1]!];
    ring[4] = [...ring[0]];
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [ring] }, '5'));
    expect(issue).toMatchObject({ rule: 'PRECISION', path: 'geolocation.coordinates.0.0' });
  });

  it('PRECISION from raw JSON counts the digits as written (trailing zeros count)', () => {
    const ok = validatePlotGeolocationJson('{"type":"Point","coordinates":[113.821450,-7.913100]}', null);
    expect(accepted(ok).geometry.coordinates).toEqual([113.82145, -7.9131]);
    // The same values, once parsed, no longer show 6 decimals.
    expect(onlyIssue(validatePlotGeolocation(JSON.parse('[113.821450,-7.913100]'), null)).rule).toBe('GEOJSON_INVALID');
    expect(onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: [113.82145, -7.9131] }, null)).rule).toBe(
      'PRECISION',
    );
    const short = onlyIssue(validatePlotGeolocationJson('{"type":"Point","coordinates":[113.82145,-7.9131234]}', null));
    expect(short).toMatchObject({ rule: 'PRECISION', path: 'geolocation.coordinates' });
    expect(short.message).not.toContain('arrives as'); // exact count, no caveat needed
  });

  it('POLYGON_REQUIRED when a Point is given for a declared 5 ha', () => {
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: BONDOWOSO }, '5'));
    expect(issue).toMatchObject({ rule: 'POLYGON_REQUIRED', path: 'geolocation' });
    expect(issue.message).toContain('5 ha');
    expect(onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: BONDOWOSO }, '4.0001')).rule).toBe(
      'POLYGON_REQUIRED',
    );
    expect(onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: BONDOWOSO }, '12')).rule).toBe(
      'POLYGON_REQUIRED',
    );
  });

  it('RING_NOT_CLOSED for an unclosed ring (not also a generic GEOJSON_INVALID)', () => {
    const ring = IJEN_RING.slice(0, 4);
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [ring] }, '5'));
    expect(issue).toMatchObject({ rule: 'RING_NOT_CLOSED', path: 'geolocation.coordinates.0' });
    expect(issue.message).toContain('must repeat its first position');
  });

  it('RING_TOO_SHORT for a 3-position ring', () => {
    const [a, b] = IJEN_RING;
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [[a, b, a]] }, '5'));
    expect(issue).toMatchObject({ rule: 'RING_TOO_SHORT', path: 'geolocation.coordinates.0' });
    expect(issue.message).toContain('has 3 positions');
  });

  it('RING_TOO_SHORT and RING_NOT_CLOSED together for 3 distinct open positions', () => {
    const rules = issuesOf(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING.slice(0, 3)] }, '5')).map(
      (i) => i.rule,
    );
    expect(rules.sort()).toEqual(['RING_NOT_CLOSED', 'RING_TOO_SHORT']);
  });

  it('RING_TOO_SHORT for an empty ring and for too few distinct corners', () => {
    expect(onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [[]] }, '5'))).toMatchObject({
      rule: 'RING_TOO_SHORT',
      path: 'geolocation.coordinates.0',
    });
    const [a, b] = IJEN_RING;
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [[a, b, b, a]] }, '5'));
    expect(issue).toMatchObject({ rule: 'RING_TOO_SHORT', path: 'geolocation.coordinates.0' });
    expect(issue.message).toContain('only 2 distinct corners');
  });

  it('SELF_INTERSECTION for a bow-tie', () => {
    const [sw, se, ne, nw] = IJEN_RING;
    const bowTie = [sw, ne, se, nw, sw];
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [bowTie] }, '5'));
    expect(issue).toMatchObject({ rule: 'SELF_INTERSECTION', path: 'geolocation.coordinates.0' });
    expect(issue.message).toContain('exterior ring crosses or touches itself at [114.');
  });

  it('SELF_INTERSECTION for a collapsed ring (collinear corners)', () => {
    const line = [
      [114.1123451, -8.0312345],
      [114.1133451, -8.0312345],
      [114.1143451, -8.0312345],
      [114.1123451, -8.0312345],
    ];
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [line] }, '5'));
    expect(issue).toMatchObject({ rule: 'SELF_INTERSECTION', path: 'geolocation.coordinates.0' });
    expect(issue.message).toContain('encloses no area');
  });

  it('validates holes like the exterior ring', () => {
    const west = IJEN_WEST + D_LON / 4;
    const south = IJEN_SOUTH + D_LAT / 4;
    const hole = rect(west, south, west + D_LON / 2, south + D_LAT / 2);
    expect(
      onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING, hole.slice(0, 4)] }, '5')),
    ).toMatchObject({ rule: 'RING_NOT_CLOSED', path: 'geolocation.coordinates.1' });

    const crossing = rect(west, south, west + D_LON, south + D_LAT / 2); // sticks out east
    const issue = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [IJEN_RING, crossing] }, '5'));
    expect(issue).toMatchObject({ rule: 'SELF_INTERSECTION', path: 'geolocation.coordinates.1' });
    expect(issue.message).toContain('hole 1 crosses or touches the exterior ring');
  });

  it('GEOMETRY_TYPE for a LineString, saying what is accepted', () => {
    const issue = onlyIssue(validatePlotGeolocation({ type: 'LineString', coordinates: IJEN_RING }, '5'));
    expect(issue).toMatchObject({ rule: 'GEOMETRY_TYPE', path: 'geolocation.type' });
    expect(issue.message).toContain('Point, Polygon or MultiPolygon');
  });

  it('GEOMETRY_TYPE for a Feature, saying to send the plain geometry', () => {
    const feature = { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: BONDOWOSO } };
    const issue = onlyIssue(validatePlotGeolocation(feature, '1'));
    expect(issue).toMatchObject({ rule: 'GEOMETRY_TYPE', path: 'geolocation.type' });
    expect(issue.message).toContain('not a Feature wrapper');
    expect(issue.message).toContain('"geometry" member');
  });

  it('GEOMETRY_TYPE for other types, with a case hint', () => {
    expect(onlyIssue(validatePlotGeolocation({ type: 'LineString', coordinates: IJEN_RING }, null)).rule).toBe(
      'GEOMETRY_TYPE',
    );
    const issue = onlyIssue(validatePlotGeolocation({ type: 'point', coordinates: BONDOWOSO }, null));
    expect(issue.rule).toBe('GEOMETRY_TYPE');
    expect(issue.message).toContain('use "Point"');
  });

  it('GEOJSON_INVALID for a string, null, an array, a number and a missing value', () => {
    for (const value of ['{"type":"Point"}', null, BONDOWOSO, 42, undefined]) {
      expect(onlyIssue(validatePlotGeolocation(value, null))).toMatchObject({ rule: 'GEOJSON_INVALID', path: 'geolocation' });
    }
    expect(onlyIssue(validatePlotGeolocation('{"type":"Point"}', null)).message).toContain('got a string');
  });

  it('GEOJSON_INVALID for missing or non-string type', () => {
    expect(onlyIssue(validatePlotGeolocation({ coordinates: BONDOWOSO }, null))).toMatchObject({
      rule: 'GEOJSON_INVALID',
      path: 'geolocation.type',
    });
    expect(onlyIssue(validatePlotGeolocation({ type: 7, coordinates: BONDOWOSO }, null)).path).toBe('geolocation.type');
  });

  it('GEOJSON_INVALID from check-geojson, mapped to the JSON path', () => {
    const short = onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: [113.8214501] }, null));
    expect(short).toMatchObject({ rule: 'GEOJSON_INVALID', path: 'geolocation.coordinates' });
    expect(short.message).toContain('2 or 3 elements');

    const ring = IJEN_RING.map((p) => [...p]) as unknown[];
    ring[2] = [114.1143451, '-8.0312345'];
    const nonNumber = onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [ring] }, '5'));
    expect(nonNumber).toMatchObject({ rule: 'GEOJSON_INVALID', path: 'geolocation.coordinates.0.2.1' });

    const missing = onlyIssue(validatePlotGeolocation({ type: 'Polygon' }, '5'));
    expect(missing).toMatchObject({ rule: 'GEOJSON_INVALID', path: 'geolocation' });
    expect(missing.message).toContain('coordinates');

    const props = onlyIssue(validatePlotGeolocation({ type: 'Point', coordinates: BONDOWOSO, properties: {} }, null));
    expect(props).toMatchObject({ rule: 'GEOJSON_INVALID', path: 'geolocation.properties' });

    expect(onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [] }, '5'))).toMatchObject({
      rule: 'GEOJSON_INVALID',
      path: 'geolocation.coordinates',
    });
  });

  it('GEOJSON_INVALID for data that is not plain JSON, invalid JSON text, and oversized polygons', () => {
    const circular: Record<string, unknown> = { type: 'Point' };
    circular.coordinates = circular;
    expect(onlyIssue(validatePlotGeolocation(circular, null)).rule).toBe('GEOJSON_INVALID');

    expect(onlyIssue(validatePlotGeolocationJson('{"type":"Point",', null))).toMatchObject({
      rule: 'GEOJSON_INVALID',
      path: 'geolocation',
    });

    const huge = Array.from({ length: MAX_POSITIONS + 1 }, (_, i) => [114.1 + i * 1e-7, -8.0312345]);
    expect(onlyIssue(validatePlotGeolocation({ type: 'Polygon', coordinates: [huge] }, '5'))).toMatchObject({
      rule: 'GEOJSON_INVALID',
      path: 'geolocation.coordinates',
    });
  });

  it('check-geojson catches duplicate keys in raw JSON', () => {
    const json = '{"type":"Point","coordinates":[1.5,2.5],"coordinates":[113.8214501,-7.9131234]}';
    expect(issuesOf(validatePlotGeolocationJson(json, null)).map((i) => i.rule)).toContain('GEOJSON_INVALID');
  });

  it('reports every coordinate problem at once', () => {
    const ring = IJEN_RING.map((p) => [...p]);
    ring[1] = [114.11, ring[1]![1]!];
    ring[3] = [ring[3]![0]!, 95.1234567];
    const issues = issuesOf(validatePlotGeolocation({ type: 'Polygon', coordinates: [ring] }, '5'));
    expect(issues.map((i) => `${i.rule} ${i.path}`)).toEqual([
      'PRECISION geolocation.coordinates.0.1',
      'WGS84_RANGE geolocation.coordinates.0.3',
    ]);
  });

  it('uses the caller’s base path', () => {
    const value = { type: 'Point', coordinates: [113.82145, -7.9131234] };
    expect(onlyIssue(validatePlotGeolocation(value, null, 'input.plots.2.geolocation')).path).toBe(
      'input.plots.2.geolocation.coordinates',
    );
    expect(onlyIssue(validatePlotGeolocation(value, null, '')).path).toBe('coordinates');
  });

  it('throws on a malformed declared area (validating that field is the caller’s job)', () => {
    const point = { type: 'Point', coordinates: BONDOWOSO };
    for (const bad of ['abc', '-1', '1e3', ' 3', '']) {
      expect(() => validatePlotGeolocation(point, bad)).toThrow(TypeError);
    }
  });
});

describe('decimalPlaces', () => {
  it('counts digits after the point, including exponent forms', () => {
    expect(decimalPlaces('113.821450')).toBe(6);
    expect(decimalPlaces(String(113.82145))).toBe(5);
    expect(decimalPlaces('-7')).toBe(0);
    expect(decimalPlaces(String(5e-7))).toBe(7);
    expect(decimalPlaces('1.5e-7')).toBe(8);
    expect(decimalPlaces('1.1382145E2')).toBe(5);
  });
});

// ---------------------------------------------------------------------------
// The EUDR sample fixtures (../shared/data/eudr/geojson-fixtures, MIT): each is a file as an
// operator would hold it — mostly a FeatureCollection. A plot takes one plain geometry, so the
// geometry of each feature is validated from its text (as written, trailing zeros count) with the
// feature's declared area.
// ---------------------------------------------------------------------------

const FIXTURES = new URL('../../../../shared/data/eudr/geojson-fixtures/', import.meta.url);

/** Each feature's geometry text and declared area (from `properties.area_ha`), in file order. */
function featureGeometries(file: string): Array<{ json: string; areaHa: string | null }> {
  const text = readFileSync(new URL(file, FIXTURES), 'utf8');
  const doc = JSON.parse(text) as { features: Array<{ properties?: { area_ha?: number } }> };
  const spans = scanJson(text).spans;
  return doc.features.map((feature, k) => {
    // the value's span (the key "geometry" has a span of its own, recorded first)
    const span = spans.filter((s) => s.segs.length === 3 && s.segs[0] === 'features' && s.segs[1] === k && s.segs[2] === 'geometry').pop();
    const area = feature.properties?.area_ha;
    return { json: text.slice(span!.start, span!.end), areaHa: area === undefined ? null : String(area) };
  });
}

describe('EUDR sample fixtures', () => {
  const valid = readdirSync(new URL('valid/', FIXTURES)).sort();

  it('has the fixtures (three valid files)', () => {
    expect(valid).toEqual(['multipolygon-farm.geojson', 'point-under-4ha.geojson', 'polygon-over-4ha.geojson']);
  });

  it.each(valid)('accepts valid/%s', (file) => {
    for (const { json, areaHa } of featureGeometries(`valid/${file}`)) {
      const result = accepted(validatePlotGeolocationJson(json, areaHa));
      if (result.computedAreaHa !== null) {
        // the computed area is close to the area the file declares
        expect(Math.abs(Number(result.computedAreaHa) - Number(areaHa)) / Number(areaHa)).toBeLessThan(0.05);
      }
    }
  });

  it('computes the two-part farm\'s total area on the ellipsoid', () => {
    const [{ json }] = featureGeometries('valid/multipolygon-farm.geojson') as [{ json: string; areaHa: string | null }];
    const result = accepted(validatePlotGeolocationJson(json, '24.6'));
    expect(result.geometry.type).toBe('MultiPolygon');
    // two 0.0032° × 0.0032° squares near 7.2° N, each ≈ 12.5 ha
    expect(Number(result.computedAreaHa)).toBeGreaterThan(24.5);
    expect(Number(result.computedAreaHa)).toBeLessThan(25.5);
  });

  const refusals: Array<[file: string, rule: string]> = [
    ['duplicate-ring.geojson', 'SELF_INTERSECTION'],
    ['feature-without-geometry.geojson', 'GEOJSON_INVALID'],
    ['latitude-out-of-range.geojson', 'WGS84_RANGE'],
    ['self-intersecting-polygon.geojson', 'SELF_INTERSECTION'],
    ['unclosed-ring.geojson', 'RING_NOT_CLOSED'],
  ];
  it.each(refusals)('refuses the geometry of invalid/%s with %s', (file, rule) => {
    const [{ json, areaHa }] = featureGeometries(`invalid/${file}`) as [{ json: string; areaHa: string | null }];
    expect(issuesOf(validatePlotGeolocationJson(json, areaHa)).map((i) => i.rule)).toContain(rule);
  });

  it('refuses the files that are not one plain geometry: a FeatureCollection (GEOMETRY_TYPE), KML (GEOJSON_INVALID)', () => {
    // missing-plot-id.geojson: its geometry is fine; what identifies a plot here is the registered Plot,
    // and the file as a whole is a FeatureCollection
    const text = readFileSync(new URL('invalid/missing-plot-id.geojson', FIXTURES), 'utf8');
    expect(onlyIssue(validatePlotGeolocationJson(text, null))).toMatchObject({ rule: 'GEOMETRY_TYPE', path: 'geolocation.type' });
    const kml = readFileSync(new URL('invalid/malformed.kml', FIXTURES), 'utf8');
    expect(onlyIssue(validatePlotGeolocationJson(kml, null)).rule).toBe('GEOJSON_INVALID');
  });

  it('refuses the swapped CSV columns (latitude 108.89) with WGS84_RANGE and a swap hint', () => {
    const rows = readFileSync(new URL('invalid/swapped-coordinate-columns.csv', FIXTURES), 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const [, latitude, longitude] = row.split(',');
      const json = `{"type":"Point","coordinates":[${longitude},${latitude}]}`;
      const issue = onlyIssue(validatePlotGeolocationJson(json, null));
      expect(issue.rule).toBe('WGS84_RANGE');
      expect(issue.message).toContain('look like [latitude, longitude]');
    }
  });

  it('cannot see a [lat, lon] swap whose values are both in range (reversed-lat-lon: needs the plot\'s country)', () => {
    const [{ json, areaHa }] = featureGeometries('invalid/reversed-lat-lon.geojson') as [{ json: string; areaHa: string | null }];
    expect(validatePlotGeolocationJson(json, areaHa).ok).toBe(true);
  });
});
