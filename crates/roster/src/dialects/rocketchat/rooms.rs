//! What Rocket.Chat's two families of rooms share. A community is a
//! private group (`t:"p"`, the `groups.*` routes) or a public channel
//! (`t:"c"`, the `channels.*` routes) by its visibility, and each family
//! answers the other's rooms with `error-room-not-found`, as Rocket.Chat
//! does; the engine's [`Sight::Group`] and [`Sight::Channel`] say which is
//! which. Each handler is generic over its family ([`Kind`]) and short:
//! its extractor (`extract.rs`) authenticates and reads the parameters
//! into a [`Call`], whose methods resolve the room and run commands on it;
//! every failure is one [`RcError`], worded for the family on the way out.

use super::envelope::{Action, RcError};
use super::views;
use super::{login, Params};
use crate::app::AppState;
use crate::auth::Principal;
use axum::response::Response;
use axum::Router;
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

/// The routes both families serve, under `/api/v1/{prefix}.…`.
pub fn routes<K: Kind>(prefix: &str) -> Router<AppState> {
    use super::not_found::{get, post};
    use super::{room_members as members, room_reads as reads, room_settings as settings};
    let path = |name: &str| format!("/api/v1/{prefix}.{name}");
    Router::new()
        .route(&path("create"), post(settings::create::<K>))
        .route(&path("invite"), post(members::invite::<K>))
        .route(&path("leave"), post(members::leave::<K>))
        .route(&path("kick"), post(members::kick::<K>))
        .route(&path("addOwner"), post(members::add_owner::<K>))
        .route(&path("removeOwner"), post(members::remove_owner::<K>))
        .route(&path("addModerator"), post(members::add_moderator::<K>))
        .route(
            &path("removeModerator"),
            post(members::remove_moderator::<K>),
        )
        .route(&path("archive"), post(settings::archive::<K>))
        .route(&path("unarchive"), post(settings::unarchive::<K>))
        .route(&path("delete"), post(settings::delete::<K>))
        .route(&path("rename"), post(settings::rename::<K>))
        .route(
            &path("setDescription"),
            post(settings::set_description::<K>),
        )
        .route(&path("setType"), post(settings::set_type::<K>))
        .route(&path("setReadOnly"), post(settings::set_read_only::<K>))
        .route(&path("open"), post(reads::open::<K>))
        .route(&path("close"), post(reads::close::<K>))
        .route(&path("hide"), post(reads::hide::<K>))
        .route(&path("members"), get(reads::members::<K>))
        .route(&path("info"), get(reads::info::<K>))
        .route(&path("roles"), get(reads::roles::<K>))
        .route(&path("moderators"), get(reads::moderators::<K>))
        .route(&path("counters"), get(reads::counters::<K>))
}

/// One authenticated request on a family's route: the caller and its
/// parameters, as the route's extractor (`extract::Room`) read them.
pub struct Call {
    pub state: AppState,
    pub principal: Principal,
    pub params: Params,
    pub action: Action,
    pub family: Family,
}

impl Call {
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

    /// `found`, unless the room the parameters name is not to be found:
    /// a fault in the people a request names is reported after one in its
    /// room, so the room is read only when there is such a fault.
    pub async fn room_first<T>(&self, found: Result<T, RcError>) -> Result<T, RcError> {
        if found.is_err() {
            self.resolve().await?;
        }
        found
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
