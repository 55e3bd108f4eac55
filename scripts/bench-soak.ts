/**
 * `npm run bench:soak`: memory under sustained mixed traffic, embedded database.
 *
 *   npm run bench:soak                      (10 minutes of traffic, then 60 s idle)
 *   SOAK_MINUTES=2 SOAK_IDLE_SECONDS=30 SOAK_CONNECTIONS=8 npm run bench:soak
 *
 * Starts the compiled server (`node scripts/start.mjs`, run `npm run build` first) on an empty data
 * directory, so it loads the demo data, with the limits raised so that nothing is refused for rate.
 * Then SOAK_CONNECTIONS loops send a mix for SOAK_MINUTES: the buyer's availability and orders, the
 * brand manager's lots page with producers, plots and assessments, the producer's statements, the
 * curator's lots, hostile requests (bad IDs, NUL characters, deep nesting, invalid JSON, unknown
 * fields) and anonymous `{ __typename }`. The server's RSS is read from /proc every 10 s, during the
 * traffic and then while idle for SOAK_IDLE_SECONDS. Prints the curve, the peak, the last idle
 * figure and the answers by status. Targets (issue 13): < 600 MB under load, < 450 MB idle.
 * The server is stopped by its PID and the data directory removed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const IDLE_SECONDS = Number(process.env.SOAK_IDLE_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 8);
const PORT = Number(process.env.SOAK_PORT ?? 4123);
const SAMPLE_MS = 10_000;
const PASSWORD = 'lumbung-demo-2027';
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function post(body: string, token?: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1', port: PORT, path: '/graphql', method: 'POST', agent,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (e) => resolve({ status: 0, text: e.message }));
    req.end(body);
  });
}

const gql = (query: string, variables: Record<string, unknown> = {}, token?: string) => post(JSON.stringify({ query, variables }), token);

async function login(email: string): Promise<string> {
  const res = await gql('mutation($i: LoginInput!) { login(input: $i) { ... on LoginPayload { token } } }', { i: { email, password: PASSWORD } });
  const token = JSON.parse(res.text)?.data?.login?.token as string | undefined;
  if (!token) throw new Error(`login ${email} failed: ${res.text}`);
  return token;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lumbung-soak-'));
  const { DATABASE_URL: _embeddedOnly, ...env } = process.env;
  const probeFile = path.join(dataDir, 'memory.jsonl');
  const child = spawn(process.execPath, [...(process.env.SOAK_EXTRA_ARGS ? process.env.SOAK_EXTRA_ARGS.split(' ') : []), '--import', path.join(root, 'scripts', 'memory-probe.mjs'), path.join(root, 'scripts', 'start.mjs')], {
    cwd: root,
    env: {
      ...env, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'error', DATA_DIR: dataDir,
      RATE_LIMIT_IP_PER_MINUTE: '100000000', RATE_LIMIT_USER_PER_MINUTE: '100000000',
      COST_BUDGET_MAX: '100000000', COST_BUDGET_RESTORE_PER_SECOND: '100000000', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000', LOGIN_MAX_FAILURES_PER_IP: '100000',
      MEMORY_PROBE_FILE: probeFile, MEMORY_PROBE_MS: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid!;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}`);
      const ready = await new Promise<boolean>((resolve) => {
        http.get({ host: '127.0.0.1', port: PORT, path: '/readyz' }, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
      });
      if (ready) break;
      if (i > 3600) throw new Error('server not ready after 180 s (run npm run build first)');
      await sleep(50);
    }
    const [buyer, manager, producer, curator] = await Promise.all(
      ['buyer', 'manager', 'producer', 'curator'].map((who) => login(`${who}@lumbung.example`)),
    );
    const brands = JSON.parse((await gql('{ brands(first: 5) { edges { node { products(first: 5) { edges { node { id } } } } } } }', {}, manager)).text);
    const products = (brands.data?.brands?.edges ?? []).flatMap((b: any) => b.node.products.edges.map((e: { node: { id: string } }) => e.node.id)) as string[];
    if (products.length === 0) throw new Error(`no products in the demo data: ${JSON.stringify(brands)}`);

    const mix: Array<() => Promise<{ status: number }>> = [
      () => gql(`query($i: AvailabilityInput!) { availability(input: $i) { ... on Availability { spotWeight forwardWeight contributorCount byGrade { grade { code } spotWeight } byRegency { regency spotWeight } } } }`,
        { i: { productId: products[0], minGrade: '3', windowStart: '2027-06-01', windowEnd: '2027-09-30' } }, buyer),
      () => gql('{ orders(first: 20) { edges { node { id status quantity } } } }', {}, buyer),
      () => gql('{ lots(first: 100) { edges { node { id netWeight producer { displayName } plots { name } latestAssessment { defectValue } } } } }', {}, manager),
      () => gql('{ lots(first: 50) { edges { node { id grade { code } } } } }', {}, curator),
      () => gql('{ me { id email roles { role } } }', {}, producer),
      () => gql('{ node(id: "TG90OjE5OTk5OTk=") { id } }', {}, buyer),
      () => gql(`{ lot(id: "${Buffer.from('Lot:1').toString('base64')}") { id } }`, {}, buyer),
      () => gql('mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { __typename } }', { i: { productId: products[0], notes: 'bad\u0000note' } }, buyer),
      () => post(`{"query":"{ __typename }","variables":${'['.repeat(100)}${']'.repeat(100)}}`),
      () => post('{"query": "{ __typename "'),
      () => gql('{ nosuchfield }'),
      () => gql('{ __typename }'),
    ];
    const byStatus = new Map<number, number>();
    let sent = 0;
    const samples: Array<{ at: number; rss: number; phase: string; memory: { heapUsed: number; heapTotal: number; arrayBuffers: number; external: number } | null }> = [];
    const t0 = performance.now();
    const breakdown = () => {
      try {
        const lines = readFileSync(probeFile, 'utf8').trim().split('\n');
        return JSON.parse(lines[lines.length - 1]!) as { heapUsed: number; heapTotal: number; arrayBuffers: number; external: number };
      } catch {
        return null;
      }
    };
    const sample = (phase: string) => samples.push({ at: (performance.now() - t0) / 1000, rss: rssMb(pid), phase, memory: breakdown() });
    sample('start');
    const sampler = setInterval(() => sample('load'), SAMPLE_MS);
    const stopAt = performance.now() + MINUTES * 60_000;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, k) => {
        for (let i = k; performance.now() < stopAt; i++) {
          const { status } = await mix[i % mix.length]!();
          sent++;
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        }
      }),
    );
    clearInterval(sampler);
    sample('end of load');
    agent.destroy();
    for (let s = 0; s < IDLE_SECONDS; s += 10) {
      await sleep(10_000);
      sample('idle');
    }

    console.log(`bench:soak — node ${process.version}, ${MINUTES} min, ${CONNECTIONS} connections, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`${sent} requests (${(sent / (MINUTES * 60)).toFixed(0)}/s); by status: ${[...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
    console.log('\n   t (s)   RSS (MB)  heap used/total  ArrayBuffers  external  phase');
    for (const s of samples) {
      const m = s.memory;
      const parts = m ? `${`${m.heapUsed}/${m.heapTotal}`.padStart(16)} ${String(m.arrayBuffers).padStart(13)} ${String(m.external).padStart(9)}` : ' '.repeat(40);
      console.log(`${s.at.toFixed(0).padStart(8)} ${s.rss.toFixed(0).padStart(10)} ${parts}  ${s.phase}`);
    }
    // The peak second by second (the probe writes every second), with what it was made of.
    try {
      const probe = readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rss: number; heapUsed: number; arrayBuffers: number; external: number });
      const top = probe.reduce((a, b) => (b.rss > a.rss ? b : a));
      console.log(`peak RSS by the in-process probe (every 1 s): ${top.rss} MB = heap ${top.heapUsed} MB used, ArrayBuffers ${top.arrayBuffers} MB, external ${top.external} MB`);
    } catch {
      // no probe output
    }
    const load = samples.filter((s) => s.phase !== 'idle');
    const peak = Math.max(...load.map((s) => s.rss));
    const idle = samples[samples.length - 1]!.rss;
    console.log(`\npeak under load ${peak.toFixed(0)} MB (target < 600), idle after ${IDLE_SECONDS} s ${idle.toFixed(0)} MB (target < 450)`);
    if ((byStatus.get(500) ?? 0) > 0 || (byStatus.get(0) ?? 0) > 0) {
      console.log('FAILED: some requests got 500 or no answer');
      process.exitCode = 1;
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
