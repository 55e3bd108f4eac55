import type { TestApp } from '../support/app.js';

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterPartnerClientInput!) {
    registerPartnerClient(input: $input) {
      __typename
      ... on IssuedPartnerClientSecret { clientSecret client { id clientId scopes disabled } secret { id last4 } }
      ... on ValidationError { code issues { path message } }
      ... on Error { code message }
    }
  }`;

export const SET_ORG_ADMIN = /* GraphQL */ `
  mutation SetOrgAdmin($input: SetOrganizationAdminInput!) {
    setOrganizationAdmin(input: $input) { __typename ... on OrganizationAdminGrant { admin } ... on Error { code } }
  }`;

export const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POST /oauth/token as a partner app would (form body, HTTP Basic). */
export async function requestToken(
  t: TestApp,
  opts: { clientId?: string; secret?: string; body?: string; authorization?: string; contentType?: string; ip?: string },
) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      ...(opts.authorization !== undefined
        ? { authorization: opts.authorization }
        : opts.clientId
          ? { authorization: basic(opts.clientId, opts.secret ?? '') }
          : {}),
    },
    payload: opts.body ?? 'grant_type=client_credentials',
    ...(opts.ip ? { remoteAddress: opts.ip } : {}),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() as Record<string, any> };
}

/** Make a user a buyer-organisation admin (the flag issue 11 adds). */
export async function makeOrgAdmin(t: TestApp, userId: number) {
  await t.database.db.updateTable('role_grants').set({ org_admin: true }).where('user_id', '=', userId).where('role', '=', 'BUYER').execute();
}

/** Register a client through the API and return its ids and first secret. */
export async function registerClient(t: TestApp, token: string, input: { organizationId?: string; name?: string; scopes: string[] }) {
  const res = await t.gql(REGISTER, { input: { name: 'ERP', ...input } }, token);
  const r = res.data?.registerPartnerClient;
  if (r?.__typename !== 'IssuedPartnerClientSecret') throw new Error(`registerPartnerClient failed: ${JSON.stringify(res)}`);
  return { id: r.client.id as string, clientId: r.client.clientId as string, secret: r.clientSecret as string, secretId: r.secret.id as string };
}

export async function clientToken(t: TestApp, clientId: string, secret: string, scope?: string) {
  const res = await requestToken(t, { clientId, secret, body: `grant_type=client_credentials${scope ? `&scope=${encodeURIComponent(scope)}` : ''}` });
  if (res.status !== 200) throw new Error(`token failed: ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}
