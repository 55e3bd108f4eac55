import { getNamedType, isUnionType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonErrors } from '../../src/platform/graphql/errors.js';
import { buildSchema } from '../../src/schema.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';

/**
 * Issue 8 §1 through HTTP: what a caller may not see answers exactly like what does not exist; a
 * field only some callers may see does not wipe out the rest of the answer; every mutation's union
 * carries the common errors. (A domain error a union forgot: union-bug.test.ts.)
 */

const ORDER = /* GraphQL */ `query Order($id: ID!) { order(id: $id) { id status } }`;
const LOT = /* GraphQL */ `query Lot($id: ID!) { lot(id: $id) { id } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id } }`;
const CANCEL = /* GraphQL */ `
  mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;
const AVAILABILITY_WITH_MEMBERSHIPS = /* GraphQL */ `
  query Availability($input: AvailabilityInput!) {
    availability(input: $input) {
      __typename
      ... on Availability { totalWeight product { id brand { name memberships(first: 5) { edges { node { id } } } } } }
      ${ERROR_FIELDS}
    }
  }`;

const UNKNOWN = 987_654_321;
/** The answer with the ID under test replaced, to compare the answers for two IDs. */
const shape = (res: unknown, id: string) => JSON.stringify(res).replaceAll(id, '<ID>');

let t: TestApp;
let w: OrderWorld;
let othersOrder: number;
let othersLot: number;

beforeAll(async () => {
  t = await createTestApp();
  w = await createOrderWorld(t);
  othersOrder = (await insertOrder(t.database.db, { buyerOrgId: w.otherBuyerOrg.id, product: w.product, placedBy: w.as.otherBuyer.id })).id;
  const lot = await t.database.db.insertInto('lots').values({
    producer_id: w.otherProducer.id, product_id: w.product.id, brand_id: w.brand.id, regency: 'Jember', harvest_start: '2026-06-01',
    harvest_end: '2026-08-31', process: w.product.process, net_g: 600_000, allocated_g: 0, storage_location: 'Gudang', eudr_ready: true,
    grade_code: '2', grade_rank: 3, off_grade: false, latest_assessment_id: null,
  }).returning('id').executeTakeFirstOrThrow();
  othersLot = lot.id;
});
afterAll(() => t?.close());

describe('exists-but-invisible looks exactly like unknown', () => {
  it('order(id) and node(id): another buyer\'s order is null with no error, like an unknown ID', async () => {
    for (const doc of [ORDER, NODE]) {
      const hidden = await t.gql(doc, { id: gid('Order', othersOrder) }, w.as.buyer.token);
      const unknown = await t.gql(doc, { id: gid('Order', UNKNOWN) }, w.as.buyer.token);
      expect(hidden.errors).toBeUndefined();
      expect(Object.values(hidden.data)).toEqual([null]);
      expect(shape(hidden, gid('Order', othersOrder))).toBe(shape(unknown, gid('Order', UNKNOWN)));
    }
  });

  it('lot(id) and node(id): another producer\'s lot is null with no error, like an unknown ID', async () => {
    for (const doc of [LOT, NODE]) {
      const hidden = await t.gql(doc, { id: gid('Lot', othersLot) }, w.as.producer.token);
      const unknown = await t.gql(doc, { id: gid('Lot', UNKNOWN) }, w.as.producer.token);
      expect(hidden.errors).toBeUndefined();
      expect(shape(hidden, gid('Lot', othersLot))).toBe(shape(unknown, gid('Lot', UNKNOWN)));
    }
  });

  it('reading and cancelling another buyer\'s order agree: null and NotFoundError, as for an unknown order', async () => {
    const read = await t.gql(ORDER, { id: gid('Order', othersOrder) }, w.as.buyer.token);
    expect(read).toEqual({ statusCode: 200, data: { order: null }, errors: undefined });
    const cancel = await t.gql(CANCEL, { input: { orderId: gid('Order', othersOrder), reason: 'not mine' } }, w.as.buyer.token);
    const unknown = await t.gql(CANCEL, { input: { orderId: gid('Order', UNKNOWN), reason: 'not mine' } }, w.as.buyer.token);
    expect(cancel.data.cancelOrder).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.orderId' });
    expect(shape(cancel, gid('Order', othersOrder))).toBe(shape(unknown, gid('Order', UNKNOWN)));
  });
});

describe('a field only some callers may see', () => {
  it('given a buyer asks availability for product { brand { memberships } }, the availability survives with an error on memberships only', async () => {
    const input = { productId: gid('Product', w.product.id), minGrade: '3', windowStart: '2027-05-01', windowEnd: '2027-09-30' };
    const res = await t.gql(AVAILABILITY_WITH_MEMBERSHIPS, { input }, w.as.buyer.token);
    expect(res.statusCode).toBe(200);
    expect(res.data.availability).toMatchObject({ __typename: 'Availability', product: { id: gid('Product', w.product.id), brand: { name: w.brand.name, memberships: null } } });
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['availability.product.brand.memberships', 'FORBIDDEN']]);
  });

  it('the brand\'s manager gets the memberships in the same query', async () => {
    const input = { productId: gid('Product', w.product.id), minGrade: '3', windowStart: '2027-05-01', windowEnd: '2027-09-30' };
    const res = await t.gql(AVAILABILITY_WITH_MEMBERSHIPS, { input }, w.as.brandManager.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.availability.product.brand.memberships.edges.length).toBeGreaterThan(0);
  });
});

describe('result unions', () => {
  it('every mutation\'s result union contains the common errors (platform/graphql/errors.ts commonErrors)', () => {
    const schema = buildSchema();
    const common = commonErrors.map((e) => e.name);
    for (const name of common) expect(schema.getType(name), name).toBeDefined();
    const missing: string[] = [];
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const type = getNamedType(field.type);
      if (!isUnionType(type)) {
        missing.push(`${field.name}: not a result union`);
        continue;
      }
      const members = type.getTypes().map((m) => m.name);
      for (const name of common) if (!members.includes(name)) missing.push(`${field.name}: ${name}`);
    }
    expect(missing).toEqual([]);
  });
});
