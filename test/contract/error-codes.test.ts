import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withErrorCodeTable } from '../../scripts/print-error-codes.js';
import { ERROR_CODES } from '../../src/platform/error-codes.js';

/**
 * Issue 8 §3: the README's error codes are printed from the catalogue, and the catalogue is the
 * codes the source answers with: a domain error class (`readonly code = '…'`) or a request-level
 * error (`extensions: { code: '…' }`) without an entry fails here, and so does an entry no source uses.
 */

const SRC = join(import.meta.dirname, '../../src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

function codesInSource(): Set<string> {
  const found = new Set<string>();
  for (const file of files(SRC)) {
    if (file.endsWith('error-codes.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/readonly code = '([A-Z_]+)'/g)) found.add(m[1]!);
    for (const m of text.matchAll(/extensions: \{ (?:\.\.\.[\w.?]+, )?code: '([A-Z_]+)'/g)) found.add(m[1]!);
    for (const m of text.matchAll(/\?\? '(BAD_[A-Z_]+)'|'(BAD_USER_INPUT)'/g)) found.add((m[1] ?? m[2])!);
  }
  return found;
}

describe('the error-code catalogue', () => {
  it('lists every code the source answers with, and none it does not', () => {
    const inSource = codesInSource();
    const listed = new Set(Object.keys(ERROR_CODES));
    expect([...inSource].filter((c) => !listed.has(c)).sort()).toEqual([]);
    expect([...listed].filter((c) => !inSource.has(c)).sort()).toEqual([]);
  });

  it('the README table is the one printed from the catalogue (npm run docs:errors)', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(withErrorCodeTable(readme)).toBe(readme);
  });

  it('marks the busy and rate-limit codes retryable, and input refusals not', () => {
    for (const code of ['ALLOCATION_BUSY', 'SERVICE_BUSY', 'TOO_MANY_ATTEMPTS', 'RATE_LIMITED', 'THROTTLED', 'SERVICE_UNAVAILABLE', 'IDEMPOTENCY_IN_PROGRESS'] as const) {
      expect(ERROR_CODES[code].retryable, code).toBe(true);
    }
    for (const code of ['VALIDATION_FAILED', 'BAD_USER_INPUT', 'NOT_FOUND', 'FORBIDDEN', 'CONFLICT'] as const) expect(ERROR_CODES[code].retryable, code).toBe(false);
  });
});
