//! The `Roster-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<raw body>">` keyed with the subscription's secret, so that a
//! receiver can tell a request came from this server (the key) and is
//! recent (`t`, within its tolerance), not replayed from long ago.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far from its own clock a receiver should accept `t` (documented).
pub const TOLERANCE_SECONDS: i64 = 300;

fn mac(secret: &str, t: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` signed at unix time `t`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let digest = mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(digest))
}

/// Check a header value against `body` and the receiver's clock `now`:
/// what a receiver does, in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > TOLERANCE_SECONDS {
        return false;
    }
    v1.iter()
        .any(|signature| mac(secret, t, body).verify_slice(signature).is_ok())
}

/// A new secret: 32 random bytes, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_key_body_and_time() {
        let header = sign("key", 1_000, b"{\"seq\":1}");
        assert!(header.starts_with("t=1000,v1="));
        assert!(verify("key", &header, b"{\"seq\":1}", 1_000));
        assert!(verify(
            "key",
            &header,
            b"{\"seq\":1}",
            1_000 + TOLERANCE_SECONDS
        ));
        assert!(!verify(
            "key",
            &header,
            b"{\"seq\":1}",
            1_001 + TOLERANCE_SECONDS
        ));
        assert!(!verify("other", &header, b"{\"seq\":1}", 1_000));
        assert!(!verify("key", &header, b"{\"seq\":2}", 1_000));
        assert!(!verify("key", "v1=00", b"{\"seq\":1}", 1_000));
    }

    #[test]
    fn matches_a_known_hmac_sha256_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
