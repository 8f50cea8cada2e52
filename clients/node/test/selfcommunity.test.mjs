// The published SelfCommunity client (@selfcommunity/api-services),
// unmodified, against Roster's course API: a full course flow through its
// own CourseService functions, configured with http.setBasePortal and
// http.setAuthorizeToken exactly as a SelfCommunity app does.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { Roster } from '../lib/roster.mjs';

// The package's ESM build uses extensionless imports Node cannot load; its
// CommonJS build is the one Node apps get.
const require = createRequire(import.meta.url);
const { http, CourseService, formatHttpError, formatHttpErrorCode } =
  require('@selfcommunity/api-services');

const roster = new Roster();
const users = {};
const tokens = {};

before(async () => {
  for (const name of ['carol', 'dave', 'erin', 'frank']) {
    users[name] = roster.user(name);
    tokens[name] = roster.token(name);
  }
  await roster.start();
  http.setBasePortal(roster.base);
});

after(async () => {
  http.setAuthorizeToken(null);
  await roster.stop();
});

/** Act as a user from now on (the client holds one global token). */
function as(name) {
  http.setAuthorizeToken(tokens[name]);
}

async function statusOf(name, course) {
  as(name);
  return (await CourseService.getCourseStatus(course)).status;
}

/** The error a refused call rejects with, as the client's parsers read it. */
async function refusal(call) {
  try {
    await call();
  } catch (error) {
    return {
      status: error.response?.status,
      code: formatHttpErrorCode(error).error,
      message: formatHttpError(error).error,
      body: error.response?.data,
    };
  }
  assert.fail('the call must be refused');
}

