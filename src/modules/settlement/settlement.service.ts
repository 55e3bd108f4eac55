import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, issueAt, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { jakartaTodayIso } from '../../platform/dates.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import { onOrderTransition, type OrderTransitionEvent } from '../orders/hooks.js';
import { amountText, CURRENCIES, type Currency, fromMinorUnits, isCurrency, toMinorUnits } from '../orders/money.js';
import * as allocationRepo from '../allocation/allocation.repo.js';
import * as ordersRepo from '../orders/orders.repo.js';
import type { OrderRow } from '../orders/orders.repo.js';
import { IdempotencyKey, idempotent } from '../../platform/idempotency.js';
import { inTransaction, type TxOptions } from '../../platform/transaction.js';
import { accessToProducer } from '../producers/access.js';
import {
  type BasisLine, type Certification, CERTIFICATIONS, type PremiumRule, premiumFor, priceIdrPerKg, settleRun, toIdrMinor,
} from './core.js';
import { SettlementNotReadyError } from './errors.js';
import { explainLine } from './explain.js';
import { Ratio } from './ratio.js';
import * as repo from './settlement.repo.js';
import type { CostKind } from './settlement.tables.js';
import { audience, emit, globalId } from '../outbox/outbox.js';
import { ISSUES, type IssueText, nId } from '../../platform/issue-messages.js';
import { addIssue, parseInput, zm, zodIssueText } from '../../platform/validate.js';

/**
 * Settlement: the rules and records that turn a shipped order's payment into exact payouts.
 *
 * - Premium rules belong to a brand and are versioned: defining rules adds a version (the old one
 *   is never edited). Certifications (organic, Fairtrade, Rainforest Alliance, with validity dates)
 *   are recorded on producers or lots. A cooperative has a service fee (latest row counts).
 * - At acceptOrder (order-transition hook, same transaction) the order snapshots the brand fee, the
 *   brand's latest premium rule version and every cooperative's current fee. Settlement reads only
 *   the snapshot: later edits never change an accepted order.
 * - At SHIPPED (hook) the invoice is written: shipped weight × price per kg, rounded half up to the
 *   currency's minor unit. Before, `invoicesOf` shows a pro-forma from the allocated weight.
 * - The brand manager records costs, payments (partial allowed, never above the invoice) and
 *   exchange rates to IDR; settleOrder (idempotent) settles the payments received since the last
 *   run (core.ts), stores every figure and writes one payout statement per contributor.
 * - An order accepted before this module existed has no snapshot: it settles with the brand fee it
 *   stored at acceptance (orders.fee_pct), no premiums and no cooperative fees.
 * - A run's date (the statements' fiscal date) is the run's calendar date in Asia/Jakarta (UTC+07:00):
 *   a run at 2026-12-31T18:00Z belongs to 2027-01-01, so to the cooperatives' fiscal year 2027 (SHU).
 */

const requirePrincipal = (actor: Principal | null): Principal => {
  if (!actor) throw new UnauthenticatedError();
  return actor;
};

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, zm(ISSUES.dateYmd));
const text = (max: number) => z.string().trim().min(1, zm(ISSUES.notEmpty)).max(max, zm(ISSUES.maxChars({ max })));
const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(max, zm(ISSUES.maxChars({ max }))).nullish());

/** A percentage with at most 2 decimals, 0 ≤ p ≤ 100 (strictly more than 0 when `positive`). */
const percentage = (positive: boolean) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,3}(\.\d{1,2})?$/, zm({ en: 'must be a percentage with at most 2 decimals, e.g. "2.5"', id: 'harus persentase dengan paling banyak 2 angka desimal, misalnya "2.5"' }))
    .refine((p) => Ratio.parse(p).cmp(Ratio.of(100)) <= 0, zm(ISSUES.atMost({ max: 100 })))
    .refine((p) => !positive || !Ratio.parse(p).isZero(), zm(ISSUES.moreThanZero));

// Access ------------------------------------------------------------------------------------------

/** The order for a manager's settlement action: unknown or invisible → NotFound; visible but not managed → Forbidden. */
async function managedOrder(db: Kysely<DB> | Transaction<DB>, principal: Principal, orderId: number, lock: boolean): Promise<OrderRow> {
  const order = lock ? await ordersRepo.lockOrder(db as Transaction<DB>, orderId) : await ordersRepo.findOrder(db, orderId);
  if (!order || !canSeeOrder(principal, order)) throw new NotFoundError('Order', 'input.orderId');
  if (!managesOrder(principal, order)) throw new ForbiddenError('Only the brand manager of the order\'s brand records costs, payments, rates and settlements');
  return order;
}

