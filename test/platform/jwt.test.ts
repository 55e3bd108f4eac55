import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

const ME = /* GraphQL */ `query Me { me { email } }`;

const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Craft a token by hand so every field can be wrong on purpose. */
function token(
  claims: Record<string, unknown>,
  { alg = 'HS256', secret = TEST_JWT_SECRET, sign = true }: { alg?: string; secret?: string; sign?: boolean } = {},
) {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  if (!sign) return `${head}.`;
  const hash = alg === 'HS512' ? 'sha512' : alg === 'HS384' ? 'sha384' : 'sha256';
  return `${head}.${createHmac(hash, secret).update(head).digest('base64url')}`;
}

describe('JWT hardening', () => {
  let t: TestApp;
  let userId: number;
  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => ({ sub: String(userId), iat: now(), exp: now() + 600, iss: 'lumbung', aud: 'lumbung-api' });

  beforeAll(async () => {
    t = await createTestApp();
    userId = (await createUser(t)).id;
  });
  afterAll(async () => { await t?.close(); });

  it('given a well-formed HS256 token, when calling me, then it answers (control for every rejection below)', async () => {
    const res = await t.gql(ME, {}, token(valid()));
    expect(res.statusCode).toBe(200);
    expect(res.data.me.email).toMatch(/@example\.test$/);
  });

  it('given a token the app itself signed, when calling me, then it answers', async () => {
    const res = await t.gql(ME, {}, t.app.jwt.sign({ sub: String(userId) }));
    expect(res.data.me.email).toMatch(/@example\.test$/);
  });

  const rejections: Array<[string, () => string]> = [
    ['alg none', () => token(valid(), { alg: 'none', sign: false })],
    ['another algorithm (HS512 with the same secret)', () => token(valid(), { alg: 'HS512' })],
    ['another algorithm (HS384 with the same secret)', () => token(valid(), { alg: 'HS384' })],
    ['a missing exp', () => { const { exp: _, ...c } = valid(); return token(c); }],
    ['a missing iat', () => { const { iat: _, ...c } = valid(); return token(c); }],
    ['a missing sub', () => { const { sub: _, ...c } = valid(); return token(c); }],
    ['a foreign iss', () => token({ ...valid(), iss: 'someone-else' })],
    ['a foreign aud', () => token({ ...valid(), aud: 'another-api' })],
    ['an expired token', () => token({ ...valid(), iat: now() - 7200, exp: now() - 3600 })],
    ['a tampered signature', () => { const tk = token(valid()); return `${tk.slice(0, -4)}${tk.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`; }],
    ['a tampered payload', () => { const [h, , s] = token(valid()).split('.'); return `${h}.${b64({ ...valid(), sub: String(userId + 1000) })}.${s}`; }],
    ['another secret', () => token(valid(), { secret: 'a-completely-different-secret-of-enough-length' })],
    ['a sub of a user that does not exist', () => token({ ...valid(), sub: '999999' })],
    ['garbage', () => 'not.a.token'],
  ];

  it.each(rejections)('given %s, when calling me, then 401 UNAUTHENTICATED', async (_name, make) => {
    const res = await t.gql(ME, {}, make());
    expect(res.statusCode).toBe(401);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('given no token, when calling me, then a typed UNAUTHENTICATED error (no principal)', async () => {
    const res = await t.gql(ME);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('signs HS256 with iss, aud, iat, exp and sub, expiring after the configured seconds', () => {
    const [h, p] = t.app.jwt.sign({ sub: '7' }).split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    expect(claims).toMatchObject({ sub: '7', iss: 'lumbung', aud: 'lumbung-api' });
    expect(claims.exp - claims.iat).toBe(3600);
  });
});
