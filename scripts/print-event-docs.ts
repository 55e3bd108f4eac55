/**
 * Prints the event catalogue from code (src/modules/outbox/catalogue.ts) into README.md between the
 * events markers; `--check` fails when the README is out of date (test/events/catalogue.test.ts runs
 * the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { catalogueMarkdown } from '../src/modules/outbox/catalogue.js';

const START = '<!-- events:start (npm run docs:events) -->';
const END = '<!-- events:end -->';

export function withEventCatalogue(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  return `${readme.slice(0, from + START.length)}\n${catalogueMarkdown()}\n${readme.slice(to)}`;
}

if (process.argv[1]?.endsWith('print-event-docs.ts')) {
  const readme = readFileSync('README.md', 'utf8');
  const next = withEventCatalogue(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md event catalogue is out of date: run npm run docs:events');
      process.exit(1);
    }
  } else {
    writeFileSync('README.md', next);
    console.log('wrote the event catalogue into README.md');
  }
}