function assertManagesBrand(principal: Principal, brandId: number): void {
  if (!isAdmin(principal) && !hasRole(principal, 'BRAND_MANAGER', brandId)) throw new ForbiddenError('Only the brand\'s manager sets its premium rules');
}

// Premium rules -----------------------------------------------------------------------------------

const RuleInput = z
  .object({
    appliesTo: z.enum(['GRADE', 'CERTIFICATION', 'ALL']),
    gradeCode: z.string().trim().min(1).max(32).nullish(),
    certification: z.enum(CERTIFICATIONS).nullish(),
    perKg: z.string().nullish(),
    pricePct: z.string().nullish(),
  })
  .superRefine((r, ctx) => {
    const requiredFor = (rule: string): IssueText => ({ en: `is required for a ${rule} rule`, id: `wajib diisi untuk aturan ${rule}` });
    const emptyFor = (rule: string): IssueText => ({ en: `must be empty for a ${rule} rule`, id: `harus kosong untuk aturan ${rule}` });
    if (r.appliesTo === 'GRADE' && !r.gradeCode) addIssue(ctx, ['gradeCode'], requiredFor('GRADE'));
    if (r.appliesTo !== 'GRADE' && r.gradeCode) addIssue(ctx, ['gradeCode'], emptyFor(r.appliesTo));
    if (r.appliesTo === 'CERTIFICATION' && !r.certification) addIssue(ctx, ['certification'], requiredFor('CERTIFICATION'));
    if (r.appliesTo !== 'CERTIFICATION' && r.certification) addIssue(ctx, ['certification'], emptyFor(r.appliesTo));
    if ((r.perKg == null) === (r.pricePct == null)) {
      addIssue(ctx, ['perKg'], {
        en: 'give exactly one of perKg (IDR per kg) or pricePct (% of the price)',
        id: 'isi salah satu saja: perKg (rupiah per kg) atau pricePct (% dari harga)',
      });
    }
    if (r.perKg != null) {
      try {
        if (toMinorUnits(r.perKg, 'IDR') === 0) addIssue(ctx, ['perKg'], ISSUES.moreThanZero);
      } catch (e) {
        addIssue(ctx, ['perKg'], amountText(e));
      }
    }
    if (r.pricePct != null) {
      const check = percentage(true).safeParse(r.pricePct);
      if (!check.success) addIssue(ctx, ['pricePct'], zodIssueText(check.error.issues[0]!));
    }
  });

const DefineRulesInput = z
  .object({
    brandId: z.number().int(),
    note: optionalText(500),
    rules: z.array(RuleInput).max(50, zm(ISSUES.atMostItems({ max: 50, what: { en: 'rules', id: 'aturan' } }))),
  })
  .superRefine((v, ctx) => {
    const pct = v.rules.reduce((a, r) => (r.pricePct && /^\d{1,3}(\.\d{1,2})?$/.test(r.pricePct.trim()) ? a.add(Ratio.parse(r.pricePct.trim())) : a), Ratio.ZERO);
    if (pct.cmp(Ratio.of(100)) > 0) {
      addIssue(ctx, ['rules'], {
        en: `the percentages of the price sum to ${pct.toFixed(2)} %, above 100 %`,
        id: `jumlah persentase dari harga ${nId(pct.toFixed(2))} %, lebih dari 100 %`,
      });
    }
  });

export type DefineRulesInput = z.input<typeof DefineRulesInput>;

