import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertProducer, type Actor } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { idr, insertStatement, result, shuCounts } from './fixtures.js';

// Documents -------------------------------------------------------------------------------------

const RECORD_CAPITAL = /* GraphQL */ `
  mutation ($input: RecordMemberCapitalInput!) {
    recordMemberCapital(input: $input) {
      __typename
      ... on CapitalRecord { id kind amount { amount currency } recordedOn reference producer { id } cooperative { id } }
      ${ERROR_FIELDS}
    }
  }`;

const REVERSE_CAPITAL = /* GraphQL */ `
  mutation ($input: ReverseCapitalRecordInput!) {
    reverseCapitalRecord(input: $input) {
      __typename
      ... on CapitalRecord { id kind amount { amount currency } recordedOn reverses { id } reason }
      ... on ConflictError { path }
      ${ERROR_FIELDS}
    }
  }`;

const SET_SPLIT = /* GraphQL */ `
  mutation ($input: SetShuSplitInput!) {
    setShuSplit(input: $input) {
      __typename
      ... on ShuSplit { version effectiveFromYear reservePct transactionsPct capitalPct funds { name pct } }
      ... on ConflictError { path }
      ${ERROR_FIELDS}
    }
  }`;

const YEAR_FIELDS = /* GraphQL */ `
  id fiscalYear status amount { amount currency } computedAt closedAt
  split { version effectiveFromYear }
  funds { kind name pct amount { amount } }
  members { id producer { id } transactions { amount } capital { amount } transactionsPart { amount } capitalPart { amount } total { amount } }
  totals { transactions { amount } capital { amount } transactionsPart { amount } capitalPart { amount } total { amount } }
`;

const COMPUTE_YEAR = /* GraphQL */ `
  mutation ($input: ComputeShuYearInput!) {
    computeShuYear(input: $input) {
      __typename
      ... on ShuYear { ${YEAR_FIELDS} }
      ... on ShuYearClosedError { fiscalYear path }
      ... on ShuNotDistributableError { part partAmount { amount } path }
      ${ERROR_FIELDS}
    }
  }`;

const CLOSE_YEAR = /* GraphQL */ `
  mutation ($input: CloseShuYearInput!) {
    closeShuYear(input: $input) {
      __typename
      ... on ShuYear { id status closedAt }
      ... on ShuYearClosedError { fiscalYear path }
      ... on ConflictError { path }
      ${ERROR_FIELDS}
    }
  }`;

const SHU_YEAR = /* GraphQL */ `
  query ($cooperativeId: ID!, $fiscalYear: Int!) {
    shuYear(cooperativeId: $cooperativeId, fiscalYear: $fiscalYear) { ${YEAR_FIELDS} csv }
  }`;

const NODE_YEAR = /* GraphQL */ `query ($id: ID!) { node(id: $id) { __typename ... on ShuYear { fiscalYear } } }`;
const NODE_LINE = /* GraphQL */ `query ($id: ID!) { node(id: $id) { __typename ... on ShuMemberLine { fiscalYear total { amount } } } }`;

const MEMBER_LINES = /* GraphQL */ `
  query ($fiscalYear: Int) {
    shuMemberLines(first: 100, fiscalYear: $fiscalYear) {
      edges { node { id fiscalYear status producer { id } transactions { amount } capital { amount } transactionsPart { amount } capitalPart { amount } total { amount } } }
    }
  }`;

const CAPITAL_RECORDS = /* GraphQL */ `
  query ($cooperativeId: ID) {
    capitalRecords(first: 100, cooperativeId: $cooperativeId) { edges { node { id kind amount { amount } producer { id } } } }
  }`;

const COOP_SHU = /* GraphQL */ `
  query ($id: ID!) { node(id: $id) { ... on Cooperative { shuSplits { version } shuYears { fiscalYear status } } } }`;

// World -----------------------------------------------------------------------------------------

/** The common split from domain.md: 40 % reserve, 25 % transactions, 15 % capital, 5 % each to four funds. */
const COMMON_SPLIT = {
  reservePct: '40', transactionsPct: '25', capitalPct: '15',
  funds: [
    { name: 'Dana pengurus', pct: '5' }, { name: 'Dana karyawan', pct: '5' },
    { name: 'Dana pendidikan', pct: '5' }, { name: 'Dana sosial', pct: '5' },
  ],
};
const SEN = 100;
const CURRENT_YEAR = new Date().getUTCFullYear();
const TODAY = new Date().toISOString().slice(0, 10);

let t: TestApp;
let w: OrderWorld;
let order: Row<'orders'>;
/** The five members of w.coop in id order: p[0] is w.producer (with a login). */
let p: Row<'producers'>[];
let admin: Actor;
let manager: Actor;
let otherManager: Actor;
let member: Actor;

