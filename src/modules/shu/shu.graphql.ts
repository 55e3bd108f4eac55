import DataLoader from 'dataloader';
import { BusyError, ConflictError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors, ErrorInterface } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { MoneyInput, MoneyRef } from '../orders/orders.graphql.js';
import { CooperativeRef, ProducerRef } from '../refs.js';
import { bpToPct, ShuNotDistributableError } from './shu-core.js';
import * as repo from './shu.repo.js';
import * as shu from './shu.service.js';
import { type CapitalRecordRow, shuDb, type ShuYearRow } from './shu.tables.js';

const idrMoney = (minor: number) => ({ minor, currency: 'IDR' });

// Enums and errors ----------------------------------------------------------------------------

const CapitalKindEnum = builder.enumType('CapitalKind', {
  description: 'Which kind of member capital (simpanan) a record is.',
  values: {
    POKOK: { description: 'Simpanan pokok: paid once on joining the cooperative.' },
    WAJIB: { description: 'Simpanan wajib: the regular compulsory contribution.' },
  } as const,
});

const ShuYearStatusEnum = builder.enumType('ShuYearStatus', {
  description: 'Whether a fiscal year\'s SHU figures may still change.',
  values: {
    DRAFT: { description: 'Computed from the data at computedAt; computing again replaces the figures.' },
    CLOSED: { description: 'Closed: the figures are final and never change.' },
  } as const,
});

const ShuFundKindEnum = builder.enumType('ShuFundKind', {
  description: 'What a line of the statutes\' SHU split is for.',
  values: {
    RESERVE: { description: 'Dana cadangan, the reserve.' },
    MEMBERS_TRANSACTIONS: { description: 'The members\' part split by their transactions with the cooperative.' },
    MEMBERS_CAPITAL: { description: 'The members\' part split by their capital (simpanan pokok and wajib).' },
    FUND: { description: 'One of the cooperative\'s own funds (management, staff, education, social, …).' },
  } as const,
});

builder.objectType(shu.ShuYearClosedError, {
  name: 'ShuYearClosedError',
  description: 'The fiscal year is closed: its SHU figures are final; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fiscalYear: t.exposeInt('fiscalYear', { description: 'The closed fiscal year.' }),
    path: t.exposeString('path', { nullable: true, description: 'The input field concerned.' }),
  }),
});

builder.objectType(ShuNotDistributableError, {
  name: 'ShuNotDistributableError',
  description: 'A members\' part of the SHU has nothing to be split by (no deliveries, or no capital, in the year); nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    part: t.exposeString('part', { description: 'TRANSACTIONS or CAPITAL.' }),
    partAmount: t.field({ type: MoneyRef, description: 'The amount of that part.', resolve: (e) => idrMoney(e.partAmount * 100) }),
    path: t.exposeString('path', { nullable: true, description: 'The input field concerned.' }),
  }),
});

// The statutes' split -------------------------------------------------------------------------

const ShuSplitFundRef = builder.objectRef<{ name: string; bp: number }>('ShuSplitFund').implement({
  description: 'One of the cooperative\'s own funds in the statutes\' split.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name of the fund, e.g. "Dana pendidikan".' }),
    pct: t.field({ type: 'Decimal', description: 'Its percentage of the year\'s SHU.', resolve: (f) => bpToPct(f.bp) }),
  }),
});

const ShuSplitRef = builder.objectRef<shu.SplitView>('ShuSplit').implement({
  description: 'A version of the statutes\' (AD/ART) SHU split. Versions never change; a new one takes effect from a fiscal year.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'Version number within the cooperative, from 1.' }),
    effectiveFromYear: t.exposeInt('effective_from_year', { description: 'First fiscal year it applies to (until a later version takes effect).' }),
    reservePct: t.field({ type: 'Decimal', description: 'Dana cadangan, the reserve.', resolve: (s) => bpToPct(s.reserve_bp) }),
    transactionsPct: t.field({ type: 'Decimal', description: 'The members\' part by transactions.', resolve: (s) => bpToPct(s.transactions_bp) }),
    capitalPct: t.field({ type: 'Decimal', description: 'The members\' part by capital.', resolve: (s) => bpToPct(s.capital_bp) }),
    funds: t.field({ type: [ShuSplitFundRef], description: 'The cooperative\'s own funds, in the statutes\' order.', resolve: (s) => s.funds }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When this version was set.' }),
  }),
});

