//! The idempotency-key decision, once for both backends: when a held key
//! expires, what a key already held means for a new request (replay its
//! stored answer, refuse another request under it, or wait for the one in
//! flight), and which answers may be stored. Each backend's
//! `idempotency.rs` keeps its SQL and how it holds a key against a racing
//! request (SQLite's single writer; PostgreSQL's `ON CONFLICT DO NOTHING`).

use chrono::{DateTime, Duration, Utc};

use crate::{IdempotencyBegin, RequestFingerprint, StoredResponse, IDEMPOTENCY_TTL_SECONDS};

/// Keys created at or before this instant are forgotten.
pub(crate) fn horizon(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds(IDEMPOTENCY_TTL_SECONDS)
}

/// A key's row as a backend read it back.
pub(crate) struct Held<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub body_sha256: &'a [u8],
    /// The stored answer's status; `None` while its request is in flight.
    pub status: Option<i64>,
    /// The stored answer's headers, as [`stored_headers`] wrote them.
    pub headers: Option<&'a str>,
    pub body: Option<Vec<u8>>,
}

/// What a key already held means for the request `fingerprint`; `Err` is
/// a stored row that does not parse (a backend fault).
pub(crate) fn ruling(
    held: Held<'_>,
    fingerprint: &RequestFingerprint,
) -> Result<IdempotencyBegin, String> {
    if held.method != fingerprint.method
        || held.path != fingerprint.path
        || held.body_sha256 != fingerprint.body_sha256
    {
        return Ok(IdempotencyBegin::Mismatch);
    }
    let Some(status) = held.status else {
        return Ok(IdempotencyBegin::InFlight);
    };
    let status =
        u16::try_from(status).map_err(|_| format!("idempotency key: stored status {status}"))?;
    let headers: Vec<(String, String)> = serde_json::from_str(held.headers.unwrap_or("[]"))
        .map_err(|e| format!("idempotency key: stored headers: {e}"))?;
    Ok(IdempotencyBegin::Replay(StoredResponse {
        status,
        headers,
        body: held.body.unwrap_or_default(),
    }))
}

/// The headers of an answer to store, as text; only answers below 500
/// are kept (`Err` otherwise: the caller abandons the key instead).
pub(crate) fn stored_headers(response: &StoredResponse) -> Result<String, String> {
    if !(100..500).contains(&response.status) {
        return Err(format!(
            "idempotency key: a {} response is not stored",
            response.status
        ));
    }
    serde_json::to_string(&response.headers).map_err(|e| format!("idempotency key: headers: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint() -> RequestFingerprint {
        RequestFingerprint {
            method: "POST".into(),
            path: "/v1/x".into(),
            body_sha256: [7; 32],
        }
    }

    fn held(status: Option<i64>) -> Held<'static> {
        Held {
            method: "POST",
            path: "/v1/x",
            body_sha256: &[7; 32],
            status,
            headers: Some(r#"[["content-type","application/json"]]"#),
            body: Some(b"{}".to_vec()),
        }
    }

    #[test]
    fn a_held_key_replays_waits_or_refuses() {
        let replay = ruling(held(Some(201)), &fingerprint()).unwrap();
        assert!(matches!(replay, IdempotencyBegin::Replay(ref r) if r.status == 201));
        let waiting = ruling(held(None), &fingerprint()).unwrap();
        assert!(matches!(waiting, IdempotencyBegin::InFlight));
        let other = RequestFingerprint {
            path: "/v1/y".into(),
            ..fingerprint()
        };
        assert!(matches!(
            ruling(held(Some(201)), &other).unwrap(),
            IdempotencyBegin::Mismatch
        ));
        assert!(ruling(held(Some(-1)), &fingerprint()).is_err());
    }

    #[test]
    fn server_errors_are_not_stored() {
        let answer = |status| StoredResponse {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        };
        assert_eq!(stored_headers(&answer(200)).as_deref(), Ok("[]"));
        assert!(stored_headers(&answer(500)).is_err());
    }
}
