import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jakartaTodayIso } from '../../src/platform/dates.js';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Actor, ERROR_FIELDS, gid } from '../support/supply-fixtures.js';
import {
  createSettlementWorld, DEFINE_RULES, GRADES, lot, MARK_PAID, newKey, placeAndAccept, RECORD_CERT, RECORD_COST, RECORD_PAYMENT, RECORD_RATE,
  SET_COOP_FEE, SETTLE, settlementCounts, type SettlementWorld, ship, STATEMENT_NODE, STATEMENTS,
} from './fixtures.js';

/*
 * Who may see and do what, and bad input refused with nothing written.
 * Given: P1 (the world's producer, coop A) delivers 600 kg SPECIALTY and P3 (the other producer, coop B)
 * 600 kg of grade 1 into a 1,200 kg order at USD 4.50/kg (invoice USD 5,400.00), paid in full and settled;
 * a second 300 kg order is accepted but not shipped.
 */

const CSV_COOP = /* GraphQL */ `
  query CoopCsv($input: CooperativeStatementsCsvInput!) {
    cooperativeStatementsCsv(input: $input) { __typename ... on CsvExport { filename contentType csv } ${ERROR_FIELDS} }
  }`;
const CSV_ORDER = /* GraphQL */ `
  query OrderCsv($input: OrderStatementsCsvInput!) {
    orderStatementsCsv(input: $input) { __typename ... on CsvExport { filename csv } ${ERROR_FIELDS} }
  }`;

