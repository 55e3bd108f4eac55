/**
 * Plot geolocation as the EU Information System reads it (pure, no I/O). The plot's stored
 * geometry was validated at registration (plots/geo.ts); this file prepares it for export:
 *
 *  1. Holes: the EU system keeps only outer rings, so a polygon with holes is cut into hole-free
 *     polygons covering the same area ("half-doughnuts"): vertical cuts through every hole (at a
 *     6-decimal longitude), the polygon intersected with each strip (polyclip-ts). Every hole is
 *     crossed by a cut, so each piece only has the hole as a notch in its outer boundary.
 *  2. Coordinates rounded to 6 decimals (the EU system truncates at 6; we send exactly 6 so what it
 *     reads is what we checked), consecutive duplicate positions removed, altitude dropped.
 *  3. Re-validated after rounding: every ring closed, at least 4 positions, non-zero area and no
 *     self-intersection (@turf/kinks). A ring broken by rounding is an issue naming the plot, never
 *     a silent export.
 *
 * Accepted input types: Point, MultiPoint, Polygon, MultiPolygon (and a GeometryCollection of
 * those). Output: a list of Point / MultiPoint / Polygon geometries, one Feature each
 * (points of a MultiPoint rounded and de-duplicated).
 */
import { kinks } from '@turf/kinks';
import type { Geometry, MultiPoint, Point, Polygon, Position } from 'geojson';
import { intersection } from 'polyclip-ts';
import type { Language } from '../../platform/language.js';
import { polygonAreaM2 } from '../plots/area.js';

export const EXPORT_DECIMALS = 6;
const SCALE = 10 ** EXPORT_DECIMALS;

export type ExportGeometry = Point | MultiPoint | Polygon;

export type ExportIssueRule = 'GEOMETRY_TYPE' | 'RING_BROKEN_BY_ROUNDING' | 'SELF_INTERSECTION_AFTER_ROUNDING';

export interface ExportIssue {
  rule: ExportIssueRule;
  /** What to fix, in the language asked for (exportGeometry's `lang`). */
  message: string;
}

/** A geometry problem, rendered in either language. */
type Problem = (lang: Language) => string;

/** What can be wrong with a plot's geometry for the EU system, per language (a missing one fails the type check). */
const GEOMETRY_TEXT: Readonly<Record<Language, {
  plot: (name: string, problem: string) => string;
  type: (type: string) => string;
  ringPositions: (n: number) => string;
  ringArea: string;
  selfIntersection: string;
  partSelfIntersection: string;
  noPositions: string;
}>> = {
  en: {
    plot: (name, problem) => `Plot "${name}": ${problem}`,
    type: (type) => `${type} is not accepted by the EU system (Point, MultiPoint, Polygon, MultiPolygon or GeometryCollection)`,
    ringPositions: (n) => `a ring has ${n} distinct positions after rounding to 6 decimals (at least 4 with the closing one are needed)`,
    ringArea: 'a ring encloses no area after rounding to 6 decimals',
    selfIntersection: 'the polygon intersects itself after rounding to 6 decimals',
    partSelfIntersection: 'a hole-free part intersects itself after rounding to 6 decimals',
    noPositions: 'the geometry has no positions',
  },
  id: {
    plot: (name, problem) => `Lahan "${name}": ${problem}`,
    type: (type) => `${type} tidak diterima sistem UE (hanya Point, MultiPoint, Polygon, MultiPolygon atau GeometryCollection)`,
    ringPositions: (n) => `sebuah cincin hanya punya ${n} titik berbeda setelah dibulatkan ke 6 desimal (perlu minimal 4, termasuk titik penutup)`,
    ringArea: 'sebuah cincin tidak melingkupi luas apa pun setelah dibulatkan ke 6 desimal',
    selfIntersection: 'poligonnya memotong dirinya sendiri setelah dibulatkan ke 6 desimal',
    partSelfIntersection: 'sebuah bagian tanpa lubang memotong dirinya sendiri setelah dibulatkan ke 6 desimal',
    noPositions: 'geometrinya tidak punya titik koordinat',
  },
};

/** The issue of plot `plotName`, in the language. */
function issueIn(lang: Language) {
  return (rule: ExportIssueRule, plotName: string, problem: Problem): { ok: false; issue: ExportIssue } => ({
    ok: false,
    issue: { rule, message: GEOMETRY_TEXT[lang].plot(plotName, problem(lang)) },
  });
}

export type ExportResult = { ok: true; geometries: ExportGeometry[]; areaHa: number | null } | { ok: false; issue: ExportIssue };

/** Round to 6 decimals (half away from zero on the decimal representation, no float drift beyond the last digit). */
export const round6 = (value: number): number => Math.round(value * SCALE) / SCALE;

const samePosition = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1];

/** Round every position of a ring, drop consecutive duplicates and keep it closed. */
export function roundRing(ring: readonly Position[]): Position[] {
  const out: Position[] = [];
  for (const p of ring) {
    const q: Position = [round6(p[0] as number), round6(p[1] as number)];
    if (out.length === 0 || !samePosition(out[out.length - 1] as Position, q)) out.push(q);
  }
  // The closing position may have collapsed into its predecessor: re-close.
  if (out.length > 0 && !samePosition(out[0] as Position, out[out.length - 1] as Position)) out.push(out[0] as Position);
  return out;
}

