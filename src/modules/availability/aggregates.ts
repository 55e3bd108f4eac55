/**
 * Maintained availability aggregates: the pure part (no SQL). What one producer contributes to the
 * counters of a product, and how an answer is put together from the summed counters plus the
 * producers computed live.
 *
 * The counters answer every availability question (grade ≤ R, window [qs, qe], a set of regencies)
 * exactly from a few hundred summed rows:
 *
 * - Spot grams per (rank, regency): SPOT_G, undated (gran 'A').
 * - Forward grams: a commitment [s, e] overlaps the window iff s ≤ qe and e ≥ qs, and every
 *   commitment with e < qs also has s ≤ qe, so the overlapping sum is
 *   Σ(s ≤ qe) − Σ(e < qs): FWD_START_G keyed by s, FWD_END_G keyed by e.
 * - Contributor counts (distinct producers, not lots): for a selector (rank ≤ R, or rank = r) and
 *   a regency, a producer's qualifying supply is a union of day intervals, spot being (−∞, +∞).
 *   Merged into disjoint intervals sorted by start, the intervals meeting the window are
 *   consecutive, so [the producer counts] = #merged intervals meeting it − #gaps between two
 *   consecutive merged intervals that both meet it. Both are sums over counters: intervals meeting
 *   = #(start ≤ qe) − #(end < qs) (START and END metrics, spot has start −∞ and no end), and a gap
 *   (lo = e_i, hi = s_{i+1}) lies between two meeting intervals iff lo ≥ qs and hi ≤ qe (GAP, gran
 *   'G', d1 = lo, d2 = hi). Per-grade counts use rank = r selectors (EQ_*); totals and per-regency
 *   counts use rank ≤ R (LE_*), stored per band of R [rank_lo, rank_hi) over which the producer's
 *   set does not change.
 * - Counts are additive over regencies only for producers whose supply of the product is all in
 *   one regency; the others ("live") are kept out of the counters and computed at read time.
 * - Dated counters are stored twice, by day (gran 'D') and by the first day of the month (gran
 *   'M'), so Σ(start ≤ qe) reads whole months before qe's month plus qe's month by day.
 */

export const METRIC = {
  SPOT_G: 1,
  FWD_START_G: 2,
  FWD_END_G: 3,
  LE_START: 4,
  LE_END: 5,
  LE_GAP: 6,
  EQ_START: 7,
  EQ_END: 8,
  EQ_GAP: 9,
} as const;

/** Metrics read at their start day (≤ qe) and at their end day (< qs). */
export const START_METRICS = [METRIC.FWD_START_G, METRIC.LE_START, METRIC.EQ_START] as const;
export const END_METRICS = [METRIC.FWD_END_G, METRIC.LE_END, METRIC.EQ_END] as const;
/** Metrics whose rank_lo..rank_hi is a band of R (the others: rank_lo is the rank itself). */
export const BAND_METRICS = [METRIC.LE_START, METRIC.LE_END, METRIC.LE_GAP] as const;

export const NO_DATE = '-infinity';
/** rank_hi of the last band: every R from rank_lo up. */
export const RANK_TOP = 32767;

export type Gran = 'A' | 'M' | 'D' | 'G';

export interface Cell {
  gran: Gran;
  d1: string;
  metric: number;
  rankLo: number;
  rankHi: number;
  regency: string;
  d2: string;
  value: number;
}

/** One qualifying supply row of an approved member: a graded lot with weight left, or an open commitment with weight left. */
export interface SupplyItem {
  producerId: number;
  productId: number;
  regency: string;
  rank: number;
  /** null for a lot (spot); the commitment's window for forward supply. */
  start: string | null;
  end: string | null;
  grams: number;
}

export const monthStart = (day: string): string => `${day.slice(0, 7)}-01`;

export const cellKey = (c: Omit<Cell, 'value'>): string =>
  JSON.stringify([c.gran, c.d1, c.metric, c.rankLo, c.rankHi, c.regency, c.d2]);

export const cellFromKey = (key: string, value: number): Cell => {
  const [gran, d1, metric, rankLo, rankHi, regency, d2] = JSON.parse(key) as [Gran, string, number, number, number, string, string];
  return { gran, d1, metric, rankLo, rankHi, regency, d2, value };
};

