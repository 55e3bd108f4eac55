import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDaysIso, todayIso } from '../../src/platform/dates.js';
import { ISSUES, type IssueText, type ParamText } from '../../src/platform/issue-messages.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { countRows, createSupplyWorld, ERROR_FIELDS, gid, insertPlot, POLYGON_5HA, type SupplyWorld } from '../support/supply-fixtures.js';

/**
 * Issue 8 §4: validation issues (`ValidationError.issues { path message }`, what a client shows
 * next to each field) in Indonesian and English by Accept-Language. The same refusal has the same
 * code and the same paths in both languages, and a different message for every issue: zod's own
 * checks, custom refinements, the services' hand-written rules (weights, GeoJSON), the text guard.
 */

const CREATE_USER = /* GraphQL */ `
  mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { __typename ${ERROR_FIELDS} } }`;
const COMMIT = /* GraphQL */ `
  mutation Commit($input: CommitVolumeInput!) { commitVolume(input: $input) { __typename ${ERROR_FIELDS} } }`;
const REGISTER_PLOT = /* GraphQL */ `
  mutation RegisterPlot($input: RegisterPlotInput!) { registerPlot(input: $input) { __typename ${ERROR_FIELDS} } }`;
const LOTS = /* GraphQL */ `query Lots($first: Int) { lots(first: $first) { edges { node { id } } } }`;

interface Issue { path: string; message: string }
interface Refusal { __typename: string; code: string; message: string; issues: Issue[] }

let t: TestApp;
let w: SupplyWorld;

beforeAll(async () => {
  t = await createTestApp();
  w = await createSupplyWorld(t);
  await insertPlot(t.database.db, w.producer.id);
});
afterAll(() => t?.close());

async function gql(query: string, variables: Record<string, unknown>, token: string, acceptLanguage: string) {
  const res = await t.app.inject({
    method: 'POST', url: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-language': acceptLanguage },
    payload: { query, variables },
  });
  return res.json() as { data: any; errors?: Array<{ message: string; extensions: { code: string; issues?: Issue[] } }> };
}

/** The refusal of `field` in English and in Indonesian: same type, code and paths; every issue's message differs. */
async function bothLanguages(query: string, field: string, variables: Record<string, unknown>, token: string) {
  const en = (await gql(query, variables, token, 'en')).data[field] as Refusal;
  const id = (await gql(query, variables, token, 'id-ID')).data[field] as Refusal;
  expect(en.__typename).toBe('ValidationError');
  expect([id.__typename, id.code]).toEqual([en.__typename, en.code]);
  expect(id.issues.map((i) => i.path)).toEqual(en.issues.map((i) => i.path));
  expect(id.issues.length).toBeGreaterThan(0);
  id.issues.forEach((issue, k) => expect(issue.message, issue.path).not.toBe(en.issues[k]!.message));
  expect(id.message).toMatch(/^Masukan tidak valid pada /);
  return { en, id };
}

const commitInput = (over: Record<string, unknown>) => ({
  producerId: gid('Producer', w.producer.id), productId: gid('Product', w.product.id), minGrade: '3', weight: '6000',
  windowStart: addDaysIso(todayIso(), 30), windowEnd: addDaysIso(todayIso(), 150), ...over,
});

