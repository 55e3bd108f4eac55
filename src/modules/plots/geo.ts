/**
 * EUDR plot geolocation validation (pure, no I/O).
 *
 * Regulation (EU) 2023/1115 requires every plot of land that produced a
 * commodity to be geolocated with latitude/longitude of at least six decimal
 * digits; plots of more than 4 ha must be given as a polygon of the boundary,
 * smaller plots may be given as a single point. This module checks a client's
 * GeoJSON (RFC 7946: [longitude, latitude], WGS84) against those rules.
 *
 * Pipeline, each stage only running when the previous one found nothing that
 * would make the next one meaningless:
 *
 *  1. Type gate      — the value must be a plain GeoJSON *geometry* object of
 *                      type Point or Polygon. Feature / FeatureCollection
 *                      wrappers, MultiPolygon etc. are rejected (GEOMETRY_TYPE)
 *                      with a message saying what to send instead.
 *  2. Structure      — @placemarkio/check-geojson validates the RFC 7946
 *                      structure (positions, bbox, forbidden members…). Its
 *                      issues carry character offsets, which are mapped back
 *                      to JSON paths (GEOJSON_INVALID). Ring closure and ring
 *                      length are reported under their own rules
 *                      (RING_NOT_CLOSED, RING_TOO_SHORT) instead of the
 *                      library's generic wording.
 *  3. Coordinates    — WGS84 ranges (with a hint when [lat, lon] looks
 *                      swapped), ≥ 6 decimal places, and "above 4 ha needs a
 *                      Polygon" (WGS84_RANGE, PRECISION, POLYGON_REQUIRED).
 *  4. Polygon shape  — self-intersections via @turf/kinks, per ring and
 *                      between rings (holes are validated like the exterior),
 *                      plus collapsed zero-area rings that kinks cannot see
 *                      (SELF_INTERSECTION).
 *  5. Result         — the area on the WGS84 ellipsoid (area.ts; hectares,
 *                      4 dp string) and a centroid.
 *
 * Decisions worth knowing:
 *  - Only plain geometries are accepted (no Feature wrapper), so that there is
 *    exactly one shape to store and no properties to ignore silently.
 *  - Decimal places are counted from the shortest JavaScript representation
 *    of the parsed number. Parsing drops trailing zeros (113.821450 becomes
 *    113.82145), so a coordinate that genuinely ends in 0 has to be sent with
 *    one more significant digit (113.8214501); the PRECISION message says so.
 *    (There was a raw-JSON-text entry point that counted the digits as
 *    written; nothing but its tests used it — GraphQL hands us parsed values —
 *    so it was removed.)
 *  - Winding order is neither enforced nor normalised (RFC 7946 only says
 *    SHOULD); area and self-intersection checks do not depend on it.
 *  - Consecutive repeated positions (common in GPS-walked boundaries) are
 *    dropped from the returned polygon: they carry no shape information and
 *    @turf/kinks would otherwise report them as self-touching.
 *  - The returned geometry is a fresh object with only `type` and
 *    `coordinates` (foreign members and `bbox` are dropped). An optional
 *    third (altitude) value in a position is kept as sent.
 *  - Not checked (would need another dependency, e.g. @turf/boolean-within):
 *    that holes lie inside the exterior ring. Holes that cross or touch the
 *    exterior are caught as SELF_INTERSECTION.
 */
import { getIssues, type HintIssue } from '@placemarkio/check-geojson';
import { kinks } from '@turf/kinks';
import type { Point, Polygon, Position } from 'geojson';
import { polygonAreaM2, ringAreaM2 } from './area.js';
import { pathAtOffsets, scanJson, segKey, type JsonScan, type Seg } from './json-scan.js';

export type GeoRule =
  | 'GEOJSON_INVALID'
  | 'GEOMETRY_TYPE'
  | 'WGS84_RANGE'
  | 'PRECISION'
  | 'POLYGON_REQUIRED'
  | 'RING_NOT_CLOSED'
  | 'RING_TOO_SHORT'
  | 'SELF_INTERSECTION';

