import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, TEST_PASSWORD, type TestApp } from '../support/app.js';

/**
 * GraphiQL in a real browser with no network beyond the server itself: the page, React and GraphiQL
 * all come from the project's own dependencies. Debian's chromium, driven by playwright-core.
 * CI installs chromium (.ci/run), so there the test always runs; elsewhere it runs where chromium is.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (process.env.CI && !haveChromium) throw new Error(`CI must have ${CHROMIUM} (apt-get install chromium)`);

/** Replace the editor's text through CodeMirror 5 (GraphiQL 4's editor), as typing would. */
const setQuery = (page: Page, query: string) =>
  page.evaluate((text) => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
    (doc.querySelector('.graphiql-query-editor .CodeMirror') as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(text);
  }, query);

describe.skipIf(!haveChromium)('GraphiQL offline, in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  const requested: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders, runs { __typename } and shows the answer, loading nothing from outside', async () => {
    const page = await browser.newPage();
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${origin}/graphiql`);
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await setQuery(page, '{ __typename }');
    await page.locator('.graphiql-execute-button').click();
    const answer = page.locator('.graphiql-response');
    await expect.poll(async () => answer.innerText(), { timeout: 20_000 }).toContain('"__typename": "Query"');
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((url) => !url.startsWith(origin))).toEqual([]);
    await page.close();
  });

  it('signs in from the bar and sends the token with the next query', async () => {
    const user = await createUser(t, [['ADMIN']]);
    const page = await browser.newPage();
    await page.goto(`${origin}/graphiql`);
    await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor({ timeout: 30_000 });
    await page.fill('#lumbung-email', user.email);
    await page.fill('#lumbung-password', TEST_PASSWORD);
    await page.click('#lumbung-login');
    await expect.poll(async () => page.locator('#lumbung-who').innerText(), { timeout: 10_000 }).toContain(`Signed in as ${user.email}`);
    await setQuery(page, '{ me { email } }');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(async () => page.locator('.graphiql-response').innerText(), { timeout: 20_000 }).toContain(user.email);
    await page.close();
  });
});
