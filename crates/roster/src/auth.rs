//! Authentication: opaque tokens, stored only as a SHA-256 hash, resolved to
//! one [`Principal`] whatever header style the dialect reads them from.
//! Each dialect reports an [`AuthError`] in its own wire shape.

use crate::app::AppState;
use base64::Engine as _;
use chrono::Utc;
use rand::RngCore;
use roster_engine::Actor;
use roster_store::{Scopes, TokenRecord, User};
use sha2::{Digest, Sha256};

/// Every token starts with this, so a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "rst_";
/// Random bytes behind each token (256 bits).
const TOKEN_BYTES: usize = 32;
const TOKEN_LEN: usize = TOKEN_PREFIX.len() + 43;

/// Why a request is not authenticated (or not authorised for a scope).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no token was sent")]
    Missing,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token is unknown")]
    Unknown,
    #[error("the token has expired")]
    Expired,
    #[error("the token has been revoked")]
    Revoked,
    /// Authenticated, but the token lacks the scope the route needs.
    #[error("the token lacks the scope {0}")]
    MissingScope(Scope),
    #[error("authentication failed: {0}")]
    Backend(String),
}

/// What a route needs a token to carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "community:read",
            Scope::Write => "community:write",
            Scope::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parse a comma-separated scope list (`community:read,community:write,admin`).
pub fn parse_scopes(text: &str) -> Result<Scopes, String> {
    Scopes::parse(text)
}

/// The scopes as the comma-separated list clients send.
pub fn format_scopes(scopes: Scopes) -> String {
    scopes.to_text()
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: User,
    pub token: TokenRecord,
}

impl Principal {
    /// Elevated: an admin user holding an `admin`-scoped token.
    pub fn is_admin(&self) -> bool {
        self.user.admin && self.token.scopes.admin
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.id,
            admin: self.is_admin(),
        }
    }

    /// `admin` implies every other scope.
    pub fn has(&self, scope: Scope) -> bool {
        let scopes = self.token.scopes;
        match scope {
            Scope::Read => scopes.read || scopes.admin,
            Scope::Write => scopes.write || scopes.admin,
            Scope::Admin => self.is_admin(),
        }
    }

    pub fn require(&self, scope: Scope) -> Result<(), AuthError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(AuthError::MissingScope(scope))
        }
    }
}

/// A new random token and the hash to store for it.
pub fn generate_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Does this look like a token Roster issued? (Cheap check before a look-up.)
pub fn is_well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Resolve a raw token to its principal: from the token cache when it
/// holds a fresh entry (no store access), else from the store.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, AuthError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::Missing);
    }
    if !is_well_formed(token) {
        return Err(AuthError::Malformed);
    }
    let hash = hash_token(token);
    let principal = match state.tokens.get(&hash) {
        Some(cached) => cached,
        None => {
            let ticket = state.tokens.ticket();
            let found = state
                .read_hot(
                    move |reads| reads.find_token(hash),
                    move |store| store.find_token(&hash),
                )
                .await
                .map_err(|e| AuthError::Backend(e.to_string()))?;
            let (record, user) = found.ok_or(AuthError::Unknown)?;
            let principal = Principal {
                user,
                token: record,
            };
            state.tokens.fill(hash, principal.clone(), ticket);
            principal
        }
    };
    // Checked on every use, cached or not: expiry needs no eviction.
    if principal.token.revoked_at.is_some() {
        return Err(AuthError::Revoked);
    }
    if principal
        .token
        .expires_at
        .is_some_and(|at| at <= Utc::now())
    {
        return Err(AuthError::Expired);
    }
    Ok(principal)
}

/// The caller's user record as stored now, for answers that show it: its
/// `updated_at` and last login move with every command and login, which
/// the token cache does not follow (it only guarantees what authorises).
pub async fn current_user(state: &AppState, principal: &Principal) -> Result<User, AuthError> {
    let key = roster_store::UserKey::Id(principal.user.id);
    state
        .find_user(key)
        .await
        .map_err(|e| AuthError::Backend(e.to_string()))?
        .ok_or(AuthError::Unknown)
}

/// The token of an `Authorization` header value: `Bearer <t>`, `Token <t>`
/// (the course API's client) or the bare token (Wix). `None` when absent.
pub fn token_from_authorization(value: Option<&str>) -> Option<&str> {
    let value = value?.trim();
    let token = match value.split_once(char::is_whitespace) {
        Some((scheme, rest)) if is_scheme(scheme) => rest.trim(),
        None if is_scheme(value) => "",
        _ => value,
    };
    (!token.is_empty()).then_some(token)
}

/// The schemes clients put before a token: `Bearer`, and `Token` (DRF-style).
fn is_scheme(word: &str) -> bool {
    word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("token")
}

/// Read the `Authorization` header of a request and authenticate it.
pub async fn from_authorization(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Principal, AuthError> {
    from_header(state, headers.get(axum::http::header::AUTHORIZATION)).await
}

/// Authenticate the token in one header's value (`Bearer <t>`, `Token <t>`
/// or bare), for a dialect that reads it from a header of its own.
pub async fn from_header(
    state: &AppState,
    value: Option<&axum::http::HeaderValue>,
) -> Result<Principal, AuthError> {
    let raw = value
        .map(|v| v.to_str().map_err(|_| AuthError::Malformed))
        .transpose()?;
    match token_from_authorization(raw) {
        None => Err(AuthError::Missing),
        Some(token) => authenticate(state, token).await,
    }
}

/// Authenticate the request's `Authorization` header and require that its
/// token holds `scope`: the opening of every handler.
pub async fn authorize(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    scope: Scope,
) -> Result<Principal, AuthError> {
    let principal = from_authorization(state, headers).await?;
    principal.require(scope)?;
    Ok(principal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_values() {
        assert_eq!(token_from_authorization(None), None);
        assert_eq!(token_from_authorization(Some("  ")), None);
        assert_eq!(token_from_authorization(Some("Bearer")), None);
        assert_eq!(token_from_authorization(Some("Bearer   ")), None);
        assert_eq!(token_from_authorization(Some("Bearer abc")), Some("abc"));
        assert_eq!(token_from_authorization(Some("bearer  abc ")), Some("abc"));
        assert_eq!(token_from_authorization(Some("Token abc")), Some("abc"));
        assert_eq!(token_from_authorization(Some("abc")), Some("abc"));
    }

    #[test]
    fn generated_tokens_are_well_formed_and_hash_stably() {
        let (token, hash) = generate_token();
        assert!(is_well_formed(&token), "{token}");
        assert_eq!(hash_token(&token), hash);
        assert!(!is_well_formed(&token[1..]));
        assert!(!is_well_formed(
            "rst_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        ));
    }

    #[test]
    fn scopes_round_trip() {
        let scopes = parse_scopes("community:read, admin").unwrap();
        assert_eq!(format_scopes(scopes), "community:read,admin");
        assert!(parse_scopes("root").is_err());
    }
}
