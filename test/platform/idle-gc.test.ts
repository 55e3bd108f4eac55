import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { idleGcPlugin } from '../../src/platform/http/idle-gc.js';

/**
 * Issue 13, memory: one full collection once the server has been quiet for IDLE_GC_MS after serving
 * something; none while a request is in flight, none when nothing was served since the last one,
 * and none at all with 0.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

async function server(idleMs: number) {
  const lines: Array<{ msg?: string; ms?: number; rssMb?: number }> = [];
  const stream = new Writable({ write(chunk, _e, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const app = Fastify({ logger: { level: 'debug', stream } });
  await app.register(idleGcPlugin, { idleMs });
  let release: () => void = () => {};
  app.get('/slow', () => new Promise<string>((resolve) => { release = () => resolve('done'); }));
  app.get('/fast', async () => 'ok');
  await app.ready();
  close = () => app.close();
  const collections = () => lines.filter((l) => l.msg === 'idle: full garbage collection');
  return { app, collections, release: () => release() };
}

describe('idle garbage collection', () => {
  it('collects once after the server goes quiet, and not again until it serves more', async () => {
    const s = await server(100);
    await sleep(400);
    expect(s.collections()).toHaveLength(0); // nothing served yet
    await s.app.inject('/fast');
    await sleep(400);
    expect(s.collections()).toHaveLength(1);
    expect(s.collections()[0]!.rssMb).toBeGreaterThan(0);
    await sleep(400);
    expect(s.collections()).toHaveLength(1);
    await s.app.inject('/fast');
    await sleep(400);
    expect(s.collections()).toHaveLength(2);
  });

  it('never collects while a request is in flight', async () => {
    const s = await server(100);
    await s.app.inject('/fast');
    const slow = s.app.inject('/slow');
    await sleep(50);
    const before = s.collections().length;
    await sleep(400);
    expect(s.collections().length).toBe(before);
    s.release();
    await slow;
    await sleep(400);
    expect(s.collections().length).toBe(before + 1);
  });

  it('is off with 0', async () => {
    const s = await server(0);
    await s.app.inject('/fast');
    await sleep(300);
    expect(s.collections()).toHaveLength(0);
  });
});
