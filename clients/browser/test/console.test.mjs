// The web console (/console) in a real browser: Debian's Chromium, headless,
// driven by playwright-core (no browser download), against the real
// `roster` binary on a fresh SQLite database (the same helper the SDK
// tests use). Screenshots of the main pages go to artifacts/ (not
// committed).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { PASSWORD, Roster } from '../../node/lib/roster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, '../artifacts');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const roster = new Roster();
const profiles = [];
const browsers = [];
let evil;

/** A browser of its own (a fresh --user-data-dir), for one person. */
async function browserFor() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roster-chromium-'));
  profiles.push(dir);
  // headless: true passes --headless; the profile is the fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 900 },
  });
  browsers.push(context);
  return context;
}

async function signIn(context, username) {
  const page = context.pages()[0] ?? await context.newPage();
  await page.goto(`${roster.base}/console`);
  assert.match(page.url(), /\/console\/sign-in$/, 'a stranger is sent to sign in');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'My communities' }).waitFor();
  return page;
}

function section(page, heading) {
  return page.locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) });
}

function rowOf(scope, username) {
  return scope.getByRole('row').filter({ has: scope.page().getByRole('cell', { name: username, exact: true }) });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  roster.user('alice');
  roster.user('bob');
  await roster.start();
});

after(async () => {
  for (const context of browsers) await context.close().catch(() => {});
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  if (evil) evil.close();
  await roster.stop();
});

test('the console flow: request, approve, last owner refused, transfer, leave, timeline', async (t) => {
  const alice = await signIn(await browserFor(), 'alice');
  const bobContext = await browserFor();
  const bob = await signIn(bobContext, 'bob');
  let url;

  await t.test('alice creates a request-only community', async () => {
    await alice.getByLabel('Name', { exact: true }).fill('Bakers');
    await alice.getByLabel('Visibility').selectOption('public');
    await alice.getByLabel('Join policy').selectOption('request');
    await alice.getByRole('button', { name: 'Create community' }).click();
    await alice.getByRole('heading', { name: 'Bakers', level: 1 }).waitFor();
    url = alice.url();
    assert.match(url, /\/console\/communities\/[0-9a-f-]{36}$/);
    await alice.goto(`${roster.base}/console/communities`);
    const row = rowOf(alice.locator('table'), 'Bakers');
    assert.equal(await row.count(), 1, 'My communities lists Bakers');
    assert.match(await row.innerText(), /owner/);
    await shot(alice, 'my-communities');
  });

  await t.test('bob asks to join', async () => {
    await bob.goto(url);
    await bob.getByRole('button', { name: 'Join', exact: true }).click();
    await bob.getByRole('heading', { name: 'Bakers', level: 1 }).waitFor();
    assert.match(await section(bob, 'Me here').innerText(), /requested/);
  });

  await t.test('alice approves the request', async () => {
    await alice.goto(url);
    const requests = section(alice, 'Pending requests');
    await rowOf(requests, 'bob').getByRole('button', { name: 'Approve', exact: true }).click();
    await alice.getByRole('heading', { name: 'Bakers', level: 1 }).waitFor();
    const members = section(alice, 'Members');
    assert.match(await rowOf(members, 'bob').innerText(), /member/);
    assert.match(await section(alice, 'Pending requests').innerText(), /No pending request/);
    // The community page as its owner sees it, a member listed (the README's screenshot).
    await shot(alice, 'community');
  });

  await t.test('alice, the last owner, may not leave, and is told why in plain words', async () => {
    await alice.getByRole('button', { name: 'Leave', exact: true }).click();
    const alert = alice.getByRole('alert');
    await alert.waitFor();
    assert.equal(
      (await alert.innerText()).trim(),
      'You are the last owner of Bakers. Make someone else an owner, or transfer ownership, before you leave.',
    );
    assert.match(await section(alice, 'Me here').innerText(), /owner/);
    await shot(alice, 'last-owner-refused');
  });

  await t.test('alice transfers ownership to bob, then leaves', async () => {
    const members = section(alice, 'Members');
    await rowOf(members, 'bob').getByRole('button', { name: 'Transfer ownership', exact: true }).click();
    await alice.getByRole('heading', { name: 'Bakers', level: 1 }).waitFor();
    assert.match(await rowOf(section(alice, 'Members'), 'bob').innerText(), /owner/);
    assert.match(await section(alice, 'Me here').innerText(), /manager/);
    await alice.getByRole('button', { name: 'Leave', exact: true }).click();
    await alice.getByRole('heading', { name: 'Bakers', level: 1 }).waitFor();
    assert.match(await section(alice, 'Me here').innerText(), /none/);
    await alice.getByRole('button', { name: 'Join', exact: true }).waitFor();
  });

  await t.test('bob, now the owner, sees both events on the timeline', async () => {
    await bob.goto(url);
    assert.match(await section(bob, 'Me here').innerText(), /owner/);
    await shot(bob, 'community-new-owner');
    await bob.getByRole('link', { name: 'Timeline' }).click();
    await bob.getByRole('heading', { name: 'Timeline of Bakers' }).waitFor();
    const events = await section(bob, 'Events, newest first').getByRole('listitem').allInnerTexts();
    assert.match(events[0], /alice left$/);
    assert.match(events[1], /alice transferred ownership to bob$/);
    const chart = bob.getByRole('img');
    assert.match(await chart.getAttribute('aria-label'), /2 joins, 1 leaves/);
    await shot(bob, 'timeline');
  });

  await t.test('a form posted from another origin is refused', async () => {
    // A page on another origin (localhost, not 127.0.0.1) with a form
    // aimed at the console: bob, signed in, is lured into sending it.
    evil = http.createServer((request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><form method="post" action="${url}/leave">
        <input type="hidden" name="csrf" value="guessed">
        <button type="submit">Win a prize</button></form>`);
    });
    await new Promise((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const lure = await bobContext.newPage();
    await lure.goto(`http://localhost:${evil.address().port}/`);
    await lure.getByRole('button', { name: 'Win a prize' }).click();
    await lure.waitForLoadState();
    assert.match(await lure.innerText('body'), /Refused: this form was sent from another site/);
    await lure.close();
    await bob.goto(url);
    assert.match(await section(bob, 'Me here').innerText(), /owner/, 'bob is still the owner');
  });

  await t.test('a signed-out session cannot act, even with its old cookie', async () => {
    const stale = await bobContext.newPage();
    await stale.goto(url);
    const [cookie] = (await bobContext.cookies()).filter((c) => c.name === 'roster_console');
    assert.ok(cookie.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(cookie.sameSite, 'Strict');
    await bob.getByRole('button', { name: 'Sign out', exact: true }).click();
    await bob.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // A copy of the cookie survives somewhere (another tab, a thief): the
    // server has ended the session, so it acts for no one.
    await bobContext.addCookies([cookie]);
    await stale.getByRole('button', { name: 'Leave', exact: true }).click();
    await stale.waitForLoadState();
    assert.match(await stale.innerText('body'), /Your session has ended/);
    await stale.goto(url);
    assert.match(stale.url(), /\/console\/sign-in$/, 'pages send the old cookie to sign in');
    await stale.close();
  });

  await t.test('the community page is readable on a 390 px phone', async () => {
    const phone = await browserFor();
    const page = await signIn(phone, 'alice');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(url);
    await page.getByRole('heading', { name: 'Bakers', level: 1 }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling at 390 px (page is ${width} px wide)`);
    await page.getByRole('button', { name: 'Join', exact: true }).waitFor();
    await shot(page, 'community-phone');
  });
});