class Cells {
  readonly map = new Map<string, number>();
  add(c: Omit<Cell, 'value'>, value: number) {
    const k = cellKey(c);
    const v = (this.map.get(k) ?? 0) + value;
    if (v === 0) this.map.delete(k);
    else this.map.set(k, v);
  }
  /** A dated cell: by day and by month. */
  dated(metric: number, rankLo: number, rankHi: number, regency: string, day: string, value: number) {
    this.add({ gran: 'D', d1: day, metric, rankLo, rankHi, regency, d2: NO_DATE }, value);
    this.add({ gran: 'M', d1: monthStart(day), metric, rankLo, rankHi, regency, d2: NO_DATE }, value);
  }
}

type Intervals = 'all' | Array<[string, string]>;

/** The union of the items' day intervals, merged, sorted; 'all' when there is spot supply. */
function union(items: readonly SupplyItem[]): Intervals {
  if (items.some((i) => i.start === null)) return 'all';
  const sorted = items.map((i) => [i.start!, i.end!] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: Array<[string, string]> = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) {
      if (e > last[1]) last[1] = e;
    } else merged.push([s, e]);
  }
  return merged;
}

const START = { LE: METRIC.LE_START, EQ: METRIC.EQ_START } as const;
const END = { LE: METRIC.LE_END, EQ: METRIC.EQ_END } as const;
const GAP = { LE: METRIC.LE_GAP, EQ: METRIC.EQ_GAP } as const;

function countCells(out: Cells, kind: 'LE' | 'EQ', rankLo: number, rankHi: number, regency: string, set: Intervals) {
  if (set === 'all') {
    out.add({ gran: 'A', d1: NO_DATE, metric: START[kind], rankLo, rankHi, regency, d2: NO_DATE }, 1);
    return;
  }
  set.forEach(([s, e], i) => {
    out.dated(START[kind], rankLo, rankHi, regency, s, 1);
    out.dated(END[kind], rankLo, rankHi, regency, e, 1);
    const next = set[i + 1];
    if (next) out.add({ gran: 'G', d1: e, metric: GAP[kind], rankLo, rankHi, regency, d2: next[0] }, 1);
  });
}

/**
 * What one producer's supply of one product adds to the product's counters. `items` are that
 * (producer, product)'s qualifying rows. Supply in more than one regency: `live` (no cells).
 */
export function contributionOf(items: readonly SupplyItem[]): { live: boolean; cells: Map<string, number> } {
  const out = new Cells();
  if (items.length === 0) return { live: false, cells: out.map };
  const regency = items[0]!.regency;
  if (items.some((i) => i.regency !== regency)) return { live: true, cells: out.map };
  for (const i of items) {
    if (i.start === null) out.add({ gran: 'A', d1: NO_DATE, metric: METRIC.SPOT_G, rankLo: i.rank, rankHi: i.rank + 1, regency, d2: NO_DATE }, i.grams);
    else {
      out.dated(METRIC.FWD_START_G, i.rank, i.rank + 1, regency, i.start, i.grams);
      out.dated(METRIC.FWD_END_G, i.rank, i.rank + 1, regency, i.end!, i.grams);
    }
  }
  const ranks = [...new Set(items.map((i) => i.rank))].sort((a, b) => a - b);
  for (const r of ranks) countCells(out, 'EQ', r, r + 1, regency, union(items.filter((i) => i.rank === r)));
  // Bands of R: the set of items with rank ≤ R changes only at the items' ranks; equal neighbours merge.
  const bands: Array<{ lo: number; hi: number; set: Intervals; sig: string }> = [];
  ranks.forEach((r, k) => {
    const set = union(items.filter((i) => i.rank <= r));
    const sig = JSON.stringify(set);
    const hi = ranks[k + 1] ?? RANK_TOP;
    const last = bands[bands.length - 1];
    if (last && last.sig === sig) last.hi = hi;
    else bands.push({ lo: r, hi, set, sig });
  });
  for (const b of bands) countCells(out, 'LE', b.lo, b.hi, regency, b.set);
  return { live: false, cells: out.map };
}

/** A counter or contribution row: a cell of one product. */
export interface StoredCell extends Cell {
  productId: number;
}

/**
 * Contributions of many producers from their qualifying supply items: per producer its cells,
 * the (product, producer) pairs computed live, and the cells summed per product and key.
 */
