// `npm start`: run the compiled, bundled server (dist/server.mjs; no TypeScript transpiling at run
// time). `npm ci` already built dist/ (the `prepare` script); when the sources are newer than the
// build, or there is none, compile and bundle first. Plain JavaScript on purpose: this file runs
// before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.built');

function newestSource(dir, newest = 0) {
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(file, newest);
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

const entry = path.join(root, 'dist', 'server.mjs');
const bundler = path.join(root, 'scripts', 'bundle.mjs');
const sources = Math.max(
  ...['src', 'migrations', 'scripts'].map((d) => newestSource(path.join(root, d))),
  statSync(path.join(root, 'tsconfig.build.json')).mtimeMs,
  statSync(bundler).mtimeMs,
);
if (!existsSync(stamp) || !existsSync(entry) || statSync(stamp).mtimeMs < sources) {
  process.stderr.write('compiling TypeScript and bundling the server…\n');
  const run = (args) => {
    const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (child.status !== 0) process.exit(child.status ?? 1);
  };
  run([path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')]);
  run([bundler]);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
await import(pathToFileURL(entry).href);
