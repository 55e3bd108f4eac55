/**
 * The source text of parsed JSON values, where it matters (pure, no I/O).
 *
 * JSON.parse turns `6.348210` into 6.34821: the number is the same, but the
 * text a client wrote is gone. EUDR geolocation must carry at least 6 decimal
 * places, counted as written, so a GeoJSON geometry from the EU's own files
 * would be refused once parsed. The request body parser therefore remembers
 * the exact text of every GeoJSON-like object it parses (an object with a
 * `type` and `coordinates` or `geometries`), and the GeoJSON scalar does the
 * same for inline literals, whose number tokens GraphQL keeps as text.
 * Validators ask `jsonSourceOf(value)` and judge the text when there is one.
 *
 * The registry is a WeakMap keyed by the parsed object itself: nothing is
 * copied into the value, and the text goes when the request's data goes.
 */
import { scanJson, segKey } from './json-scan.js';

const sources = new WeakMap<object, string>();

/** Remember `text` as the JSON source of `value`. */
export function rememberJsonSource(value: object, text: string): void {
  sources.set(value, text);
}

/** The JSON text `value` was parsed from, when it was remembered. */
export function jsonSourceOf(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? sources.get(value) : undefined;
}

/** A GeoJSON geometry or geometry collection, by shape. */
function isGeometryLike(value: Record<string, unknown>): boolean {
  return typeof value.type === 'string' && ('coordinates' in value || 'geometries' in value);
}

/**
 * Remember the source of every GeoJSON-like object in `value`, parsed from
 * `text`. Text that never mentions `"coordinates"` costs one `includes`.
 */
export function rememberGeometrySources(value: unknown, text: string): void {
  if (!text.includes('"coordinates"')) return;
  let spans: Map<string, { start: number; end: number }> | null = null;
  const spanOf = (segs: Array<string | number>) => {
    if (!spans) {
      spans = new Map();
      try {
        for (const span of scanJson(text).spans) spans.set(segKey(span.segs), span);
      } catch {
        // Too deep to scan (the request guards refuse such bodies anyway): no sources.
      }
    }
    return spans.get(segKey(segs));
  };
  // Iterative walk: the body may nest deeper than the stack allows before the guards see it.
  const stack: Array<[unknown, Array<string | number>]> = [[value, []]];
  while (stack.length > 0) {
    const [v, segs] = stack.pop()!;
    if (v === null || typeof v !== 'object' || segs.length > 128) continue;
    if (Array.isArray(v)) {
      v.forEach((item, k) => {
        if (item !== null && typeof item === 'object') stack.push([item, [...segs, k]]);
      });
      continue;
    }
    const obj = v as Record<string, unknown>;
    if (isGeometryLike(obj)) {
      const span = spanOf(segs);
      if (span) rememberJsonSource(obj, text.slice(span.start, span.end));
      if (!('geometries' in obj)) continue; // positions below hold no further geometries
    }
    for (const [key, item] of Object.entries(obj)) {
      if (item !== null && typeof item === 'object') stack.push([item, [...segs, key]]);
    }
  }
}
