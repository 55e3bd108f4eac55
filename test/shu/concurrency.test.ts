import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid, insertProducer } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { insertStatement } from './fixtures.js';

/** Races need a real server: PGlite has one connection and serialises everything. */
const onPostgres = inject('testDb').kind === 'postgres';

const SET_SPLIT = /* GraphQL */ `
  mutation ($input: SetShuSplitInput!) { setShuSplit(input: $input) { __typename ... on ShuSplit { version } ... on Error { code } } }`;
const COMPUTE_YEAR = /* GraphQL */ `
  mutation ($input: ComputeShuYearInput!) {
    computeShuYear(input: $input) { __typename ... on ShuYear { id status } ... on Error { code message } }
  }`;
const CLOSE_YEAR = /* GraphQL */ `
  mutation ($input: CloseShuYearInput!) { closeShuYear(input: $input) { __typename ... on ShuYear { status } ... on Error { code message } } }`;
const RECORD_CAPITAL = /* GraphQL */ `
  mutation ($input: RecordMemberCapitalInput!) { recordMemberCapital(input: $input) { __typename ... on Error { code } } }`;

describe.skipIf(!onPostgres)('SHU concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let w: OrderWorld;
  const coopId = () => gid('Cooperative', w.coop.id);

  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
    const db = t.database.db;
    const order = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, status: 'SHIPPED' });
    const members = [w.producer, ...(await Promise.all([1, 2, 3].map(() => insertProducer(db, { cooperativeId: w.coop.id }))))];
    for (const [i, m] of members.entries()) {
      await insertStatement(db, { order, producerId: m.id, cooperativeId: w.coop.id, fiscalDate: '2025-04-01', amountIdrMinor: (i + 1) * 7_777_700 });
      const res = await t.gql(RECORD_CAPITAL, {
        input: { producerId: gid('Producer', m.id), kind: 'POKOK', amount: { amount: String(100_000 * (i + 2)), currency: 'IDR' }, recordedOn: '2024-01-01' },
      }, w.as.coopManager.token);
      expect(res.data.recordMemberCapital.__typename).toBe('CapitalRecord');
    }
  });
  afterAll(async () => { await t?.close(); });

  it('concurrent split versions get distinct version numbers', async () => {
    const input = (i: number) => ({
      cooperativeId: coopId(), effectiveFromYear: 2025, reservePct: String(40 - i), transactionsPct: String(30 + i), capitalPct: '30', funds: [],
    });
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => t.gql(SET_SPLIT, { input: input(i) }, w.as.coopManager.token)));
    expect(results.map((r) => r.data.setShuSplit.__typename)).toEqual(Array(5).fill('ShuSplit'));
    expect(results.map((r) => r.data.setShuSplit.version).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('concurrent computations of one year serialise on the cooperative: one year row, figures of exactly one amount', async () => {
    const amounts = ['1000001', '2000003', '3000007', '4000009', '5000011', '6000013'];
    const results = await Promise.all(amounts.map((amount) =>
      t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: { amount, currency: 'IDR' } } }, w.as.coopManager.token)));
    expect(results.map((r) => r.data.computeShuYear.__typename)).toEqual(Array(amounts.length).fill('ShuYear'));
    expect(new Set(results.map((r) => r.data.computeShuYear.id)).size).toBe(1);
    const db = t.database.db;
    const years = await sql<{ id: number; amount_idr_minor: number }>`select id, amount_idr_minor from shu_years where cooperative_id = ${w.coop.id}`.execute(db);
    expect(years.rows).toHaveLength(1);
    const year = years.rows[0]!;
    const funds = await sql<{ s: number }>`select sum(amount_idr_minor)::int8 as s, count(*)::int8 as n from shu_year_funds where year_id = ${year.id}`.execute(db);
    expect(Number(funds.rows[0]!.s)).toBe(Number(year.amount_idr_minor));
    const parts = await sql<{ members: number; part: number }>`
      select (select sum(total_idr_minor) from shu_year_members where year_id = ${year.id})::int8 as members,
             (select sum(amount_idr_minor) from shu_year_funds where year_id = ${year.id} and kind in ('MEMBERS_TRANSACTIONS', 'MEMBERS_CAPITAL'))::int8 as part`.execute(db);
    expect(Number(parts.rows[0]!.members)).toBe(Number(parts.rows[0]!.part));
    expect(Number((await sql<{ n: number }>`select count(*)::int8 as n from shu_year_members where year_id = ${year.id}`.execute(db)).rows[0]!.n)).toBe(4);
  });

  it('closing races computing: either order leaves one consistent year; a computation after the close is refused', async () => {
    const yearId = (await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: { amount: '9000000', currency: 'IDR' } } }, w.as.coopManager.token)).data.computeShuYear.id;
    const [close, compute] = await Promise.all([
      t.gql(CLOSE_YEAR, { input: { shuYearId: yearId } }, w.as.coopManager.token),
      t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: { amount: '9000000', currency: 'IDR' } } }, w.as.coopManager.token),
    ]);
    expect(close.data.closeShuYear.__typename).toBe('ShuYear');
    expect(['ShuYear', 'ShuYearClosedError']).toContain(compute.data.computeShuYear.__typename);
    const after = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: { amount: '1', currency: 'IDR' } } }, w.as.coopManager.token);
    expect(after.data.computeShuYear.__typename).toBe('ShuYearClosedError');
    const row = await sql<{ status: string; amount_idr_minor: number }>`select status, amount_idr_minor from shu_years where id = (select max(id) from shu_years)`.execute(t.database.db);
    expect(row.rows[0]).toMatchObject({ status: 'CLOSED' });
    expect(Number(row.rows[0]!.amount_idr_minor)).toBe(900_000_000);
  });
});
