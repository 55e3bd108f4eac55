import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateQuery, type SupplyFilter } from '../../src/modules/availability/availability.repo.js';
import {
  checkAvailabilityCounters,
  compactAll,
  compactAvailability,
  getAvailability,
  repairAvailability,
  startAvailabilityCompactor,
} from '../../src/modules/availability/availability.service.js';
import type { Principal } from '../../src/platform/auth.js';
import type { DB } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type FxProducer, type Inserted, insertFixture } from './dataset.js';

/**
 * The maintained aggregates against a full recomputation. Random sequences of every change that
 * touches supply, written as the services write them (the triggers mark whichever path made
 * them): declaring a lot, grading it (or off-grade), committing, amending, withdrawing,
 * allocating and releasing lot and commitment weight, fulfilling (forward weight moves to a
 * delivered lot), a shortfall (the commitment's allocation released), membership changes and a
 * producer moving regency (later lots in another regency: the producer is computed live).
 * After each batch: every availability answer equals the scan of lots and commitments (before and
 * after compaction), and after compaction the stored counters equal a recomputation.
 * Sequential on PGlite and PostgreSQL; concurrently (workers plus the compactor) on PostgreSQL.
 */

const ADMIN: Principal = { userId: 0, email: 'x', displayName: 'x', grants: [{ id: 0, role: 'ADMIN', orgId: null }] };
const REGENCIES = ['Bondowoso', 'Situbondo', 'Banyuwangi', 'bondowoso'];
const STATUSES = ['APPROVED', 'APPROVED', 'APPROVED', 'SUSPENDED', 'APPLIED', 'REJECTED'] as const;

const day = fc.integer({ min: 0, max: 500 }).map((n) => new Date(Date.UTC(2027, 0, 1 + n)).toISOString().slice(0, 10));
const range = fc.tuple(day, day).map(([x, y]) => (x <= y ? [x, y] : [y, x]) as [string, string]);
const pick = fc.nat(1_000_000);
const grams = fc.integer({ min: 1, max: 5_000_000 });

type Op =
  | { op: 'declareLot'; p: number; product: number; g: number }
  | { op: 'assess'; lot: number; rank: number | null; offGrade: boolean }
  | { op: 'allocateLot' | 'releaseLot'; lot: number; g: number }
  | { op: 'commit'; p: number; product: number; rank: number; window: [string, string]; g: number }
  | { op: 'amend'; c: number; rank: number; window: [string, string]; g: number }
  | { op: 'withdraw'; c: number }
  | { op: 'allocateCommitment' | 'releaseCommitment' | 'shortfall'; c: number; g: number }
  | { op: 'fulfil'; c: number; lot: number; g: number }
  | { op: 'membership'; p: number; status: (typeof STATUSES)[number] }
  | { op: 'moveRegency'; p: number; regency: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('declareLot' as const), p: pick, product: fc.nat(1), g: grams }),
  fc.record({ op: fc.constant('assess' as const), lot: pick, rank: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }), offGrade: fc.boolean() }),
  fc.record({ op: fc.constantFrom('allocateLot' as const, 'releaseLot' as const), lot: pick, g: grams }),
  fc.record({ op: fc.constant('commit' as const), p: pick, product: fc.nat(1), rank: fc.integer({ min: 1, max: 6 }), window: range, g: grams }),
  fc.record({ op: fc.constant('amend' as const), c: pick, rank: fc.integer({ min: 1, max: 6 }), window: range, g: grams }),
  fc.record({ op: fc.constant('withdraw' as const), c: pick }),
  fc.record({ op: fc.constantFrom('allocateCommitment' as const, 'releaseCommitment' as const, 'shortfall' as const), c: pick, g: grams }),
  fc.record({ op: fc.constant('fulfil' as const), c: pick, lot: pick, g: grams }),
  fc.record({ op: fc.constant('membership' as const), p: pick, status: fc.constantFrom(...STATUSES) }),
  fc.record({ op: fc.constant('moveRegency' as const), p: pick, regency: fc.constantFrom(...REGENCIES) }),
);

interface World {
  data: Inserted;
  producerIds: number[];
  productIds: number[];
}

