import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/platform/graphql/ids.js';
import { createTestApp, createUser, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { clientToken, makeOrgAdmin, registerClient } from './support.js';

const AVAILABILITY_TYPENAME = /* GraphQL */ `query Brands { brands(first: 1) { edges { cursor } } }`;

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Craft a client access token by hand so every part can be wrong on purpose (as jwt.test.ts does for users). */
function token(
  claims: Record<string, unknown>,
  { alg = 'HS256', typ = 'at+jwt', secret = TEST_JWT_SECRET, sign = true }: { alg?: string; typ?: string; secret?: string; sign?: boolean } = {},
) {
  const head = `${b64({ alg, typ })}.${b64(claims)}`;
  if (!sign) return `${head}.`;
  const hash = alg === 'HS512' ? 'sha512' : alg === 'HS384' ? 'sha384' : 'sha256';
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}

describe('client access tokens resist the attacks user tokens resist', () => {
  let t: TestApp;
  let clientId: string;
  let ownerId: number;
  let secret: string;
  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => ({
    sub: clientId, client_id: clientId, scope: 'catalog:read', iat: now(), exp: now() + 600, iss: 'lumbung', aud: 'lumbung-api', jti: 'x',
  });

  beforeAll(async () => {
    t = await createTestApp();
    const org = await t.database.db.insertInto('buyer_orgs').values({ name: `Org ${process.pid}`, country: 'EG' }).returningAll().executeTakeFirstOrThrow();
    const owner = await createUser(t, [['BUYER', org.id]]);
    ownerId = owner.id;
    await makeOrgAdmin(t, owner.id);
    ({ clientId, secret } = await registerClient(t, owner.token, { organizationId: globalId('BuyerOrganization', org.id), scopes: ['catalog:read'] }));
  });
  afterAll(async () => { await t?.close(); });

  it('given a well-formed hand-made client token, when querying, then it answers (control for every rejection below)', async () => {
    const res = await t.gql(AVAILABILITY_TYPENAME, {}, token(valid()));
    expect(res.statusCode).toBe(200);
    expect(res.data.brands.edges).toEqual(expect.any(Array));
  });

  it('given a token from the token endpoint, when querying, then it answers', async () => {
    const res = await t.gql(AVAILABILITY_TYPENAME, {}, await clientToken(t, clientId, secret));
    expect(res.statusCode).toBe(200);
    expect(res.data.brands.edges).toEqual(expect.any(Array));
  });

  const rejections: Array<[string, () => string]> = [
    ['alg none', () => token(valid(), { alg: 'none', sign: false })],
    ['another algorithm (HS512 with the same secret)', () => token(valid(), { alg: 'HS512' })],
    ['another algorithm (HS384 with the same secret)', () => token(valid(), { alg: 'HS384' })],
    ['a missing exp', () => { const { exp: _, ...c } = valid(); return token(c); }],
    ['a missing iat', () => { const { iat: _, ...c } = valid(); return token(c); }],
    ['a missing sub', () => { const { sub: _, ...c } = valid(); return token(c); }],
    ['a missing client_id', () => { const { client_id: _, ...c } = valid(); return token(c); }],
    ['a missing scope', () => { const { scope: _, ...c } = valid(); return token(c); }],
    ['a sub that is not the client_id', () => token({ ...valid(), sub: 'lmb_ci_BBBBBBBBBBBBBBBBBBBBBB' })],
    ['a foreign iss', () => token({ ...valid(), iss: 'someone-else' })],
    ['a foreign aud', () => token({ ...valid(), aud: 'another-api' })],
    ['an expired token', () => token({ ...valid(), iat: now() - 7200, exp: now() - 3600 })],
    ['a tampered signature', () => { const tk = token(valid()); return `${tk.slice(0, -4)}${tk.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`; }],
    ['a tampered payload (wider scope)', () => { const [h, , s] = token(valid()).split('.'); return `${h}.${b64({ ...valid(), scope: 'orders:write' })}.${s}`; }],
    ['another secret', () => token(valid(), { secret: 'a-completely-different-secret-of-enough-length' })],
    ['a client that does not exist', () => token({ ...valid(), sub: 'lmb_ci_AAAAAAAAAAAAAAAAAAAAAA', client_id: 'lmb_ci_AAAAAAAAAAAAAAAAAAAAAA' })],
    ['client claims in a user-typed token (typ JWT)', () => token(valid(), { typ: 'JWT' })],
    ["a user's numeric sub in a client-typed token", () => token({ ...valid(), sub: String(ownerId), client_id: undefined })],
    ['a user token carrying a scope claim', () => token({ sub: String(ownerId), scope: 'catalog:read', iat: now(), exp: now() + 600, iss: 'lumbung', aud: 'lumbung-api' }, { typ: 'JWT' })],
  ];

  it.each(rejections)('given %s, when querying, then 401 UNAUTHENTICATED', async (_name, make) => {
    const res = await t.gql(AVAILABILITY_TYPENAME, {}, make());
    expect(res.statusCode).toBe(401);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('given a scope the client does not hold written into a validly signed token, when querying, then the scope is dropped', async () => {
    // Only a holder of the server key could sign this; even then, scopes are cut to what the client holds now.
    const res = await t.gql(`query O { orders(first: 1) { edges { cursor } } }`, {}, token({ ...valid(), scope: 'catalog:read orders:read' }));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INSUFFICIENT_SCOPE', scope: 'orders:read' });
  });
});
