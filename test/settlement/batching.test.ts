import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import {
  createSettlementWorld, DEFINE_RULES, GRADES, lot, newKey, placeAndAccept, RECORD_COST, RECORD_PAYMENT, RECORD_RATE, SET_COOP_FEE, SETTLE,
  type SettlementWorld, ship,
} from './fixtures.js';

/*
 * A page of orders with their money fields costs a bounded number of statements: one query per table
 * for the whole page (per-request loaders), not one per order.
 * Given: four 1,200 kg orders of the brand, each from its own two lots (P1 600 kg SPECIALTY, P3 600 kg
 * grade 1); orders 1–3 shipped, with an exchange rate, a payment, a cost and one settlement run each;
 * order 4 accepted only (a pro-forma invoice).
 */

const PAGE = /* GraphQL */ `
  query Page($first: Int!) {
    orders(first: $first) {
      edges { node {
        id
        invoice { proForma number amount { amount currency } }
        payments { amount { amount } reference }
        costs { kind amount { amount } }
        exchangeRates { rate }
        settlementTerms { brandFeePct premiumRules { version rules { appliesTo perKg { amount } } } cooperativeFees { feePct } }
        settlements { runNo cooperativeFeeCharges { feePct amount { amount } } statements { amount { amount } lines { weight } } }
      } }
    }
  }`;