/** Add a new version of a brand's premium rules (brand manager). Earlier versions stay as they were. */
export async function definePremiumRules(db: Kysely<DB>, actor: Principal | null, input: DefineRulesInput) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(DefineRulesInput, input);
  return inTransaction(db, async (trx) => {
    const brand = await repo.lockBrand(trx, parsed.brandId);
    if (!brand) throw new NotFoundError('Brand', 'input.brandId');
    assertManagesBrand(principal, brand.id);
    const codes = new Set(
      (await trx
        .selectFrom('grades')
        .innerJoin('grade_schemes', 'grade_schemes.id', 'grades.scheme_id')
        .innerJoin('products', 'products.id', 'grade_schemes.product_id')
        .select('grades.code')
        .where('products.brand_id', '=', brand.id)
        .execute()).map((g) => g.code),
    );
    const issues = parsed.rules.flatMap((r, i) =>
      r.appliesTo === 'GRADE' && r.gradeCode && !codes.has(r.gradeCode)
        ? [issueAt(`input.rules.${i}.gradeCode`, {
            en: `is not a grade of the brand's products (${[...codes].sort().join(', ') || 'none'})`,
            id: `bukan mutu produk merek ini (${[...codes].sort().join(', ') || 'belum ada'})`,
          })]
        : [],
    );
    if (issues.length > 0) throw new ValidationError(issues);
    const version = await repo.insertPremiumVersion(
      trx,
      { brandId: brand.id, note: parsed.note ?? null, createdBy: principal.userId },
      parsed.rules.map((r) => ({
        applies_to: r.appliesTo,
        grade_code: r.appliesTo === 'GRADE' ? r.gradeCode! : null,
        certification: r.appliesTo === 'CERTIFICATION' ? r.certification! : null,
        per_kg_idr_minor: r.perKg != null ? toMinorUnits(r.perKg, 'IDR') : null,
        price_pct: r.pricePct != null ? r.pricePct.trim() : null,
      })),
    );
    return version;
  });
}

export const toPremiumRule = (r: repo.SettlementContext['rules'][number]): PremiumRule => ({
  appliesTo: r.applies_to,
  gradeCode: r.grade_code,
  certification: r.certification,
  perKgIdrMinor: r.per_kg_idr_minor,
  pricePct: r.price_pct,
});

// Certifications ----------------------------------------------------------------------------------

const CertificationInput = z
  .object({
    producerId: z.number().int().nullish(),
    lotId: z.number().int().nullish(),
    scheme: z.enum(CERTIFICATIONS),
    reference: text(200),
    validFrom: isoDate,
    validUntil: isoDate,
  })
  .superRefine((v, ctx) => {
    if ((v.producerId == null) === (v.lotId == null)) {
      addIssue(ctx, ['producerId'], { en: 'give exactly one of producerId or lotId', id: 'isi salah satu saja: producerId atau lotId' });
    }
    if (v.validUntil < v.validFrom) addIssue(ctx, ['validUntil'], ISSUES.onOrAfter({ field: 'validFrom', value: v.validFrom }));
  });

/**
 * Record a certification on a producer or a lot: the producer's cooperative manager, a brand
 * manager or curator of a brand the producer is a member of, or an admin. (The producer themself
 * does not certify their own coffee: a certificate earns premiums.) Unknown or invisible → NotFound.
 */
export async function recordCertification(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof CertificationInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(CertificationInput, input);
  return inTransaction(db, async (trx) => {
    let producerId: number;
    if (parsed.lotId != null) {
      const lot = await repo.findLot(trx, parsed.lotId);
      if (!lot) throw new NotFoundError('Lot', 'input.lotId');
      producerId = lot.producer_id;
    } else {
      producerId = parsed.producerId!;
    }
    const path = parsed.lotId != null ? 'input.lotId' : 'input.producerId';
    const access = await accessToProducer(trx, principal, producerId);
    if (!access.view) throw new NotFoundError(parsed.lotId != null ? 'Lot' : 'Producer', path);
    const producer = await repo.findProducer(trx, producerId);
    const certifier =
      isAdmin(principal) ||
      (producer?.cooperative_id != null && hasRole(principal, 'COOP_MANAGER', producer.cooperative_id)) ||
      hasRole(principal, 'BRAND_MANAGER') ||
      hasRole(principal, 'CURATOR');
    if (!certifier) throw new ForbiddenError('Only the cooperative manager, a brand manager, a curator or an admin records certifications');
    return repo.insertCertification(trx, {
      producerId: parsed.lotId != null ? null : producerId,
      lotId: parsed.lotId ?? null,
      scheme: parsed.scheme,
      reference: parsed.reference,
      validFrom: parsed.validFrom,
      validUntil: parsed.validUntil,
      recordedBy: principal.userId,
    });
  });
}

// Cooperative fee ---------------------------------------------------------------------------------

const CoopFeeInput = z.object({ cooperativeId: z.number().int(), feePct: percentage(false) });

/** Set a cooperative's service fee (its manager or an admin). Accepted orders keep their snapshot. */
export async function setCooperativeFee(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof CoopFeeInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(CoopFeeInput, input);
  return inTransaction(db, async (trx) => {
    const coop = await repo.findCooperative(trx, parsed.cooperativeId);
    if (!coop) throw new NotFoundError('Cooperative', 'input.cooperativeId');
    if (!isAdmin(principal) && !hasRole(principal, 'COOP_MANAGER', coop.id)) {
      throw new ForbiddenError('Only the cooperative\'s manager sets its service fee');
    }
    return repo.insertCooperativeFee(trx, coop.id, parsed.feePct, principal.userId);
  });
}

