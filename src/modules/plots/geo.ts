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
 *                      type Point, Polygon or MultiPolygon (a plot in several
 *                      discontiguous parts, as the EU information system
 *                      accepts). Feature / FeatureCollection wrappers,
 *                      LineString etc. are rejected (GEOMETRY_TYPE) with a
 *                      message saying what to send instead.
 *  2. Structure      — @placemarkio/check-geojson validates the RFC 7946
 *                      structure (positions, bbox, forbidden members…). Its
 *                      issues carry character offsets, which are mapped back
 *                      to JSON paths (GEOJSON_INVALID, json-scan.ts). Ring
 *                      closure and ring length are reported under their own
 *                      rules (RING_NOT_CLOSED, RING_TOO_SHORT) instead of the
 *                      library's generic wording, for every part.
 *  3. Coordinates    — WGS84 ranges (with a hint when [lat, lon] looks
 *                      swapped), ≥ 6 decimal places, and "above 4 ha needs a
 *                      Polygon" (WGS84_RANGE, PRECISION, POLYGON_REQUIRED).
 *  4. Polygon shape  — self-intersections via @turf/kinks, per ring, between
 *                      the rings of a polygon (holes are validated like the
 *                      exterior) and between the parts of a MultiPolygon,
 *                      plus collapsed zero-area rings that kinks cannot see
 *                      (SELF_INTERSECTION).
 *  5. Result         — the area on the WGS84 ellipsoid (area.ts; hectares,
 *                      4 dp string; a MultiPolygon's is the total of its parts)
 *                      and a centroid.
 *
 * Decisions worth knowing:
 *  - Only plain geometries are accepted (no Feature wrapper), so that there is
 *    exactly one shape to store and no properties to ignore silently.
 *  - The 4 ha rule is about the whole plot: the declared area is the plot's
 *    total, and a MultiPolygon (like a Polygon) is the boundary form the rule
 *    asks for; its computed area is the sum of its parts.
 *  - Decimal places are counted from the JSON number literal as written
 *    whenever the text is known: `validatePlotGeolocationJson` takes text,
 *    and `validatePlotGeolocation` uses the text the request body parser or
 *    the GeoJSON scalar remembered for the value (platform/json-source.ts),
 *    so 113.821450 counts as 6 places through the API. Only a value built in
 *    code (the seed) falls back to the shortest JavaScript representation,
 *    where trailing zeros are gone; the PRECISION message then says so.
 *  - Winding order is neither enforced nor normalised (RFC 7946 only says
 *    SHOULD); area and self-intersection checks do not depend on it.
 *  - Consecutive repeated positions (common in GPS-walked boundaries) are
 *    dropped from the returned polygon: they carry no shape information and
 *    @turf/kinks would otherwise report them as self-touching.
 *  - The returned geometry is a fresh object with only `type` and
 *    `coordinates` (foreign members and `bbox` are dropped). An optional
 *    third (altitude) value in a position is kept as sent.
 *  - Not checked (would need another dependency, e.g. @turf/boolean-within):
 *    that holes lie inside the exterior ring, and that one part of a
 *    MultiPolygon does not lie wholly inside another. Holes or parts that
 *    cross or touch are caught as SELF_INTERSECTION.
 *  - Not checked either: that a plot lies in the right country. A [lat, lon]
 *    swap whose values are both in range (6.352104, -1.980012) is only
 *    caught when it leaves the WGS84 ranges.
 */
import { getIssues, type HintIssue } from '@placemarkio/check-geojson';
import { kinks } from '@turf/kinks';
import type { MultiPolygon, Point, Polygon, Position } from 'geojson';
import { polygonAreaM2, ringAreaM2 } from './area.js';
import { pathAtOffsets, scanJson, segKey, type JsonScan, type Seg } from '../../platform/json-scan.js';
import { jsonSourceOf } from '../../platform/json-source.js';
import { type IssueText, nId } from '../../platform/issue-messages.js';

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
  /** English (always `text.en`). */
  message: string;
  text: IssueText;
}