export interface GeoIssue {
  /** Dotted JSON path from the caller's base path, e.g. `geolocation.coordinates.0.3`. */
  path: string;
  rule: GeoRule;
  message: string;
}

export type PlotGeometry = Point | Polygon;

export type PlotGeolocationResult =
  | {
      ok: true;
      geometry: PlotGeometry;
      /** Polygon area on the WGS84 ellipsoid in hectares, 4 decimal places; null for a Point. */
      computedAreaHa: string | null;
      /** The point itself, or the mean of the polygon's distinct exterior-ring vertices. */
      centroid: [longitude: number, latitude: number];
    }
  | { ok: false; issues: GeoIssue[] };

/** EUDR: latitude and longitude with at least six decimal digits. */
export const MIN_COORDINATE_DECIMALS = 6;
/** EUDR: plots above this declared area (hectares) must be given as a polygon. */
export const POINT_MAX_AREA_HA = 4;
/**
 * Upper bound on positions in one geometry. Self-intersection checking is
 * quadratic in the number of vertices (2000 ≈ 0.1 s of CPU); a walked plot boundary needs far fewer.
 */
export const MAX_POSITIONS = 2000;
/** Rings enclosing less than this (m²) are treated as collapsed (all vertices collinear). */
const MIN_RING_AREA_M2 = 1;

const PLOT_EXAMPLE = '{"type":"Point","coordinates":[113.8214501,-7.9131234]}';

/**
 * Validate an already-parsed GeoJSON value.
 *
 * @param value          the client's geolocation (parsed JSON)
 * @param declaredAreaHa the plot's declared area in hectares as a non-negative
 *                       decimal string ("3.25"), or null/undefined if unknown.
 *                       Validating that field is the caller's job: anything
 *                       else throws a TypeError.
 * @param basePath       prefix for issue paths ('' for none)
 */
export function validatePlotGeolocation(
  value: unknown,
  declaredAreaHa: string | null | undefined,
  basePath = 'geolocation',
): PlotGeolocationResult {
  const polygonRequired = declaredAreaRequiresPolygon(declaredAreaHa);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return fail([issue(basePath, [], 'GEOJSON_INVALID', `The geolocation is not plain JSON data (${errorText(error)}).`)]);
  }
  if (text === undefined) {
    return fail([issue(basePath, [], 'GEOJSON_INVALID', `The geolocation is missing; expected a GeoJSON Point or Polygon, e.g. ${PLOT_EXAMPLE}.`)]);
  }
  // Work on a clean JSON copy so that what the structure checker saw and what
  // we inspect are the same data (and the caller's object is never aliased).
  return validateParsed(JSON.parse(text) as unknown, text, polygonRequired, basePath);
}

// ---------------------------------------------------------------------------

