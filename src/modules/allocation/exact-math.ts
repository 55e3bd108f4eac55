/**
 * Exact integer helpers for the allocation engine.
 *
 * All weights in the engine are non-negative safe integers (grams, or whole
 * bags when the order is in whole bags). Products of two such integers can
 * reach 2^106, beyond what a double represents exactly, so comparisons and
 * divisions of products go through these helpers: a fast double-precision
 * path when the result is provably exact (or the sign is provably right),
 * falling back to BigInt otherwise. No floating-point rounding ever leaks
 * into an allocation decision.
 */

const TWO_53 = 2 ** 53;
/** Relative error bound of a double product is 2^-53; 2^-50 leaves ample margin. */
const REL_EPS = 2 ** -50;

/**
 * Exact sign of `a*b - c*d` for non-negative safe integers.
 * @returns -1, 0 or 1
 */
export function cmpMul(a: number, b: number, c: number, d: number): -1 | 0 | 1 {
  const p = a * b;
  const q = c * d;
  // Products of integers below 2^53 are exact in doubles.
  if (p < TWO_53 && q < TWO_53) return p < q ? -1 : p > q ? 1 : 0;
  const diff = p - q;
  if (Math.abs(diff) > Math.max(p, q) * REL_EPS) return diff < 0 ? -1 : 1;
  const P = BigInt(a) * BigInt(b);
  const Q = BigInt(c) * BigInt(d);
  return P < Q ? -1 : P > Q ? 1 : 0;
}

/**
 * Exact `floor(a*b / d)` and remainder `a*b mod d` for non-negative safe
 * integers a, b and positive safe integer d, when the quotient is a safe
 * integer (the caller guarantees it).
 * @returns `[quotient, remainder]`, both safe integers, remainder in [0, d)
 */
export function mulDivFloor(a: number, b: number, d: number): [number, number] {
  const p = a * b;
  if (p < TWO_53) {
    // `%` on integral doubles is exact (fmod), so is the division of the multiple.
    const r = p % d;
    return [(p - r) / d, r];
  }
  const P = BigInt(a) * BigInt(b);
  const D = BigInt(d);
  return [Number(P / D), Number(P % D)];
}

/** Lexicographic (UTF-16 code unit) comparison: locale-independent and fast. */
export function cmpStr(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Fenwick tree over a fixed list of items ranked by descending value that
 * supports removal and "sum of the r largest values still present" in
 * O(log n). Used to decide whether a set of at most K producers can still
 * reach the order quantity.
 */
export class TopSumTree {
  private readonly n: number;
  private readonly cnt: Int32Array;
  private readonly sum: Float64Array;
  private readonly topBit: number;
  private present: number;
  private presentSum: number;

  /** @param valuesDesc values sorted descending; index = rank */
  constructor(valuesDesc: readonly number[]) {
    const n = valuesDesc.length;
    this.n = n;
    this.cnt = new Int32Array(n + 1);
    this.sum = new Float64Array(n + 1);
    let total = 0;
    for (let i = 1; i <= n; i++) {
      const v = valuesDesc[i - 1] as number;
      total += v;
      this.cnt[i] = (this.cnt[i] as number) + 1;
      this.sum[i] = (this.sum[i] as number) + v;
      const parent = i + (i & -i);
      if (parent <= n) {
        this.cnt[parent] = (this.cnt[parent] as number) + (this.cnt[i] as number);
        this.sum[parent] = (this.sum[parent] as number) + (this.sum[i] as number);
      }
    }
    let b = 1;
    while (b * 2 <= n) b *= 2;
    this.topBit = b;
    this.present = n;
    this.presentSum = total;
  }

  /** Remove the item at `rank` (0-based) whose value is `value`. */
  remove(rank: number, value: number): void {
    this.present--;
    this.presentSum -= value;
    for (let i = rank + 1; i <= this.n; i += i & -i) {
      this.cnt[i] = (this.cnt[i] as number) - 1;
      this.sum[i] = (this.sum[i] as number) - value;
    }
  }

  /** Sum of the `r` largest values still present (r < 0 → -Infinity). */
  topSum(r: number): number {
    if (r < 0) return -Infinity;
    if (r === 0) return 0;
    if (r >= this.present) return this.presentSum;
    let pos = 0;
    let rem = r;
    let acc = 0;
    for (let step = this.topBit; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.n && (this.cnt[next] as number) <= rem) {
        pos = next;
        rem -= this.cnt[next] as number;
        acc += this.sum[next] as number;
      }
    }
    return acc;
  }
}