/** Apply one change in its own transaction, as a service would (relative updates, CHECKs hold). */
async function apply(db: Kysely<DB>, w: World, o: Op): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const at = <T>(xs: T[], i: number) => (xs.length === 0 ? undefined : xs[i % xs.length]);
    const lotIds = async () => (await trx.selectFrom('lots').select('id').where('product_id', 'in', w.productIds).orderBy('id').execute()).map((r) => r.id);
    const cIds = async () => (await trx.selectFrom('commitments').select('id').where('product_id', 'in', w.productIds).orderBy('id').execute()).map((r) => r.id);
    const producer = (i: number) => w.producerIds[i % w.producerIds.length]!;
    switch (o.op) {
      case 'declareLot': {
        const p = await trx.selectFrom('producers').select(['id', 'regency']).where('id', '=', producer(o.p)).executeTakeFirstOrThrow();
        await trx.insertInto('lots').values({
          producer_id: p.id, product_id: w.productIds[o.product]!, brand_id: w.data.brandId, regency: p.regency, harvest_start: '2026-06-01',
          harvest_end: '2026-08-31', process: 'WASHED', net_g: o.g, storage_location: 'Gudang', eudr_ready: true,
        }).execute();
        return;
      }
      case 'assess': {
        const id = at(await lotIds(), o.lot);
        if (id === undefined) return;
        const rank = o.offGrade ? null : o.rank;
        await trx.updateTable('lots').set({ grade_rank: rank, grade_code: rank === null ? null : String(rank), off_grade: o.offGrade }).where('id', '=', id).execute();
        return;
      }
      case 'allocateLot':
      case 'releaseLot':
      case 'fulfil': {
        const id = at(await lotIds(), o.lot);
        if (id === undefined) return;
        const lot = await trx.selectFrom('lots').select(['net_g', 'allocated_g']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
        const delta = o.op === 'releaseLot' ? -Math.min(o.g, lot.allocated_g) : Math.min(o.g, lot.net_g - lot.allocated_g);
        if (o.op === 'fulfil') {
          const cid = at(await cIds(), o.c);
          if (cid === undefined) return;
          const c = await trx.selectFrom('commitments').select('allocated_g').where('id', '=', cid).forUpdate().executeTakeFirstOrThrow();
          const moved = Math.min(delta, c.allocated_g);
          await trx.updateTable('commitments').set((eb) => ({ allocated_g: eb('allocated_g', '-', moved) })).where('id', '=', cid).execute();
          await trx.updateTable('lots').set((eb) => ({ allocated_g: eb('allocated_g', '+', moved) })).where('id', '=', id).execute();
          return;
        }
        await trx.updateTable('lots').set((eb) => ({ allocated_g: eb('allocated_g', '+', delta) })).where('id', '=', id).execute();
        return;
      }
      case 'commit': {
        const p = await trx.selectFrom('producers').select(['id', 'regency']).where('id', '=', producer(o.p)).executeTakeFirstOrThrow();
        await trx.insertInto('commitments').values({
          producer_id: p.id, product_id: w.productIds[o.product]!, brand_id: w.data.brandId, regency: p.regency, min_grade_rank: o.rank,
          min_grade_code: String(o.rank), committed_g: o.g, window_start: o.window[0], window_end: o.window[1],
        }).execute();
        return;
      }
      case 'amend':
      case 'withdraw':
      case 'allocateCommitment':
      case 'releaseCommitment':
      case 'shortfall': {
        const id = at(await cIds(), o.c);
        if (id === undefined) return;
        const c = await trx.selectFrom('commitments').select(['committed_g', 'allocated_g', 'status']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
        if (o.op === 'withdraw') {
          await trx.updateTable('commitments').set({ status: 'WITHDRAWN' }).where('id', '=', id).execute();
        } else if (o.op === 'amend') {
          if (c.status !== 'OPEN') return;
          await trx.updateTable('commitments').set({
            committed_g: Math.max(o.g, c.allocated_g), min_grade_rank: o.rank, min_grade_code: String(o.rank), window_start: o.window[0], window_end: o.window[1],
          }).where('id', '=', id).execute();
        } else {
          const delta = o.op === 'allocateCommitment' ? Math.min(o.g, c.committed_g - c.allocated_g) : o.op === 'shortfall' ? -c.allocated_g : -Math.min(o.g, c.allocated_g);
          await trx.updateTable('commitments').set((eb) => ({ allocated_g: eb('allocated_g', '+', delta) })).where('id', '=', id).execute();
        }
        return;
      }
      case 'membership': {
        const id = producer(o.p);
        const m = await trx.selectFrom('memberships').select('id').where('producer_id', '=', id).where('brand_id', '=', w.data.brandId).executeTakeFirst();
        if (m) await trx.updateTable('memberships').set({ status: o.status }).where('id', '=', m.id).execute();
        else await trx.insertInto('memberships').values({ producer_id: id, brand_id: w.data.brandId, status: o.status }).execute();
        return;
      }
      case 'moveRegency':
        await trx.updateTable('producers').set({ regency: o.regency }).where('id', '=', producer(o.p)).execute();
        return;
    }
  });
}