const splitLoaders = new WeakMap<object, DataLoader<number, shu.SplitView | null>>();
function splitLoader(ctx: Context) {
  let loader = splitLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly number[]) => {
      const views = await shu.splitsWithFunds(ctx.db, await repo.splitsByIds(shuDb(ctx.db), ids));
      return ids.map((id) => views.find((v) => v.id === id) ?? null);
    });
    splitLoaders.set(ctx, loader);
  }
  return loader;
}

// Capital records -----------------------------------------------------------------------------

const CapitalRecordRef = builder.loadableNodeRef('CapitalRecord', {
  id: { resolve: (r: CapitalRecordRow) => r.id },
  load: (ids: string[], ctx: Context) => repo.capitalRecordsByIds(shuDb(ctx.db), ids.map(Number)),
  sort: (r) => String(r.id),
});

CapitalRecordRef.implement({
  description: 'A member\'s capital paid into their cooperative (simpanan pokok or wajib). Seen by the cooperative\'s manager, the member and admins.',
  authScopes: (r, ctx) => shu.seesCapitalRecord(ctx.principal, r),
  fields: (t) => ({
    cooperative: t.field({ type: CooperativeRef, description: 'The cooperative it was paid into.', resolve: (r) => String(r.cooperative_id) }),
    producer: t.field({ type: ProducerRef, description: 'The member.', resolve: (r) => String(r.producer_id) }),
    kind: t.field({ type: CapitalKindEnum, description: 'Simpanan pokok or wajib.', resolve: (r) => r.kind }),
    amount: t.field({ type: MoneyRef, description: 'The amount, in IDR (negative for a correction).', resolve: (r) => idrMoney(r.amount_idr_minor) }),
    recordedOn: t.expose('recorded_on', { type: 'Date', description: 'The date it was paid: it counts for the fiscal years ending on or after it.' }),
    reference: t.exposeString('reference', { nullable: true, description: 'Receipt or ledger reference.' }),
    reverses: t.field({
      type: CapitalRecordRef,
      nullable: true,
      description: 'The wrong record this one cancels (its amount is then negative); null for a payment.',
      resolve: (r) => (r.reverses_id === null ? null : String(r.reverses_id)),
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why a correction was made; null for a payment.' }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When it was recorded.' }),
  }),
});

// The year ------------------------------------------------------------------------------------

interface YearParts {
  funds: Awaited<ReturnType<typeof repo.fundsOfYears>>;
  members: Awaited<ReturnType<typeof repo.membersOfYears>>;
}

/** Funds and member lines of many years in two queries per request. */
const partLoaders = new WeakMap<object, DataLoader<number, YearParts>>();
function yearParts(ctx: Context, yearId: number): Promise<YearParts> {
  let loader = partLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly number[]) => {
      const db = shuDb(ctx.db);
      const [funds, members] = await Promise.all([repo.fundsOfYears(db, ids), repo.membersOfYears(db, ids)]);
      return ids.map((id) => ({ funds: funds.filter((f) => f.year_id === id), members: members.filter((m) => m.year_id === id) }));
    });
    partLoaders.set(ctx, loader);
  }
  return loader.load(yearId);
}

const ShuFundAllocationRef = builder.objectRef<repo.YearFigures['funds'][number]>('ShuFundAllocation').implement({
  description: 'What one line of the statutes\' split gets of the year\'s SHU.',
  fields: (t) => ({
    kind: t.field({ type: ShuFundKindEnum, description: 'Reserve, a members\' part, or an own fund.', resolve: (f) => f.kind }),
    name: t.exposeString('name', { description: 'Name of the line, e.g. "Dana cadangan".' }),
    pct: t.field({ type: 'Decimal', description: 'Its percentage of the year\'s SHU.', resolve: (f) => bpToPct(f.bp) }),
    amount: t.field({ type: MoneyRef, description: 'Its amount in whole rupiah; the lines sum exactly to the year\'s SHU.', resolve: (f) => idrMoney(f.amount_idr_minor) }),
  }),
});