export type PlotGeometry = Point | Polygon | MultiPolygon;

export type PlotGeolocationResult =
  | {
      ok: true;
      geometry: PlotGeometry;
      /** Area on the WGS84 ellipsoid in hectares, 4 decimal places (a MultiPolygon: all parts); null for a Point. */
      computedAreaHa: string | null;
      /** The point itself, or the mean of the distinct exterior-ring vertices (of every part). */
      centroid: [longitude: number, latitude: number];
    }
  | { ok: false; issues: GeoIssue[] };

/** EUDR: latitude and longitude with at least six decimal digits. */
export const MIN_COORDINATE_DECIMALS = 6;
/** EUDR: plots above this declared area (hectares) must be given as a polygon. */
export const POINT_MAX_AREA_HA = 4;
/**
 * Upper bound on positions in one geometry (all parts together). Self-intersection checking is
 * quadratic in the number of vertices (2000 ≈ 0.1 s of CPU); a walked plot boundary needs far fewer.
 */
export const MAX_POSITIONS = 2000;
/** Rings enclosing less than this (m²) are treated as collapsed (all vertices collinear). */
const MIN_RING_AREA_M2 = 1;

const PLOT_EXAMPLE = '{"type":"Point","coordinates":[113.8214501,-7.9131234]}';
const ACCEPTED = 'Point, Polygon or MultiPolygon';
const ACCEPTED_ID = 'Point, Polygon atau MultiPolygon';

type GeometryType = 'Point' | 'Polygon' | 'MultiPolygon';

/**
 * Validate an already-parsed GeoJSON value (what GraphQL hands the services).
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
  const source = jsonSourceOf(value);
  if (source !== undefined) return validatePlotGeolocationJson(source, declaredAreaHa, basePath);
  const polygonRequired = declaredAreaRequiresPolygon(declaredAreaHa);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const detail = errorText(error);
    return fail([issue(basePath, [], 'GEOJSON_INVALID', { en: `The geolocation is not plain JSON data (${detail}).`, id: `Geolokasi ini bukan data JSON biasa (${detail}).` })]);
  }
  if (text === undefined) {
    return fail([
      issue(basePath, [], 'GEOJSON_INVALID', {
        en: `The geolocation is missing; expected a GeoJSON ${ACCEPTED}, e.g. ${PLOT_EXAMPLE}.`,
        id: `Geolokasi belum diisi; seharusnya GeoJSON ${ACCEPTED_ID}, contoh: ${PLOT_EXAMPLE}.`,
      }),
    ]);
  }
  // Work on a clean JSON copy so that what the structure checker saw and what
  // we inspect are the same data (and the caller's object is never aliased).
  return validateParsed(JSON.parse(text) as unknown, text, false, polygonRequired, basePath);
}

/**
 * Same as {@link validatePlotGeolocation} but from the raw JSON text, so that
 * decimal places are counted exactly as written (113.821450 counts as 6).
 *
 * `validatePlotGeolocation` comes here when it knows the value's source text
 * (every geometry that arrives through the API); the fixture tests and any
 * file import call it directly.
 */
export function validatePlotGeolocationJson(
  json: string,
  declaredAreaHa: string | null | undefined,
  basePath = 'geolocation',
): PlotGeolocationResult {
  const polygonRequired = declaredAreaRequiresPolygon(declaredAreaHa);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const detail = errorText(error);
    return fail([issue(basePath, [], 'GEOJSON_INVALID', { en: `The geolocation is not valid JSON (${detail}).`, id: `Geolokasi ini bukan JSON yang valid (${detail}).` })]);
  }
  return validateParsed(value, json, true, polygonRequired, basePath);
}

// ---------------------------------------------------------------------------

