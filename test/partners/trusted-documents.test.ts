import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/platform/graphql/ids.js';
import { createTestApp, createUser, type TestApp } from '../support/app.js';
import { insertBrand } from '../support/supply-fixtures.js';
import { clientToken, makeOrgAdmin, registerClient } from './support.js';

const TRUSTED = 'query Brands { brands(first: 2) { edges { node { id name } } } }';
const OTHER = 'query Other { brands(first: 2) { edges { cursor } } }';
const SET = /* GraphQL */ `
  mutation Set($input: SetPartnerClientTrustedDocumentsInput!) {
    setPartnerClientTrustedDocuments(input: $input) {
      __typename
      ... on PartnerClient { trustedDocumentsOnly trustedDocumentHashes }
      ... on ValidationError { issues { path message } }
      ... on Error { code }
    }
  }`;

describe('trusted documents per client', () => {
  let t: TestApp;
  let ownerToken: string;
  let strangerToken: string;
  let client: { id: string; clientId: string; secret: string };
  let token: string;
  const sha = createHash('sha256').update(TRUSTED).digest('hex');

  beforeAll(async () => {
    t = await createTestApp();
    await insertBrand(t.database.db);
    const org = await t.database.db.insertInto('buyer_orgs').values({ name: `TD ${process.pid}`, country: 'EG' }).returningAll().executeTakeFirstOrThrow();
    const owner = await createUser(t, [['BUYER', org.id]]);
    await makeOrgAdmin(t, owner.id);
    ownerToken = owner.token;
    strangerToken = (await createUser(t, [['BUYER', org.id]])).token; // a buyer, not the admin
    client = await registerClient(t, owner.token, { organizationId: globalId('BuyerOrganization', org.id), scopes: ['catalog:read'] });
    token = await clientToken(t, client.clientId, client.secret);
  });
  afterAll(async () => { await t?.close(); });

  it('given documents that do not parse, when locking, then a ValidationError naming each, and the client stays unlocked', async () => {
    const res = await t.gql(SET, { input: { clientId: client.id, documents: [TRUSTED, '{ broken'] } }, ownerToken);
    expect(res.data.setPartnerClientTrustedDocuments.__typename).toBe('ValidationError');
    expect(res.data.setPartnerClientTrustedDocuments.issues.map((i: { path: string }) => i.path)).toEqual(['input.documents.1']);
    expect((await t.gql(OTHER, {}, token)).statusCode).toBe(200);
  });

  it("given a buyer who is not the organisation's admin, when locking, then NotFound", async () => {
    const res = await t.gql(SET, { input: { clientId: client.id, documents: [TRUSTED] } }, strangerToken);
    expect(res.data.setPartnerClientTrustedDocuments.__typename).toBe('NotFoundError');
  });

  it('given a locked client, when it sends its document (text or hash only), then served; any other document is refused', async () => {
    const locked = await t.gql(SET, { input: { clientId: client.id, documents: [TRUSTED] } }, ownerToken);
    expect(locked.data.setPartnerClientTrustedDocuments).toEqual({ __typename: 'PartnerClient', trustedDocumentsOnly: true, trustedDocumentHashes: [sha] });

    const byText = await t.gql(TRUSTED, {}, token);
    expect(byText.statusCode).toBe(200);
    expect(byText.data.brands.edges.length).toBeGreaterThan(0);
    const byHash = await t.app.inject({
      method: 'POST', url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: { extensions: { persistedQuery: { version: 1, sha256Hash: sha } } },
    });
    expect(byHash.statusCode).toBe(200);
    expect(byHash.json().data.brands.edges.length).toBeGreaterThan(0);

    const other = await t.gql(OTHER, {}, token);
    expect(other.statusCode).toBe(403);
    expect(other.data).toBeNull();
    expect(other.errors?.[0]?.extensions?.code).toBe('UNTRUSTED_DOCUMENT');
    // People are never limited by a client's lock.
    expect((await t.gql(OTHER, {}, ownerToken)).statusCode).toBe(200);
  });

  it('given null documents, when unlocking, then any document is served again (and it is audited)', async () => {
    const res = await t.gql(SET, { input: { clientId: client.id, documents: null } }, ownerToken);
    expect(res.data.setPartnerClientTrustedDocuments).toMatchObject({ trustedDocumentsOnly: false, trustedDocumentHashes: [] });
    expect((await t.gql(OTHER, {}, token)).statusCode).toBe(200);
    const actions = await t.database.db.selectFrom('audit_events').select('action').where('action', 'like', 'client.trusted_documents%').execute();
    expect(actions.map((a) => a.action)).toEqual(['client.trusted_documents_set', 'client.trusted_documents_cleared']);
  });
});