/** Geodesic area of a polygon in hectares. */
/** Area of a polygon on the WGS84 ellipsoid in hectares (plots/area.ts, as at registration). */
export const polygonAreaHa = (coordinates: Position[][]): number => polygonAreaM2(coordinates) / 10_000;

/**
 * Cut a polygon with holes into hole-free polygons covering the same area. A polygon without holes
 * is returned as it is.
 */
export function removeHoles(coordinates: Position[][]): Position[][][] {
  if (coordinates.length <= 1) return [coordinates];
  const outer = coordinates[0] as Position[];
  const xs = outer.map((p) => p[0] as number);
  const minX = Math.min(...xs) - 1;
  const maxX = Math.max(...xs) + 1;
  const ys = outer.map((p) => p[1] as number);
  const minY = Math.min(...ys) - 1;
  const maxY = Math.max(...ys) + 1;
  const cuts = coordinates
    .slice(1)
    .map((hole) => {
      const hx = hole.map((p) => p[0] as number);
      return round6((Math.min(...hx) + Math.max(...hx)) / 2);
    })
    .sort((a, b) => a - b);
  const bounds = [minX, ...new Set(cuts), maxX];
  const pieces: Position[][][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const x0 = bounds[i] as number;
    const x1 = bounds[i + 1] as number;
    const strip: Position[][] = [[[x0, minY], [x1, minY], [x1, maxY], [x0, maxY], [x0, minY]]];
    const clipped = intersection(coordinates as [number, number][][], strip as [number, number][][]) as Position[][][];
    for (const polygon of clipped) pieces.push(polygon);
  }
  // A piece that still has a hole (a hole no cut crosses cannot happen, but never export one): split again.
  return pieces.flatMap((piece) => (piece.length > 1 ? removeHoles(piece) : [piece]));
}

const ringProblem = (ring: Position[]): Problem | null => {
  if (ring.length < 4) return (lang) => GEOMETRY_TEXT[lang].ringPositions(ring.length);
  if (polygonAreaHa([ring]) <= 0) return (lang) => GEOMETRY_TEXT[lang].ringArea;
  return null;
};

/** Prepare one plot's geometry for the EU system; `plotName` names the plot in any issue, written in `lang`. */
export function exportGeometry(geometry: Geometry, plotName: string, lang: Language = 'en'): ExportResult {
  const issue = issueIn(lang);
  const parts: ExportGeometry[] = [];
  const polygons: Position[][][] = [];
  const flatten = (g: Geometry): Problem | null => {
    switch (g.type) {
      case 'Point':
        parts.push({ type: 'Point', coordinates: [round6(g.coordinates[0] as number), round6(g.coordinates[1] as number)] });
        return null;
      case 'MultiPoint': {
        const points: Position[] = [];
        const seen = new Set<string>();
        for (const p of g.coordinates) {
          const q: Position = [round6(p[0] as number), round6(p[1] as number)];
          const key = `${q[0]},${q[1]}`;
          if (!seen.has(key)) points.push(q);
          seen.add(key);
        }
        parts.push({ type: 'MultiPoint', coordinates: points });
        return null;
      }
      case 'Polygon':
        polygons.push(g.coordinates);
        return null;
      case 'MultiPolygon':
        polygons.push(...g.coordinates);
        return null;
      case 'GeometryCollection':
        for (const inner of g.geometries) {
          const problem = flatten(inner);
          if (problem) return problem;
        }
        return null;
      default: {
        const type = g.type;
        return (lang) => GEOMETRY_TEXT[lang].type(type);
      }
    }
  };
  const typeProblem = flatten(geometry);
  if (typeProblem) return issue('GEOMETRY_TYPE', plotName, typeProblem);

  let areaHa: number | null = polygons.length > 0 ? 0 : null;
  for (const polygon of polygons) {
    // Round first (what the EU system will read), check, then cut the holes away.
    const rounded = polygon.map(roundRing);
    for (const ring of rounded) {
      const problem = ringProblem(ring);
      if (problem) return issue('RING_BROKEN_BY_ROUNDING', plotName, problem);
    }
    if (kinks({ type: 'Polygon', coordinates: rounded }).features.length > 0) {
      return issue('SELF_INTERSECTION_AFTER_ROUNDING', plotName, (lang) => GEOMETRY_TEXT[lang].selfIntersection);
    }
    for (const piece of removeHoles(rounded)) {
      const outer = roundRing(piece[0] as Position[]);
      const problem = ringProblem(outer);
      if (problem) return issue('RING_BROKEN_BY_ROUNDING', plotName, problem);
      if (kinks({ type: 'Polygon', coordinates: [outer] }).features.length > 0) {
        return issue('SELF_INTERSECTION_AFTER_ROUNDING', plotName, (lang) => GEOMETRY_TEXT[lang].partSelfIntersection);
      }
      parts.push({ type: 'Polygon', coordinates: [outer] });
      areaHa = (areaHa as number) + polygonAreaHa([outer]);
    }
  }
  if (parts.length === 0) return issue('GEOMETRY_TYPE', plotName, (lang) => GEOMETRY_TEXT[lang].noPositions);
  return { ok: true, geometries: parts, areaHa };
}
