//! What Rocket.Chat's two families of rooms share. A community is a
//! private group (`t:"p"`, the `groups.*` routes) or a public channel
//! (`t:"c"`, the `channels.*` routes) by its visibility, and each family
//! answers the other's rooms with `error-room-not-found`, as Rocket.Chat
//! does; the engine's [`Sight::Group`] and [`Sight::Channel`] say which is
//! which. Each handler is generic over its family ([`Kind`]) and short:
//! [`Call`] reads the parameters, authenticates and resolves the room,
//! every failure is one [`RcError`], and [`answer`] words it for the
//! family (a channel route names a channel where a group route names a
//! group).

use super::envelope::{Action, RcError};
use super::views::{self, USERNAMES_LIMIT};
use super::{auth, login, Params};
use crate::app::AppState;
use crate::auth::{Principal, Scope};
use crate::http::body::Body;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use roster_engine::{Command, CommunityId, Sight, Standing, Visibility};
use roster_store::{
    Community, CommunityKey, MemberQuery, MemberRow, Outcome, Page, Paging, Ruling, User,
};

/// Page size when the request gives no `count`, and the largest served.
const DEFAULT_COUNT: u64 = 50;
const MAX_COUNT: u64 = 100;

/// Rocket.Chat's two kinds of room with members.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `groups.*`: private communities.
    Group,
    /// `channels.*`: public communities.
    Channel,
}

impl Family {
    /// The communities this family's routes may address.
    pub fn sight(self) -> Sight {
        match self {
            Family::Group => Sight::Group,
            Family::Channel => Sight::Channel,
        }
    }

    /// The visibility of the communities of this family.
    pub fn visibility(self) -> Visibility {
        match self {
            Family::Group => Visibility::Private,
            Family::Channel => Visibility::Public,
        }
    }

    /// How Rocket.Chat's messages name a room of this family.
    pub fn noun(self) -> &'static str {
        match self {
            Family::Group => "private group",
            Family::Channel => "channel",
        }
    }
}

/// A family as a type, so that one generic handler serves both routes.
pub trait Kind: Send + Sync + 'static {
    const FAMILY: Family;
}

/// The `groups.*` routes.
pub struct Groups;
/// The `channels.*` routes.
pub struct Channels;

impl Kind for Groups {
    const FAMILY: Family = Family::Group;
}

impl Kind for Channels {
    const FAMILY: Family = Family::Channel;
}

/// A handler's result as the response, its error worded for the family.
pub fn answer(family: Family, result: Result<Response, RcError>) -> Response {
    match result {
        Ok(response) => response,
        Err(error) if family == Family::Channel => error.in_channel().into_response(),
        Err(error) => error.into_response(),
    }
}

/// One authenticated request on a family's route: the caller and its parameters.
pub struct Call {
    pub state: AppState,
    pub principal: Principal,
    pub params: Params,
    pub action: Action,
    pub family: Family,
}

impl Call {
    /// A POST: the caller must hold `community:write`.
    pub async fn post(
        state: &AppState,
        headers: &HeaderMap,
        body: Body,
        action: Action,
        family: Family,
    ) -> Result<Call, RcError> {
        let principal = auth::caller(state, headers, Some(Scope::Write)).await?;
        let params = Params::from_body(headers, body, action)?;
        Ok(Call::new(state, principal, params, action, family))
    }

    /// A GET: the caller must hold `community:read`.
    pub async fn get(
        state: &AppState,
        headers: &HeaderMap,
        query: Option<&str>,
        action: Action,
        family: Family,
    ) -> Result<Call, RcError> {
        let principal = auth::caller(state, headers, Some(Scope::Read)).await?;
        let params = Params::from_query(query, action)?;
        Ok(Call::new(state, principal, params, action, family))
    }

    fn new(
        state: &AppState,
        principal: Principal,
        params: Params,
        action: Action,
        family: Family,
    ) -> Call {
        let state = state.clone();
        Call {
            state,
            principal,
            params,
            action,
            family,
        }
    }

    /// A store failure in Rocket.Chat's words, for this call's action.
    pub fn fault(&self, error: roster_store::Error) -> RcError {
        RcError::store(error, self.action, "")
    }