const ShuTotalsRef = builder.objectRef<ReturnType<typeof shu.totalsOf>>('ShuTotals').implement({
  description: 'Sums over every member line; the parts sum exactly to the members\' part of the SHU.',
  fields: (t) => ({
    transactions: t.field({ type: MoneyRef, description: 'All members\' transactions.', resolve: (s) => idrMoney(s.transactions) }),
    capital: t.field({ type: MoneyRef, description: 'All members\' capital.', resolve: (s) => idrMoney(s.capital) }),
    transactionsPart: t.field({ type: MoneyRef, description: 'Sum of the members\' SHU for transactions (= that fund).', resolve: (s) => idrMoney(s.transactionsPart) }),
    capitalPart: t.field({ type: MoneyRef, description: 'Sum of the members\' SHU for capital (= that fund).', resolve: (s) => idrMoney(s.capitalPart) }),
    total: t.field({ type: MoneyRef, description: 'Sum of the members\' SHU (= the members\' part).', resolve: (s) => idrMoney(s.total) }),
  }),
});

const ShuMemberLineRef = builder.loadableNodeRef('ShuMemberLine', {
  id: { resolve: (r: repo.MemberLineRow) => r.id },
  load: (ids: string[], ctx: Context) => repo.memberLinesByIds(shuDb(ctx.db), ids.map(Number)),
  sort: (r) => String(r.id),
});

ShuMemberLineRef.implement({
  description: 'One member\'s SHU for a fiscal year. Seen by the cooperative\'s manager, admins and the member themself (draft or closed).',
  authScopes: (line, ctx) => shu.seesMemberLine(ctx.principal, line),
  fields: (t) => ({
    fiscalYear: t.exposeInt('fiscal_year', { description: 'The fiscal year (calendar year).' }),
    status: t.field({ type: ShuYearStatusEnum, description: 'DRAFT or CLOSED (of the year).', resolve: (l) => l.status }),
    cooperative: t.field({ type: CooperativeRef, description: 'The cooperative.', resolve: (l) => String(l.cooperative_id) }),
    producer: t.field({ type: ProducerRef, description: 'The member.', resolve: (l) => String(l.producer_id) }),
    transactions: t.field({
      type: MoneyRef,
      description: 'What the member delivered through the cooperative in the year: the IDR amounts of their payout statements dated in it.',
      resolve: (l) => idrMoney(l.transactions_idr_minor),
    }),
    capital: t.field({ type: MoneyRef, description: 'Simpanan pokok and wajib paid in by the end of the year.', resolve: (l) => idrMoney(l.capital_idr_minor) }),
    transactionsPart: t.field({ type: MoneyRef, description: 'SHU for transactions: transactions / all transactions × that part.', resolve: (l) => idrMoney(l.transactions_part_idr_minor) }),
    capitalPart: t.field({ type: MoneyRef, description: 'SHU for capital: capital / all capital × that part.', resolve: (l) => idrMoney(l.capital_part_idr_minor) }),
    total: t.field({ type: MoneyRef, description: 'The member\'s SHU: both parts.', resolve: (l) => idrMoney(l.total_idr_minor) }),
  }),
});

const ShuYearRef = builder.loadableNodeRef('ShuYear', {
  id: { resolve: (r: ShuYearRow) => r.id },
  load: (ids: string[], ctx: Context) => repo.yearsByIds(shuDb(ctx.db), ids.map(Number)),
  sort: (r) => String(r.id),
});

