import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCanManageProducer, producerAccess } from '../../src/modules/producers/access.js';
import { loadPrincipal } from '../../src/platform/auth.js';
import { createTestApp, createUser, TEST_PASSWORD, type TestApp } from '../support/app.js';
import {
  CONFLICT_FIELDS, countRows, deniedType, ERROR_FIELDS, gid, insertBrand, insertCooperative, insertMembership, insertProducer, result, snapshot, unique,
} from './fixtures.js';

const CREATE_COOPERATIVE = /* GraphQL */ `
  mutation CreateCooperative($input: CreateCooperativeInput!) {
    createCooperative(input: $input) {
      __typename
      ... on Cooperative { id name regency }
      ${ERROR_FIELDS}
    }
  }`;

const REGISTER_PRODUCER = /* GraphQL */ `
  mutation RegisterProducer($input: RegisterProducerInput!) {
    registerProducer(input: $input) {
      __typename
      ... on Producer { id displayName kind village district regency hasAccount cooperative { id } contact { phone email address } }
      ${ERROR_FIELDS}
      ${CONFLICT_FIELDS}
    }
  }`;

const PRODUCER_NODE = /* GraphQL */ `
  query ProducerNode($id: ID!) {
    node(id: $id) { ... on Producer { id displayName regency contact { phone email address } } }
  }`;

const PRODUCERS = /* GraphQL */ `
  query Producers($brandId: ID, $cooperativeId: ID) {
    producers(first: 100, brandId: $brandId, cooperativeId: $cooperativeId) { edges { node { id contact { phone } } } }
  }`;