function validateParsed(
  value: unknown,
  text: string,
  polygonRequired: { declared: string } | null,
  basePath: string,
): PlotGeolocationResult {
  // 1. Type gate -------------------------------------------------------------
  const gate = typeGate(value, basePath);
  if (!gate.ok) return fail(gate.issues);
  const obj = gate.obj;
  const type = gate.type;

  const countIssue = checkPositionCount(obj, type, basePath);
  if (countIssue) return fail([countIssue]);

  // 2. Structure -------------------------------------------------------------
  const ringCheck = type === 'Polygon' ? checkRings(obj.coordinates, basePath) : emptyRingCheck();
  const issues: GeoIssue[] = [...ringCheck.issues];
  let scan: JsonScan | null = null;
  const getScan = (): JsonScan | null => {
    if (scan === null) {
      try {
        scan = scanJson(text);
      } catch {
        return null;
      }
    }
    return scan;
  };

  if (!ringCheck.hasEmptyRing) {
    // check-geojson crashes on an empty ring (reported above as RING_TOO_SHORT),
    // so it only runs when there is none.
    let hints: HintIssue[];
    try {
      hints = getIssues(text);
    } catch (error) {
      hints = [{ message: `Invalid GeoJSON: ${errorText(error)}`, from: 0, to: 0, severity: 'error' }];
    }
    const seen = new Set<string>();
    for (const hint of hints) {
      const segs = pathAtOffsets(getScan(), hint.from, hint.to);
      const key = segKey(segs);
      if (ringCheck.explained.has(key)) continue; // already reported under a specific rule
      const message = hint.message.replace(/’/g, "'");
      if (seen.has(`${key}|${message}`)) continue;
      seen.add(`${key}|${message}`);
      issues.push(issue(basePath, segs, 'GEOJSON_INVALID', message));
    }
  }
  if (ringCheck.hasEmptyRing || issues.some((i) => i.rule === 'GEOJSON_INVALID')) return fail(issues);

  // From here the structure is known-good: coordinates are well-formed positions.
  const geometry = obj as unknown as PlotGeometry;

  // 3. Coordinates -----------------------------------------------------------
  for (const { position, segs } of positionsToCheck(geometry, ringCheck.unclosed)) {
    const rangeIssue = checkRange(position, basePath, segs);
    if (rangeIssue) issues.push(rangeIssue);
    const precisionIssue = checkPrecision(position, basePath, segs);
    if (precisionIssue) issues.push(precisionIssue);
  }
  if (geometry.type === 'Point' && polygonRequired) {
    issues.push(
      issue(
        basePath,
        [],
        'POLYGON_REQUIRED',
        `A Point is not enough for a declared area of ${polygonRequired.declared} ha: EUDR requires plots above ` +
          `${POINT_MAX_AREA_HA} ha to be given as a Polygon of the plot boundary (a single point is only enough ` +
          `for ${POINT_MAX_AREA_HA} ha or less).`,
      ),
    );
  }
  if (issues.length > 0) return fail(issues);

  if (geometry.type === 'Point') {
    const [lon, lat] = geometry.coordinates as [number, number, ...number[]];
    return {
      ok: true,
      geometry: { type: 'Point', coordinates: [...geometry.coordinates] },
      computedAreaHa: null,
      centroid: [lon, lat],
    };
  }

  // 4. Polygon shape ---------------------------------------------------------
  const rings = geometry.coordinates.map(dropRepeatedPositions);
  const polygon: Polygon = { type: 'Polygon', coordinates: rings };
  issues.push(...checkSelfIntersections(rings, basePath));
  if (issues.length > 0) return fail(issues);

  // 5. Result ----------------------------------------------------------------
  const exterior = rings[0] ?? [];
  const corners = exterior.slice(0, -1);
  const centroid: [number, number] = [
    corners.reduce((sum, p) => sum + (p[0] ?? 0), 0) / corners.length,
    corners.reduce((sum, p) => sum + (p[1] ?? 0), 0) / corners.length,
  ];
  return {
    ok: true,
    geometry: polygon,
    computedAreaHa: (polygonAreaM2(rings) / 10_000).toFixed(4),
    centroid,
  };
}

// --- 1. type gate ----------------------------------------------------------

type GateResult =
  | { ok: true; obj: Record<string, unknown>; type: 'Point' | 'Polygon' }
  | { ok: false; issues: GeoIssue[] };

