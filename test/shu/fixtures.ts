import { type Kysely, sql } from 'kysely';
import { expect } from 'vitest';
import type { DB, Row } from '../../src/platform/db-types.js';
import type { GqlResponse } from '../support/app.js';

/**
 * Direct-insert fixtures for SHU tests: payout statements as the settlement module writes them
 * (see src/modules/settlement/README-for-shu.md). Each call adds one settlement run of the order
 * that pays exactly this statement, so the run's own CHECK (received = costs + fees + payouts) holds.
 */
export async function insertStatement(
  db: Kysely<DB>,
  opts: { order: Row<'orders'>; producerId: number; cooperativeId: number | null; fiscalDate: string; amountIdrMinor: number; deliveredG?: number },
): Promise<number> {
  const next = await sql<{ n: number }>`select coalesce(max(run_no), 0) + 1 as n from settlements where order_id = ${opts.order.id}`.execute(db);
  const run = await sql<{ id: number }>`
    insert into settlements (order_id, run_no, settled_on, weight_g, received_idr_minor, received_total_idr_minor, costs_idr_minor,
      costs_total_idr_minor, brand_fee_pct, brand_fee_idr_minor, coop_fees_idr_minor, payouts_idr_minor, premiums_total_minor,
      net_total_minor, base_rate_minor_per_kg)
    values (${opts.order.id}, ${Number(next.rows[0]!.n)}, ${opts.fiscalDate}, ${opts.deliveredG ?? 60_000}, ${opts.amountIdrMinor}, ${opts.amountIdrMinor},
      0, 0, 0, 0, 0, ${opts.amountIdrMinor}, 0, ${opts.amountIdrMinor}, 0)
    returning id`.execute(db);
  const statement = await sql<{ id: number }>`
    insert into payout_statements (settlement_id, order_id, brand_id, producer_id, cooperative_id, fiscal_date, delivered_g, amount_idr_minor)
    values (${run.rows[0]!.id}, ${opts.order.id}, ${opts.order.brand_id}, ${opts.producerId}, ${opts.cooperativeId}, ${opts.fiscalDate},
      ${opts.deliveredG ?? 60_000}, ${opts.amountIdrMinor})
    returning id`.execute(db);
  return statement.rows[0]!.id;
}

const SHU_TABLES = ['shu_capital_records', 'shu_splits', 'shu_split_funds', 'shu_years', 'shu_year_funds', 'shu_year_members'] as const;

/** Row counts of the SHU tables, for "nothing was written" checks. */
export async function shuCounts(db: Kysely<DB>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of SHU_TABLES) out[table] = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);
  return out;
}

/** The result union member of mutation `field`: asserts its __typename (and code, for errors). */
export function result(res: GqlResponse, field: string, typename: string, code?: string) {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const value = res.data[field];
  expect(value.__typename, JSON.stringify(value)).toBe(typename);
  if (code) expect(value.code).toBe(code);
  return value;
}

/** IDR sen → the Money amount string the API returns. */
export const idr = (rupiah: number) => `${rupiah}.00`;
