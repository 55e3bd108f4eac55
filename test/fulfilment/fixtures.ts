import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { invariantViolations } from '../../src/modules/allocation/allocation.repo.js';
import { ledgerViolations } from '../../src/modules/fulfilment/fulfilment.repo.js';
import type { DB, Row } from '../../src/platform/db-types.js';
import type { TestApp } from '../support/app.js';
import { type Actor, ERROR_FIELDS, gid, insertCommitment, insertLot, insertPlot, insertProduct } from '../support/supply-fixtures.js';
import { insertOrder, type OrderWorld, WINDOW_END, WINDOW_START } from '../orders/fixtures.js';

/** Helpers shared by the fulfilment and trace tests: orders are accepted through GraphQL. */

export const ACCEPT = /* GraphQL */ `
  mutation AcceptOrder($input: AcceptOrderInput!) {
    acceptOrder(input: $input) { __typename ... on Order { id status } ${ERROR_FIELDS} }
  }`;

export const RECORD_ASSESSMENT = /* GraphQL */ `
  mutation RecordAssessment($input: RecordAssessmentInput!) {
    recordAssessment(input: $input) { __typename ... on Assessment { id grade { code rank } offGrade } ${ERROR_FIELDS} }
  }`;

let keyCounter = 0;
export const newKey = (prefix = 'k') => `${prefix}-${process.pid}-${Date.now()}-${++keyCounter}`;

export const GRADE1 = { code: '1', rank: 1 } as const;
export const GRADE2 = { code: '2', rank: 2 } as const;
export const GRADE3 = { code: '3', rank: 3 } as const;

/** A fresh product of the world's brand, so each scenario has its own supply. */
export const freshProduct = (t: TestApp, w: OrderWorld) => insertProduct(t.database.db, w.brand.id);

/** A graded lot with one EUDR-ready plot. */
export async function gradedLot(
  db: Kysely<DB>,
  producer: Row<'producers'>,
  product: Row<'products'>,
  netG: number,
  opts: { grade?: { code: string; rank: number } | null; offGrade?: boolean; plots?: number; eudrReady?: boolean; harvestStart?: string; harvestEnd?: string } = {},
) {
  const plotIds: number[] = [];
  for (let i = 0; i < (opts.plots ?? 1); i++) plotIds.push((await insertPlot(db, producer.id, { eudrReady: opts.eudrReady ?? true })).id);
  return insertLot(db, {
    producer, product, plotIds, netG,
    grade: opts.grade === undefined ? GRADE1 : opts.grade,
    offGrade: opts.offGrade ?? false,
    ...(opts.harvestStart ? { harvestStart: opts.harvestStart } : {}),
    ...(opts.harvestEnd ? { harvestEnd: opts.harvestEnd } : {}),
  });
}

export const openCommitment = (db: Kysely<DB>, producer: Row<'producers'>, product: Row<'products'>, committedG: number, minGrade = GRADE1) =>
  insertCommitment(db, { producer, product, committedG, minGrade, windowStart: WINDOW_START, windowEnd: WINDOW_END });

/** Place (directly) and accept (through GraphQL, as the brand manager) an order; returns it and its lines. */
export async function acceptedOrder(
  t: TestApp,
  w: OrderWorld,
  product: Row<'products'>,
  opts: {
    quantityG: number; minGrade?: { code: string; rank: number }; wholeBags?: boolean; strategy?: string;
    constraints?: Record<string, unknown>;
  },
) {
  const db = t.database.db;
  const order = await insertOrder(db, {
    buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: opts.quantityG, minGrade: opts.minGrade ?? GRADE3,
    wholeBags: opts.wholeBags ?? false,
  });
  const res = await t.gql(
    ACCEPT,
    {
      input: {
        orderId: gid('Order', order.id), idempotencyKey: newKey('accept'), strategy: opts.strategy ?? 'PRO_RATA',
        ...(opts.constraints ? { constraints: opts.constraints } : {}),
      },
    },
    w.as.brandManager.token,
  );
  expect(res.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
  const lines = await db.selectFrom('allocation_lines').selectAll().where('order_id', '=', order.id).orderBy('id').execute();
  return { order: await orderRow(db, order.id), lines };
}

export const orderRow = (db: Kysely<DB>, id: number) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
export const lineRow = (db: Kysely<DB>, id: number) => db.selectFrom('allocation_lines').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
export const linesOf = (db: Kysely<DB>, orderId: number) =>
  db.selectFrom('allocation_lines').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
export const lotRow = (db: Kysely<DB>, id: number) => db.selectFrom('lots').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
export const commitmentRow = (db: Kysely<DB>, id: number) =>
  db.selectFrom('commitments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
export const eventsOf = (db: Kysely<DB>, orderId: number, kind?: string) => {
  let q = db.selectFrom('provenance_events').selectAll().where('order_id', '=', orderId);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('id').execute();
};

/** The ledger holds everywhere: supply (allocated_g), lines (fulfilled_g) and orders (active + uncovered = quantity). */
export async function expectLedger(db: Kysely<DB>) {
  expect(await invariantViolations(db, null, null)).toEqual([]);
  expect(await ledgerViolations(db, null)).toEqual([]);
}

/** Σ ACTIVE line weight + uncovered = quantity, for one order, computed here independently. */
export async function expectOrderCovered(db: Kysely<DB>, orderId: number) {
  const order = await orderRow(db, orderId);
  const active = (await linesOf(db, orderId)).filter((l) => l.status === 'ACTIVE').reduce((s, l) => s + l.weight_g, 0);
  expect(active + order.uncovered_g).toBe(order.quantity_g);
}

/** Row counts of every table a fulfilment or shortfall writes, and the allocated totals. */
export async function fulfilmentCounts(db: Kysely<DB>) {
  const out: Record<string, number> = {};
  for (const table of ['orders', 'order_events', 'allocation_lines', 'fulfilments', 'idempotency_keys', 'provenance_events'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  const sums = await db
    .selectFrom('allocation_lines')
    .select((eb) => [eb.fn.sum<number>('weight_g').as('w'), eb.fn.sum<number>('fulfilled_g').as('f')])
    .executeTakeFirstOrThrow();
  const lots = await db.selectFrom('lots').select((eb) => eb.fn.sum<number>('allocated_g').as('g')).executeTakeFirstOrThrow();
  const commitments = await db.selectFrom('commitments').select((eb) => eb.fn.sum<number>('allocated_g').as('g')).executeTakeFirstOrThrow();
  const uncovered = await db.selectFrom('orders').select((eb) => eb.fn.sum<number>('uncovered_g').as('g')).executeTakeFirstOrThrow();
  out.lineWeight = Number(sums.w ?? 0);
  out.lineFulfilled = Number(sums.f ?? 0);
  out.lotsAllocated = Number(lots.g ?? 0);
  out.commitmentsAllocated = Number(commitments.g ?? 0);
  out.uncovered = Number(uncovered.g ?? 0);
  const statuses = await db.selectFrom('allocation_lines').select('status').where('status', '<>', 'ACTIVE').execute();
  out.inactiveLines = statuses.length;
  return out;
}

export type { Actor };
