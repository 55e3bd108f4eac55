import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.js';

const ME = /* GraphQL */ `query Me { me { id email roles { role } } }`;

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('answers me for a token', async () => {
    const admin = await createUser(t, [['ADMIN']]);
    const res = await t.gql(ME, {}, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.me.email).toBe(admin.email);
    expect(res.data.me.roles).toEqual([{ role: 'ADMIN' }]);
  });
});
