import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import {
  createSettlementWorld, DECLARE_SHORTFALL, DEFINE_RULES, GRADES, lot, newKey, ORDER_MONEY, placeAndAccept, RECORD_COST, RECORD_PAYMENT,
  RECORD_RATE, SET_COOP_FEE, SETTLE, settlementCounts, type SettlementWorld, ship,
} from './fixtures.js';

/*
 * The worked example of test/settlement/core.test.ts, end to end through GraphQL on the database:
 * the same figures, computed by hand there (all in IDR; 1 sen = Rp 0.01):
 *
 *   P1 (coop A, 2.5 %)  6,000 kg SPECIALTY (premium Rp 2,000/kg)
 *   P2 (coop A)         4,800 kg grade 1 allocated; declares a 1,200 kg shortfall → delivers 3,600 kg
 *   P3 (coop B, 3 %)    5,400 kg grade 2
 *   P4 (coop B)         3,000 kg grade 1, plus 1,200 kg grade 1 covering P2's shortfall
 *   19,200 kg at USD 4.10/kg → invoice USD 78,720.00; brand fee 5 %.
 *   Payment 1 USD 40,000.00 at 16,234.50 → Rp 649,380,000.00; freight USD 1,234.56 → Rp 20,042,464.32.
 *     brand fee Rp 32,469,000.00; coop A Rp 7,610,856.70; coop B Rp 8,773,028.03;
 *     P1 Rp 189,902,131.96; P2 Rp 106,921,279.18; P3 Rp 159,559,447.39; P4 Rp 88,644,137.44 + 35,457,654.98 = 124,101,792.42;
 *     base rate Rp 30,461.9029/kg.
 *   Payment 2 USD 38,720.00 at 16,180.25 → Rp 626,499,280.00, settled as the difference only:
 *     brand fee Rp 31,324,964.00; coop A Rp 7,439,678.95; coop B Rp 8,927,614.74;
 *     P1 Rp 181,342,174.41; P2 Rp 108,805,304.64; P3 Rp 162,370,993.08; P4 Rp 90,206,107.27 + 36,082,442.91 = 126,288,550.18.
 * After acceptance the brand changes its premium (SPECIALTY Rp 5,000/kg plus 10 % of the price for all),
 * coop A its fee (10 %) and the brand fee (20 %): the accepted order keeps its snapshot, so the figures
 * above hold (Open Food Network #11529: reports must not follow today's configuration).
 */