ShuYearRef.implement({
  description: 'A cooperative\'s fiscal year of SHU (UU 25/1992 art. 45): the amount, its split and every member\'s share. Seen by the cooperative\'s manager and admins.',
  authScopes: (y, ctx) => shu.managesCooperative(ctx.principal, y.cooperative_id),
  fields: (t) => ({
    cooperative: t.field({ type: CooperativeRef, description: 'The cooperative.', resolve: (y) => String(y.cooperative_id) }),
    fiscalYear: t.exposeInt('fiscal_year', { description: 'The fiscal year (calendar year, 1 January – 31 December).' }),
    status: t.field({ type: ShuYearStatusEnum, description: 'DRAFT or CLOSED.', resolve: (y) => y.status }),
    amount: t.field({ type: MoneyRef, description: 'The year\'s SHU as entered by the manager (whole rupiah).', resolve: (y) => idrMoney(y.amount_idr_minor) }),
    split: t.field({
      type: ShuSplitRef,
      description: 'The statutes\' split version the figures were computed with.',
      resolve: async (y, _args, ctx) => (await splitLoader(ctx).load(y.split_id))!,
    }),
    funds: t.field({
      type: [ShuFundAllocationRef],
      description: 'The year\'s SHU by the statutes\' split: reserve, the two members\' parts, the own funds. They sum exactly to amount.',
      resolve: async (y, _args, ctx) => (await yearParts(ctx, y.id)).funds,
    }),
    members: t.field({
      type: [ShuMemberLineRef],
      description: 'Every member\'s line, by producer id.',
      complexity: { field: 1, multiplier: 20 },
      resolve: async (y, _args, ctx) =>
        (await yearParts(ctx, y.id)).members.map((m) => ({ ...m, cooperative_id: y.cooperative_id, fiscal_year: y.fiscal_year, status: y.status })),
    }),
    totals: t.field({ type: ShuTotalsRef, description: 'Sums over the member lines.', resolve: async (y, _args, ctx) => shu.totalsOf((await yearParts(ctx, y.id)).members) }),
    computedAt: t.expose('computed_at', { type: 'DateTime', description: 'When the figures were computed from the statements and capital records.' }),
    closedAt: t.expose('closed_at', { type: 'DateTime', nullable: true, description: 'When the year was closed; null while a draft.' }),
    csv: t.string({
      description: 'The report for the members\' meeting (Rapat Anggota) as CSV: the fund allocations with their total, then every member with the totals row.',
      complexity: 20,
      resolve: async (y, _args, ctx) => {
        const parts = await yearParts(ctx, y.id);
        const coop = await repo.findCooperative(shuDb(ctx.db), y.cooperative_id);
        return shu.reportCsv({ year: y, cooperativeName: coop?.name ?? '', funds: parts.funds, members: parts.members, totals: shu.totalsOf(parts.members) });
      },
    }),
  }),
});

builder.objectFields(CooperativeRef, (t) => ({
  shuSplits: t.loadableList({
    type: ShuSplitRef,
    description: 'The statutes\' SHU split versions, newest first (its manager and admins; empty for anyone else).',
    load: async (coopIds: number[], ctx) => {
      const managed = coopIds.filter((id) => shu.managesCooperative(ctx.principal, id));
      const views = await shu.splitsWithFunds(ctx.db, await repo.splitsOfCooperatives(shuDb(ctx.db), managed));
      return coopIds.map((id) => (managed.includes(id) ? views.filter((v) => v.cooperative_id === id) : []));
    },
    resolve: (coop) => coop.id,
  }),
  shuYears: t.loadableList({
    type: ShuYearRef,
    description: 'Its SHU fiscal years, newest first (its manager and admins; empty for anyone else).',
    load: async (coopIds: number[], ctx) => {
      const managed = coopIds.filter((id) => shu.managesCooperative(ctx.principal, id));
      const years = await repo.yearsOfCooperatives(shuDb(ctx.db), managed);
      return coopIds.map((id) => (managed.includes(id) ? years.filter((y) => y.cooperative_id === id) : []));
    },
    resolve: (coop) => coop.id,
  }),
}));

// Queries -------------------------------------------------------------------------------------

