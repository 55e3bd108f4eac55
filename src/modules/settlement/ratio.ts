/**
 * Exact rational numbers over bigint (pure). Settlement arithmetic needs exact division
 * (base rate = (N − Σ w·p) / Σ w) and percentages of amounts: with integer numerator and
 * denominator nothing is ever rounded until the final largest-remainder split.
 */

const abs = (x: bigint) => (x < 0n ? -x : x);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class Ratio {
  /** den > 0; reduced (gcd(num, den) = 1) unless made with `raw`. */
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static of(num: bigint | number, den: bigint | number = 1n): Ratio {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    return g > 1n ? new Ratio(n / g, d / g) : new Ratio(n, d);
  }

  /**
   * A ratio as given, without reducing it (den must be > 0): for hot paths that only need floor,
   * comparison or toFixed, which do not depend on the ratio being reduced.
   */
  static raw(num: bigint, den: bigint): Ratio {
    if (den <= 0n) throw new RangeError('denominator must be positive');
    return new Ratio(num, den);
  }

  static readonly ZERO = Ratio.of(0n);

  /** An exact decimal text ("16250.5", "-0.25", "12") as a ratio. */
  static parse(text: string): Ratio {
    const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
    if (!m) throw new RangeError(`"${text}" is not a decimal number`);
    const fraction = m[3] ?? '';
    const n = BigInt(m[2]! + fraction) * (m[1] ? -1n : 1n);
    return Ratio.of(n, 10n ** BigInt(fraction.length));
  }

  add(o: Ratio): Ratio {
    return Ratio.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Ratio): Ratio {
    return Ratio.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Ratio | bigint | number): Ratio {
    const r = o instanceof Ratio ? o : Ratio.of(o);
    return Ratio.of(this.num * r.num, this.den * r.den);
  }
  div(o: Ratio | bigint | number): Ratio {
    const r = o instanceof Ratio ? o : Ratio.of(o);
    if (r.num === 0n) throw new RangeError('division by zero');
    return Ratio.of(this.num * r.den, this.den * r.num);
  }
  cmp(o: Ratio): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  isNegative(): boolean {
    return this.num < 0n;
  }
  isZero(): boolean {
    return this.num === 0n;
  }
  /** this / 10^k without reducing (cheap: for display in larger units, e.g. sen → rupiah). */
  shift(k: number): Ratio {
    return new Ratio(this.num, this.den * 10n ** BigInt(k));
  }
  /** Largest integer ≤ this. */
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }
  /** this − floor(this), in [0, 1). */
  fraction(): Ratio {
    return this.sub(Ratio.of(this.floor()));
  }

  /**
   * Decimal text with `digits` decimals, rounded half away from zero (for display and for numeric
   * columns that keep a rate which is not a whole minor unit). `exact()` says whether nothing was lost.
   */
  toFixed(digits: number): string {
    const scale = 10n ** BigInt(digits);
    const scaled = abs(this.num) * scale;
    let q = scaled / this.den;
    if ((scaled % this.den) * 2n >= this.den) q += 1n;
    const sign = this.num < 0n && q !== 0n ? '-' : '';
    const text = q.toString().padStart(digits + 1, '0');
    return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
  }
  /** Whether the value has at most `digits` decimals (so toFixed(digits) is exact). */
  fitsDecimals(digits: number): boolean {
    return (this.num * 10n ** BigInt(digits)) % this.den === 0n;
  }
  toString(): string {
    const r = Ratio.of(this.num, this.den);
    return r.den === 1n ? r.num.toString() : `${r.num}/${r.den}`;
  }
}

export const sum = (values: readonly Ratio[]): Ratio => values.reduce((a, b) => a.add(b), Ratio.ZERO);