// Hooks: snapshot at acceptance, invoice at shipping ------------------------------------------------

/** Invoice amount: shipped grams × price per kg (minor units), rounded half up to the minor unit. */
export function invoiceAmount(shippedG: number, priceMinorPerKg: number): number {
  const exact = Ratio.of(shippedG).mul(priceMinorPerKg).div(1000);
  return Number(exact.add(Ratio.of(1n, 2n)).floor());
}

export async function handleOrderTransition(trx: Transaction<DB>, event: OrderTransitionEvent): Promise<void> {
  const { order } = event;
  if (event.to === 'ACCEPTED') {
    await repo.snapshotTerms(trx, order.id, order.brand_id);
  }
  if (event.to === 'SHIPPED') {
    const shippedG = (await repo.deliveredLines(trx, order.id)).reduce((a, l) => a + l.weight_g, 0);
    if (shippedG > 0 && !(await repo.findInvoice(trx, order.id))) {
      await repo.insertInvoice(trx, {
        order_id: order.id,
        number: `INV-${String(order.id).padStart(6, '0')}`,
        shipped_g: shippedG,
        price_minor_per_kg: order.price_minor_per_kg,
        currency: order.currency,
        amount_minor: invoiceAmount(shippedG, order.price_minor_per_kg),
        issued_by: event.actor.userId,
      });
    }
  }
}

let installed = false;
/** Register the order-transition hook once (src/composition.ts installs it). */
export function installSettlementHandlers(): void {
  if (installed) return;
  installed = true;
  onOrderTransition(handleOrderTransition);
}

// Invoice (or pro-forma) --------------------------------------------------------------------------

export interface InvoiceView {
  proForma: boolean;
  number: string | null;
  weightG: number;
  priceMinorPerKg: number;
  currency: string;
  amountMinor: number;
  issuedAt: Date | null;
}

/** The number of the order's invoice, once it shipped (for the EPCIS shipping event's `inv` transaction); null before. */
export const invoiceNumberOf = async (db: Kysely<DB>, orderId: number): Promise<string | null> => (await repo.findInvoice(db, orderId))?.number ?? null;

const PRO_FORMA_STATUSES = new Set(['ACCEPTED', 'IN_FULFILLMENT']);

/**
 * Each order's invoice once shipped; before, a pro-forma from the allocated weight; null when
 * nothing is allocated. Batched: one query for the invoices and one for the allocated weights of
 * the orders that need a pro-forma, however many orders.
 */
export async function invoicesOf(db: Kysely<DB>, orders: readonly OrderRow[]): Promise<Array<InvoiceView | null>> {
  const invoices = new Map((await repo.invoicesOfOrders(db, orders.map((o) => o.id))).map((i) => [i.order_id, i]));
  const proForma = orders.filter((o) => !invoices.has(o.id) && PRO_FORMA_STATUSES.has(o.status));
  const allocated = new Map((await allocationRepo.allocatedOfOrders(db, proForma.map((o) => o.id))).map((r) => [r.order_id, r.g]));
  return orders.map((order) => {
    const invoice = invoices.get(order.id);
    if (invoice) {
      return {
        proForma: false, number: invoice.number, weightG: invoice.shipped_g, priceMinorPerKg: invoice.price_minor_per_kg,
        currency: invoice.currency, amountMinor: invoice.amount_minor, issuedAt: invoice.issued_at,
      };
    }
    const weightG = allocated.get(order.id) ?? 0;
    if (!PRO_FORMA_STATUSES.has(order.status) || weightG === 0) return null;
    return {
      proForma: true, number: null, weightG, priceMinorPerKg: order.price_minor_per_kg, currency: order.currency,
      amountMinor: invoiceAmount(weightG, order.price_minor_per_kg), issuedAt: null,
    };
  });
}

// Costs, payments, rates --------------------------------------------------------------------------

const COST_KINDS = ['FREIGHT', 'HANDLING', 'CERTIFICATES', 'OTHER'] as const satisfies readonly CostKind[];
const money = z.object({ amount: z.string(), currency: z.string() });

