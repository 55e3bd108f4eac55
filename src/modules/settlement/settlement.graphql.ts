import { hasRole, isAdmin } from '../../platform/auth.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors, ErrorInterface, idempotencyErrors } from '../../platform/graphql/errors.js';
import { BusyError, ConflictError, InvalidTransitionError } from '../../platform/errors.js';
import { decodeId, globalId } from '../../platform/graphql/ids.js';
import { childPage } from '../../platform/graphql/loaders.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import { CurrencyEnum, MoneyInput, MoneyRef } from '../orders/orders.graphql.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { BrandRef, CooperativeRef, LotRef, OrderRef, ProducerRef } from '../refs.js';
import { CERTIFICATIONS } from './core.js';
import { NothingToSettleError, PremiumsExceedNetError, SettlementNotReadyError, SettlementWouldReduceError } from './errors.js';
import { Ratio } from './ratio.js';
import * as repo from './settlement.repo.js';
import * as settlement from './settlement.service.js';
import type { CertificationScheme, CostKind, PaymentMethod, StatementStatus } from './settlement.tables.js';
import * as statements from './statements.service.js';

const idr = (minor: number) => ({ minor, currency: 'IDR' });
/** Group rows by a key, in the order of `ids` (one batched query per page, see the loadable fields). */
const groupBy = <T>(ids: readonly number[], rows: readonly T[], key: (r: T) => number | null): T[][] => {
  const by = new Map<number, T[]>();
  for (const r of rows) {
    const k = key(r);
    if (k !== null) by.set(k, [...(by.get(k) ?? []), r]);
  }
  return ids.map((id) => by.get(id) ?? []);
};
/**
 * A list per parent id for a field whose visibility depends on the parent row (so it cannot be a
 * loadableList, whose loader sees only ids): the resolver checks the caller, then loads through a
 * per-request DataLoader (platform childPage), so a page of N parents costs one query.
 */
const listPerParent = <R>(ctx: Context, field: string, load: (ids: number[]) => Promise<readonly R[]>, key: (r: R) => number) =>
  childPage<R>(ctx, field, async (ids) => {
    const by = new Map<number, R[]>();
    for (const r of await load(ids)) by.set(key(r), [...(by.get(key(r)) ?? []), r]);
    return by;
  });
/** sen (numeric text) → rupiah decimal text with `digits` decimals. */
const rupiahText = (sen: string, digits = 4) => Ratio.parse(sen).div(100).toFixed(digits);

const seesSupplyPricing = (ctx: Context, brandId: number) => {
  const p = ctx.principal;
  return isAdmin(p) || hasRole(p, 'BRAND_MANAGER', brandId) || hasRole(p, 'CURATOR') || hasRole(p, 'COOP_MANAGER') || hasRole(p, 'PRODUCER');
};

// Enums and errors ------------------------------------------------------------------------------

const CertificationSchemeEnum = builder.enumType('CertificationScheme', {
  description: 'A certification a producer or lot can hold.',
  values: {
    ORGANIC: { description: 'Organic (e.g. SNI 6729 / EU organic).' },
    FAIRTRADE: { description: 'Fairtrade.' },
    RAINFOREST_ALLIANCE: { description: 'Rainforest Alliance.' },
  } as const satisfies Record<CertificationScheme, unknown>,
});
void CERTIFICATIONS;

const PremiumAppliesToEnum = builder.enumType('PremiumAppliesTo', {
  description: 'What a premium rule applies to.',
  values: {
    GRADE: { description: 'Delivered weight of one grade (gradeCode), e.g. SPECIALTY.' },
    CERTIFICATION: { description: 'Delivered weight from a producer or lot holding a valid certification on the shipping date.' },
    ALL: { description: 'All delivered weight.' },
  } as const,
});

const CostKindEnum = builder.enumType('OrderCostKind', {
  description: 'What a shared cost of an order is for.',
  values: {
    FREIGHT: { description: 'Freight and transport.' },
    HANDLING: { description: 'Handling, storage, loading.' },
    CERTIFICATES: { description: 'Certificates and inspections (phytosanitary, origin, quality).' },
    OTHER: { description: 'Anything else, described.' },
  } as const satisfies Record<CostKind, unknown>,
});

const PayoutMethodEnum = builder.enumType('PayoutMethod', {
  description: 'How a payout reached the producer.',
  values: {
    BANK_TRANSFER: { description: 'Bank transfer (reference required).' },
    E_WALLET: { description: 'E-wallet transfer (reference required).' },
    CASH_VIA_COOPERATIVE: { description: 'Cash handed over through the cooperative.' },
  } as const satisfies Record<PaymentMethod, unknown>,
});

const StatementStatusEnum = builder.enumType('PayoutStatementStatus', {
  description: 'Whether a payout statement has been paid.',
  values: {
    PENDING: { description: 'Settled, not yet paid out.' },
    PAID: { description: 'Paid out (method, reference, when and who recorded).' },
  } as const satisfies Record<StatementStatus, unknown>,
});

builder.objectType(PremiumsExceedNetError, {
  name: 'PremiumsExceedNetError',
  description: 'The premiums exceed what is left after fees and costs; nothing was written. Figures in IDR.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    received: t.field({ type: 'Decimal', description: 'IDR received in total.', resolve: (e) => e.received }),
    brandFee: t.field({ type: 'Decimal', description: 'IDR brand fee on it.', resolve: (e) => e.brandFee }),
    costs: t.field({ type: 'Decimal', description: 'IDR costs.', resolve: (e) => e.costs }),
    net: t.field({ type: 'Decimal', description: 'IDR net: received − brand fee − costs.', resolve: (e) => e.net }),
    premiums: t.field({ type: 'Decimal', description: 'IDR premiums owed on the delivered weight.', resolve: (e) => e.premiums }),
  }),
});