export function contributionsOf(items: readonly SupplyItem[]) {
  const groups = new Map<string, SupplyItem[]>();
  for (const i of items) {
    const k = `${i.producerId}/${i.productId}`;
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(i);
  }
  const perProducer = new Map<number, StoredCell[]>();
  const live: Array<[number, number]> = [];
  for (const group of groups.values()) {
    const { producerId, productId } = group[0]!;
    const c = contributionOf(group);
    if (c.live) live.push([productId, producerId]);
    const list = perProducer.get(producerId) ?? perProducer.set(producerId, []).get(producerId)!;
    for (const [key, value] of c.cells) list.push({ ...cellFromKey(key, value), productId });
  }
  return { perProducer, live };
}

export const storedKey = (c: StoredCell) => `${c.productId}:${cellKey(c)}`;

/** new − old per key (zero deltas left out). */
export function deltas(added: Iterable<StoredCell>, removed: Iterable<StoredCell>): StoredCell[] {
  const sum = new Map<string, StoredCell>();
  const put = (c: StoredCell, sign: 1 | -1) => {
    const k = storedKey(c);
    const cur = sum.get(k);
    if (cur) cur.value += sign * c.value;
    else sum.set(k, { ...c, value: sign * c.value });
  };
  for (const c of added) put(c, 1);
  for (const c of removed) put(c, -1);
  return [...sum.values()].filter((c) => c.value !== 0);
}

export interface Figures {
  spotG: number;
  forwardG: number;
  contributorCount: number;
}

/** A summed counter row of the read: per rank (level 1) or per regency (level 2) of one metric. */
export interface SummedRow {
  level: 1 | 2;
  metric: number;
  rank: number | null;
  regency: string | null;
  value: number;
}

/** A supply row of a producer computed live (already filtered by the question, as the scan would). */
export interface LiveRow {
  producerId: number;
  rank: number;
  regency: string;
  spotG: number;
  forwardG: number;
}

export interface Answer {
  total: Figures;
  byRank: Map<number, Figures>;
  byRegency: Map<string, Figures>;
}

/** Put the answer together: summed counters (live producers' old contributions already subtracted) plus the live rows. */
export function combine(summed: readonly SummedRow[], live: readonly LiveRow[]): Answer {
  const byRank = new Map<number, Figures>();
  const byRegency = new Map<string, Figures>();
  const at = <K>(m: Map<K, Figures>, k: K) => m.get(k) ?? m.set(k, { spotG: 0, forwardG: 0, contributorCount: 0 }).get(k)!;
  for (const r of summed) {
    const f = r.level === 1 ? at(byRank, r.rank!) : at(byRegency, r.regency!);
    switch (r.metric) {
      case METRIC.SPOT_G: f.spotG += r.value; break;
      case METRIC.FWD_START_G: f.forwardG += r.value; break;
      case METRIC.FWD_END_G: f.forwardG -= r.value; break;
      case METRIC.EQ_START: if (r.level === 1) f.contributorCount += r.value; break;
      case METRIC.EQ_END: case METRIC.EQ_GAP: if (r.level === 1) f.contributorCount -= r.value; break;
      case METRIC.LE_START: if (r.level === 2) f.contributorCount += r.value; break;
      case METRIC.LE_END: case METRIC.LE_GAP: if (r.level === 2) f.contributorCount -= r.value; break;
    }
  }
  // Counted producers from the counters are single-regency, so the total count is the sum over regencies.
  const total: Figures = { spotG: 0, forwardG: 0, contributorCount: 0 };
  for (const f of byRank.values()) { total.spotG += f.spotG; total.forwardG += f.forwardG; }
  for (const f of byRegency.values()) total.contributorCount += f.contributorCount;
  const seen = { total: new Set<number>(), rank: new Set<string>(), regency: new Set<string>() };
  for (const l of live) {
    for (const f of [total, at(byRank, l.rank), at(byRegency, l.regency)]) { f.spotG += l.spotG; f.forwardG += l.forwardG; }
    if (!seen.total.has(l.producerId)) { seen.total.add(l.producerId); total.contributorCount++; }
    const rk = `${l.producerId}/${l.rank}`;
    if (!seen.rank.has(rk)) { seen.rank.add(rk); at(byRank, l.rank).contributorCount++; }
    const gk = JSON.stringify([l.producerId, l.regency]);
    if (!seen.regency.has(gk)) { seen.regency.add(gk); at(byRegency, l.regency).contributorCount++; }
  }
  for (const [k, f] of byRegency) if (f.contributorCount === 0 && f.spotG === 0 && f.forwardG === 0) byRegency.delete(k);
  return { total, byRank, byRegency };
}