function positiveMoney(m: { amount: string; currency: string }, path: string): { minor: number; currency: Currency } {
  if (!isCurrency(m.currency)) throw ValidationError.field(`${path}.currency`, ISSUES.notACurrency({ currencies: CURRENCIES }));
  let minor: number;
  try {
    minor = toMinorUnits(m.amount, m.currency);
  } catch (e) {
    throw ValidationError.field(`${path}.amount`, amountText(e));
  }
  if (minor === 0) throw ValidationError.field(`${path}.amount`, ISSUES.moreThanZero);
  return { minor, currency: m.currency };
}

const CostInput = z.object({
  orderId: z.number().int(),
  kind: z.enum(COST_KINDS),
  amount: money,
  reference: text(200),
  description: optionalText(1000),
});

const COSTS_ALLOWED = new Set(['ACCEPTED', 'IN_FULFILLMENT', 'SHIPPED', 'COMPLETED']);

/** Record a cost against an order (brand manager): freight, handling, certificates… with a reference. */
export async function recordOrderCost(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof CostInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(CostInput, input);
  const amount = positiveMoney(parsed.amount, 'input.amount');
  return inTransaction(db, async (trx) => {
    const order = await managedOrder(trx, principal, parsed.orderId, true);
    if (!COSTS_ALLOWED.has(order.status)) {
      throw ValidationError.field('input.orderId', {
        en: `costs are recorded on accepted orders (this one is ${order.status})`,
        id: `biaya hanya dicatat pada pesanan yang sudah diterima (status pesanan ini ${order.status})`,
      });
    }
    return repo.insertCost(trx, {
      orderId: order.id, kind: parsed.kind, amountMinor: amount.minor, currency: amount.currency, reference: parsed.reference,
      description: parsed.description ?? null, recordedBy: principal.userId,
    });
  });
}

const PaymentInput = z.object({ orderId: z.number().int(), amount: money, receivedOn: isoDate, reference: text(200) });

/**
 * Record (part of) the buyer's payment (brand manager), in the invoice's currency; the payments
 * never add up to more than the invoice. The reference identifies a payment: sending the same one
 * again returns it (nothing written); the same reference with other figures is a ConflictError.
 */
export async function recordPayment(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof PaymentInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(PaymentInput, input);
  const amount = positiveMoney(parsed.amount, 'input.amount');
  if (parsed.receivedOn > jakartaTodayIso()) throw ValidationError.field('input.receivedOn', ISSUES.notInFutureToday({ today: jakartaTodayIso() }));
  return inTransaction(db, async (trx) => {
    const order = await managedOrder(trx, principal, parsed.orderId, true);
    const invoice = await repo.findInvoice(trx, order.id);
    if (!invoice) throw new SettlementNotReadyError(`The order is ${order.status}: payments are recorded against the invoice, written when it ships`, 'input.orderId');
    if (amount.currency !== invoice.currency) {
      throw ValidationError.field('input.amount.currency', {
        en: `must be the invoice's currency ${invoice.currency}`,
        id: `harus sama dengan mata uang faktur, ${invoice.currency}`,
      });
    }
    const payments = await repo.paymentsOfOrder(trx, order.id);
    const same = payments.find((p) => p.reference === parsed.reference);
    if (same) {
      if (same.amount_minor === amount.minor && same.currency === amount.currency && same.received_on === parsed.receivedOn) return same;
      throw new ConflictError(`A payment with reference ${parsed.reference} is already recorded with other figures`, 'input.reference');
    }
    const paid = payments.reduce((a, p) => a + p.amount_minor, 0);
    if (paid + amount.minor > invoice.amount_minor) {
      const outstanding = fromMinorUnits(invoice.amount_minor - paid, invoice.currency);
      throw ValidationError.field('input.amount.amount', {
        en: `would exceed the invoice: ${outstanding} ${invoice.currency} is outstanding`,
        id: `melebihi faktur: sisa tagihan ${invoice.currency} ${nId(outstanding)}`,
      });
    }
    const row = await repo.insertPayment(trx, {
      orderId: order.id, amountMinor: amount.minor, currency: amount.currency, receivedOn: parsed.receivedOn,
      reference: parsed.reference, recordedBy: principal.userId,
    });
    if (!row) throw new ConflictError(`A payment with reference ${parsed.reference} was recorded concurrently`, 'input.reference');
    return row;
  });
}

const RateInput = z.object({
  orderId: z.number().int(),
  currency: z.string(),
  rate: z.string(),
  source: text(200),
  rateDate: isoDate,
});

