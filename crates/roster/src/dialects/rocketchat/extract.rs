//! The extractor every room route takes, so that a Rocket.Chat handler is
//! the lines that matter: [`Room<K, A>`] authenticates the caller and reads
//! the parameters for the route's family `K` ([`Kind`]) and operation `A`
//! ([`Op`], the [`Action`] whose Meteor method the envelope names), and a
//! handler returns [`Answer<K>`], whose error words itself for the family
//! (a channel route names a channel where a group route names a group).
//!
//! The order in which a bad request's faults are reported is the one the
//! handlers always had: the caller first (missing or foreign token, then
//! the scope: `community:read` on a GET, `community:write` otherwise), then
//! the parameters (a GET's query string, a POST's body: its size, its
//! syntax), then whatever the handler finds.

use super::envelope::RcError;
use super::rooms::{Call, Family, Kind};
use super::{auth, Params};
use crate::app::AppState;
use crate::auth::Scope;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use std::marker::PhantomData;
use std::ops::Deref;

pub use super::action::{op, Op};

/// An authenticated request on a room route of family `K` for operation
/// `A`; it derefs to the [`Call`] the handler works with.
pub struct Room<K, A> {
    call: Call,
    route: PhantomData<fn() -> (K, A)>,
}

impl<K, A> Deref for Room<K, A> {
    type Target = Call;

    fn deref(&self) -> &Call {
        &self.call
    }
}

impl<K: Kind, A: Op> FromRequest<AppState> for Room<K, A> {
    type Rejection = RoomError<K>;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let action = A::ACTION;
        let read = request.method() == Method::GET;
        let scope = if read { Scope::Read } else { Scope::Write };
        let principal = auth::caller(state, request.headers(), Some(scope)).await?;
        let params = if read {
            Params::from_query(request.uri().query(), action)?
        } else {
            let is_form = super::is_form(request.headers());
            let body = Bytes::from_request(request, state).await;
            Params::from_bytes(is_form, body, action)?
        };
        let call = Call {
            state: state.clone(),
            principal,
            params,
            action,
            family: K::FAMILY,
        };
        Ok(Room {
            call,
            route: PhantomData,
        })
    }
}

/// A room route's failure: an [`RcError`] that knows its route's family.
pub struct RoomError<K> {
    error: RcError,
    family: PhantomData<fn() -> K>,
}

impl<K> From<RcError> for RoomError<K> {
    fn from(error: RcError) -> Self {
        RoomError {
            error,
            family: PhantomData,
        }
    }
}

impl<K: Kind> IntoResponse for RoomError<K> {
    fn into_response(self) -> Response {
        match K::FAMILY {
            Family::Channel => self.error.in_channel().into_response(),
            Family::Group => self.error.into_response(),
        }
    }
}

/// What a room handler returns.
pub type Answer<K> = Result<Response, RoomError<K>>;
