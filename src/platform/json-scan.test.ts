import { describe, expect, it } from 'vitest';
import { pathAtOffsets, scanJson, segKey } from './json-scan.js';

describe('scanJson / pathAtOffsets', () => {
  const text = '{"type": "Polygon", "coordinates": [[[1.5, -2e-3], [true, null]]], "k\\"q": {}}';
  const scan = scanJson(text);

  it('maps the exact span of a value or key to its path', () => {
    // given the span of the number -2e-3 and of the key "coordinates"
    const num = text.indexOf('-2e-3');
    const key = text.indexOf('"coordinates"');
    // then the paths name the array indices and the key
    expect(pathAtOffsets(scan, num, num + 5)).toEqual(['coordinates', 0, 0, 1]);
    expect(pathAtOffsets(scan, key, key + '"coordinates"'.length)).toEqual(['coordinates']);
  });

  it('falls back to the innermost value containing the range, then to the root', () => {
    const t = text.indexOf('true');
    expect(pathAtOffsets(scan, t + 1, t + 2)).toEqual(['coordinates', 0, 1, 0]);
    expect(pathAtOffsets(scan, 0, text.length + 5)).toEqual([]);
    expect(pathAtOffsets(null, 3, 4)).toEqual([]);
  });

  it('reads escaped keys and empty containers', () => {
    expect(scan.spans.map((s) => segKey(s.segs))).toContain(segKey(['k"q']));
    expect(scanJson('[]').spans).toEqual([{ segs: [], start: 0, end: 2 }]);
  });

  it('throws on text JSON.parse would not accept', () => {
    expect(() => scanJson('{"a":')).toThrow();
  });
});
