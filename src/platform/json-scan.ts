/**
 * Spans of the values and keys in a JSON text, by path (pure, no I/O).
 *
 * Generic (used by the JSON body parser and by plots/geo.ts).
 *
 * @placemarkio/check-geojson reports its issues as character offsets into the
 * JSON text; `geo.ts` maps them back to JSON paths with this scanner. It reads
 * text that JSON.parse has already accepted (so it needs no error handling
 * beyond bounds) and records the span and path of every value and key, and
 * the literal text of every number (for counting decimals as written).
 */

/** One step of a JSON path: an object key or an array index. */
export type Seg = string | number;

export interface JsonScan {
  spans: Array<{ segs: Seg[]; start: number; end: number }>;
  /** Number literal text by segKey(path). Duplicate keys: the last wins, as in JSON.parse. */
  numbers: Map<string, string>;
}

/** A path as a map key. */
export function segKey(segs: Seg[]): string {
  return JSON.stringify(segs);
}

/** Scan JSON text produced or accepted by JSON.parse; throws on anything else. */
export function scanJson(text: string): JsonScan {
  const spans: JsonScan['spans'] = [];
  const numbers = new Map<string, string>();
  const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let i = 0;
  const at = (): string => {
    const c = text[i];
    if (c === undefined) throw new Error('unexpected end of JSON text');
    return c;
  };
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const skipString = (): void => {
    i++; // opening quote
    while (at() !== '"') i += at() === '\\' ? 2 : 1;
    i++;
  };
  const scanValue = (segs: Seg[]): void => {
    skipSpace();
    const start = i;
    const c = at();
    if (c === '{') {
      i++;
      skipSpace();
      if (at() === '}') i++;
      else {
        for (;;) {
          skipSpace();
          const keyStart = i;
          skipString();
          const key = JSON.parse(text.slice(keyStart, i)) as string;
          spans.push({ segs: [...segs, key], start: keyStart, end: i });
          skipSpace();
          i++; // ':'
          scanValue([...segs, key]);
          skipSpace();
          if (text[i++] === '}') break;
        }
      }
    } else if (c === '[') {
      i++;
      skipSpace();
      if (at() === ']') i++;
      else {
        for (let k = 0; ; k++) {
          scanValue([...segs, k]);
          skipSpace();
          if (text[i++] === ']') break;
        }
      }
    } else if (c === '"') {
      skipString();
    } else if (c === 't' || c === 'n') {
      i += 4;
    } else if (c === 'f') {
      i += 5;
    } else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) throw new Error(`unexpected character at offset ${i}`);
      i += m[0].length;
      numbers.set(segKey(segs), m[0]);
    }
    spans.push({ segs, start, end: i });
  };
  scanValue([]);
  return { spans, numbers };
}

/** Path of the value or key at exactly [from, to), else the innermost one containing it, else the root. */
export function pathAtOffsets(scan: JsonScan | null, from: number, to: number): Seg[] {
  if (!scan) return [];
  let best: JsonScan['spans'][number] | undefined;
  for (const span of scan.spans) {
    if (span.start === from && span.end === to) return span.segs;
    if (span.start <= from && to <= span.end && (!best || span.end - span.start < best.end - best.start)) best = span;
  }
  return best?.segs ?? [];
}
