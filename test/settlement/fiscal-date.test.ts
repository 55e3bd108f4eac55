import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jakartaTodayIso } from '../../src/platform/dates.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import { createSettlementWorld, GRADES, lot, newKey, placeAndAccept, RECORD_PAYMENT, RECORD_RATE, type SettlementWorld, ship } from './fixtures.js';

/*
 * A statement's fiscal date is the run's calendar date in Asia/Jakarta (UTC+07:00, no daylight
 * saving), not in UTC: the cooperatives close their year on 31 December local time.
 * Given: a 600 kg order at USD 4.50/kg, shipped, paid in two parts (USD 1,000.00 and USD 1,700.00).
 * Run 1 at 2026-12-31T16:59:59Z is 23:59:59 on 31 December in Jakarta → fiscal date 2026-12-31.
 * Run 2 at 2026-12-31T18:00:00Z is 01:00 on 1 January in Jakarta → fiscal date 2027-01-01 (its UTC date is still 2026-12-31).
 * Only Date is faked: the database, timers and the test runner keep real time.
 */

const SETTLE_DATES = /* GraphQL */ `
  mutation Settle($input: SettleOrderInput!) {
    settleOrder(input: $input) { __typename ... on Settlement { runNo settledOn statements { fiscalDate } } ${ERROR_FIELDS} }
  }`;
const STATEMENTS_IN = /* GraphQL */ `
  query In($filter: PayoutStatementFilter) { payoutStatements(first: 100, filter: $filter) { edges { node { fiscalDate } } } }`;
const CSV_COOP = /* GraphQL */ `
  query CoopCsv($input: CooperativeStatementsCsvInput!) { cooperativeStatementsCsv(input: $input) { __typename ... on CsvExport { csv } ${ERROR_FIELDS} } }`;

describe('the Jakarta calendar date', () => {
  it('is the UTC date until 16:59:59Z and the next day from 17:00Z', () => {
    expect(jakartaTodayIso(new Date('2026-12-31T16:59:59.999Z'))).toBe('2026-12-31');
    expect(jakartaTodayIso(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
    expect(jakartaTodayIso(new Date('2026-12-31T18:00:00Z'))).toBe('2027-01-01');
    expect(jakartaTodayIso(new Date('2027-02-28T17:00:00Z'))).toBe('2027-03-01');
  });
});

describe('settlement: the statements\' fiscal date is the run\'s date in Asia/Jakarta', () => {
  let t: TestApp;
  let w: SettlementWorld;
  let order: Row<'orders'>;
  let run1: any;
  let run2: any;
  let earlyPayment: any;
  /** A token signed at the (fake) time now: the world's tokens expire within the hour the clock jumps. */
  const token = (actor: { id: number }) => t.app.jwt.sign({ sub: String(actor.id) });

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-31T16:59:59Z') });
    t = await createTestApp();
    w = await createSettlementWorld(t);
    await lot(t, w, w.producer, 600, GRADES.G1);
    order = await placeAndAccept(t, w, 600_000, 450);
    await ship(t, w, order.id);
    const orderId = gid('Order', order.id);
    const mgr = w.as.brandManager.token;
    await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16000', source: 'Bank Indonesia JISDOR', rateDate: '2026-12-31' } }, mgr);
    // when a payment dated 1 January is recorded while it is still 31 December in Jakarta, it is in the future
    earlyPayment = (await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '1700.00', currency: 'USD' }, receivedOn: '2027-01-01', reference: 'TT-2' } }, mgr)).data.recordPayment;
    await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '1000.00', currency: 'USD' }, receivedOn: '2026-12-31', reference: 'TT-1' } }, mgr);
    run1 = (await t.gql(SETTLE_DATES, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr)).data.settleOrder;
    // one hour later in UTC (still 31 December there) it is 1 January in Jakarta
    vi.setSystemTime(new Date('2026-12-31T18:00:00Z'));
    const mgrLater = token(w.as.brandManager);
    expect((await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '1700.00', currency: 'USD' }, receivedOn: '2027-01-01', reference: 'TT-2' } }, mgrLater)).data.recordPayment.__typename)
      .toBe('OrderPayment');
    run2 = (await t.gql(SETTLE_DATES, { input: { orderId, idempotencyKey: newKey('settle') } }, mgrLater)).data.settleOrder;
  });
  afterAll(async () => {
    vi.useRealTimers();
    await t?.close();
  });

  it('a run at 16:59:59Z is dated 31 December, a run at 18:00Z on 31 December UTC is dated 1 January', () => {
    expect(run1).toEqual({ __typename: 'Settlement', runNo: 1, settledOn: '2026-12-31', statements: [{ fiscalDate: '2026-12-31' }] });
    expect(run2).toEqual({ __typename: 'Settlement', runNo: 2, settledOn: '2027-01-01', statements: [{ fiscalDate: '2027-01-01' }] });
  });

  it('a payment dated 1 January is refused as future while it is 31 December in Jakarta, and accepted once it is 1 January there', () => {
    expect(earlyPayment).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', issues: [{ path: 'input.receivedOn' }] });
  });

  it('the 2027 period (statements filter and the cooperative\'s CSV) holds run 2 only; 2026 holds run 1 only', async () => {
    const period = async (from: string, to: string) => {
      const list = await t.gql(STATEMENTS_IN, { filter: { from, to } }, token(w.as.producer));
      const csv = await t.gql(CSV_COOP, { input: { cooperativeId: gid('Cooperative', w.coop.id), from, to } }, token(w.as.coopManager));
      return {
        statements: list.data.payoutStatements.edges.map((e: any) => e.node.fiscalDate),
        csvDates: (csv.data.cooperativeStatementsCsv.csv as string).trim().split('\r\n').slice(1).map((r) => r.split(',')[3]),
      };
    };
    expect(await period('2027-01-01', '2027-12-31')).toEqual({ statements: ['2027-01-01'], csvDates: ['2027-01-01'] });
    expect(await period('2026-01-01', '2026-12-31')).toEqual({ statements: ['2026-12-31'], csvDates: ['2026-12-31'] });
  });
});
