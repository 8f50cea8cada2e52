// The published Wix SDK (@wix/sdk + @wix/members), unmodified, against
// Roster over HTTPS: leaveCommunity, joinCommunity and getCurrentMember
// return what DIALECTS.md §4 promises. The certificate is made by the test
// and trusted by the SDK's process through NODE_EXTRA_CA_CERTS.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Roster } from '../lib/roster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const roster = new Roster({ tls: true });
let alice;
let results;

/** Run the SDK in its own Node process, trusting the test certificate. */
function runWixClient(env) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(here, '../lib/wix-client.mjs')], {
      cwd: path.join(here, '..'),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: roster.tls.cert, ...env },
      timeout: 60_000,
    }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`wix client failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout));
    });
  });
}

before(async () => {
  // The first admin owns the site community; later users are its members.
  roster.user('siteowner', { admin: true });
  alice = roster.user('alice');
  const token = roster.token('alice');
  await roster.start();
  results = await runWixClient({
    ROSTER_HOST: roster.host,
    ROSTER_TOKEN: token,
    ROSTER_BAD_TOKEN: 'not-a-roster-token',
  });
});

after(async () => {
  await roster.stop();
});

/** The fields every member object carries, whatever the call. */
function assertIsAlice(member) {
  assert.equal(member._id, alice.id);
  assert.equal(member.loginEmail, 'alice@example.com');
  assert.equal(member.contactId, member.contact?.contactId);
  assert.equal(member.activityStatus, 'ACTIVE');
  assert.equal(member.status, 'APPROVED');
}

test('leaveCommunity makes the member PRIVATE', () => {
  assert.equal(results.leave.error, undefined, JSON.stringify(results.leave.error));
  const { member } = results.leave.ok;
  assertIsAlice(member);
  assert.equal(member.privacyStatus, 'PRIVATE');
});

test('leaving twice is idempotent: still PRIVATE', () => {
  assert.equal(results.leaveAgain.error, undefined, JSON.stringify(results.leaveAgain.error));
  assertIsAlice(results.leaveAgain.ok.member);
  assert.equal(results.leaveAgain.ok.member.privacyStatus, 'PRIVATE');
});

test('getCurrentMember shows the member after leaving', () => {
  assert.equal(results.currentAfterLeave.error, undefined,
    JSON.stringify(results.currentAfterLeave.error));
  assertIsAlice(results.currentAfterLeave.ok.member);
  assert.equal(results.currentAfterLeave.ok.member.privacyStatus, 'PRIVATE');
});

test('joinCommunity makes the member PUBLIC', () => {
  assert.equal(results.join.error, undefined, JSON.stringify(results.join.error));
  assertIsAlice(results.join.ok.member);
  assert.equal(results.join.ok.member.privacyStatus, 'PUBLIC');
});

test('getCurrentMember returns the member, PUBLIC again', () => {
  for (const key of ['currentAfterJoin', 'currentFull']) {
    assert.equal(results[key].error, undefined, JSON.stringify(results[key].error));
    const { member } = results[key].ok;
    assertIsAlice(member);
    assert.equal(member.privacyStatus, 'PUBLIC');
    assert.ok(member._createdDate, 'createdDate is sent');
  }
});

test('an unknown token is refused with 401 in the Wix error envelope', () => {
  const { error } = results.unknownToken;
  assert.ok(error, 'the call must fail');
  assert.equal(error.status, 401);
  assert.equal(typeof error.details?.applicationError?.code, 'string');
});
