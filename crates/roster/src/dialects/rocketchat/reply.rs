//! Rocket.Chat's success bodies (`{…,"success":true}`) and its two 401
//! bodies, written from typed structs; [`sorted`] keeps the keys in the
//! order the `json!` maps these bodies were once built with wrote them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// What the 401 body says.
pub(super) const LOGGED_OUT: &str = "You must be logged in to do this.";

/// A typed body as JSON with its keys in order (recursively), as the
/// `json!` maps these bodies were built with wrote them: the struct names
/// the keys (a misspelt one is a compile error), the bytes stay as they were.
pub fn sorted<T: serde::Serialize>(body: &T) -> Json<serde_json::Value> {
    Json(serde_json::to_value(body).unwrap_or(serde_json::Value::Null))
}

/// [`ok`], its keys in order (see [`sorted`]).
pub fn reply<T: serde::Serialize>(body: T) -> Response {
    #[derive(serde::Serialize)]
    struct Success<T> {
        #[serde(flatten)]
        body: T,
        success: bool,
    }
    let body = Success {
        body,
        success: true,
    };
    (StatusCode::OK, sorted(&body)).into_response()
}

/// A typed body with `"success": true` beside its fields (status 200).
pub fn ok<T: serde::Serialize>(body: T) -> Response {
    #[derive(serde::Serialize)]
    struct Success<T> {
        #[serde(flatten)]
        body: T,
        success: bool,
    }
    (
        StatusCode::OK,
        Json(Success {
            body,
            success: true,
        }),
    )
        .into_response()
}

/// A 401 body: Rocket.Chat's REST layer and its login answer say it twice.
#[derive(serde::Serialize)]
struct Refused {
    success: bool,
    error: &'static str,
    status: &'static str,
    message: &'static str,
}

/// Rocket.Chat's 401 body with `words` as its error and message.
pub(super) fn refused(words: &'static str) -> Response {
    let body = Refused {
        success: false,
        error: words,
        status: "error",
        message: words,
    };
    (StatusCode::UNAUTHORIZED, sorted(&body)).into_response()
}

/// The words of the 401 of a failed `login`.
pub(super) const LOGIN_REFUSED: &str = "Unauthorized";
