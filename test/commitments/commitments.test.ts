import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysIso, todayIso } from '../../src/platform/dates.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  type Actor, createSupplyWorld, ERROR_FIELDS, gid, insertCommitment, insertMembership, insertPlot, insertProducer, type SupplyWorld,
  supplyCounts,
} from '../support/supply-fixtures.js';

const COMMIT = /* GraphQL */ `
  mutation CommitVolume($input: CommitVolumeInput!) {
    commitVolume(input: $input) {
      __typename
      ... on Commitment {
        id weight allocatedWeight openWeight windowStart windowEnd status eudrReady regency
        minGrade { code rank } producer { id } product { id }
        history { kind summary payload }
      }
      ${ERROR_FIELDS}
      ... on NotApprovedMemberError { path }
    }
  }`;

const AMEND = /* GraphQL */ `
  mutation AmendCommitment($input: AmendCommitmentInput!) {
    amendCommitment(input: $input) {
      __typename
      ... on Commitment { id weight openWeight windowStart windowEnd history { kind } }
      ${ERROR_FIELDS}
      ... on ConflictError { path }
    }
  }`;

const WITHDRAW = /* GraphQL */ `
  mutation WithdrawCommitment($input: WithdrawCommitmentInput!) {
    withdrawCommitment(input: $input) {
      __typename
      ... on Commitment { id status openWeight history { kind summary } }
      ${ERROR_FIELDS}
      ... on CommitmentAllocatedError { allocatedWeight path }
      ... on InvalidTransitionError { from to }
    }
  }`;

const COMMITMENTS = /* GraphQL */ `
  query Commitments($productId: ID, $status: CommitmentStatus) {
    commitments(first: 100, productId: $productId, status: $status) { edges { node { id producer { id } } } }
  }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id ... on Commitment { weight } } }`;
const PRODUCER_COMMITMENTS = /* GraphQL */ `
  query ProducerCommitments($id: ID!) { node(id: $id) { ... on Producer { commitments(first: 10) { edges { node { id } } } } } }`;

const START = addDaysIso(todayIso(), 30);
const END = addDaysIso(todayIso(), 150);

