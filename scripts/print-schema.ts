// npm run schema:print writes schema/schema.graphql from the code; --check fails when the file differs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { buildSchema } from '../src/schema.js';

const file = new URL('../schema/schema.graphql', import.meta.url);
const printed = `${printSchema(buildSchema())}\n`;
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== printed) {
    console.error('schema/schema.graphql differs from the code: run npm run schema:print and commit it');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
  writeFileSync(file, printed);
  console.log(`wrote schema/schema.graphql (${printed.split('\n').length} lines)`);
}
