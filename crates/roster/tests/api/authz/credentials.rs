//! Every route × every bad credential: no token, an unknown one, an expired
//! one, a revoked one, one without the route's scope, and (Rocket.Chat,
//! which binds a token to `X-User-Id`) another user's. Each gets the
//! dialect's exact status and error code, and leaves no trace.

use super::{error_code, routes, world, Api, Need, Route, World};

#[derive(Clone, Copy, Debug)]
enum Bad {
    NoToken,
    Unknown,
    Expired,
    Revoked,
    MissingScope,
    AnotherUsers,
}

/// The status and error code `api` answers `bad` with.
fn expected(api: Api, bad: Bad) -> (u16, &'static str) {
    use Bad::*;
    match (api, bad) {
        (Api::Native, NoToken) => (401, "token_required"),
        (Api::Native, Unknown) => (401, "token_unknown"),
        (Api::Native, Expired) => (401, "token_expired"),
        (Api::Native, Revoked) => (401, "token_revoked"),
        (Api::Native, MissingScope) => (403, "scope_required"),
        (Api::Whisk, NoToken) => (401, "auth.tokenRequired"),
        (Api::Whisk, Unknown | Revoked) => (401, "auth.tokenNotFound"),
        (Api::Whisk, Expired) => (401, "auth.tokenExpired"),
        (Api::Whisk, MissingScope) => (403, "authorization.scopeRequired"),
        (Api::Course, NoToken) => (401, "not_authenticated"),
        (Api::Course, Unknown | Expired | Revoked) => (401, "authentication_failed"),
        (Api::Course, MissingScope) => (403, "permission_denied"),
        (Api::Wix, NoToken) => (401, "UNAUTHENTICATED"),
        (Api::Wix, Unknown) => (401, "INVALID_TOKEN"),
        (Api::Wix, Expired) => (401, "TOKEN_EXPIRED"),
        (Api::Wix, Revoked) => (401, "TOKEN_REVOKED"),
        (Api::Wix, MissingScope) => (403, "INSUFFICIENT_SCOPE"),
        // Rocket.Chat has one 401 ("You must be logged in to do this.",
        // `status: "error"`) for every failed authentication.
        (Api::RocketChat, MissingScope) => (403, "error-unauthorized"),
        (Api::RocketChat, _) => (401, "error"),
        (_, AnotherUsers) => unreachable!("only Rocket.Chat binds a token to a user"),
    }
}

/// The token (and Rocket.Chat user id) a case sends; `None` when the case
/// does not apply to the route.
fn credential<'w>(
    w: &'w World,
    route: &Route,
    bad: Bad,
) -> Option<(Option<&'w str>, &'w roster_store::User)> {
    let t = &w.tokens;
    let token = match bad {
        Bad::NoToken => None,
        Bad::Unknown => Some(t.unknown.as_str()),
        Bad::Expired => Some(t.expired.as_str()),
        Bad::Revoked => Some(t.revoked.as_str()),
        Bad::MissingScope => Some(match route.need {
            Need::Read => t.write_only.as_str(),
            Need::Write => t.read_only.as_str(),
            Need::Admin => t.read_write.as_str(),
            Need::Any => return None,
        }),
        Bad::AnotherUsers => {
            if route.api != Api::RocketChat {
                return None;
            }
            // The member's valid token, claiming to be the owner.
            return Some((Some(t.member.as_str()), &w.owner));
        }
    };
    Some((token, &w.member))
}

/// Run every route with `bad`, returning how many requests were checked.
async fn refuse_everywhere(w: &World, bad: Bad) -> usize {
    let before = w.snapshot().await;
    let mut checked = 0;
    for route in routes::all(w) {
        let Some((token, user)) = credential(w, &route, bad) else {
            continue;
        };
        let (status, body) = w.send(&route, token, Some(user)).await;
        let (want_status, want_code) = expected(route.api, bad);
        assert_eq!(
            (status, error_code(route.api, &body).as_str()),
            (want_status, want_code),
            "{bad:?} on {} {}: {body}",
            route.method,
            route.path
        );
        if route.api == Api::RocketChat {
            assert_eq!(body["success"], false, "{bad:?} on {}: {body}", route.path);
        }
        assert_eq!(
            w.snapshot().await,
            before,
            "{bad:?} on {} {} changed state",
            route.method,
            route.path
        );
        checked += 1;
    }
    checked
}

#[tokio::test]
async fn no_token_is_401_on_every_route() {
    let w = world().await;
    let checked = refuse_everywhere(&w, Bad::NoToken).await;
    assert_eq!(checked, routes::all(&w).len());
}

#[tokio::test]
async fn an_unknown_token_is_401_on_every_route() {
    let w = world().await;
    let checked = refuse_everywhere(&w, Bad::Unknown).await;
    assert_eq!(checked, routes::all(&w).len());
}

#[tokio::test]
async fn an_expired_token_is_401_on_every_route() {
    let w = world().await;
    let checked = refuse_everywhere(&w, Bad::Expired).await;
    assert_eq!(checked, routes::all(&w).len());
}

#[tokio::test]
async fn a_revoked_token_is_401_on_every_route() {
    let w = world().await;
    let checked = refuse_everywhere(&w, Bad::Revoked).await;
    assert_eq!(checked, routes::all(&w).len());
}

#[tokio::test]
async fn a_token_without_the_scope_is_403_on_every_scoped_route() {
    let w = world().await;
    let scoped = routes::all(&w)
        .iter()
        .filter(|r| r.need != Need::Any)
        .count();
    assert_eq!(refuse_everywhere(&w, Bad::MissingScope).await, scoped);
}

#[tokio::test]
async fn another_users_token_is_401_on_every_rocketchat_route() {
    let w = world().await;
    let checked = refuse_everywhere(&w, Bad::AnotherUsers).await;
    assert_eq!(checked, routes::rocketchat(&w).len());
}
