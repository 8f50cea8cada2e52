//! Extractors every dialect shares, each rejecting with the dialect's own
//! error type, so that a handler's signature reads the request and its body
//! is the lines that matter.
//!
//! - [`Caller<D, S>`]: the token (from the headers dialect `D` reads it
//!   from), authenticated and holding scope `S` ([`Read`] or [`Write`]);
//! - [`Pairs<D>`]: the query string as decoded pairs, in order;
//! - [`Unread<D>`]: a body the route ignores, read only up to the size
//!   limit so that an oversized one gets the dialect's 413;
//! - [`JsonObject<T, D>`]: a JSON object body parsed as `T`.
//!
//! axum runs the extractors of a handler in the order of its arguments
//! (the body last), so that order is the order in which a bad request's
//! faults are reported: keep it as each dialect documents.

use super::error::Failure;
use crate::app::AppState;
use crate::auth::{self, Principal, Scope};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// A wire dialect as the extractors see it: its error type and where its
/// clients send the token.
pub trait Dialect: Send + Sync + 'static {
    /// The dialect's error, rendered in its wire shape.
    type Error: From<Failure> + IntoResponse + Send;

    /// The header value holding the token (`Bearer <t>`, `Token <t>` or bare).
    fn token(headers: &HeaderMap) -> Option<&HeaderValue> {
        headers.get(axum::http::header::AUTHORIZATION)
    }
}

/// The scope a route needs, as a type.
pub trait NeedsScope: Send + Sync + 'static {
    const SCOPE: Scope;
}

/// Routes that read: `community:read`.
pub struct Read;
/// Routes that write: `community:write`.
pub struct Write;

impl NeedsScope for Read {
    const SCOPE: Scope = Scope::Read;
}

impl NeedsScope for Write {
    const SCOPE: Scope = Scope::Write;
}

/// An authenticated caller whose token holds scope `S`.
pub struct Caller<D, S> {
    pub principal: Principal,
    marker: PhantomData<fn() -> (D, S)>,
}

impl<D, S> std::ops::Deref for Caller<D, S> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<D: Dialect, S: NeedsScope> FromRequestParts<AppState> for Caller<D, S> {
    type Rejection = D::Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = auth::from_header(state, D::token(&parts.headers))
            .await
            .map_err(Failure::from)?;
        principal.require(S::SCOPE).map_err(Failure::from)?;
        Ok(Caller {
            principal,
            marker: PhantomData,
        })
    }
}

/// What a malformed query string is told, in every dialect that reads pairs.
pub const BAD_QUERY: &str = "the query string is malformed";

/// The query string's pairs, decoded, in order (repeated keys kept).
pub struct Pairs<D> {
    pub pairs: Vec<(String, String)>,
    marker: PhantomData<fn() -> D>,
}

impl<D: Dialect> FromRequestParts<AppState> for Pairs<D> {
    type Rejection = D::Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| Failure::bad_request(BAD_QUERY))?;
        Ok(Pairs {
            pairs,
            marker: PhantomData,
        })
    }
}

/// The body's bytes under the size limit, or the dialect's 413 / 400.
async fn bytes<D: Dialect>(request: Request, state: &AppState) -> Result<Bytes, D::Error> {
    let read = Bytes::from_request(request, state).await;
    Ok(crate::http::body::read(read).map_err(Failure::from)?)
}

/// A body the route takes none of: whatever it holds is ignored, but it is
/// read (up to the size limit) so that an oversized one is refused.
pub struct Unread<D>(PhantomData<fn() -> D>);

impl<D: Dialect> FromRequest<AppState> for Unread<D> {
    type Rejection = D::Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        bytes::<D>(request, state).await?;
        Ok(Unread(PhantomData))
    }
}

/// A JSON object body (empty reads as `{}`) parsed as `T`; see
/// [`crate::http::json::parse`] for what counts as a syntax or a shape error.
pub struct JsonObject<T, D> {
    pub value: T,
    marker: PhantomData<fn() -> D>,
}

impl<T: DeserializeOwned, D: Dialect> FromRequest<AppState> for JsonObject<T, D> {
    type Rejection = D::Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let body = bytes::<D>(request, state).await?;
        let value = crate::http::json::parse(&body).map_err(Failure::from)?;
        Ok(JsonObject {
            value,
            marker: PhantomData,
        })
    }
}
