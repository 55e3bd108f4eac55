import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invariantViolations } from '../../src/modules/allocation/allocation.repo.js';
import { acceptOrder } from '../../src/modules/orders/acceptance.js';
import { BusyError as AllocationBusyError } from '../../src/platform/errors.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, createUser, type GqlResponse, type TestApp } from '../support/app.js';
import {
  type Actor, ERROR_FIELDS, gid, insertBrand, insertCommitment, insertLot, insertProduct,
} from '../support/supply-fixtures.js';
import {
  createOrderWorld, demandCounts, insertOrder, insertSupplier, type OrderWorld, principalOf, WINDOW_END, WINDOW_START,
} from '../orders/fixtures.js';

const SUPPLY_ERROR = /* GraphQL */ `... on InsufficientSupplyError { requested available shortfall bindingConstraint }`;

const ACCEPT = /* GraphQL */ `
  mutation AcceptOrder($input: AcceptOrderInput!) {
    acceptOrder(input: $input) {
      __typename
      ... on Order {
        id status strategy feePct allocatedWeight uncoveredWeight
        constraints { wholeBags minContribution maxSharePct regencies eudrOnly supply }
        lines { id weight kind status producer { id } lot { id } commitment { id } reason }
        events { from to reason }
      }
      ${ERROR_FIELDS}
      ${SUPPLY_ERROR}
      ... on InvalidTransitionError { from to }
      ... on IdempotencyKeyReusedError { path }
    }
  }`;

const PREVIEW = /* GraphQL */ `
  query PreviewAllocation($input: PreviewAllocationInput!) {
    previewAllocation(input: $input) {
      __typename
      ... on AllocationPlan {
        strategy
        constraints { wholeBags minContribution maxSharePct regencies eudrOnly supply }
        lines { kind weight reason producer { id } lot { id } commitment { id } grade { code rank } regency }
        summary { requested allocated contributors eligibleProducers largestShare largestSharePct spot forward fairness fairnessExplanation }
      }
      ${ERROR_FIELDS}
      ${SUPPLY_ERROR}
      ... on InvalidTransitionError { from to }
    }
  }`;

const CANCEL = /* GraphQL */ `
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) { __typename ... on Order { status allocatedWeight lines { status } } ${ERROR_FIELDS} }
  }`;

const ORDER_LINES = /* GraphQL */ `
  query OrderLines($id: ID!) { order(id: $id) { lines { weight kind grade { code rank } regency status } } }`;
const ORDER_LINE_PRODUCERS = /* GraphQL */ `query OrderLineProducers($id: ID!) { order(id: $id) { lines { producer { id } } } }`;
const MY_LINES = /* GraphQL */ `
  query MyLines { myAllocationLines(first: 20) { edges { node {
    id weight kind lot { id } commitment { id } producer { id }
    orderSummary { orderId product { id } minGrade { code } windowStart windowEnd status }
  } } } }`;
const MY_LINE_ORDERS = /* GraphQL */ `query MyLineOrders { myAllocationLines(first: 10) { edges { node { order { id } } } } }`;
const PRODUCER_LINES = /* GraphQL */ `
  query ProducerLines($id: ID!) { node(id: $id) { ... on Producer { allocationLines(first: 100) { edges { node { id } } } } } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id ... on AllocationLine { weight } } }`;

let keyCounter = 0;
const newKey = () => `accept-${process.pid}-${Date.now()}-${++keyCounter}`;

