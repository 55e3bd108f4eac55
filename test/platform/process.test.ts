import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Start the real server (embedded database) on a free port and resolve with its address. */
function startServer(dataDir: string): Promise<{ child: ChildProcess; address: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    // No load shedding (as in testConfig): on a loaded machine a start-up stall over 1 s made it answer the drain test's request 503.
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', AUTO_SEED: 'false', LOG_LEVEL: 'info', DATABASE_URL: '', JWT_SECRET: '', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => {
    // A first start on an empty data directory runs initdb and every migration: slow on a loaded machine.
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 150_000);
    child.stdout!.on('data', () => {
      const m = /Lumbung listening on (http:\/\/[^\s]+) /.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, address: m[1]!, output: () => out }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${out}`)); });
  });
}

describe('the server process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lumbung-proc-'));
  let started: ChildProcess | null = null;
  afterAll(() => {
    // A failed assertion must not leave the server running.
    if (started && started.exitCode === null && started.signalCode === null) started.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on an empty data directory, logs one line with the address and database, and drains on SIGTERM with exit 0', async () => {
    const { child, address, output } = await startServer(dataDir);
    started = child;
    expect(output()).toMatch(/Lumbung listening on http:\/\/127\.0\.0\.1:\d+ \(GraphQL .*\/graphql, GraphiQL .*\/graphiql\) using embedded PGlite/);
    expect(output()).toMatch(/JWT_SECRET not set: generated a secret/);
    // Ready soon after listening: load shedding may answer 503 while start-up still holds the event loop.
    let ready = 0;
    for (let i = 0; i < 40 && ready !== 200; i++) {
      ready = (await fetch(`${address}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);

    // A request in flight when SIGTERM arrives (login hashes with scrypt, so it takes a while) still gets its answer.
    const inFlight = fetch(`${address}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { login(input: {email: "nobody@example.test", password: "whatever-long-enough"}) { __typename } }',
      }),
    });
    // SIGTERM once the server has the request (its "incoming request" log line): a fixed 15 ms wait was
    // not always enough on a loaded machine, and a request arriving after the drain began is refused 503.
    for (let i = 0; i < 1000 && !/"url":"\/graphql"[^\n]*"msg":"incoming request"/.test(output()); i++) await new Promise((r) => setTimeout(r, 5));
    expect(output()).toMatch(/"url":"\/graphql"[^\n]*"msg":"incoming request"/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { login: { __typename: string } } }).data.login.__typename).toBe('InvalidCredentialsError');
    expect(await exited).toBe(0);
    expect(output()).toMatch(/draining in-flight requests and closing the database/);
  }, 180_000);
});
