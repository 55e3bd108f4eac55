import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { sdb } from '../../src/modules/settlement/settlement.tables.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid } from '../support/supply-fixtures.js';
import {
  createSettlementWorld, DEFINE_RULES, GRADES, lot, newKey, placeAndAccept, RECORD_CERT, RECORD_PAYMENT, RECORD_RATE, SETTLE, settlementCounts,
  type SettlementWorld, ship,
} from './fixtures.js';

/*
 * Certification and percentage premiums, certificate expiry, and premiums above the net.
 *
 * Rules v1: FAIRTRADE Rp 1,500/kg; 2 % of the price for all coffee; ORGANIC Rp 3,000/kg.
 * P1 holds Fairtrade (valid); P3's lot holds an organic certificate that expired on 2025-12-31.
 * 1,200 kg at USD 4.50/kg, paid in full: USD 5,400.00 at 16,000 → 8,640,000,000 sen. Price per kg in
 * IDR = 450 × 16,000 = 7,200,000 sen, so 2 % = 144,000 sen/kg.
 *   brand fee 5 % = 432,000,000; net N = 8,208,000,000; no cooperative fees (none set at acceptance)
 *   premiums P = 600 × (150,000 + 144,000) + 600 × 144,000 = 262,800,000
 *   base b = (N − P) / 1,200 kg = 6,621,000 sen/kg
 *   P1 = 600 × (6,621,000 + 294,000) = 4,149,000,000 (Rp 41,490,000.00)
 *   P3 = 600 × (6,621,000 + 144,000) = 4,059,000,000 (Rp 40,590,000.00); P1 + P3 = N exactly.
 * Rules v2 (defined after order 1 was accepted) pay Rp 100,000/kg for all coffee: order 2 (300 kg,
 * USD 1,350.00 → Rp 21,600,000.00, net Rp 20,520,000.00) owes Rp 30,000,000.00 of premiums → refused.
 */

describe('premiums by certification and by percentage; premiums above the net', () => {
  let t: TestApp;
  let w: SettlementWorld;
  let order1: Row<'orders'>;
  let order2: Row<'orders'>;

  const payAndSettle = async (order: Row<'orders'>, usd: string) => {
    const orderId = gid('Order', order.id);
    const mgr = w.as.brandManager.token;
    await ship(t, w, order.id);
    await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16000', source: 'Bank Mandiri', rateDate: '2026-11-30' } }, mgr);
    await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: usd, currency: 'USD' }, receivedOn: '2026-11-30', reference: `TT-${order.id}` } }, mgr);
    return t.gql(SETTLE, { input: { orderId, idempotencyKey: newKey('settle') } }, mgr);
  };

  beforeAll(async () => {
    t = await createTestApp();
    w = await createSettlementWorld(t);
    const mgr = w.as.brandManager.token;
    const v1 = await t.gql(DEFINE_RULES, {
      input: {
        brandId: gid('Brand', w.brand.id),
        rules: [
          { appliesTo: 'CERTIFICATION', certification: 'FAIRTRADE', perKg: '1500' },
          { appliesTo: 'ALL', pricePct: '2' },
          { appliesTo: 'CERTIFICATION', certification: 'ORGANIC', perKg: '3000' },
        ],
      },
    }, mgr);
    expect(v1.data.definePremiumRules.version).toBe(1);
    const cert = await t.gql(RECORD_CERT, {
      input: { producerId: gid('Producer', w.producer.id), scheme: 'FAIRTRADE', reference: 'FLO-1', validFrom: '2026-01-01', validUntil: '2030-12-31' },
    }, w.as.coopManager.token);
    expect(cert.data.recordCertification.__typename).toBe('Certification');
    await lot(t, w, w.producer, 600, GRADES.G1);
    const p3Lot = await lot(t, w, w.otherProducer, 600, GRADES.G1);
    const expired = await t.gql(RECORD_CERT, {
      input: { lotId: gid('Lot', p3Lot.id), scheme: 'ORGANIC', reference: 'ORG-9', validFrom: '2024-01-01', validUntil: '2025-12-31' },
    }, w.as.curator.token);
    expect(expired.data.recordCertification).toMatchObject({ __typename: 'Certification', lotId: gid('Lot', p3Lot.id) });
    order1 = await placeAndAccept(t, w, 1_200_000, 450);
    // v2 after order 1's acceptance, before order 2's
    await t.gql(DEFINE_RULES, { input: { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'ALL', perKg: '100000' }] } }, mgr);
    await lot(t, w, w.producer, 300, GRADES.G1);
    order2 = await placeAndAccept(t, w, 300_000, 450);
  });
  afterAll(async () => { await t?.close(); });

  it('a valid certification and a percentage of the price earn their premiums; an expired one does not', async () => {
    const res = await payAndSettle(order1, '5400.00');
    const run = res.data.settleOrder;
    expect(run).toMatchObject({
      __typename: 'Settlement', received: { amount: '86400000.00' }, brandFee: { amount: '4320000.00' }, cooperativeFees: { amount: '0.00' },
      payouts: { amount: '82080000.00' }, premiumsTotal: '2628000.0000', baseRatePerKg: '66210.0000',
    });
    const amounts = Object.fromEntries(run.statements.map((s: any) => [s.producer.id, s.amount.amount]));
    expect(amounts).toEqual({ [gid('Producer', w.producer.id)]: '41490000.00', [gid('Producer', w.otherProducer.id)]: '40590000.00' });
    const lines = await sdb(t.database.db)
      .selectFrom('payout_lines').innerJoin('payout_statements', 'payout_statements.id', 'payout_lines.statement_id')
      .select(['payout_statements.producer_id', 'payout_lines.certifications', 'payout_lines.premium_minor_per_kg'])
      .where('payout_statements.order_id', '=', order1.id).orderBy('payout_statements.producer_id').execute();
    expect(lines.map((l) => [l.producer_id, l.certifications, Number(l.premium_minor_per_kg)])).toEqual([
      [w.producer.id, ['FAIRTRADE'], 294_000],
      [w.otherProducer.id, [], 144_000],
    ]);
  });

  it('premiums above the net are a PremiumsExceedNetError naming the figures, and nothing is written', async () => {
    const before = await settlementCounts(t);
    const res = await payAndSettle(order2, '1350.00');
    expect(res.data.settleOrder).toMatchObject({ __typename: 'PremiumsExceedNetError', code: 'PREMIUMS_EXCEED_NET', net: '20520000.00', premiums: '30000000.00' });
    expect(res.data.settleOrder.message).toMatch(/premiums \(IDR 30000000\.00\) exceed the net \(IDR 20520000\.00/);
    const after = await settlementCounts(t);
    // the shipment wrote the invoice, the rate and the payment; the failed settlement wrote nothing
    expect({ ...after, invoices: before.invoices, exchange_rates: before.exchange_rates, order_payments: before.order_payments, idempotency_keys: before.idempotency_keys })
      .toEqual(before);
    expect(after.settlements).toBe(before.settlements);
  });
});