builder.objectType(NothingToSettleError, {
  name: 'NothingToSettleError',
  description: 'No payment arrived since the last settlement run; nothing was written.',
  interfaces: [ErrorInterface],
});

builder.objectType(SettlementWouldReduceError, {
  name: 'SettlementWouldReduceError',
  description: 'Costs recorded since the last run exceed what the new money leaves; earlier statements are never reduced. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    newReceived: t.field({ type: 'Decimal', description: 'IDR received since the last run.', resolve: (e) => e.newReceived }),
    newCosts: t.field({ type: 'Decimal', description: 'IDR costs recorded since the last run.', resolve: (e) => e.newCosts }),
  }),
});

builder.objectType(SettlementNotReadyError, {
  name: 'SettlementNotReadyError',
  description: 'Something the settlement needs is missing (the order has not shipped, an exchange rate is missing); nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path', { nullable: true, description: 'The input field concerned.' }) }),
});

/** Every transaction is bounded by the lock timeout: a mutation can answer BusyError (AllocationBusyError). */
const txErrors = [BusyError, ...commonErrors];

// Price rules and certifications -------------------------------------------------------------------

const PremiumRuleRef = builder.objectRef<repo.PremiumRuleRow>('PremiumRule').implement({
  description: 'One premium rule of a version.',
  fields: (t) => ({
    appliesTo: t.field({ type: PremiumAppliesToEnum, description: 'What the rule applies to.', resolve: (r) => r.applies_to }),
    gradeCode: t.exposeString('grade_code', { nullable: true, description: 'The grade, for a GRADE rule.' }),
    certification: t.field({ type: CertificationSchemeEnum, nullable: true, description: 'The certification, for a CERTIFICATION rule.', resolve: (r) => r.certification }),
    perKg: t.field({ type: MoneyRef, nullable: true, description: 'Premium in IDR per delivered kg (or null for a percentage rule).', resolve: (r) => (r.per_kg_idr_minor === null ? null : idr(r.per_kg_idr_minor)) }),
    pricePct: t.field({ type: 'Decimal', nullable: true, description: 'Premium as % of the order\'s price per kg (or null for a per-kg rule).', resolve: (r) => r.price_pct }),
  }),
});

interface VersionView { version: repo.PremiumVersionRow }

const PremiumRuleVersionRef = builder.objectRef<VersionView>('PremiumRuleVersion').implement({
  description: 'An immutable version of a brand\'s premium rules; defining rules adds a version.',
  fields: (t) => ({
    version: t.int({ description: 'Version number, from 1.', resolve: (v) => v.version.version }),
    note: t.string({ nullable: true, description: 'Why this version was made.', resolve: (v) => v.version.note }),
    createdAt: t.field({ type: 'DateTime', description: 'When it was defined.', resolve: (v) => v.version.created_at }),
    rules: t.loadableList({
      type: PremiumRuleRef,
      description: 'The rules, in order.',
      load: async (ids: number[], ctx) => groupBy(ids, await repo.premiumRulesOfVersions(ctx.db, ids), (r) => r.version_id),
      resolve: (v) => v.version.id,
    }),
  }),
});

const CertificationRef = builder.objectRef<repo.CertificationRow>('Certification').implement({
  description: 'A certification held by a producer (all their coffee) or by one lot.',
  fields: (t) => ({
    scheme: t.field({ type: CertificationSchemeEnum, description: 'Which certification.', resolve: (c) => c.scheme }),
    reference: t.exposeString('reference', { description: 'Certificate number or reference.' }),
    validFrom: t.expose('valid_from', { type: 'Date', description: 'First day it is valid.' }),
    validUntil: t.expose('valid_until', { type: 'Date', description: 'Last day it is valid (expiry).' }),
    producerId: t.id({ nullable: true, description: 'Global ID of the certified producer, when on a producer.', resolve: (c) => (c.producer_id === null ? null : globalId('Producer', c.producer_id)) }),
    lotId: t.id({ nullable: true, description: 'Global ID of the certified lot, when on a lot.', resolve: (c) => (c.lot_id === null ? null : globalId('Lot', c.lot_id)) }),
  }),
});

const CooperativeFeeRef = builder.objectRef<repo.CooperativeFeeRow>('CooperativeFee').implement({
  description: 'A cooperative\'s service fee from a point in time on.',
  fields: (t) => ({
    cooperative: t.field({ type: CooperativeRef, description: 'The cooperative.', resolve: (f) => String(f.cooperative_id) }),
    feePct: t.field({ type: 'Decimal', description: 'Service fee in % of its members\' share.', resolve: (f) => f.fee_pct }),
    setAt: t.field({ type: 'DateTime', description: 'When it was set.', resolve: (f) => f.created_at }),
  }),
});