/** Record an exchange rate to IDR for an order (brand manager): IDR per one unit of the currency. */
export async function recordExchangeRate(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof RateInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(RateInput, input);
  if (!isCurrency(parsed.currency)) throw ValidationError.field('input.currency', ISSUES.notACurrency({ currencies: CURRENCIES }));
  if (parsed.currency === 'IDR') throw ValidationError.field('input.currency', { en: 'IDR needs no exchange rate to IDR', id: 'IDR tidak memerlukan kurs ke IDR' });
  const rate = parsed.rate.trim();
  if (!/^\d{1,14}(\.\d{1,6})?$/.test(rate)) {
    throw ValidationError.field('input.rate', { en: 'must be a decimal with at most 6 decimals, e.g. "16234.5"', id: 'harus angka desimal dengan paling banyak 6 angka di belakang titik, misalnya "16234.5"' });
  }
  if (Ratio.parse(rate).isZero()) throw ValidationError.field('input.rate', ISSUES.moreThanZero);
  if (parsed.rateDate > jakartaTodayIso()) throw ValidationError.field('input.rateDate', ISSUES.notInFutureToday({ today: jakartaTodayIso() }));
  return inTransaction(db, async (trx) => {
    const order = await managedOrder(trx, principal, parsed.orderId, true);
    return repo.insertRate(trx, {
      orderId: order.id, currency: parsed.currency, rate, source: parsed.source, rateDate: parsed.rateDate, recordedBy: principal.userId,
    });
  });
}

// Settling ------------------------------------------------------------------------------------------

const SettleInput = z.object({ orderId: z.number().int(), idempotencyKey: IdempotencyKey });

const pad = (n: number) => String(n).padStart(12, '0');
const lineKey = (lineId: number, fulfilmentId: number | null) => `${pad(lineId)}:${pad(fulfilmentId ?? 0)}`;
const SETTLEABLE = new Set(['SHIPPED', 'COMPLETED']);

interface Basis {
  lines: Array<BasisLine & {
    allocationLineId: number; fulfilmentId: number | null; lotId: number; gradeCode: string | null;
    certifications: Certification[]; premiumLabels: string[]; coversLineId: number | null;
  }>;
}

function rateFinder(rates: repo.SettlementContext['rates']) {
  return (currency: string, what: string): { rate: Ratio; text: string; id: number | null } => {
    if (currency === 'IDR') return { rate: Ratio.of(1), text: '1', id: null };
    const latest = rates.filter((r) => r.currency === currency).at(-1);
    if (!latest) throw new SettlementNotReadyError(`Record the ${currency} → IDR exchange rate first (needed for ${what})`, 'input.orderId');
    return { rate: Ratio.parse(latest.rate), text: latest.rate, id: latest.id };
  };
}

const premiumLabel = (r: PremiumRule) =>
  `${r.appliesTo === 'GRADE' ? `grade ${r.gradeCode}` : r.appliesTo === 'CERTIFICATION' ? r.certification : 'all coffee'}` +
  `${r.pricePct !== null ? ` ${r.pricePct} %` : ''}`;

/** The delivered lines with their premium rate and cooperative fee, from the snapshot (first run). */
async function firstBasis(
  trx: Transaction<DB>, order: OrderRow, context: repo.SettlementContext, shipDate: string, rateOf: ReturnType<typeof rateFinder>,
): Promise<Basis> {
  const delivered = await repo.deliveredLines(trx, order.id);
  if (delivered.length === 0) throw new SettlementNotReadyError('The order delivered nothing: there is nothing to settle', 'input.orderId');
  const rules = context.rules.map(toPremiumRule);
  const coopFees = new Map(context.coopFees.map((c) => [c.cooperative_id, c.fee_pct]));
  const priceIdr = rules.some((r) => r.pricePct !== null)
    ? priceIdrPerKg(order.price_minor_per_kg, order.currency as Currency, rateOf(order.currency, 'the percentage premiums').rate)
    : Ratio.ZERO;
  const producerIds = [...new Set(delivered.map((d) => d.producer_id))];
  const lotIds = [...new Set(delivered.map((d) => d.lot_id))];
  const valid = (c: repo.CertificationRow) => c.valid_from <= shipDate && shipDate <= c.valid_until;
  const ofProducer = new Map<number, Certification[]>();
  const ofLot = new Map<number, Certification[]>();
  for (const c of await repo.certificationsOfProducersOrLots(trx, producerIds, lotIds)) {
    if (!valid(c)) continue;
    const [map, id] = c.producer_id !== null ? [ofProducer, c.producer_id] : [ofLot, c.lot_id!];
    map.set(id, [...(map.get(id) ?? []), c.scheme]);
  }
  return {
    lines: delivered.map((d) => {
      const certs = [...new Set([...(ofProducer.get(d.producer_id) ?? []), ...(ofLot.get(d.lot_id) ?? [])])].sort() as Certification[];
      const premium = premiumFor(rules, { gradeCode: d.grade_code, certifications: certs }, priceIdr);
      if (!premium.perKg.fitsDecimals(10)) throw new Error(`premium ${premium.perKg} does not fit numeric(30,10)`);
      return {
        key: lineKey(d.line_id, d.fulfilment_id),
        producerId: d.producer_id,
        cooperativeId: d.cooperative_id,
        weightG: d.weight_g,
        premiumPerKg: premium.perKg,
        coopFeePct: d.cooperative_id !== null ? (coopFees.get(d.cooperative_id) ?? '0') : '0',
        allocationLineId: d.line_id,
        fulfilmentId: d.fulfilment_id,
        lotId: d.lot_id,
        gradeCode: d.grade_code,
        certifications: certs,
        premiumLabels: premium.applied.map((a) => premiumLabel(a.rule)),
        coversLineId: d.replaces_line_id,
      };
    }),
  };
}

