/**
 * `npm run bench:start`: time from spawning `npm start`'s entry (node scripts/start.mjs, compiled
 * server) to `/readyz` 200, and the RSS after settling, for
 *   - cold: an empty embedded data directory with the demo data (loads the prepared template),
 *   - warm: an existing embedded data directory,
 *   - postgres: DATABASE_URL set (a database made for this run, migrated once beforehand, dropped after).
 * 5 runs each (RUNS=n to change), alternating the three kinds; min, median and max.
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

const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

async function startOnce(env: Record<string, string>, port: number): Promise<{ readyMs: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
    cwd: root,
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
    await sleep(SETTLE_MS);
    return { readyMs, rss: rssMb(child.pid!) };
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
const warmDir = mkdtempSync(path.join(tmpdir(), 'lumbung-bench-warm-'));
const results = { cold: { ms: [] as number[], rss: [] as number[] }, warm: { ms: [] as number[], rss: [] as number[] }, postgres: { ms: [] as number[], rss: [] as number[] } };
try {
  await startOnce({ DATA_DIR: warmDir }, 4801); // makes the warm directory (and the template if missing)
  await startOnce(pgEnv, 4802); // migrates the PostgreSQL database
  for (let run = 1; run <= RUNS; run++) {
    const coldDir = mkdtempSync(path.join(tmpdir(), 'lumbung-bench-cold-'));
    const cold = await startOnce({ DATA_DIR: coldDir }, 4801).finally(() => rmSync(coldDir, { recursive: true, force: true }));
    results.cold.ms.push(cold.readyMs); results.cold.rss.push(cold.rss);
    const warm = await startOnce({ DATA_DIR: warmDir }, 4801);
    results.warm.ms.push(warm.readyMs); results.warm.rss.push(warm.rss);
    const onPg = await startOnce(pgEnv, 4802);
    results.postgres.ms.push(onPg.readyMs); results.postgres.rss.push(onPg.rss);
    console.log(`run ${run}: cold ${cold.readyMs.toFixed(0)} ms · warm ${warm.readyMs.toFixed(0)} ms · postgres ${onPg.readyMs.toFixed(0)} ms`);
  }
} finally {
  rmSync(warmDir, { recursive: true, force: true });
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}

console.log(`\nstart to /readyz 200, ${RUNS} runs each; RSS ${SETTLE_MS / 1000} s after ready`);
for (const [kind, r] of Object.entries(results)) {
  console.log(`${kind.padEnd(9)} ${fmt(r.ms, 'ms')} · RSS ${fmt(r.rss, 'MB')}`);
}
