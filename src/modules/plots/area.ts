/**
 * Plot areas on the WGS84 ellipsoid (pure, no I/O).
 *
 * Buyers compare a plot's computed area with cadastral figures, which are
 * ellipsoidal. A spherical approximation (such as @turf/area's, R = 6 371 008.8 m)
 * reads about 0.4 % high at East Java's latitude (8° S), so areas are computed
 * with GeographicLib (Karney 2013, "Algorithms for geodesics"): the exact area
 * of the polygon whose edges are geodesics on the WGS84 ellipsoid, to round-off.
 */
import geodesic from 'geographiclib-geodesic';
import type { Position } from 'geojson';

const WGS84 = geodesic.Geodesic.WGS84;

/**
 * Area (m²) enclosed by one ring of [longitude, latitude] positions, either
 * winding order. The closing position may repeat the first or not.
 */
export function ringAreaM2(ring: readonly Position[]): number {
  const n = ring.length > 1 && samePlace(ring[0]!, ring[ring.length - 1]!) ? ring.length - 1 : ring.length;
  if (n < 3) return 0;
  const polygon = WGS84.Polygon(false);
  for (let i = 0; i < n; i++) polygon.AddPoint(ring[i]![1]!, ring[i]![0]!);
  // sign = true: counter-clockwise positive, clockwise negative (never the complement of the globe).
  // `area` is only absent for a polyline (Polygon(true)).
  return Math.abs(polygon.Compute(false, true).area ?? 0);
}

/** Area (m²) of a polygon: its exterior ring less its holes. */
export function polygonAreaM2(rings: readonly (readonly Position[])[]): number {
  let area = 0;
  rings.forEach((ring, r) => {
    area += r === 0 ? ringAreaM2(ring) : -ringAreaM2(ring);
  });
  return area;
}

function samePlace(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
