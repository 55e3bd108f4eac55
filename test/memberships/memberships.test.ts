import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertApprovedMember, NotApprovedMemberError } from '../../src/modules/memberships/memberships.service.js';
import type { MembershipStatus } from '../../src/platform/db-types.js';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import {
  CONFLICT_FIELDS, countRows, deniedType, ERROR_FIELDS, gid, insertBrand, insertCooperative, insertMembership, insertProducer, result, TRANSITION_FIELDS,
} from '../producers/fixtures.js';

const MEMBERSHIP_FIELDS = /* GraphQL */ `
  __typename
  ... on Membership { id status producer { id } brand { id } history { fromStatus toStatus actor reason at } }
  ${ERROR_FIELDS}
  ${CONFLICT_FIELDS}
  ${TRANSITION_FIELDS}
`;

const APPLY = /* GraphQL */ `
  mutation Apply($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { ${MEMBERSHIP_FIELDS} } }`;
const DECIDE = /* GraphQL */ `
  mutation Decide($input: DecideMembershipInput!) { decideMembership(input: $input) { ${MEMBERSHIP_FIELDS} } }`;
const SUSPEND = /* GraphQL */ `
  mutation Suspend($input: SuspendMembershipInput!) { suspendMembership(input: $input) { ${MEMBERSHIP_FIELDS} } }`;
const REINSTATE = /* GraphQL */ `
  mutation Reinstate($input: ReinstateMembershipInput!) { reinstateMembership(input: $input) { ${MEMBERSHIP_FIELDS} } }`;

const BRAND_MEMBERSHIPS = /* GraphQL */ `
  query BrandMemberships($id: ID!, $status: MembershipStatus) {
    brand(id: $id) { memberships(first: 50, status: $status) { edges { node { id status producer { id displayName } } } } }
  }`;
const PRODUCER_MEMBERSHIPS = /* GraphQL */ `
  query ProducerMemberships($id: ID!) { node(id: $id) { ... on Producer { memberships { id status brand { id } } } } }`;

type U = { id: number; token: string };

