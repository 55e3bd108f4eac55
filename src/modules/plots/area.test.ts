import { describe, expect, it } from 'vitest';
import { polygonAreaM2, ringAreaM2 } from './area.js';

describe('plot area on the WGS84 ellipsoid', () => {
  it('gives the published area of the 1° × 1° cell at the equator (12 308 778 361.47 m²)', () => {
    // Given the cell (0,0)–(1,1) — the figure published with GeographicLib's Rust port
    const ring = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]];
    // Then the ellipsoidal area matches it to the square metre, whichever the winding
    expect(ringAreaM2(ring)).toBeCloseTo(12_308_778_361.469452, 0);
    expect(ringAreaM2([...ring].reverse())).toBeCloseTo(12_308_778_361.469452, 0);
  });

  it('matches the ellipsoid\'s closed form for a 0.001° cell at the equator (M·N·Δφ·Δλ ≈ 1.2309 ha)', () => {
    // Given a 0.001° × 0.001° cell: its area is M·N·Δφ·Δλ to 1e-6 relative, with the WGS84
    // meridional radius M = a(1 − e²) and prime-vertical radius N = a at the equator
    const a = 6_378_137;
    const f = 1 / 298.257223563;
    const e2 = f * (2 - f);
    const d = (0.001 * Math.PI) / 180;
    const expected = a * (1 - e2) * a * d * d;
    const area = ringAreaM2([[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.001]]);
    expect(Math.abs(area - expected) / expected).toBeLessThan(1e-6);
    expect((area / 10_000).toFixed(4)).toBe('1.2309');
  });

  it('is about 0.4 % below the spherical approximation at East Java\'s latitude (8° S)', () => {
    // Given a ~5 ha cell near Ijen and its area on the sphere R = 6 371 008.8 m (the old figure):
    // R² · Δλ · (sin φ₂ − sin φ₁)
    const [west, south, east, north] = [114.1123451, -8.0312345, 114.114377, -8.0292236];
    const rad = Math.PI / 180;
    const R = 6_371_008.8;
    const sphere = R * R * (east - west) * rad * (Math.sin(north * rad) - Math.sin(south * rad));
    const ellipsoid = ringAreaM2([[west, south], [east, south], [east, north], [west, north], [west, south]]);
    // Then the sphere reads 0.3–0.5 % high
    const excess = sphere / ellipsoid - 1;
    expect(excess).toBeGreaterThan(0.003);
    expect(excess).toBeLessThan(0.005);
  });

  it('subtracts holes', () => {
    const outer = [[0, 0], [0.002, 0], [0.002, 0.002], [0, 0.002], [0, 0]];
    const hole = [[0.0005, 0.0005], [0.0005, 0.0015], [0.0015, 0.0015], [0.0015, 0.0005], [0.0005, 0.0005]];
    expect(polygonAreaM2([outer, hole])).toBeCloseTo(ringAreaM2(outer) - ringAreaM2(hole), 6);
    expect(polygonAreaM2([outer, hole]) / ringAreaM2(outer)).toBeCloseTo(0.75, 4);
  });

  it('is 0 for a ring with fewer than 3 corners', () => {
    expect(ringAreaM2([[0, 0], [1, 1], [0, 0]])).toBe(0);
  });
});