/** Later runs reuse the first run's lines exactly (weights, premiums, fees): nothing is re-derived from today's data. */
async function storedBasis(trx: Transaction<DB>, firstRunId: number): Promise<Basis> {
  const lines = await repo.linesOfSettlement(trx, firstRunId);
  return {
    lines: lines.map((l) => {
      return {
        key: lineKey(l.allocation_line_id, l.fulfilment_id),
        producerId: l.producer_id,
        cooperativeId: l.cooperative_id,
        weightG: l.weight_g,
        premiumPerKg: Ratio.parse(l.premium_minor_per_kg),
        coopFeePct: l.coop_fee_pct,
        allocationLineId: l.allocation_line_id,
        fulfilmentId: l.fulfilment_id,
        lotId: l.lot_id,
        gradeCode: l.grade_code,
        certifications: l.certifications as Certification[],
        premiumLabels: [],
        coversLineId: null,
      };
    }).sort((a, b) => (a.key < b.key ? -1 : 1)),
  };
}

/**
 * Settle what the order received since its last settlement run (brand manager; idempotent on the
 * key). One transaction: the order row is locked, so two runs of one order never interleave.
 */
export async function settleOrder(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof SettleInput>, options: TxOptions = {}) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(SettleInput, input);
  return idempotent(
    db,
    {
      userId: principal.userId,
      operation: 'settleOrder',
      key: parsed.idempotencyKey,
      request: { orderId: parsed.orderId },
      work: async (trx) => {
        const settlement = await settleInTransaction(trx, principal, parsed.orderId);
        return { result: settlement, response: { settlementId: settlement.id } };
      },
      replay: async ({ settlementId }: { settlementId: number }) => {
        const row = await repo.findSettlement(db, settlementId);
        if (!row) throw new NotFoundError('Settlement', 'input.orderId');
        return row;
      },
    },
    options,
  );
}

