/**
 * The load side of bench:api (run as its child): CONNECTIONS keep-alive connections POST the same
 * request back to back for SECONDS seconds; reports requests per second and failures to the parent.
 */
import http from 'node:http';

const port = Number(process.env.PORT);
const target = JSON.parse(process.env.TARGET ?? '{}') as { path: string; body: string; headers: Record<string, string> };
const seconds = Number(process.env.SECONDS ?? 5);
const connections = Number(process.env.CONNECTIONS ?? 16);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const body = Buffer.from(target.body);
const headers = { ...target.headers, 'content-length': String(body.length) };

const statuses: Record<string, number> = {};
function once(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: target.path, method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        statuses[String(res.statusCode)] = (statuses[String(res.statusCode)] ?? 0) + 1;
        resolve(res.statusCode === 200);
      });
    });
    req.on('error', (e) => {
      statuses[e.message] = (statuses[e.message] ?? 0) + 1;
      resolve(false);
    });
    req.end(body);
  });
}

let done = 0;
let errors = 0;
const warmUntil = performance.now() + 500;
const stopAt = warmUntil + seconds * 1000;
let started = 0;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < stopAt) {
      const ok = await once();
      if (performance.now() < warmUntil) continue;
      if (!started) started = performance.now();
      done++;
      if (!ok) errors++;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
process.send?.({ rps: done / elapsed, errors, statuses });
agent.destroy();
process.exit(0);