/** One polygon of the geometry: the Polygon itself, or one part of a MultiPolygon. */
interface Part {
  /** its rings as sent (not yet known to be well-formed) */
  rings: unknown;
  /** path of its ring list: ['coordinates'] or ['coordinates', k] */
  segs: Seg[];
  /** appended to ring names in messages: '' or ' of part k' */
  label: string;
}

function partsOf(obj: Record<string, unknown>, type: GeometryType): Part[] {
  if (type === 'Polygon') return [{ rings: obj.coordinates, segs: ['coordinates'], label: '' }];
  if (type === 'MultiPolygon' && Array.isArray(obj.coordinates)) {
    return (obj.coordinates as unknown[]).map((rings, k) => ({ rings, segs: ['coordinates', k], label: ` of part ${k}` }));
  }
  return [];
}

function validateParsed(
  value: unknown,
  text: string,
  rawLiterals: boolean,
  polygonRequired: { declared: string } | null,
  basePath: string,
): PlotGeolocationResult {
  // 1. Type gate -------------------------------------------------------------
  const gate = typeGate(value, basePath);
  if (!gate.ok) return fail(gate.issues);
  const { obj, type } = gate;
  const parts = partsOf(obj, type);

  const countIssue = checkPositionCount(obj, parts, basePath);
  if (countIssue) return fail([countIssue]);

  // 2. Structure -------------------------------------------------------------
  const ringCheck = emptyRingCheck();
  if (type === 'MultiPolygon' && Array.isArray(obj.coordinates) && obj.coordinates.length === 0) {
    ringCheck.issues.push(
      issue(basePath, ['coordinates'], 'GEOJSON_INVALID', {
        en: 'The MultiPolygon has no polygons; it needs at least one part.',
        id: 'MultiPolygon ini tidak berisi poligon; perlu paling sedikit satu bagian.',
      }),
    );
  }
  for (const part of parts) checkRings(part, basePath, ringCheck);
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
      // (check-geojson's messages are English; Indonesian names the problem and keeps its detail)
    }
    const seen = new Set<string>();
    for (const hint of hints) {
      const segs = pathAtOffsets(getScan(), hint.from, hint.to);
      const key = segKey(segs);
      if (ringCheck.explained.has(key)) continue; // already reported under a specific rule
      const message = hint.message.replace(/’/g, "'");
      if (seen.has(`${key}|${message}`)) continue;
      seen.add(`${key}|${message}`);
      issues.push(issue(basePath, segs, 'GEOJSON_INVALID', { en: message, id: `GeoJSON tidak valid. Rincian: ${message}` }));
    }
  }
  if (ringCheck.hasEmptyRing || issues.some((i) => i.rule === 'GEOJSON_INVALID')) return fail(issues);

  // From here the structure is known-good: coordinates are well-formed positions.
  const geometry = obj as unknown as PlotGeometry;

  // 3. Coordinates -----------------------------------------------------------
  const literalAt = (segs: Seg[]): string | undefined => (rawLiterals ? getScan()?.numbers.get(segKey(segs)) : undefined);
  for (const { position, segs } of positionsToCheck(geometry, ringCheck.unclosed)) {
    const rangeIssue = checkRange(position, basePath, segs);
    if (rangeIssue) issues.push(rangeIssue);
    const precisionIssue = checkPrecision(position, basePath, segs, literalAt, rawLiterals);
    if (precisionIssue) issues.push(precisionIssue);
  }
  if (geometry.type === 'Point' && polygonRequired) {
    issues.push(
      issue(
        basePath,
        [],
        'POLYGON_REQUIRED',
        {
          en:
            `A Point is not enough for a declared area of ${polygonRequired.declared} ha: EUDR requires plots above ` +
            `${POINT_MAX_AREA_HA} ha to be given as a Polygon (or MultiPolygon) of the plot boundary (a single point ` +
            `is only enough for ${POINT_MAX_AREA_HA} ha or less).`,
          id:
            `Satu titik (Point) tidak cukup untuk luas ${nId(polygonRequired.declared)} ha: EUDR mewajibkan lahan di atas ` +
            `${POINT_MAX_AREA_HA} ha dipetakan sebagai Polygon (atau MultiPolygon) batas lahan (satu titik hanya cukup ` +
            `untuk lahan ${POINT_MAX_AREA_HA} ha atau kurang).`,
        },
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
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const cleaned = polygons.map((rings) => rings.map(dropRepeatedPositions));
  parts.forEach((part, k) => issues.push(...checkSelfIntersections(cleaned[k]!, part, basePath)));
  if (issues.length === 0 && geometry.type === 'MultiPolygon') issues.push(...checkPartCrossings(cleaned, parts, basePath));
  if (issues.length > 0) return fail(issues);

  // 5. Result ----------------------------------------------------------------
  const corners = cleaned.flatMap((rings) => (rings[0] ?? []).slice(0, -1));
  const centroid: [number, number] = [
    corners.reduce((sum, p) => sum + (p[0] ?? 0), 0) / corners.length,
    corners.reduce((sum, p) => sum + (p[1] ?? 0), 0) / corners.length,
  ];
  const areaM2 = cleaned.reduce((sum, rings) => sum + polygonAreaM2(rings), 0);
  return {
    ok: true,
    geometry:
      geometry.type === 'Polygon' ? { type: 'Polygon', coordinates: cleaned[0]! } : { type: 'MultiPolygon', coordinates: cleaned },
    computedAreaHa: (areaM2 / 10_000).toFixed(4),
    centroid,
  };
}

// --- 1. type gate ----------------------------------------------------------

type GateResult =
  | { ok: true; obj: Record<string, unknown>; type: GeometryType }
  | { ok: false; issues: GeoIssue[] };

function typeGate(value: unknown, basePath: string): GateResult {
  const reject = (segs: Seg[], rule: GeoRule, message: IssueText): GateResult => ({
    ok: false,
    issues: [issue(basePath, segs, rule, message)],
  });
  if (value === null) {
    return reject([], 'GEOJSON_INVALID', {
      en: `Expected a GeoJSON ${ACCEPTED} object, got null; e.g. ${PLOT_EXAMPLE}.`,
      id: `Seharusnya objek GeoJSON ${ACCEPTED_ID}, tetapi yang diisi null; contoh: ${PLOT_EXAMPLE}.`,
    });
  }
  if (typeof value === 'string') {
    return reject([], 'GEOJSON_INVALID', {
      en: `Expected a GeoJSON ${ACCEPTED} object, got a string. If the string holds GeoJSON text, send the object itself, not an encoded string.`,
      id: `Seharusnya objek GeoJSON ${ACCEPTED_ID}, tetapi yang diisi teks. Bila teks itu berisi GeoJSON, kirim objeknya langsung, bukan sebagai teks.`,
    });
  }
  if (Array.isArray(value)) {
    return reject([], 'GEOJSON_INVALID', {
      en: `Expected a GeoJSON ${ACCEPTED} object, got an array; coordinates must be wrapped in a geometry object, e.g. ${PLOT_EXAMPLE}.`,
      id: `Seharusnya objek GeoJSON ${ACCEPTED_ID}, tetapi yang diisi daftar; koordinat harus dibungkus dalam objek geometri, contoh: ${PLOT_EXAMPLE}.`,
    });
  }
  if (typeof value !== 'object') {
    return reject([], 'GEOJSON_INVALID', {
      en: `Expected a GeoJSON ${ACCEPTED} object, got a ${typeof value}; e.g. ${PLOT_EXAMPLE}.`,
      id: `Seharusnya objek GeoJSON ${ACCEPTED_ID}, tetapi yang diisi ${typeof value}; contoh: ${PLOT_EXAMPLE}.`,
    });
  }
  const obj = value as Record<string, unknown>;
  const type = obj.type;
  if (type === undefined) {
    return reject(['type'], 'GEOJSON_INVALID', {
      en: `The "type" member is missing; a GeoJSON geometry needs "type": "Point", "Polygon" or "MultiPolygon".`,
      id: `Kolom "type" tidak ada; geometri GeoJSON memerlukan "type": "Point", "Polygon" atau "MultiPolygon".`,
    });
  }
  if (typeof type !== 'string') {
    return reject(['type'], 'GEOJSON_INVALID', {
      en: 'The "type" member must be the string "Point", "Polygon" or "MultiPolygon".',
      id: 'Kolom "type" harus berupa teks "Point", "Polygon" atau "MultiPolygon".',
    });
  }
  if (type === 'Point' || type === 'Polygon' || type === 'MultiPolygon') return { ok: true, obj, type };

  const only = `Only a plain GeoJSON geometry of type ${ACCEPTED} is accepted`;
  const onlyId = `Yang diterima hanya geometri GeoJSON biasa bertipe ${ACCEPTED_ID}`;
  const proper = ['Point', 'Polygon', 'MultiPolygon'].find((t) => t.toLowerCase() === type.toLowerCase());
  let message: IssueText;
  switch (type) {
    case 'Feature':
      message = {
        en: `Type "Feature" is not accepted. ${only}, not a Feature wrapper: send the Feature's "geometry" member on its own.`,
        id: `Tipe "Feature" tidak diterima. ${onlyId}, bukan pembungkus Feature: kirim isi kolom "geometry" dari Feature itu saja.`,
      };
      break;
    case 'FeatureCollection':
      message = {
        en: `Type "FeatureCollection" is not accepted. ${only}; a plot has exactly one geometry, so send that geometry on its own.`,
        id: `Tipe "FeatureCollection" tidak diterima. ${onlyId}; satu lahan punya tepat satu geometri, jadi kirim geometri itu saja.`,
      };
      break;
    case 'MultiPoint':
    case 'LineString':
    case 'MultiLineString':
    case 'GeometryCollection':
      message = { en: `Type "${type}" is not accepted. ${only}.`, id: `Tipe "${type}" tidak diterima. ${onlyId}.` };
      break;
    default:
      message =
        proper !== undefined
          ? {
              en: `Type "${type}" is not recognised; GeoJSON type names are case-sensitive: use "${proper}".`,
              id: `Tipe "${type}" tidak dikenal; nama tipe GeoJSON membedakan huruf besar dan kecil: gunakan "${proper}".`,
            }
          : { en: `Type "${type}" is not a GeoJSON geometry type. ${only}.`, id: `"${type}" bukan tipe geometri GeoJSON. ${onlyId}.` };
  }
  return reject(['type'], 'GEOMETRY_TYPE', message);
}

function checkPositionCount(obj: Record<string, unknown>, parts: Part[], basePath: string): GeoIssue | null {
  let count = 0;
  for (const part of parts) {
    if (!Array.isArray(part.rings)) continue;
    for (const ring of part.rings as unknown[]) if (Array.isArray(ring)) count += ring.length;
  }
  if (count <= MAX_POSITIONS) return null;
  const what = obj.type === 'MultiPolygon' ? 'MultiPolygon' : 'polygon';
  return issue(basePath, ['coordinates'], 'GEOJSON_INVALID', {
    en: `The ${what} has ${count} positions; at most ${MAX_POSITIONS} are accepted for one plot (simplify the boundary).`,
    id: `${what === 'polygon' ? 'Poligon' : what} ini berisi ${nId(count)} titik; untuk satu lahan paling banyak ${nId(MAX_POSITIONS)} titik (sederhanakan batasnya).`,
  });
}

// --- 2. rings --------------------------------------------------------------

interface RingCheck {
  issues: GeoIssue[];
  /** Paths (segKey) whose check-geojson issues are already covered by a specific rule. */
  explained: Set<string>;
  /** Paths (segKey) of rings reported as not closed (their last position is a real vertex). */
  unclosed: Set<string>;
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

function ringName(index: number, label = ''): string {
  return (index === 0 ? 'exterior ring' : `hole ${index}`) + label;
}

/** The same in Indonesian (label " of part 2" → " bagian 2"). */
function ringNameId(index: number, label = ''): string {
  return (index === 0 ? 'cincin luar' : `lubang ${index}`) + label.replace(' of part ', ' bagian ');
}

/**
 * Ring closure and length of one polygon, checked on rings whose positions are
 * well-formed (anything else is left to check-geojson). Also catches what
 * check-geojson does not: a polygon without rings, and rings with too few
 * *distinct* corners. Adds to `result`.
 */
function checkRings(part: Part, basePath: string, result: RingCheck): void {
  const coordinates = part.rings;
  if (!Array.isArray(coordinates)) return;
  if (coordinates.length === 0) {
    const what = part.label === '' ? 'The Polygon has' : `Part ${String(part.segs[1])} of the MultiPolygon has`;
    const whatId = part.label === '' ? 'Polygon ini' : `Bagian ${String(part.segs[1])} dari MultiPolygon ini`;
    result.issues.push(
      issue(basePath, part.segs, 'GEOJSON_INVALID', {
        en: `${what} no rings; it needs at least its exterior ring.`,
        id: `${whatId} tidak berisi cincin; paling sedikit perlu cincin luarnya.`,
      }),
    );
    return;
  }
  coordinates.forEach((ring: unknown, r) => {
    if (!Array.isArray(ring)) return;
    const ringSegs: Seg[] = [...part.segs, r];
    const name = ringName(r, part.label);
    const nameId = ringNameId(r, part.label);
    if (ring.length === 0) {
      result.hasEmptyRing = true;
      result.issues.push(
        issue(basePath, ringSegs, 'RING_TOO_SHORT', {
          en: `The ${name} is empty; a ring needs at least 4 positions (3 corners plus the first repeated at the end).`,
          id: `${capitalise(nameId)} kosong; satu cincin perlu paling sedikit 4 titik (3 sudut ditambah titik pertama diulang di akhir).`,
        }),
      );
      return;
    }
    if (!ring.every(isPosition)) return;
    const positions = ring as Position[];
    const first = positions[0]!;
    const last = positions[positions.length - 1]!;
    const closed = first.length === last.length && first.every((v, i) => v === last[i]);
    if (!closed) {
      result.unclosed.add(segKey(ringSegs));
      result.explained.add(segKey([...ringSegs, 0]));
      result.explained.add(segKey([...ringSegs, positions.length - 1]));
      result.issues.push(
        issue(
          basePath,
          ringSegs,
          'RING_NOT_CLOSED',
          {
            en: `The ${name} is not closed: its last position ${fmt(last)} must repeat its first position ${fmt(first)}.`,
            id: `${capitalise(nameId)} tidak tertutup: titik terakhirnya ${fmt(last)} harus sama dengan titik pertamanya ${fmt(first)}.`,
          },
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
          {
            en: `The ${name} has ${positions.length} position${positions.length === 1 ? '' : 's'}; a ring needs at least 4 (3 corners plus the first repeated at the end).`,
            id: `${capitalise(nameId)} hanya berisi ${positions.length} titik; satu cincin perlu paling sedikit 4 (3 sudut ditambah titik pertama diulang di akhir).`,
          },
        ),
      );
    } else if (corners < 3) {
      result.issues.push(
        issue(
          basePath,
          ringSegs,
          'RING_TOO_SHORT',
          {
            en: `The ${name} has ${positions.length} positions but only ${corners} distinct corner${corners === 1 ? '' : 's'}; a ring needs at least 3 distinct corners.`,
            id: `${capitalise(nameId)} berisi ${positions.length} titik tetapi hanya ${corners} sudut yang berbeda; satu cincin perlu paling sedikit 3 sudut yang berbeda.`,
          },
        ),
      );
    }
  });
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

function* positionsToCheck(geometry: PlotGeometry, unclosed: Set<string>): Generator<{ position: Position; segs: Seg[] }> {
  if (geometry.type === 'Point') {
    yield { position: geometry.coordinates, segs: ['coordinates'] };
    return;
  }
  const polygons: Array<{ rings: Position[][]; segs: Seg[] }> =
    geometry.type === 'Polygon'
      ? [{ rings: geometry.coordinates, segs: ['coordinates'] }]
      : geometry.coordinates.map((rings, k) => ({ rings, segs: ['coordinates', k] }));
  for (const { rings, segs } of polygons) {
    for (const [r, ring] of rings.entries()) {
      // The closing position repeats the first one: don't report it twice.
      const end = unclosed.has(segKey([...segs, r])) ? ring.length : ring.length - 1;
      for (let p = 0; p < end; p++) yield { position: ring[p]!, segs: [...segs, r, p] };
    }
  }
}

function checkRange(position: Position, basePath: string, segs: Seg[]): GeoIssue | null {
  const lon = position[0]!;
  const lat = position[1]!;
  const problems: string[] = [];
  const problemsId: string[] = [];
  if (lon < -180 || lon > 180) {
    problems.push(`longitude ${lon} is outside -180..180`);
    problemsId.push(`bujur ${lon} di luar -180..180`);
  }
  if (lat < -90 || lat > 90) {
    problems.push(`latitude ${lat} is outside -90..90`);
    problemsId.push(`lintang ${lat} di luar -90..90`);
  }
  if (problems.length === 0) return null;
  let message = `Position ${fmt(position)}: ${problems.join(' and ')} (WGS84).`;
  let messageId = `Titik ${fmt(position)}: ${problemsId.join(' dan ')} (WGS84).`;
  if (Math.abs(lon) <= 90 && Math.abs(lat) > 90 && Math.abs(lat) <= 180) {
    message += ' The coordinates look like [latitude, longitude]; GeoJSON uses [longitude, latitude].';
    messageId += ' Koordinatnya tampak tertukar menjadi [lintang, bujur]; GeoJSON memakai urutan [bujur, lintang].';
  }
  return issue(basePath, segs, 'WGS84_RANGE', { en: message, id: messageId });
}

function checkPrecision(
  position: Position,
  basePath: string,
  segs: Seg[],
  literalAt: (segs: Seg[]) => string | undefined,
  rawLiterals: boolean,
): GeoIssue | null {
  const problems: string[] = [];
  const problemsId: string[] = [];
  (['longitude', 'latitude'] as const).forEach((name, i) => {
    const literal = literalAt([...segs, i]) ?? String(position[i]);
    const decimals = decimalPlaces(literal);
    if (decimals < MIN_COORDINATE_DECIMALS) {
      problems.push(`${name} ${literal} has ${decimals} decimal place${decimals === 1 ? '' : 's'}`);
      problemsId.push(`${name === 'longitude' ? 'bujur' : 'lintang'} ${literal} hanya punya ${decimals} angka desimal`);
    }
  });
  if (problems.length === 0) return null;
  let message = `${capitalise(problems.join(' and '))}; EUDR requires at least ${MIN_COORDINATE_DECIMALS} decimal places.`;
  let messageId = `${capitalise(problemsId.join(' dan '))}; EUDR mewajibkan paling sedikit ${MIN_COORDINATE_DECIMALS} angka desimal.`;
  if (!rawLiterals) {
    message +=
      ' Trailing zeros are lost once the JSON is parsed (113.821450 arrives as 113.82145), so if a coordinate' +
      ' really ends in 0, add one more significant digit (e.g. send 113.8214501).';
    messageId +=
      ' Angka nol di akhir hilang saat JSON dibaca (113.821450 diterima sebagai 113.82145); bila koordinat memang' +
      ' berakhir dengan 0, tambahkan satu angka lagi (misalnya kirim 113.8214501).';
  }
  return issue(basePath, segs, 'PRECISION', { en: message, id: messageId });
}

/** Decimal places written in a JSON number literal (or a JS shortest representation, e.g. "1.5e-7" → 8). */
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

/** Self-intersections of one polygon's rings, and between its rings. */
function checkSelfIntersections(rings: Position[][], part: Part, basePath: string): GeoIssue[] {
  const issues: GeoIssue[] = [];
  const clean: boolean[] = [];
  rings.forEach((ring, r) => {
    const crossings = crossingPoints({ type: 'Polygon', coordinates: [ring] });
    if (crossings.length > 0) {
      issues.push(
        issue(
          basePath,
          [...part.segs, r],
          'SELF_INTERSECTION',
          {
            en: `The ${ringName(r, part.label)} crosses or touches itself at ${describePoints(crossings)}; a ring must be a simple closed line.`,
            id: `${capitalise(ringNameId(r, part.label))} memotong atau menyentuh dirinya sendiri di ${describePoints(crossings, 'id')}; satu cincin harus berupa garis tertutup yang tidak bersilangan.`,
          },
        ),
      );
      clean.push(false);
      return;
    }
    if (ringAreaM2(ring) < MIN_RING_AREA_M2) {
      issues.push(
        issue(
          basePath,
          [...part.segs, r],
          'SELF_INTERSECTION',
          {
            en: `The ${ringName(r, part.label)} encloses no area: its corners are collinear, so its edges run back over each other.`,
            id: `${capitalise(ringNameId(r, part.label))} tidak melingkupi luas apa pun: sudut-sudutnya segaris, sehingga sisinya saling menimpa.`,
          },
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
            [...part.segs, b],
            'SELF_INTERSECTION',
            {
              en: `The ${ringName(b, part.label)} crosses or touches the ${ringName(a, part.label)} at ${describePoints(crossings)}; rings of a Polygon must not intersect.`,
              id: `${capitalise(ringNameId(b, part.label))} memotong atau menyentuh ${ringNameId(a, part.label)} di ${describePoints(crossings, 'id')}; cincin-cincin sebuah Polygon tidak boleh berpotongan.`,
            },
          ),
        );
      }
    }
  }
  return issues;
}

/** The parts of a MultiPolygon must not cross or touch each other (their exterior rings are compared). */
function checkPartCrossings(polygons: Position[][][], parts: Part[], basePath: string): GeoIssue[] {
  const issues: GeoIssue[] = [];
  for (let a = 0; a < polygons.length; a++) {
    for (let b = a + 1; b < polygons.length; b++) {
      const crossings = crossingPoints({ type: 'Polygon', coordinates: [polygons[a]![0]!, polygons[b]![0]!] });
      if (crossings.length > 0) {
        issues.push(
          issue(
            basePath,
            [...parts[b]!.segs, 0],
            'SELF_INTERSECTION',
            {
              en: `Part ${b} crosses or touches part ${a} at ${describePoints(crossings)}; the parts of a MultiPolygon must be separate areas.`,
              id: `Bagian ${b} memotong atau menyentuh bagian ${a} di ${describePoints(crossings, 'id')}; bagian-bagian MultiPolygon harus berupa area yang terpisah.`,
            },
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

function describePoints(points: Position[], lang: 'en' | 'id' = 'en'): string {
  const shown = points.slice(0, 3).map(fmt).join(', ');
  if (points.length <= 3) return shown;
  return lang === 'id' ? `${shown} dan ${points.length - 3} titik lain` : `${shown} and ${points.length - 3} more point(s)`;
}

// --- helpers ---------------------------------------------------------------

function fail(issues: GeoIssue[]): PlotGeolocationResult {
  return { ok: false, issues };
}

function issue(basePath: string, segs: Seg[], rule: GeoRule, text: IssueText): GeoIssue {
  return { path: joinPath(basePath, segs), rule, message: text.en, text };
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
