/** Helpers the benchmark scripts share. */
import pg from 'pg';
import type { Availability } from '../src/modules/availability/availability.service.js';
import { gramsToKg } from '../src/platform/weight.js';

/** The same server URL with another database name (each bench makes its own database and drops it). */
export const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Nearest-rank percentile of an ascending list; NaN when it is empty. */
export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/**
 * A database of its own for one benchmark run, next to `baseUrl`'s: created now, dropped (with any
 * connection still open) by `drop()`, which every bench calls in its `finally`.
 */
export async function scratchDatabase(baseUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Pool({ connectionString: baseUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: withDatabase(baseUrl, name),
    drop: async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * The JSON bench:api's availability query answers, built by hand (the plain routes of bench:api and
 * profile-api answer with it).
 */
export function availabilityJson(a: Availability) {
  const figures = (f: { spotG: number; forwardG: number; contributorCount: number }) => ({
    spotWeight: gramsToKg(f.spotG), forwardWeight: gramsToKg(f.forwardG), contributorCount: f.contributorCount,
  });
  return {
    ...figures(a),
    byGrade: a.byGrade.map((g) => ({ grade: { code: g.grade.code }, ...figures(g) })),
    byRegency: a.byRegency.map((r) => ({ regency: r.regency, ...figures(r) })),
  };
}
