import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, TEST_PASSWORD, type TestApp } from '../support/app.js';

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on LoginPayload { token expiresAt }
      ... on Error { code message }
    }
  }`;
const ME = /* GraphQL */ `query Me { me { id email displayName roles { id role organizationId } } }`;
const CREATE_USER = /* GraphQL */ `
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      __typename
      ... on User { id email }
      ... on ValidationError { code issues { path message } }
      ... on Error { code message }
    }
  }`;
const GRANT = /* GraphQL */ `
  mutation Grant($input: GrantRoleInput!) {
    grantRole(input: $input) {
      __typename
      ... on RoleGrant { id role organizationId }
      ... on ValidationError { issues { path message } }
      ... on Error { code message }
    }
  }`;
const REVOKE = /* GraphQL */ `
  mutation Revoke($input: RevokeRoleInput!) {
    revokeRole(input: $input) { __typename ... on RoleGrant { id } ... on Error { code } }
  }`;
const CREATE_BUYER_ORG = /* GraphQL */ `
  mutation Buyer($input: CreateBuyerOrganizationInput!) {
    createBuyerOrganization(input: $input) {
      __typename
      ... on BuyerOrganization { id name country }
      ... on ValidationError { issues { path } }
      ... on Error { code }
    }
  }`;

describe('accounts: users, login, roles', () => {
  let t: TestApp;
  let admin: { id: number; email: string; token: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await createUser(t, [['ADMIN']]);
  });
  afterAll(async () => { await t?.close(); });

  it('given an admin, when creating a user and logging in as them, then me returns the caller', async () => {
    const created = await t.gql(CREATE_USER, { input: { email: 'Siti@Example.test', password: TEST_PASSWORD, displayName: 'Siti' } }, admin.token);
    expect(created.data.createUser).toMatchObject({ __typename: 'User', email: 'Siti@Example.test' });

    const login = await t.gql(LOGIN, { input: { email: 'siti@example.TEST', password: TEST_PASSWORD } });
    expect(login.errors).toBeUndefined();
    expect(login.data.login.__typename).toBe('LoginPayload');
    expect(new Date(login.data.login.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);

    const me = await t.gql(ME, {}, login.data.login.token);
    expect(me.data.me).toMatchObject({ email: 'Siti@Example.test', displayName: 'Siti', roles: [] });
  });

  it('given an unknown email or a wrong password, when logging in, then the same typed error', async () => {
    const unknown = await t.gql(LOGIN, { input: { email: 'nobody@example.test', password: TEST_PASSWORD } });
    const wrong = await t.gql(LOGIN, { input: { email: admin.email, password: 'wrong password!!' } });
    expect(unknown.data.login).toEqual({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect' });
    expect(wrong.data.login).toEqual(unknown.data.login);
  });

  it('stores a scrypt hash, never the password', async () => {
    const row = await t.database.db.selectFrom('users').select('password_hash').where('id', '=', admin.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain(TEST_PASSWORD);
  });

  it('given an email that differs only in case, when creating a user, then ConflictError and nothing written', async () => {
    const before = await t.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await t.gql(CREATE_USER, { input: { email: admin.email.toUpperCase(), password: TEST_PASSWORD, displayName: 'Dup' } }, admin.token);
    expect(res.data.createUser).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    const after = await t.database.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('given a short password and a bad email, when creating a user, then a ValidationError naming both fields', async () => {
    const res = await t.gql(CREATE_USER, { input: { email: 'not-an-email', password: 'short', displayName: 'X' } }, admin.token);
    expect(res.data.createUser.__typename).toBe('ValidationError');
    expect(res.data.createUser.issues.map((i: { path: string }) => i.path).sort()).toEqual(['input.email', 'input.password']);
  });

  it('given a non-admin or no token, when creating a user, then Forbidden / Unauthenticated', async () => {
    const buyer = await createUser(t);
    const forbidden = await t.gql(CREATE_USER, { input: { email: 'x@example.test', password: TEST_PASSWORD, displayName: 'X' } }, buyer.token);
    expect(forbidden.data.createUser).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    const anonymous = await t.gql(CREATE_USER, { input: { email: 'x@example.test', password: TEST_PASSWORD, displayName: 'X' } });
    expect(anonymous.data.createUser).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });

  it('given an admin, when granting BUYER on a buyer organisation, then the role shows in me; revoking is immediate', async () => {
    const org = await t.gql(CREATE_BUYER_ORG, { input: { name: 'Cairo Coffee Importers', country: 'EG' } }, admin.token);
    expect(org.data.createBuyerOrganization.__typename).toBe('BuyerOrganization');
    const user = await createUser(t);
    const userGid = (await t.gql(ME, {}, user.token)).data.me.id;

    const grant = await t.gql(GRANT, { input: { userId: userGid, role: 'BUYER', organizationId: org.data.createBuyerOrganization.id } }, admin.token);
    expect(grant.data.grantRole).toMatchObject({ __typename: 'RoleGrant', role: 'BUYER', organizationId: org.data.createBuyerOrganization.id });
    expect((await t.gql(ME, {}, user.token)).data.me.roles).toHaveLength(1);

    const revoke = await t.gql(REVOKE, { input: { grantId: grant.data.grantRole.id } }, admin.token);
    expect(revoke.data.revokeRole.__typename).toBe('RoleGrant');
    expect((await t.gql(ME, {}, user.token)).data.me.roles).toHaveLength(0);
  });

  it('given a role with the wrong kind of organisation ID, when granting, then a ValidationError naming organizationId', async () => {
    const user = await createUser(t);
    const userGid = (await t.gql(ME, {}, user.token)).data.me.id;
    const res = await t.gql(GRANT, { input: { userId: userGid, role: 'BRAND_MANAGER', organizationId: userGid } }, admin.token);
    expect(res.data.grantRole.__typename).toBe('ValidationError');
    expect(res.data.grantRole.issues[0].path).toBe('input.organizationId');
  });

  it('given a malformed user ID, when granting, then a ValidationError naming userId', async () => {
    const res = await t.gql(GRANT, { input: { userId: 'garbage', role: 'ADMIN' } }, admin.token);
    expect(res.data.grantRole).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.userId' }] });
  });

  it('given a buyer, when granting a role, then Forbidden', async () => {
    const buyer = await createUser(t);
    const me = (await t.gql(ME, {}, buyer.token)).data.me.id;
    const res = await t.gql(GRANT, { input: { userId: me, role: 'ADMIN' } }, buyer.token);
    expect(res.data.grantRole.__typename).toBe('ForbiddenError');
  });

  it('given a buyer, when listing users, then forbidden; an admin can', async () => {
    const q = /* GraphQL */ `query { users(first: 5) { edges { node { email } } pageInfo { hasNextPage } } }`;
    const buyer = await createUser(t);
    expect((await t.gql(q, {}, buyer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const res = await t.gql(q, {}, admin.token);
    expect(res.data.users.edges.length).toBeGreaterThan(0);
  });

  it('given another user, when reading them through node(id), then their data is not returned', async () => {
    const other = await createUser(t);
    const otherGid = (await t.gql(ME, {}, other.token)).data.me.id;
    const me = await createUser(t);
    const res = await t.gql(`query($id: ID!) { node(id: $id) { ... on User { email } } }`, { id: otherGid }, me.token);
    // Answered exactly like an unknown ID: null, no error.
    expect(res.data?.node ?? null).toBeNull();
    expect(res.errors).toBeUndefined();
  });
});
