import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP receiver on loopback: records every request; answers what the test scripts. */
export interface Received { headers: IncomingHttpHeaders; body: string; at: number; path: string }
export type Responder = (req: Received, res: ServerResponse) => void;

export async function startReceiver() {
  const received: Received[] = [];
  const waiters: Array<{ test: (r: Received[]) => boolean; resolve: () => void }> = [];
  let responder: Responder = (_r, res) => res.writeHead(200).end('ok');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), path: req.url ?? '/' };
      received.push(r);
      for (const w of [...waiters]) if (w.test(received)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
      responder(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    respond(fn: Responder) { responder = fn; },
    /** Wait until `test` holds for what was received (or fail after `ms`). */
    until(test: (r: Received[]) => boolean, ms = 15_000): Promise<void> {
      if (test(received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver: condition not met after ${ms} ms (${received.length} requests)`)), ms);
        waiters.push({ test, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
