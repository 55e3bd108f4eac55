import type { Kysely } from 'kysely';
import { SNI_ARABICA_PRESET } from '../../src/modules/grading/sni.js';
import type { DB, MembershipStatus } from '../../src/platform/db-types.js';

/**
 * A supply dataset as plain arrays, inserted with Kysely (no services, no GraphQL), and an
 * independent plain-TS reference of the availability rules to check the SQL against.
 */

export interface FxProducer { key: string; regency: string; membership: MembershipStatus | null }
export interface FxLot {
  producer: string; product: 'main' | 'other'; netG: number; allocatedG: number;
  /** Grade rank from the latest assessment; null = not yet assessed. */
  rank: number | null; offGrade: boolean;
}
export interface FxCommitment {
  producer: string; product: 'main' | 'other'; minRank: number; committedG: number; allocatedG: number;
  windowStart: string; windowEnd: string; status: 'OPEN' | 'WITHDRAWN';
}
export interface Fixture { producers: FxProducer[]; lots: FxLot[]; commitments: FxCommitment[] }

export interface Question { maxRank: number; windowStart: string; windowEnd: string; regencies: string[] | null }

export interface Figures { spotG: number; forwardG: number; contributors: Set<string> }

export interface Reference {
  total: Figures;
  byRank: Map<number, Figures>;
  byRegency: Map<string, Figures>;
  byProducer: Map<string, { spotG: number; forwardG: number }>;
}

const empty = (): Figures => ({ spotG: 0, forwardG: 0, contributors: new Set() });

/** The availability rules, written independently of the SQL. */
export function reference(fx: Fixture, q: Question): Reference {
  const producers = new Map(fx.producers.map((p) => [p.key, p]));
  const approved = (key: string) => producers.get(key)?.membership === 'APPROVED';
  const inRegion = (key: string) => {
    const regency = producers.get(key)!.regency.toLowerCase();
    return q.regencies === null || q.regencies.some((r) => r.toLowerCase() === regency);
  };
  const ref: Reference = { total: empty(), byRank: new Map(), byRegency: new Map(), byProducer: new Map() };
  const add = (key: string, rank: number, spotG: number, forwardG: number) => {
    const regency = producers.get(key)!.regency;
    for (const f of [
      ref.total,
      ref.byRank.get(rank) ?? ref.byRank.set(rank, empty()).get(rank)!,
      ref.byRegency.get(regency) ?? ref.byRegency.set(regency, empty()).get(regency)!,
    ]) {
      f.spotG += spotG;
      f.forwardG += forwardG;
      f.contributors.add(key);
    }
    const p = ref.byProducer.get(key) ?? { spotG: 0, forwardG: 0 };
    ref.byProducer.set(key, { spotG: p.spotG + spotG, forwardG: p.forwardG + forwardG });
  };
  for (const lot of fx.lots) {
    const left = lot.netG - lot.allocatedG;
    if (lot.product !== 'main' || lot.rank === null || lot.offGrade || left <= 0) continue;
    if (lot.rank > q.maxRank || !approved(lot.producer) || !inRegion(lot.producer)) continue;
    add(lot.producer, lot.rank, left, 0);
  }
  for (const c of fx.commitments) {
    const left = c.committedG - c.allocatedG;
    if (c.product !== 'main' || c.status !== 'OPEN' || left <= 0 || c.minRank > q.maxRank) continue;
    if (c.windowStart > q.windowEnd || c.windowEnd < q.windowStart) continue;
    if (!approved(c.producer) || !inRegion(c.producer)) continue;
    add(c.producer, c.minRank, 0, left);
  }
  return ref;
}

export interface Inserted {
  brandId: number;
  productId: number;
  otherProductId: number;
  /** Producer key → row id. */
  producerIds: Map<string, number>;
}

let counter = 0;

/** Insert a brand with two Arabica products (SNI preset) and the fixture, in a handful of multi-row statements. */
export async function insertFixture(db: Kysely<DB>, fx: Fixture, existing?: { brandId: number; producerIds: Map<string, number> }): Promise<Inserted> {
  const tag = `${process.pid}-${++counter}`;
  const brandId =
    existing?.brandId ??
    (await db.insertInto('brands').values({ name: `Avail brand ${tag}`, commodity: 'COFFEE', fee_pct: '5.00' }).returning('id').executeTakeFirstOrThrow()).id;
  const [productId, otherProductId] = (
    await db
      .insertInto('products')
      .values(['main', 'other'].map((n) => ({
        brand_id: brandId, name: `Arabica ${n} ${tag}`, commodity: 'COFFEE', species: 'ARABICA' as const, process: 'WASHED' as const, form: 'GREEN' as const,
      })))
      .returning('id')
      .execute()
  ).map((r) => r.id) as [number, number];
  for (const pid of [productId, otherProductId]) {
    const scheme = await db.insertInto('grade_schemes').values({ product_id: pid, version: 1, preset: 'SNI_ARABICA' }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('grades')
      .values(SNI_ARABICA_PRESET.grades.map((g) => ({
        scheme_id: scheme.id, code: g.code, label: g.label, rank: g.rank, max_defect: g.maxDefectValue, max_moisture: g.maxMoisturePct, min_cupping: null,
      })))
      .execute();
  }
  let producerIds = existing?.producerIds;
  if (!producerIds) {
    producerIds = new Map();
    if (fx.producers.length > 0) {
      const rows = await db
        .insertInto('producers')
        .values(fx.producers.map((p) => ({ display_name: `Tani ${p.key} ${tag}`, village: 'Desa', district: 'Kecamatan', regency: p.regency })))
        .returning('id')
        .execute();
      fx.producers.forEach((p, i) => producerIds!.set(p.key, rows[i]!.id));
      const memberships = fx.producers.filter((p) => p.membership !== null);
      if (memberships.length > 0) {
        await db
          .insertInto('memberships')
          .values(memberships.map((p) => ({ producer_id: producerIds!.get(p.key)!, brand_id: brandId, status: p.membership! })))
          .execute();
      }
    }
  }
  const regencyOf = new Map(fx.producers.map((p) => [p.key, p.regency]));
  const productOf = (p: 'main' | 'other') => (p === 'main' ? productId : otherProductId);
  const gradeCode = (rank: number) => SNI_ARABICA_PRESET.grades[rank - 1]!.code;
  if (fx.lots.length > 0) {
    await db
      .insertInto('lots')
      .values(fx.lots.map((l) => ({
        producer_id: producerIds!.get(l.producer)!, product_id: productOf(l.product), brand_id: brandId, regency: regencyOf.get(l.producer)!,
        harvest_start: '2026-06-01', harvest_end: '2026-08-31', process: 'WASHED' as const, net_g: l.netG, allocated_g: l.allocatedG,
        storage_location: 'Gudang', eudr_ready: true, grade_rank: l.offGrade ? null : l.rank, grade_code: l.offGrade || l.rank === null ? null : gradeCode(l.rank),
        off_grade: l.offGrade,
      })))
      .execute();
  }
  if (fx.commitments.length > 0) {
    await db
      .insertInto('commitments')
      .values(fx.commitments.map((c) => ({
        producer_id: producerIds!.get(c.producer)!, product_id: productOf(c.product), brand_id: brandId, regency: regencyOf.get(c.producer)!,
        min_grade_rank: c.minRank, min_grade_code: gradeCode(c.minRank), committed_g: c.committedG, allocated_g: c.allocatedG,
        window_start: c.windowStart, window_end: c.windowEnd, status: c.status,
      })))
      .execute();
  }
  return { brandId, productId, otherProductId, producerIds };
}