function typeGate(value: unknown, basePath: string): GateResult {
  const reject = (segs: Seg[], rule: GeoRule, message: string): GateResult => ({
    ok: false,
    issues: [issue(basePath, segs, rule, message)],
  });
  if (value === null) {
    return reject([], 'GEOJSON_INVALID', `Expected a GeoJSON Point or Polygon object, got null; e.g. ${PLOT_EXAMPLE}.`);
  }
  if (typeof value === 'string') {
    return reject(
      [],
      'GEOJSON_INVALID',
      'Expected a GeoJSON Point or Polygon object, got a string. If the string holds GeoJSON text, send the object itself, not an encoded string.',
    );
  }
  if (Array.isArray(value)) {
    return reject(
      [],
      'GEOJSON_INVALID',
      `Expected a GeoJSON Point or Polygon object, got an array; coordinates must be wrapped in a geometry object, e.g. ${PLOT_EXAMPLE}.`,
    );
  }
  if (typeof value !== 'object') {
    return reject([], 'GEOJSON_INVALID', `Expected a GeoJSON Point or Polygon object, got a ${typeof value}; e.g. ${PLOT_EXAMPLE}.`);
  }
  const obj = value as Record<string, unknown>;
  const type = obj.type;
  if (type === undefined) {
    return reject(['type'], 'GEOJSON_INVALID', 'The "type" member is missing; a GeoJSON geometry needs "type": "Point" or "Polygon".');
  }
  if (typeof type !== 'string') {
    return reject(['type'], 'GEOJSON_INVALID', 'The "type" member must be the string "Point" or "Polygon".');
  }
  if (type === 'Point' || type === 'Polygon') return { ok: true, obj, type };

  const only = 'Only a plain GeoJSON geometry of type Point or Polygon is accepted';
  let message: string;
  switch (type) {
    case 'Feature':
      message = `Type "Feature" is not accepted. ${only}, not a Feature wrapper: send the Feature's "geometry" member on its own.`;
      break;
    case 'FeatureCollection':
      message = `Type "FeatureCollection" is not accepted. ${only}; a plot has exactly one geometry, so send that geometry on its own.`;
      break;
    case 'MultiPolygon':
      message = `Type "MultiPolygon" is not accepted. ${only}: a plot is one contiguous area, so register each part as a separate plot with its own Polygon.`;
      break;
    case 'MultiPoint':
    case 'LineString':
    case 'MultiLineString':
    case 'GeometryCollection':
      message = `Type "${type}" is not accepted. ${only}.`;
      break;
    default:
      message =
        type.toLowerCase() === 'point' || type.toLowerCase() === 'polygon'
          ? `Type "${type}" is not recognised; GeoJSON type names are case-sensitive: use "${type.toLowerCase() === 'point' ? 'Point' : 'Polygon'}".`
          : `Type "${type}" is not a GeoJSON geometry type. ${only}.`;
  }
  return reject(['type'], 'GEOMETRY_TYPE', message);
}

function checkPositionCount(obj: Record<string, unknown>, type: 'Point' | 'Polygon', basePath: string): GeoIssue | null {
  if (type !== 'Polygon' || !Array.isArray(obj.coordinates)) return null;
  let count = 0;
  for (const ring of obj.coordinates as unknown[]) if (Array.isArray(ring)) count += ring.length;
  if (count <= MAX_POSITIONS) return null;
  return issue(
    basePath,
    ['coordinates'],
    'GEOJSON_INVALID',
    `The polygon has ${count} positions; at most ${MAX_POSITIONS} are accepted for one plot (simplify the boundary).`,
  );
}

// --- 2. rings --------------------------------------------------------------

interface RingCheck {
  issues: GeoIssue[];
  /** Paths (segKey) whose check-geojson issues are already covered by a specific rule. */
  explained: Set<string>;
  /** Indices of rings reported as not closed (their last position is a real vertex). */
  unclosed: Set<number>;
  hasEmptyRing: boolean;
}

function emptyRingCheck(): RingCheck {
  return { issues: [], explained: new Set(), unclosed: new Set(), hasEmptyRing: false };
}

