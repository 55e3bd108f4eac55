import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { prepared } from '../../platform/sql.js';
import {
  type CertificationScheme, type CostKind, type PaymentMethod, sdb, type SettlementTables, type SRow,
} from './settlement.tables.js';

/** All SQL of the settlement module. Functions take the db or the transaction explicitly. */

type Db = Kysely<DB> | Transaction<DB>;
const s = (db: Db) => sdb(db as Kysely<DB>);

export type PremiumVersionRow = SRow<'premium_rule_versions'>;
export type PremiumRuleRow = SRow<'premium_rules'>;
export type CertificationRow = SRow<'certifications'>;
export type CooperativeFeeRow = SRow<'cooperative_fees'>;
export type TermsRow = SRow<'order_settlement_terms'>;
export type InvoiceRow = SRow<'invoices'>;
export type CostRow = SRow<'order_costs'>;
export type PaymentRow = SRow<'order_payments'>;
export type RateRow = SRow<'exchange_rates'>;
export type SettlementRow = SRow<'settlements'>;
export type StatementRow = SRow<'payout_statements'>;
export type PayoutLineRow = SRow<'payout_lines'>;

// Premium rules -----------------------------------------------------------------------------------

/** Lock the brand row so that two new versions of its rules are numbered one after the other. */
export const lockBrand = (trx: Transaction<DB>, brandId: number) =>
  trx.selectFrom('brands').select(['id']).where('id', '=', brandId).forUpdate().executeTakeFirst();

export const latestPremiumVersion = (db: Db, brandId: number) =>
  s(db).selectFrom('premium_rule_versions').selectAll().where('brand_id', '=', brandId).orderBy('version', 'desc').limit(1).executeTakeFirst();

