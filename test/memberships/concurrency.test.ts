import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { countRows, gid, insertBrand, insertCooperative, insertMembership, insertProducer, insertProduct } from '../producers/fixtures.js';

/**
 * Races need a real server: PGlite has one connection and serialises everything, so these run
 * only against PostgreSQL (TEST_DATABASE_URL).
 */

const DECIDE = /* GraphQL */ `
  mutation Decide($input: DecideMembershipInput!) {
    decideMembership(input: $input) { __typename ... on Membership { status } ... on Error { code } }
  }`;
const APPLY = /* GraphQL */ `
  mutation Apply($input: ApplyForMembershipInput!) {
    applyForMembership(input: $input) { __typename ... on Membership { status } ... on Error { code } }
  }`;
const SET_SCHEME = /* GraphQL */ `
  mutation SetGradeScheme($input: SetGradeSchemeInput!) {
    setGradeScheme(input: $input) { __typename ... on GradeScheme { version } ... on Error { code } }
  }`;

describe('concurrent supply-side changes (PostgreSQL)', () => {
  let t: TestApp;
  let onPostgres = false;
  beforeAll(async () => {
    t = await createTestApp();
    onPostgres = t.database.driver === 'postgres';
  });
  afterAll(async () => {
    await t?.close();
  });

  it('decides an application once when a curator approves and the manager rejects at the same time', async (ctx) => {
    if (!onPostgres) ctx.skip();
    const db = t.database.db;
    const brand = await insertBrand(db);
    const coop = await insertCooperative(db);
    const curator = await createUser(t, [['CURATOR', brand.id]]);
    const manager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
    for (let round = 0; round < 10; round++) {
      const m = await insertMembership(db, (await insertProducer(db, { cooperativeId: coop.id })).id, brand.id, 'APPLIED');
      const [a, b] = await Promise.all([
        t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision: 'APPROVE' } }, curator.token),
        t.gql(DECIDE, { input: { membershipId: gid('Membership', m.id), decision: 'REJECT', reason: 'no' } }, manager.token),
      ]);
      const types = [a.data.decideMembership.__typename, b.data.decideMembership.__typename].sort();
      expect(types).toEqual(['InvalidTransitionError', 'Membership']);
      const events = await db.selectFrom('membership_events').select('to_status').where('membership_id', '=', m.id).execute();
      expect(events).toHaveLength(1);
    }
  });

  it('creates one membership when the producer and their cooperative manager apply at the same time', async (ctx) => {
    if (!onPostgres) ctx.skip();
    const db = t.database.db;
    const brand = await insertBrand(db);
    const coop = await insertCooperative(db);
    const coopManager = await createUser(t, [['COOP_MANAGER', coop.id]]);
    for (let round = 0; round < 10; round++) {
      const producer = await insertProducer(db, { cooperativeId: coop.id });
      const self = await createUser(t, [['PRODUCER', producer.id]]);
      const input = { producerId: gid('Producer', producer.id), brandId: gid('Brand', brand.id) };
      const results = await Promise.all([t.gql(APPLY, { input }, self.token), t.gql(APPLY, { input }, coopManager.token)]);
      expect(results.map((r) => r.data.applyForMembership.__typename).sort()).toEqual(['ConflictError', 'Membership']);
      const rows = await db.selectFrom('memberships').select('id').where('producer_id', '=', producer.id).execute();
      expect(rows).toHaveLength(1);
      expect(await db.selectFrom('membership_events').select('id').where('membership_id', '=', rows[0]!.id).execute()).toHaveLength(1);
    }
  });

  it('numbers concurrent grade scheme versions without gaps or duplicates', async (ctx) => {
    if (!onPostgres) ctx.skip();
    const db = t.database.db;
    const brand = await insertBrand(db);
    const manager = await createUser(t, [['BRAND_MANAGER', brand.id]]);
    const product = await insertProduct(db, brand.id);
    const before = await countRows(db, 'grade_schemes');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.gql(SET_SCHEME, { input: { productId: gid('Product', product.id), preset: 'SNI_ARABICA' } }, manager.token)),
    );
    expect(results.map((r) => r.data.setGradeScheme.version).sort((x: number, y: number) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await countRows(db, 'grade_schemes')).toBe(before + 8);
  });
});