builder.queryFields((t) => ({
  shuYear: t.field({
    type: ShuYearRef,
    nullable: true,
    description: 'A cooperative\'s SHU fiscal year with its report; null when it does not exist or you may not see it (its manager and admins).',
    authScopes: { authenticated: true },
    args: {
      cooperativeId: t.arg.id({ required: true, description: 'The cooperative.' }),
      fiscalYear: t.arg.int({ required: true, description: 'The fiscal year, e.g. 2026.' }),
    },
    resolve: (_root, args, ctx) => shu.findYear(ctx.db, ctx.principal, decodeId(String(args.cooperativeId), 'Cooperative', 'cooperativeId'), args.fiscalYear),
  }),
  capitalRecords: t.connection({
    type: CapitalRecordRef,
    description: 'Members\' capital records you may see: all of your cooperative\'s (manager), your own (member); nothing for anyone else.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: {
      cooperativeId: t.arg.id({ required: false, description: 'Only records of this cooperative.' }),
      producerId: t.arg.id({ required: false, description: 'Only records of this member.' }),
    },
    resolve: (_root, args, ctx) => {
      const filter = {
        cooperativeId: args.cooperativeId ? decodeId(String(args.cooperativeId), 'Cooperative', 'cooperativeId') : null,
        producerId: args.producerId ? decodeId(String(args.producerId), 'Producer', 'producerId') : null,
      };
      return resolveKeysetConnection(args, (page) => shu.listCapitalRecords(ctx.db, ctx.principal, filter, page));
    },
  }),
  shuMemberLines: t.connection({
    type: ShuMemberLineRef,
    description: 'SHU member lines you may see: your own (member), every line of your cooperative\'s years (manager); nothing for anyone else.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    args: { fiscalYear: t.arg.int({ required: false, description: 'Only lines of this fiscal year.' }) },
    resolve: (_root, args, ctx) =>
      resolveKeysetConnection(args, (page) => shu.listMemberLines(ctx.db, ctx.principal, { fiscalYear: args.fiscalYear ?? null }, page)),
  }),
}));

// Mutations -----------------------------------------------------------------------------------

const RecordMemberCapitalInput = builder.inputType('RecordMemberCapitalInput', {
  description: 'A member\'s capital payment into their cooperative.',
  fields: (t) => ({
    producerId: t.id({ description: 'The member (a producer of your cooperative).' }),
    kind: t.field({ type: CapitalKindEnum, description: 'Simpanan pokok or wajib.' }),
    amount: t.field({ type: MoneyInput, description: 'The amount, in IDR, more than 0.' }),
    recordedOn: t.field({ type: 'Date', description: 'The date it was paid (not in the future).' }),
    reference: t.string({ required: false, description: 'Receipt or ledger reference (at most 200 characters).' }),
  }),
});

const ReverseCapitalRecordInput = builder.inputType('ReverseCapitalRecordInput', {
  description: 'A wrong capital record to cancel.',
  fields: (t) => ({
    capitalRecordId: t.id({ description: 'The record (a payment, not yet reversed).' }),
    reason: t.string({ description: 'Why it is wrong (1–500 characters).' }),
  }),
});

const ShuSplitFundInput = builder.inputType('ShuSplitFundInput', {
  description: 'One of the cooperative\'s own funds.',
  fields: (t) => ({
    name: t.string({ description: 'Name, e.g. "Dana pendidikan" (1–100 characters, distinct).' }),
    pct: t.field({ type: 'Decimal', description: 'Percentage of the year\'s SHU, 0–100 with at most 2 decimals.' }),
  }),
});

const SetShuSplitInput = builder.inputType('SetShuSplitInput', {
  description: 'The statutes\' SHU split from a fiscal year on. All percentages (0–100, at most 2 decimals) must sum to exactly 100.',
  fields: (t) => ({
    cooperativeId: t.id({ description: 'Your cooperative.' }),
    effectiveFromYear: t.int({ description: 'First fiscal year it applies to (after the latest closed year).' }),
    reservePct: t.field({ type: 'Decimal', description: 'Dana cadangan, the reserve.' }),
    transactionsPct: t.field({ type: 'Decimal', description: 'The members\' part split by transactions.' }),
    capitalPct: t.field({ type: 'Decimal', description: 'The members\' part split by capital.' }),
    funds: t.field({ type: [ShuSplitFundInput], description: 'The cooperative\'s own funds (management, staff, education, social, …), at most 20.' }),
  }),
});