describe('settlement fields on a page of orders are batched', () => {
  let t: TestApp;
  let w: SettlementWorld;
  const orders: Row<'orders'>[] = [];

  beforeAll(async () => {
    // the whole page with every nested list in one document is above the default complexity limit
    t = await createTestApp({ GRAPHQL_MAX_COMPLEXITY: '200000' });
    w = await createSettlementWorld(t);
    await t.gql(SET_COOP_FEE, { input: { cooperativeId: gid('Cooperative', w.coop.id), feePct: '2.5' } }, w.as.coopManager.token);
    await t.gql(DEFINE_RULES, { input: { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'GRADE', gradeCode: 'SPECIALTY', perKg: '2000' }] } }, w.as.brandManager.token);
    const mgr = w.as.brandManager.token;
    for (let i = 0; i < 4; i++) {
      await lot(t, w, w.producer, 600, GRADES.SPECIALTY);
      await lot(t, w, w.otherProducer, 600, GRADES.G1);
      const order = await placeAndAccept(t, w, 1_200_000, 450);
      orders.push(order);
      if (i === 3) break;
      await ship(t, w, order.id);
      const orderId = gid('Order', order.id);
      await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16000', source: 'Bank Mandiri', rateDate: '2026-11-30' } }, mgr);
      await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '5400.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: `TT-${i}` } }, mgr);
      await t.gql(RECORD_COST, { input: { orderId, kind: 'FREIGHT', amount: { amount: '100.00', currency: 'USD' }, reference: `BL-${i}` } }, mgr);
      const settled = await t.gql(SETTLE, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr);
      expect(settled.data.settleOrder.__typename).toBe('Settlement');
    }
  });
  afterAll(async () => { await t?.close(); });

  const run = async (first: number, token: string) => {
    t.queries.length = 0;
    const res = await t.gql(PAGE, { first }, token);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return { edges: res.data.orders.edges.map((e: any) => e.node), queries: [...t.queries] };
  };
  const perTable = (queries: string[]) => {
    const counts: Record<string, number> = {};
    for (const q of queries) {
      const table = /from "([a-z_]+)"/.exec(q)?.[1] ?? q.slice(0, 40);
      counts[table] = (counts[table] ?? 0) + 1;
    }
    return counts;
  };

  it('given four orders, when the brand manager reads them with every money field, then three cost as many statements as one, and each table is read once', async () => {
    const one = await run(1, w.as.brandManager.token);
    const three = await run(3, w.as.brandManager.token);
    expect(three.queries.length).toBe(one.queries.length);
    // the fourth (pro-forma) adds the one query of the allocated weights, still once for the page
    const all = await run(50, w.as.brandManager.token);
    expect(all.edges).toHaveLength(4);
    expect(all.queries.length).toBe(one.queries.length + 1);
    for (const [table, n] of Object.entries(perTable(all.queries))) expect([table, n]).toEqual([table, 1]);
    // and the page carries the figures: three invoices, one pro-forma, a run with statements and lines each
    const shipped = all.edges.filter((o: any) => o.invoice?.proForma === false);
    expect(shipped).toHaveLength(3);
    expect(all.edges.filter((o: any) => o.invoice?.proForma === true)).toHaveLength(1);
    for (const o of shipped) {
      expect(o.payments).toHaveLength(1);
      expect(o.costs).toHaveLength(1);
      expect(o.exchangeRates).toEqual([{ rate: '16000.000000' }]);
      expect(o.settlementTerms.premiumRules.rules).toEqual([{ appliesTo: 'GRADE', perKg: { amount: '2000.00' } }]);
      expect(o.settlements).toHaveLength(1);
      expect(o.settlements[0].statements).toHaveLength(2);
      expect(o.settlements[0].statements.flatMap((s: any) => s.lines)).toHaveLength(2);
      expect(o.settlements[0].cooperativeFeeCharges.map((c: any) => c.feePct)).toEqual(['2.50', '0.00']);
    }
  });

  it('the buyer reads the same page: invoices and payments batched, the manager-only fields empty without a query', async () => {
    const all = await run(50, w.as.buyer.token);
    expect(all.edges).toHaveLength(4);
    for (const [table, n] of Object.entries(perTable(all.queries))) expect([table, n]).toEqual([table, 1]);
    expect(Object.keys(perTable(all.queries))).not.toContain('order_costs');
    expect(Object.keys(perTable(all.queries))).not.toContain('settlements');
    for (const o of all.edges) expect([o.costs, o.exchangeRates, o.settlementTerms, o.settlements]).toEqual([[], [], null, []]);
    expect(all.edges.filter((o: any) => o.payments.length === 1)).toHaveLength(3);
  });

  it('a brand\'s premium rules: the latest version and every version for its manager, nothing for a buyer, from one query per table', async () => {
    // given a second version of the rules (the orders keep version 1 in their snapshot)
    const v2 = await t.gql(DEFINE_RULES, { input: { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'ALL', pricePct: '1.5' }] } }, w.as.brandManager.token);
    expect(v2.data.definePremiumRules).toMatchObject({ __typename: 'PremiumRuleVersion', version: 2 });
    const BRANDS = /* GraphQL */ `
      query Brands { brands(first: 20) { edges { node { id premiumRules { version rules { pricePct } } premiumRuleVersions { version rules { appliesTo } } } } } }`;
    t.queries.length = 0;
    const asManager = await t.gql(BRANDS, {}, w.as.brandManager.token);
    const mine = asManager.data.brands.edges.map((e: any) => e.node).find((b: any) => b.id === gid('Brand', w.brand.id));
    expect(mine).toEqual({
      id: gid('Brand', w.brand.id),
      premiumRules: { version: 2, rules: [{ pricePct: '1.50' }] },
      premiumRuleVersions: [{ version: 2, rules: [{ appliesTo: 'ALL' }] }, { version: 1, rules: [{ appliesTo: 'GRADE' }] }],
    });
    const counts = perTable(t.queries);
    // The latest version and all versions: one query each for the whole page. Their rules load in one
    // batch per field at most (on PostgreSQL the two version queries return in different ticks, so the
    // rules come in two batches; on PGlite often in one), never one query per brand.
    expect(counts.premium_rule_versions).toBe(2);
    expect(counts.premium_rules).toBeGreaterThanOrEqual(1);
    expect(counts.premium_rules).toBeLessThanOrEqual(2);
    const asBuyer = await t.gql(BRANDS, {}, w.as.buyer.token);
    for (const e of asBuyer.data.brands.edges) expect([e.node.premiumRules, e.node.premiumRuleVersions]).toEqual([null, []]);
  });
});
