import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';

/**
 * Table types of migrations/20261201_0030_create_shu.ts, plus the columns of the settlement
 * module's `payout_statements` that the SHU year reads (see settlement/README-for-shu.md).
 * Kept in this module and added to a Kysely instance with `withTables`, so the shared db-types.ts
 * stays untouched. JS types follow db.ts: int8 → number, date → 'YYYY-MM-DD', timestamptz → Date.
 */

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type CapitalKind = 'POKOK' | 'WAJIB';
export type ShuYearStatus = 'DRAFT' | 'CLOSED';
export type FundKindColumn = 'RESERVE' | 'MEMBERS_TRANSACTIONS' | 'MEMBERS_CAPITAL' | 'FUND';

export type ShuTables = {
  shu_capital_records: {
    id: Generated<number>; cooperative_id: number; producer_id: number; kind: CapitalKind; amount_idr_minor: number;
    recorded_on: string; reference: string | null; reverses_id: ColumnType<number | null, number | null | undefined, never>;
    reason: ColumnType<string | null, string | null | undefined, never>; recorded_by: number; created_at: CreatedAt;
  };
  shu_splits: {
    id: Generated<number>; cooperative_id: number; version: number; effective_from_year: number; reserve_bp: number;
    transactions_bp: number; capital_bp: number; created_by: number; created_at: CreatedAt;
  };
  shu_split_funds: { split_id: number; position: number; name: string; bp: number };
  shu_years: {
    id: Generated<number>; cooperative_id: number; fiscal_year: number; amount_idr_minor: number; split_id: number;
    status: ColumnType<ShuYearStatus, ShuYearStatus | undefined, ShuYearStatus>; computed_at: Date; computed_by: number;
    closed_at: Date | null; closed_by: number | null; created_at: CreatedAt;
  };
  shu_year_funds: { year_id: number; position: number; kind: FundKindColumn; name: string; bp: number; amount_idr_minor: number };
  shu_year_members: {
    id: Generated<number>; year_id: number; producer_id: number; transactions_idr_minor: number; capital_idr_minor: number;
    transactions_part_idr_minor: number; capital_part_idr_minor: number; total_idr_minor: number;
  };
  /** Owned by the settlement module; read only here. */
  payout_statements: {
    id: Generated<number>; producer_id: number; cooperative_id: number | null; fiscal_date: string; amount_idr_minor: number;
    status: string;
  };
};

export type ShuDB = DB & ShuTables;
export type ShuDb = Kysely<ShuDB> | Transaction<ShuDB>;

export type CapitalRecordRow = Selectable<ShuTables['shu_capital_records']>;
export type SplitRow = Selectable<ShuTables['shu_splits']>;
export type SplitFundRow = Selectable<ShuTables['shu_split_funds']>;
export type ShuYearRow = Selectable<ShuTables['shu_years']>;
export type YearFundRow = Selectable<ShuTables['shu_year_funds']>;
export type YearMemberRow = Selectable<ShuTables['shu_year_members']>;

/** The same database with the SHU tables known to the type checker (same driver and connections). */
export function shuDb(db: Transaction<DB>): Transaction<ShuDB>;
export function shuDb(db: Kysely<DB>): Kysely<ShuDB>;
export function shuDb(db: Kysely<DB> | Transaction<DB>): Kysely<ShuDB> | Transaction<ShuDB> {
  return db.withTables<ShuTables>();
}