describe('memberships and curation', () => {
  let t: TestApp;
  let brand: { id: number }, otherBrand: { id: number }, coop: { id: number };
  let producer: { id: number }, otherProducer: { id: number };
  let admin: U, producerUser: U, otherProducerUser: U, coopManager: U, otherCoopManager: U;
  let brandManager: U, otherBrandManager: U, curator: U, otherCurator: U, buyer: U;

  const db = () => t.database.db;
  const freshProducer = async () => insertProducer(db(), { cooperativeId: coop.id });
  const membershipIn = async (status: MembershipStatus) => insertMembership(db(), (await freshProducer()).id, brand.id, status);
  const writes = async () => ({ memberships: await countRows(db(), 'memberships'), events: await countRows(db(), 'membership_events') });
  const statusOf = async (id: number) => (await db().selectFrom('memberships').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  beforeAll(async () => {
    t = await createTestApp();
    brand = await insertBrand(db());
    otherBrand = await insertBrand(db());
    coop = await insertCooperative(db());
    const otherCoop = await insertCooperative(db());
    producer = await insertProducer(db(), { cooperativeId: coop.id });
    otherProducer = await insertProducer(db(), { cooperativeId: otherCoop.id });
    admin = await createUser(t, [['ADMIN']]);
    producerUser = await createUser(t, [['PRODUCER', producer.id]]);
    otherProducerUser = await createUser(t, [['PRODUCER', otherProducer.id]]);
    coopManager = await createUser(t, [['COOP_MANAGER', coop.id]]);
    otherCoopManager = await createUser(t, [['COOP_MANAGER', otherCoop.id]]);
    brandManager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
    otherBrandManager = await createUser(t, [['BRAND_MANAGER', otherBrand.id]]);
    curator = await createUser(t, [['CURATOR', brand.id]]);
    otherCurator = await createUser(t, [['CURATOR', otherBrand.id]]);
    const org = await db().insertInto('buyer_orgs').values({ name: 'Cairo Roasters', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    buyer = await createUser(t, [['BUYER', org.id]]);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('applyForMembership', () => {
    it('lets the producer apply: APPLIED with an event naming them', async () => {
      const res = await t.gql(APPLY, { input: { producerId: gid('Producer', producer.id), brandId: gid('Brand', brand.id) } }, producerUser.token);
      const m = result(res, 'applyForMembership', 'Membership');
      expect(m.status).toBe('APPLIED');
      expect(m.history).toMatchObject([{ fromStatus: null, toStatus: 'APPLIED', reason: null }]);
      expect(m.history[0].actor).toBeTruthy();
    });

    it('refuses a second active application with a ConflictError', async () => {
      const before = await writes();
      const res = await t.gql(APPLY, { input: { producerId: gid('Producer', producer.id), brandId: gid('Brand', brand.id) } }, producerUser.token);
      expect(result(res, 'applyForMembership', 'ConflictError', 'CONFLICT').path).toBe('input.brandId');
      expect(await writes()).toEqual(before);
    });

    it.each(['cooperative manager', 'admin'])('lets the %s apply for a member', async (role) => {
      const p = await freshProducer();
      const token = role === 'admin' ? admin.token : coopManager.token;
      const res = await t.gql(APPLY, { input: { producerId: gid('Producer', p.id), brandId: gid('Brand', brand.id) } }, token);
      expect(result(res, 'applyForMembership', 'Membership').status).toBe('APPLIED');
    });

    for (const role of ['other producer', 'other cooperative manager', 'brand manager', 'curator', 'buyer', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const p = await freshProducer();
        const token =
          { 'other producer': otherProducerUser, 'other cooperative manager': otherCoopManager, 'brand manager': brandManager, curator, buyer, anonymous: null }[role]
            ?.token ?? null;
        const before = await writes();
        const res = await t.gql(APPLY, { input: { producerId: gid('Producer', p.id), brandId: gid('Brand', brand.id) } }, token);
        // Those who may not see the producer are answered as for an unknown producer.
        const [typename, code] = role.startsWith('other') ? ['NotFoundError', 'NOT_FOUND'] : deniedType(token);
        result(res, 'applyForMembership', typename, code);
        expect(await writes()).toEqual(before);
      });
    }

    it('lets a rejected producer apply again (REJECTED → APPLIED), keeping the history', async () => {
      const m = await membershipIn('REJECTED');
      const res = await t.gql(APPLY, { input: { producerId: gid('Producer', m.producer_id), brandId: gid('Brand', brand.id) } }, coopManager.token);
      const again = result(res, 'applyForMembership', 'Membership');
      expect(again.id).toBe(gid('Membership', m.id));
      expect(again.history).toMatchObject([{ fromStatus: 'REJECTED', toStatus: 'APPLIED' }]);
    });

    it.each(['APPROVED', 'SUSPENDED'] as const)('refuses to apply while %s', async (status) => {
      const m = await membershipIn(status);
      const res = await t.gql(APPLY, { input: { producerId: gid('Producer', m.producer_id), brandId: gid('Brand', brand.id) } }, coopManager.token);
      result(res, 'applyForMembership', 'ConflictError', 'CONFLICT');
      expect(await statusOf(m.id)).toBe(status);
    });

    it('names wrong-type and unknown IDs', async () => {
      const wrong = await t.gql(APPLY, { input: { producerId: gid('Producer', producer.id), brandId: gid('Producer', brand.id) } }, producerUser.token);
      expect(result(wrong, 'applyForMembership', 'ValidationError').issues[0].path).toBe('input.brandId');
      const unknownBrand = await t.gql(APPLY, { input: { producerId: gid('Producer', producer.id), brandId: gid('Brand', 999999) } }, producerUser.token);
      expect(result(unknownBrand, 'applyForMembership', 'NotFoundError').path).toBe('input.brandId');
      const unknownProducer = await t.gql(APPLY, { input: { producerId: gid('Producer', 999999), brandId: gid('Brand', brand.id) } }, admin.token);
      expect(result(unknownProducer, 'applyForMembership', 'NotFoundError').path).toBe('input.producerId');
    });
  });

  describe('decideMembership', () => {
    it('lets a curator approve, recording who', async () => {
      const m = await membershipIn('APPLIED');
      const res = await t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision: 'APPROVE' } }, curator.token);
      const approved = result(res, 'decideMembership', 'Membership');
      expect(approved.status).toBe('APPROVED');
      const curatorName = (await db().selectFrom('users').select('display_name').where('id', '=', curator.id).executeTakeFirstOrThrow()).display_name;
      expect(approved.history).toMatchObject([{ fromStatus: 'APPLIED', toStatus: 'APPROVED', actor: curatorName, reason: null }]);
    });

    it('lets the brand manager reject with a reason', async () => {
      const m = await membershipIn('APPLIED');
      const res = await t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision: 'REJECT', reason: 'Plot outside the GI area' } }, brandManager.token);
      const rejected = result(res, 'decideMembership', 'Membership');
      expect(rejected.status).toBe('REJECTED');
      expect(rejected.history).toMatchObject([{ fromStatus: 'APPLIED', toStatus: 'REJECTED', reason: 'Plot outside the GI area' }]);
    });

    it.each([undefined, '', '   '])('requires a reason to reject (reason %j), writing nothing', async (reason) => {
      const m = await membershipIn('APPLIED');
      const before = await writes();
      const res = await t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision: 'REJECT', reason } }, curator.token);
      expect(result(res, 'decideMembership', 'ValidationError').issues.map((i: { path: string }) => i.path)).toEqual(['input.reason']);
      expect(await writes()).toEqual(before);
      expect(await statusOf(m.id)).toBe('APPLIED');
    });

    for (const role of ['other brand\'s curator', 'other brand\'s manager', 'producer', 'cooperative manager', 'buyer', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const m = await membershipIn('APPLIED');
        const token =
          {
            'other brand\'s curator': otherCurator,
            'other brand\'s manager': otherBrandManager,
            producer: producerUser,
            'cooperative manager': coopManager,
            buyer,
            anonymous: null,
          }[role]?.token ?? null;
        const before = await writes();
        const res = await t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision: 'APPROVE' } }, token);
        // Another brand's people may not see the membership: answered as for an unknown one.
        const [typename, code] = role.startsWith('other') ? ['NotFoundError', 'NOT_FOUND'] : deniedType(token);
        result(res, 'decideMembership', typename, code);
        expect(await writes()).toEqual(before);
        expect(await statusOf(m.id)).toBe('APPLIED');
      });
    }

    it.each([
      ['APPROVED', 'APPROVE'],
      ['APPROVED', 'REJECT'],
      ['REJECTED', 'APPROVE'],
      ['SUSPENDED', 'APPROVE'],
      ['SUSPENDED', 'REJECT'],
    ] as const)('refuses to decide a %s membership (%s) with InvalidTransitionError', async (from, decision) => {
      const m = await membershipIn(from);
      const before = await writes();
      const res = await t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision, reason: 'because' } }, brandManager.token);
      const err = result(res, 'decideMembership', 'InvalidTransitionError', 'INVALID_TRANSITION');
      expect(err).toMatchObject({ from, to: decision === 'APPROVE' ? 'APPROVED' : 'REJECTED' });
      expect(await writes()).toEqual(before);
      expect(await statusOf(m.id)).toBe(from);
    });

    it('names a wrong-type and an unknown membership ID', async () => {
      const wrong = await t.gql(DECIDE, { input: { membershipId: gid('Brand', brand.id), decision: 'APPROVE' } }, curator.token);
      expect(result(wrong, 'decideMembership', 'ValidationError').issues[0].path).toBe('input.membershipId');
      const unknown = await t.gql(DECIDE, { input: { membershipId: gid('Membership', 999999), decision: 'APPROVE' } }, curator.token);
      expect(result(unknown, 'decideMembership', 'NotFoundError').path).toBe('input.membershipId');
    });
  });

  describe('suspendMembership and reinstateMembership', () => {
    it('lets the brand manager suspend an approved member with a reason and reinstate them', async () => {
      const m = await membershipIn('APPROVED');
      const suspended = result(
        await t.gql(SUSPEND, { input: { membershipId: gid('Membership', m.id), reason: 'Undeclared mixing of lots' } }, brandManager.token),
        'suspendMembership',
        'Membership',
      );
      expect(suspended.status).toBe('SUSPENDED');
      const reinstated = result(
        await t.gql(REINSTATE, { input: { membershipId: gid('Membership', m.id) } }, brandManager.token),
        'reinstateMembership',
        'Membership',
      );
      expect(reinstated.status).toBe('APPROVED');
      expect(reinstated.history).toMatchObject([
        { fromStatus: 'APPROVED', toStatus: 'SUSPENDED', reason: 'Undeclared mixing of lots' },
        { fromStatus: 'SUSPENDED', toStatus: 'APPROVED', reason: null },
      ]);
    });

    it('lets an admin suspend and reinstate', async () => {
      const m = await membershipIn('APPROVED');
      result(await t.gql(SUSPEND, { input: { membershipId: gid('Membership', m.id), reason: 'audit' } }, admin.token), 'suspendMembership', 'Membership');
      result(await t.gql(REINSTATE, { input: { membershipId: gid('Membership', m.id), reason: 'audit passed' } }, admin.token), 'reinstateMembership', 'Membership');
      expect(await statusOf(m.id)).toBe('APPROVED');
    });

    it('requires a reason to suspend', async () => {
      const m = await membershipIn('APPROVED');
      const res = await t.gql(SUSPEND, { input: { membershipId: gid('Membership', m.id), reason: ' ' } }, brandManager.token);
      expect(result(res, 'suspendMembership', 'ValidationError').issues[0].path).toBe('input.reason');
      expect(await statusOf(m.id)).toBe('APPROVED');
    });

    for (const role of ['curator', 'other brand\'s manager', 'producer', 'cooperative manager', 'buyer', 'anonymous'] as const) {
      it(`refuses a ${role} to suspend or reinstate, writing nothing`, async () => {
        const approved = await membershipIn('APPROVED');
        const suspendedM = await membershipIn('SUSPENDED');
        const token =
          { curator, 'other brand\'s manager': otherBrandManager, producer: producerUser, 'cooperative manager': coopManager, buyer, anonymous: null }[role]
            ?.token ?? null;
        // Another brand's manager may not see the membership: answered as for an unknown one.
        const [typename, code] = role.startsWith('other') ? ['NotFoundError', 'NOT_FOUND'] : deniedType(token);
        const before = await writes();
        result(await t.gql(SUSPEND, { input: { membershipId: gid('Membership', approved.id), reason: 'x' } }, token), 'suspendMembership', typename, code);
        result(await t.gql(REINSTATE, { input: { membershipId: gid('Membership', suspendedM.id) } }, token), 'reinstateMembership', typename, code);
        expect(await writes()).toEqual(before);
        expect([await statusOf(approved.id), await statusOf(suspendedM.id)]).toEqual(['APPROVED', 'SUSPENDED']);
      });
    }

    it.each([
      [SUSPEND, 'suspendMembership', 'APPLIED', 'SUSPENDED'],
      [SUSPEND, 'suspendMembership', 'REJECTED', 'SUSPENDED'],
      [SUSPEND, 'suspendMembership', 'SUSPENDED', 'SUSPENDED'],
      [REINSTATE, 'reinstateMembership', 'APPLIED', 'APPROVED'],
      [REINSTATE, 'reinstateMembership', 'APPROVED', 'APPROVED'],
      [REINSTATE, 'reinstateMembership', 'REJECTED', 'APPROVED'],
    ] as const)('%#: refuses %s on %s with InvalidTransitionError', async (doc, field, from, to) => {
      const m = await membershipIn(from);
      const before = await writes();
      const res = await t.gql(doc, { input: { membershipId: gid('Membership', m.id), reason: 'r' } }, brandManager.token);
      expect(result(res, field, 'InvalidTransitionError', 'INVALID_TRANSITION')).toMatchObject({ from, to });
      expect(await writes()).toEqual(before);
      expect(await statusOf(m.id)).toBe(from);
    });
  });

  describe('a full lifecycle and the queries', () => {
    it('records every transition with who and why', async () => {
      const p = await freshProducer();
      const applied = result(
        await t.gql(APPLY, { input: { producerId: gid('Producer', p.id), brandId: gid('Brand', brand.id) } }, coopManager.token),
        'applyForMembership',
        'Membership',
      );
      await t.gql(DECIDE, { input: { membershipId: applied.id, decision: 'REJECT', reason: 'Missing plot geolocation' } }, curator.token);
      await t.gql(APPLY, { input: { producerId: gid('Producer', p.id), brandId: gid('Brand', brand.id) } }, coopManager.token);
      await t.gql(DECIDE, { input: { membershipId: applied.id, decision: 'APPROVE', reason: 'Plots complete' } }, curator.token);
      await t.gql(SUSPEND, { input: { membershipId: applied.id, reason: 'Late deliveries' } }, brandManager.token);
      const last = result(await t.gql(REINSTATE, { input: { membershipId: applied.id } }, brandManager.token), 'reinstateMembership', 'Membership');
      const names = Object.fromEntries(
        (await db().selectFrom('users').select(['id', 'display_name']).where('id', 'in', [coopManager.id, curator.id, brandManager.id]).execute()).map((u) => [u.id, u.display_name]),
      );
      expect(last.history.map((e: Record<string, unknown>) => [e.fromStatus, e.toStatus, e.actor, e.reason])).toEqual([
        [null, 'APPLIED', names[coopManager.id], null],
        ['APPLIED', 'REJECTED', names[curator.id], 'Missing plot geolocation'],
        ['REJECTED', 'APPLIED', names[coopManager.id], null],
        ['APPLIED', 'APPROVED', names[curator.id], 'Plots complete'],
        ['APPROVED', 'SUSPENDED', names[brandManager.id], 'Late deliveries'],
        ['SUSPENDED', 'APPROVED', names[brandManager.id], null],
      ]);
    });

    it('lists a brand\'s memberships by status to its manager and curators only', async () => {
      const forManager = await t.gql(BRAND_MEMBERSHIPS, { id: gid('Brand', brand.id), status: 'SUSPENDED' }, brandManager.token);
      expect(forManager.errors).toBeUndefined();
      const statuses = forManager.data.brand.memberships.edges.map((e: { node: { status: string } }) => e.node.status);
      expect(statuses.length).toBeGreaterThan(0);
      expect(new Set(statuses)).toEqual(new Set(['SUSPENDED']));
      const forCurator = await t.gql(BRAND_MEMBERSHIPS, { id: gid('Brand', brand.id) }, curator.token);
      expect(forCurator.data.brand.memberships.edges.length).toBeGreaterThan(statuses.length);
      for (const user of [otherBrandManager, otherCurator, buyer, producerUser, coopManager]) {
        const res = await t.gql(BRAND_MEMBERSHIPS, { id: gid('Brand', brand.id) }, user.token);
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    });

    it('shows a producer\'s memberships to them in full and to brand staff for their brand only', async () => {
      await insertMembership(db(), producer.id, otherBrand.id, 'APPLIED');
      const own = await t.gql(PRODUCER_MEMBERSHIPS, { id: gid('Producer', producer.id) }, producerUser.token);
      expect(own.data.node.memberships.map((m: { brand: { id: string } }) => m.brand.id).sort()).toEqual(
        [gid('Brand', brand.id), gid('Brand', otherBrand.id)].sort(),
      );
      const brandSide = await t.gql(PRODUCER_MEMBERSHIPS, { id: gid('Producer', producer.id) }, brandManager.token);
      expect(brandSide.errors).toBeUndefined();
      expect(brandSide.data.node.memberships.map((m: { brand: { id: string } }) => m.brand.id)).toEqual([gid('Brand', brand.id)]);
    });

    it('lets other modules require an approved member (assertApprovedMember)', async () => {
      const approved = await membershipIn('APPROVED');
      await expect(assertApprovedMember(db(), approved.producer_id, brand.id, 'input.producerId')).resolves.toBeUndefined();
      for (const status of ['APPLIED', 'REJECTED', 'SUSPENDED'] as const) {
        const m = await membershipIn(status);
        const err = await assertApprovedMember(db(), m.producer_id, brand.id, 'input.producerId').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotApprovedMemberError);
        expect(err).toMatchObject({ code: 'NOT_APPROVED_MEMBER', path: 'input.producerId', status });
      }
      const none = await assertApprovedMember(db(), approved.producer_id, otherBrand.id, 'input.producerId').catch((e: unknown) => e);
      expect(none).toMatchObject({ code: 'NOT_APPROVED_MEMBER', status: null });
      // Inside a transaction too (share-locks the membership row).
      await db().transaction().execute((trx) => assertApprovedMember(trx, approved.producer_id, brand.id, 'input.producerId'));
    });
  });
});
