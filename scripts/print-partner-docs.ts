/**
 * Prints the partner scope table from code (src/modules/partners/scopes.ts) into README.md between
 * the scopes markers; `--check` fails when the README is out of date (a test runs the same check).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { scopeTableMarkdown } from '../src/modules/partners/scopes.js';

const START = '<!-- scopes:start (npm run docs:scopes) -->';
const END = '<!-- scopes:end -->';

export function withScopeTable(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  return `${readme.slice(0, from + START.length)}\n${scopeTableMarkdown()}\n${readme.slice(to)}`;
}

if (process.argv[1]?.endsWith('print-partner-docs.ts')) {
  const readme = readFileSync('README.md', 'utf8');
  const next = withScopeTable(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error('README.md scope table is out of date: run npm run docs:scopes');
      process.exit(1);
    }
  } else {
    writeFileSync('README.md', next);
    console.log('wrote the scope table into README.md');
  }
}
