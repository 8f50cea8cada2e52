//! The layer in front of every route: finds the client's address, applies
//! the per-address and per-token API limits, and answers a refusal in the
//! error shape of the API the path belongs to.

use super::Throttled;
use crate::app::AppState;
use crate::dialects::{course, rocketchat, whisk, wix};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

/// The client's address as the limits see it (`None` when the server was
/// started without peer addresses), for the handlers that check passwords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// The socket peer, or with `trust_forwarded_for` the last (nearest)
/// address of `X-Forwarded-For`, which the trusted proxy appended.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer.map(|peer| peer.ip())
}

/// The start of the SHA-256 of the token a request presents, in any
/// dialect's header, as the per-token limit's key.
fn presented_token(headers: &HeaderMap) -> Option<u64> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let token = crate::auth::token_from_authorization(text("authorization")).or_else(|| {
        text("x-auth-token")
            .map(str::trim)
            .filter(|t| !t.is_empty())
    })?;
    let digest = Sha256::digest(token.as_bytes());
    let mut start = [0u8; 8];
    start.copy_from_slice(&digest[..8]);
    Some(u64::from_be_bytes(start))
}

/// Health and metrics answer whatever the load: probes must not be throttled.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The refusal in the shape of the API `path` belongs to.
pub fn render(path: &str, throttled: &Throttled) -> Response {
    if path.starts_with("/api/v1/") {
        rocketchat::throttled(throttled)
    } else if path.starts_with("/api/v2/course") {
        course::throttled(throttled)
    } else if path.starts_with("/community/v2") {
        whisk::throttled(throttled)
    } else if path.starts_with("/members/v1/") || path.starts_with("/_api/members/") {
        wix::throttled(throttled)
    } else if path.starts_with("/console") {
        // The web console (issue 17): a page, not JSON.
        crate::console::throttled(throttled)
    } else {
        crate::native::problem::throttled(throttled)
    }
}

/// The middleware: see the module documentation.
pub async fn limit_api(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let limits = &state.limits;
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let address = client_address(request.headers(), peer, limits.config.trust_forwarded_for);
    request.extensions_mut().insert(ClientAddress(address));
    if !exempt(request.uri().path()) {
        let token = presented_token(request.headers());
        if let Err(throttled) = limits.check_request(address, token) {
            return render(request.uri().path(), &throttled);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_counts_only_when_trusted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(client_address(&headers, Some(peer), false), Some(peer.ip()));
        assert_eq!(
            client_address(&headers, Some(peer), true),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(
            client_address(&HeaderMap::new(), Some(peer), true),
            Some(peer.ip())
        );
    }

    #[test]
    fn tokens_are_keyed_whatever_the_header() {
        let mut bearer = HeaderMap::new();
        bearer.insert("authorization", "Bearer rst_abc".parse().unwrap());
        let mut rocket = HeaderMap::new();
        rocket.insert("x-auth-token", "rst_abc".parse().unwrap());
        assert!(presented_token(&bearer).is_some());
        assert_eq!(presented_token(&bearer), presented_token(&rocket));
        assert_eq!(presented_token(&HeaderMap::new()), None);
    }
}
