/**
 * EPCIS event times carry their time-zone offset: `eventTime` is written in local time with the
 * offset, and `eventTimeZoneOffset` repeats it. The platform's events happen in East Java, so the
 * default is Asia/Jakarta (+07:00, no daylight saving); an event that says otherwise keeps its own.
 */

export const JAKARTA_OFFSET = '+07:00';

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** True for an offset EPCIS accepts (−14:00 … +14:00, as the schema's pattern). */
export const isOffset = (value: unknown): value is string =>
  typeof value === 'string' && /^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$/.test(value);

function offsetMinutes(offset: string): number {
  const m = OFFSET.exec(offset);
  if (!m) throw new TypeError(`not a time-zone offset: ${offset}`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** `2026-11-23T03:15:00.000Z` at +07:00 → `2026-11-23T10:15:00.000+07:00`. */
export function localTime(at: Date, offset: string = JAKARTA_OFFSET): string {
  const shifted = new Date(at.getTime() + offsetMinutes(offset) * 60_000);
  return `${shifted.toISOString().slice(0, -1)}${offset}`;
}
