"""Schemathesis hooks for Roster (loaded by scripts/schemathesis through
SCHEMATHESIS_HOOKS).

Two narrow adjustments, each because the fuzzer would otherwise test
something other than the server:

* Idempotency-Key: Schemathesis draws header values from a small space, so
  it sends the same key ("0", "A", ...) with different requests; the server
  then rightly answers 422 `idempotency_key_reused` (a documented answer,
  tested in tests/api/native_idempotency.rs), which hides the operation's own
  behaviour. A well-formed key is replaced by a fresh UUID; malformed keys
  are sent as drawn, so the 400 `invalid_idempotency_key` path is still
  fuzzed.
* The tokens the run authenticates with: revoking them (DELETE
  /v1/tokens/{id}, reachable through the stateful links from GET
  /v1/tokens) would turn every later request into a 401 and end the run's
  usefulness. Their ids (ROSTER_FUZZ_TOKEN_IDS, comma-separated) are swapped
  for a random UUID (a 404), so revocation is still exercised on every other
  token the run creates.
"""

import os
import re
import uuid

import schemathesis

BARE_KEY = re.compile(r"^[!#-~](?:[ -~]{0,253}[!-~])?$")
QUOTED_KEY = re.compile(r'^"(?:[ !#-\[\]-~]|\\["\\]){1,255}"$')
PROTECTED_TOKENS = {
    token_id.strip()
    for token_id in os.environ.get("ROSTER_FUZZ_TOKEN_IDS", "").split(",")
    if token_id.strip()
}


def _header(headers, name):
    for key in headers:
        if key.lower() == name.lower():
            return key
    return None


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers
    if headers:
        key = _header(headers, "Idempotency-Key")
        if key is not None:
            value = headers[key]
            if isinstance(value, str) and (BARE_KEY.match(value) or QUOTED_KEY.match(value)):
                headers[key] = str(uuid.uuid4())
    params = case.path_parameters
    if (
        case.method.upper() == "DELETE"
        and case.path == "/v1/tokens/{id}"
        and params
        and str(params.get("id", "")).lower() in PROTECTED_TOKENS
    ):
        params["id"] = str(uuid.uuid4())


# Query strings have no objects or arrays of objects: Schemathesis encodes a
# drawn object as an empty value (`after=`), which the server rightly reads
# as "absent" (documented), while the run counts it as a schema violation
# that was accepted. Such cases test the encoder, not the server.
@schemathesis.hook
def filter_query(ctx, query):
    if not query:
        return True
    return not any(isinstance(value, (dict, list)) for value in query.values())


# `POST /v1/communities/{id}/members` (and the other routes that name a user
# in the body) answer 404 `user_not_found` for a random `user_id`: the
# community just created exists, it is the user that does not. The
# resource-availability check cannot tell the two 404s apart; the code can.
@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    if getattr(failure, "code", "") != "ST302":
        return True
    try:
        code = response.json().get("code")
    except Exception:
        return True
    return code != "user_not_found"


# `POST /v1/webhooks` answers 422 `webhook_url_refused` for a well-formed URL
# whose host does not resolve, or resolves to a loopback, private or
# link-local address (the server runs here without --webhook-allow-private).
# Whether a URL may be delivered to depends on DNS and the address class at
# the time of the request, which no schema can say; those refusals are
# tested in crates/roster/tests/api/webhooks/.
@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    if getattr(failure, "code", "") != "ST202":
        return True
    if case.method.upper() != "POST" or case.path != "/v1/webhooks":
        return True
    try:
        code = response.json().get("code")
    except Exception:
        return True
    return code != "webhook_url_refused"
