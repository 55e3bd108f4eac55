import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BusyError, ConflictError, ForbiddenError, IdempotencyInProgressError, IdempotencyKeyReusedError, InvalidCredentialsError,
  InvalidTransitionError, NotFoundError, UnauthenticatedError, ValidationError,
} from '../../src/platform/errors.js';
import { ServiceBusyError } from '../../src/platform/limits/gate.js';
import { TooManyAttemptsError } from '../../src/platform/limits/throttle.js';
import { ERROR_CODES } from '../../src/platform/error-codes.js';
import { ISSUES } from '../../src/platform/issue-messages.js';
import { CODE_MESSAGES, localizedMessage, PLATFORM_MESSAGES } from '../../src/platform/messages.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid } from '../support/supply-fixtures.js';

/**
 * Issue 8 §4 (first part): the platform's error codes and the common errors in Indonesian and
 * English, by Accept-Language (id, id-ID and the old in-ID mean Indonesian; anything else English).
 * The same refusal has the same code and a different text in the two languages.
 */

const CANCEL = /* GraphQL */ `
  mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { __typename ${ERROR_FIELDS} } }`;
const REJECT = /* GraphQL */ `
  mutation Reject($input: RejectOrderInput!) { rejectOrder(input: $input) { __typename ${ERROR_FIELDS} } }`;
const PLACE = /* GraphQL */ `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { __typename } }`;

let t: TestApp;
let w: OrderWorld;
let order: number;

beforeAll(async () => {
  t = await createTestApp();
  w = await createOrderWorld(t);
  order = (await insertOrder(t.database.db, { buyerOrgId: w.buyerOrg.id, product: w.product, placedBy: w.as.buyer.id, status: 'CANCELLED' })).id;
});
afterAll(() => t?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string | null, acceptLanguage?: string) =>
  t.gql(query, variables, token, acceptLanguage);

describe('the same refusal in Indonesian and English', () => {
  it('an unknown order: same type and code, Indonesian text for id, English otherwise', async () => {
    const input = { orderId: gid('Order', 987_654_321), reason: 'salah pesan' };
    const en = (await gql(CANCEL, { input }, w.as.buyer.token, 'en-GB')).data.cancelOrder;
    const id = (await gql(CANCEL, { input }, w.as.buyer.token, 'id')).data.cancelOrder;
    expect(en).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'Order not found (input.orderId)', path: 'input.orderId' });
    expect(id).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'Pesanan tidak ditemukan (input.orderId).', path: 'input.orderId' });
  });

  it.each([['id-ID'], ['in-ID'], ['id;q=0.9, en;q=0.8'], ['fr, id;q=0.5']])('Accept-Language %s answers in Indonesian', async (header) => {
    const res = await gql(CANCEL, { input: { orderId: gid('Order', 987_654_321), reason: 'x' } }, w.as.buyer.token, header);
    expect(res.data.cancelOrder.message).toBe('Pesanan tidak ditemukan (input.orderId).');
  });

  it.each([[undefined], ['en'], ['fr'], ['*'], ['not a tag!!']])('Accept-Language %s answers in English', async (header) => {
    const res = await gql(CANCEL, { input: { orderId: gid('Order', 987_654_321), reason: 'x' } }, w.as.buyer.token, header);
    expect(res.data.cancelOrder.message).toBe('Order not found (input.orderId)');
  });

  it('a refused transition, a missing token and bad input: codes equal, texts differ', async () => {
    const transition = (lang: string) => gql(REJECT, { input: { orderId: gid('Order', order), reason: 'tidak cocok' } }, w.as.brandManager.token, lang);
    const [en, id] = [(await transition('en')).data.rejectOrder, (await transition('id')).data.rejectOrder];
    expect([en.__typename, en.code]).toEqual(['InvalidTransitionError', 'INVALID_TRANSITION']);
    expect([id.__typename, id.code]).toEqual([en.__typename, en.code]);
    expect(id.message).toBe('Pesanan tidak dapat diubah dari CANCELLED ke REJECTED.');
    expect(id.message).not.toBe(en.message);

    const anonymous = async (lang: string) => (await gql(CANCEL, { input: { orderId: gid('Order', order), reason: 'x' } }, null, lang)).data.cancelOrder;
    const [anonEn, anonId] = [await anonymous('en'), await anonymous('id')];
    expect([anonId.code, anonEn.code]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(anonId.message).toBe('Silakan masuk terlebih dahulu: diperlukan token yang sah.');
    expect(anonEn.message).not.toBe(anonId.message);

    const blank = async (lang: string) => (await gql(CANCEL, { input: { orderId: gid('Order', order), reason: ' ' } }, w.as.buyer.token, lang)).data.cancelOrder;
    const [badEn, badId] = [await blank('en'), await blank('id')];
    expect([badEn.code, badId.code]).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
    expect(badId.issues.map((i: { path: string }) => i.path)).toEqual(badEn.issues.map((i: { path: string }) => i.path));
    expect(badId.issues).toEqual([{ path: 'input.reason', message: 'wajib diisi: sebutkan alasannya' }]);
    expect(badEn.issues).toEqual([{ path: 'input.reason', message: 'is required: say why' }]);
    expect(badId.message).toBe('Masukan tidak valid pada input.reason: wajib diisi: sebutkan alasannya.');
  });

  it('GraphQL\'s own input refusal keeps BAD_USER_INPUT and its path; the text follows the language', async () => {
    const input = { productId: gid('Product', w.product.id), minGrade: '3', quantity: '60', windowStart: '2027-02-30', windowEnd: '2027-09-30',
      destinationCountry: 'EG', incoterm: 'FOB', price: { amount: '4', currency: 'USD' }, idempotencyKey: 'language-0001' };
    const en = await gql(PLACE, { input }, w.as.buyer.token, 'en');
    const id = await gql(PLACE, { input }, w.as.buyer.token, 'id-ID');
    expect([en.statusCode, id.statusCode]).toEqual([400, 400]);
    expect(id.errors![0]!.extensions).toEqual(en.errors![0]!.extensions);
    expect(id.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', path: 'input.windowStart' });
    expect(id.errors![0]!.message).toMatch(/^Nilai untuk input\.windowStart tidak valid\./);
    expect(en.errors![0]!.message).not.toMatch(/Nilai/);
  });
});