builder.objectFields(BrandRef, (t) => ({
  premiumRules: t.loadable({
    type: PremiumRuleVersionRef,
    nullable: true,
    description: 'The brand\'s current premium rules (latest version); null when none were defined or you are not on the supply side.',
    load: async (brandIds: number[], ctx) => {
      const latest = await repo.latestPremiumVersionsOfBrands(ctx.db, brandIds);
      return brandIds.map((id) => {
        const version = latest.find((v) => v.brand_id === id);
        return version ? { version } : null;
      });
    },
    resolve: (b, _a, ctx) => (seesSupplyPricing(ctx, b.id) ? b.id : null),
  }),
  premiumRuleVersions: t.field({
    type: [PremiumRuleVersionRef],
    description: 'Every version of the premium rules, newest first, at most 100 (brand manager and admins; empty for others).',
    resolve: async (b, _a, ctx) =>
      isAdmin(ctx.principal) || hasRole(ctx.principal, 'BRAND_MANAGER', b.id)
        ? (await listPerParent(ctx, 'Brand.premiumRuleVersions', (ids) => repo.premiumVersionsOfBrands(ctx.db, ids), (v) => v.brand_id).load(b.id))
            .map((version) => ({ version }))
        : [],
  }),
}));

builder.objectFields(CooperativeRef, (t) => ({
  serviceFeePct: t.loadable({
    type: 'Decimal',
    nullable: true,
    description: 'The cooperative\'s current service fee in % of its members\' share; null when none is set.',
    load: async (ids: number[], ctx) => {
      const rows = await repo.currentCooperativeFees(ctx.db, ids);
      return ids.map((id) => rows.find((r) => r.cooperative_id === id)?.fee_pct ?? null);
    },
    resolve: (c) => c.id,
  }),
}));

builder.objectFields(ProducerRef, (t) => ({
  certifications: t.loadableList({
    type: CertificationRef,
    description: 'Certifications held by the producer (all their coffee).',
    load: async (ids: number[], ctx) => groupBy(ids, await repo.certificationsOfProducers(ctx.db, ids), (c) => c.producer_id),
    resolve: (p) => p.id,
  }),
}));

builder.objectFields(LotRef, (t) => ({
  certifications: t.loadableList({
    type: CertificationRef,
    description: 'Certifications held by this lot (the producer\'s own certifications apply too).',
    load: async (ids: number[], ctx) => groupBy(ids, await repo.certificationsOfLots(ctx.db, ids), (c) => c.lot_id),
    resolve: (l) => l.id,
  }),
}));

// Invoices, costs, payments, rates, settlements on the order ----------------------------------------

const InvoiceRef = builder.objectRef<settlement.InvoiceView>('Invoice').implement({
  description: 'The order\'s invoice (written when it ships) or, before, a pro-forma from the allocated weight.',
  fields: (t) => ({
    proForma: t.exposeBoolean('proForma', { description: 'True before shipping: figures from the allocated weight.' }),
    number: t.exposeString('number', { nullable: true, description: 'Invoice number; null for a pro-forma.' }),
    weight: t.field({ type: 'Weight', description: 'Shipped (or, pro-forma, allocated) weight.', resolve: (i) => i.weightG }),
    pricePerKg: t.field({ type: MoneyRef, description: 'Price per kg.', resolve: (i) => ({ minor: i.priceMinorPerKg, currency: i.currency }) }),
    amount: t.field({ type: MoneyRef, description: 'Weight × price per kg, rounded half up to the currency\'s minor unit.', resolve: (i) => ({ minor: i.amountMinor, currency: i.currency }) }),
    issuedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was issued; null for a pro-forma.', resolve: (i) => i.issuedAt }),
  }),
});

const OrderCostRef = builder.objectRef<repo.CostRow>('OrderCost').implement({
  description: 'A shared cost recorded against an order.',
  fields: (t) => ({
    id: t.id({ description: 'Global ID of the cost.', resolve: (c) => globalId('OrderCost', c.id) }),
    kind: t.field({ type: CostKindEnum, description: 'What it is for.', resolve: (c) => c.kind }),
    amount: t.field({ type: MoneyRef, description: 'The amount, in its currency.', resolve: (c) => ({ minor: c.amount_minor, currency: c.currency }) }),
    reference: t.exposeString('reference', { description: 'Invoice or receipt reference.' }),
    description: t.exposeString('description', { nullable: true, description: 'What it was.' }),
    recordedAt: t.field({ type: 'DateTime', description: 'When it was recorded.', resolve: (c) => c.recorded_at }),
  }),
});

const OrderPaymentRef = builder.objectRef<repo.PaymentRow>('OrderPayment').implement({
  description: 'A payment (or part payment) received from the buyer.',
  fields: (t) => ({
    id: t.id({ description: 'Global ID of the payment.', resolve: (p) => globalId('OrderPayment', p.id) }),
    amount: t.field({ type: MoneyRef, description: 'The amount received.', resolve: (p) => ({ minor: p.amount_minor, currency: p.currency }) }),
    receivedOn: t.expose('received_on', { type: 'Date', description: 'The day it was received.' }),
    reference: t.exposeString('reference', { description: 'The bank\'s reference.' }),
  }),
});

const ExchangeRateRef = builder.objectRef<repo.RateRow>('ExchangeRate').implement({
  description: 'An exchange rate to IDR recorded for an order.',
  fields: (t) => ({
    currency: t.field({ type: CurrencyEnum, description: 'The currency converted.', resolve: (r) => r.currency as never }),
    rate: t.field({ type: 'Decimal', description: 'IDR per one unit of the currency.', resolve: (r) => r.rate }),
    source: t.exposeString('source', { description: 'Where the rate comes from (e.g. the bank, Bank Indonesia JISDOR).' }),
    rateDate: t.expose('rate_date', { type: 'Date', description: 'The date of the rate.' }),
  }),
});