    /// The room named by `roomId` (which wins) or `roomName`.
    pub fn key(&self) -> Result<CommunityKey, RcError> {
        let action = self.action;
        match (
            self.params.str("roomId", action)?,
            self.params.str("roomName", action)?,
        ) {
            (Some(id), _) => match CommunityId::parse(id.trim()) {
                Some(id) => Ok(CommunityKey::Id(id)),
                None => Err(RcError::room_not_found(action)),
            },
            (None, Some(name)) => Ok(CommunityKey::Name(name.to_owned())),
            (None, None) => Err(RcError::room_param_missing(action)),
        }
    }

    /// The room the parameters name and the caller's standing in it, if
    /// it is of this family and in the caller's sight.
    pub async fn resolve(&self) -> Result<(Community, Standing), RcError> {
        let key = self.key()?;
        let (sight, actor) = (self.family.sight(), self.principal.actor());
        self.state
            .community_in_sight(sight, key, actor)
            .await
            .map_err(|e| self.fault(e))
    }

    /// Run one command on the room `key` names, in one transaction that
    /// also checks the room is of this family and in the caller's sight.
    pub async fn execute(&self, key: CommunityKey, command: Command) -> Result<Outcome, RcError> {
        let ruling = self
            .state
            .execute_in_sight(self.family.sight(), self.principal.actor(), key, command)
            .await
            .map_err(|e| RcError::store(e, self.action, ""))?;
        match ruling {
            Ruling::Accepted(outcome) => Ok(outcome),
            Ruling::Refused(refused) => {
                let room = refused.community.as_ref();
                let name = room.map_or("", |c| c.state.settings.name.as_str());
                Err(super::envelope::domain(&refused.error, self.action, name))
            }
        }
    }

    /// Run one command on the room the parameters name.
    pub async fn execute_here(&self, command: Command) -> Result<Outcome, RcError> {
        let key = self.key()?;
        self.execute(key, command).await
    }

    /// The other user the request names (`userId`, `username` or `user`).
    pub async fn subject(&self) -> Result<User, RcError> {
        login::subject(&self.state, &self.params, self.action).await
    }

    /// `offset` and `count` of a paged read.
    pub fn page(&self) -> Result<(u64, u64), RcError> {
        let offset = self.params.uint("offset", self.action)?.unwrap_or(0);
        let count = match self.params.uint("count", self.action)? {
            None => DEFAULT_COUNT,
            Some(0) => MAX_COUNT,
            Some(n) => n.min(MAX_COUNT),
        };
        Ok((offset, count))
    }

    /// The members' usernames, only while the room is small enough.
    pub async fn usernames(&self, community: &Community) -> Result<Option<Vec<String>>, RcError> {
        if community.state.counters.members > USERNAMES_LIMIT {
            return Ok(None);
        }
        let page = self
            .members(community, Vec::new(), 0, USERNAMES_LIMIT as u32)
            .await?;
        Ok(Some(
            page.items.into_iter().map(|m| m.user.username).collect(),
        ))
    }

    /// One page of the room's people holding `standings` (members of any
    /// role when empty), by offset.
    pub async fn members(
        &self,
        community: &Community,
        standings: Vec<Standing>,
        offset: u64,
        limit: u32,
    ) -> Result<Page<MemberRow>, RcError> {
        let query = MemberQuery {
            standings,
            paging: Paging::Offset(offset),
            limit,
        };
        let id = community.id();
        self.state
            .members(id, query)
            .await
            .map_err(|e| self.fault(e))
    }

    /// `{"group"|"channel": room, "success": true}`.
    pub fn room_reply(&self, room: views::Room) -> Response {
        super::envelope::reply(match self.family {
            Family::Group => RoomReply::Group(room),
            Family::Channel => RoomReply::Channel(room),
        })
    }

    /// `{"success": true}`.
    pub fn done(&self) -> Response {
        super::envelope::reply(Done {})
    }
}

/// One room under its family's key.
#[derive(serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum RoomReply {
    Group(views::Room),
    Channel(views::Room),
}

/// Nothing beside `"success": true`.
#[derive(serde::Serialize)]
pub struct Done {}

/// The room document of a community, as every family's route shows it.
pub fn room(c: &Community) -> views::Room {
    views::group(c)
}