test('a full course flow through CourseService', async (t) => {
  const { carol, dave, erin, frank } = users;
  let course;

  await t.test('carol creates a private course and is its creator', async () => {
    as('carol');
    course = await CourseService.createCourse({
      name: 'Rust for the impatient',
      description: 'ownership in one afternoon',
      type: 'self-paced',
      privacy: 'private',
      categories: [],
    });
    assert.equal(typeof course.id, 'number');
    assert.equal(course.name, 'Rust for the impatient');
    assert.equal(course.privacy, 'private');
    assert.equal(course.join_status, 'creator');
    assert.equal(await statusOf('carol', course.id), 'creator');
  });

  await t.test('dave asks to join and waits for approval', async () => {
    as('dave');
    const seen = await CourseService.joinOrAcceptInviteToCourse(course.id);
    assert.equal(seen.join_status, 'requested');
    assert.equal(await statusOf('dave', course.id), 'requested');
    as('carol');
    const waiting = await CourseService.getCourseWaitingApproval(course.id);
    assert.equal(waiting.count, 1);
    assert.deepEqual(waiting.results.map((u) => [u.id, u.username]), [[dave.number, 'dave']]);
  });

  await t.test('carol approves dave by inviting him', async () => {
    as('carol');
    await CourseService.inviteOrAcceptUsersToCourse(course.id, { users: [dave.number] });
    assert.equal(await statusOf('dave', course.id), 'joined');
    as('carol');
    const waiting = await CourseService.getCourseWaitingApproval(course.id);
    assert.equal(waiting.count, 0);
  });

  await t.test('carol makes dave a manager', async () => {
    as('carol');
    await CourseService.changeCourseUserRole(course.id, { managers: [dave.number] });
    assert.equal(await statusOf('dave', course.id), 'manager');
  });

  await t.test('erin leaving while requested withdraws her request', async () => {
    as('erin');
    const seen = await CourseService.joinOrAcceptInviteToCourse(course.id);
    assert.equal(seen.join_status, 'requested');
    as('erin');
    assert.equal(await CourseService.leaveOrRemoveCourseRequest(course.id), '');
    assert.equal(await statusOf('erin', course.id), null);
  });

  await t.test('dave, a manager, approves erin; erin leaves', async () => {
    as('erin');
    await CourseService.joinOrAcceptInviteToCourse(course.id);
    as('dave');
    await CourseService.inviteOrAcceptUsersToCourse(course.id, { users: [erin.number] });
    assert.equal(await statusOf('erin', course.id), 'joined');
    as('erin');
    assert.equal(await CourseService.leaveOrRemoveCourseRequest(course.id), '');
    assert.equal(await statusOf('erin', course.id), null);
  });

  await t.test('a manager removes a user with leaveOrRemoveCourseRequest(id, {user})', async () => {
    as('carol');
    await CourseService.inviteOrAcceptUsersToCourse(course.id, { users: [frank.number] });
    assert.equal(await statusOf('frank', course.id), 'invited');
    as('frank');
    const seen = await CourseService.joinOrAcceptInviteToCourse(course.id);
    assert.equal(seen.join_status, 'joined');
    as('dave');
    await CourseService.leaveOrRemoveCourseRequest(course.id, { user: frank.number });
    assert.equal(await statusOf('frank', course.id), null);
  });

  await t.test('a plain member may not remove anyone', async () => {
    as('erin');
    await CourseService.joinOrAcceptInviteToCourse(course.id);
    as('carol');
    await CourseService.inviteOrAcceptUsersToCourse(course.id, { users: [erin.number] });
    as('erin');
    const refused = await refusal(() =>
      CourseService.leaveOrRemoveCourseRequest(course.id, { user: dave.number }));
    assert.equal(refused.status, 403);
    assert.equal(refused.code, 'permission_denied');
    assert.equal(await statusOf('dave', course.id), 'manager');
  });

  await t.test('the creator may not leave: 403 creator_cannot_leave', async () => {
    as('carol');
    const refused = await refusal(() => CourseService.leaveOrRemoveCourseRequest(course.id));
    assert.equal(refused.status, 403);
    assert.equal(refused.code, 'creator_cannot_leave');
    assert.equal(typeof refused.message, 'string');
    assert.ok(refused.message.length > 0);
    assert.equal(refused.body.errors.length, 1);
    assert.equal(await statusOf('carol', course.id), 'creator');
  });

  await t.test('nor may a manager remove the creator', async () => {
    as('dave');
    const refused = await refusal(() =>
      CourseService.leaveOrRemoveCourseRequest(course.id, { user: carol.number }));
    assert.equal(refused.status, 403);
    // Rank is decided first: a manager is not told the creator is the
    // course's only owner, only that they may not remove them.
    assert.equal(refused.code, 'permission_denied');
    assert.equal(await statusOf('carol', course.id), 'creator');
  });

  await t.test('carol demotes dave, who then leaves', async () => {
    as('carol');
    await CourseService.changeCourseUserRole(course.id, { joined: [dave.number] });
    assert.equal(await statusOf('dave', course.id), 'joined');
    as('dave');
    await CourseService.leaveOrRemoveCourseRequest(course.id);
    assert.equal(await statusOf('dave', course.id), null);
  });

  await t.test('the joined users: erin by default, carol too with statuses', async () => {
    as('carol');
    // SelfCommunity's default is managers and joined users.
    const joined = await CourseService.getCourseJoinedUsers(course.id);
    assert.equal(joined.count, 1);
    assert.deepEqual(joined.results, [
      { id: erin.number, username: 'erin', real_name: '', avatar: '' },
    ]);
    const everyone = await CourseService.getCourseJoinedUsers(course.id, {
      statuses: ['creator', 'manager', 'joined'],
    });
    assert.equal(everyone.count, 2);
    assert.deepEqual(everyone.results.map((u) => u.id).sort(), [carol.number, erin.number].sort());
  });
});

test('a course the caller may not see is 404 not_found', async () => {
  as('carol');
  const refused = await refusal(() => CourseService.leaveOrRemoveCourseRequest(987654));
  assert.equal(refused.status, 404);
  assert.equal(refused.code, 'not_found');
});

test('no token is 401 not_authenticated', async () => {
  http.setAuthorizeToken(null);
  const refused = await refusal(() => CourseService.getCourseStatus(1));
  assert.equal(refused.status, 401);
  assert.equal(refused.code, 'not_authenticated');
});