export async function insertPremiumVersion(
  trx: Transaction<DB>,
  v: { brandId: number; note: string | null; createdBy: number },
  rules: ReadonlyArray<Omit<SettlementTables['premium_rules'], 'id' | 'version_id' | 'position'>>,
): Promise<PremiumVersionRow> {
  const latest = await latestPremiumVersion(trx, v.brandId);
  const version = await s(trx)
    .insertInto('premium_rule_versions')
    .values({ brand_id: v.brandId, version: (latest?.version ?? 0) + 1, note: v.note, created_by: v.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (rules.length > 0) {
    await s(trx)
      .insertInto('premium_rules')
      .values(rules.map((r, position) => ({ ...r, version_id: version.id, position })))
      .execute();
  }
  return version;
}

// Certifications ----------------------------------------------------------------------------------

export const insertCertification = (
  trx: Transaction<DB>,
  c: { producerId: number | null; lotId: number | null; scheme: CertificationScheme; reference: string; validFrom: string; validUntil: string; recordedBy: number },
) =>
  s(trx)
    .insertInto('certifications')
    .values({
      producer_id: c.producerId, lot_id: c.lotId, scheme: c.scheme, reference: c.reference, valid_from: c.validFrom,
      valid_until: c.validUntil, recorded_by: c.recordedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export const certificationsOfProducers = (db: Db, producerIds: readonly number[]) =>
  producerIds.length === 0
    ? Promise.resolve([] as CertificationRow[])
    : s(db).selectFrom('certifications').selectAll().where('producer_id', 'in', [...producerIds]).orderBy('id').execute();

export const certificationsOfLots = (db: Db, lotIds: readonly number[]) =>
  lotIds.length === 0
    ? Promise.resolve([] as CertificationRow[])
    : s(db).selectFrom('certifications').selectAll().where('lot_id', 'in', [...lotIds]).orderBy('id').execute();

/** The certifications of any of these producers or lots, in one query (each id list is one array parameter). */
export const certificationsOfProducersOrLots = (db: Db, producerIds: readonly number[], lotIds: readonly number[]) =>
  s(db)
    .selectFrom('certifications')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('producer_id', '=', sql<number>`any(${[...producerIds]}::int8[])`),
        eb('lot_id', '=', sql<number>`any(${[...lotIds]}::int8[])`),
      ]),
    )
    .orderBy('id')
    .execute();

export const findLot = (db: Db, lotId: number) =>
  db.selectFrom('lots').select(['id', 'producer_id', 'brand_id']).where('id', '=', lotId).executeTakeFirst();

export const findProducer = (db: Db, producerId: number) =>
  db.selectFrom('producers').select(['id', 'cooperative_id']).where('id', '=', producerId).executeTakeFirst();

export const findCooperative = (db: Db, cooperativeId: number) =>
  db.selectFrom('cooperatives').select(['id', 'name']).where('id', '=', cooperativeId).executeTakeFirst();

// Cooperative fees --------------------------------------------------------------------------------

export const insertCooperativeFee = (trx: Transaction<DB>, cooperativeId: number, feePct: string, setBy: number) =>
  s(trx).insertInto('cooperative_fees').values({ cooperative_id: cooperativeId, fee_pct: feePct, set_by: setBy }).returningAll().executeTakeFirstOrThrow();

/** The current fee of each cooperative that has one (the latest row). */
export const currentCooperativeFees = (db: Db, cooperativeIds?: readonly number[]) => {
  let q = s(db)
    .selectFrom('cooperative_fees')
    .distinctOn('cooperative_id')
    .selectAll()
    .orderBy('cooperative_id')
    .orderBy('id', 'desc');
  if (cooperativeIds) {
    if (cooperativeIds.length === 0) return Promise.resolve([] as CooperativeFeeRow[]);
    q = q.where('cooperative_id', 'in', [...cooperativeIds]);
  }
  return q.execute();
};

// Snapshot at acceptance ------------------------------------------------------------------------

/**
 * The terms an order is settled on, as they are at its acceptance, in one statement: the brand's
 * fee (0 when it has none), the brand's latest premium rule version (none yet: null), and every
 * cooperative's current fee.
 */
export async function snapshotTerms(trx: Transaction<DB>, orderId: number, brandId: number): Promise<void> {
  await snapshotTermsQuery(trx, orderId, brandId);
}

const snapshotTermsQuery = prepared((_db, orderId: number, brandId: number) => sql`
    with terms as (
      insert into order_settlement_terms (order_id, brand_fee_pct, premium_version_id)
      select ${orderId}::int8,
             coalesce((select b.fee_pct from brands b where b.id = ${brandId}), 0),
             (select v.id from premium_rule_versions v where v.brand_id = ${brandId} order by v.version desc limit 1)
      returning order_id)
    insert into order_cooperative_fees (order_id, cooperative_id, fee_pct)
    select distinct on (f.cooperative_id) t.order_id, f.cooperative_id, f.fee_pct
    from terms t cross join cooperative_fees f
    order by f.cooperative_id, f.id desc`);

// Delivered weight --------------------------------------------------------------------------------

export interface DeliveredRow {
  line_id: number;
  /** The shortfall line this line covers, if any. */
  replaces_line_id: number | null;
  fulfilment_id: number | null;
  lot_id: number;
  producer_id: number;
  cooperative_id: number | null;
  weight_g: number;
  grade_code: string | null;
}

/**
 * What the order delivered, per source: ACTIVE spot lines (their lot) and ACTIVE fulfilments of
 * ACTIVE forward lines (the delivered lot) — the same rule as the shipment (orders.repo shippedLots).
 * Shortfall weight is not here: a producer's SHORTFALL line, or the shrunk part of a line, delivered
 * nothing; the covering line (replaces_line_id) is.
 */
export const deliveredLines = (db: Db, orderId: number) =>
  sql<DeliveredRow>`
    SELECT d.line_id, d.replaces_line_id, d.fulfilment_id, d.lot_id, d.producer_id, p.cooperative_id, d.weight_g, lot.grade_code
      FROM (
        SELECT l.id AS line_id, l.replaces_line_id, NULL::int8 AS fulfilment_id, l.lot_id, l.producer_id, l.weight_g
          FROM allocation_lines l
         WHERE l.order_id = ${orderId} AND l.status = 'ACTIVE' AND l.lot_id IS NOT NULL
        UNION ALL
        SELECT l.id, l.replaces_line_id, f.id, f.lot_id, l.producer_id, f.weight_g
          FROM fulfilments f JOIN allocation_lines l ON l.id = f.line_id
         WHERE l.order_id = ${orderId} AND l.status = 'ACTIVE' AND f.status = 'ACTIVE'
      ) d
      JOIN producers p ON p.id = d.producer_id
      JOIN lots lot ON lot.id = d.lot_id
     ORDER BY d.line_id, d.fulfilment_id NULLS FIRST`
    .execute(db)
    .then((r) => r.rows);

// Invoices, costs, payments, rates ------------------------------------------------------------------

export const insertInvoice = (trx: Transaction<DB>, i: Omit<SettlementTables['invoices'], 'id' | 'issued_at'>) =>
  s(trx).insertInto('invoices').values(i).returningAll().executeTakeFirstOrThrow();

export const findInvoice = (db: Db, orderId: number) =>
  s(db).selectFrom('invoices').selectAll().where('order_id', '=', orderId).executeTakeFirst();

export const insertCost = (
  trx: Transaction<DB>,
  c: { orderId: number; kind: CostKind; amountMinor: number; currency: string; reference: string; description: string | null; recordedBy: number },
) =>
  s(trx)
    .insertInto('order_costs')
    .values({
      order_id: c.orderId, kind: c.kind, amount_minor: c.amountMinor, currency: c.currency, reference: c.reference,
      description: c.description, recorded_by: c.recordedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

export const insertPayment = (
  trx: Transaction<DB>,
  p: { orderId: number; amountMinor: number; currency: string; receivedOn: string; reference: string; recordedBy: number },
) =>
  s(trx)
    .insertInto('order_payments')
    .values({
      order_id: p.orderId, amount_minor: p.amountMinor, currency: p.currency, received_on: p.receivedOn,
      reference: p.reference, recorded_by: p.recordedBy,
    })
    .onConflict((oc) => oc.columns(['order_id', 'reference']).doNothing())
    .returningAll()
    .executeTakeFirst();

export const paymentsOfOrder = (db: Db, orderId: number) =>
  s(db).selectFrom('order_payments').selectAll().where('order_id', '=', orderId).orderBy('id').execute();

export const insertRate = (
  trx: Transaction<DB>,
  r: { orderId: number; currency: string; rate: string; source: string; rateDate: string; recordedBy: number },
) =>
  s(trx)
    .insertInto('exchange_rates')
    .values({ order_id: r.orderId, currency: r.currency, rate: r.rate, source: r.source, rate_date: r.rateDate, recorded_by: r.recordedBy })
    .returningAll()
    .executeTakeFirstOrThrow();

// What a settlement run reads, in one query ----------------------------------------------------------

/** Everything settleOrder reads about an order besides its delivered lines (see settlementContext). */
export interface SettlementContext {
  invoice: { number: string; issuedAt: Date; currency: string; amountMinor: number } | null;
  /** Earlier runs, by run number. */
  runs: Array<{ id: number; run_no: number; received_total_idr_minor: number; costs_total_idr_minor: number }>;
  /** Payments and costs no run has settled yet, in id order. */
  payments: Array<{ id: number; amount_minor: number; currency: string; reference: string }>;
  costs: Array<{ id: number; amount_minor: number; currency: string; reference: string }>;
  /** Exchange rates in id order (the latest of a currency counts). */
  rates: Array<{ id: number; currency: string; rate: string }>;
  /** The acceptance snapshot, its premium rules (in order) and cooperative fees. */
  terms: { brand_fee_pct: string; premium_version_id: number | null } | null;
  rules: Array<Pick<PremiumRuleRow, 'applies_to' | 'grade_code' | 'certification' | 'per_kg_idr_minor' | 'price_pct'>>;
  coopFees: Array<{ cooperative_id: number; fee_pct: string }>;
}

/**
 * The order's invoice, earlier runs, unsettled payments and costs, rates and acceptance snapshot
 * (terms, premium rules, cooperative fees) in one round trip: each part is a JSON value of its own
 * subquery. Numeric columns travel as text (exact, as the driver returns them elsewhere) and the
 * invoice's time as epoch milliseconds.
 */
export async function settlementContext(trx: Transaction<DB>, orderId: number): Promise<SettlementContext> {
  const { rows } = await sql<{
    invoice: { number: string; issued_at_ms: number; currency: string; amount_minor: number } | null;
    runs: SettlementContext['runs']; payments: SettlementContext['payments']; costs: SettlementContext['costs'];
    rates: SettlementContext['rates']; terms: SettlementContext['terms']; rules: SettlementContext['rules']; coop_fees: SettlementContext['coopFees'];
  }>`
    SELECT
      (SELECT jsonb_build_object('number', i.number, 'issued_at_ms', (extract(epoch FROM i.issued_at) * 1000)::int8, 'currency', i.currency,
          'amount_minor', i.amount_minor)
         FROM invoices i WHERE i.order_id = ${orderId}) AS invoice,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'run_no', s.run_no, 'received_total_idr_minor', s.received_total_idr_minor,
          'costs_total_idr_minor', s.costs_total_idr_minor) ORDER BY s.run_no), '[]')
         FROM settlements s WHERE s.order_id = ${orderId}) AS runs,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'amount_minor', p.amount_minor, 'currency', p.currency, 'reference', p.reference) ORDER BY p.id), '[]')
         FROM order_payments p
        WHERE p.order_id = ${orderId} AND NOT EXISTS (SELECT 1 FROM settlement_payments sp WHERE sp.payment_id = p.id)) AS payments,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'amount_minor', c.amount_minor, 'currency', c.currency, 'reference', c.reference) ORDER BY c.id), '[]')
         FROM order_costs c
        WHERE c.order_id = ${orderId} AND NOT EXISTS (SELECT 1 FROM settlement_costs sc WHERE sc.cost_id = c.id)) AS costs,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'currency', r.currency, 'rate', r.rate::text) ORDER BY r.id), '[]')
         FROM exchange_rates r WHERE r.order_id = ${orderId}) AS rates,
      (SELECT jsonb_build_object('brand_fee_pct', t.brand_fee_pct::text, 'premium_version_id', t.premium_version_id)
         FROM order_settlement_terms t WHERE t.order_id = ${orderId}) AS terms,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('applies_to', pr.applies_to, 'grade_code', pr.grade_code, 'certification', pr.certification,
          'per_kg_idr_minor', pr.per_kg_idr_minor, 'price_pct', pr.price_pct::text) ORDER BY pr.position), '[]')
         FROM order_settlement_terms t JOIN premium_rules pr ON pr.version_id = t.premium_version_id WHERE t.order_id = ${orderId}) AS rules,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('cooperative_id', f.cooperative_id, 'fee_pct', f.fee_pct::text) ORDER BY f.cooperative_id), '[]')
         FROM order_cooperative_fees f WHERE f.order_id = ${orderId}) AS coop_fees`.execute(trx);
  const r = rows[0]!;
  return {
    invoice: r.invoice
      ? { number: r.invoice.number, issuedAt: new Date(Number(r.invoice.issued_at_ms)), currency: r.invoice.currency, amountMinor: r.invoice.amount_minor }
      : null,
    runs: r.runs, payments: r.payments, costs: r.costs, rates: r.rates, terms: r.terms, rules: r.rules, coopFees: r.coop_fees,
  };
}

// Settlements -------------------------------------------------------------------------------------

export const findSettlement = (db: Db, id: number) =>
  s(db).selectFrom('settlements').selectAll().where('id', '=', id).executeTakeFirst();

/** One statement of a run, before it has an id: the run's order, brand and date are the settlement's. */
export interface StatementWrite {
  producerId: number;
  cooperativeId: number | null;
  deliveredG: number;
  amountIdrMinor: number;
}

/** One payout line of a run, with the producer whose statement it belongs to. */
export type LineWrite = Omit<SettlementTables['payout_lines'], 'id' | 'statement_id' | 'certifications' | 'base_rate_minor_per_kg'> & {
  producerId: number;
  certifications: string[];
};

export interface RunWrite {
  settlement: Omit<SettlementTables['settlements'], 'id' | 'created_at'>;
  brandId: number;
  payments: ReadonlyArray<{ paymentId: number; rate: string; rateId: number | null; idrMinor: number }>;
  costs: ReadonlyArray<{ costId: number; rate: string; rateId: number | null; idrMinor: number }>;
  coopFees: ReadonlyArray<{ cooperativeId: number; feePct: string; idrMinor: number }>;
  statements: readonly StatementWrite[];
  lines: readonly LineWrite[];
}

const col = <T, V>(rows: readonly T[], f: (row: T) => V): V[] => rows.map(f);

/**
 * Write a whole settlement run in one statement (one round trip): the settlement row, the payments,
 * costs and cooperative fees it settled, its statements and their lines (each line at the run's base rate). Every data-modifying CTE
 * runs exactly once; the rows travel as one typed array per column (unnest), so 300 statements and
 * 300 lines cost a few dozen parameters, no per-row JSON keys to send or parse. Lines find their
 * statement by producer (one statement per producer per run). Returns the settlement row.
 */
export async function insertRun(trx: Transaction<DB>, run: RunWrite): Promise<SettlementRow> {
  const st = run.settlement;
  const { payments, costs, coopFees, statements, lines } = run;
  const result = await sql<SettlementRow>`
    WITH s AS (
      INSERT INTO settlements (order_id, run_no, settled_on, settled_by, weight_g, received_idr_minor, received_total_idr_minor,
        costs_idr_minor, costs_total_idr_minor, brand_fee_pct, brand_fee_idr_minor, coop_fees_idr_minor, payouts_idr_minor,
        premiums_total_minor, net_total_minor, base_rate_minor_per_kg)
      VALUES (${st.order_id}, ${st.run_no}, ${st.settled_on}, ${st.settled_by}, ${st.weight_g}, ${st.received_idr_minor},
        ${st.received_total_idr_minor}, ${st.costs_idr_minor}, ${st.costs_total_idr_minor}, ${st.brand_fee_pct}, ${st.brand_fee_idr_minor},
        ${st.coop_fees_idr_minor}, ${st.payouts_idr_minor}, ${st.premiums_total_minor}, ${st.net_total_minor}, ${st.base_rate_minor_per_kg})
      RETURNING *
    ), sp AS (
      INSERT INTO settlement_payments (settlement_id, payment_id, rate, rate_id, idr_minor)
      SELECT s.id, x.payment_id, x.rate, x.rate_id, x.idr_minor
        FROM s, unnest(${col(payments, (p) => p.paymentId)}::int8[], ${col(payments, (p) => p.rate)}::numeric[],
          ${col(payments, (p) => p.rateId)}::int8[], ${col(payments, (p) => p.idrMinor)}::int8[]) AS x(payment_id, rate, rate_id, idr_minor)
    ), sc AS (
      INSERT INTO settlement_costs (settlement_id, cost_id, rate, rate_id, idr_minor)
      SELECT s.id, x.cost_id, x.rate, x.rate_id, x.idr_minor
        FROM s, unnest(${col(costs, (c) => c.costId)}::int8[], ${col(costs, (c) => c.rate)}::numeric[],
          ${col(costs, (c) => c.rateId)}::int8[], ${col(costs, (c) => c.idrMinor)}::int8[]) AS x(cost_id, rate, rate_id, idr_minor)
    ), sf AS (
      INSERT INTO settlement_cooperative_fees (settlement_id, cooperative_id, fee_pct, idr_minor)
      SELECT s.id, x.cooperative_id, x.fee_pct, x.idr_minor
        FROM s, unnest(${col(coopFees, (c) => c.cooperativeId)}::int8[], ${col(coopFees, (c) => c.feePct)}::numeric[],
          ${col(coopFees, (c) => c.idrMinor)}::int8[]) AS x(cooperative_id, fee_pct, idr_minor)
    ), ps AS (
      INSERT INTO payout_statements (settlement_id, order_id, brand_id, producer_id, cooperative_id, fiscal_date, delivered_g, amount_idr_minor)
      SELECT s.id, s.order_id, ${run.brandId}, x.producer_id, x.cooperative_id, s.settled_on, x.delivered_g, x.amount_idr_minor
        FROM s, unnest(${col(statements, (t) => t.producerId)}::int8[], ${col(statements, (t) => t.cooperativeId)}::int8[],
          ${col(statements, (t) => t.deliveredG)}::int8[], ${col(statements, (t) => t.amountIdrMinor)}::int8[])
          WITH ORDINALITY AS x(producer_id, cooperative_id, delivered_g, amount_idr_minor, n)
       ORDER BY x.n
      RETURNING id, producer_id
    ), pl AS (
      INSERT INTO payout_lines (statement_id, position, allocation_line_id, fulfilment_id, lot_id, weight_g, grade_code, certifications,
        premium_minor_per_kg, base_rate_minor_per_kg, coop_fee_pct, gross_minor, coop_fee_minor, amount_idr_minor, explanation_id, explanation_en)
      SELECT ps.id, x.position, x.allocation_line_id, x.fulfilment_id, x.lot_id, x.weight_g, x.grade_code, x.certifications::jsonb,
        x.premium_minor_per_kg, s.base_rate_minor_per_kg, x.coop_fee_pct, x.gross_minor, x.coop_fee_minor,
        x.amount_idr_minor, x.explanation_id, x.explanation_en
        FROM unnest(${col(lines, (l) => l.producerId)}::int8[], ${col(lines, (l) => l.position)}::int4[],
          ${col(lines, (l) => l.allocation_line_id)}::int8[], ${col(lines, (l) => l.fulfilment_id)}::int8[], ${col(lines, (l) => l.lot_id)}::int8[],
          ${col(lines, (l) => l.weight_g)}::int8[], ${col(lines, (l) => l.grade_code)}::text[],
          ${col(lines, (l) => JSON.stringify(l.certifications))}::text[], ${col(lines, (l) => l.premium_minor_per_kg)}::numeric[],
          ${col(lines, (l) => l.coop_fee_pct)}::numeric[], ${col(lines, (l) => l.gross_minor)}::numeric[],
          ${col(lines, (l) => l.coop_fee_minor)}::numeric[], ${col(lines, (l) => l.amount_idr_minor)}::int8[],
          ${col(lines, (l) => l.explanation_id)}::text[], ${col(lines, (l) => l.explanation_en)}::text[])
          AS x(producer_id, position, allocation_line_id, fulfilment_id, lot_id, weight_g, grade_code, certifications, premium_minor_per_kg,
            coop_fee_pct, gross_minor, coop_fee_minor, amount_idr_minor, explanation_id, explanation_en)
        JOIN ps ON ps.producer_id = x.producer_id
        CROSS JOIN s
       ORDER BY ps.id, x.position
    )
    SELECT * FROM s`.execute(trx);
  return result.rows[0]!;
}

// Statements --------------------------------------------------------------------------------------

/** The lines of a run's statements with their statement's producer and cooperative, in one query (a later run's basis). */
export const linesOfSettlement = (db: Db, settlementId: number) =>
  s(db)
    .selectFrom('payout_lines')
    .innerJoin('payout_statements', 'payout_statements.id', 'payout_lines.statement_id')
    .selectAll('payout_lines')
    .select(['payout_statements.producer_id', 'payout_statements.cooperative_id'])
    .where('payout_statements.settlement_id', '=', settlementId)
    .orderBy('payout_lines.statement_id')
    .orderBy('payout_lines.position')
    .execute();

export const findStatements = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([] as StatementRow[]) : s(db).selectFrom('payout_statements').selectAll().where('id', 'in', [...ids]).execute();

export const findStatement = (db: Db, id: number) =>
  s(db).selectFrom('payout_statements').selectAll().where('id', '=', id).executeTakeFirst();

export const lockStatement = (trx: Transaction<DB>, id: number) =>
  s(trx).selectFrom('payout_statements').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const markPaid = (trx: Transaction<DB>, id: number, p: { method: PaymentMethod; reference: string | null; paidAt: Date; paidBy: number }) =>
  s(trx)
    .updateTable('payout_statements')
    .set({ status: 'PAID', paid_method: p.method, paid_reference: p.reference, paid_at: p.paidAt, paid_by: p.paidBy })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();

export const linesOfStatements = (db: Db, statementIds: readonly number[]) =>
  statementIds.length === 0
    ? Promise.resolve([] as PayoutLineRow[])
    : s(db).selectFrom('payout_lines').selectAll().where('statement_id', 'in', [...statementIds]).orderBy('statement_id').orderBy('position').execute();

/** Who may list which statements, as data (see statements.service.ts). */
export type StatementScope =
  | { all: true }
  | { all: false; producerIds: number[]; cooperativeIds: number[]; brandIds: number[] };

export interface StatementFilter {
  producerId?: number | null;
  cooperativeId?: number | null;
  orderId?: number | null;
  from?: string | null;
  to?: string | null;
  status?: 'PENDING' | 'PAID' | null;
}

export function listStatements(db: Db, scope: StatementScope, filter: StatementFilter, page: KeysetPage) {
  let q = s(db).selectFrom('payout_statements').selectAll();
  if (!scope.all) {
    const { producerIds, cooperativeIds, brandIds } = scope;
    if (producerIds.length + cooperativeIds.length + brandIds.length === 0) return Promise.resolve([] as StatementRow[]);
    q = q.where((eb) =>
      eb.or([
        ...(producerIds.length > 0 ? [eb('producer_id', 'in', producerIds)] : []),
        ...(cooperativeIds.length > 0 ? [eb('cooperative_id', 'in', cooperativeIds)] : []),
        ...(brandIds.length > 0 ? [eb('brand_id', 'in', brandIds)] : []),
      ]),
    );
  }
  if (filter.producerId != null) q = q.where('producer_id', '=', filter.producerId);
  if (filter.cooperativeId != null) q = q.where('cooperative_id', '=', filter.cooperativeId);
  if (filter.orderId != null) q = q.where('order_id', '=', filter.orderId);
  if (filter.from != null) q = q.where('fiscal_date', '>=', filter.from);
  if (filter.to != null) q = q.where('fiscal_date', '<=', filter.to);
  if (filter.status != null) q = q.where('status', '=', filter.status);
  if (page.afterId !== null) q = q.where('id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('id', '<', page.beforeId);
  return q.orderBy('id', page.inverted ? 'desc' : 'asc').limit(page.limit).execute();
}

/** Names for statements and CSV rows: producer display name, cooperative name, lot. */
export const producerNames = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('producers').select(['id', 'display_name']).where('id', 'in', [...ids]).execute();

export const cooperativeNames = (db: Db, ids: readonly number[]) =>
  ids.length === 0 ? Promise.resolve([]) : db.selectFrom('cooperatives').select(['id', 'name']).where('id', 'in', [...ids]).execute();

// Batched reads for the GraphQL fields (one query per page of parents, see settlement.graphql.ts) ----

const ids = (values: readonly number[]) => [...new Set(values)];

export const invoicesOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0 ? Promise.resolve([] as InvoiceRow[]) : s(db).selectFrom('invoices').selectAll().where('order_id', 'in', ids(orderIds)).execute();

export const paymentsOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as PaymentRow[])
    : s(db).selectFrom('order_payments').selectAll().where('order_id', 'in', ids(orderIds)).orderBy('id').execute();

export const costsOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as CostRow[])
    : s(db).selectFrom('order_costs').selectAll().where('order_id', 'in', ids(orderIds)).orderBy('id').execute();

export const ratesOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as RateRow[])
    : s(db).selectFrom('exchange_rates').selectAll().where('order_id', 'in', ids(orderIds)).orderBy('id').execute();

export const termsOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as TermsRow[])
    : s(db).selectFrom('order_settlement_terms').selectAll().where('order_id', 'in', ids(orderIds)).execute();