type Flat = { spotG: number; forwardG: number; n: number; byRank: Array<[number, number, number, number]>; byRegency: Array<[string, number, number, number]> };

/** The answer by the scan of lots and commitments (the statement the aggregates replace). */
async function scan(db: Kysely<DB>, f: SupplyFilter): Promise<Flat> {
  const rows = (await aggregateQuery(f).execute(db)).rows;
  const total = rows.find((r) => r.level === 3);
  return {
    spotG: total?.spot_g ?? 0, forwardG: total?.forward_g ?? 0, n: total?.producers ?? 0,
    byRank: Array.from({ length: f.maxRank }, (_, i) => {
      const r = rows.find((x) => x.level === 1 && x.rank === i + 1);
      return [i + 1, r?.spot_g ?? 0, r?.forward_g ?? 0, r?.producers ?? 0] as [number, number, number, number];
    }),
    byRegency: rows.filter((r) => r.level === 2).map((r) => [r.regency!, r.spot_g, r.forward_g, r.producers] as [string, number, number, number])
      .sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  };
}

async function viaAggregates(db: Kysely<DB>, f: SupplyFilter): Promise<Flat> {
  const a = await getAvailability(db, ADMIN, { productId: f.productId, minGrade: String(f.maxRank), windowStart: f.windowStart, windowEnd: f.windowEnd, regencies: f.regencies });
  return {
    spotG: a.spotG, forwardG: a.forwardG, n: a.contributorCount,
    byRank: a.byGrade.map((g) => [g.grade.rank, g.spotG, g.forwardG, g.contributorCount]),
    byRegency: a.byRegency.map((r) => [r.regency, r.spotG, r.forwardG, r.contributorCount]),
  };
}

/** Questions over the interesting edges: every grade, windows inside/around the data, regency subsets. */
function questions(w: World, seed: number): SupplyFilter[] {
  const qArb = fc.record({ product: fc.nat(1), maxRank: fc.integer({ min: 1, max: 6 }), window: fc.tuple(day, day),
    regencies: fc.option(fc.subarray(['bondowoso', 'situbondo', 'banyuwangi', 'jember'], { minLength: 1 }), { nil: null }) });
  return fc.sample(qArb, { numRuns: 12, seed }).map((q) => ({
    productId: w.productIds[q.product]!, brandId: w.data.brandId, maxRank: q.maxRank,
    windowStart: q.window[0] <= q.window[1] ? q.window[0] : q.window[1], windowEnd: q.window[0] <= q.window[1] ? q.window[1] : q.window[0],
    regencies: q.regencies,
  }));
}

async function expectSameAnswers(db: Kysely<DB>, w: World, seed: number) {
  for (const f of questions(w, seed)) expect(await viaAggregates(db, f), JSON.stringify(f)).toEqual(await scan(db, f));
}

async function setUpWorld(db: Kysely<DB>): Promise<World> {
  const producers: FxProducer[] = Array.from({ length: 12 }, (_, i) => ({
    key: `p${i}`, regency: REGENCIES[i % 3]!, membership: i < 10 ? 'APPROVED' : null,
  }));
  // Lots for half of them, and three commitments each with separate windows (the others' supply has gaps)
  const lots = producers.slice(0, 6).flatMap((p, i) => [1, 3].map((rank) => ({
    producer: p.key, product: 'main' as const, netG: 1_000_000 * (i + rank), allocatedG: 0, rank, offGrade: false,
  })));
  const commitments = producers.flatMap((p, i) => (['2027-01-01/2027-02-28', '2027-05-01/2027-06-30', '2027-09-01/2027-12-31'] as const).map((win, k) => ({
    producer: p.key, product: (k === 2 ? 'other' : 'main') as 'main' | 'other', minRank: i >= 6 && k < 2 ? 2 : 1 + ((i + k) % 4), committedG: 2_000_000, allocatedG: 0,
    windowStart: win.slice(0, 10), windowEnd: win.slice(11), status: 'OPEN' as const,
  })));
  const data = await insertFixture(db, { producers, lots, commitments });
  return { data, producerIds: [...data.producerIds.values()], productIds: [data.productId, data.otherProductId] };
}

