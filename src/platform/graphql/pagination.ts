import { type DefaultConnectionArguments, resolveCursorConnection } from '@pothos/plugin-relay';
import { ValidationError } from '../errors.js';
import { ISSUES } from '../issue-messages.js';

export const MAX_PAGE_SIZE = 100;

/** One page request in id order: rows with id > afterId (or < beforeId), at most `limit`, descending when inverted. */
export interface KeysetPage {
  afterId: number | null;
  beforeId: number | null;
  limit: number;
  inverted: boolean;
}

const encodeCursor = (id: number) => Buffer.from(`k:${id}`).toString('base64url');

function decodeCursor(cursor: string | undefined, path: string): number | null {
  if (cursor === undefined) return null;
  const text = Buffer.from(cursor, 'base64url').toString();
  const id = /^k:(\d{1,15})$/.exec(text)?.[1];
  if (!id) throw ValidationError.field(path, ISSUES.notACursor);
  return Number(id);
}

function checkSize(value: number | null | undefined, path: string): void {
  if (value !== null && value !== undefined && (value < 1 || value > MAX_PAGE_SIZE)) {
    throw ValidationError.field(path, ISSUES.pageSize({ max: MAX_PAGE_SIZE }));
  }
}

/**
 * Keyset (cursor) pagination over a unique, increasing id. `load` must honour the page exactly
 * (including the one extra row the helper asks for, to know whether there is a next page).
 */
export function resolveKeysetConnection<T extends { id: number }>(
  args: DefaultConnectionArguments,
  load: (page: KeysetPage) => Promise<readonly T[]>,
) {
  if ((args.first ?? null) === null && (args.last ?? null) === null) throw ValidationError.field('first', ISSUES.pageSizeRequired);
  checkSize(args.first, 'first');
  checkSize(args.last, 'last');
  const after = decodeCursor(args.after ?? undefined, 'after');
  const before = decodeCursor(args.before ?? undefined, 'before');
  return resolveCursorConnection(
    { args, toCursor: (row) => encodeCursor((row as T).id), maxSize: MAX_PAGE_SIZE, defaultSize: 20 },
    ({ limit, inverted }: { limit: number; inverted: boolean }): Promise<readonly T[]> => load({ afterId: after, beforeId: before, limit, inverted }),
  );
}

/** Complexity of a connection field: its page size multiplies the cost of what it selects. */
export const connectionComplexity = (args: DefaultConnectionArguments) => ({
  field: 1,
  multiplier: Math.max(1, Math.min(MAX_PAGE_SIZE, args.first ?? args.last ?? 1)),
});