describe('commitments', () => {
  let t: TestApp;
  let w: SupplyWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSupplyWorld(t);
    await insertPlot(t.database.db, w.producer.id);
  });
  afterAll(async () => { await t?.close(); });

  const input = (over: Record<string, unknown> = {}) => ({
    producerId: gid('Producer', w.producer.id),
    productId: gid('Product', w.product.id),
    minGrade: '3',
    weight: '6000',
    windowStart: START,
    windowEnd: END,
    ...over,
  });
  const commit = (actor: Actor | null, over: Record<string, unknown> = {}) => t.gql(COMMIT, { input: input(over) }, actor?.token ?? null);
  const amend = (actor: Actor, id: number, over: Record<string, unknown>) =>
    t.gql(AMEND, { input: { commitmentId: gid('Commitment', id), ...over } }, actor.token);
  const withdraw = (actor: Actor, id: number, reason = 'Harvest failed after the rains') =>
    t.gql(WITHDRAW, { input: { commitmentId: gid('Commitment', id), reason } }, actor.token);
  const fixture = (over: Parameters<typeof insertCommitment>[1] extends infer O ? Partial<O> : never = {}) =>
    insertCommitment(t.database.db, { producer: w.producer, product: w.product, windowStart: START, windowEnd: END, ...over });

  describe('commitVolume: who may', () => {
    it('lets an approved producer commit; grade, regency and EUDR readiness are recorded with a COMMITTED event', async () => {
      const res = await commit(w.as.producer);
      expect(res.data.commitVolume).toMatchObject({
        __typename: 'Commitment', weight: '6000', allocatedWeight: '0', openWeight: '6000', windowStart: START, windowEnd: END,
        status: 'OPEN', eudrReady: true, regency: 'Bondowoso', minGrade: { code: '3', rank: 3 },
        producer: { id: gid('Producer', w.producer.id) }, product: { id: gid('Product', w.product.id) },
      });
      const [event] = res.data.commitVolume.history;
      expect(event.kind).toBe('COMMITTED');
      expect(JSON.parse(event.payload)).toMatchObject({ committedG: 6_000_000, minGrade: { code: '3', rank: 3 } });
    });

    it('is not EUDR-ready when the producer has no plot', async () => {
      expect((await commit(w.as.otherProducer, { producerId: gid('Producer', w.otherProducer.id) })).data.commitVolume.eudrReady).toBe(false);
    });

    it.each(['coopManager', 'admin'] as const)('lets the %s commit for the producer', async (role) => {
      expect((await commit(w.as[role])).data.commitVolume.__typename).toBe('Commitment');
    });

    it.each(['otherProducer', 'otherCoopManager', 'buyer', 'curator', 'brandManager'] as const)(
      'refuses the %s (NotFound when it may not see the producer, else Forbidden) and writes nothing',
      async (role) => {
        const before = await supplyCounts(t.database.db);
        const res = await commit(w.as[role]);
        // Who may not see the producer (other producers, other cooperatives' managers) is answered as for an unknown producer.
        const hidden = role === 'otherProducer' || role === 'otherCoopManager';
        expect(res.data.commitVolume).toMatchObject(hidden ? { __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.producerId' } : { __typename: 'ForbiddenError', code: 'FORBIDDEN' });
        expect(await supplyCounts(t.database.db)).toEqual(before);
      },
    );

    it('refuses an anonymous caller', async () => {
      expect((await commit(null)).data.commitVolume.__typename).toBe('UnauthenticatedError');
    });

    it.each(['APPLIED', 'SUSPENDED', 'REJECTED', null] as const)('refuses a producer whose membership is %s (NotApprovedMemberError on input.producerId)', async (status) => {
      const producer = await insertProducer(t.database.db, { cooperativeId: w.coop.id });
      if (status) await insertMembership(t.database.db, producer.id, w.brand.id, status);
      const before = await supplyCounts(t.database.db);
      const res = await commit(w.as.coopManager, { producerId: gid('Producer', producer.id) });
      expect(res.data.commitVolume).toMatchObject({ __typename: 'NotApprovedMemberError', code: 'NOT_APPROVED_MEMBER', path: 'input.producerId' });
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });
  });

  describe('commitVolume: bad input is a ValidationError naming the field, and nothing is written', () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['zero weight', { weight: '0' }, 'input.weight', /more than 0/],
      ['negative weight', { weight: '-60' }, 'input.weight', /more than 0/],
      ['absurd weight', { weight: '2000000' }, 'input.weight', /at most 1,000 t/],
      ['a reversed window', { windowStart: END, windowEnd: START }, 'input.windowEnd', /on or after windowStart/],
      ['a window in the past', { windowStart: '2025-01-01', windowEnd: '2025-03-01' }, 'input.windowEnd', /past/],
      ['a window too far ahead', { windowStart: '2031-01-01', windowEnd: '2031-03-01' }, 'input.windowStart', /3 years/],
      ['an unknown grade', { minGrade: '4a' }, 'input.minGrade', /'4a'.*1, 2, 3, 4, 5, 6/],
      ['a product ID of the wrong type', { productId: gid('Lot', 1) }, 'input.productId', /Product/],
    ];
    it.each(cases)('%s', async (_name, over, path, message) => {
      const before = await supplyCounts(t.database.db);
      const r = (await commit(w.as.producer, over)).data.commitVolume;
      expect(r.__typename).toBe('ValidationError');
      const issue = r.issues.find((i: { path: string }) => i.path === path);
      expect(issue, JSON.stringify(r.issues)).toBeDefined();
      expect(issue.message).toMatch(message);
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('an unknown product is a NotFoundError', async () => {
      expect((await commit(w.as.producer, { productId: gid('Product', 999_999) })).data.commitVolume).toMatchObject({
        __typename: 'NotFoundError', path: 'input.productId',
      });
    });
  });

  describe('amendCommitment', () => {
    it('changes weight and window, with a COMMITMENT_AMENDED event', async () => {
      const c = await fixture();
      const res = await amend(w.as.producer, c.id, { weight: '9000', windowEnd: addDaysIso(END, 10) });
      expect(res.data.amendCommitment).toMatchObject({
        __typename: 'Commitment', weight: '9000', openWeight: '9000', windowEnd: addDaysIso(END, 10), history: [{ kind: 'COMMITMENT_AMENDED' }],
      });
    });

    it('never goes below what is allocated: a ValidationError on input.weight naming the allocated weight', async () => {
      const c = await fixture({ committedG: 12_000_000, allocatedG: 4_800_000 });
      const before = await supplyCounts(t.database.db);
      const res = await amend(w.as.coopManager, c.id, { weight: '4799.999' });
      expect(res.data.amendCommitment.__typename).toBe('ValidationError');
      expect(res.data.amendCommitment.issues).toEqual([{ path: 'input.weight', message: expect.stringContaining('4800 kg already allocated') }]);
      expect(await supplyCounts(t.database.db)).toEqual(before);
      const row = await t.database.db.selectFrom('commitments').select('committed_g').where('id', '=', c.id).executeTakeFirstOrThrow();
      expect(row.committed_g).toBe(12_000_000);
      expect((await amend(w.as.coopManager, c.id, { weight: '4800' })).data.amendCommitment).toMatchObject({ weight: '4800', openWeight: '0' });
    });

    it('keeps the window of an allocated commitment (ConflictError)', async () => {
      const c = await fixture({ allocatedG: 60_000 });
      expect((await amend(w.as.producer, c.id, { windowStart: addDaysIso(START, 1) })).data.amendCommitment).toMatchObject({
        __typename: 'ConflictError', path: 'input.windowStart',
      });
    });

    it('rejects zero weight, reversed windows and empty changes', async () => {
      const c = await fixture();
      expect((await amend(w.as.producer, c.id, { weight: '0' })).data.amendCommitment.issues[0].path).toBe('input.weight');
      expect((await amend(w.as.producer, c.id, { windowStart: addDaysIso(END, 1) })).data.amendCommitment.issues[0]).toMatchObject({
        path: 'input.windowStart', message: expect.stringContaining('on or before windowEnd'),
      });
      expect((await amend(w.as.producer, c.id, {})).data.amendCommitment.__typename).toBe('ValidationError');
    });

    it('refuses other producers and their managers, and amending a withdrawn commitment', async () => {
      const c = await fixture();
      // The brand's curator sees the commitment and is refused; a buyer fails the field's scope.
      for (const actor of [w.as.curator, w.as.buyer]) {
        expect((await amend(actor, c.id, { weight: '1' })).data.amendCommitment.__typename).toBe('ForbiddenError');
      }
      // Other producers and their managers may not see it: answered as for an unknown commitment.
      for (const actor of [w.as.otherProducer, w.as.otherCoopManager]) {
        expect((await amend(actor, c.id, { weight: '1' })).data.amendCommitment).toMatchObject({ __typename: 'NotFoundError', path: 'input.commitmentId' });
      }
      const gone = await fixture({ status: 'WITHDRAWN' });
      expect((await amend(w.as.producer, gone.id, { weight: '1' })).data.amendCommitment.__typename).toBe('ConflictError');
    });
  });

  describe('withdrawCommitment', () => {
    it('withdraws an unallocated commitment once; a second withdrawal is an InvalidTransitionError', async () => {
      const c = await fixture();
      const res = await withdraw(w.as.producer, c.id);
      expect(res.data.withdrawCommitment).toMatchObject({
        __typename: 'Commitment', status: 'WITHDRAWN', openWeight: '0',
        history: [{ kind: 'COMMITMENT_WITHDRAWN', summary: expect.stringContaining('rains') }],
      });
      expect((await withdraw(w.as.producer, c.id)).data.withdrawCommitment).toMatchObject({
        __typename: 'InvalidTransitionError', from: 'WITHDRAWN', to: 'WITHDRAWN',
      });
    });

    it('refuses while anything is allocated (CommitmentAllocatedError), writing nothing', async () => {
      const c = await fixture({ allocatedG: 120_000 });
      const before = await supplyCounts(t.database.db);
      const res = await withdraw(w.as.coopManager, c.id);
      expect(res.data.withdrawCommitment).toMatchObject({ __typename: 'CommitmentAllocatedError', code: 'COMMITMENT_ALLOCATED', allocatedWeight: '120' });
      expect(await supplyCounts(t.database.db)).toEqual(before);
      const row = await t.database.db.selectFrom('commitments').select('status').where('id', '=', c.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('OPEN');
    });

    it('needs a reason and the right caller', async () => {
      const c = await fixture();
      expect((await withdraw(w.as.producer, c.id, ' ')).data.withdrawCommitment.issues[0].path).toBe('input.reason');
      expect((await withdraw(w.as.otherProducer, c.id)).data.withdrawCommitment).toMatchObject({ __typename: 'NotFoundError', path: 'input.commitmentId' });
      expect((await withdraw(w.as.brandManager, c.id)).data.withdrawCommitment.__typename).toBe('ForbiddenError');
      expect((await withdraw(w.as.admin, 999_999)).data.withdrawCommitment).toMatchObject({ __typename: 'NotFoundError', path: 'input.commitmentId' });
    });
  });

  describe('reading commitments', () => {
    let own: number;
    let others: number;
    beforeAll(async () => {
      own = (await fixture()).id;
      others = (await insertCommitment(t.database.db, { producer: w.otherProducer, product: w.product })).id;
    });
    const idsOf = async (actor: Actor, vars: Record<string, unknown> = {}) => {
      const res = await t.gql(COMMITMENTS, vars, actor.token);
      expect(res.errors).toBeUndefined();
      return res.data.commitments.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
    };

    it('a producer\'s commitments(first: 100) holds only their own, and node(id) of another\'s is null', async () => {
      const ids = await idsOf(w.as.producer);
      expect(ids).toContain(gid('Commitment', own));
      expect(ids).not.toContain(gid('Commitment', others));
      const res = await t.gql(NODE, { id: gid('Commitment', others) }, w.as.producer.token);
      expect(res.data?.node ?? null).toBeNull();
      const mine = await t.gql(NODE, { id: gid('Commitment', own) }, w.as.producer.token);
      expect(mine.data.node.__typename).toBe('Commitment');
    });

    it('brand staff see the brand\'s, other brands\' staff and buyers see none', async () => {
      expect(await idsOf(w.as.brandManager)).toEqual(expect.arrayContaining([gid('Commitment', own), gid('Commitment', others)]));
      expect(await idsOf(w.as.otherBrandManager)).toEqual([]);
      expect(await idsOf(w.as.buyer)).toEqual([]);
      const coop = await idsOf(w.as.otherCoopManager);
      expect(coop).toContain(gid('Commitment', others));
      expect(coop).not.toContain(gid('Commitment', own));
    });

    it('filters by status and lists through Producer.commitments', async () => {
      expect(await idsOf(w.as.admin, { status: 'WITHDRAWN' })).not.toContain(gid('Commitment', own));
      const res = await t.gql(PRODUCER_COMMITMENTS, { id: gid('Producer', w.otherProducer.id) }, w.as.curator.token);
      expect(res.data.node.commitments.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(gid('Commitment', others));
    });
  });
});