export const cooperativeFeesOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as SRow<'order_cooperative_fees'>[])
    : s(db).selectFrom('order_cooperative_fees').selectAll().where('order_id', 'in', ids(orderIds)).orderBy('order_id').orderBy('cooperative_id').execute();

export const settlementsOfOrders = (db: Db, orderIds: readonly number[]) =>
  orderIds.length === 0
    ? Promise.resolve([] as SettlementRow[])
    : s(db).selectFrom('settlements').selectAll().where('order_id', 'in', ids(orderIds)).orderBy('order_id').orderBy('run_no').execute();

export const cooperativeFeesOfSettlements = (db: Db, settlementIds: readonly number[]) =>
  settlementIds.length === 0
    ? Promise.resolve([] as SRow<'settlement_cooperative_fees'>[])
    : s(db)
        .selectFrom('settlement_cooperative_fees')
        .selectAll()
        .where('settlement_id', 'in', ids(settlementIds))
        .orderBy('settlement_id')
        .orderBy('cooperative_id')
        .execute();

export const statementsOfSettlements = (db: Db, settlementIds: readonly number[]) =>
  settlementIds.length === 0
    ? Promise.resolve([] as StatementRow[])
    : s(db).selectFrom('payout_statements').selectAll().where('settlement_id', 'in', ids(settlementIds)).orderBy('id').execute();