describe('allocation: preview and accept', () => {
  let t: TestApp;
  let w: OrderWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  /** A separate product of the world's brand, so each scenario has its own supply. */
  const market = async () => {
    const product = await insertProduct(t.database.db, w.brand.id);
    return { brand: w.brand, product, coop: w.coop };
  };
  const order = (product: Row<'products'>, over: Partial<Parameters<typeof insertOrder>[1]> = {}) =>
    insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, ...over });
  const accept = (actor: Actor, orderId: number, over: Record<string, unknown> = {}) =>
    t.gql(ACCEPT, { input: { orderId: gid('Order', orderId), idempotencyKey: newKey(), ...over } }, actor.token);
  const preview = (actor: Actor, orderId: number, over: Record<string, unknown> = {}) =>
    t.gql(PREVIEW, { input: { orderId: gid('Order', orderId), ...over } }, actor.token);

  describe('previewAllocation', () => {
    let o: Row<'orders'>;
    let suppliers: Awaited<ReturnType<typeof insertSupplier>>[];
    beforeAll(async () => {
      const m = await market();
      suppliers = [
        await insertSupplier(t.database.db, m, { lotG: 1_200_000, commitmentG: 600_000 }),
        await insertSupplier(t.database.db, m, { lotG: 600_000, regency: 'Jember' }),
      ];
      o = await order(m.product, { quantityG: 1_200_000, minGrade: { code: '2', rank: 2 } });
    });

    it('shows the brand manager the plan (lines with producers, summary, fairness) and writes nothing', async () => {
      const before = await demandCounts(t.database.db);
      const res = await preview(w.as.brandManager, o.id, { strategy: 'PRO_RATA' });
      const plan = res.data.previewAllocation;
      expect(plan.__typename).toBe('AllocationPlan');
      expect(plan.strategy).toBe('PRO_RATA');
      expect(plan.constraints).toEqual({ wholeBags: false, minContribution: '0', maxSharePct: null, regencies: null, eudrOnly: false, supply: 'EITHER' });
      // Pro rata over 1,800 kg (A) and 600 kg (B) eligible: A ships 900 kg, B 300 kg.
      const byProducer = new Map<string, number>();
      for (const l of plan.lines) byProducer.set(l.producer.id, (byProducer.get(l.producer.id) ?? 0) + Number(l.weight));
      expect(byProducer.get(gid('Producer', suppliers[0]!.producer.id))).toBe(900);
      expect(byProducer.get(gid('Producer', suppliers[1]!.producer.id))).toBe(300);
      expect(plan.summary).toMatchObject({
        requested: '1200', allocated: '1200', contributors: 2, eligibleProducers: 2, largestShare: '900', largestSharePct: '75', fairness: '1',
      });
      expect(Number(plan.summary.spot) + Number(plan.summary.forward)).toBe(1200);
      expect(plan.summary.fairnessExplanation).toMatch(/Jain's fairness index 1 over the 2 producer/);
      expect(plan.lines.every((l: { reason: string }) => l.reason.length > 0)).toBe(true);
      expect(plan.lines.find((l: { regency: string }) => l.regency === 'Jember')).toMatchObject({ kind: 'SPOT', grade: { code: '1', rank: 1 } });
      expect(await demandCounts(t.database.db)).toEqual(before);
    });

    it('given lots and commitments, when previewed, then each reason names the grade by its scheme code, not its rank', async () => {
      const m = await market();
      await insertSupplier(t.database.db, m, { lotG: 600_000, commitmentG: 600_000, grade: { code: '2', rank: 2 } });
      const both = await order(m.product, { quantityG: 1_200_000, minGrade: { code: '2', rank: 2 } });
      const res = await preview(w.as.brandManager, both.id, { strategy: 'PRO_RATA' });
      const lines: { kind: string; reason: string; grade: { code: string } }[] = res.data.previewAllocation.lines;
      expect(lines.map((l) => l.kind).sort()).toEqual(['FORWARD', 'SPOT']);
      for (const l of lines) {
        expect(l.reason).toContain(l.kind === 'SPOT' ? `grade ${l.grade.code} lot harvested` : `forward commitment (min grade ${l.grade.code})`);
        expect(l.reason).not.toContain('grade rank');
      }
    });

    it('applies constraints (regencies, supply mode, max share)', async () => {
      const jember = await preview(w.as.brandManager, o.id, { constraints: { regencies: ['jember', 'Bondowoso'], supply: 'SPOT_ONLY', maxSharePct: '50' } });
      expect(jember.data.previewAllocation.summary).toMatchObject({ largestShare: '600', forward: '0', contributors: 2 });
      const short = await preview(w.as.brandManager, o.id, { constraints: { regencies: ['Jember'] } });
      expect(short.data.previewAllocation).toMatchObject({
        __typename: 'InsufficientSupplyError', requested: '1200', available: '600', shortfall: '600', bindingConstraint: 'REGENCY',
      });
    });

    it.each(['buyer', 'producer', 'curator', 'coopManager'] as const)('refuses the %s (ForbiddenError)', async (role) => {
      expect((await preview(w.as[role], o.id)).data.previewAllocation.__typename).toBe('ForbiddenError');
    });

    it('another brand\'s manager cannot see the order (NotFoundError)', async () => {
      expect((await preview(w.as.otherBrandManager, o.id)).data.previewAllocation).toMatchObject({ __typename: 'NotFoundError', path: 'input.orderId' });
    });

    it('only a REQUESTED order can be previewed (InvalidTransitionError)', async () => {
      const m = await market();
      const accepted = await order(m.product, { status: 'ACCEPTED' });
      expect((await preview(w.as.brandManager, accepted.id)).data.previewAllocation).toMatchObject({ __typename: 'InvalidTransitionError', from: 'ACCEPTED', to: 'ACCEPTED' });
    });

    it('uses the brand\'s default strategy when none is given', async () => {
      const brand = await insertBrand(t.database.db);
      await t.database.db.updateTable('brands').set({ default_strategy: 'FEWEST_CONTRIBUTORS' }).where('id', '=', brand.id).execute();
      const manager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
      const product = await insertProduct(t.database.db, brand.id);
      await insertSupplier(t.database.db, { brand, product, coop: w.coop }, { lotG: 600_000 });
      await insertSupplier(t.database.db, { brand, product, coop: w.coop }, { lotG: 1_800_000 });
      const ord = await order(product, { quantityG: 1_200_000 });
      const res = await preview(manager, ord.id);
      expect(res.data.previewAllocation).toMatchObject({ strategy: 'FEWEST_CONTRIBUTORS', summary: { contributors: 1 } });
    });
  });

  describe('acceptOrder: bad input is a ValidationError naming the field, nothing written', () => {
    let plain: Row<'orders'>;
    let bags: Row<'orders'>;
    beforeAll(async () => {
      const m = await market();
      await insertSupplier(t.database.db, m, { lotG: 6_000_000 });
      plain = await order(m.product, { quantityG: 1_000_000 });
      bags = await order(m.product, { quantityG: 1_200_000, wholeBags: true });
    });
    it.each([
      ['maxSharePct 0', 'plain', { constraints: { maxSharePct: '0' } }, 'input.constraints.maxSharePct'],
      ['maxSharePct over 100', 'plain', { constraints: { maxSharePct: '100.5' } }, 'input.constraints.maxSharePct'],
      ['maxSharePct with 5 decimals', 'plain', { constraints: { maxSharePct: '12.12345' } }, 'input.constraints.maxSharePct'],
      ['negative minimum contribution', 'plain', { constraints: { minContribution: '-60' } }, 'input.constraints.minContribution'],
      ['empty regency list', 'plain', { constraints: { regencies: [] } }, 'input.constraints.regencies'],
      ['whole bags on a 1,000 kg order', 'plain', { constraints: { wholeBags: true } }, 'input.constraints.wholeBags'],
      ['switching whole bags off', 'bags', { constraints: { wholeBags: false } }, 'input.constraints.wholeBags'],
      ['short idempotency key', 'plain', { idempotencyKey: 'abc' }, 'input.idempotencyKey'],
      ['ID of the wrong type', 'plain', { orderId: gid('Lot', 1) }, 'input.orderId'],
    ] as const)('%s', async (_name, which, over, path) => {
      const before = await demandCounts(t.database.db);
      const res = await accept(w.as.brandManager, which === 'plain' ? plain.id : bags.id, over);
      expect(res.data.acceptOrder).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(res.data.acceptOrder.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await demandCounts(t.database.db)).toEqual(before);
    });
  });

  describe('acceptOrder: who may', () => {
    let o: Row<'orders'>;
    beforeAll(async () => {
      const m = await market();
      await insertSupplier(t.database.db, m, { lotG: 6_000_000 });
      o = await order(m.product, { quantityG: 600_000 });
    });
    it.each(['buyer', 'producer', 'curator', 'coopManager'] as const)('refuses the %s (ForbiddenError), nothing written', async (role) => {
      const before = await demandCounts(t.database.db);
      expect((await accept(w.as[role], o.id)).data.acceptOrder.__typename).toBe('ForbiddenError');
      expect(await demandCounts(t.database.db)).toEqual(before);
    });
    it('another brand\'s manager gets NotFoundError, nothing written', async () => {
      const before = await demandCounts(t.database.db);
      expect((await accept(w.as.otherBrandManager, o.id)).data.acceptOrder).toMatchObject({ __typename: 'NotFoundError', path: 'input.orderId' });
      expect(await demandCounts(t.database.db)).toEqual(before);
    });
    it('an admin may accept', async () => {
      expect((await accept(w.as.admin, o.id)).data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
    });
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'gives up with AllocationBusyError when the supply stays locked past the lock timeout, writing nothing (real PostgreSQL only)',
    async () => {
      const m = await market();
      const db = t.database.db;
      const s = await insertSupplier(db, m, { lotG: 1_200_000 });
      const o = await order(m.product, { quantityG: 600_000 });
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => { locked = resolve; });
      // Another transaction holds the lot (e.g. a long grading or allocation).
      const holder = db.transaction().execute(async (trx) => {
        await trx.selectFrom('lots').select('id').where('id', '=', s.lot!.id).forUpdate().execute();
        locked();
        await held;
      });
      await isLocked;
      const before = await demandCounts(db);
      const result = await acceptOrder(db, await principalOf(db, w.as.brandManager.id), { orderId: o.id, idempotencyKey: newKey() }, { lockTimeout: '300ms' })
        .catch((e: unknown) => e);
      release();
      await holder;
      expect(result).toBeInstanceOf(AllocationBusyError);
      expect(result).toMatchObject({ code: 'ALLOCATION_BUSY', reason: 'LOCK_TIMEOUT' });
      expect(await demandCounts(db)).toEqual(before);
      expect((await db.selectFrom('orders').select('status').where('id', '=', o.id).executeTakeFirstOrThrow()).status).toBe('REQUESTED');
    },
  );

  describe('insufficient supply', () => {
    it('is an InsufficientSupplyError with exact figures (checked against an independent sum), nothing written, order still REQUESTED', async () => {
      const m = await market();
      const db = t.database.db;
      // Eligible: grade ≤ 2 lots (net − allocated) of approved members and open, overlapping commitments promising grade ≤ 2.
      const eligible = [
        await insertSupplier(db, m, { lotG: 1_234_567, grade: { code: '1', rank: 1 } }),
        await insertSupplier(db, m, { lotG: 800_000, commitmentG: 500_001, grade: { code: '2', rank: 2 } }),
      ];
      await db.updateTable('lots').set({ allocated_g: 100_000 }).where('id', '=', eligible[1]!.lot!.id).execute();
      // Distractors that must not count:
      await insertSupplier(db, m, { lotG: 5_000_000, grade: { code: '3', rank: 3 } }); // grade too low
      await insertSupplier(db, m, { lotG: 5_000_000, membership: 'SUSPENDED' }); // not an approved member
      await insertSupplier(db, m, { lotG: 5_000_000, membership: 'APPLIED' });
      const offGrade = await insertSupplier(db, m, {});
      await insertLot(db, { producer: offGrade.producer, product: m.product, plotIds: [], netG: 5_000_000, offGrade: true });
      await insertLot(db, { producer: offGrade.producer, product: m.product, plotIds: [], netG: 5_000_000, grade: null }); // ungraded
      await insertCommitment(db, { producer: offGrade.producer, product: m.product, committedG: 5_000_000, minGrade: { code: '1', rank: 1 }, status: 'WITHDRAWN', windowStart: WINDOW_START, windowEnd: WINDOW_END });
      await insertCommitment(db, { producer: offGrade.producer, product: m.product, committedG: 5_000_000, minGrade: { code: '1', rank: 1 }, windowStart: '2030-01-01', windowEnd: '2030-02-01' });
      // The eligible lots of an earlier order's allocation also reduce availability (100 kg above).
      const independent = 1_234_567 + (800_000 - 100_000) + 500_001;

      const o = await order(m.product, { quantityG: 5_000_000, minGrade: { code: '2', rank: 2 } });
      const before = await demandCounts(db);
      const res = await accept(w.as.brandManager, o.id);
      const kg = (g: number) => (g / 1000).toString();
      expect(res.data.acceptOrder).toEqual({
        __typename: 'InsufficientSupplyError', code: 'INSUFFICIENT_SUPPLY', message: expect.any(String),
        requested: '5000', available: kg(independent), shortfall: kg(5_000_000 - independent), bindingConstraint: 'SUPPLY',
      });
      expect(await demandCounts(db)).toEqual(before);
      expect((await db.selectFrom('orders').select('status').where('id', '=', o.id).executeTakeFirstOrThrow()).status).toBe('REQUESTED');
      // Undo the direct write, so the invariant checks of later tests hold for every row.
      await db.updateTable('lots').set({ allocated_g: 0 }).where('id', '=', eligible[1]!.lot!.id).execute();
    });
  });

  describe('a 19,200 kg container order accepted PRO_RATA across many contributors', () => {
    let o: Row<'orders'>;
    let res: GqlResponse;
    let lots: Row<'lots'>[];
    let commitments: Row<'commitments'>[];
    beforeAll(async () => {
      const m = await market();
      const db = t.database.db;
      lots = [];
      commitments = [];
      for (let i = 0; i < 40; i++) {
        const s = await insertSupplier(db, m, { lotG: 540_000 + (i % 5) * 60_000, commitmentG: i % 2 === 0 ? 600_000 : undefined, regency: i % 3 === 0 ? 'Jember' : 'Bondowoso' });
        lots.push(s.lot!);
        if (s.commitment) commitments.push(s.commitment);
      }
      o = await order(m.product, { quantityG: 19_200_000, wholeBags: true, minGrade: { code: '1', rank: 1 } });
      res = await accept(w.as.brandManager, o.id, { strategy: 'PRO_RATA' });
    });

    it('is ACCEPTED with the strategy, constraints and fee snapshot stored, and an event saying how', () => {
      expect(res.data.acceptOrder).toMatchObject({
        __typename: 'Order', status: 'ACCEPTED', strategy: 'PRO_RATA', feePct: '5.00', allocatedWeight: '19200', uncoveredWeight: '0',
        constraints: { wholeBags: true, minContribution: '0', maxSharePct: null, regencies: null, eudrOnly: false, supply: 'EITHER' },
      });
      expect(res.data.acceptOrder.events.at(-1)).toMatchObject({ from: 'REQUESTED', to: 'ACCEPTED', reason: expect.stringMatching(/PRO_RATA: \d+ line\(s\) from 40 producer/) });
    });

    it('has lines that sum to exactly 19,200 kg, each whole bags, from 40 contributors', () => {
      const lines = res.data.acceptOrder.lines as Array<{ weight: string; producer: { id: string }; status: string }>;
      expect(lines.reduce((s, l) => s + Number(l.weight), 0)).toBe(19_200);
      expect(lines.every((l) => Number(l.weight) % 60 === 0 && l.status === 'ACTIVE')).toBe(true);
      expect(new Set(lines.map((l) => l.producer.id)).size).toBe(40);
    });

    it('updated allocated_g of every lot and commitment to the sum of its lines (invariant holds)', async () => {
      const db = t.database.db;
      const rows = await db.selectFrom('allocation_lines').selectAll().where('order_id', '=', o.id).execute();
      const lotRows = await db.selectFrom('lots').selectAll().where('id', 'in', lots.map((l) => l.id)).execute();
      const commitmentRows = await db.selectFrom('commitments').selectAll().where('id', 'in', commitments.map((c) => c.id)).execute();
      for (const lot of lotRows) {
        expect(lot.allocated_g).toBe(rows.filter((r) => r.lot_id === lot.id).reduce((s, r) => s + r.weight_g, 0));
      }
      for (const c of commitmentRows) {
        expect(c.allocated_g).toBe(rows.filter((r) => r.commitment_id === c.id).reduce((s, r) => s + r.weight_g, 0));
      }
      expect(lotRows.reduce((s, l) => s + l.allocated_g, 0) + commitmentRows.reduce((s, c) => s + c.allocated_g, 0)).toBe(19_200_000);
      expect(await invariantViolations(db, null, null)).toEqual([]);
    });

    it('the invariant check finds a lot and a commitment whose allocated_g no longer matches their lines, by id or among every row', async () => {
      const db = t.database.db;
      const lines = await db.selectFrom('allocation_lines').selectAll().where('order_id', '=', o.id).execute();
      const lot = lines.find((l) => l.lot_id !== null)!.lot_id!;
      const commitment = lines.find((l) => l.commitment_id !== null)!.commitment_id!;
      const held = (key: 'lot_id' | 'commitment_id', id: number) => lines.filter((l) => l[key] === id).reduce((s, l) => s + l.weight_g, 0);
      const rollback = new Error('rollback');
      await expect(db.transaction().execute(async (trx) => {
        // given one gram lost from each row's allocated_g (rolled back afterwards)
        await trx.updateTable('lots').set({ allocated_g: sql<number>`allocated_g - 1` }).where('id', '=', lot).execute();
        await trx.updateTable('commitments').set({ allocated_g: sql<number>`allocated_g - 1` }).where('id', '=', commitment).execute();
        const lotViolation = { kind: 'lot', id: lot, allocatedG: held('lot_id', lot) - 1, activeG: held('lot_id', lot) };
        const commitmentViolation = { kind: 'commitment', id: commitment, allocatedG: held('commitment_id', commitment) - 1, activeG: held('commitment_id', commitment) };
        // then each list finds its row, an empty list none, and every row both
        expect(await invariantViolations(trx, [lot], [commitment])).toMatchObject([lotViolation, commitmentViolation]);
        expect(await invariantViolations(trx, [], [commitment])).toMatchObject([commitmentViolation]);
        expect(await invariantViolations(trx, [lot], [])).toMatchObject([lotViolation]);
        expect(await invariantViolations(trx, null, null)).toMatchObject([lotViolation, commitmentViolation]);
        expect(await invariantViolations(trx, [lot], null)).toMatchObject([lotViolation, commitmentViolation]);
        throw rollback;
      })).rejects.toBe(rollback);
      expect(await invariantViolations(db, null, null)).toEqual([]);
    });

    it('wrote one ALLOCATED provenance event per line, on its lot or commitment', async () => {
      const db = t.database.db;
      const events = await db.selectFrom('provenance_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'ALLOCATED').execute();
      const lines = await db.selectFrom('allocation_lines').selectAll().where('order_id', '=', o.id).execute();
      expect(events).toHaveLength(lines.length);
      for (const line of lines) {
        const event = events.find((e) => (e.payload as { lineId: number }).lineId === line.id)!;
        expect(event).toMatchObject({ lot_id: line.lot_id, commitment_id: line.commitment_id, payload: { weightG: line.weight_g, producerId: line.producer_id, strategy: 'PRO_RATA' } });
      }
    });

    it('the buyer sees the lines with weight, grade, regency and kind, but not who supplies them', async () => {
      const res2 = await t.gql(ORDER_LINES, { id: gid('Order', o.id) }, w.as.buyer.token);
      expect(res2.errors).toBeUndefined();
      expect(res2.data.order.lines[0]).toEqual({ weight: expect.any(String), kind: expect.stringMatching(/SPOT|FORWARD/), grade: { code: '1', rank: 1 }, regency: expect.stringMatching(/Jember|Bondowoso/), status: 'ACTIVE' });
      const producers = await t.gql(ORDER_LINE_PRODUCERS, { id: gid('Order', o.id) }, w.as.buyer.token);
      expect(producers.data.order.lines.every((l: { producer: unknown }) => l.producer === null)).toBe(true);
      expect(producers.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const manager = await t.gql(ORDER_LINE_PRODUCERS, { id: gid('Order', o.id) }, w.as.brandManager.token);
      expect(manager.errors).toBeUndefined();
      expect(manager.data.order.lines.every((l: { producer: { id: string } }) => l.producer.id.length > 0)).toBe(true);
    });

    it('reads the lines of the order (with producers, grades, regencies) in a constant number of statements', async () => {
      const q = /* GraphQL */ `query Lines($id: ID!) { order(id: $id) { lines { weight grade { code } regency producer { id displayName } lot { id } commitment { id } orderSummary { status } } } }`;
      t.queries.length = 0;
      const r = await t.gql(q, { id: gid('Order', o.id) }, w.as.brandManager.token);
      expect(r.errors).toBeUndefined();
      expect(r.data.order.lines.length).toBeGreaterThan(40);
      expect(t.queries.length).toBeLessThanOrEqual(12);
    });

    it('another buyer, a curator and a producer cannot read a line by ID', async () => {
      const lineId = res.data.acceptOrder.lines[0].id;
      for (const actor of [w.as.otherBuyer, w.as.curator, w.as.producer, w.as.otherBrandManager]) {
        expect((await t.gql(NODE, { id: lineId }, actor.token)).data?.node ?? null).toBeNull();
      }
      expect((await t.gql(NODE, { id: lineId }, w.as.buyer.token)).data.node.weight).toBeTruthy();
    });

    it('retrying with the same key returns the same order and writes nothing; another key is an InvalidTransitionError', async () => {
      const key = newKey();
      const m = await market();
      await insertSupplier(t.database.db, m, { lotG: 6_000_000 });
      const small = await order(m.product, { quantityG: 600_000 });
      const first = await t.gql(ACCEPT, { input: { orderId: gid('Order', small.id), idempotencyKey: key } }, w.as.brandManager.token);
      const before = await demandCounts(t.database.db);
      const again = await t.gql(ACCEPT, { input: { orderId: gid('Order', small.id), idempotencyKey: key } }, w.as.brandManager.token);
      expect(again.data.acceptOrder).toMatchObject({ __typename: 'Order', id: first.data.acceptOrder.id, status: 'ACCEPTED' });
      expect(await demandCounts(t.database.db)).toEqual(before);
      const other = await t.gql(ACCEPT, { input: { orderId: gid('Order', small.id), idempotencyKey: key, strategy: 'QUALITY_FIRST' } }, w.as.brandManager.token);
      expect(other.data.acceptOrder).toMatchObject({ __typename: 'IdempotencyKeyReusedError', path: 'input.idempotencyKey' });
      expect((await accept(w.as.brandManager, small.id)).data.acceptOrder).toMatchObject({ __typename: 'InvalidTransitionError', from: 'ACCEPTED', to: 'ACCEPTED' });
      expect(await demandCounts(t.database.db)).toEqual(before);
    });
    it('holds the supply rows it locked for three statements only: the lines with their weight, the invariant re-check, their events', async () => {
      const m = await market();
      await insertSupplier(t.database.db, m, { lotG: 6_000_000 });
      await insertSupplier(t.database.db, m, { lotG: 6_000_000 });
      const o2 = await order(m.product, { quantityG: 9_000_000 });
      t.queries.length = 0;
      const r = await accept(w.as.brandManager, o2.id);
      expect(r.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
      const statements = t.queries.map((q) => q.replace(/\s+/g, ' ').trim().toLowerCase());
      const locked = statements.findIndex((q) => q.includes('for no key update'));
      const commit = statements.lastIndexOf('commit');
      expect(locked).toBeGreaterThan(0);
      const held = statements.slice(locked + 1, commit);
      expect(held).toHaveLength(3);
      expect(held[0]).toMatch(/^with ins as \( ?insert into "?allocation_lines"?.*update "lots"/);
      expect(held[1]).toMatch(/allocated_g <> /);
      expect(held[2]).toMatch(/^insert into "?provenance_events"?/);
    });
    it('reads the order and its brand settings in one locking statement, and writes the status change with its history row in one', async () => {
      const m = await market();
      await insertSupplier(t.database.db, m, { lotG: 6_000_000 });
      const o2 = await order(m.product, { quantityG: 3_000_000 });
      t.queries.length = 0;
      const r = await accept(w.as.brandManager, o2.id);
      expect(r.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
      const statements = t.queries.map((q) => q.replace(/\s+/g, ' ').trim().toLowerCase());
      const begin = statements.indexOf('begin');
      const commit = statements.lastIndexOf('commit');
      const tx = statements.slice(begin, commit + 1);
      const orderLock = tx.filter((q) => /from "orders" as "o" inner join "brands" as "b".* for update of "o"$/.test(q));
      expect(orderLock).toHaveLength(1);
      expect(tx.some((q) => /^select .* from "brands" where/.test(q))).toBe(false);
      const statusChange = tx.filter((q) => q.includes('update "orders"'));
      expect(statusChange).toHaveLength(1);
      expect(statusChange[0]).toMatch(/^with "updated" as \(update "orders" .*"event" as \(insert into "order_events"/);
      expect(tx.filter((q) => q.startsWith('insert into "order_events"'))).toHaveLength(0);
      // The history row was written, with the acceptance's reason.
      const events = await t.database.db.selectFrom('order_events').selectAll().where('order_id', '=', o2.id).orderBy('id').execute();
      expect(events.map((e) => [e.from_status, e.to_status])).toEqual([[null, 'REQUESTED'], ['REQUESTED', 'ACCEPTED']]);
      expect(events[1]!.reason).toMatch(/^Accepted with /);
    });
  });

  describe('producers see their own allocation lines', () => {
    let o: Row<'orders'>;
    beforeAll(async () => {
      const m = await market();
      const db = t.database.db;
      // The world's producer (with a login, in the world's coop) and the other producer both supply.
      await insertLot(db, { producer: w.producer, product: m.product, plotIds: [], netG: 600_000, grade: { code: '1', rank: 1 } });
      await insertLot(db, { producer: w.otherProducer, product: m.product, plotIds: [], netG: 600_000, grade: { code: '1', rank: 1 } });
      o = await order(m.product, { quantityG: 1_000_000 });
      expect((await accept(w.as.brandManager, o.id)).data.acceptOrder.__typename).toBe('Order');
    });

    it('myAllocationLines lists the producer\'s lines with the order summary (no buyer, no price)', async () => {
      const res = await t.gql(MY_LINES, {}, w.as.producer.token);
      expect(res.errors).toBeUndefined();
      const nodes = res.data.myAllocationLines.edges.map((e: { node: unknown }) => e.node);
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.every((n: { producer: { id: string } }) => n.producer.id === gid('Producer', w.producer.id))).toBe(true);
      const mine = nodes.find((n: { orderSummary: { orderId: string } }) => n.orderSummary.orderId === gid('Order', o.id));
      expect(mine).toMatchObject({ weight: '500', kind: 'SPOT', orderSummary: { windowStart: WINDOW_START, windowEnd: WINDOW_END, status: 'ACCEPTED', minGrade: { code: '3' } } });
      expect(mine.lot.id).toMatch(/\w/);
    });

    it('a producer cannot open the order behind their line', async () => {
      const res = await t.gql(MY_LINE_ORDERS, {}, w.as.producer.token);
      expect(res.data.myAllocationLines.edges[0].node.order).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('does not list other producers\' lines; the cooperative manager sees their member\'s', async () => {
      const other = await t.gql(MY_LINES, {}, w.as.otherProducer.token);
      const ids = other.data.myAllocationLines.edges.map((e: { node: { producer: { id: string } } }) => e.node.producer.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id: string) => id === gid('Producer', w.otherProducer.id))).toBe(true);
      const coop = await t.gql(MY_LINES, {}, w.as.coopManager.token);
      const coopIds = coop.data.myAllocationLines.edges.map((e: { node: { producer: { id: string } } }) => e.node.producer.id);
      expect(coopIds.length).toBeGreaterThan(0);
      expect(coopIds).not.toContain(gid('Producer', w.otherProducer.id));
      const members = await t.database.db.selectFrom('producers').select('id').where('cooperative_id', '=', w.coop.id).execute();
      const memberIds = new Set(members.map((p) => gid('Producer', p.id)));
      expect(coopIds.every((id: string) => memberIds.has(id))).toBe(true);
    });

    it.each(['buyer', 'curator', 'brandManager'] as const)('myAllocationLines is refused to the %s', async (role) => {
      const res = await t.gql(MY_LINES, {}, w.as[role].token);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it('Producer.allocationLines: the producer and the brand manager see them; another producer cannot', async () => {
      const own = await t.gql(PRODUCER_LINES, { id: gid('Producer', w.producer.id) }, w.as.producer.token);
      expect(own.data.node.allocationLines.edges.length).toBeGreaterThan(0);
      const manager = await t.gql(PRODUCER_LINES, { id: gid('Producer', w.producer.id) }, w.as.brandManager.token);
      expect(manager.data.node.allocationLines.edges.length).toBe(own.data.node.allocationLines.edges.length);
      const other = await t.gql(PRODUCER_LINES, { id: gid('Producer', w.producer.id) }, w.as.otherProducer.token);
      expect(other.data?.node ?? null).toBeNull();
    });
  });

  describe('cancelling an accepted order releases every allocated kilogram', () => {
    it('marks lines RELEASED, returns the weight to lots and commitments, and logs RELEASED events', async () => {
      const m = await market();
      const db = t.database.db;
      const a = await insertSupplier(db, m, { lotG: 600_000, commitmentG: 600_000 });
      const b = await insertSupplier(db, m, { lotG: 600_000 });
      const o = await order(m.product, { quantityG: 1_500_000 });
      expect((await accept(w.as.brandManager, o.id)).data.acceptOrder.status).toBe('ACCEPTED');
      const lines = await db.selectFrom('allocation_lines').selectAll().where('order_id', '=', o.id).execute();

      const res = await t.gql(CANCEL, { input: { orderId: gid('Order', o.id), reason: 'Buyer withdrew' } }, w.as.brandManager.token);
      expect(res.data.cancelOrder).toMatchObject({ __typename: 'Order', status: 'CANCELLED', allocatedWeight: '0' });
      expect(res.data.cancelOrder.lines.every((l: { status: string }) => l.status === 'RELEASED')).toBe(true);
      const lotsAfter = await db.selectFrom('lots').select('allocated_g').where('id', 'in', [a.lot!.id, b.lot!.id]).execute();
      expect(lotsAfter.every((l) => l.allocated_g === 0)).toBe(true);
      expect((await db.selectFrom('commitments').select('allocated_g').where('id', '=', a.commitment!.id).executeTakeFirstOrThrow()).allocated_g).toBe(0);
      const released = await db.selectFrom('provenance_events').selectAll().where('order_id', '=', o.id).where('kind', '=', 'RELEASED').execute();
      expect(released).toHaveLength(lines.length);
      expect(released.every((e) => (e.payload as { reason: string }).reason === 'Buyer withdrew')).toBe(true);
      expect(await invariantViolations(db, null, null)).toEqual([]);

      // The released supply can be allocated again.
      const again = await order(m.product, { quantityG: 1_800_000 });
      expect((await accept(w.as.brandManager, again.id)).data.acceptOrder).toMatchObject({ status: 'ACCEPTED', allocatedWeight: '1800' });
    });
  });
});
