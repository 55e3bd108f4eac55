import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderWorld, type OrderWorld } from '../orders/fixtures.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';

/**
 * Issue 8 §4: a person's preferred language wins over Accept-Language. Set with
 * setPreferredLanguage, read back as User.preferredLanguage (only by the person and admins), and
 * cleared with null, after which the header decides again. Codes never change with the language.
 */

const CANCEL = /* GraphQL */ `
  mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ${ERROR_FIELDS} } }`;
const SET = /* GraphQL */ `
  mutation Set($input: SetPreferredLanguageInput!) {
    setPreferredLanguage(input: $input) { __typename ... on User { id preferredLanguage } ${ERROR_FIELDS} } }`;
const ME = /* GraphQL */ `query { me { id preferredLanguage } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { ... on User { id preferredLanguage } } }`;

let t: TestApp;
let w: OrderWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await createOrderWorld(t);
});
afterAll(() => t?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string | null, acceptLanguage?: string) =>
  t.gql(query, variables, token, acceptLanguage);

const unknownOrder = { orderId: gid('Order', 987_654_321), reason: 'salah pesan' };
const cancelUnknown = async (token: string, lang?: string) => (await gql(CANCEL, { input: unknownOrder }, token, lang)).data.cancelOrder;

describe('a preferred language', () => {
  it('wins over Accept-Language once set, in both directions, and null hands the choice back to the header', async () => {
    const buyer = w.as.buyer.token;
    expect((await gql(ME, {}, buyer)).data.me.preferredLanguage).toBeNull();
    expect((await cancelUnknown(buyer, 'en')).message).toBe('Order not found (input.orderId)');

    const set = await gql(SET, { input: { language: 'ID' } }, buyer, 'en');
    expect(set.data.setPreferredLanguage).toMatchObject({ __typename: 'User', preferredLanguage: 'ID' });
    expect((await gql(ME, {}, buyer)).data.me.preferredLanguage).toBe('ID');

    const id = await cancelUnknown(buyer, 'en-GB');
    expect(id).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'Pesanan tidak ditemukan (input.orderId).', path: 'input.orderId' });
    expect((await cancelUnknown(buyer)).message).toBe('Pesanan tidak ditemukan (input.orderId).');

    await gql(SET, { input: { language: 'EN' } }, buyer, 'id');
    const en = await cancelUnknown(buyer, 'id-ID');
    expect(en).toEqual({ ...id, message: 'Order not found (input.orderId)' });

    const cleared = await gql(SET, { input: { language: null } }, buyer);
    expect(cleared.data.setPreferredLanguage.preferredLanguage).toBeNull();
    expect((await cancelUnknown(buyer, 'id')).message).toBe('Pesanan tidak ditemukan (input.orderId).');
    expect((await cancelUnknown(buyer, 'en')).message).toBe('Order not found (input.orderId)');
  });

  it('also sets the language of request-level refusals (GraphQL input validation), keeping the code', async () => {
    const curator = w.as.curator.token;
    await gql(SET, { input: { language: 'ID' } }, curator);
    const bad = await gql(SET, { input: { language: 'FR' } }, curator, 'en');
    expect(bad.statusCode).toBe(400);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/^Nilai untuk input.language tidak valid/);
    // Nothing was written by the refused request: the preference is still Indonesian.
    expect((await gql(ME, {}, curator)).data.me.preferredLanguage).toBe('ID');
    await gql(SET, { input: { language: null } }, curator);
  });

  it('is seen only by the person and by admins; anyone else reads null', async () => {
    const manager = w.as.brandManager;
    await gql(SET, { input: { language: 'ID' } }, manager.token);
    const userId = gid('User', manager.id);
    expect((await gql(NODE, { id: userId }, manager.token)).data.node.preferredLanguage).toBe('ID');
    expect((await gql(NODE, { id: userId }, w.as.admin.token)).data.node.preferredLanguage).toBe('ID');
    const other = await gql(NODE, { id: userId }, w.as.curator.token);
    expect(other.data.node?.preferredLanguage ?? null).toBeNull();
    await gql(SET, { input: { language: null } }, manager.token);
  });

  it('needs a signed-in person', async () => {
    const anonymous = await gql(SET, { input: { language: 'ID' } }, null);
    expect(anonymous.data.setPreferredLanguage).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });
});
