import { Ratio, sum } from './ratio.js';

/**
 * Largest-remainder rounding (pure): exact non-negative shares that add up to a whole number of
 * minor units become whole minor units that add up to the same total.
 *
 * Each share gets its floor; the units left over (fewer than the number of shares) go one each to
 * the shares with the largest fractional remainders, ties broken by `key` ascending (a stable key
 * such as "3:line:000042", so the same input always rounds the same way).
 */
export interface ExactShare {
  key: string;
  exact: Ratio;
}

export function largestRemainder(shares: readonly ExactShare[], total: bigint): bigint[] {
  const exactTotal = sum(shares.map((s) => s.exact));
  if (exactTotal.cmp(Ratio.of(total)) !== 0) {
    throw new RangeError(`shares add up to ${exactTotal.toFixed(6)}, not ${total}`);
  }
  const keys = new Set<string>();
  for (const s of shares) {
    if (s.exact.isNegative()) throw new RangeError(`share ${s.key} is negative (${s.exact.toFixed(6)})`);
    if (keys.has(s.key)) throw new RangeError(`duplicate share key ${s.key}`);
    keys.add(s.key);
  }
  const floors = shares.map((s) => s.exact.floor());
  let left = total - floors.reduce((a, b) => a + b, 0n);
  const order = shares
    .map((s, i) => ({ i, key: s.key, rest: s.exact.fraction() }))
    .filter((x) => !x.rest.isZero())
    .sort((a, b) => b.rest.cmp(a.rest) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { i } of order) {
    if (left === 0n) break;
    floors[i] = floors[i]! + 1n;
    left -= 1n;
  }
  if (left !== 0n) throw new RangeError(`largest remainder left ${left} unit(s) undistributed`);
  return floors;
}

/**
 * The same split for shares given as integer numerators over one common denominator `den` (the
 * settlement core's fast path: no rational reduction). Σ nums must equal total · den.
 */
export function largestRemainderScaled(shares: ReadonlyArray<{ key: string; num: bigint }>, den: bigint, total: bigint): bigint[] {
  let sumNum = 0n;
  for (const s of shares) {
    if (s.num < 0n) throw new RangeError(`share ${s.key} is negative`);
    sumNum += s.num;
  }
  if (sumNum !== total * den) throw new RangeError(`shares add up to ${sumNum}/${den}, not ${total}`);
  const floors = shares.map((s) => s.num / den);
  let left = total - floors.reduce((a, b) => a + b, 0n);
  const order = shares
    .map((s, i) => ({ i, key: s.key, rest: s.num % den }))
    .filter((x) => x.rest !== 0n)
    .sort((a, b) => (a.rest > b.rest ? -1 : a.rest < b.rest ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { i } of order) {
    if (left === 0n) break;
    floors[i] = floors[i]! + 1n;
    left -= 1n;
  }
  if (left !== 0n) throw new RangeError(`largest remainder left ${left} unit(s) undistributed`);
  return floors;
}
