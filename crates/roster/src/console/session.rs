//! Signing in and out of the console, and who is signed in.
//!
//! Sign-in takes the same password check and login limits as the native
//! API's `POST /v1/tokens` (`admin::check_password`). A session is a row
//! (`console_sessions`, migration 0005) holding the SHA-256 of the
//! cookie's secret, a CSRF token and an expiry; the cookie is `HttpOnly`,
//! `SameSite=Strict`, limited to `/console`, and `Secure` when served
//! over TLS. Signing out ends the row, so the cookie is refused
//! everywhere even if a copy survives. The sign-in form itself carries a
//! token matched against a short-lived cookie (login CSRF).

use super::form::Form;
use super::{csrf, layout, Failure};
use crate::admin::{self, PasswordCheck};
use crate::app::AppState;
use crate::ratelimit::ClientAddress;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use chrono::Utc;
use maud::html;
use roster_engine::Actor;
use roster_store::{NewConsoleSession, User};
use sha2::{Digest, Sha256};

/// The session cookie.
pub const COOKIE: &str = "roster_console";
/// The sign-in form's cookie (login CSRF).
const SIGN_IN_COOKIE: &str = "roster_console_sign_in";
/// How long a session lasts.
pub const LIFETIME_SECONDS: i64 = 12 * 60 * 60;

/// The signed-in person, with the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    hash: [u8; 32],
}

impl Viewer {
    /// Who the console's commands run as: the user, elevated when an admin.
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.id,
            admin: self.user.admin,
        }
    }
}

/// A cookie's value from the `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The live session the request's cookie names, if any.
pub async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Failure> {
    let Some(secret) = cookie(headers, COOKIE).filter(|s| !s.is_empty() && s.len() <= 128) else {
        return Ok(None);
    };
    let hash = hash(secret);
    let found = state.console_session(hash).await?;
    Ok(match found {
        Some((session, user)) if session.is_live(Utc::now()) => Some(Viewer {
            user,
            csrf: session.csrf,
            hash,
        }),
        _ => None,
    })
}

/// The viewer of a page: the extractor of every console page, whose
/// refusal is a redirect to the sign-in page.
pub struct SignedIn(pub Viewer);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match viewer(state, &parts.headers).await {
            Ok(Some(viewer)) => Ok(SignedIn(viewer)),
            Ok(None) => Err(Redirect::to("/console/sign-in").into_response()),
            Err(failure) => Err(failure.into_response()),
        }
    }
}

/// The viewer of a POST: same origin, a live session, its CSRF token.
/// Anything else is 403 and nothing happens.
pub async fn acting(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    form: &Form,
) -> Result<Viewer, Failure> {
    csrf::same_origin(headers, uri)?;
    let Some(viewer) = viewer(state, headers).await? else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "You are signed out",
            "Your session has ended. Sign in again to act.",
        ));
    };
    if !csrf::token_matches(&viewer.csrf, form.get("csrf")) {
        return Err(csrf::refused());
    }
    Ok(viewer)
}