export async function settleInTransaction(trx: Transaction<DB>, principal: Principal, orderId: number): Promise<repo.SettlementRow> {
  const order = await managedOrder(trx, principal, orderId, true);
  if (!SETTLEABLE.has(order.status)) {
    throw new SettlementNotReadyError(`The order is ${order.status}: an order is settled once it has shipped`, 'input.orderId');
  }
  const context = await repo.settlementContext(trx, order.id);
  const { invoice, runs: previousRuns, payments, costs, terms } = context;
  if (!invoice) throw new SettlementNotReadyError('The order has no invoice: nothing shipped', 'input.orderId');
  const rateOf = rateFinder(context.rates);
  const last = previousRuns.at(-1) ?? null;
  // Certifications count when valid on the shipping day, in Jakarta like every date of the platform.
  const shipDate = jakartaTodayIso(invoice.issuedAt);
  const basis = last ? await storedBasis(trx, previousRuns[0]!.id) : await firstBasis(trx, order, context, shipDate, rateOf);

  const convertedPayments = payments.map((p) => {
    const r = rateOf(p.currency, `payment ${p.reference}`);
    return { paymentId: p.id, rate: r.text, rateId: r.id, idrMinor: toIdrMinor(p.amount_minor, p.currency as Currency, r.rate) };
  });
  const convertedCosts = costs.map((c) => {
    const r = rateOf(c.currency, `cost ${c.reference}`);
    return { costId: c.id, rate: r.text, rateId: r.id, idrMinor: toIdrMinor(c.amount_minor, c.currency as Currency, r.rate) };
  });
  const brandFeePct = terms?.brand_fee_pct ?? order.fee_pct ?? '0';
  const receivedTotal = BigInt(last?.received_total_idr_minor ?? 0) + convertedPayments.reduce((a, p) => a + p.idrMinor, 0n);
  const run = settleRun({
    lines: basis.lines,
    brandFeePct,
    receivedTotal,
    previous: last ? { receivedTotal: BigInt(last.received_total_idr_minor), costsTotal: BigInt(last.costs_total_idr_minor) } : null,
    newCosts: convertedCosts.map((c) => ({ key: pad(c.costId), idrMinor: c.idrMinor })),
  });

  const runNo = (last?.run_no ?? 0) + 1;
  const settledOn = jakartaTodayIso();
  const n = (v: bigint) => Number(v);
  const facts = new Map(basis.lines.map((l) => [l.key, l]));
  const settlement = await repo.insertRun(trx, {
    settlement: {
      order_id: order.id,
      run_no: runNo,
      settled_on: settledOn,
      settled_by: principal.userId,
      weight_g: run.weightG,
      received_idr_minor: n(run.received),
      received_total_idr_minor: n(run.receivedTotal),
      costs_idr_minor: n(run.costs),
      costs_total_idr_minor: n(run.costsTotal),
      brand_fee_pct: brandFeePct,
      brand_fee_idr_minor: n(run.brandFee),
      coop_fees_idr_minor: n(run.cooperativeFees.reduce((a, c) => a + c.amount, 0n)),
      payouts_idr_minor: n(run.payouts),
      premiums_total_minor: run.premiumsTotal.toFixed(10),
      net_total_minor: run.netTotal.toFixed(10),
      base_rate_minor_per_kg: run.baseRatePerKg.toFixed(10),
    },
    brandId: order.brand_id,
    payments: convertedPayments.map((p) => ({ ...p, idrMinor: n(p.idrMinor) })),
    costs: convertedCosts.map((c) => ({ ...c, idrMinor: n(c.idrMinor) })),
    coopFees: run.cooperativeFees.map((c) => ({ cooperativeId: c.cooperativeId, feePct: c.feePct, idrMinor: n(c.amount) })),
    statements: run.statements.map((st) => ({
      producerId: st.producerId, cooperativeId: st.cooperativeId, deliveredG: st.deliveredG, amountIdrMinor: n(st.amount),
    })),
    lines: run.statements.flatMap((st) =>
      st.lines.map((l, position) => {
        const f = facts.get(l.key)!;
        const explanation = explainLine({
          weightG: l.weightG, gradeCode: f.gradeCode, lotId: f.lotId, premiumLabels: f.premiumLabels, premiumPerKg: l.premiumPerKg,
          baseRatePerKg: run.baseRatePerKg, coopFeePct: l.coopFeePct, coopFee: l.coopFee, amount: Ratio.of(l.amount), runNo,
          coversLineId: f.coversLineId,
        });
        return {
          producerId: st.producerId,
          position,
          allocation_line_id: f.allocationLineId,
          fulfilment_id: f.fulfilmentId,
          lot_id: f.lotId,
          weight_g: l.weightG,
          grade_code: f.gradeCode,
          certifications: f.certifications,
          premium_minor_per_kg: l.premiumPerKg.toFixed(10),
          coop_fee_pct: l.coopFeePct,
          gross_minor: l.gross.toFixed(10),
          coop_fee_minor: l.coopFee.toFixed(10),
          amount_idr_minor: n(l.amount),
          explanation_id: explanation.id,
          explanation_en: explanation.en,
        };
      }),
    ),
  });
  await emit(trx, {
    type: 'settlement.settled',
    subject: { type: 'Order', id: order.id },
    audience: [audience.brand(order.brand_id), ...run.statements.map((st) => audience.coop(st.cooperativeId))],
    data: {
      order: { id: globalId('Order', order.id) },
      settlement: {
        runNo, settledOn, receivedIdr: fromMinorUnits(n(run.received), 'IDR'), payoutsIdr: fromMinorUnits(n(run.payouts), 'IDR'),
        statementCount: run.statements.length,
      },
    },
  });
  return settlement;
}