const PG = process.env.TEST_DATABASE_URL;

describe('maintained availability aggregates', () => {
  let t: TestApp;
  let db: Kysely<DB>;
  beforeAll(async () => {
    t = await createTestApp();
    db = t.database.db;
  });
  afterAll(async () => { await t?.close(); });

  it('equal a full recomputation after random sequences of every supply change (sequential)', async () => {
    // Given a brand, three products and twelve producers
    const w = await setUpWorld(db);
    // (one producer certainly ends up with supply in two regencies: 'Bondowoso' and 'bondowoso' are different names)
    await apply(db, w, { op: 'moveRegency', p: 0, regency: 'bondowoso' });
    await apply(db, w, { op: 'commit', p: 0, product: 0, rank: 2, window: ['2027-03-01', '2027-08-01'], g: 1_000_000 });
    await compactAll(db);
    const batches = fc.sample(fc.array(opArb, { minLength: 5, maxLength: 40 }), { numRuns: 8, seed: 13_2027 });
    let sawLive = false;
    for (const [i, batch] of batches.entries()) {
      // When a batch of changes is applied
      for (const o of batch) await apply(db, w, o);
      // Then the answers are the scan's while producers are dirty, after a partial and after a full compaction,
      await expectSameAnswers(db, w, i);
      await compactAvailability(db, 3);
      await expectSameAnswers(db, w, 100 + i);
      await compactAll(db);
      await expectSameAnswers(db, w, 200 + i);
      // and the stored counters equal a recomputation from lots, commitments and memberships
      expect(await checkAvailabilityCounters(db)).toMatchObject({ wrong: 0, dirty: 0 });
      sawLive ||= (await db.selectFrom('availability_live').select('producer_id').execute()).length > 0;
    }
    // (the sequences did reach multi-regency producers and every kind of counter)
    const kinds = await db.selectFrom('availability_counters').select('metric').distinct().execute();
    expect(kinds.map((k) => k.metric).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sawLive).toBe(true);
  });

  it('repair:availability fixes corrupted counters', async () => {
    // Given consistent aggregates
    const w = await setUpWorld(db);
    for (const o of fc.sample(opArb, { numRuns: 150, seed: 77 })) await apply(db, w, o);
    await compactAll(db);
    expect((await checkAvailabilityCounters(db)).wrong).toBe(0);
    // When a counter is corrupted (a spot figure off by a tonne, and a contributor-count row lost)
    const spot = await db.selectFrom('availability_counters').selectAll().where('product_id', 'in', w.productIds).where('metric', '=', 1).orderBy('value', 'desc').executeTakeFirstOrThrow();
    await db.updateTable('availability_counters').set({ value: spot.value + 1_000_000 })
      .where('product_id', '=', spot.product_id).where('gran', '=', spot.gran).where('d1', '=', spot.d1).where('metric', '=', 1)
      .where('rank_lo', '=', spot.rank_lo).where('rank_hi', '=', spot.rank_hi).where('regency', '=', spot.regency).where('d2', '=', spot.d2).execute();
    await db.deleteFrom('availability_counters').where('product_id', '=', spot.product_id).where('metric', '=', 4).where('gran', '=', 'A').execute();
    // Then the check sees it and the answer is wrong
    expect((await checkAvailabilityCounters(db)).wrong).toBeGreaterThanOrEqual(2);
    const f: SupplyFilter = { productId: spot.product_id, brandId: w.data.brandId, maxRank: 6, windowStart: '2027-01-01', windowEnd: '2028-12-31', regencies: null };
    expect(await viaAggregates(db, f)).not.toEqual(await scan(db, f));
    // When repaired
    const report = await repairAvailability(db);
    // Then it reports what it fixed, and counters and answers are right again
    expect(report.wrongCounters).toBeGreaterThanOrEqual(2);
    expect(await checkAvailabilityCounters(db)).toMatchObject({ wrong: 0, dirty: 0 });
    expect(await viaAggregates(db, f)).toEqual(await scan(db, f));
    await expectSameAnswers(db, w, 5);
  });

  it('a compaction bounded by a marker id folds the changes up to it and leaves the later ones dirty (a compactor tick)', async () => {
    // Given changes marked before a tick began, and more marked after
    const w = await setUpWorld(db);
    await compactAll(db);
    await apply(db, w, { op: 'allocateLot', lot: 0, g: 300_000 });
    await apply(db, w, { op: 'allocateLot', lot: 2, g: 200_000 });
    const upToId = (await db.selectFrom('availability_dirty').select((e) => e.fn.max('id').as('id')).executeTakeFirstOrThrow()).id as number;
    await apply(db, w, { op: 'membership', p: 5, status: 'SUSPENDED' });
    const later = await db.selectFrom('availability_dirty').select(['id', 'producer_id']).where('id', '>', upToId).execute();
    expect(later.length).toBeGreaterThan(0);
    // When the tick compacts in batches of one producer until nothing up to its id is left
    let steps = 0;
    for (let n = 1; n > 0; steps++) n = await compactAvailability(db, 1, { upToId });
    // Then every marker up to the id is gone, each in its own step, and the later ones are still there
    expect(steps).toBeGreaterThanOrEqual(3);
    const left = await db.selectFrom('availability_dirty').select(['id', 'producer_id']).orderBy('id').execute();
    expect(left).toEqual(later);
    // and answers stay exact throughout; the next compaction folds the rest
    await expectSameAnswers(db, w, 11);
    await compactAll(db);
    expect(await checkAvailabilityCounters(db)).toMatchObject({ wrong: 0, dirty: 0 });
  });

  it('are kept by the server: its compactor folds changes in the background (AVAILABILITY_COMPACT_MS)', async () => {
    // Given an app whose compactor runs every 20 ms
    const fast = await createTestApp({ AVAILABILITY_COMPACT_MS: '20' });
    try {
      const w = await setUpWorld(fast.database.db);
      // When supply changes
      await apply(fast.database.db, w, { op: 'allocateLot', lot: 0, g: 500_000 });
      await apply(fast.database.db, w, { op: 'membership', p: 1, status: 'SUSPENDED' });
      // Then soon nothing is dirty and the counters equal a recomputation, without anyone compacting
      const deadline = Date.now() + 20_000;
      while ((await fast.database.db.selectFrom('availability_dirty').select('id').limit(1).execute()).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await checkAvailabilityCounters(fast.database.db)).toMatchObject({ wrong: 0, dirty: 0 });
      await expectSameAnswers(fast.database.db, w, 9);
    } finally {
      await fast.close();
    }
  });

  it.skipIf(!PG)('equal a full recomputation after concurrent random changes with the compactor running (PostgreSQL)', async () => {
    // Given a brand and the compactor running every 5 ms
    const w = await setUpWorld(db);
    const errors: unknown[] = [];
    const stop = startAvailabilityCompactor(db, 5, (e) => errors.push(e));
    try {
      const batches = fc.sample(fc.array(opArb, { minLength: 40, maxLength: 80 }), { numRuns: 6, seed: 2027_13 });
      for (const [i, batch] of batches.entries()) {
        // When 8 workers apply a batch concurrently (a change failing a CHECK or a deadlock is the writer's business; it rolls back whole)
        let applied = 0;
        const workers = Array.from({ length: 8 }, (_, k) => (async () => {
          for (let j = k; j < batch.length; j += 8) await apply(db, w, batch[j]!).then(() => applied++, () => {});
        })());
        await Promise.all(workers);
        expect(applied).toBeGreaterThan(batch.length / 2);
        // Then, with producers still dirty and after the compactor caught up, answers are the scan's
        await expectSameAnswers(db, w, 300 + i);
        await compactAll(db);
        expect(await checkAvailabilityCounters(db)).toMatchObject({ wrong: 0, dirty: 0 });
        await expectSameAnswers(db, w, 400 + i);
      }
    } finally {
      await stop();
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
