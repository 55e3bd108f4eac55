import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, isEmptyDataDir } from '../platform/db.js';
import { migrateToLatest } from '../platform/migrate.js';
import { seedDemo } from './seed.js';

/**
 * A prepared embedded database: a closed PGlite data directory, migrated and seeded with the demo
 * data, copied into an empty data directory on a cold start (platform/db.ts copyDataDir) instead of
 * running initdb, the migrations and the seed at run time. The copy then opens like any existing
 * data directory: a cold start costs a warm start plus copying the files, and peaks no higher.
 *
 * The template is built by `npm run build` (so `npm ci` builds it through `prepare`), or the first
 * time a cold start finds none. Its directory name carries a digest of the running code (every
 * source or compiled file under src/ and migrations/), so any change to the schema, the services or
 * the demo plan builds a new one: a stale template is never loaded. It is built in a directory of
 * its own, renamed into place when closed, never from a live data directory, so it holds no secret
 * (the JWT secret is a separate file of the data directory, and is never copied).
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

/** Where the template for this code lives (a data directory). */
export function templateDir(dir = process.env.TEMPLATE_DIR ?? path.join(projectRoot(), '.cache', 'templates')): string {
  return path.join(dir, `demo-${codeDigest()}`);
}

/** Build the template (initdb, migrations, demo seed, in a directory of its own) and move it into place. */
export async function buildTemplate(target = templateDir()): Promise<{ dir: string; bytes: number; ms: number }> {
  const started = Date.now();
  const partial = `${target}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  try {
    const database = await createDatabase({ kind: 'pglite', dataDir: partial });
    try {
      await migrateToLatest(database.db);
      await seedDemo(database.db);
    } finally {
      await database.close();
    }
  } catch (error) {
    rmSync(partial, { recursive: true, force: true }); // no half-built template left behind
    throw error;
  }
  if (existsSync(target)) rmSync(partial, { recursive: true, force: true }); // another process built it meanwhile
  else renameSync(partial, target);
  pruneOtherTemplates(target);
  return { dir: target, bytes: treeBytes(target), ms: Date.now() - started };
}

/** Remove the templates of other code (about 45 MB each) next to this one, and older dumps. */
function pruneOtherTemplates(keep: string): void {
  const dir = path.dirname(keep);
  for (const name of readdirSync(dir)) {
    if (name !== path.basename(keep) && /^demo-[0-9a-f]{16}(\.tar\.gz)?$/.test(name)) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

function treeBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    bytes += entry.isDirectory() ? treeBytes(file) : statSync(file).size;
  }
  return bytes;
}

/** The template directory for this code, built now if missing, for `createDatabase({ templateDir })`. */
export async function demoTemplate(log?: { info(obj: object, msg: string): void }): Promise<string> {
  const dir = templateDir();
  if (isEmptyDataDir(dir)) {
    const built = await buildTemplate(dir);
    log?.info({ dir: built.dir, bytes: built.bytes, ms: built.ms }, 'built the demo database template (next cold starts copy it)');
  }
  return dir;
}
