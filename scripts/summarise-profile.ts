/** Top self-time functions of a V8 .cpuprofile (node --cpu-prof), and top by total time with --total. */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] }
const file = process.argv[2];
if (!file) throw new Error('usage: summarise-profile.ts <file.cpuprofile> [top] [--total]');
const top = Number(process.argv[3] ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const name = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*\/(src|scripts)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const total = profile.samples.length;
const self = new Map<string, number>();
for (const n of profile.nodes) self.set(name(n), (self.get(name(n)) ?? 0) + n.hitCount);
const pct = (x: number) => `${((100 * x) / total).toFixed(1).padStart(5)} %`;
const profileMs = ((profile as unknown as { endTime: number; startTime: number }).endTime - (profile as unknown as { startTime: number }).startTime) / 1000;
const idle = self.get('(idle) :0') ?? 0;
console.log(`${total} samples over ${profileMs.toFixed(0)} ms; busy ${(100 - (100 * idle) / total).toFixed(1)} %`);
if (process.env.REQUESTS) console.log(`busy µs per request: ${((profileMs * 1000 * (1 - idle / total)) / Number(process.env.REQUESTS)).toFixed(0)}`);
console.log('top self time:');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
if (process.argv.includes('--total')) {
  // inclusive time per function name (counted once per sample path)
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const inclusive = new Map<string, number>();
  for (const [leaf, count] of hits) {
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const k = name(byId.get(id)!);
      if (!seen.has(k)) { seen.add(k); inclusive.set(k, (inclusive.get(k) ?? 0) + count); }
    }
  }
  console.log('\ntop inclusive time:');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
}
if (process.argv.includes('--by-package')) {
  const pkg = (n: Node) => {
    const url = n.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1]!;
    if (/\/(src|scripts)\//.test(url)) return url.replace(/^.*\/((src|scripts)\/.*)$/, '$1');
    if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
    return n.callFrame.functionName || '(native)';
  };
  const byPkg = new Map<string, number>();
  for (const n of profile.nodes) byPkg.set(pkg(n), (byPkg.get(pkg(n)) ?? 0) + n.hitCount);
  console.log('\nself time by package:');
  for (const [k, v] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
}