function isPosition(value: unknown): value is Position {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.length <= 3 &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

function ringName(index: number): string {
  return index === 0 ? 'exterior ring' : `hole ${index}`;
}

/**
 * Ring closure and length, checked on rings whose positions are well-formed
 * (anything else is left to check-geojson). Also catches what check-geojson
 * does not: a Polygon without rings, and rings with too few *distinct* corners.
 */
function checkRings(coordinates: unknown, basePath: string): RingCheck {
  const result = emptyRingCheck();
  if (!Array.isArray(coordinates)) return result;
  if (coordinates.length === 0) {
    result.issues.push(
      issue(basePath, ['coordinates'], 'GEOJSON_INVALID', 'The Polygon has no rings; it needs at least its exterior ring.'),
    );
    return result;
  }
  coordinates.forEach((ring: unknown, r) => {
    if (!Array.isArray(ring)) return;
    const ringSegs: Seg[] = ['coordinates', r];
    if (ring.length === 0) {
      result.hasEmptyRing = true;
      result.issues.push(
        issue(basePath, ringSegs, 'RING_TOO_SHORT', `The ${ringName(r)} is empty; a ring needs at least 4 positions (3 corners plus the first repeated at the end).`),
      );
      return;
    }
    if (!ring.every(isPosition)) return;
    const positions = ring as Position[];
    const first = positions[0]!;
    const last = positions[positions.length - 1]!;
    const closed = first.length === last.length && first.every((v, i) => v === last[i]);
    if (!closed) {
      result.unclosed.add(r);
      result.explained.add(segKey([...ringSegs, 0]));
      result.explained.add(segKey([...ringSegs, positions.length - 1]));
      result.issues.push(
        issue(
          basePath,
          ringSegs,
          'RING_NOT_CLOSED',
          `The ${ringName(r)} is not closed: its last position ${fmt(last)} must repeat its first position ${fmt(first)}.`,
        ),
      );
    }
    const deduped = dropRepeatedPositions(positions);
    const corners = closed ? deduped.length - 1 : deduped.length;
    if (positions.length < 4) {
      result.explained.add(segKey(ringSegs));
      result.issues.push(
        issue(
          basePath,
          ringSegs,
          'RING_TOO_SHORT',
          `The ${ringName(r)} has ${positions.length} position${positions.length === 1 ? '' : 's'}; a ring needs at least 4 (3 corners plus the first repeated at the end).`,
        ),
      );
    } else if (corners < 3) {
      result.issues.push(
        issue(
          basePath,
          ringSegs,
          'RING_TOO_SHORT',
          `The ${ringName(r)} has ${positions.length} positions but only ${corners} distinct corner${corners === 1 ? '' : 's'}; a ring needs at least 3 distinct corners.`,
        ),
      );
    }
  });
  return result;
}

/** Drop positions that repeat the previous one's longitude/latitude. */
function dropRepeatedPositions(ring: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const prev = out[out.length - 1];
    if (prev && prev[0] === p[0] && prev[1] === p[1]) continue;
    out.push([...p]);
  }
  return out;
}

// --- 3. coordinates --------------------------------------------------------

function* positionsToCheck(
  geometry: PlotGeometry,
  unclosed: Set<number>,
): Generator<{ position: Position; segs: Seg[] }> {
  if (geometry.type === 'Point') {
    yield { position: geometry.coordinates, segs: ['coordinates'] };
    return;
  }
  for (const [r, ring] of geometry.coordinates.entries()) {
    // The closing position repeats the first one: don't report it twice.
    const end = unclosed.has(r) ? ring.length : ring.length - 1;
    for (let p = 0; p < end; p++) yield { position: ring[p]!, segs: ['coordinates', r, p] };
  }
}

function checkRange(position: Position, basePath: string, segs: Seg[]): GeoIssue | null {
  const lon = position[0]!;
  const lat = position[1]!;
  const problems: string[] = [];
  if (lon < -180 || lon > 180) problems.push(`longitude ${lon} is outside -180..180`);
  if (lat < -90 || lat > 90) problems.push(`latitude ${lat} is outside -90..90`);
  if (problems.length === 0) return null;
  let message = `Position ${fmt(position)}: ${problems.join(' and ')} (WGS84).`;
  if (Math.abs(lon) <= 90 && Math.abs(lat) > 90 && Math.abs(lat) <= 180) {
    message += ' The coordinates look like [latitude, longitude]; GeoJSON uses [longitude, latitude].';
  }
  return issue(basePath, segs, 'WGS84_RANGE', message);
}

function checkPrecision(position: Position, basePath: string, segs: Seg[]): GeoIssue | null {
  const problems: string[] = [];
  (['longitude', 'latitude'] as const).forEach((name, i) => {
    const literal = String(position[i]);
    const decimals = decimalPlaces(literal);
    if (decimals < MIN_COORDINATE_DECIMALS) {
      problems.push(`${name} ${literal} has ${decimals} decimal place${decimals === 1 ? '' : 's'}`);
    }
  });
  if (problems.length === 0) return null;
  const message =
    `${capitalise(problems.join(' and '))}; EUDR requires at least ${MIN_COORDINATE_DECIMALS} decimal places.` +
    ' Trailing zeros are lost once the JSON is parsed (113.821450 arrives as 113.82145), so if a coordinate' +
    ' really ends in 0, add one more significant digit (e.g. send 113.8214501).';
  return issue(basePath, segs, 'PRECISION', message);
}

