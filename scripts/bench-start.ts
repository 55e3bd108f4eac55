/**
 * `npm run bench:start`: time from spawning `npm start`'s entry (node scripts/start.mjs, with the
 * start script's Node options; compiled server) to `/readyz` 200, the CPU time the process had used by then (user + system; less
 * sensitive than the wall time to other work on the machine), and the RSS after settling, for
 *   - cold: an empty embedded data directory with the demo data (copies the prepared template),
 *   - warm: an existing embedded data directory,
 *   - postgres: DATABASE_URL set (a database made for this run, migrated once beforehand, dropped after).
 * 5 runs each (RUNS=n to change), alternating the three kinds; min, median and max.
 * BENCH_COMPARE=<another checkout, built> starts that checkout's `scripts/start.mjs` too, alternating
 * with this one start by start (which goes first swaps every run), so both see the same machine load.
 * Run `npm run build` first (npm ci does it). Loopback only; every process it starts is stopped by PID.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const RUNS = Number(process.env.RUNS ?? 5);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 5000);
const PG_BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system) the process has used, from /proc (clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

/** The Node options `npm start` gives (package.json's start script: `node <options> scripts/start.mjs`). */
function startOptions(checkout: string): string[] {
  const script = (JSON.parse(readFileSync(path.join(checkout, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return script.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

async function startOnce(checkout: string, env: Record<string, string>, port: number): Promise<{ readyMs: number; cpuMs: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...startOptions(checkout), path.join(checkout, 'scripts', 'start.mjs')], {
    cwd: checkout,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) break;
      } catch { /* not listening yet */ }
      if (performance.now() - started > 120_000) throw new Error('not ready after 120 s');
      await sleep(25);
    }
    const readyMs = performance.now() - started;
    const cpu = cpuMs(child.pid!);
    await sleep(SETTLE_MS);
    return { readyMs, cpuMs: cpu, rss: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const fmt = (xs: number[], unit: string, digits = 0) => {
  const { min, median, max } = stats(xs);
  return `median ${median.toFixed(digits)} ${unit} (min ${min.toFixed(digits)}, max ${max.toFixed(digits)})`;
};

const dbName = `lumbung_bench_start_${process.pid}`;
const admin = new pg.Pool({ connectionString: PG_BASE, max: 1 });
await admin.query(`CREATE DATABASE ${dbName}`);
const pgUrl = new URL(PG_BASE);
pgUrl.pathname = `/${dbName}`;
const pgEnv = { DATABASE_URL: pgUrl.toString(), JWT_SECRET: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz' };
const checkouts = [{ label: 'this', dir: root }];
if (process.env.BENCH_COMPARE) checkouts.push({ label: path.basename(path.resolve(process.env.BENCH_COMPARE)), dir: path.resolve(process.env.BENCH_COMPARE) });
const kinds = ['cold', 'warm', 'postgres'] as const;
type Series = { ms: number[]; cpu: number[]; rss: number[] };
const variants = checkouts.map((c) => ({
  ...c,
  warmDir: mkdtempSync(path.join(tmpdir(), 'lumbung-bench-warm-')),
  results: Object.fromEntries(kinds.map((k) => [k, { ms: [], cpu: [], rss: [] }])) as unknown as Record<(typeof kinds)[number], Series>,
}));
try {
  for (const v of variants) {
    await startOnce(v.dir, { DATA_DIR: v.warmDir }, 4801); // makes the warm directory (and the template if missing)
    await startOnce(v.dir, pgEnv, 4802); // migrates the PostgreSQL database
  }
  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 === 1 ? variants : [...variants].reverse();
    const line: string[] = [];
    for (const kind of kinds) {
      for (const v of order) {
        let r: { readyMs: number; cpuMs: number; rss: number };
        if (kind === 'cold') {
          const coldDir = mkdtempSync(path.join(tmpdir(), 'lumbung-bench-cold-'));
          r = await startOnce(v.dir, { DATA_DIR: coldDir }, 4801).finally(() => rmSync(coldDir, { recursive: true, force: true }));
        } else if (kind === 'warm') {
          r = await startOnce(v.dir, { DATA_DIR: v.warmDir }, 4801);
        } else {
          r = await startOnce(v.dir, pgEnv, 4802);
        }
        v.results[kind].ms.push(r.readyMs);
        v.results[kind].cpu.push(r.cpuMs);
        v.results[kind].rss.push(r.rss);
        line.push(`${kind}${variants.length > 1 ? ` ${v.label}` : ''} ${r.readyMs.toFixed(0)} ms`);
      }
    }
    console.log(`run ${run}: ${line.join(' · ')}`);
  }
} finally {
  for (const v of variants) rmSync(v.warmDir, { recursive: true, force: true });
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}

console.log(`\nstart to /readyz 200, ${RUNS} runs each; CPU time used by then; RSS ${SETTLE_MS / 1000} s after ready`);
for (const v of variants) {
  if (variants.length > 1) console.log(`${v.label} (${v.dir})`);
  for (const [kind, r] of Object.entries(v.results)) {
    console.log(`${kind.padEnd(9)} ${fmt(r.ms, 'ms')} · CPU ${fmt(r.cpu, 'ms')} · RSS ${fmt(r.rss, 'MB')}`);
  }
}
