import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Give memory back when the server goes quiet (issue 13, memory). Under traffic V8 grows the heap to
 * keep up with the allocation rate and leaves the garbage in it until it needs the space; Node never
 * tells V8 that the process became idle, so after a burst the RSS stayed ~150 MB above what is
 * live (bench:soak: 148 MB heap used, 49 MB after a full collection). Once no request has been in
 * flight for `idleMs`, and at least one was served since the last time, this runs one full
 * collection (about 20–50 ms, when nobody waits), so V8 shrinks the heap.
 *
 * The collector is reached the way jest's leak detector does it: enable `--expose-gc` at run time
 * and take `gc` from a fresh context; the process's own global stays without `gc`.
 */
function fullCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export const idleGcPlugin = fp<{ idleMs: number }>(
  async (app: FastifyInstance, { idleMs }) => {
    if (idleMs <= 0) return;
    const collect = fullCollector();
    let inFlight = 0;
    let servedSinceGc = 0;
    let lastActivity = Date.now();
    // Synchronous hooks: an async one costs every request a promise and a turn of the microtask queue.
    app.addHook('onRequest', (_request, _reply, done) => {
      inFlight++;
      lastActivity = Date.now();
      done();
    });
    app.addHook('onResponse', (_request, _reply, done) => {
      inFlight = Math.max(0, inFlight - 1);
      servedSinceGc++;
      lastActivity = Date.now();
      done();
    });
    const timer = setInterval(() => {
      if (inFlight > 0 || servedSinceGc === 0 || Date.now() - lastActivity < idleMs) return;
      servedSinceGc = 0;
      const started = performance.now();
      collect();
      app.log.debug({ ms: Math.round(performance.now() - started), rssMb: Math.round(process.memoryUsage().rss / 1048576) }, 'idle: full garbage collection');
    }, Math.max(250, Math.floor(idleMs / 2)));
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'lumbung-idle-gc' },
);
