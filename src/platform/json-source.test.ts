import { describe, expect, it } from 'vitest';
import { jsonSourceOf, rememberGeometrySources } from './json-source.js';

const parse = (text: string) => {
  const value = JSON.parse(text) as any;
  rememberGeometrySources(value, text);
  return value;
};

describe('rememberGeometrySources', () => {
  it('keeps the text of a geometry nested in variables, trailing zeros included', () => {
    const v = parse('{"input":{"name":"x","geolocation":{"type":"Point","coordinates":[113.821450, -7.913120]}}}');
    expect(jsonSourceOf(v.input.geolocation)).toBe('{"type":"Point","coordinates":[113.821450, -7.913120]}');
    expect(jsonSourceOf(v.input)).toBeUndefined();
  });

  it('finds geometries inside lists (a bulk import), each with its own text', () => {
    const v = parse('{"rows":[{"plots":[{"geolocation":{"type":"Point","coordinates":[1.000000,2.000000]}}]},' +
      '{"plots":[{"geolocation":{"type":"Point","coordinates":[3.100000,4.000000]}}]}]}');
    expect(jsonSourceOf(v.rows[0].plots[0].geolocation)).toBe('{"type":"Point","coordinates":[1.000000,2.000000]}');
    expect(jsonSourceOf(v.rows[1].plots[0].geolocation)).toBe('{"type":"Point","coordinates":[3.100000,4.000000]}');
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    const v = parse('{"g":{"type":"Point","coordinates":[0.100000,0.100000]},"g":{"type":"Point","coordinates":[0.200000,0.200000]}}');
    expect(v.g.coordinates).toEqual([0.2, 0.2]);
    expect(jsonSourceOf(v.g)).toBe('{"type":"Point","coordinates":[0.200000,0.200000]}');
  });

  it('remembers nothing for text without coordinates, and survives nesting too deep to scan', () => {
    const plain = parse('{"type":"Point","geometries":[]}');
    expect(jsonSourceOf(plain)).toBeUndefined();
    const deep = '['.repeat(200_000) + '{"type":"Point","coordinates":[1,2]}' + ']'.repeat(200_000);
    expect(() => parse(deep)).not.toThrow();
  });
});