fn set_cookie(name: &str, value: &str, max_age: i64, uri: &Uri) -> Option<HeaderValue> {
    let secure = if uri.scheme_str() == Some("https") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

fn sign_in_form(token: &str, username: &str, problem: Option<&str>) -> maud::Markup {
    html! {
        h1 { "Sign in" }
        section {
            form method="post" action="/console/sign-in" {
                input type="hidden" name="csrf" value=(token);
                label for="username" { "Username" }
                input #username type="text" name="username" value=(username)
                    autocomplete="username" required;
                label for="password" { "Password" }
                input #password type="password" name="password"
                    autocomplete="current-password" required;
                @if let Some(problem) = problem {
                    (layout::refusal(problem))
                }
                p { button type="submit" { "Sign in" } }
            }
        }
    }
}

/// The sign-in page, with a fresh form token in a cookie beside it.
fn sign_in_response(
    status: StatusCode,
    uri: &Uri,
    username: &str,
    problem: Option<&str>,
) -> Response {
    let token = csrf::fresh_token();
    let mut response = (
        status,
        layout::bare("Sign in", sign_in_form(&token, username, problem)),
    )
        .into_response();
    if let Some(value) = set_cookie(SIGN_IN_COOKIE, &token, 600, uri) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn sign_in_page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    if let Ok(Some(_)) = viewer(&state, &headers).await {
        return Redirect::to("/console/communities").into_response();
    }
    sign_in_response(StatusCode::OK, &uri, "", None)
}

pub async fn sign_in(
    State(state): State<AppState>,
    Extension(ClientAddress(client)): Extension<ClientAddress>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Failure> {
    csrf::same_origin(&headers, &uri)?;
    let form = Form::read(&headers, &body)?;
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or("");
    if !csrf::token_matches(expected, form.get("csrf")) {
        return Ok(sign_in_response(
            StatusCode::FORBIDDEN,
            &uri,
            "",
            Some("This sign-in form has expired. Sign in again from this page."),
        ));
    }
    let username = form.get("username").unwrap_or("").trim();
    let password = form.get("password").unwrap_or("");
    if username.is_empty() || password.is_empty() || username.len() > 320 || password.len() > 1024 {
        return Ok(sign_in_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &uri,
            "",
            Some("Enter your username and your password."),
        ));
    }
    let user = match admin::check_password(&state, username, password, client).await? {
        PasswordCheck::Valid(user) => *user,
        PasswordCheck::Invalid => {
            return Ok(sign_in_response(
                StatusCode::UNAUTHORIZED,
                &uri,
                username,
                Some("The username or the password is wrong. Check both and try again."),
            ))
        }
        PasswordCheck::Throttled(throttled) => {
            let seconds = throttled.retry_after.as_secs().max(1);
            let mut response = sign_in_response(
                if throttled.busy {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::TOO_MANY_REQUESTS
                },
                &uri,
                username,
                Some(&format!(
                    "Too many sign-in attempts. Wait {seconds} seconds, then try again."
                )),
            );
            if let Ok(value) = seconds.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(response);
        }
    };
    let secret = csrf::fresh_token();
    let new = NewConsoleSession {
        user: user.id,
        hash: hash(&secret),
        csrf: csrf::fresh_token(),
        expires_at: Utc::now() + chrono::Duration::seconds(LIFETIME_SECONDS),
    };
    state.create_console_session(new).await?;
    let mut response = Redirect::to("/console/communities").into_response();
    let headers = response.headers_mut();
    if let Some(value) = set_cookie(COOKIE, &secret, LIFETIME_SECONDS, &uri) {
        headers.append(header::SET_COOKIE, value);
    }
    if let Some(value) = set_cookie(SIGN_IN_COOKIE, "", 0, &uri) {
        headers.append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// A form posted by a signed-in viewer: the extractor of every console
/// form route. It reads the form (another content type is 415), then
/// checks the origin, the session and the form's CSRF token, in the order
/// [`acting`] checks them; a body axum cannot read is axum's own answer.
pub struct Acting {
    pub viewer: Viewer,
    pub form: Form,
}

impl FromRequest<AppState> for Acting {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (headers, uri) = (request.headers().clone(), request.uri().clone());
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = Form::read(&headers, &body).map_err(IntoResponse::into_response)?;
        let viewer = acting(state, &headers, &uri, &form)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Acting { viewer, form })
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Failure> {
    let form = Form::read(&headers, &body)?;
    let viewer = acting(&state, &headers, &uri, &form).await?;
    let hash = viewer.hash;
    state.end_console_session(hash).await?;
    let mut response = Redirect::to("/console/sign-in").into_response();
    if let Some(value) = set_cookie(COOKIE, "", 0, &uri) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_secure_over_tls_only() {
        let tls: Uri = "https://roster.example/console/sign-in".parse().unwrap();
        let plain: Uri = "/console/sign-in".parse().unwrap();
        let over_tls = set_cookie(COOKIE, "s", 60, &tls).unwrap();
        let over_tls = over_tls.to_str().unwrap();
        assert!(over_tls.ends_with("; Secure"), "{over_tls}");
        assert!(over_tls.contains("HttpOnly; SameSite=Strict"));
        let plain = set_cookie(COOKIE, "s", 60, &plain).unwrap();
        assert!(!plain.to_str().unwrap().contains("Secure"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; roster_console=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, COOKIE), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
