//! `Idempotency-Key` on the native API's writes (the IETF draft "The
//! Idempotency-Key HTTP Header Field"), so that a client retrying a
//! POST/PUT/PATCH/DELETE after a timeout never applies a change twice.
//!
//! A middleware around the native API's handlers only (each method's, not
//! the route's fallback): a request that reaches no handler (404 unknown
//! route, 405 wrong method) neither holds nor stores its key, so the right
//! request can still use it. For a write that carries the header and a
//! valid token:
//!
//! - the key (1 to 255 printable ASCII characters; the draft's quoted form
//!   `"abc"` names the key `abc`) is held for the caller's user before the
//!   handler runs, with the method, the path and query, and the SHA-256 of
//!   the body;
//! - the handler's answer, if below 500 and at most [`MAX_STORED_BODY`]
//!   bytes, is stored (status, content-type, location, body) and sent;
//! - a retry with the same key and the same request gets that answer again,
//!   byte for byte, with `Idempotent-Replayed: true`; the same key with a
//!   different request is 422 `idempotency_key_reused`; a retry while the
//!   first is still running is 409 `idempotency_key_in_flight`;
//! - a 5xx releases the key, so a retry runs again. Keys expire after 24 h.
//!
//! Requests without the header, reads, and requests whose token does not
//! authenticate (they get their normal 401 from the handler) pass through.
//!
//! `POST /v1/tokens` is excluded (the header is ignored there): its answer
//! is a token's secret, which Roster never stores (only its hash), and
//! keeping it for replay would leave a live credential in the database for
//! a day; the route is unauthenticated, so there is no user to scope a key
//! to before the password is checked; and retrying it is harmless (a second
//! token is one more credential the client can list and revoke, not a
//! membership change).
//!
//! From holding the key to storing the answer, the request runs in a task
//! of its own: a client that disconnects, or the request timeout (408),
//! does not cancel it between the store's commit and the storing of its
//! answer, so the retry finds the answer. Why holding the key around the
//! command (not in its transaction) is safe, and how a client recovers from
//! a key left in flight by a crash: see the module doc of
//! `crates/store/src/sqlite/idempotency.rs`.

use super::problem::Problem;
use crate::app::AppState;
use crate::auth;
use crate::config::BODY_LIMIT;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use roster_engine::UserId;
use roster_store::{IdempotencyBegin, RequestFingerprint, StoredResponse};
use sha2::{Digest, Sha256};
use std::pin::Pin;

/// The request header.
pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
/// Set on a replayed answer.
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Largest answer body stored for replay (native answers are a few KiB).
pub const MAX_STORED_BODY: usize = 1024 * 1024;
/// The answer headers stored with its body.
const KEPT_HEADERS: [HeaderName; 2] = [header::CONTENT_TYPE, header::LOCATION];

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !applies(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let mut values = request.headers().get_all(&HEADER).iter();
    let Some(value) = values.next() else {
        return next.run(request).await;
    };
    let repeated = values.next().is_some();
    let key = (!repeated).then(|| parse_key(value.as_bytes())).flatten();
    let Ok(principal) = auth::from_authorization(&state, request.headers()).await else {
        return next.run(request).await;
    };
    let Some(key) = key else {
        return invalid_key(repeated).into_response();
    };

    let (mut parts, body) = request.into_parts();
    // The handler takes this caller rather than authenticating again.
    parts
        .extensions
        .insert(super::extract::Authenticator(principal.clone()));
    let bytes = match collect(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(failure) => return failure.problem().into_response(),
    };
    let fingerprint = RequestFingerprint {
        method: parts.method.as_str().to_owned(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned()),
        body_sha256: Sha256::digest(&bytes).into(),
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let keyed = Keyed {
        state,
        user: principal.user.id,
        key,
        fingerprint,
    };
    // From here on in a task of its own: once the key is held, nothing (a
    // client gone, the request timeout) may stop the request before its
    // answer is stored or the key released. A panic is passed on, to be
    // answered 500 by the panic layer, after the key is released.
    match tokio::spawn(keyed.run(request, next)).await {
        Ok(response) => response,
        Err(join) => match join.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(join) => {
                Problem::internal(&format!("idempotent request task: {join}")).into_response()
            }
        },
    }
}