const SettlementTermsRef = builder.objectRef<{ orderId: number; terms: repo.TermsRow }>('SettlementTerms').implement({
  description: 'What the order snapshotted at acceptance for its settlement.',
  fields: (t) => ({
    brandFeePct: t.field({ type: 'Decimal', description: 'Brand fee in %.', resolve: (s) => s.terms.brand_fee_pct }),
    premiumRules: t.loadable({
      type: PremiumRuleVersionRef,
      nullable: true,
      description: 'The premium rule version in force at acceptance; null when the brand had none.',
      load: async (versionIds: number[], ctx) => {
        const versions = await repo.premiumVersions(ctx.db, versionIds);
        return versionIds.map((id) => {
          const version = versions.find((v) => v.id === id);
          return version ? { version } : null;
        });
      },
      resolve: (s) => s.terms.premium_version_id,
    }),
    cooperativeFees: t.loadableList({
      type: SnapshotFeeRef,
      description: 'Every cooperative\'s service fee at acceptance.',
      load: async (orderIds: number[], ctx) => groupBy(orderIds, await repo.cooperativeFeesOfOrders(ctx.db, orderIds), (f) => f.order_id),
      resolve: (s) => s.orderId,
    }),
  }),
});

const SnapshotFeeRef = builder.objectRef<{ cooperative_id: number; fee_pct: string }>('SnapshotCooperativeFee').implement({
  description: 'A cooperative\'s fee as snapshotted (or as charged in a settlement run).',
  fields: (t) => ({
    cooperative: t.field({ type: CooperativeRef, description: 'The cooperative.', resolve: (f) => String(f.cooperative_id) }),
    feePct: t.field({ type: 'Decimal', description: 'Its service fee in %.', resolve: (f) => f.fee_pct }),
  }),
});

const CooperativeFeeChargeRef = builder.objectRef<{ cooperative_id: number; fee_pct: string; idr_minor: number }>('CooperativeFeeCharge').implement({
  description: 'What a cooperative earned in a settlement run from its members\' share.',
  fields: (t) => ({
    cooperative: t.field({ type: CooperativeRef, description: 'The cooperative.', resolve: (f) => String(f.cooperative_id) }),
    feePct: t.field({ type: 'Decimal', description: 'Its service fee in % (snapshot).', resolve: (f) => f.fee_pct }),
    amount: t.field({ type: MoneyRef, description: 'The fee in IDR.', resolve: (f) => idr(f.idr_minor) }),
  }),
});

const SettlementRef = builder.objectRef<repo.SettlementRow>('Settlement').implement({
  description: 'One settlement run of an order: the money received since the last run, split exactly in IDR.',
  fields: (t) => ({
    id: t.id({ description: 'Global ID of the run.', resolve: (s) => globalId('Settlement', s.id) }),
    runNo: t.exposeInt('run_no', { description: 'Run number, from 1.' }),
    settledOn: t.expose('settled_on', { type: 'Date', description: 'The day of the run (the statements\' fiscal date).' }),
    weight: t.field({ type: 'Weight', description: 'Delivered weight settled.', resolve: (s) => s.weight_g }),
    received: t.field({ type: MoneyRef, description: 'IDR received since the previous run.', resolve: (s) => idr(s.received_idr_minor) }),
    receivedTotal: t.field({ type: MoneyRef, description: 'IDR received in total up to this run.', resolve: (s) => idr(s.received_total_idr_minor) }),
    brandFeePct: t.field({ type: 'Decimal', description: 'Brand fee % (snapshot).', resolve: (s) => s.brand_fee_pct }),
    brandFee: t.field({ type: MoneyRef, description: 'Brand fee of this run.', resolve: (s) => idr(s.brand_fee_idr_minor) }),
    costs: t.field({ type: MoneyRef, description: 'Costs deducted in this run.', resolve: (s) => idr(s.costs_idr_minor) }),
    cooperativeFees: t.field({ type: MoneyRef, description: 'Cooperatives\' fees of this run, in total.', resolve: (s) => idr(s.coop_fees_idr_minor) }),
    cooperativeFeeCharges: t.loadableList({
      type: CooperativeFeeChargeRef,
      description: 'Each cooperative\'s fee of this run.',
      load: async (ids: number[], ctx) => groupBy(ids, await repo.cooperativeFeesOfSettlements(ctx.db, ids), (f) => f.settlement_id),
      resolve: (s) => s.id,
    }),
    payouts: t.field({ type: MoneyRef, description: 'Paid to contributors in this run. received = brandFee + costs + cooperativeFees + payouts.', resolve: (s) => idr(s.payouts_idr_minor) }),
    premiumsTotal: t.field({ type: 'Decimal', description: 'IDR premiums owed on the whole order (exact, 4 decimals shown).', resolve: (s) => rupiahText(s.premiums_total_minor) }),
    baseRatePerKg: t.field({ type: 'Decimal', description: 'IDR base rate per kg after this run (cumulative, 4 decimals shown).', resolve: (s) => rupiahText(s.base_rate_minor_per_kg) }),
    statements: t.loadableList({
      type: PayoutStatementRef,
      description: 'The payout statements of this run.',
      load: async (ids: number[], ctx) => groupBy(ids, await repo.statementsOfSettlements(ctx.db, ids), (st) => st.settlement_id),
      resolve: (s) => s.id,
    }),
  }),
});

const managerOf = (ctx: Context, o: OrderRow) => managesOrder(ctx.principal, o);

