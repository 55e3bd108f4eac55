import { rmSync } from 'node:fs';
import { isEmptyDataDir } from '../src/platform/db.js';
import { buildTemplate, templateDir } from '../src/seed/template.js';

/**
 * Build the prepared demo database (a migrated and seeded embedded PGlite data directory) that a
 * cold `npm start` copies. Part of `npm run build`; skipped when the template for this code exists.
 */
const dir = templateDir();
if (!isEmptyDataDir(dir) && !process.argv.includes('--force')) {
  console.log(`demo template up to date: ${dir}`);
} else {
  rmSync(dir, { recursive: true, force: true });
  const built = await buildTemplate(dir);
  console.log(`built the demo template ${built.dir} (${(built.bytes / 1e6).toFixed(1)} MB) in ${(built.ms / 1000).toFixed(1)} s`);
}