/// A write with a well-formed key, by an authenticated user.
struct Keyed {
    state: AppState,
    user: UserId,
    key: String,
    fingerprint: RequestFingerprint,
}

impl Keyed {
    /// Hold the key and run the request, or answer from what it holds.
    async fn run(self, request: Request, next: Next) -> Response {
        let Keyed {
            state,
            user,
            key,
            fingerprint,
        } = self;
        let begun = state.begin_idempotent(user, key.clone(), fingerprint).await;
        match begun {
            Ok(IdempotencyBegin::Started) => {}
            Ok(IdempotencyBegin::Replay(stored)) => return replay(stored),
            Ok(IdempotencyBegin::Mismatch) => {
                return Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "Idempotency-Key reused",
                    "this Idempotency-Key was used for a different request (method, path or \
                     body); use a new key for a new request",
                )
                .into_response()
            }
            Ok(IdempotencyBegin::InFlight) => {
                return Problem::new(
                    StatusCode::CONFLICT,
                    "idempotency_key_in_flight",
                    "Request in flight",
                    "the first request with this Idempotency-Key has not finished; retry later",
                )
                .into_response()
            }
            Err(error) => return Problem::from(error).into_response(),
        }
        let mut hold = Hold {
            state: state.clone(),
            user,
            key: Some(key),
        };
        let response = next.run(request).await;
        let key = hold.key.take().unwrap_or_default();
        settle(&state, user, key, response).await
    }
}

/// Writes take keys, except `POST /v1/tokens` (see the module doc).
fn applies(method: &Method, path: &str) -> bool {
    let write = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method);
    write && !(method == Method::POST && path == "/v1/tokens")
}

/// The key of a header value: 1 to [`MAX_KEY_LEN`] printable ASCII
/// characters, bare or as a structured-field string (`"…"`, with `\"` and
/// `\\` escapes) as the draft writes it.
pub fn parse_key(raw: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(raw).ok()?;
    let key = match text.strip_prefix('"') {
        Some(quoted) => unquote(quoted)?,
        None => text.to_owned(),
    };
    let printable = key.bytes().all(|b| (0x20..=0x7e).contains(&b));
    (printable && (1..=MAX_KEY_LEN).contains(&key.len())).then_some(key)
}

/// The rest of an sf-string after its opening quote.
fn unquote(rest: &str) -> Option<String> {
    let mut key = String::new();
    let mut chars = rest.chars();
    loop {
        match chars.next()? {
            '\\' => match chars.next()? {
                c @ ('"' | '\\') => key.push(c),
                _ => return None,
            },
            '"' => return chars.as_str().is_empty().then_some(key),
            c => key.push(c),
        }
    }
}

fn invalid_key(repeated: bool) -> Problem {
    let detail = if repeated {
        "send one Idempotency-Key header, not several".to_owned()
    } else {
        format!("an Idempotency-Key is 1 to {MAX_KEY_LEN} printable ASCII characters")
    };
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid_idempotency_key",
        "Invalid Idempotency-Key",
        detail,
    )
}

