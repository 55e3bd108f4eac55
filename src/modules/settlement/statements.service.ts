import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, orgIdsWithRole, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, InvalidTransitionError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import type { Language } from '../../platform/language.js';
import { addIssue, parseInput, zm } from '../../platform/validate.js';
import { gramsToKg } from '../../platform/weight.js';
import { fromMinorUnits } from '../orders/money.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import * as ordersRepo from '../orders/orders.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { Ratio } from './ratio.js';
import { audience, emit, globalId } from '../outbox/outbox.js';
import * as repo from './settlement.repo.js';
import type { PaymentMethod } from './settlement.tables.js';
import { ISSUES, nId } from '../../platform/issue-messages.js';

/**
 * Payout statements: who sees them, who marks them paid, and the CSV exports.
 *
 * Visibility (a statement someone may not see is reported exactly like one that does not exist):
 * - the producer themself (PRODUCER grant on the statement's producer);
 * - the manager of the cooperative the producer belonged to when the run settled;
 * - the brand manager of the order's brand; admins;
 * - buyers, curators and everyone else: none.
 * PENDING → PAID: the brand manager of the order's brand or the statement's cooperative manager
 * (or an admin), with the method, a reference, when and who.
 */

const requirePrincipal = (actor: Principal | null): Principal => {
  if (!actor) throw new UnauthenticatedError();
  return actor;
};

export function statementScope(principal: Principal | null): repo.StatementScope {
  if (isAdmin(principal)) return { all: true };
  return {
    all: false,
    producerIds: orgIdsWithRole(principal, 'PRODUCER'),
    cooperativeIds: orgIdsWithRole(principal, 'COOP_MANAGER'),
    brandIds: orgIdsWithRole(principal, 'BRAND_MANAGER'),
  };
}

export function canSeeStatement(principal: Principal | null, st: Pick<repo.StatementRow, 'producer_id' | 'cooperative_id' | 'brand_id'>): boolean {
  return (
    isAdmin(principal) ||
    hasRole(principal, 'PRODUCER', st.producer_id) ||
    (st.cooperative_id !== null && hasRole(principal, 'COOP_MANAGER', st.cooperative_id)) ||
    hasRole(principal, 'BRAND_MANAGER', st.brand_id)
  );
}

const canMarkPaid = (principal: Principal, st: repo.StatementRow) =>
  isAdmin(principal) || hasRole(principal, 'BRAND_MANAGER', st.brand_id) || (st.cooperative_id !== null && hasRole(principal, 'COOP_MANAGER', st.cooperative_id));

export function listStatements(db: Kysely<DB>, actor: Principal | null, filter: repo.StatementFilter, page: KeysetPage) {
  return repo.listStatements(db, statementScope(requirePrincipal(actor)), filter, page);
}

const METHODS = ['BANK_TRANSFER', 'E_WALLET', 'CASH_VIA_COOPERATIVE'] as const satisfies readonly PaymentMethod[];

const MarkPaidInput = z
  .object({
    statementId: z.number().int(),
    method: z.enum(METHODS),
    reference: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
      z.string().trim().max(200, zm(ISSUES.maxChars({ max: 200 }))).nullish(),
    ),
    paidAt: z.date().nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.method !== 'CASH_VIA_COOPERATIVE' && !v.reference) {
      addIssue(ctx, ['reference'], { en: `is required for ${v.method} (the transfer's reference)`, id: `wajib diisi untuk ${v.method} (nomor referensi transfer)` });
    }
    if (v.paidAt && v.paidAt.getTime() > Date.now() + 60_000) addIssue(ctx, ['paidAt'], ISSUES.notInFuture);
  });

/** Record that a statement was paid out (PENDING → PAID). */
export async function markStatementPaid(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof MarkPaidInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(MarkPaidInput, input);
  return inTransaction(db, async (trx) => {
    const st = await repo.lockStatement(trx, parsed.statementId);
    if (!st || !canSeeStatement(principal, st)) throw new NotFoundError('PayoutStatement', 'input.statementId');
    if (!canMarkPaid(principal, st)) throw new ForbiddenError('Only the brand manager or the producer\'s cooperative manager records a payout');
    if (st.status === 'PAID') throw new InvalidTransitionError('PayoutStatement', 'PAID', 'PAID', 'This statement is already paid');
    const paid = await repo.markPaid(trx, st.id, { method: parsed.method, reference: parsed.reference ?? null, paidAt: parsed.paidAt ?? new Date(), paidBy: principal.userId });
    await emit(trx, {
      type: 'payout.paid',
      subject: { type: 'PayoutStatement', id: paid.id },
      audience: [audience.brand(paid.brand_id), audience.producer(paid.producer_id), audience.coop(paid.cooperative_id)],
      data: {
        statement: {
          id: globalId('PayoutStatement', paid.id), order: globalId('Order', paid.order_id), producer: globalId('Producer', paid.producer_id),
          amountIdr: fromMinorUnits(paid.amount_idr_minor, 'IDR'), method: paid.paid_method, reference: paid.paid_reference,
          paidAt: paid.paid_at instanceof Date ? paid.paid_at.toISOString() : paid.paid_at,
        },
      },
    });
    return paid;
  });
}

