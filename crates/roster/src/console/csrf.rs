//! Cross-site request forgery: every console form carries its session's
//! token, checked on every POST in constant time; and a POST that a
//! browser marks as coming from another origin (`Origin`, or
//! `Sec-Fetch-Site`) is refused before anything else, token or not.
//! Beside `SameSite=Strict` on the cookie, either check alone would stop
//! a forged form.

use super::Failure;
use axum::http::{header, HeaderMap, StatusCode, Uri};

/// The origin the console is served from, as a browser would name it:
/// the request's authority (HTTP/2, or HTTP/1.1 over TLS) or its `Host`.
fn own_origin(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let host = match uri.authority() {
        Some(authority) => authority.as_str(),
        None => headers.get(header::HOST).and_then(|v| v.to_str().ok())?,
    };
    let scheme = match uri.scheme_str() {
        Some("https") => "https",
        _ => "http",
    };
    Some(format!("{scheme}://{host}"))
}

/// Refuse a POST that a browser says comes from elsewhere. A request with
/// neither header (not a browser) goes on to the token check.
pub fn same_origin(headers: &HeaderMap, uri: &Uri) -> Result<(), Failure> {
    let cross = || {
        Failure::new(
            StatusCode::FORBIDDEN,
            "Refused: this form was sent from another site",
            "Open the console itself and send the form from there.",
        )
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return Err(cross());
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().map_err(|_| cross())?;
        if Some(origin.to_ascii_lowercase())
            != own_origin(headers, uri).map(|o| o.to_ascii_lowercase())
        {
            return Err(cross());
        }
    }
    Ok(())
}

/// Does the posted token equal the session's? (Constant time.)
pub fn token_matches(expected: &str, posted: Option<&str>) -> bool {
    let Some(posted) = posted else {
        return false;
    };
    let (a, b) = (expected.as_bytes(), posted.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fresh random token (for a session, or the sign-in form).
pub fn fresh_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The refusal of a POST without its session's token.
pub fn refused() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        "Refused: this form has expired",
        "Reload the page and send the form again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_own_origin_is_accepted_and_any_other_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        headers.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        let path: Uri = "/console/sign-out".parse().unwrap();
        assert!(same_origin(&headers, &path).is_ok());
        // HTTP/2 over TLS: no Host header, the authority is in the URI.
        let mut h2 = HeaderMap::new();
        h2.insert(header::ORIGIN, "https://roster.example".parse().unwrap());
        let full: Uri = "https://roster.example/console/sign-out".parse().unwrap();
        assert!(same_origin(&h2, &full).is_ok());
        h2.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(same_origin(&h2, &full).is_err());
        headers.insert("sec-fetch-site", "same-site".parse().unwrap());
        assert!(same_origin(&headers, &path).is_err());
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(token_matches("abc", Some("abc")));
        assert!(!token_matches("abc", Some("abd")));
        assert!(!token_matches("abc", Some("ab")));
        assert!(!token_matches("", Some("")));
        assert!(!token_matches("abc", None));
    }
}