describe('settlement: roles and bad input', () => {
  let t: TestApp;
  let w: SettlementWorld;
  let order: Row<'orders'>;
  let unshipped: Row<'orders'>;
  let p1Statement: string;
  let p3Statement: string;
  let settlementId: string;
  let settleKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    w = await createSettlementWorld(t);
    await t.gql(DEFINE_RULES, { input: { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'GRADE', gradeCode: 'SPECIALTY', perKg: '2000' }] } }, w.as.brandManager.token);
    await lot(t, w, w.producer, 600, GRADES.SPECIALTY);
    await lot(t, w, w.otherProducer, 600, GRADES.G1);
    order = await placeAndAccept(t, w, 1_200_000, 450);
    await lot(t, w, w.producer, 300, GRADES.G1);
    unshipped = await placeAndAccept(t, w, 300_000, 450);
    await ship(t, w, order.id);
    const orderId = gid('Order', order.id);
    const mgr = w.as.brandManager.token;
    await t.gql(RECORD_RATE, { input: { orderId, currency: 'USD', rate: '16000', source: 'Bank Mandiri', rateDate: '2026-11-30' } }, mgr);
    await t.gql(RECORD_PAYMENT, { input: { orderId, amount: { amount: '5400.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: 'TT-1' } }, mgr);
    settleKey = newKey('settle');
    const settled = await t.gql(SETTLE, { input: { orderId, idempotencyKey: settleKey } }, mgr);
    expect(settled.data.settleOrder.__typename).toBe('Settlement');
    settlementId = settled.data.settleOrder.id;
    const statements = settled.data.settleOrder.statements as Array<{ id: string; producer: { id: string } }>;
    p1Statement = statements.find((s) => s.producer.id === gid('Producer', w.producer.id))!.id;
    p3Statement = statements.find((s) => s.producer.id === gid('Producer', w.otherProducer.id))!.id;
  });
  afterAll(async () => { await t?.close(); });

  describe('who sees payout statements', () => {
    const seen = async (actor: Actor) =>
      ((await t.gql(STATEMENTS, {}, actor.token)).data.payoutStatements.edges as Array<{ node: { id: string } }>).map((e) => e.node.id).sort();
    const node = async (actor: Actor, id: string) => (await t.gql(STATEMENT_NODE, { id }, actor.token)).data.node;

    it('a producer sees only their own statement; the other one looks like it does not exist', async () => {
      expect(await seen(w.as.producer)).toEqual([p1Statement]);
      expect(await node(w.as.producer, p3Statement)).toBeNull();
      expect(await node(w.as.producer, gid('PayoutStatement', 999_999))).toBeNull();
      expect(await seen(w.as.otherProducer)).toEqual([p3Statement]);
    });

    it('a cooperative manager sees their members\' statements only', async () => {
      expect(await seen(w.as.coopManager)).toEqual([p1Statement]);
      expect(await seen(w.as.otherCoopManager)).toEqual([p3Statement]);
      expect(await node(w.as.coopManager, p3Statement)).toBeNull();
    });

    it('the brand manager and an admin see all of the order\'s statements', async () => {
      expect(await seen(w.as.brandManager)).toEqual([p1Statement, p3Statement].sort());
      expect(await seen(w.as.admin)).toEqual([p1Statement, p3Statement].sort());
      expect((await node(w.as.brandManager, p1Statement)).__typename).toBe('PayoutStatement');
    });

    it('a buyer, a curator and another brand\'s manager see none', async () => {
      for (const actor of [w.as.buyer, w.as.curator, w.as.otherBrandManager, w.as.otherBrandCurator]) {
        expect(await seen(actor)).toEqual([]);
        expect(await node(actor, p1Statement)).toBeNull();
      }
    });

    it('anonymous callers get an authentication error', async () => {
      const res = await t.gql(STATEMENTS, {});
      expect(res.errors?.[0]?.message).toMatch(/Authentication required/);
    });

    it('the explanation follows Accept-Language: in-ID and id-ID give Indonesian, anything else English', async () => {
      const ask = async (lang?: string) => {
        const res = await t.app.inject({
          method: 'POST', url: '/graphql',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${w.as.producer.token}`, ...(lang ? { 'accept-language': lang } : {}) },
          payload: { query: STATEMENTS, variables: {} },
        });
        return res.json().data.payoutStatements.edges[0].node.lines[0].explanation as string;
      };
      const id = await ask('in-ID');
      expect(id).toMatch(/^600 kg kopi mutu SPECIALTY dari lot \d+ dengan harga dasar Rp [\d.]+,\d{2}\/kg ditambah premi Rp 2\.000,00\/kg \(grade SPECIALTY\): dibayar Rp [\d.]+,\d{2}\.$/);
      expect(await ask('id-ID,id;q=0.9')).toBe(id);
      expect(await ask('en-GB')).toMatch(/^600 kg of grade SPECIALTY coffee from lot \d+ at a base rate of IDR [\d,]+\.\d{2}\/kg plus a premium of IDR 2,000\.00\/kg/);
      expect(await ask()).toMatch(/^600 kg of grade SPECIALTY/);
    });
  });

  describe('marking statements paid', () => {
    const mark = (actor: Actor, statementId: string, input: Record<string, unknown>) =>
      t.gql(MARK_PAID, { input: { statementId, ...input } }, actor.token);

    it('the producer themself may not; another cooperative\'s manager and a buyer find nothing', async () => {
      expect((await mark(w.as.producer, p1Statement, { method: 'CASH_VIA_COOPERATIVE' })).data.markStatementPaid).toMatchObject({ __typename: 'ForbiddenError' });
      expect((await mark(w.as.otherCoopManager, p1Statement, { method: 'CASH_VIA_COOPERATIVE' })).data.markStatementPaid).toMatchObject({ __typename: 'NotFoundError', path: 'input.statementId' });
      expect((await mark(w.as.buyer, p1Statement, { method: 'CASH_VIA_COOPERATIVE' })).data.markStatementPaid).toMatchObject({ __typename: 'NotFoundError' });
    });

    it('a bank transfer needs its reference', async () => {
      const res = await mark(w.as.coopManager, p1Statement, { method: 'BANK_TRANSFER' });
      expect(res.data.markStatementPaid).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.reference' }] });
    });

    it('the cooperative manager records cash through the cooperative; a second time is refused', async () => {
      const res = await mark(w.as.coopManager, p1Statement, { method: 'CASH_VIA_COOPERATIVE', reference: 'Kwitansi 17' });
      expect(res.data.markStatementPaid).toMatchObject({ __typename: 'PayoutStatement', status: 'PAID', paidMethod: 'CASH_VIA_COOPERATIVE', paidReference: 'Kwitansi 17' });
      const again = await mark(w.as.brandManager, p1Statement, { method: 'BANK_TRANSFER', reference: 'X' });
      expect(again.data.markStatementPaid).toMatchObject({ __typename: 'InvalidTransitionError', code: 'INVALID_TRANSITION' });
    });

    it('the brand manager records a bank transfer', async () => {
      const res = await mark(w.as.brandManager, p3Statement, { method: 'BANK_TRANSFER', reference: 'BRI 0042', paidAt: '2026-12-01T02:00:00.000Z' });
      expect(res.data.markStatementPaid).toMatchObject({ __typename: 'PayoutStatement', status: 'PAID', paidAt: '2026-12-01T02:00:00.000Z' });
    });
  });

  describe('who records and settles', () => {
    const orderId = () => gid('Order', order.id);

    it('a buyer may not record payments; another brand\'s manager finds no order; a producer is refused by scope', async () => {
      const input = { orderId: orderId(), amount: { amount: '1.00', currency: 'USD' }, receivedOn: '2026-11-30', reference: 'R-x' };
      expect((await t.gql(RECORD_PAYMENT, { input }, w.as.buyer.token)).data.recordPayment.__typename).toBe('ForbiddenError');
      expect((await t.gql(RECORD_PAYMENT, { input }, w.as.otherBrandManager.token)).data.recordPayment).toMatchObject({ __typename: 'NotFoundError', path: 'input.orderId' });
      expect((await t.gql(RECORD_PAYMENT, { input }, w.as.producer.token)).data.recordPayment.__typename).toBe('ForbiddenError');
    });

    it('only the brand manager settles: a cooperative manager is refused, another brand\'s manager finds nothing', async () => {
      expect((await t.gql(SETTLE, { input: { orderId: orderId(), idempotencyKey: newKey() } }, w.as.coopManager.token)).data.settleOrder.__typename).toBe('ForbiddenError');
      expect((await t.gql(SETTLE, { input: { orderId: orderId(), idempotencyKey: newKey() } }, w.as.otherBrandManager.token)).data.settleOrder.__typename).toBe('NotFoundError');
    });

    it('settling again with the same key returns the same run and writes nothing', async () => {
      const before = await settlementCounts(t);
      const res = await t.gql(SETTLE, { input: { orderId: orderId(), idempotencyKey: settleKey } }, w.as.brandManager.token);
      expect(res.data.settleOrder).toMatchObject({ __typename: 'Settlement', id: settlementId });
      expect(await settlementCounts(t)).toEqual(before);
    });

    it('premium rules: only the brand\'s manager; fees: only the cooperative\'s manager', async () => {
      const rules = await t.gql(DEFINE_RULES, { input: { brandId: gid('Brand', w.brand.id), rules: [] } }, w.as.otherBrandManager.token);
      expect(rules.data.definePremiumRules.__typename).toBe('ForbiddenError');
      const fee = await t.gql(SET_COOP_FEE, { input: { cooperativeId: gid('Cooperative', w.coop.id), feePct: '1' } }, w.as.otherCoopManager.token);
      expect(fee.data.setCooperativeFee.__typename).toBe('ForbiddenError');
    });

    it('certifications: the cooperative manager records one; the producer may not certify themself; a buyer finds no producer', async () => {
      const input = { producerId: gid('Producer', w.producer.id), scheme: 'FAIRTRADE', reference: 'FLO-123', validFrom: '2026-01-01', validUntil: '2027-12-31' };
      expect((await t.gql(RECORD_CERT, { input }, w.as.coopManager.token)).data.recordCertification).toMatchObject({ __typename: 'Certification', scheme: 'FAIRTRADE', validUntil: '2027-12-31' });
      expect((await t.gql(RECORD_CERT, { input }, w.as.producer.token)).data.recordCertification.__typename).toBe('ForbiddenError');
      expect((await t.gql(RECORD_CERT, { input }, w.as.buyer.token)).data.recordCertification).toMatchObject({ __typename: 'NotFoundError', path: 'input.producerId' });
    });
  });

  describe('bad input is refused with nothing written', () => {
    const orderId = () => gid('Order', order.id);
    const refused = async (doc: string, input: Record<string, unknown>, field: string, path: string, actor = w.as.brandManager) => {
      const before = await settlementCounts(t);
      const res = await t.gql(doc, { input }, actor.token);
      expect(res.data[field]).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(res.data[field].issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await settlementCounts(t)).toEqual(before);
      return res.data[field];
    };

    it('a negative cost', async () => {
      const e = await refused(RECORD_COST, { orderId: orderId(), kind: 'HANDLING', amount: { amount: '-5.00', currency: 'USD' }, reference: 'H-1' }, 'recordOrderCost', 'input.amount.amount');
      expect(e.issues[0].message).toMatch(/not a non-negative decimal/);
    });

    it('a zero cost and a cost with too many decimals', async () => {
      await refused(RECORD_COST, { orderId: orderId(), kind: 'HANDLING', amount: { amount: '0', currency: 'USD' }, reference: 'H-1' }, 'recordOrderCost', 'input.amount.amount');
      await refused(RECORD_COST, { orderId: orderId(), kind: 'HANDLING', amount: { amount: '1.005', currency: 'USD' }, reference: 'H-1' }, 'recordOrderCost', 'input.amount.amount');
    });

    it('an unknown currency is refused by the schema (the Currency enum), naming the value; nothing is written', async () => {
      const before = await settlementCounts(t);
      const res = await t.gql(RECORD_COST, { input: { orderId: orderId(), kind: 'FREIGHT', amount: { amount: '5.00', currency: 'XYZ' }, reference: 'F-1' } }, w.as.brandManager.token);
      expect(res.statusCode).toBe(400);
      expect(res.errors?.[0]?.message).toMatch(/"XYZ".*Currency|Currency.*"XYZ"/s);
      const rate = await t.gql(RECORD_RATE, { input: { orderId: orderId(), currency: 'XYZ', rate: '1', source: 's', rateDate: '2026-11-30' } }, w.as.brandManager.token);
      expect(rate.errors?.[0]?.message).toMatch(/XYZ/);
      expect(await settlementCounts(t)).toEqual(before);
    });

    it('an exchange rate of zero, a negative one, and one for IDR', async () => {
      const base = { orderId: orderId(), currency: 'USD', source: 'Bank Mandiri', rateDate: '2026-11-30' };
      const e = await refused(RECORD_RATE, { ...base, rate: '0' }, 'recordExchangeRate', 'input.rate');
      expect(e.issues[0].message).toBe('must be more than 0');
      await refused(RECORD_RATE, { ...base, rate: '0.000000' }, 'recordExchangeRate', 'input.rate');
      await refused(RECORD_RATE, { ...base, rate: '-16000' }, 'recordExchangeRate', 'input.rate');
      await refused(RECORD_RATE, { ...base, currency: 'IDR', rate: '1' }, 'recordExchangeRate', 'input.currency');
    });

    it('settling an order that has not shipped', async () => {
      const before = await settlementCounts(t);
      const res = await t.gql(SETTLE, { input: { orderId: gid('Order', unshipped.id), idempotencyKey: newKey() } }, w.as.brandManager.token);
      expect(res.data.settleOrder).toMatchObject({ __typename: 'SettlementNotReadyError', code: 'SETTLEMENT_NOT_READY' });
      expect(res.data.settleOrder.message).toMatch(/ACCEPTED.*once it has shipped/);
      expect(await settlementCounts(t)).toEqual(before);
    });

    it('premium rules whose percentages sum above 100 %', async () => {
      const e = await refused(DEFINE_RULES, {
        brandId: gid('Brand', w.brand.id),
        rules: [{ appliesTo: 'ALL', pricePct: '60' }, { appliesTo: 'CERTIFICATION', certification: 'ORGANIC', pricePct: '40.01' }],
      }, 'definePremiumRules', 'input.rules');
      expect(e.issues[0].message).toBe('the percentages of the price sum to 100.01 %, above 100 %');
    });

    it('a rule for a grade the brand does not have, or with both an amount and a percentage', async () => {
      await refused(DEFINE_RULES, { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'GRADE', gradeCode: 'PLATINUM', perKg: '10' }] }, 'definePremiumRules', 'input.rules.0.gradeCode');
      await refused(DEFINE_RULES, { brandId: gid('Brand', w.brand.id), rules: [{ appliesTo: 'ALL', perKg: '10', pricePct: '1' }] }, 'definePremiumRules', 'input.rules.0.perKg');
    });

    it('a cooperative fee above 100 %', async () => {
      await refused(SET_COOP_FEE, { cooperativeId: gid('Cooperative', w.coop.id), feePct: '100.5' }, 'setCooperativeFee', 'input.feePct', w.as.coopManager);
    });

    it('a payment above the invoice, in another currency, or dated in the future', async () => {
      const base = { orderId: orderId(), receivedOn: '2026-11-30', reference: 'TT-2' };
      const e = await refused(RECORD_PAYMENT, { ...base, amount: { amount: '0.01', currency: 'USD' } }, 'recordPayment', 'input.amount.amount');
      expect(e.issues[0].message).toBe('would exceed the invoice: 0.00 USD is outstanding');
      await refused(RECORD_PAYMENT, { ...base, amount: { amount: '10.00', currency: 'IDR' } }, 'recordPayment', 'input.amount.currency');
      await refused(RECORD_PAYMENT, { ...base, amount: { amount: '0.01', currency: 'USD' }, receivedOn: '2999-01-01' }, 'recordPayment', 'input.receivedOn');
    });

    it('a certification that ends before it starts, or names neither producer nor lot', async () => {
      await refused(RECORD_CERT, { producerId: gid('Producer', w.producer.id), scheme: 'ORGANIC', reference: 'O-1', validFrom: '2027-01-01', validUntil: '2026-01-01' }, 'recordCertification', 'input.validUntil', w.as.coopManager);
      await refused(RECORD_CERT, { scheme: 'ORGANIC', reference: 'O-1', validFrom: '2026-01-01', validUntil: '2027-01-01' }, 'recordCertification', 'input.producerId', w.as.coopManager);
    });

    it('an ID of the wrong type', async () => {
      await refused(SETTLE, { orderId: gid('Lot', order.id), idempotencyKey: newKey() }, 'settleOrder', 'input.orderId');
    });
  });

  describe('CSV exports', () => {
    // The statements' fiscal date is the run's date in Asia/Jakarta (UTC+07:00): from 17:00 UTC that is tomorrow's UTC date.
    const today = jakartaTodayIso();

    it('a cooperative manager exports their members\' statements for a period', async () => {
      const res = await t.gql(CSV_COOP, { input: { cooperativeId: gid('Cooperative', w.coop.id), from: today, to: today } }, w.as.coopManager.token);
      expect(res.data.cooperativeStatementsCsv).toMatchObject({ __typename: 'CsvExport', contentType: 'text/csv; charset=utf-8' });
      const rows = (res.data.cooperativeStatementsCsv.csv as string).trim().split('\r\n');
      expect(rows[0]).toBe('statement_id,order_id,settlement_run,fiscal_date,producer_id,producer,cooperative,line,lot_id,grade,certifications,weight_kg,base_rate_idr_per_kg,premium_idr_per_kg,coop_fee_pct,coop_fee_idr,amount_idr,status,paid_method,paid_reference,explanation');
      expect(rows).toHaveLength(2);
      expect(rows[1]).toContain(`,${w.producer.id},`);
      expect(rows[1]).toContain(',SPECIALTY,');
      expect(rows[1]).toContain(',600,');
    });

    it('for another cooperative\'s manager the cooperative looks like one that does not exist; an empty period has only the header', async () => {
      const other = await t.gql(CSV_COOP, { input: { cooperativeId: gid('Cooperative', w.coop.id), from: today, to: today } }, w.as.otherCoopManager.token);
      const unknown = await t.gql(CSV_COOP, { input: { cooperativeId: gid('Cooperative', 987_654_321), from: today, to: today } }, w.as.otherCoopManager.token);
      expect(other.data.cooperativeStatementsCsv).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expect(other).toEqual(unknown);
      const empty = await t.gql(CSV_COOP, { input: { cooperativeId: gid('Cooperative', w.coop.id), from: '2020-01-01', to: '2020-12-31' } }, w.as.coopManager.token);
      expect((empty.data.cooperativeStatementsCsv.csv as string).trim().split('\r\n')).toHaveLength(1);
      const backwards = await t.gql(CSV_COOP, { input: { cooperativeId: gid('Cooperative', w.coop.id), from: '2021-01-01', to: '2020-12-31' } }, w.as.coopManager.token);
      expect(backwards.data.cooperativeStatementsCsv).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.to' }] });
    });

    it('the brand manager exports an order\'s statements; for the buyer and a producer the order looks like one that does not exist', async () => {
      const res = await t.gql(CSV_ORDER, { input: { orderId: gid('Order', order.id) } }, w.as.brandManager.token);
      const rows = (res.data.orderStatementsCsv.csv as string).trim().split('\r\n');
      expect(rows).toHaveLength(3);
      const amounts = rows.slice(1).map((r) => r.split(',')[16]);
      // the two payouts add up to what the run paid out
      const settled = await t.gql(SETTLE, { input: { orderId: gid('Order', order.id), idempotencyKey: settleKey } }, w.as.brandManager.token);
      const sen = (a: string) => BigInt(a.replace('.', ''));
      expect(amounts.reduce((a, x) => a + sen(x!), 0n)).toBe(sen(settled.data.settleOrder.payouts.amount));
      const unknown = await t.gql(CSV_ORDER, { input: { orderId: gid('Order', 987_654_321) } }, w.as.buyer.token);
      expect(unknown.data.orderStatementsCsv).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expect(await t.gql(CSV_ORDER, { input: { orderId: gid('Order', order.id) } }, w.as.buyer.token)).toEqual(unknown);
      expect(await t.gql(CSV_ORDER, { input: { orderId: gid('Order', order.id) } }, w.as.producer.token)).toEqual(unknown);
    });

    it('the same CSVs download over HTTP with a bearer token; without one 401, bad input 400, and whoever may not export gets the 404 of an unknown id', async () => {
      const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
      const orderUrl = `/exports/settlement/orders/${encodeURIComponent(gid('Order', order.id))}/statements.csv`;
      const ok = await get(orderUrl, w.as.brandManager.token);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(ok.headers['content-disposition']).toMatch(/^attachment; filename="statements-order-/);
      expect(ok.body.trim().split('\r\n')).toHaveLength(3);
      expect((await get(orderUrl)).statusCode).toBe(401);
      const unknownOrder = await get(`/exports/settlement/orders/${encodeURIComponent(gid('Order', 987_654_321))}/statements.csv`, w.as.buyer.token);
      expect(unknownOrder.statusCode).toBe(404);
      expect(unknownOrder.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'NOT_FOUND' } }] });
      for (const who of [w.as.buyer, w.as.producer, w.as.otherCoopManager]) {
        const res = await get(orderUrl, who.token);
        expect([res.statusCode, res.body, res.headers['content-type']]).toEqual([404, unknownOrder.body, unknownOrder.headers['content-type']]);
      }
      expect((await get('/exports/settlement/orders/bm9wZQ/statements.csv', w.as.brandManager.token)).statusCode).toBe(400);
      const coopUrl = `/exports/settlement/cooperatives/${encodeURIComponent(gid('Cooperative', w.coop.id))}/statements.csv?from=${today}&to=${today}`;
      const coop = await get(coopUrl, w.as.coopManager.token);
      expect(coop.statusCode).toBe(200);
      expect(coop.body.trim().split('\r\n')).toHaveLength(2);
      const unknownCoop = await get(
        `/exports/settlement/cooperatives/${encodeURIComponent(gid('Cooperative', 987_654_321))}/statements.csv?from=${today}&to=${today}`, w.as.otherCoopManager.token,
      );
      expect(unknownCoop.statusCode).toBe(404);
      for (const who of [w.as.otherCoopManager, w.as.buyer, w.as.producer, w.as.brandManager]) {
        const res = await get(coopUrl, who.token);
        expect([res.statusCode, res.body]).toEqual([404, unknownCoop.body]);
      }
      const noDates = await get(coopUrl.replace(/\?.*$/, ''), w.as.coopManager.token);
      expect(noDates.statusCode).toBe(400);
      expect(noDates.json().errors[0].message).toMatch(/input\.from/);
    });
  });
});