/*
 * The order's money fields are read on pages of orders (`orders(first: 50) { … invoice payments … }`):
 * each loads through a per-request loader, so a page costs one query per table, not one per order.
 * Whoever may not see a field gets null or an empty list without a query.
 */
builder.objectFields(OrderRef, (t) => ({
  invoice: t.loadable({
    type: InvoiceRef,
    nullable: true,
    description: 'The invoice once shipped, a pro-forma before (from the allocated weight); null before acceptance.',
    load: async (orderIds: number[], ctx) => {
      const orders = await OrderRef.getDataloader(ctx).loadMany(orderIds.map(String));
      const rows = orders.map((o) => {
        if (o instanceof Error) throw o;
        return o;
      });
      return settlement.invoicesOf(ctx.db, rows);
    },
    resolve: (o, _a, ctx) => (canSeeOrder(ctx.principal, o) ? o.id : null),
  }),
  payments: t.field({
    type: [OrderPaymentRef],
    description: 'Payments received from the buyer.',
    resolve: (o, _a, ctx) =>
      canSeeOrder(ctx.principal, o) ? listPerParent(ctx, 'Order.payments', (ids) => repo.paymentsOfOrders(ctx.db, ids), (p) => p.order_id).load(o.id) : [],
  }),
  costs: t.field({
    type: [OrderCostRef],
    description: 'Shared costs recorded against the order (brand manager; empty for the buyer).',
    resolve: (o, _a, ctx) =>
      managerOf(ctx, o) ? listPerParent(ctx, 'Order.costs', (ids) => repo.costsOfOrders(ctx.db, ids), (c) => c.order_id).load(o.id) : [],
  }),
  exchangeRates: t.field({
    type: [ExchangeRateRef],
    description: 'Exchange rates to IDR recorded for the order (brand manager; empty for the buyer).',
    resolve: (o, _a, ctx) =>
      managerOf(ctx, o) ? listPerParent(ctx, 'Order.exchangeRates', (ids) => repo.ratesOfOrders(ctx.db, ids), (r) => r.order_id).load(o.id) : [],
  }),
  settlementTerms: t.loadable({
    type: SettlementTermsRef,
    nullable: true,
    description: 'The acceptance snapshot used to settle (brand manager; null for the buyer or before acceptance).',
    load: async (orderIds: number[], ctx) => {
      const terms = await repo.termsOfOrders(ctx.db, orderIds);
      return orderIds.map((orderId) => {
        const found = terms.find((row) => row.order_id === orderId);
        return found ? { orderId, terms: found } : null;
      });
    },
    resolve: (o, _a, ctx) => (managerOf(ctx, o) ? o.id : null),
  }),
  settlements: t.field({
    type: [SettlementRef],
    description: 'The settlement runs (brand manager; empty for the buyer).',
    resolve: (o, _a, ctx) =>
      managerOf(ctx, o) ? listPerParent(ctx, 'Order.settlements', (ids) => repo.settlementsOfOrders(ctx.db, ids), (s) => s.order_id).load(o.id) : [],
  }),
}));

// Statements ----------------------------------------------------------------------------------------

const PayoutLineRef = builder.objectRef<repo.PayoutLineRow>('PayoutLine').implement({
  description: 'One delivered lot of a payout statement, with how its amount was found.',
  fields: (t) => ({
    position: t.int({ description: 'Line number on the statement, from 1.', resolve: (l) => l.position + 1 }),
    lotId: t.id({ description: 'Global ID of the delivered lot.', resolve: (l) => globalId('Lot', l.lot_id) }),
    allocationLineId: t.id({ description: 'Global ID of the allocation line it delivered.', resolve: (l) => globalId('AllocationLine', l.allocation_line_id) }),
    weight: t.field({ type: 'Weight', description: 'Delivered weight.', resolve: (l) => l.weight_g }),
    gradeCode: t.exposeString('grade_code', { nullable: true, description: 'Grade of the delivered lot.' }),
    certifications: t.field({ type: [CertificationSchemeEnum], description: 'Certifications that were valid on the shipping date.', resolve: (l) => l.certifications as CertificationScheme[] }),
    baseRatePerKg: t.field({ type: 'Decimal', description: 'IDR base rate per kg (cumulative after this run; 4 decimals shown).', resolve: (l) => rupiahText(l.base_rate_minor_per_kg) }),
    premiumPerKg: t.field({ type: 'Decimal', description: 'IDR premium per kg (exact, 4 decimals shown).', resolve: (l) => rupiahText(l.premium_minor_per_kg) }),
    gross: t.field({ type: 'Decimal', description: 'IDR earned in this run before deductions (exact, 4 decimals shown).', resolve: (l) => rupiahText(l.gross_minor) }),
    coopFeePct: t.field({ type: 'Decimal', description: 'The cooperative\'s service fee in % (snapshot).', resolve: (l) => l.coop_fee_pct }),
    deductions: t.field({ type: 'Decimal', description: 'IDR deducted: the cooperative\'s fee on this line (exact, 4 decimals shown).', resolve: (l) => rupiahText(l.coop_fee_minor) }),
    amount: t.field({ type: MoneyRef, description: 'What this line pays in this run, in IDR (whole sen, largest remainder).', resolve: (l) => idr(l.amount_idr_minor) }),
    explanation: t.string({ description: 'One sentence explaining the line, in Indonesian or English by Accept-Language.', resolve: (l, _a, ctx) => (ctx.language === 'id' ? l.explanation_id : l.explanation_en) }),
    explanationId: t.exposeString('explanation_id', { description: 'The explanation in Indonesian.' }),
    explanationEn: t.exposeString('explanation_en', { description: 'The explanation in English.' }),
  }),
});

