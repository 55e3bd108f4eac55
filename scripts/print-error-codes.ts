/**
 * Prints the error-code table from code (src/platform/error-codes.ts) into README.md between the
 * error-codes markers; `--check` fails when the README is out of date (a test runs the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { errorCodeTableMarkdown } from '../src/platform/error-codes.js';

const START = '<!-- error-codes:start (npm run docs:errors) -->';
const END = '<!-- error-codes:end -->';

export function withErrorCodeTable(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  return `${readme.slice(0, from + START.length)}\n${errorCodeTableMarkdown()}\n${readme.slice(to)}`;
}

if (process.argv[1]?.endsWith('print-error-codes.ts')) {
  const readme = readFileSync('README.md', 'utf8');
  const next = withErrorCodeTable(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md error-code table is out of date: run npm run docs:errors');
      process.exit(1);
    }
  } else {
    writeFileSync('README.md', next);
    console.log('wrote the error-code table into README.md');
  }
}
