import { z } from 'zod';
import { ISSUES, zodText } from './issue-messages.js';

/**
 * Calendar dates travel and live as ISO strings 'YYYY-MM-DD' (UTC); comparing two such strings
 * compares the dates. No time zone or Date arithmetic leaks into the modules.
 */

/** The earliest date a harvest or a delivery window may name. */
export const EARLIEST_DATE = '2000-01-01';

/** How far ahead a delivery window may start (orders and commitments): 3 years. */
export const MAX_WINDOW_START_DAYS = 3 * 366;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Is `value` a real calendar date as YYYY-MM-DD (no 2026-02-30)? */
export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Today in UTC as YYYY-MM-DD. */
export const todayIso = (now = new Date()): string => now.toISOString().slice(0, 10);

/** Asia/Jakarta is UTC+07:00 all year (no daylight saving): the cooperatives' and the platform's local time. */
export const JAKARTA_OFFSET_MINUTES = 7 * 60;

/**
 * The calendar date in Asia/Jakarta at `now`, as YYYY-MM-DD: the fiscal date of what happens on the
 * platform (2026-12-31T18:00Z is already 2027-01-01 in Jakarta) and the "today" a recorded date may
 * not pass.
 */
export const jakartaTodayIso = (now = new Date()): string => new Date(now.getTime() + JAKARTA_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);

/** `date` plus `days` (negative: minus) as YYYY-MM-DD. */
export function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Zod schema of an input date (the Date scalar has already checked it is a real date). */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, zodText(ISSUES.dateYmd));
