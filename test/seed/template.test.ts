import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, EMBEDDED_SHARED_BUFFERS } from '../../src/platform/db.js';
import { migrateToLatest } from '../../src/platform/migrate.js';
import { seedDigest } from '../../src/seed/digest.js';
import { seedIfEmpty } from '../../src/seed/seed.js';
import { buildTemplate, codeDigest, demoTemplate, isEmptyDataDir, templateFile } from '../../src/seed/template.js';

/**
 * The prepared demo database that a cold embedded start loads (seed/template.ts): built in memory,
 * keyed by the code's digest, and holding exactly what the seed writes.
 */
describe('demo database template', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumbung-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is named after a digest of the code, the same on every call', () => {
    const file = templateFile(path.join(dir, 'templates'));
    expect(path.basename(file)).toBe(`demo-${codeDigest()}.tar.gz`);
    expect(codeDigest()).toMatch(/^[0-9a-f]{16}$/);
    expect(codeDigest()).toBe(codeDigest());
  });

  it('loads into an empty data directory with the same data the seed writes, and holds no data-directory secret', async () => {
    const templates = path.join(dir, 'templates');
    const file = templateFile(templates);
    const built = await buildTemplate(file);
    expect(built.bytes).toBeGreaterThan(100_000);
    expect(readdirSync(templates)).toEqual([path.basename(file)]); // written atomically: no partial file left

    const dataDir = path.join(dir, 'data');
    expect(isEmptyDataDir(dataDir)).toBe(true);
    process.env.TEMPLATE_DIR = templates;
    let loaded;
    try {
      loaded = await createDatabase({ kind: 'pglite', dataDir }, { loadDataDir: await demoTemplate() });
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
});