const COOPERATIVE_PRODUCERS = /* GraphQL */ `
  query CoopProducers($id: ID!) {
    cooperative(id: $id) { id name producers(first: 50) { edges { node { id displayName } } } }
  }`;

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) { login(input: $input) { __typename ... on LoginPayload { token } } }`;

const producerInput = (coopId: number | null, extra: Record<string, unknown> = {}) => ({
  ...(coopId === null ? {} : { cooperativeId: gid('Cooperative', coopId) }),
  displayName: unique('Bu Sri'),
  kind: 'SMALLHOLDER',
  village: 'Sukorejo',
  district: 'Sumberwringin',
  regency: 'Bondowoso',
  contact: { phone: '+62 812 3456 7890', email: 'sri@example.test', address: 'Dusun Krajan' },
  ...extra,
});

type U = { id: number; token: string };

describe('cooperatives and producers', () => {
  let t: TestApp;
  let admin: U, coopManager: U, otherCoopManager: U, brandManager: U, otherBrandManager: U, curator: U, buyer: U, producerUser: U, otherProducerUser: U;
  let coop: { id: number }, otherCoop: { id: number }, brand: { id: number }, otherBrand: { id: number };
  let member: { id: number }, outsider: { id: number };

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.database.db;
    coop = await insertCooperative(db);
    otherCoop = await insertCooperative(db);
    brand = await insertBrand(db);
    otherBrand = await insertBrand(db);
    member = await insertProducer(db, { cooperativeId: coop.id, phone: '+62 811 1111 111' });
    outsider = await insertProducer(db, { cooperativeId: otherCoop.id });
    await insertMembership(db, member.id, brand.id, 'APPLIED');
    admin = await createUser(t, [['ADMIN']]);
    coopManager = await createUser(t, [['COOP_MANAGER', coop.id]]);
    otherCoopManager = await createUser(t, [['COOP_MANAGER', otherCoop.id]]);
    brandManager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
    otherBrandManager = await createUser(t, [['BRAND_MANAGER', otherBrand.id]]);
    curator = await createUser(t, [['CURATOR', brand.id]]);
    const org = await db.insertInto('buyer_orgs').values({ name: 'Cairo Roasters', country: 'EG' }).returning('id').executeTakeFirstOrThrow();
    buyer = await createUser(t, [['BUYER', org.id]]);
    producerUser = await createUser(t, [['PRODUCER', member.id]]);
    otherProducerUser = await createUser(t, [['PRODUCER', outsider.id]]);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('createCooperative', () => {
    it.each(['admin', 'brand manager'])('lets an %s create a cooperative', async (role) => {
      const token = role === 'admin' ? admin.token : brandManager.token;
      const res = await t.gql(CREATE_COOPERATIVE, { input: { name: unique('Koperasi Kopi Ijen'), regency: 'Bondowoso' } }, token);
      expect(result(res, 'createCooperative', 'Cooperative').regency).toBe('Bondowoso');
    });

    for (const role of ['curator', 'cooperative manager', 'buyer', 'producer', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const token = { curator, 'cooperative manager': coopManager, buyer, producer: producerUser, anonymous: null }[role]?.token ?? null;
        const before = await countRows(t.database.db, 'cooperatives');
        const res = await t.gql(CREATE_COOPERATIVE, { input: { name: unique('K'), regency: 'Jember' } }, token);
        const [typename, code] = deniedType(token);
        result(res, 'createCooperative', typename, code);
        expect(await countRows(t.database.db, 'cooperatives')).toBe(before);
      });
    }

    it('rejects an empty name, naming the field', async () => {
      const res = await t.gql(CREATE_COOPERATIVE, { input: { name: ' ', regency: 'Jember' } }, admin.token);
      expect(result(res, 'createCooperative', 'ValidationError').issues.map((i: { path: string }) => i.path)).toEqual(['input.name']);
    });
  });

  describe('registerProducer', () => {
    it('lets the cooperative manager register a member with contact data', async () => {
      const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(coop.id) }, coopManager.token);
      const p = result(res, 'registerProducer', 'Producer');
      expect(p.cooperative.id).toBe(gid('Cooperative', coop.id));
      expect(p.contact).toEqual({ phone: '+62 812 3456 7890', email: 'sri@example.test', address: 'Dusun Krajan' });
      expect(p.hasAccount).toBe(false);
    });

    it('lets an admin register a producer without a cooperative', async () => {
      const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(null, { kind: 'UMKM', contact: null }) }, admin.token);
      const p = result(res, 'registerProducer', 'Producer');
      expect(p.cooperative).toBeNull();
      expect(p.kind).toBe('UMKM');
      expect(p.contact).toEqual({ phone: null, email: null, address: null });
    });

    it('creates a sign-in account with the PRODUCER role in the same transaction', async () => {
      const email = `${unique('sri').replace(/\W/g, '')}@example.test`;
      const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(coop.id, { account: { email, password: TEST_PASSWORD } }) }, coopManager.token);
      const p = result(res, 'registerProducer', 'Producer');
      expect(p.hasAccount).toBe(true);

      const login = await t.gql(LOGIN, { input: { email, password: TEST_PASSWORD } });
      const token = result(login, 'login', 'LoginPayload').token;
      const self = await t.gql(PRODUCER_NODE, { id: p.id }, token);
      expect(self.data.node).toMatchObject({ id: p.id, contact: { phone: '+62 812 3456 7890' } });
      const user = await t.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
      const principal = await loadPrincipal(t.database.db, user.id);
      expect(principal?.grants).toMatchObject([{ role: 'PRODUCER' }]);
    });

    it('answers ConflictError for a taken email and writes nothing', async () => {
      const before = await snapshot(t.database.db);
      const res = await t.gql(
        REGISTER_PRODUCER,
        { input: producerInput(coop.id, { account: { email: (await t.database.db.selectFrom('users').select('email').where('id', '=', admin.id).executeTakeFirstOrThrow()).email.toUpperCase(), password: TEST_PASSWORD } }) },
        coopManager.token,
      );
      expect(result(res, 'registerProducer', 'ConflictError', 'CONFLICT').path).toBe('input.account.email');
      expect(await snapshot(t.database.db)).toEqual(before);
    });

    for (const role of ['other cooperative manager', 'brand manager', 'curator', 'buyer', 'producer', 'anonymous'] as const) {
      it(`refuses a ${role} and writes nothing`, async () => {
        const token =
          { 'other cooperative manager': otherCoopManager, 'brand manager': brandManager, curator, buyer, producer: producerUser, anonymous: null }[role]?.token ?? null;
        const before = await snapshot(t.database.db);
        const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(coop.id) }, token);
        const [typename, code] = deniedType(token);
        result(res, 'registerProducer', typename, code);
        expect(await snapshot(t.database.db)).toEqual(before);
      });
    }

    it.each([
      ['an empty name', { displayName: '' }, ['input.displayName']],
      ['a bad phone and email', { contact: { phone: 'call me', email: 'nope' } }, ['input.contact.phone', 'input.contact.email']],
      ['a short password', { account: { email: 'x@example.test', password: 'short' } }, ['input.account.password']],
      ['a Brand ID as cooperativeId', { cooperativeId: gid('Brand', 1) }, ['input.cooperativeId']],
    ])('rejects %s, naming the field, writing nothing', async (_n, patch, paths) => {
      const before = await snapshot(t.database.db);
      const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(coop.id, patch) }, coopManager.token);
      const err = result(res, 'registerProducer', 'ValidationError', 'VALIDATION_FAILED');
      expect(err.issues.map((i: { path: string }) => i.path).sort()).toEqual([...paths].sort());
      expect(await snapshot(t.database.db)).toEqual(before);
    });

    it('requires a cooperative from a cooperative manager', async () => {
      const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(null) }, coopManager.token);
      expect(result(res, 'registerProducer', 'ValidationError').issues[0].path).toBe('input.cooperativeId');
    });

    it('rejects an unknown kind at the GraphQL layer, naming the field', async () => {
      const res = await t.gql(REGISTER_PRODUCER, { input: producerInput(coop.id, { kind: 'ESTATE' }) }, coopManager.token);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.message).toMatch(/ESTATE/);
      expect(res.errors?.[0]?.message).toMatch(/kind/);
    });
  });

  describe('privacy of producers', () => {
    const cases: Array<[string, () => U, 'contact' | 'view only' | 'hidden']> = [
      ['the producer themself', () => producerUser, 'contact'],
      ['their cooperative manager', () => coopManager, 'contact'],
      ['the manager of a brand they applied to', () => brandManager, 'contact'],
      ['an admin', () => admin, 'contact'],
      ['a curator of a brand they applied to', () => curator, 'view only'],
      ['the manager of another brand', () => otherBrandManager, 'hidden'],
      ['another cooperative\'s manager', () => otherCoopManager, 'hidden'],
      ['another producer', () => otherProducerUser, 'hidden'],
      ['a buyer', () => buyer, 'hidden'],
    ];
    for (const [who, user, expected] of cases) {
      it(`${expected === 'hidden' ? 'hides the producer from' : expected === 'contact' ? 'shows contact data to' : 'hides contact data from'} ${who}`, async () => {
        const res = await t.gql(PRODUCER_NODE, { id: gid('Producer', member.id) }, user().token);
        if (expected === 'hidden') {
          // Answered exactly like an unknown ID: null, no error.
          expect(res.data.node).toBeNull();
          expect(res.errors).toBeUndefined();
        } else {
          expect(res.errors).toBeUndefined();
          expect(res.data.node.regency).toBe('Bondowoso');
          expect(res.data.node.contact).toEqual(
            expected === 'contact' ? { phone: '+62 811 1111 111', email: 'tani@example.test', address: 'Dusun Krajan RT 01' } : null,
          );
        }
        const list = await t.gql(PRODUCERS, {}, user().token);
        const ids = list.data.producers.edges.map((e: { node: { id: string } }) => e.node.id);
        expect(ids.includes(gid('Producer', member.id))).toBe(expected !== 'hidden');
      });
    }

    it('lists only what each caller may see, filtered in SQL', async () => {
      const forBuyer = await t.gql(PRODUCERS, {}, buyer.token);
      expect(forBuyer.data.producers.edges).toEqual([]);
      const forOther = await t.gql(PRODUCERS, {}, otherProducerUser.token);
      expect(forOther.data.producers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid('Producer', outsider.id)]);
      const forBrand = await t.gql(PRODUCERS, { brandId: gid('Brand', brand.id) }, brandManager.token);
      expect(forBrand.data.producers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid('Producer', member.id)]);
      const forAdmin = await t.gql(PRODUCERS, { cooperativeId: gid('Cooperative', otherCoop.id) }, admin.token);
      expect(forAdmin.data.producers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid('Producer', outsider.id)]);
    });

    it('costs a constant number of statements for a page of producers (batched access checks)', async () => {
      for (let i = 0; i < 12; i++) await insertProducer(t.database.db, { cooperativeId: coop.id });
      t.queries.length = 0;
      const res = await t.gql(PRODUCERS, { cooperativeId: gid('Cooperative', coop.id) }, coopManager.token);
      expect(res.data.producers.edges.length).toBeGreaterThan(12);
      // list + producers of the access batch (no memberships query for a coop manager without brand roles)
      expect(t.queries.length).toBeLessThanOrEqual(3);
    });

    it('shows a cooperative\'s producers to its manager and to brand managers (those in their brands), not to others', async () => {
      const own = await t.gql(COOPERATIVE_PRODUCERS, { id: gid('Cooperative', coop.id) }, coopManager.token);
      expect(own.data.cooperative.producers.edges.length).toBeGreaterThan(1);
      const brandSide = await t.gql(COOPERATIVE_PRODUCERS, { id: gid('Cooperative', coop.id) }, brandManager.token);
      expect(brandSide.data.cooperative.producers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid('Producer', member.id)]);
      for (const user of [otherCoopManager, buyer, curator, producerUser]) {
        const res = await t.gql(COOPERATIVE_PRODUCERS, { id: gid('Cooperative', coop.id) }, user.token);
        expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    });

    it('computes access for a batch in at most two statements (access.ts)', async () => {
      const principal = await loadPrincipal(t.database.db, brandManager.id);
      t.queries.length = 0;
      const map = await producerAccess(t.database.db, principal, [member.id, outsider.id, 999999]);
      expect(t.queries.length).toBeLessThanOrEqual(2);
      expect(map.get(member.id)).toEqual({ view: true, manage: false, contact: true });
      expect(map.get(outsider.id)).toEqual({ view: false, manage: false, contact: false });
      expect(map.get(999999)).toEqual({ view: false, manage: false, contact: false });
      await expect(assertCanManageProducer(t.database.db, principal, member.id, 'input.producerId')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(assertCanManageProducer(t.database.db, principal, 999999, 'input.producerId')).rejects.toMatchObject({ code: 'NOT_FOUND', path: 'input.producerId' });
      const self = await loadPrincipal(t.database.db, producerUser.id);
      await expect(assertCanManageProducer(t.database.db, self, member.id, 'input.producerId')).resolves.toBeUndefined();
      await expect(assertCanManageProducer(t.database.db, null, member.id, 'input.producerId')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });
});