// CSV ----------------------------------------------------------------------------------------------

const COLUMNS = [
  'statement_id', 'order_id', 'settlement_run', 'fiscal_date', 'producer_id', 'producer', 'cooperative', 'line', 'lot_id', 'grade',
  'certifications', 'weight_kg', 'base_rate_idr_per_kg', 'premium_idr_per_kg', 'coop_fee_pct', 'coop_fee_idr', 'amount_idr', 'status',
  'paid_method', 'paid_reference', 'explanation',
];

/** A leading = + - @ (or tab/CR) is neutralised so that spreadsheets never run a name as a formula. */
const safeText = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

const rp = (senText: string) => Ratio.parse(senText).div(100).toFixed(2);

async function csvOf(db: Kysely<DB>, statements: repo.StatementRow[], lang: Language): Promise<string> {
  const lines = await repo.linesOfStatements(db, statements.map((s) => s.id));
  const [producers, coops, runs] = await Promise.all([
    repo.producerNames(db, [...new Set(statements.map((s) => s.producer_id))]),
    repo.cooperativeNames(db, [...new Set(statements.map((s) => s.cooperative_id).filter((c): c is number => c !== null))]),
    Promise.all([...new Set(statements.map((s) => s.settlement_id))].map((id) => repo.findSettlement(db, id))),
  ]);
  const producerName = new Map(producers.map((p) => [p.id, p.display_name]));
  const coopName = new Map(coops.map((c) => [c.id, c.name]));
  const runNo = new Map(runs.filter((r) => r !== undefined).map((r) => [r.id, r.run_no]));
  const byStatement = new Map<number, repo.PayoutLineRow[]>();
  for (const l of lines) byStatement.set(l.statement_id, [...(byStatement.get(l.statement_id) ?? []), l]);
  const rows = statements.flatMap((st) =>
    (byStatement.get(st.id) ?? []).map((l) => [
      st.id, st.order_id, runNo.get(st.settlement_id) ?? '', st.fiscal_date, st.producer_id, safeText(producerName.get(st.producer_id) ?? ''),
      st.cooperative_id !== null ? safeText(coopName.get(st.cooperative_id) ?? '') : '', l.position + 1, l.lot_id, l.grade_code ?? '',
      (l.certifications as string[]).join(' '), gramsToKg(l.weight_g), rp(l.base_rate_minor_per_kg), rp(l.premium_minor_per_kg),
      l.coop_fee_pct, rp(l.coop_fee_minor), fromMinorUnits(l.amount_idr_minor, 'IDR'), st.status, st.paid_method ?? '', st.paid_reference ?? '',
      lang === 'id' ? l.explanation_id : l.explanation_en,
    ]),
  );
  return stringify(rows, { header: true, columns: COLUMNS, record_delimiter: 'windows' });
}

const PeriodInput = z
  .object({ cooperativeId: z.number().int(), from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, zm(ISSUES.dateYmd)), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, zm(ISSUES.dateYmd)) })
  .superRefine((v, ctx) => {
    if (v.to < v.from) addIssue(ctx, ['to'], ISSUES.onOrAfter({ field: 'from', value: v.from }));
  });

const EXPORT_LIMIT = 10_000;

/** CSV of a cooperative's members' statements for a period (its manager or an admin), one row per line; anyone else: not found. */
export async function cooperativeStatementsCsv(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof PeriodInput>, lang: Language): Promise<string> {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(PeriodInput, input);
  // Another cooperative's statements look exactly like a cooperative that does not exist.
  const coop = await repo.findCooperative(db, parsed.cooperativeId);
  if (!coop || (!isAdmin(principal) && !hasRole(principal, 'COOP_MANAGER', coop.id))) throw new NotFoundError('Cooperative', 'input.cooperativeId');
  const statements = await repo.listStatements(db, { all: true }, { cooperativeId: coop.id, from: parsed.from, to: parsed.to }, {
    afterId: null, beforeId: null, limit: EXPORT_LIMIT + 1, inverted: false,
  });
  if (statements.length > EXPORT_LIMIT) {
    throw ValidationError.field('input.to', {
      en: `the period holds more than ${EXPORT_LIMIT} statements: export a shorter one`,
      id: `periode ini berisi lebih dari ${nId(EXPORT_LIMIT)} slip: ekspor periode yang lebih pendek`,
    });
  }
  return csvOf(db, statements, lang);
}

/** CSV of an order's statements (the brand manager of the order's brand, or an admin); anyone else: not found. */
export async function orderStatementsCsv(db: Kysely<DB>, actor: Principal | null, orderId: number, lang: Language): Promise<string> {
  const principal = requirePrincipal(actor);
  const order = await ordersRepo.findOrder(db, orderId);
  // Statements the caller may not see (a buyer's own order included) look exactly like an order that does not exist.
  if (!order || !canSeeOrder(principal, order) || !managesOrder(principal, order)) throw new NotFoundError('Order', 'input.orderId');
  const statements = await repo.listStatements(db, { all: true }, { orderId: order.id }, { afterId: null, beforeId: null, limit: EXPORT_LIMIT, inverted: false });
  return csvOf(db, statements, lang);
}

