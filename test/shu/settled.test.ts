import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import {
  createSettlementWorld, GRADES, lot, newKey, placeAndAccept, RECORD_PAYMENT, RECORD_RATE, SETTLE, type SettlementWorld, ship,
} from '../settlement/fixtures.js';
import { result } from './fixtures.js';

/*
 * End to end: an order settled through settleOrder produces payout statements, and the year's SHU
 * reads its transactions from them. Given P1 and P2 (cooperative A) and P4 (cooperative B) each
 * deliver 600 kg of grade 1 into a 1,800 kg order at USD 4.50/kg, paid in full (USD 8,100.00 at
 * Rp 16,000) and settled today.
 */

const RECORD_CAPITAL = /* GraphQL */ `
  mutation ($input: RecordMemberCapitalInput!) { recordMemberCapital(input: $input) { __typename ... on Error { code message } } }`;
const SET_SPLIT = /* GraphQL */ `
  mutation ($input: SetShuSplitInput!) { setShuSplit(input: $input) { __typename ... on Error { code message } } }`;
const COMPUTE_YEAR = /* GraphQL */ `
  mutation ($input: ComputeShuYearInput!) {
    computeShuYear(input: $input) {
      __typename
      ... on ShuYear {
        status funds { kind amount { amount } }
        members { producer { id } transactions { amount } capital { amount } transactionsPart { amount } capitalPart { amount } total { amount } }
        totals { transactions { amount } total { amount } }
      }
      ... on Error { code message }
    }
  }`;

const YEAR = new Date().getUTCFullYear();

describe('SHU from settled orders', () => {
  let t: TestApp;
  let w: SettlementWorld;
  let statements: Array<{ producer: { id: string }; cooperative: { id: string } | null; amount: { amount: string } }>;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createSettlementWorld(t);
    for (const producer of [w.producer, w.p2, w.p4]) await lot(t, w, producer, 600, GRADES.G1);
    const order = await placeAndAccept(t, w, 1_800_000, 450);
    await ship(t, w, order.id);
    const orderId = gid('Order', order.id);
    const mgr = w.as.brandManager.token;
    await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16000', source: 'Bank Indonesia JISDOR', rateDate: new Date().toISOString().slice(0, 10) } }, mgr);
    await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '8100.00', currency: 'USD' }, receivedOn: new Date().toISOString().slice(0, 10), reference: 'TT-SHU-1' } }, mgr);
    const settled = await t.gql(SETTLE, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr);
    expect(settled.data.settleOrder.__typename, JSON.stringify(settled.data ?? settled.errors)).toBe('Settlement');
    statements = settled.data.settleOrder.statements;
    expect(statements).toHaveLength(3);
  });
  afterAll(async () => { await t?.close(); });

  it('the members\' transactions are their statements through the cooperative; the other cooperative\'s member is not counted', async () => {
    // given the members' capital and the statutes' split for this year
    const manager = w.as.coopManager.token;
    for (const [producer, amount] of [[w.producer, '100000'], [w.p2, '300000']] as const) {
      const res = await t.gql(RECORD_CAPITAL, { input: { producerId: gid('Producer', producer.id), kind: 'POKOK', amount: { amount, currency: 'IDR' }, recordedOn: `${YEAR}-01-02` } }, manager);
      expect(res.data.recordMemberCapital.__typename).toBe('CapitalRecord');
    }
    const split = await t.gql(SET_SPLIT, {
      input: { cooperativeId: gid('Cooperative', w.coop.id), effectiveFromYear: YEAR, reservePct: '40', transactionsPct: '25', capitalPct: '15', funds: [{ name: 'Dana pengurus', pct: '20' }] },
    }, manager);
    expect(split.data.setShuSplit.__typename).toBe('ShuSplit');
    // when the manager enters Rp 1,000,000 of SHU for this year
    const res = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: gid('Cooperative', w.coop.id), fiscalYear: YEAR, amount: { amount: '1000000', currency: 'IDR' } } }, manager);
    const year = result(res, 'computeShuYear', 'ShuYear');
    // then each member's transactions equal their statement's amount
    const statementOf = (producerId: number) => statements.find((s) => s.producer.id === gid('Producer', producerId))!;
    expect(statementOf(w.producer.id).cooperative?.id).toBe(gid('Cooperative', w.coop.id));
    const lines = new Map(year.members.map((m: any) => [m.producer.id, m]));
    expect([...lines.keys()].sort()).toEqual([gid('Producer', w.producer.id), gid('Producer', w.p2.id)].sort());
    for (const producer of [w.producer, w.p2]) {
      expect((lines.get(gid('Producer', producer.id)) as any).transactions.amount).toBe(statementOf(producer.id).amount.amount);
    }
    // 600 kg each at the same grade: equal transactions, so the Rp 250,000 for transactions is halved;
    // capital 100,000 : 300,000 splits the Rp 150,000 for capital 37,500 : 112,500
    expect(year.members.map((m: any) => [m.producer.id, m.transactionsPart.amount, m.capitalPart.amount, m.total.amount])).toEqual([
      [gid('Producer', w.producer.id), '125000.00', '37500.00', '162500.00'],
      [gid('Producer', w.p2.id), '125000.00', '112500.00', '237500.00'],
    ]);
    const sen = (amount: string) => Number(amount.replace('.', ''));
    expect(sen(year.totals.transactions.amount)).toBe(sen(statementOf(w.producer.id).amount.amount) + sen(statementOf(w.p2.id).amount.amount));
    expect(year.totals.total.amount).toBe('400000.00');
  });
});