describe('the catalogue', () => {
  it('every code of the error contract has an English and an Indonesian message, and they differ', () => {
    const platform = new Set(Object.keys(PLATFORM_MESSAGES));
    const others = CODE_MESSAGES as Record<string, { en: string; id: string }>;
    for (const code of Object.keys(ERROR_CODES)) {
      if (platform.has(code)) continue;
      expect(others[code], code).toBeDefined();
      expect(others[code]!.id.length, code).toBeGreaterThan(5);
      expect(others[code]!.id, code).not.toBe(others[code]!.en);
    }
  });

  it('a refusal before GraphQL (a cross-site form post) follows the language too, with the same code', async () => {
    const post = (lang: string) => t.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'text/plain', 'accept-language': lang }, payload: '{"query":"{ me { id } }"}' });
    const [en, id] = [await post('en'), await post('in-ID')];
    expect([en.statusCode, id.statusCode]).toEqual([400, 400]);
    expect(id.json().errors[0].extensions).toEqual(en.json().errors[0].extensions);
    expect(id.json().errors[0]).toMatchObject({ extensions: { code: 'CSRF_PREVENTED' }, message: expect.stringMatching(/^Permintaan ini bisa berasal dari formulir situs lain/) });
    expect(en.json().errors[0].message).toMatch(/^This request could have been sent by a cross-site form/);
  });

  it('a syntax error in Indonesian keeps its code and the engine\'s detail', async () => {
    const id = await gql('query { nope(', {}, null, 'id');
    expect(id.statusCode).toBe(400);
    expect(id.errors![0]!.extensions?.code).toBe('BAD_REQUEST');
    expect(id.errors![0]!.message).toMatch(/^Permintaan ini bukan GraphQL yang valid untuk API ini\. Rincian: Syntax Error/);
  });

  const samples = [
    ValidationError.field('input.netWeight', ISSUES.moreThanZero), new NotFoundError('Lot', 'input.lotId'), new ForbiddenError(),
    new UnauthenticatedError(), new InvalidCredentialsError(), new InvalidTransitionError('Order', 'SHIPPED', 'CANCELLED'),
    new ConflictError('A brand with this name exists', 'input.name'), new BusyError('LOCK_TIMEOUT'), new IdempotencyKeyReusedError('placeOrder'),
    new IdempotencyInProgressError('placeOrder'), new ServiceBusyError(2), new TooManyAttemptsError(30),
  ];

  it('has both messages for every platform code, and they differ', () => {
    expect(samples.map((e) => e.code).sort()).toEqual(Object.keys(PLATFORM_MESSAGES).sort());
    for (const error of samples) {
      const en = localizedMessage(error, 'en');
      const id = localizedMessage(error, 'id');
      expect(en.length, error.code).toBeGreaterThan(5);
      expect(id.length, error.code).toBeGreaterThan(5);
      expect(id, error.code).not.toBe(en);
    }
  });
});
