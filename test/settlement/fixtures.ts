import type { Row } from '../../src/platform/db-types.js';
import { sdb } from '../../src/modules/settlement/settlement.tables.js';
import { createUser, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertLot, insertMembership, insertProducer, insertProduct, insertScheme, type Actor } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { ACCEPT, newKey } from '../fulfilment/fixtures.js';

/** GraphQL documents and a world for the settlement tests (the "given" parts insert directly). */

export const DEFINE_RULES = /* GraphQL */ `
  mutation DefineRules($input: DefinePremiumRulesInput!) {
    definePremiumRules(input: $input) { __typename ... on PremiumRuleVersion { version rules { appliesTo gradeCode perKg { amount currency } pricePct } } ${ERROR_FIELDS} }
  }`;
export const SET_COOP_FEE = /* GraphQL */ `
  mutation SetCoopFee($input: SetCooperativeFeeInput!) {
    setCooperativeFee(input: $input) { __typename ... on CooperativeFee { feePct } ${ERROR_FIELDS} }
  }`;
export const RECORD_CERT = /* GraphQL */ `
  mutation RecordCert($input: RecordCertificationInput!) {
    recordCertification(input: $input) { __typename ... on Certification { scheme reference validUntil producerId lotId } ${ERROR_FIELDS} }
  }`;
export const RECORD_COST = /* GraphQL */ `
  mutation RecordCost($input: RecordOrderCostInput!) {
    recordOrderCost(input: $input) { __typename ... on OrderCost { id kind amount { amount currency } reference } ${ERROR_FIELDS} }
  }`;
export const RECORD_PAYMENT = /* GraphQL */ `
  mutation RecordPayment($input: RecordPaymentInput!) {
    recordPayment(input: $input) { __typename ... on OrderPayment { id amount { amount currency } receivedOn reference } ${ERROR_FIELDS} }
  }`;
export const RECORD_RATE = /* GraphQL */ `
  mutation RecordRate($input: RecordExchangeRateInput!) {
    recordExchangeRate(input: $input) { __typename ... on ExchangeRate { currency rate source rateDate } ${ERROR_FIELDS} }
  }`;
export const SETTLE = /* GraphQL */ `
  mutation Settle($input: SettleOrderInput!) {
    settleOrder(input: $input) {
      __typename
      ... on Settlement {
        id runNo weight received { amount currency } receivedTotal { amount } brandFeePct brandFee { amount } costs { amount }
        cooperativeFees { amount } cooperativeFeeCharges { cooperative { id } feePct amount { amount } } payouts { amount }
        premiumsTotal baseRatePerKg
        statements { id producer { id } cooperative { id } deliveredWeight amount { amount currency } status lines { weight gradeCode amount { amount } } }
      }
      ... on PremiumsExceedNetError { net premiums }
      ${ERROR_FIELDS}
    }
  }`;
