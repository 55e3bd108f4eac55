import { existsSync } from 'node:fs';
import { buildTemplate, templateFile } from '../src/seed/template.js';

/**
 * Build the prepared demo database (migrated and seeded embedded PGlite, dumped) that a cold
 * `npm start` loads. Part of `npm run build`; skipped when the template for this code exists.
 */
const file = templateFile();
if (existsSync(file) && !process.argv.includes('--force')) {
  console.log(`demo template up to date: ${file}`);
} else {
  const built = await buildTemplate(file);
  console.log(`built the demo template ${built.file} (${(built.bytes / 1e6).toFixed(1)} MB) in ${(built.ms / 1000).toFixed(1)} s`);
}