/** Decimal places of a number's shortest JavaScript representation (exponent forms too, e.g. "1.5e-7" → 8). */
export function decimalPlaces(literal: string): number {
  const m = /^-?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return 0;
  return Math.max(0, (m[1]?.length ?? 0) - Number(m[2] ?? 0));
}

/** Exact decimal comparison `declared > 4` on the string (no float rounding). */
function declaredAreaRequiresPolygon(declared: string | null | undefined): { declared: string } | null {
  if (declared === null || declared === undefined) return null;
  const m = typeof declared === 'string' ? /^(\d+)(?:\.(\d+))?$/.exec(declared) : null;
  if (!m) {
    throw new TypeError(`declaredAreaHa must be a non-negative decimal string such as "3.25", got ${JSON.stringify(declared)}`);
  }
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const fraction = m[2] ?? '';
  const above =
    whole.length > String(POINT_MAX_AREA_HA).length ||
    Number(whole) > POINT_MAX_AREA_HA ||
    (Number(whole) === POINT_MAX_AREA_HA && /[1-9]/.test(fraction));
  return above ? { declared } : null;
}

// --- 4. polygon shape ------------------------------------------------------

function checkSelfIntersections(rings: Position[][], basePath: string): GeoIssue[] {
  const issues: GeoIssue[] = [];
  const clean: boolean[] = [];
  rings.forEach((ring, r) => {
    const crossings = crossingPoints({ type: 'Polygon', coordinates: [ring] });
    if (crossings.length > 0) {
      issues.push(
        issue(
          basePath,
          ['coordinates', r],
          'SELF_INTERSECTION',
          `The ${ringName(r)} crosses or touches itself at ${describePoints(crossings)}; a ring must be a simple closed line.`,
        ),
      );
      clean.push(false);
      return;
    }
    if (ringAreaM2(ring) < MIN_RING_AREA_M2) {
      issues.push(
        issue(
          basePath,
          ['coordinates', r],
          'SELF_INTERSECTION',
          `The ${ringName(r)} encloses no area: its corners are collinear, so its edges run back over each other.`,
        ),
      );
      clean.push(false);
      return;
    }
    clean.push(true);
  });
  for (let a = 0; a < rings.length; a++) {
    for (let b = a + 1; b < rings.length; b++) {
      if (!clean[a] || !clean[b]) continue;
      const crossings = crossingPoints({ type: 'Polygon', coordinates: [rings[a]!, rings[b]!] });
      if (crossings.length > 0) {
        issues.push(
          issue(
            basePath,
            ['coordinates', b],
            'SELF_INTERSECTION',
            `The ${ringName(b)} crosses or touches the ${ringName(a)} at ${describePoints(crossings)}; rings of a Polygon must not intersect.`,
          ),
        );
      }
    }
  }
  return issues;
}

function crossingPoints(polygon: Polygon): Position[] {
  const unique = new Map<string, Position>();
  for (const feature of kinks(polygon).features) {
    const p = feature.geometry.coordinates;
    unique.set(fmt(p), p);
  }
  return [...unique.values()];
}

function describePoints(points: Position[]): string {
  const shown = points.slice(0, 3).map(fmt).join(', ');
  return points.length > 3 ? `${shown} and ${points.length - 3} more point(s)` : shown;
}

// --- helpers ---------------------------------------------------------------

function fail(issues: GeoIssue[]): PlotGeolocationResult {
  return { ok: false, issues };
}

function issue(basePath: string, segs: Seg[], rule: GeoRule, message: string): GeoIssue {
  return { path: joinPath(basePath, segs), rule, message };
}

function joinPath(basePath: string, segs: Seg[]): string {
  return [basePath, ...segs.map(String)].filter((s) => s !== '').join('.');
}

function fmt(position: Position): string {
  return `[${position.map((n) => Number(n.toFixed(7))).join(', ')}]`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