const coopId = () => gid('Cooperative', w.coop.id);
const money = (amount: string, currency = 'IDR') => ({ amount, currency });

beforeAll(async () => {
  t = await createTestApp();
  w = await createOrderWorld(t);
  const db = t.database.db;
  const extra = [];
  for (let i = 0; i < 4; i++) extra.push(await insertProducer(db, { cooperativeId: w.coop.id }));
  p = [w.producer, ...extra];
  ({ admin, coopManager: manager, otherCoopManager: otherManager, producer: member } = w.as);
  order = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, status: 'SHIPPED' });

  // Statements through w.coop dated in 2025 (the transactions of the worked example, in sen):
  // p0 30,000,000 in two statements, p1 20,000,000, p2 10,000,000, p3 nothing, p4 15,000,000.
  const st = (producer: Row<'producers'>, fiscalDate: string, rupiah: number, cooperativeId: number | null = w.coop.id) =>
    insertStatement(db, { order, producerId: producer.id, cooperativeId, fiscalDate, amountIdrMinor: rupiah * SEN });
  await st(p[0]!, '2025-01-01', 10_000_000);
  await st(p[0]!, '2025-12-31', 20_000_000);
  await st(p[1]!, '2025-06-15', 20_000_000);
  await st(p[2]!, '2025-07-01', 10_000_000);
  await st(p[4]!, '2025-09-09', 15_000_000);
  // Not counted: outside the year, or delivered through another cooperative.
  await st(p[0]!, '2024-12-31', 99_000_000);
  await st(p[1]!, '2026-01-01', 99_000_000);
  await st(p[2]!, '2025-08-01', 99_000_000, w.otherCoop.id);
  await st(w.otherProducer, '2025-08-01', 5_000_000, w.otherCoop.id);
});

afterAll(async () => {
  await t?.close();
});

async function recordCapital(actor: Actor, producer: Row<'producers'>, kind: 'POKOK' | 'WAJIB', rupiah: string, recordedOn: string, reference?: string) {
  return t.gql(RECORD_CAPITAL, { input: { producerId: gid('Producer', producer.id), kind, amount: money(rupiah), recordedOn, ...(reference ? { reference } : {}) } }, actor.token);
}

// Tests -----------------------------------------------------------------------------------------