export const PayoutStatementRef = builder.loadableNodeRef('PayoutStatement', {
  id: { resolve: (s: repo.StatementRow) => s.id },
  load: (ids: string[], ctx: Context) => repo.findStatements(ctx.db, ids.map(Number)),
  sort: (s) => String(s.id),
});

PayoutStatementRef.implement({
  description: 'What one contributor earns from one settlement run of an order. Seen by the producer, their cooperative manager, the brand manager and admins.',
  authScopes: (s, ctx) => statements.canSeeStatement(ctx.principal, s),
  fields: (t) => ({
    orderId: t.id({ description: 'Global ID of the order (the order itself is visible to its buyer and managers only).', resolve: (s) => globalId('Order', s.order_id) }),
    producer: t.field({ type: ProducerRef, description: 'The contributor.', resolve: (s) => String(s.producer_id) }),
    cooperative: t.field({ type: CooperativeRef, nullable: true, description: 'The producer\'s cooperative when settled.', resolve: (s) => (s.cooperative_id === null ? null : String(s.cooperative_id)) }),
    fiscalDate: t.expose('fiscal_date', { type: 'Date', description: 'The settlement run\'s date.' }),
    deliveredWeight: t.field({ type: 'Weight', description: 'Weight the producer delivered into the order.', resolve: (s) => s.delivered_g }),
    amount: t.field({ type: MoneyRef, description: 'What this statement pays, in IDR.', resolve: (s) => idr(s.amount_idr_minor) }),
    status: t.field({ type: StatementStatusEnum, description: 'PENDING or PAID.', resolve: (s) => s.status }),
    paidMethod: t.field({ type: PayoutMethodEnum, nullable: true, description: 'How it was paid.', resolve: (s) => s.paid_method }),
    paidReference: t.exposeString('paid_reference', { nullable: true, description: 'The payout\'s reference.' }),
    paidAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was paid.', resolve: (s) => s.paid_at }),
    lines: t.loadableList({
      type: PayoutLineRef,
      description: 'The delivered lots and how each was paid.',
      load: async (ids: number[], ctx) => groupBy(ids, await repo.linesOfStatements(ctx.db, ids), (l) => l.statement_id),
      resolve: (s) => s.id,
    }),
  }),
});

const StatementFilterInput = builder.inputType('PayoutStatementFilter', {
  description: 'Which payout statements to list (all you may see when empty).',
  fields: (t) => ({
    producerId: t.id({ required: false, description: 'Only this producer\'s.' }),
    cooperativeId: t.id({ required: false, description: 'Only this cooperative\'s members\'.' }),
    orderId: t.id({ required: false, description: 'Only this order\'s.' }),
    from: t.field({ type: 'Date', required: false, description: 'Fiscal date on or after.' }),
    to: t.field({ type: 'Date', required: false, description: 'Fiscal date on or before.' }),
    status: t.field({ type: StatementStatusEnum, required: false, description: 'Only PENDING or PAID.' }),
  }),
});

const CsvExportRef = builder.objectRef<{ filename: string; csv: string }>('CsvExport').implement({
  description: 'A CSV file (RFC 4180, CRLF line ends, header row, UTF-8).',
  fields: (t) => ({
    filename: t.exposeString('filename', { description: 'A file name for it.' }),
    contentType: t.string({ description: 'Always text/csv; charset=utf-8.', resolve: () => 'text/csv; charset=utf-8' }),
    csv: t.exposeString('csv', { description: 'The CSV text: one row per statement line.' }),
  }),
});

const CooperativeCsvInput = builder.inputType('CooperativeStatementsCsvInput', {
  description: 'A cooperative and a period.',
  fields: (t) => ({
    cooperativeId: t.id({ description: 'The cooperative.' }),
    from: t.field({ type: 'Date', description: 'First fiscal date.' }),
    to: t.field({ type: 'Date', description: 'Last fiscal date.' }),
  }),
});

const OrderCsvInput = builder.inputType('OrderStatementsCsvInput', {
  description: 'An order.',
  fields: (t) => ({ orderId: t.id({ description: 'The order.' }) }),
});

builder.queryFields((t) => ({
  payoutStatements: t.connection({
    type: PayoutStatementRef,
    description: 'Payout statements you may see: your own (producer), your members\' (cooperative manager), your brand\'s (brand manager). Buyers see none.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: { filter: t.arg({ type: StatementFilterInput, required: false, description: 'Narrow the list.' }) },
    resolve: (_root, args, ctx) => {
      const f = args.filter;
      const filter: repo.StatementFilter = {
        producerId: f?.producerId ? decodeId(String(f.producerId), 'Producer', 'filter.producerId') : null,
        cooperativeId: f?.cooperativeId ? decodeId(String(f.cooperativeId), 'Cooperative', 'filter.cooperativeId') : null,
        orderId: f?.orderId ? decodeId(String(f.orderId), 'Order', 'filter.orderId') : null,
        from: f?.from ?? null,
        to: f?.to ?? null,
        status: f?.status ?? null,
      };
      return resolveKeysetConnection(args, (page) => statements.listStatements(ctx.db, ctx.principal, filter, page));
    },
  }),
  cooperativeStatementsCsv: t.field({
    type: CsvExportRef,
    description: 'CSV of a cooperative\'s members\' payout statements for a period (its manager or an admin; for anyone else the cooperative is not found). Explanations follow Accept-Language.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CooperativeCsvInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const cooperativeId = decodeId(String(input.cooperativeId), 'Cooperative', 'input.cooperativeId');
      const csv = await statements.cooperativeStatementsCsv(ctx.db, ctx.principal, { cooperativeId, from: input.from, to: input.to }, ctx.language);
      return { filename: `statements-cooperative-${cooperativeId}-${input.from}-${input.to}.csv`, csv };
    },
  }),
  orderStatementsCsv: t.field({
    type: CsvExportRef,
    description: 'CSV of an order\'s payout statements (the brand manager of the order\'s brand or an admin; for anyone else the order is not found). Explanations follow Accept-Language.',
    authScopes: { authenticated: true },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: OrderCsvInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const orderId = decodeId(String(input.orderId), 'Order', 'input.orderId');
      const csv = await statements.orderStatementsCsv(ctx.db, ctx.principal, orderId, ctx.language);
      return { filename: `statements-order-${orderId}.csv`, csv };
    },
  }),
}));