export const ADVANCE = (name: 'startOrderFulfillment' | 'shipOrder' | 'completeOrder') => /* GraphQL */ `
  mutation Advance($input: AdvanceOrderInput!) { ${name}(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;
export const DECLARE_SHORTFALL = /* GraphQL */ `
  mutation Declare($input: DeclareShortfallInput!) { declareShortfall(input: $input) { __typename ... on DeclareShortfallPayload { reallocated uncovered } ${ERROR_FIELDS} } }`;
export const STATEMENTS = /* GraphQL */ `
  query Statements($filter: PayoutStatementFilter) {
    payoutStatements(first: 100, filter: $filter) {
      edges { node { id producer { id } amount { amount } status deliveredWeight lines { explanation } } }
    }
  }`;
export const STATEMENT_NODE = /* GraphQL */ `
  query StatementNode($id: ID!) { node(id: $id) { __typename ... on PayoutStatement { id amount { amount } status } } }`;
export const MARK_PAID = /* GraphQL */ `
  mutation MarkPaid($input: MarkStatementPaidInput!) {
    markStatementPaid(input: $input) { __typename ... on PayoutStatement { status paidMethod paidReference paidAt } ${ERROR_FIELDS} }
  }`;
export const ORDER_MONEY = /* GraphQL */ `
  query OrderMoney($id: ID!) {
    node(id: $id) {
      ... on Order {
        status
        invoice { proForma number weight pricePerKg { amount currency } amount { amount currency } }
        payments { amount { amount currency } reference }
        costs { kind amount { amount currency } }
        exchangeRates { currency rate }
        settlementTerms { brandFeePct premiumRules { version } cooperativeFees { cooperative { id } feePct } }
        settlements { runNo }
      }
    }
  }`;

/** Grades of the settlement product: SPECIALTY above the SNI grades. */
export const GRADES = {
  SPECIALTY: { code: 'SPECIALTY', rank: 1 },
  G1: { code: '1', rank: 2 },
  G2: { code: '2', rank: 3 },
  G3: { code: '3', rank: 4 },
} as const;

export interface SettlementWorld extends OrderWorld {
  product: Row<'products'>;
  p2: Row<'producers'>;
  p4: Row<'producers'>;
  p2User: Actor;
}

/** The order world plus a product graded SPECIALTY/1/2/3 and two more producers (P2 in coop A, P4 in coop B). */
export async function createSettlementWorld(t: TestApp): Promise<SettlementWorld> {
  const w = await createOrderWorld(t);
  const db = t.database.db;
  const product = await insertProduct(db, w.brand.id, { withScheme: false });
  await insertScheme(db, product.id, [
    { code: 'SPECIALTY', label: 'Specialty', rank: 1, maxDefectValue: '5', maxMoisturePct: '12', minCuppingScore: '80' },
    { code: '1', label: 'Mutu 1', rank: 2, maxDefectValue: '11', maxMoisturePct: '12.5', minCuppingScore: null },
    { code: '2', label: 'Mutu 2', rank: 3, maxDefectValue: '25', maxMoisturePct: '12.5', minCuppingScore: null },
    { code: '3', label: 'Mutu 3', rank: 4, maxDefectValue: '44', maxMoisturePct: '12.5', minCuppingScore: null },
  ], { version: 1 });
  const p2 = await insertProducer(db, { cooperativeId: w.coop.id });
  const p4 = await insertProducer(db, { cooperativeId: w.otherCoop.id, regency: 'Jember' });
  await insertMembership(db, p2.id, w.brand.id);
  await insertMembership(db, p4.id, w.brand.id);
  const p2User = await createUser(t, [['PRODUCER', p2.id]]);
  return { ...w, product, p2, p4, p2User };
}

export const lot = (t: TestApp, w: SettlementWorld, producer: Row<'producers'>, kg: number, grade: { code: string; rank: number }) =>
  insertLot(t.database.db, { producer, product: w.product, plotIds: [], netG: kg * 1000, grade });

/** Place an order directly at `priceMinor` USD cents per kg and accept it through GraphQL (pro rata). */
export async function placeAndAccept(t: TestApp, w: SettlementWorld, quantityG: number, priceMinor = 410, product = w.product) {
  const db = t.database.db;
  const order = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG, minGrade: GRADES.G2 });
  await db.updateTable('orders').set({ price_minor_per_kg: priceMinor }).where('id', '=', order.id).execute();
  const res = await t.gql(ACCEPT, { input: { orderId: gid('Order', order.id), idempotencyKey: newKey('accept'), strategy: 'PRO_RATA' } }, w.as.brandManager.token);
  if (res.data?.acceptOrder?.status !== 'ACCEPTED') throw new Error(`accept failed: ${JSON.stringify(res.data ?? res.errors)}`);
  return order;
}

const SHIP_WITH_PAPERS = /* GraphQL */ `
  mutation Ship($input: ShipOrderInput!) { shipOrder(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;

/**
 * Move an accepted all-spot order to SHIPPED through GraphQL. An export order ships with its papers
 * (test/shipments): one container loaded with the order's lots as allocated.
 */
export async function ship(t: TestApp, w: SettlementWorld, orderId: number) {
  const started = await t.gql(ADVANCE('startOrderFulfillment'), { input: { orderId: gid('Order', orderId) } }, w.as.brandManager.token);
  if (started.data?.startOrderFulfillment?.__typename !== 'Order') throw new Error(`startOrderFulfillment failed: ${JSON.stringify(started.data ?? started.errors)}`);
  const lines = await t.database.db.selectFrom('allocation_lines').select(['lot_id', 'weight_g'])
    .where('order_id', '=', orderId).where('status', '=', 'ACTIVE').where('lot_id', 'is not', null).execute();
  const perLot = new Map<number, number>();
  for (const l of lines) perLot.set(l.lot_id!, (perLot.get(l.lot_id!) ?? 0) + Number(l.weight_g));
  const totalG = [...perLot.values()].reduce((a, b) => a + b, 0);
  const shipment = {
    billOfLading: 'MEDUSB000100', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: '2027-06-15',
    containers: [{ containerNumber: 'CSQU3054383', sealNumber: 'S-100', bagCount: Math.max(1, Math.ceil(totalG / 60_000)),
      lots: [...perLot].map(([lotId, g]) => ({ lotId: gid('Lot', lotId), weight: String(g / 1000) })) }],
  };
  const res = await t.gql(SHIP_WITH_PAPERS, { input: { orderId: gid('Order', orderId), shipment } }, w.as.brandManager.token);
  if (res.data?.shipOrder?.__typename !== 'Order') throw new Error(`shipOrder failed: ${JSON.stringify(res.data ?? res.errors)}`);
}

/** Row counts of the settlement tables, for "nothing was written" checks. */
export async function settlementCounts(t: TestApp) {
  const db = sdb(t.database.db);
  const out: Record<string, number> = {};
  for (const table of [
    'premium_rule_versions', 'premium_rules', 'certifications', 'cooperative_fees', 'invoices', 'order_costs', 'order_payments',
    'exchange_rates', 'settlements', 'payout_statements', 'payout_lines', 'idempotency_keys',
  ] as const) {
    out[table] = Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  }
  return out;
}

export { newKey };
