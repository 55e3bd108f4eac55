import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';

/**
 * Table types of migrations/20261201_0020_create_settlement.ts, kept in this module (the platform's
 * DB type does not know about modules above it). `sdb(db)` widens a Kysely or a transaction to see
 * them (Kysely's withTables, no cast). int8 → number, numeric → string, date → 'YYYY-MM-DD'.
 */

type Id = Generated<number>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type CertificationScheme = 'ORGANIC' | 'FAIRTRADE' | 'RAINFOREST_ALLIANCE';
export type CostKind = 'FREIGHT' | 'HANDLING' | 'CERTIFICATES' | 'OTHER';
export type PaymentMethod = 'BANK_TRANSFER' | 'E_WALLET' | 'CASH_VIA_COOPERATIVE';
export type StatementStatus = 'PENDING' | 'PAID';

export type SettlementTables = {
  certifications: {
    id: Id; producer_id: number | null; lot_id: number | null; scheme: CertificationScheme; reference: string;
    valid_from: string; valid_until: string; recorded_by: number | null; created_at: CreatedAt;
  };
  premium_rule_versions: { id: Id; brand_id: number; version: number; note: string | null; created_by: number | null; created_at: CreatedAt };
  premium_rules: {
    id: Id; version_id: number; position: number; applies_to: 'GRADE' | 'CERTIFICATION' | 'ALL'; grade_code: string | null;
    certification: CertificationScheme | null; per_kg_idr_minor: number | null; price_pct: string | null;
  };
  cooperative_fees: { id: Id; cooperative_id: number; fee_pct: string; set_by: number | null; created_at: CreatedAt };
  order_settlement_terms: {
    order_id: number; brand_fee_pct: string; premium_version_id: number | null; snapshotted_at: CreatedAt;
  };
  order_cooperative_fees: { order_id: number; cooperative_id: number; fee_pct: string };
  invoices: {
    id: Id; order_id: number; number: string; shipped_g: number; price_minor_per_kg: number; currency: string;
    amount_minor: number; issued_by: number | null; issued_at: CreatedAt;
  };
  order_costs: {
    id: Id; order_id: number; kind: CostKind; amount_minor: number; currency: string; reference: string;
    description: string | null; recorded_by: number | null; recorded_at: CreatedAt;
  };
  order_payments: {
    id: Id; order_id: number; amount_minor: number; currency: string; received_on: string; reference: string;
    recorded_by: number | null; recorded_at: CreatedAt;
  };
  exchange_rates: {
    id: Id; order_id: number; currency: string; rate: string; source: string; rate_date: string;
    recorded_by: number | null; recorded_at: CreatedAt;
  };
  settlements: {
    id: Id; order_id: number; run_no: number; settled_on: string; settled_by: number | null; weight_g: number;
    received_idr_minor: number; received_total_idr_minor: number; costs_idr_minor: number; costs_total_idr_minor: number;
    brand_fee_pct: string; brand_fee_idr_minor: number; coop_fees_idr_minor: number; payouts_idr_minor: number;
    premiums_total_minor: string; net_total_minor: string; base_rate_minor_per_kg: string; created_at: CreatedAt;
  };
  settlement_payments: { settlement_id: number; payment_id: number; rate: string; rate_id: number | null; idr_minor: number };
  settlement_costs: { settlement_id: number; cost_id: number; rate: string; rate_id: number | null; idr_minor: number };
  settlement_cooperative_fees: { settlement_id: number; cooperative_id: number; fee_pct: string; idr_minor: number };
  payout_statements: {
    id: Id; settlement_id: number; order_id: number; brand_id: number; producer_id: number; cooperative_id: number | null;
    fiscal_date: string; delivered_g: number; amount_idr_minor: number; status: ColumnType<StatementStatus, StatementStatus | undefined, StatementStatus>;
    paid_method: PaymentMethod | null; paid_reference: string | null; paid_at: Date | null; paid_by: number | null; created_at: CreatedAt;
  };
  payout_lines: {
    id: Id; statement_id: number; position: number; allocation_line_id: number; fulfilment_id: number | null; lot_id: number;
    weight_g: number; grade_code: string | null; certifications: ColumnType<string[], string | undefined, never>;
    premium_minor_per_kg: string; base_rate_minor_per_kg: string; coop_fee_pct: string; gross_minor: string;
    coop_fee_minor: string; amount_idr_minor: number; explanation_id: string; explanation_en: string;
  };
};

export type SDB = DB & SettlementTables;
export type SRow<T extends keyof SettlementTables> = Selectable<SettlementTables[T]>;

export function sdb(db: Kysely<DB>): Kysely<SDB>;
export function sdb(db: Transaction<DB>): Transaction<SDB>;
export function sdb(db: Kysely<DB> | Transaction<DB>): Kysely<SDB> | Transaction<SDB> {
  return db.withTables<SettlementTables>();
}