// Mutations -----------------------------------------------------------------------------------------

const PremiumRuleInput = builder.inputType('PremiumRuleInput', {
  description: 'One premium rule: what it applies to and either an amount per kg or a percentage of the price.',
  fields: (t) => ({
    appliesTo: t.field({ type: PremiumAppliesToEnum, description: 'GRADE, CERTIFICATION or ALL.' }),
    gradeCode: t.string({ required: false, description: 'The grade code, for a GRADE rule (a grade of the brand\'s products).' }),
    certification: t.field({ type: CertificationSchemeEnum, required: false, description: 'The certification, for a CERTIFICATION rule.' }),
    perKg: t.field({ type: 'Decimal', required: false, description: 'IDR per delivered kg, e.g. "2000" (give this or pricePct).' }),
    pricePct: t.field({ type: 'Decimal', required: false, description: '% of the order\'s price per kg, e.g. "5" (give this or perKg); all percentages sum to at most 100.' }),
  }),
});

const DefinePremiumRulesInput = builder.inputType('DefinePremiumRulesInput', {
  description: 'A new version of a brand\'s premium rules (replaces the current version for orders accepted from now on).',
  fields: (t) => ({
    brandId: t.id({ description: 'The brand.' }),
    note: t.string({ required: false, description: 'Why (kept with the version).' }),
    rules: t.field({ type: [PremiumRuleInput], description: 'The rules (at most 50; may be empty: no premiums).' }),
  }),
});

const RecordCertificationInput = builder.inputType('RecordCertificationInput', {
  description: 'A certification on a producer or a lot (give exactly one).',
  fields: (t) => ({
    producerId: t.id({ required: false, description: 'The certified producer.' }),
    lotId: t.id({ required: false, description: 'The certified lot.' }),
    scheme: t.field({ type: CertificationSchemeEnum, description: 'Which certification.' }),
    reference: t.string({ description: 'Certificate number.' }),
    validFrom: t.field({ type: 'Date', description: 'First day valid.' }),
    validUntil: t.field({ type: 'Date', description: 'Expiry date (last day valid).' }),
  }),
});

const SetCooperativeFeeInput = builder.inputType('SetCooperativeFeeInput', {
  description: 'A cooperative\'s new service fee.',
  fields: (t) => ({
    cooperativeId: t.id({ description: 'The cooperative.' }),
    feePct: t.field({ type: 'Decimal', description: 'Fee in % of its members\' share, 0–100, at most 2 decimals.' }),
  }),
});

const RecordOrderCostInput = builder.inputType('RecordOrderCostInput', {
  description: 'A shared cost of an order.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order.' }),
    kind: t.field({ type: CostKindEnum, description: 'What it is for.' }),
    amount: t.field({ type: MoneyInput, description: 'The amount (more than 0) in its currency; converted to IDR at the order\'s latest rate when settled.' }),
    reference: t.string({ description: 'Invoice or receipt reference.' }),
    description: t.string({ required: false, description: 'What it was.' }),
  }),
});

const RecordPaymentInput = builder.inputType('RecordPaymentInput', {
  description: 'A payment (or part) received from the buyer.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order.' }),
    amount: t.field({ type: MoneyInput, description: 'The amount in the invoice\'s currency; all payments together at most the invoice.' }),
    receivedOn: t.field({ type: 'Date', description: 'The day it was received (not in the future).' }),
    reference: t.string({ description: 'The bank\'s reference; sending the same payment again returns it.' }),
  }),
});

const RecordExchangeRateInput = builder.inputType('RecordExchangeRateInput', {
  description: 'An exchange rate to IDR for an order.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order.' }),
    currency: t.field({ type: CurrencyEnum, description: 'The currency converted (not IDR).' }),
    rate: t.field({ type: 'Decimal', description: 'IDR per one unit, more than 0, at most 6 decimals, e.g. "16234.5".' }),
    source: t.string({ description: 'Where it comes from, e.g. "Bank Mandiri" or "Bank Indonesia JISDOR".' }),
    rateDate: t.field({ type: 'Date', description: 'The date of the rate.' }),
  }),
});

const SettleOrderInput = builder.inputType('SettleOrderInput', {
  description: 'Settle what a shipped order received since its last settlement run.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order (SHIPPED or COMPLETED).' }),
    idempotencyKey: t.string({ description: 'Your key for this request (8–200 characters): the same key returns the same run.' }),
  }),
});

