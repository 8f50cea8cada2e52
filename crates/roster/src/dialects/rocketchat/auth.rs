//! Rocket.Chat's authentication: `X-User-Id` and `X-Auth-Token`, both
//! required, and the token must belong to that user. Any Roster token works
//! (one issued by `login` or by an operator); failures take Rocket.Chat's
//! 401 shape.

use super::envelope::{Action, RcError};
use crate::app::AppState;
use crate::auth::{self, Principal, Scope};
use axum::http::HeaderMap;
use roster_engine::UserId;

/// The caller, holding `scope` when one is given; every failure one [`RcError`].
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    scope: Option<Scope>,
) -> Result<Principal, RcError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let (Some(user_id), Some(token)) = (header("x-user-id"), header("x-auth-token")) else {
        return Err(RcError::logged_out());
    };
    let principal = auth::authenticate(state, token)
        .await
        .map_err(|error| RcError::failed(error.into(), Action::Login, ""))?;
    if UserId::parse(user_id) != Some(principal.user.id) {
        return Err(RcError::logged_out());
    }
    if let Some(scope) = scope {
        principal
            .require(scope)
            .map_err(|error| RcError::failed(error.into(), Action::Login, ""))?;
    }
    Ok(principal)
}
