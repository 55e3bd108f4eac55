import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { copyDataDir, createDatabase, EMBEDDED_SHARED_BUFFERS, isEmptyDataDir } from '../../src/platform/db.js';
import { migrateToLatest } from '../../src/platform/migrate.js';
import { seedDigest } from '../../src/seed/digest.js';
import { seedIfEmpty } from '../../src/seed/seed.js';
import { buildTemplate, codeDigest, demoTemplate, templateDir } from '../../src/seed/template.js';

/**
 * The prepared demo database that a cold embedded start copies (seed/template.ts): a closed data
 * directory keyed by the code's digest, holding exactly what the seed writes.
 */
describe('demo database template', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumbung-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is named after a digest of the code, the same on every call', () => {
    const file = templateDir(path.join(dir, 'templates'));
    expect(path.basename(file)).toBe(`demo-${codeDigest()}`);
    expect(codeDigest()).toMatch(/^[0-9a-f]{16}$/);
    expect(codeDigest()).toBe(codeDigest());
  });

  it('copies into an empty data directory with the same data the seed writes, and holds no data-directory secret', async () => {
    const templates = path.join(dir, 'templates');
    const target = templateDir(templates);
    const built = await buildTemplate(target);
    expect(built.bytes).toBeGreaterThan(1_000_000);
    expect(readdirSync(templates)).toEqual([path.basename(target)]); // moved into place when closed: no partial directory left
    expect(readdirSync(target)).not.toContain('lumbung.lock');

    const dataDir = path.join(dir, 'data');
    expect(isEmptyDataDir(dataDir)).toBe(true);
    process.env.TEMPLATE_DIR = templates;
    let loaded;
    try {
      loaded = await createDatabase({ kind: 'pglite', dataDir }, { templateDir: await demoTemplate() });
    } finally {
      delete process.env.TEMPLATE_DIR;
    }
    const fresh = await createDatabase({ kind: 'pglite', dataDir: null });
    try {
      expect(isEmptyDataDir(dataDir)).toBe(false);
      expect(existsSync(path.join(dataDir, 'jwt-secret'))).toBe(false);
      // The embedded database keeps its buffers small (platform/db.ts), loaded from a template or not.
      for (const d of [loaded, fresh]) {
        expect((await sql<{ shared_buffers: string }>`show shared_buffers`.execute(d.db)).rows[0]?.shared_buffers).toBe(EMBEDDED_SHARED_BUFFERS);
      }
      // Already seeded: a cold start with the template never runs the seed.
      expect(await seedIfEmpty(loaded.db, { info: () => {} })).toBe(false);
      await migrateToLatest(fresh.db);
      expect(await seedIfEmpty(fresh.db, { info: () => {} })).toBe(true);
      expect(await seedDigest(loaded.db)).toEqual(await seedDigest(fresh.db));
    } finally {
      await loaded.close();
      await fresh.close();
    }
  }, 240_000);

  it('copies the marker of a database last, and never the process\'s own files', () => {
    const from = path.join(dir, 'from');
    const to = path.join(dir, 'to');
    mkdirSync(path.join(from, 'base', '5'), { recursive: true });
    writeFileSync(path.join(from, 'PG_VERSION'), '17\n');
    writeFileSync(path.join(from, 'base', '5', '1259'), 'rows');
    writeFileSync(path.join(from, 'lumbung.lock'), '1\n');
    writeFileSync(path.join(from, 'jwt-secret'), 'theirs');
    mkdirSync(to);
    writeFileSync(path.join(to, 'jwt-secret'), 'mine');
    // A copy cut short (here by a file that cannot be read): the directory still reads as empty.
    symlinkSync(path.join(dir, 'nowhere'), path.join(from, 'base', '5', 'broken'));
    expect(() => copyDataDir(from, to)).toThrow(/ENOENT/);
    expect(isEmptyDataDir(to)).toBe(true);
    // The next start copies again, over what is there.
    rmSync(path.join(from, 'base', '5', 'broken'));
    copyDataDir(from, to);
    expect(isEmptyDataDir(to)).toBe(false);
    expect(readdirSync(to).sort()).toEqual(['PG_VERSION', 'base', 'jwt-secret']);
    expect(readFileSync(path.join(to, 'jwt-secret'), 'utf8')).toBe('mine');
    expect(readFileSync(path.join(to, 'base', '5', '1259'), 'utf8')).toBe('rows');
  });
});