/// Store the handler's answer (or release the key) and send it on.
async fn settle(state: &AppState, user: UserId, key: String, response: Response) -> Response {
    let status = response.status();
    if status.is_server_error() {
        release(state, user, key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let fits = body
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_STORED_BODY as u64);
    if !fits {
        tracing::warn!(%status, "idempotency: answer too large (or unsized) to store; key released");
        release(state, user, key).await;
        return Response::from_parts(parts, body);
    }
    let bytes = match collect(body, MAX_STORED_BODY).await {
        Ok(bytes) => bytes,
        Err(failure) => {
            release(state, user, key).await;
            return Problem::internal(&format!("idempotency: reading the answer: {failure:?}"))
                .into_response();
        }
    };
    let stored = StoredResponse {
        status: status.as_u16(),
        headers: kept(&parts.headers),
        body: bytes.to_vec(),
    };
    let finished = state.finish_idempotent(user, key, stored).await;
    if let Err(error) = finished {
        // The change is applied: leave the key held (retries get 409 until
        // it expires) rather than release it and risk applying it twice.
        tracing::error!(%error, "idempotency: storing the answer failed; the key stays in flight");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The stored headers of an answer, in [`KEPT_HEADERS`] order.
fn kept(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect()
}

/// A stored answer, sent again.
fn replay(stored: StoredResponse) -> Response {
    let Ok(status) = StatusCode::from_u16(stored.status) else {
        return Problem::internal(&format!("idempotency: stored status {}", stored.status))
            .into_response();
    };
    let mut response = (status, Body::from(stored.body)).into_response();
    let headers = response.headers_mut();
    for (name, value) in &stored.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

async fn release(state: &AppState, user: UserId, key: String) {
    let released = state.abandon_idempotent(user, key).await;
    if let Err(error) = released {
        tracing::error!(%error, "idempotency: releasing a key failed; it stays held until it expires");
    }
}

/// Releases the key if the handler panics before its answer is settled.
struct Hold {
    state: AppState,
    user: UserId,
    key: Option<String>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (state, user) = (self.state.clone(), self.user);
            runtime.spawn(async move { release(&state, user, key).await });
        }
    }
}

/// Why a body could not be read whole.
#[derive(Debug)]
enum ReadFailure {
    TooLarge,
    Unreadable(String),
}

impl ReadFailure {
    /// The same problems the handlers give for a request body.
    fn problem(&self) -> Problem {
        match self {
            ReadFailure::TooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "Body too large",
                format!("the body exceeds {BODY_LIMIT} bytes"),
            ),
            ReadFailure::Unreadable(detail) => Problem::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "Unreadable body",
                detail.clone(),
            ),
        }
    }
}

/// Read a body whole, refusing more than `limit` bytes.
async fn collect(mut body: Body, limit: usize) -> Result<Bytes, ReadFailure> {
    let mut bytes = Vec::new();
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => return Ok(Bytes::from(bytes)),
            Some(Err(error)) => return Err(ReadFailure::Unreadable(error.to_string())),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if bytes.len() + data.len() > limit {
                        return Err(ReadFailure::TooLarge);
                    }
                    bytes.extend_from_slice(&data);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(parse_key(b"abc-123").as_deref(), Some("abc-123"));
        assert_eq!(parse_key(b"a b").as_deref(), Some("a b"));
        assert_eq!(parse_key(b"\"abc\"").as_deref(), Some("abc"));
        assert_eq!(parse_key(br#""a\"b\\c""#).as_deref(), Some("a\"b\\c"));
        assert_eq!(parse_key(&[b'k'; 255]).map(|k| k.len()), Some(255));
        assert_eq!(parse_key(&[b'k'; 256]), None);
        assert_eq!(parse_key(b""), None);
        assert_eq!(parse_key(b"\"\""), None);
        assert_eq!(parse_key(b"\"abc"), None);
        assert_eq!(parse_key(b"\"a\"b\""), None);
        assert_eq!(parse_key(br#""a\nb""#), None);
        assert_eq!(parse_key(b"tab\there"), None);
        assert_eq!(parse_key("caf\u{e9}".as_bytes()), None);
        assert_eq!(parse_key(b"\xff"), None);
    }

    #[test]
    fn which_requests_take_keys() {
        assert!(applies(&Method::POST, "/v1/communities"));
        assert!(applies(&Method::PUT, "/v1/communities/x/members/y/role"));
        assert!(applies(&Method::PATCH, "/v1/users/me"));
        assert!(applies(&Method::DELETE, "/v1/tokens/x"));
        assert!(!applies(&Method::POST, "/v1/tokens"));
        assert!(!applies(&Method::GET, "/v1/communities"));
        assert!(!applies(&Method::HEAD, "/v1/communities"));
    }
}