describe('settling an order: the 19,200 kg worked example through GraphQL', () => {
  let t: TestApp;
  let w: SettlementWorld;
  let order: Row<'orders'>;
  let run1: any;
  let run2: any;
  const p = (id: number) => gid('Producer', id);

  beforeAll(async () => {
    t = await createTestApp();
    w = await createSettlementWorld(t);
    const db = t.database.db;
    // given the cooperatives' fees and the brand's premium rules before acceptance
    expect((await t.gql(SET_COOP_FEE, { input: { cooperativeId: gid('Cooperative', w.coop.id), feePct: '2.5' } }, w.as.coopManager.token)).data.setCooperativeFee)
      .toEqual({ __typename: 'CooperativeFee', feePct: '2.50' });
    expect((await t.gql(SET_COOP_FEE, { input: { cooperativeId: gid('Cooperative', w.otherCoop.id), feePct: '3' } }, w.as.otherCoopManager.token)).data.setCooperativeFee.__typename)
      .toBe('CooperativeFee');
    const rules = await t.gql(DEFINE_RULES, { input: { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'GRADE', gradeCode: 'SPECIALTY', perKg: '2000' }] } }, w.as.brandManager.token);
    expect(rules.data.definePremiumRules).toEqual({
      __typename: 'PremiumRuleVersion', version: 1, rules: [{ appliesTo: 'GRADE', gradeCode: 'SPECIALTY', perKg: { amount: '2000.00', currency: 'IDR' }, pricePct: null }],
    });
    // and the lots
    await lot(t, w, w.producer, 6000, GRADES.SPECIALTY);
    await lot(t, w, w.p2, 4800, GRADES.G1);
    await lot(t, w, w.otherProducer, 5400, GRADES.G2);
    await lot(t, w, w.p4, 3000, GRADES.G1);
    order = await placeAndAccept(t, w, 19_200_000);
  });
  afterAll(async () => { await t?.close(); });

  it('given the acceptance, then every lot is allocated whole and the snapshot holds the rule version and both fees', async () => {
    const lines = await t.database.db.selectFrom('allocation_lines').select(['producer_id', 'weight_g']).where('order_id', '=', order.id).orderBy('producer_id').execute();
    expect(lines.map((l) => [l.producer_id, l.weight_g])).toEqual([
      [w.producer.id, 6_000_000], [w.otherProducer.id, 5_400_000], [w.p2.id, 4_800_000], [w.p4.id, 3_000_000],
    ]);
    const res = await t.gql(ORDER_MONEY, { id: gid('Order', order.id) }, w.as.brandManager.token);
    expect(res.data.node.settlementTerms).toEqual({
      brandFeePct: '5.00',
      premiumRules: { version: 1 },
      cooperativeFees: [
        { cooperative: { id: gid('Cooperative', w.coop.id) }, feePct: '2.50' },
        { cooperative: { id: gid('Cooperative', w.otherCoop.id) }, feePct: '3.00' },
      ],
    });
  });

  it('given the accepted order, when the buyer reads it, then a pro-forma invoice comes from the allocated weight', async () => {
    const res = await t.gql(ORDER_MONEY, { id: gid('Order', order.id) }, w.as.buyer.token);
    expect(res.data.node.invoice).toEqual({
      proForma: true, number: null, weight: '19200', pricePerKg: { amount: '4.10', currency: 'USD' }, amount: { amount: '78720.00', currency: 'USD' },
    });
    // the buyer sees no costs, rates, snapshot or settlements
    expect(res.data.node).toMatchObject({ costs: [], exchangeRates: [], settlementTerms: null, settlements: [] });
  });

  describe('after later changes, a shortfall, shipping and two partial payments', () => {
    beforeAll(async () => {
      const db = t.database.db;
      // the configuration changes after acceptance
      await t.gql(DEFINE_RULES, {
        input: { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'GRADE', gradeCode: 'SPECIALTY', perKg: '5000' }, { appliesTo: 'ALL', pricePct: '10' }] },
      }, w.as.brandManager.token);
      await t.gql(SET_COOP_FEE, { input: { cooperativeId: gid('Cooperative', w.coop.id), feePct: '10' } }, w.as.coopManager.token);
      await db.updateTable('brands').set({ fee_pct: '20.00' }).where('id', '=', w.brand.id).execute();
      // P2 cannot deliver 1,200 kg; P4 has a spare lot that covers it
      await lot(t, w, w.p4, 1200, GRADES.G1);
      const p2Line = await db.selectFrom('allocation_lines').select('id').where('order_id', '=', order.id).where('producer_id', '=', w.p2.id).executeTakeFirstOrThrow();
      const sf = await t.gql(DECLARE_SHORTFALL, {
        input: { lineId: gid('AllocationLine', p2Line.id), weight: '1200', reason: 'hail', idempotencyKey: newKey('sf') },
      }, w.p2User.token);
      expect(sf.data.declareShortfall).toEqual({ __typename: 'DeclareShortfallPayload', reallocated: '1200', uncovered: '0' });
      await ship(t, w, order.id);
      const orderId = gid('Order', order.id);
      const mgr = w.as.brandManager.token;
      expect((await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16234.50', source: 'Bank Indonesia JISDOR', rateDate: '2026-11-30' } }, mgr)).data.recordExchangeRate.__typename).toBe('ExchangeRate');
      expect((await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '40000.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: 'SWIFT-0001' } }, mgr)).data.recordPayment.__typename).toBe('OrderPayment');
      expect((await t.gql(RECORD_COST, { input: { orderId, kind: 'FREIGHT', amount: { amount: '1234.56', currency: 'USD' }, reference: 'BL-IDSUB-EGALY-77' } }, mgr)).data.recordOrderCost.__typename).toBe('OrderCost');
      run1 = (await t.gql(SETTLE, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr)).data.settleOrder;
      expect((await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '38720.00', currency: 'USD' }, receivedOn: '2026-12-01', reference: 'SWIFT-0002' } }, mgr)).data.recordPayment.__typename).toBe('OrderPayment');
      await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16180.25', source: 'Bank Indonesia JISDOR', rateDate: '2026-12-01' } }, mgr);
      run2 = (await t.gql(SETTLE, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr)).data.settleOrder;
    });

    it('the invoice is shipped weight × price, exact to the cent', async () => {
      const res = await t.gql(ORDER_MONEY, { id: gid('Order', order.id) }, w.as.buyer.token);
      expect(res.data.node.invoice).toEqual({
        proForma: false, number: `INV-${String(order.id).padStart(6, '0')}`, weight: '19200', pricePerKg: { amount: '4.10', currency: 'USD' },
        amount: { amount: '78720.00', currency: 'USD' },
      });
      expect(res.data.node.payments).toEqual([
        { amount: { amount: '40000.00', currency: 'USD' }, reference: 'SWIFT-0001' },
        { amount: { amount: '38720.00', currency: 'USD' }, reference: 'SWIFT-0002' },
      ]);
    });

    it('run 1 matches the hand computation: the snapshot counts, not today\'s rules and fees', () => {
      expect(run1).toMatchObject({
        __typename: 'Settlement', runNo: 1, weight: '19200', received: { amount: '649380000.00', currency: 'IDR' }, receivedTotal: { amount: '649380000.00' },
        brandFeePct: '5.00', brandFee: { amount: '32469000.00' }, costs: { amount: '20042464.32' }, cooperativeFees: { amount: '16383884.73' },
        payouts: { amount: '580484650.95' }, premiumsTotal: '12000000.0000', baseRatePerKg: '30461.9029',
      });
      expect(run1.cooperativeFeeCharges).toEqual([
        { cooperative: { id: gid('Cooperative', w.coop.id) }, feePct: '2.50', amount: { amount: '7610856.70' } },
        { cooperative: { id: gid('Cooperative', w.otherCoop.id) }, feePct: '3.00', amount: { amount: '8773028.03' } },
      ]);
      const byProducer = Object.fromEntries(run1.statements.map((s: any) => [s.producer.id, [s.deliveredWeight, s.amount.amount, s.status, s.lines.map((l: any) => [l.weight, l.gradeCode, l.amount.amount])]]));
      expect(byProducer).toEqual({
        [p(w.producer.id)]: ['6000', '189902131.96', 'PENDING', [['6000', 'SPECIALTY', '189902131.96']]],
        [p(w.p2.id)]: ['3600', '106921279.18', 'PENDING', [['3600', '1', '106921279.18']]],
        [p(w.otherProducer.id)]: ['5400', '159559447.39', 'PENDING', [['5400', '2', '159559447.39']]],
        [p(w.p4.id)]: ['4200', '124101792.42', 'PENDING', [['3000', '1', '88644137.44'], ['1200', '1', '35457654.98']]],
      });
    });

    it('run 2 settles only the further payment; premiums are not paid twice and the sums are exact', () => {
      expect(run2).toMatchObject({
        runNo: 2, received: { amount: '626499280.00' }, receivedTotal: { amount: '1275879280.00' }, brandFee: { amount: '31324964.00' },
        costs: { amount: '0.00' }, cooperativeFees: { amount: '16367293.69' }, baseRatePerKg: '61460.5652',
      });
      const amounts = Object.fromEntries(run2.statements.map((s: any) => [s.producer.id, s.amount.amount]));
      expect(amounts).toEqual({
        [p(w.producer.id)]: '181342174.41', [p(w.p2.id)]: '108805304.64', [p(w.otherProducer.id)]: '162370993.08', [p(w.p4.id)]: '126288550.18',
      });
      const sen = (a: string) => BigInt(a.replace('.', ''));
      for (const run of [run1, run2]) {
        const parts = sen(run.brandFee.amount) + sen(run.costs.amount) + sen(run.cooperativeFees.amount) + sen(run.payouts.amount);
        expect(parts).toBe(sen(run.received.amount));
        expect(run.statements.reduce((a: bigint, s: any) => a + sen(s.amount.amount), 0n)).toBe(sen(run.payouts.amount));
      }
    });

    it('every figure is stored: the rows hold what the API returned (nothing recomputed on read)', async () => {
      const { sdb } = await import('../../src/modules/settlement/settlement.tables.js');
      const rows = await sdb(t.database.db).selectFrom('settlements').selectAll().where('order_id', '=', order.id).orderBy('run_no').execute();
      expect(rows.map((r) => [r.run_no, r.received_idr_minor, r.brand_fee_idr_minor, r.costs_idr_minor, r.coop_fees_idr_minor, r.payouts_idr_minor])).toEqual([
        [1, 64_938_000_000, 3_246_900_000, 2_004_246_432, 1_638_388_473, 58_048_465_095],
        [2, 62_649_928_000, 3_132_496_400, 0, 1_636_729_369, 57_880_702_231],
      ]);
      // and stored rows cannot be changed afterwards
      await expect(sdb(t.database.db).updateTable('settlements').set({ payouts_idr_minor: 0 }).where('order_id', '=', order.id).execute()).rejects.toThrow(/append-only/);
    });

    it('a page of statements with their lines, producers and certifications costs one query per table (batched)', async () => {
      const PAGE = /* GraphQL */ `
        query Page { payoutStatements(first: 50) { edges { node { id producer { id certifications { scheme } } cooperative { serviceFeePct } lines { weight explanation } } } } }`;
      t.queries.length = 0;
      const res = await t.gql(PAGE, {}, w.as.brandManager.token);
      expect(res.data.payoutStatements.edges).toHaveLength(8);
      const on = (table: string) => t.queries.filter((q) => q.includes(`from "${table}"`)).length;
      expect(on('payout_lines')).toBe(1);
      expect(on('certifications')).toBe(1);
      expect(on('cooperative_fees')).toBe(1);
    });

    it('given everything received was settled, when settling again, then NothingToSettleError and nothing is written', async () => {
      const before = await settlementCounts(t);
      const res = await t.gql(SETTLE, { input: { orderId: gid('Order', order.id), idempotencyKey: newKey('settle') } }, w.as.brandManager.token);
      expect(res.data.settleOrder).toMatchObject({ __typename: 'NothingToSettleError', code: 'NOTHING_TO_SETTLE' });
      expect(await settlementCounts(t)).toEqual(before);
    });
  });
});