describe('validation issues in Indonesian and English', () => {
  it('a zod built-in check (a display name over 200 characters): zod\'s English, natural Indonesian', async () => {
    const input = { email: `bahasa${process.pid}@example.test`, password: 'a-long-password-1', displayName: 'x'.repeat(201) };
    const before = await countRows(t.database.db, 'users');
    const { en, id } = await bothLanguages(CREATE_USER, 'createUser', { input }, w.as.admin.token);
    expect(en.issues).toEqual([{ path: 'input.displayName', message: 'Too big: expected string to have <=200 characters' }]);
    expect(id.issues).toEqual([{ path: 'input.displayName', message: 'paling banyak 200 karakter' }]);
    expect(id.message).toBe('Masukan tidak valid pada input.displayName: paling banyak 200 karakter.');
    expect(await countRows(t.database.db, 'users')).toBe(before);
  });

  it('custom zod messages (a too-short password, a bad email) keep their English and gain Indonesian', async () => {
    const input = { email: 'bukan-email', password: 'pendek', displayName: 'Sari' };
    const { en, id } = await bothLanguages(CREATE_USER, 'createUser', { input }, w.as.admin.token);
    expect(Object.fromEntries(en.issues.map((i) => [i.path, i.message]))).toEqual({
      'input.email': 'must be an email address', 'input.password': 'must be at least 12 characters',
    });
    expect(Object.fromEntries(id.issues.map((i) => [i.path, i.message]))).toEqual({
      'input.email': 'harus berupa alamat email', 'input.password': 'paling sedikit 12 karakter',
    });
    expect(id.message).toMatch(/\(dan 1 masalah lain\)\.$/);
  });

  it('a weight rule and a date refinement: numbers formatted the Indonesian way', async () => {
    const input = commitInput({ weight: '0', windowEnd: addDaysIso(todayIso(), 10) });
    const { en, id } = await bothLanguages(COMMIT, 'commitVolume', { input }, w.as.producer.token);
    const start = addDaysIso(todayIso(), 30);
    expect(en.issues).toEqual(expect.arrayContaining([
      { path: 'input.weight', message: 'must be more than 0 kg (got 0 kg)' },
      { path: 'input.windowEnd', message: `must be on or after windowStart (${start})` },
    ]));
    expect(id.issues).toEqual(expect.arrayContaining([
      { path: 'input.weight', message: 'harus lebih dari 0 kg (yang diisi 0 kg)' },
      { path: 'input.windowEnd', message: `harus sama dengan atau sesudah windowStart (${start})` },
    ]));
    const huge = commitInput({ weight: '1000001' });
    const [bigEn, bigId] = [(await gql(COMMIT, { input: huge }, w.as.producer.token, 'en')).data.commitVolume, (await gql(COMMIT, { input: huge }, w.as.producer.token, 'id')).data.commitVolume];
    expect(bigEn.issues).toEqual([{ path: 'input.weight', message: 'must be at most 1,000 t (1000000 kg) (got 1000001 kg)' }]);
    expect(bigId.issues).toEqual([{ path: 'input.weight', message: 'paling banyak 1.000 ton (1.000.000 kg) (yang diisi 1.000.001 kg)' }]);
  });

  it('a GeoJSON rule of the service (a ring that is not closed): rule and path the same, text per language', async () => {
    const ring = POLYGON_5HA.coordinates[0]!.slice(0, -1);
    const input = { producerId: gid('Producer', w.producer.id), name: 'Kebun terbuka', areaHa: '5', altitudeM: 1200, geolocation: { type: 'Polygon', coordinates: [ring] } };
    const before = await countRows(t.database.db, 'plots');
    const { en, id } = await bothLanguages(REGISTER_PLOT, 'registerPlot', { input }, w.as.producer.token);
    expect(en.issues[0]).toMatchObject({ path: 'input.geolocation.coordinates.0', message: expect.stringMatching(/^\[RING_NOT_CLOSED\] The exterior ring is not closed/) });
    expect(id.issues[0]).toMatchObject({ path: 'input.geolocation.coordinates.0', message: expect.stringMatching(/^\[RING_NOT_CLOSED\] Cincin luar tidak tertutup/) });
    expect(await countRows(t.database.db, 'plots')).toBe(before);
  });

  it('the text guard (a NUL character) and an ID of the wrong type, from the platform', async () => {
    const { en, id } = await bothLanguages(COMMIT, 'commitVolume', { input: commitInput({ minGrade: '3\u0000', productId: gid('Lot', 1) }) }, w.as.producer.token);
    expect(en.issues).toEqual([{ path: 'input.minGrade', message: 'must not contain control characters (U+0000 at position 1)' }]);
    expect(id.issues).toEqual([{ path: 'input.minGrade', message: 'tidak boleh berisi karakter kontrol (U+0000 di posisi 1)' }]);
    const wrong = await bothLanguages(COMMIT, 'commitVolume', { input: commitInput({ productId: gid('Lot', 1) }) }, w.as.producer.token);
    expect(wrong.en.issues).toEqual([{ path: 'input.productId', message: 'must be the ID of a Product, got a Lot ID' }]);
    expect(wrong.id.issues).toEqual([{ path: 'input.productId', message: 'harus ID Product, tetapi yang diberikan ID Lot' }]);
  });

  it('a query\'s refusal outside a union (a page size out of range) carries the issues in the language too', async () => {
    const en = await gql(LOTS, { first: 500 }, w.as.producer.token, 'en');
    const id = await gql(LOTS, { first: 500 }, w.as.producer.token, 'id');
    expect(en.errors![0]!.extensions.code).toBe('VALIDATION_FAILED');
    expect(id.errors![0]!.extensions.code).toBe('VALIDATION_FAILED');
    expect(en.errors![0]!.extensions.issues).toEqual([{ path: 'first', message: 'must be between 1 and 100' }]);
    expect(id.errors![0]!.extensions.issues).toEqual([{ path: 'first', message: 'harus antara 1 dan 100' }]);
  });
});

describe('the issue catalogue', () => {
  /** Entries whose English and Indonesian may be equal, with the reason. None today: every entry is a sentence. */
  const SAME_IN_BOTH: Record<string, string> = {};

  it('every entry has a non-empty English and Indonesian text, and they differ', () => {
    const entries = Object.entries(ISSUES) as Array<[string, IssueText | ParamText<unknown>]>;
    expect(entries.length).toBeGreaterThan(20);
    for (const [key, entry] of entries) {
      const text = typeof entry === 'function' ? entry(entry.sample) : entry;
      expect(text.en.trim().length, key).toBeGreaterThan(3);
      expect(text.id.trim().length, key).toBeGreaterThan(3);
      if (!(key in SAME_IN_BOTH)) expect(text.id, key).not.toBe(text.en);
    }
  });

  it('formats numbers in the Indonesian way inside Indonesian texts only', () => {
    expect(ISSUES.maxChars({ max: 2000 })).toEqual({ en: 'must be at most 2000 characters', id: 'paling banyak 2.000 karakter' });
    expect(ISSUES.weightMoreThanZero({ got: '0.5' }).id).toBe('harus lebih dari 0 kg (yang diisi 0,5 kg)');
  });
});
