//! The causes for which any dialect's handler fails, and their conversions,
//! written once.
//!
//! A handler returns `Result<T, DialectError>` and uses `?` on whatever it
//! calls: an authentication, a store call, a body read or parse. Each of
//! those errors converts into one [`Failure`] here; each dialect's error
//! type is a thin wrapper that converts from anything that converts into a
//! `Failure` (`impl<E: Into<Failure>> From<E>`) and renders it in one
//! exhaustive `match` in its own wire shape — the dialect decides the
//! bytes, never which causes exist.

use crate::auth::AuthError;
use crate::http::body::ReadError;
use crate::http::json::BodyError;
use crate::ratelimit::Throttled;
use roster_engine::DomainError;

/// Why a request failed, before any dialect has chosen its wire form.
#[derive(Debug)]
pub enum Failure {
    /// No usable token, or one without the route's scope.
    Auth(AuthError),
    /// The engine refused the command (nothing was written).
    Refused(DomainError),
    /// The store failed; the cause is for the log, never the client.
    Store(String),
    /// The body could not be read: over the size limit, or broken.
    Body(ReadError),
    /// The body was read but is not the JSON the route takes.
    Json(BodyError),
    /// A path id, query parameter or header the route cannot accept; the
    /// message says which, in the dialect's words.
    BadRequest(String),
    /// An unknown resource, or one the caller may not see.
    NotFound,
    /// Over a rate limit (429), or the server is busy (503).
    Throttled(Throttled),
}

impl Failure {
    /// A malformed input, with the message the client reads.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Failure::BadRequest(message.into())
    }
}

/// Each cause that is carried whole, as its variant.
macro_rules! carried {
    ($($cause:ty => $variant:ident),* $(,)?) => {
        $(impl From<$cause> for Failure {
            fn from(error: $cause) -> Self {
                Failure::$variant(error)
            }
        })*
    };
}

carried!(
    AuthError => Auth,
    DomainError => Refused,
    ReadError => Body,
    BodyError => Json,
);

/// A store error is a refusal by the rules or a backend fault.
impl From<roster_store::Error> for Failure {
    fn from(error: roster_store::Error) -> Self {
        match error {
            roster_store::Error::Domain(refusal) => Failure::Refused(refusal),
            roster_store::Error::Backend(cause) => Failure::Store(cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_split_into_refusals_and_faults() {
        let refused = Failure::from(roster_store::Error::Domain(DomainError::LastOwner));
        assert!(matches!(refused, Failure::Refused(DomainError::LastOwner)));
        let fault = Failure::from(roster_store::Error::Backend("disk".into()));
        assert!(matches!(fault, Failure::Store(ref cause) if cause == "disk"));
    }
}