const ComputeShuYearInput = builder.inputType('ComputeShuYearInput', {
  description: 'The year\'s SHU amount to split.',
  fields: (t) => ({
    cooperativeId: t.id({ description: 'Your cooperative.' }),
    fiscalYear: t.int({ description: 'The fiscal year (not in the future, not closed).' }),
    amount: t.field({ type: MoneyInput, description: 'The year\'s SHU in IDR, whole rupiah, more than 0.' }),
  }),
});

const CloseShuYearInput = builder.inputType('CloseShuYearInput', {
  description: 'A draft SHU year to close.',
  fields: (t) => ({ shuYearId: t.id({ description: 'The year (DRAFT, of a fiscal year that has ended).' }) }),
});

const managerSide = { admin: true, coopManager: 'any' } as const;

/** Every SHU mutation runs in one bounded transaction: a lock wait past the timeout answers BusyError (AllocationBusyError). */
const txErrors = [BusyError, ...commonErrors];

builder.mutationFields((t) => ({
  recordMemberCapital: t.field({
    type: CapitalRecordRef,
    description: 'Record a member\'s simpanan pokok or wajib (the cooperative\'s manager or an admin). Records are never edited.',
    authScopes: managerSide,
    errors: { types: txErrors },
    args: { input: t.arg({ type: RecordMemberCapitalInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      shu.recordMemberCapital(ctx.db, ctx.principal, {
        producerId: decodeId(input.producerId, 'Producer', 'input.producerId'),
        kind: input.kind,
        amount: input.amount,
        recordedOn: input.recordedOn,
        reference: input.reference ?? null,
      }),
  }),
  reverseCapitalRecord: t.field({
    type: CapitalRecordRef,
    description: 'Cancel a wrong capital record with a reversing record (same member, kind and date, negated amount); closed years keep their figures.',
    authScopes: managerSide,
    errors: { types: [ConflictError, ...txErrors] },
    args: { input: t.arg({ type: ReverseCapitalRecordInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      shu.reverseCapitalRecord(ctx.db, ctx.principal, {
        capitalRecordId: decodeId(input.capitalRecordId, 'CapitalRecord', 'input.capitalRecordId'),
        reason: input.reason,
      }),
  }),
  setShuSplit: t.field({
    type: ShuSplitRef,
    description: 'Set the statutes\' SHU split from a fiscal year on, as a new version (the cooperative\'s manager or an admin).',
    authScopes: managerSide,
    errors: { types: [ConflictError, ...txErrors] },
    args: { input: t.arg({ type: SetShuSplitInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      shu.setShuSplit(ctx.db, ctx.principal, { ...input, cooperativeId: decodeId(input.cooperativeId, 'Cooperative', 'input.cooperativeId') }),
  }),
  computeShuYear: t.field({
    type: ShuYearRef,
    description: 'Enter the year\'s SHU amount: every member\'s share is computed from their payout statements and capital and stored as the year\'s draft.',
    authScopes: managerSide,
    errors: { types: [shu.ShuYearClosedError, ShuNotDistributableError, ...txErrors] },
    args: { input: t.arg({ type: ComputeShuYearInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      shu.computeShuYear(ctx.db, ctx.principal, { ...input, cooperativeId: decodeId(input.cooperativeId, 'Cooperative', 'input.cooperativeId') }),
  }),
  closeShuYear: t.field({
    type: ShuYearRef,
    description: 'Close a draft SHU year once the fiscal year has ended: its figures become final (refused when the data changed since it was computed).',
    authScopes: managerSide,
    errors: { types: [shu.ShuYearClosedError, ShuNotDistributableError, ConflictError, ...txErrors] },
    args: { input: t.arg({ type: CloseShuYearInput, required: true }) },
    resolve: (_root, { input }, ctx) => shu.closeShuYear(ctx.db, ctx.principal, { shuYearId: decodeId(input.shuYearId, 'ShuYear', 'input.shuYearId') }),
  }),
}));

