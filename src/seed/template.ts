import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '../platform/db.js';
import { migrateToLatest } from '../platform/migrate.js';
import { seedDemo } from './seed.js';

/**
 * A prepared embedded database: migrated and seeded with the demo data, dumped once
 * (`PGlite.dumpDataDir('gzip')`), and loaded into an empty data directory on a cold start instead
 * of running initdb, the migrations and the seed at run time (about 1.5 s instead of 10 s, and
 * without initdb's memory high-water mark).
 *
 * The template is built by `npm run build` (so `npm ci` builds it through `prepare`), or the first
 * time a cold start finds none. Its file name carries a digest of the running code (every source or
 * compiled file under src/ and migrations/), so any change to the schema, the services or the demo
 * plan builds a new one: a stale template is never loaded. It is built in memory, never from a live
 * data directory, so it holds no secret (the JWT secret is a separate file of the data directory).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** Defined by scripts/bundle.mjs in the bundled server: where the compiled sources it was made from are, from the bundle's directory. */
declare const LUMBUNG_BUNDLE_CODE_ROOT: string | undefined;
/** src/ (under tsx) or dist/src/ (compiled, and for the bundle made from it): the directory holding seed/. */
const codeRoot = path.resolve(here, typeof LUMBUNG_BUNDLE_CODE_ROOT === 'string' ? LUMBUNG_BUNDLE_CODE_ROOT : '..');

function projectRoot(): string {
  for (let dir = codeRoot; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

function codeFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) codeFiles(file, out);
    else if (/\.(ts|js)$/.test(entry.name) && !/\.test\.(ts|js)$/.test(entry.name)) out.push(file);
  }
  return out;
}

/** Digest of the code that decides what the template holds. */
export function codeDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...codeFiles(codeRoot), ...codeFiles(path.resolve(codeRoot, '..', 'migrations'))].sort()) {
    hash.update(path.relative(codeRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export function templateFile(dir = process.env.TEMPLATE_DIR ?? path.join(projectRoot(), '.cache', 'templates')): string {
  return path.join(dir, `demo-${codeDigest()}.tar.gz`);
}

/** True when the embedded data directory holds no database yet. */
export function isEmptyDataDir(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** Build the template (in memory: initdb, migrations, demo seed, dump) and write it atomically. */
export async function buildTemplate(file = templateFile()): Promise<{ file: string; bytes: number; ms: number }> {
  const started = Date.now();
  const database = await createDatabase({ kind: 'pglite', dataDir: null });
  let dump: Blob;
  try {
    await migrateToLatest(database.db);
    await seedDemo(database.db);
    dump = await database.pglite!.dumpDataDir('gzip');
  } finally {
    await database.close();
  }
  const bytes = Buffer.from(await dump.arrayBuffer());
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
  return { file, bytes: bytes.length, ms: Date.now() - started };
}

/** The template for this code, built now if missing; as a Blob for `createDatabase({ loadDataDir })`. */
export async function demoTemplate(log?: { info(obj: object, msg: string): void }): Promise<Blob> {
  const file = templateFile();
  if (!existsSync(file) || statSync(file).size === 0) {
    const built = await buildTemplate(file);
    log?.info({ file: built.file, bytes: built.bytes, ms: built.ms }, 'built the demo database template (next cold starts load it)');
  }
  return new Blob([readFileSync(file)]);
}