export const premiumVersions = (db: Db, versionIds: readonly number[]) =>
  versionIds.length === 0
    ? Promise.resolve([] as PremiumVersionRow[])
    : s(db).selectFrom('premium_rule_versions').selectAll().where('id', 'in', ids(versionIds)).execute();

export const premiumRulesOfVersions = (db: Db, versionIds: readonly number[]) =>
  versionIds.length === 0
    ? Promise.resolve([] as PremiumRuleRow[])
    : s(db).selectFrom('premium_rules').selectAll().where('version_id', 'in', ids(versionIds)).orderBy('version_id').orderBy('position').execute();

/** Each brand's latest premium rule version (brands without one are absent). */
export const latestPremiumVersionsOfBrands = (db: Db, brandIds: readonly number[]) =>
  brandIds.length === 0
    ? Promise.resolve([] as PremiumVersionRow[])
    : s(db)
        .selectFrom('premium_rule_versions')
        .distinctOn('brand_id')
        .selectAll()
        .where('brand_id', 'in', ids(brandIds))
        .orderBy('brand_id')
        .orderBy('version', 'desc')
        .execute();

/** Every brand's versions, newest first, at most 100 per brand. */
export const premiumVersionsOfBrands = (db: Db, brandIds: readonly number[]) =>
  brandIds.length === 0
    ? Promise.resolve([] as PremiumVersionRow[])
    : s(db)
        .selectFrom('premium_rule_versions')
        .selectAll()
        .where('brand_id', 'in', ids(brandIds))
        .where('version', '>', (eb) =>
          eb.selectFrom('premium_rule_versions as v').select(sql<number>`coalesce(max(v.version), 0) - 100`.as('floor')).whereRef('v.brand_id', '=', 'premium_rule_versions.brand_id'),
        )
        .orderBy('brand_id')
        .orderBy('version', 'desc')
        .execute();