const MarkStatementPaidInput = builder.inputType('MarkStatementPaidInput', {
  description: 'A payout that reached the producer.',
  fields: (t) => ({
    statementId: t.id({ description: 'The payout statement.' }),
    method: t.field({ type: PayoutMethodEnum, description: 'How it was paid.' }),
    reference: t.string({ required: false, description: 'The transfer\'s reference (required except for cash through the cooperative).' }),
    paidAt: t.field({ type: 'DateTime', required: false, description: 'When it was paid (default now; not in the future).' }),
  }),
});

const ord = (id: string | number) => decodeId(String(id), 'Order', 'input.orderId');

builder.mutationFields((t) => ({
  definePremiumRules: t.field({
    type: PremiumRuleVersionRef,
    description: 'Add a new version of a brand\'s premium rules (brand manager). Earlier versions never change; accepted orders keep theirs.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: txErrors },
    args: { input: t.arg({ type: DefinePremiumRulesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      version: await settlement.definePremiumRules(ctx.db, ctx.principal, {
        brandId: decodeId(String(input.brandId), 'Brand', 'input.brandId'),
        note: input.note ?? null,
        rules: input.rules.map((r) => ({
          appliesTo: r.appliesTo as 'GRADE' | 'CERTIFICATION' | 'ALL',
          gradeCode: r.gradeCode ?? null,
          certification: r.certification ?? null,
          perKg: r.perKg ?? null,
          pricePct: r.pricePct ?? null,
        })),
      }),
    }),
  }),
  recordCertification: t.field({
    type: CertificationRef,
    description: 'Record a certification on a producer or a lot (their cooperative manager, a brand manager or curator of their brand, an admin).',
    authScopes: { authenticated: true },
    errors: { types: txErrors },
    args: { input: t.arg({ type: RecordCertificationInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      settlement.recordCertification(ctx.db, ctx.principal, {
        producerId: input.producerId ? decodeId(String(input.producerId), 'Producer', 'input.producerId') : null,
        lotId: input.lotId ? decodeId(String(input.lotId), 'Lot', 'input.lotId') : null,
        scheme: input.scheme,
        reference: input.reference,
        validFrom: input.validFrom,
        validUntil: input.validUntil,
      }),
  }),
  setCooperativeFee: t.field({
    type: CooperativeFeeRef,
    description: 'Set a cooperative\'s service fee (its manager or an admin). Orders accepted earlier keep their snapshot.',
    authScopes: { admin: true, coopManager: 'any' },
    errors: { types: txErrors },
    args: { input: t.arg({ type: SetCooperativeFeeInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      settlement.setCooperativeFee(ctx.db, ctx.principal, { cooperativeId: decodeId(String(input.cooperativeId), 'Cooperative', 'input.cooperativeId'), feePct: input.feePct }),
  }),
  recordOrderCost: t.field({
    type: OrderCostRef,
    description: 'Record a shared cost against an order (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: txErrors },
    args: { input: t.arg({ type: RecordOrderCostInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      settlement.recordOrderCost(ctx.db, ctx.principal, {
        orderId: ord(input.orderId), kind: input.kind, amount: { amount: input.amount.amount, currency: input.amount.currency },
        reference: input.reference, description: input.description ?? null,
      }),
  }),
  recordPayment: t.field({
    type: OrderPaymentRef,
    description: 'Record (part of) the buyer\'s payment of a shipped order (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [SettlementNotReadyError, ConflictError, ...txErrors] },
    args: { input: t.arg({ type: RecordPaymentInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      settlement.recordPayment(ctx.db, ctx.principal, {
        orderId: ord(input.orderId), amount: { amount: input.amount.amount, currency: input.amount.currency }, receivedOn: input.receivedOn,
        reference: input.reference,
      }),
  }),
  recordExchangeRate: t.field({
    type: ExchangeRateRef,
    description: 'Record the exchange rate to IDR used to convert an order\'s payments and costs (brand manager of the order\'s brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: txErrors },
    args: { input: t.arg({ type: RecordExchangeRateInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      settlement.recordExchangeRate(ctx.db, ctx.principal, {
        orderId: ord(input.orderId), currency: input.currency, rate: input.rate, source: input.source, rateDate: input.rateDate,
      }),
  }),
  settleOrder: t.field({
    type: SettlementRef,
    description: 'Settle what a shipped order received since its last run, in one transaction (brand manager): brand fee, cooperatives\' fees, costs and each contributor\'s payout, exact to the sen. Idempotent on idempotencyKey.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [PremiumsExceedNetError, NothingToSettleError, SettlementWouldReduceError, SettlementNotReadyError, ...idempotencyErrors, ...commonErrors] },
    args: { input: t.arg({ type: SettleOrderInput, required: true }) },
    resolve: (_root, { input }, ctx) => settlement.settleOrder(ctx.db, ctx.principal, { orderId: ord(input.orderId), idempotencyKey: input.idempotencyKey }),
  }),
  markStatementPaid: t.field({
    type: PayoutStatementRef,
    description: 'Record that a payout statement was paid (brand manager of the brand, or the producer\'s cooperative manager).',
    authScopes: { authenticated: true },
    errors: { types: [InvalidTransitionError, ...txErrors] },
    args: { input: t.arg({ type: MarkStatementPaidInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      statements.markStatementPaid(ctx.db, ctx.principal, {
        statementId: decodeId(String(input.statementId), 'PayoutStatement', 'input.statementId'),
        method: input.method,
        reference: input.reference ?? null,
        paidAt: input.paidAt ?? null,
      }),
  }),
}));
