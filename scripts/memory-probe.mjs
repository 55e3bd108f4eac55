// Loaded with `node --import ./scripts/memory-probe.mjs` by bench:soak: every MEMORY_PROBE_MS
// (default 2 s) appends the process's memory breakdown as a JSON line to MEMORY_PROBE_FILE, so the
// soak can tell the V8 heap from ArrayBuffers (PGlite's WASM memory) and native memory.
import { appendFileSync } from 'node:fs';

const file = process.env.MEMORY_PROBE_FILE;
if (file) {
  const every = Number(process.env.MEMORY_PROBE_MS ?? 2000);
  const mb = (n) => Math.round(n / 1048576);
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) })}\n`);
  }, every).unref();
}
