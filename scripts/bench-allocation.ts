/**
 * Benchmark of the pure allocation engine.
 *
 *   npx tsx scripts/bench-allocation.ts      (npm run bench:allocation)
 *
 * Generates 1,000 / 10,000 / 100,000 candidates with a deterministic PRNG
 * (≈3 lots or commitments per smallholder), plans a realistic order (whole
 * bags, ~30 % of eligible supply, min contribution 2 bags, max share 2.5 %,
 * 3 of 5 regencies, EUDR only, grade ≤ 3, spot or forward) with every
 * strategy, and prints the median wall-clock time over several repetitions
 * after warm-up, the median CPU time of the process, the growth ratio versus
 * the previous size and the ratio an n·log n algorithm would show.
 * A calibration row times a plain `Array.prototype.sort` of the same
 * candidates (grade, date, id) — a textbook n·log n operation — so the
 * engine's growth can be compared with what this machine / V8 actually
 * delivers for n·log n work once the data no longer fits in cache.
 * Informational only: always exits 0.
 */
import { cpus, loadavg } from 'node:os';
import {
  BAG_G,
  STRATEGIES,
  planAllocation,
  type Candidate,
  type Constraints,
  type OrderSpec,
  type PlanResult,
} from '../src/modules/allocation/engine.js';
import { mulberry32 } from '../src/platform/prng.js';

const SIZES = [1_000, 10_000, 100_000];
const REPS: Record<number, number> = { 1_000: 31, 10_000: 15, 100_000: 7 };
const WARMUP = 3;
const SEED = 20_270_630;
const REGENCIES = ['Aceh Tengah', 'Bener Meriah', 'Gayo Lues', 'Toraja Utara', 'Bondowoso'];


function isoDate(dayOffset: number): string {
  return new Date(Date.UTC(2026, 0, 1) + dayOffset * 86_400_000).toISOString().slice(0, 10);
}

function generate(n: number): Candidate[] {
  const rnd = mulberry32(SEED + n);
  const producers = Math.max(1, Math.round(n / 3));
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rnd() * producers);
    const spot = rnd() < 0.7;
    out.push({
      id: `${spot ? 'lot' : 'fc'}-${i.toString(36).padStart(5, '0')}`,
      kind: spot ? 'SPOT' : 'FORWARD',
      producerId: `farmer-${p}`,
      gradeRank: 1 + Math.floor(rnd() * 5),
      availableG: 60_000 + Math.floor(rnd() * 2_940_000),
      date: isoDate(Math.floor(rnd() * 730)),
      regency: REGENCIES[p % REGENCIES.length] as string,
      eudrReady: rnd() < 0.92,
    });
  }
  return out;
}

const constraints: Constraints = {
  wholeBags: true,
  minContributionG: 2 * BAG_G,
  maxSharePct: 2.5,
  regencies: REGENCIES.slice(0, 3),
  eudrOnly: true,
  supply: 'EITHER',
};

function orderFor(cands: readonly Candidate[]): OrderSpec {
  const minGradeRank = 3;
  const regs = new Set(constraints.regencies);
  let bags = 0;
  for (const c of cands) {
    if (c.gradeRank <= minGradeRank && c.eudrReady && regs.has(c.regency)) bags += Math.floor(c.availableG / BAG_G);
  }
  return { quantityG: Math.max(1, Math.floor(bags * 0.3)) * BAG_G, minGradeRank };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

const pad = (s: string, w: number): string => s.padStart(w);
const padEnd = (s: string, w: number): string => s.padEnd(w);

console.log(
  `allocation engine benchmark — node ${process.version}, ${cpus().length} CPU(s), ` +
    `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);
console.log(
  `constraints: whole bags, min ${constraints.minContributionG / BAG_G} bags, max share ${String(constraints.maxSharePct)}%, ` +
    `${constraints.regencies?.length ?? 'any'} regencies, EUDR only, grade <= 3, ${constraints.supply}; order = 30% of eligible bags`,
);
console.log(`warm-up ${WARMUP} runs, then ${SIZES.map((n) => `${REPS[n]} reps @ ${n}`).join(', ')}; times are medians`);
console.log('');

const header = [
  padEnd('strategy', 20),
  pad('n', 8),
  pad('order', 11),
  pad('median ms', 10),
  pad('cpu ms', 8),
  pad('growth', 8),
  pad('n log n', 8),
  pad('lines', 7),
  pad('contrib', 8),
  pad('fairness', 9),
].join('  ');
console.log(header);
console.log('-'.repeat(header.length));

const datasets = SIZES.map((n) => {
  const cands = generate(n);
  return { n, cands, order: orderFor(cands) };
});

/** Median wall / CPU milliseconds of `run` after warm-up. */
function time<T>(n: number, run: () => T): { ms: number; cpuMs: number; last: T } {
  let last = run();
  for (let i = 1; i < WARMUP; i++) last = run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < (REPS[n] ?? 5); i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = run();
    const t1 = performance.now();
    const dc = process.cpuUsage(c0);
    wall.push(t1 - t0);
    cpu.push((dc.user + dc.system) / 1000);
  }
  return { ms: median(wall), cpuMs: median(cpu), last };
}

function row(name: string, n: number, order: string, t: { ms: number; cpuMs: number }, prev: { n: number; ms: number } | null, extra: string[]): void {
  const growth = prev === null ? '' : (t.ms / prev.ms).toFixed(1);
  const expected = prev === null ? '' : ((n * Math.log(n)) / (prev.n * Math.log(prev.n))).toFixed(1);
  console.log(
    [
      padEnd(name, 20),
      pad(n.toLocaleString('en-US'), 8),
      pad(order, 11),
      pad(t.ms.toFixed(2), 10),
      pad(t.cpuMs.toFixed(2), 8),
      pad(growth, 8),
      pad(expected, 8),
      ...extra,
    ].join('  '),
  );
}

for (const strategy of STRATEGIES) {
  let prev: { n: number; ms: number } | null = null;
  for (const { n, cands, order } of datasets) {
    const t = time(n, () => planAllocation(order, cands, strategy, constraints));
    const r: PlanResult = t.last;
    row(strategy, n, `${order.quantityG / BAG_G} bags`, t, prev, [
      pad(r.ok ? String(r.lines.length) : 'short', 7),
      pad(r.ok ? String(r.summary.contributors) : r.binding, 8),
      pad(r.ok ? r.summary.fairness.toFixed(3) : '', 9),
    ]);
    prev = { n, ms: t.ms };
  }
}

// Calibration: a plain comparison sort of the same candidates.
{
  let prev: { n: number; ms: number } | null = null;
  for (const { n, cands } of datasets) {
    const t = time(n, () =>
      cands
        .slice()
        .sort(
          (a, b) =>
            a.gradeRank - b.gradeRank || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        ),
    );
    row('(calibration: sort)', n, '', t, prev, []);
    prev = { n, ms: t.ms };
  }
}
console.log('');
console.log('growth = median(n) / median(previous n); n log n = the ratio an O(n log n) algorithm would show;');
console.log('cpu ms = median process CPU time (user + system, includes GC threads).');
