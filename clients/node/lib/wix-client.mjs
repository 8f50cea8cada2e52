// The Wix side of the Wix test, run as its own Node process so that
// NODE_EXTRA_CA_CERTS (read only when Node starts) makes it trust the test's
// self-signed certificate. It uses the published @wix/sdk and @wix/members
// exactly as a Wix app would, with one change: host.apiBaseUrl points at
// Roster. Prints one JSON object with what each call returned or threw.
//
// Environment: ROSTER_HOST (127.0.0.1:PORT), ROSTER_TOKEN, ROSTER_BAD_TOKEN.

import { createClient } from '@wix/sdk';
import { members } from '@wix/members';

/** A custom auth strategy: Roster's token, bare, as Wix sends its own. */
function rosterToken(token) {
  return {
    getAuthHeaders: () => ({ headers: { Authorization: token } }),
  };
}

function client(token) {
  return createClient({
    modules: { members },
    host: { apiBaseUrl: process.env.ROSTER_HOST },
    auth: rosterToken(token),
  });
}

/** What a call resolved to, or the parts of its error a caller reads. */
async function outcome(call) {
  try {
    return { ok: await call() };
  } catch (error) {
    return {
      error: {
        message: error?.message,
        status: error?.status ?? error?.response?.status,
        details: error?.details,
        response: error?.response?.data,
      },
    };
  }
}

const wix = client(process.env.ROSTER_TOKEN);
const results = {};
results.leave = await outcome(() => wix.members.leaveCommunity());
results.leaveAgain = await outcome(() => wix.members.leaveCommunity());
results.currentAfterLeave = await outcome(() => wix.members.getCurrentMember());
results.join = await outcome(() => wix.members.joinCommunity());
results.currentAfterJoin = await outcome(() => wix.members.getCurrentMember());
results.currentFull = await outcome(() => wix.members.getCurrentMember({ fieldsets: ['FULL'] }));
const stranger = client(process.env.ROSTER_BAD_TOKEN);
results.unknownToken = await outcome(() => stranger.members.getCurrentMember());
process.stdout.write(JSON.stringify(results));