describe('members\' capital', () => {
  it('the cooperative\'s manager records simpanan pokok and wajib; the admin may too', async () => {
    // given the five members
    // when their capital is recorded (p0 also pays wajib after the end of 2025, which does not count for 2025)
    const first = result(await recordCapital(manager, p[0]!, 'POKOK', '200000', '2023-01-05', 'KW-0001'), 'recordMemberCapital', 'CapitalRecord');
    expect(first).toMatchObject({ kind: 'POKOK', amount: { amount: '200000.00', currency: 'IDR' }, recordedOn: '2023-01-05', reference: 'KW-0001', cooperative: { id: coopId() } });
    result(await recordCapital(manager, p[0]!, 'WAJIB', '1000000', '2025-06-30'), 'recordMemberCapital', 'CapitalRecord');
    result(await recordCapital(manager, p[0]!, 'WAJIB', '500000', '2026-01-15'), 'recordMemberCapital', 'CapitalRecord');
    result(await recordCapital(admin, p[1]!, 'POKOK', '1200000', '2024-02-01'), 'recordMemberCapital', 'CapitalRecord');
    result(await recordCapital(manager, p[2]!, 'POKOK', '600000', '2024-02-01'), 'recordMemberCapital', 'CapitalRecord');
    result(await recordCapital(manager, p[3]!, 'WAJIB', '600000', '2025-12-31'), 'recordMemberCapital', 'CapitalRecord');
    result(await recordCapital(manager, p[4]!, 'POKOK', '400000', '2025-03-01'), 'recordMemberCapital', 'CapitalRecord');
    // then the manager lists them all and the member only their own
    const all = await t.gql(CAPITAL_RECORDS, { cooperativeId: coopId() }, manager.token);
    expect(all.data.capitalRecords.edges).toHaveLength(7);
    const own = await t.gql(CAPITAL_RECORDS, {}, member.token);
    expect(own.data.capitalRecords.edges.map((e: any) => e.node.producer.id)).toEqual([gid('Producer', p[0]!.id), gid('Producer', p[0]!.id), gid('Producer', p[0]!.id)]);
  });

  it('pages through the records with cursors, in record order', async () => {
    const PAGE = /* GraphQL */ `
      query ($after: String) { capitalRecords(first: 3, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: any = (await t.gql(PAGE, { after }, manager.token)).data.capitalRecords;
      ids.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const all = (await t.gql(CAPITAL_RECORDS, { cooperativeId: coopId() }, manager.token)).data.capitalRecords.edges.map((e: any) => e.node.id);
    expect(ids).toEqual(all);
    expect(ids).toHaveLength(7);
  });

  it('a wrong record is cancelled by a reversing record, once; the member\'s capital is as if it had never been made', async () => {
    // given a typo: Rp 6,000,000 instead of 600,000 for p3
    const wrong = result(await recordCapital(manager, p[3]!, 'WAJIB', '6000000', '2025-12-31'), 'recordMemberCapital', 'CapitalRecord');
    const reverse = (actor: Actor, capitalRecordId: string, reason = 'typo: Rp 600.000, see KW-0107') =>
      t.gql(REVERSE_CAPITAL, { input: { capitalRecordId, reason } }, actor.token);
    // when someone else tries / then refused
    expect(result(await reverse(otherManager, wrong.id), 'reverseCapitalRecord', 'NotFoundError', 'NOT_FOUND').path).toBe('input.capitalRecordId');
    result(await reverse(member, wrong.id), 'reverseCapitalRecord', 'ForbiddenError', 'FORBIDDEN');
    expect(result(await reverse(manager, wrong.id, ' '), 'reverseCapitalRecord', 'ValidationError', 'VALIDATION_FAILED').issues[0].path).toBe('input.reason');
    // when the manager reverses it
    const reversal = result(await reverse(manager, wrong.id), 'reverseCapitalRecord', 'CapitalRecord');
    expect(reversal).toMatchObject({ kind: 'WAJIB', amount: { amount: '-6000000.00', currency: 'IDR' }, recordedOn: '2025-12-31', reverses: { id: wrong.id }, reason: 'typo: Rp 600.000, see KW-0107' });
    // then neither can be reversed again
    expect(result(await reverse(manager, wrong.id), 'reverseCapitalRecord', 'ConflictError', 'CONFLICT').message).toMatch(/already reversed/);
    expect(result(await reverse(admin, reversal.id), 'reverseCapitalRecord', 'ConflictError', 'CONFLICT').message).toMatch(/itself a correction/);
    // (the year 2025 below counts p3 with Rp 600,000)
  });

  it('refuses anyone else: another cooperative\'s manager gets not-found, other roles forbidden, anonymous unauthenticated; nothing written', async () => {
    const before = await shuCounts(t.database.db);
    const other = await recordCapital(otherManager, p[1]!, 'POKOK', '100', '2025-01-01');
    expect(result(other, 'recordMemberCapital', 'NotFoundError', 'NOT_FOUND').path).toBe('input.producerId');
    for (const actor of [member, w.as.brandManager, w.as.buyer, w.as.curator]) {
      result(await recordCapital(actor, p[1]!, 'POKOK', '100', '2025-01-01'), 'recordMemberCapital', 'ForbiddenError', 'FORBIDDEN');
    }
    result(await recordCapital({ id: 0, token: '' }, p[1]!, 'POKOK', '100', '2025-01-01'), 'recordMemberCapital', 'UnauthenticatedError', 'UNAUTHENTICATED');
    // and they see none of the records
    for (const actor of [otherManager, w.as.buyer, w.as.brandManager, w.as.otherProducer]) {
      expect((await t.gql(CAPITAL_RECORDS, { cooperativeId: coopId() }, actor.token)).data.capitalRecords.edges).toEqual([]);
    }
    expect(await shuCounts(t.database.db)).toEqual(before);
  });

  it('refuses bad input naming the field, with nothing written', async () => {
    const before = await shuCounts(t.database.db);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: money('100', 'USD') }, 'input.amount.currency'],
      [{ amount: money('0') }, 'input.amount.amount'],
      [{ amount: money('-5') }, 'input.amount.amount'],
      [{ amount: money('10.005') }, 'input.amount.amount'],
      [{ recordedOn: '2999-01-01' }, 'input.recordedOn'],
      [{ recordedOn: '1999-12-31' }, 'input.recordedOn'],
      [{ reference: 'x'.repeat(201) }, 'input.reference'],
      [{ producerId: gid('Lot', p[0]!.id) }, 'input.producerId'],
    ];
    for (const [change, path] of cases) {
      const input = { producerId: gid('Producer', p[0]!.id), kind: 'WAJIB', amount: money('100'), recordedOn: '2025-01-01', ...change };
      const res = await t.gql(RECORD_CAPITAL, { input }, manager.token);
      const error = result(res, 'recordMemberCapital', 'ValidationError', 'VALIDATION_FAILED');
      expect(error.issues.map((i: any) => i.path), JSON.stringify(error)).toEqual([path]);
    }
    const unknown = await t.gql(RECORD_CAPITAL, { input: { producerId: gid('Producer', 999_999), kind: 'WAJIB', amount: money('100'), recordedOn: '2025-01-01' } }, manager.token);
    expect(result(unknown, 'recordMemberCapital', 'NotFoundError', 'NOT_FOUND').path).toBe('input.producerId');
    expect(await shuCounts(t.database.db)).toEqual(before);
  });
});

describe('the statutes\' SHU split', () => {
  it('is set as versions effective from a fiscal year; the common split sums to 100 %', async () => {
    const v1 = result(await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2025, ...COMMON_SPLIT } }, manager.token), 'setShuSplit', 'ShuSplit');
    expect(v1).toEqual({
      __typename: 'ShuSplit', version: 1, effectiveFromYear: 2025, reservePct: '40.00', transactionsPct: '25.00', capitalPct: '15.00',
      funds: COMMON_SPLIT.funds.map((f) => ({ name: f.name, pct: '5.00' })),
    });
    // a later version from 2026 on (does not apply to 2025)
    const v2 = result(await t.gql(SET_SPLIT, {
      input: { cooperativeId: coopId(), effectiveFromYear: 2026, reservePct: '50', transactionsPct: '20', capitalPct: '10', funds: [{ name: 'Dana pendidikan', pct: '12.5' }, { name: 'Dana sosial', pct: '7.5' }] },
    }, manager.token), 'setShuSplit', 'ShuSplit');
    expect(v2).toMatchObject({ version: 2, effectiveFromYear: 2026, funds: [{ name: 'Dana pendidikan', pct: '12.50' }, { name: 'Dana sosial', pct: '7.50' }] });
    const coop = await t.gql(COOP_SHU, { id: coopId() }, manager.token);
    expect(coop.data.node.shuSplits).toEqual([{ version: 2 }, { version: 1 }]);
  });

  it('refuses rules that sum above (or below) 100 %, bad percentages and duplicate funds, naming the field; nothing written', async () => {
    const before = await shuCounts(t.database.db);
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ funds: [...COMMON_SPLIT.funds.slice(0, 3), { name: 'Dana sosial', pct: '10' }] }, ['input']],
      [{ reservePct: '39.99' }, ['input']],
      [{ reservePct: '12.345' }, ['input.reservePct']],
      [{ capitalPct: '101' }, ['input.capitalPct']],
      [{ funds: [{ name: 'Dana sosial', pct: '10' }, { name: 'dana sosial', pct: '10' }] }, ['input.funds.1.name']],
      [{ effectiveFromYear: 1999 }, ['input.effectiveFromYear']],
    ];
    for (const [change, paths] of cases) {
      const res = await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2027, ...COMMON_SPLIT, ...change } }, manager.token);
      const error = result(res, 'setShuSplit', 'ValidationError', 'VALIDATION_FAILED');
      expect(error.issues.map((i: any) => i.path), JSON.stringify(error)).toEqual(paths);
    }
    const above = await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2027, ...COMMON_SPLIT, reservePct: '45' } }, manager.token);
    expect(above.data.setShuSplit.issues[0].message).toMatch(/must sum to exactly 100 %, got 105.00 %/);
    // another cooperative's manager, a producer and a buyer may not set it
    result(await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2027, ...COMMON_SPLIT } }, otherManager.token), 'setShuSplit', 'ForbiddenError', 'FORBIDDEN');
    result(await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2027, ...COMMON_SPLIT } }, member.token), 'setShuSplit', 'ForbiddenError', 'FORBIDDEN');
    result(await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2027, ...COMMON_SPLIT } }, w.as.buyer.token), 'setShuSplit', 'ForbiddenError', 'FORBIDDEN');
    const unknown = await t.gql(SET_SPLIT, { input: { cooperativeId: gid('Cooperative', 999_999), effectiveFromYear: 2027, ...COMMON_SPLIT } }, admin.token);
    expect(result(unknown, 'setShuSplit', 'NotFoundError', 'NOT_FOUND').path).toBe('input.cooperativeId');
    expect(await shuCounts(t.database.db)).toEqual(before);
    // and they do not see the split versions
    expect((await t.gql(COOP_SHU, { id: coopId() }, otherManager.token)).data.node).toEqual({ shuSplits: [], shuYears: [] });
  });
});

describe('the year 2025: five members, Rp 50,000,003 of SHU (the worked example of test/shu/core.test.ts)', () => {
  let yearId: string;

  it('refuses bad input naming the field, and a year without a split in force; nothing written', async () => {
    const before = await shuCounts(t.database.db);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: money('50000003.50') }, 'input.amount.amount'],
      [{ amount: money('0') }, 'input.amount.amount'],
      [{ amount: money('100', 'USD') }, 'input.amount.currency'],
      [{ fiscalYear: CURRENT_YEAR + 1 }, 'input.fiscalYear'],
      [{ fiscalYear: 2024 }, 'input.fiscalYear'], // no split in force before 2025
    ];
    for (const [change, path] of cases) {
      const res = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('50000003'), ...change } }, manager.token);
      const error = result(res, 'computeShuYear', 'ValidationError', 'VALIDATION_FAILED');
      expect(error.issues.map((i: any) => i.path), JSON.stringify(error)).toEqual([path]);
    }
    result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('1000') } }, otherManager.token), 'computeShuYear', 'ForbiddenError', 'FORBIDDEN');
    result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('1000') } }, member.token), 'computeShuYear', 'ForbiddenError', 'FORBIDDEN');
    result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('1000') } }, w.as.buyer.token), 'computeShuYear', 'ForbiddenError', 'FORBIDDEN');
    expect(await shuCounts(t.database.db)).toEqual(before);
  });

  it('computes every member\'s share from the statements and capital records, exactly as by hand', async () => {
    // when the manager enters the year's SHU
    const res = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('50000003') } }, manager.token);
    const year = result(res, 'computeShuYear', 'ShuYear');
    yearId = year.id;
    // then (see the hand computation in test/shu/core.test.ts: p0..p4 are producers 11..15 there)
    expect(year).toMatchObject({ fiscalYear: 2025, status: 'DRAFT', amount: { amount: idr(50_000_003), currency: 'IDR' }, closedAt: null, split: { version: 1, effectiveFromYear: 2025 } });
    expect(year.funds.map((f: any) => [f.kind, f.name, f.pct, f.amount.amount])).toEqual([
      ['RESERVE', 'Dana cadangan', '40.00', idr(20_000_001)],
      ['MEMBERS_TRANSACTIONS', 'Jasa anggota (transaksi)', '25.00', idr(12_500_001)],
      ['MEMBERS_CAPITAL', 'Jasa modal (simpanan)', '15.00', idr(7_500_001)],
      ['FUND', 'Dana pengurus', '5.00', idr(2_500_000)],
      ['FUND', 'Dana karyawan', '5.00', idr(2_500_000)],
      ['FUND', 'Dana pendidikan', '5.00', idr(2_500_000)],
      ['FUND', 'Dana sosial', '5.00', idr(2_500_000)],
    ]);
    expect(year.members.map((m: any) => [m.producer.id, m.transactions.amount, m.capital.amount, m.transactionsPart.amount, m.capitalPart.amount, m.total.amount])).toEqual([
      [gid('Producer', p[0]!.id), idr(30_000_000), idr(1_200_000), idr(5_000_000), idr(2_250_001), idr(7_250_001)],
      [gid('Producer', p[1]!.id), idr(20_000_000), idr(1_200_000), idr(3_333_334), idr(2_250_000), idr(5_583_334)],
      [gid('Producer', p[2]!.id), idr(10_000_000), idr(600_000), idr(1_666_667), idr(1_125_000), idr(2_791_667)],
      [gid('Producer', p[3]!.id), idr(0), idr(600_000), idr(0), idr(1_125_000), idr(1_125_000)],
      [gid('Producer', p[4]!.id), idr(15_000_000), idr(400_000), idr(2_500_000), idr(750_000), idr(3_250_000)],
    ]);
    expect(year.totals).toEqual({
      transactions: { amount: idr(75_000_000) }, capital: { amount: idr(4_000_000) },
      transactionsPart: { amount: idr(12_500_001) }, capitalPart: { amount: idr(7_500_001) }, total: { amount: idr(20_000_002) },
    });
  });

  it('computing the draft again replaces its figures (the amount changed), one year row', async () => {
    const again = result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('100') } }, admin.token), 'computeShuYear', 'ShuYear');
    expect(again.id).toBe(yearId);
    expect(again.funds.reduce((s: number, f: any) => s + Number(f.amount.amount), 0)).toBe(100);
    const back = result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('50000003') } }, manager.token), 'computeShuYear', 'ShuYear');
    expect(back.totals.total.amount).toBe(idr(20_000_002));
    expect(Number((await sql<{ n: number }>`select count(*) as n from shu_years`.execute(t.database.db)).rows[0]!.n)).toBe(1);
  });

  it('the report reads the same through shuYear, and as CSV with totals that add up', async () => {
    const res = await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, manager.token);
    const year = res.data.shuYear;
    expect(year.id).toBe(yearId);
    const lines = (year.csv as string).split('\r\n');
    expect(lines.slice(0, 13)).toEqual([
      'fiscal_year,cooperative,status,shu_idr',
      `2025,${w.coop.name},DRAFT,50000003.00`,
      '',
      'fund,pct,amount_idr',
      'Dana cadangan,40.00,20000001.00',
      'Jasa anggota (transaksi),25.00,12500001.00',
      'Jasa modal (simpanan),15.00,7500001.00',
      'Dana pengurus,5.00,2500000.00',
      'Dana karyawan,5.00,2500000.00',
      'Dana pendidikan,5.00,2500000.00',
      'Dana sosial,5.00,2500000.00',
      'TOTAL,100.00,50000003.00',
      '',
    ]);
    expect(lines[13]).toBe('producer_id,member,transactions_idr,capital_idr,shu_transactions_idr,shu_capital_idr,shu_total_idr');
    expect(lines[14]).toBe(`${p[0]!.id},${p[0]!.display_name},30000000.00,1200000.00,5000000.00,2250001.00,7250001.00`);
    expect(lines[18]).toBe(`${p[4]!.id},${p[4]!.display_name},15000000.00,400000.00,2500000.00,750000.00,3250000.00`);
    expect(lines[19]).toBe('TOTAL,5 members,75000000.00,4000000.00,12500001.00,7500001.00,20000002.00');
    expect(lines[20]).toBe('');
  });

  it('is seen by its manager and admins; the member sees only their own line of the draft; others see nothing', async () => {
    expect((await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, admin.token)).data.shuYear.id).toBe(yearId);
    for (const actor of [otherManager, member, w.as.buyer, w.as.brandManager, w.as.curator]) {
      const res = await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, actor.token);
      expect(res.errors).toBeUndefined();
      expect(res.data.shuYear).toBeNull();
      expect((await t.gql(NODE_YEAR, { id: yearId }, actor.token)).data.node).toBeNull();
    }
    // a year that does not exist looks the same
    expect((await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2020 }, manager.token)).data.shuYear).toBeNull();
    const own = (await t.gql(MEMBER_LINES, { fiscalYear: 2025 }, member.token)).data.shuMemberLines.edges;
    expect(own.map((e: any) => [e.node.producer.id, e.node.status, e.node.total.amount])).toEqual([[gid('Producer', p[0]!.id), 'DRAFT', idr(7_250_001)]]);
    expect((await t.gql(MEMBER_LINES, { fiscalYear: 2025 }, manager.token)).data.shuMemberLines.edges).toHaveLength(5);
    expect((await t.gql(COOP_SHU, { id: coopId() }, manager.token)).data.node.shuYears).toEqual([{ fiscalYear: 2025, status: 'DRAFT' }]);
  });

  it('closing refuses a year whose data changed since the draft; computing again then closing freezes it', async () => {
    // given a statement settled after the draft was computed (dated in 2025)
    await insertStatement(t.database.db, { order, producerId: p[3]!.id, cooperativeId: w.coop.id, fiscalDate: '2025-12-30', amountIdrMinor: 5_000_000 * SEN });
    // when the manager closes / then refused: the figures changed
    const stale = await t.gql(CLOSE_YEAR, { input: { shuYearId: yearId } }, manager.token);
    expect(result(stale, 'closeShuYear', 'ConflictError', 'CONFLICT').path).toBe('input.shuYearId');
    expect((await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, manager.token)).data.shuYear.status).toBe('DRAFT');
    // another cooperative's manager and a member cannot close it (it does not exist for them)
    expect(result(await t.gql(CLOSE_YEAR, { input: { shuYearId: yearId } }, otherManager.token), 'closeShuYear', 'NotFoundError', 'NOT_FOUND').path).toBe('input.shuYearId');
    result(await t.gql(CLOSE_YEAR, { input: { shuYearId: yearId } }, member.token), 'closeShuYear', 'ForbiddenError', 'FORBIDDEN');
    // when computed again: p3 now has transactions (T = 80,000,000)
    const recomputed = result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('50000003') } }, manager.token), 'computeShuYear', 'ShuYear');
    //   12,500,001 × t/80,000,000: p0 4,687,500.375, p1 3,125,000.25, p2 1,562,500.125, p3 781,250.0625, p4 2,343,750.1875
    //   floors sum to 12,500,000; 1 left → largest remainder .375 (p0)
    expect(recomputed.members.map((m: any) => m.transactionsPart.amount)).toEqual([idr(4_687_501), idr(3_125_000), idr(1_562_500), idr(781_250), idr(2_343_750)]);
    expect(recomputed.totals.transactionsPart.amount).toBe(idr(12_500_001));
    const closed = result(await t.gql(CLOSE_YEAR, { input: { shuYearId: yearId } }, manager.token), 'closeShuYear', 'ShuYear');
    expect(closed.status).toBe('CLOSED');
    expect(closed.closedAt).toEqual(expect.any(String));
  });

  it('a closed year keeps its figures: later data changes nothing, computing, closing and re-splitting it are refused', async () => {
    const before = (await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, manager.token)).data.shuYear;
    const counts = await shuCounts(t.database.db);
    // given more statements and capital dated in 2025, recorded after closing
    await insertStatement(t.database.db, { order, producerId: p[1]!.id, cooperativeId: w.coop.id, fiscalDate: '2025-05-05', amountIdrMinor: 7_000_000 * SEN });
    result(await recordCapital(manager, p[4]!, 'WAJIB', '800000', '2025-11-11'), 'recordMemberCapital', 'CapitalRecord');
    // then the report is unchanged
    const after = (await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, manager.token)).data.shuYear;
    expect(after).toEqual(before);
    // and the year cannot be computed again, closed again, or given a new split
    const again = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: 2025, amount: money('1') } }, manager.token);
    expect(result(again, 'computeShuYear', 'ShuYearClosedError', 'SHU_YEAR_CLOSED')).toMatchObject({ fiscalYear: 2025, path: 'input.fiscalYear' });
    result(await t.gql(CLOSE_YEAR, { input: { shuYearId: yearId } }, manager.token), 'closeShuYear', 'ShuYearClosedError', 'SHU_YEAR_CLOSED');
    const split = await t.gql(SET_SPLIT, { input: { cooperativeId: coopId(), effectiveFromYear: 2025, ...COMMON_SPLIT } }, manager.token);
    expect(result(split, 'setShuSplit', 'ConflictError', 'CONFLICT').path).toBe('input.effectiveFromYear');
    expect(await shuCounts(t.database.db)).toEqual({ ...counts, shu_capital_records: counts.shu_capital_records! + 1 });
    // the database refuses changes too
    await expect(sql`update shu_year_members set total_idr_minor = total_idr_minor where year_id = ${Number(Buffer.from(yearId, 'base64').toString().split(':')[1])}`.execute(t.database.db)).rejects.toThrow(/closed/);
    await expect(sql`delete from shu_years where status = 'CLOSED'`.execute(t.database.db)).rejects.toThrow(/closed/);
  });

  it('each member reads their own line of the closed year, and no one else\'s', async () => {
    const own = await t.gql(MEMBER_LINES, { fiscalYear: 2025 }, member.token);
    expect(own.data.shuMemberLines.edges.map((e: any) => [e.node.producer.id, e.node.status, e.node.total.amount])).toEqual([
      [gid('Producer', p[0]!.id), 'CLOSED', idr(4_687_501 + 2_250_001)],
    ]);
    const lines = (await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, manager.token)).data.shuYear.members;
    const otherLine = lines[1].id;
    expect((await t.gql(NODE_LINE, { id: own.data.shuMemberLines.edges[0].node.id }, member.token)).data.node.fiscalYear).toBe(2025);
    expect((await t.gql(NODE_LINE, { id: otherLine }, member.token)).data.node).toBeNull();
    for (const actor of [otherManager, w.as.buyer, w.as.brandManager, w.as.otherProducer]) {
      expect((await t.gql(MEMBER_LINES, {}, actor.token)).data.shuMemberLines.edges, String(actor.id)).toEqual([]);
      expect((await t.gql(NODE_LINE, { id: otherLine }, actor.token)).data.node).toBeNull();
    }
    // anonymous callers are refused outright
    expect((await t.gql(MEMBER_LINES, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('years that cannot be closed or split', () => {
  it('the running fiscal year can be computed as a draft but not closed before it ends', async () => {
    await insertStatement(t.database.db, { order, producerId: p[0]!.id, cooperativeId: w.coop.id, fiscalDate: TODAY, amountIdrMinor: 1_000_000 * SEN });
    const draft = result(await t.gql(COMPUTE_YEAR, { input: { cooperativeId: coopId(), fiscalYear: CURRENT_YEAR, amount: money('1000000') } }, manager.token), 'computeShuYear', 'ShuYear');
    expect(draft.split.version).toBe(2);
    expect(draft.funds.map((f: any) => f.pct)).toEqual(['50.00', '20.00', '10.00', '12.50', '7.50']);
    const closing = await t.gql(CLOSE_YEAR, { input: { shuYearId: draft.id } }, manager.token);
    expect(result(closing, 'closeShuYear', 'ConflictError', 'CONFLICT').message).toMatch(new RegExp(`runs until ${CURRENT_YEAR}-12-31`));
  });

  it('a members\' part with nothing to split by is a typed error, nothing written', async () => {
    // given the other cooperative: a split from 2020, no deliveries in 2021, no capital
    const otherCoopId = gid('Cooperative', w.otherCoop.id);
    result(await t.gql(SET_SPLIT, { input: { cooperativeId: otherCoopId, effectiveFromYear: 2020, ...COMMON_SPLIT } }, otherManager.token), 'setShuSplit', 'ShuSplit');
    const before = await shuCounts(t.database.db);
    const res = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: otherCoopId, fiscalYear: 2021, amount: money('1000000') } }, otherManager.token);
    expect(result(res, 'computeShuYear', 'ShuNotDistributableError', 'SHU_NOT_DISTRIBUTABLE')).toMatchObject({ part: 'TRANSACTIONS', partAmount: { amount: idr(250_000) } });
    // 2025 has a delivery but nobody has capital
    const noCapital = await t.gql(COMPUTE_YEAR, { input: { cooperativeId: otherCoopId, fiscalYear: 2025, amount: money('1000000') } }, otherManager.token);
    expect(result(noCapital, 'computeShuYear', 'ShuNotDistributableError', 'SHU_NOT_DISTRIBUTABLE').part).toBe('CAPITAL');
    expect(await shuCounts(t.database.db)).toEqual(before);
  });

  it('a new cooperative member account sees nothing until a year has their line', async () => {
    const newcomer = await insertProducer(t.database.db, { cooperativeId: w.coop.id });
    const account = await createUser(t, [['PRODUCER', newcomer.id]]);
    expect((await t.gql(MEMBER_LINES, {}, account.token)).data.shuMemberLines.edges).toEqual([]);
    expect((await t.gql(CAPITAL_RECORDS, {}, account.token)).data.capitalRecords.edges).toEqual([]);
  });
});

describe('the report as an HTTP download (bearer auth)', () => {
  const download = (cooperativeId: string, year: string | number, token?: string) =>
    t.app.inject({ method: 'GET', url: `/exports/shu/${encodeURIComponent(cooperativeId)}/${year}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('gives the manager the same CSV as ShuYear.csv, as an attachment', async () => {
    const csv = (await t.gql(SHU_YEAR, { cooperativeId: coopId(), fiscalYear: 2025 }, manager.token)).data.shuYear.csv;
    const res = await download(coopId(), 2025, manager.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="shu-${w.coop.id}-2025.csv"`);
    expect(res.body).toBe(csv);
    expect(res.body.split('\r\n')[1]).toBe(`2025,${w.coop.name},CLOSED,50000003.00`);
  });

  it('answers 401 without a valid token, 404 for a year you may not see or that does not exist, 400 for a malformed address', async () => {
    expect((await download(coopId(), 2025)).statusCode).toBe(401);
    expect((await download(coopId(), 2025, 'not.a.token')).statusCode).toBe(401);
    for (const actor of [otherManager, member, w.as.buyer, w.as.brandManager]) expect((await download(coopId(), 2025, actor.token)).statusCode).toBe(404);
    expect((await download(coopId(), 2019, manager.token)).statusCode).toBe(404);
    expect((await download(gid('Lot', 1), 2025, manager.token)).statusCode).toBe(400);
    expect((await download(coopId(), 'next', manager.token)).statusCode).toBe(400);
  });

  it('refuses in the caller\'s language, with the same code and body shape for an invisible and an unknown year', async () => {
    const inLanguage = async (year: string | number, token: string, lang: string) =>
      (await t.app.inject({ method: 'GET', url: `/exports/shu/${encodeURIComponent(coopId())}/${year}`, headers: { authorization: `Bearer ${token}`, 'accept-language': lang } })).json();
    expect(await inLanguage(2019, manager.token, 'en')).toEqual({ errors: [{ message: 'SHU year not found', extensions: { code: 'NOT_FOUND' } }] });
    const id = await inLanguage(2019, manager.token, 'id');
    expect(id).toEqual({ errors: [{ message: 'Tahun buku SHU tidak ditemukan.', extensions: { code: 'NOT_FOUND' } }] });
    expect(await inLanguage(2025, otherManager.token, 'id')).toEqual(id);
    const bad = await inLanguage('next', manager.token, 'id');
    expect(bad.errors[0].extensions).toEqual({ code: 'VALIDATION_FAILED', issues: [{ path: 'fiscalYear', message: 'harus berupa tahun, misalnya 2026' }] });
  });
});
