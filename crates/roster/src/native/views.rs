//! The JSON shapes of the native API (and of the CLI's `--json` output):
//! one function per stored record, each also a documented OpenAPI schema.
//! Ids are hyphenated UUIDs, times RFC 3339 UTC with milliseconds, enums
//! their lowercase engine names.

use crate::http::timestamp;
use axum::body::Bytes;
use roster_engine::{ContributionMode, EventKind, JoinPolicy, Standing, UserId, Visibility};
use roster_store::{Community, EventRecord, MemberRow, Outcome, Scopes, TokenRecord, User};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A user as others see them (`id`, `number`, `username`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserRef {
    pub id: Uuid,
    pub number: i64,
    pub username: String,
}

/// A community.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommunityView {
    pub id: Uuid,
    /// The integer number some dialects use as its id.
    pub number: i64,
    pub name: String,
    pub description: String,
    #[schema(schema_with = schemas::visibility)]
    pub visibility: Visibility,
    #[schema(schema_with = schemas::join_policy)]
    pub join_policy: JoinPolicy,
    #[schema(schema_with = schemas::contribution_mode)]
    pub contribution_mode: ContributionMode,
    pub archived: bool,
    /// The site community every user belongs to.
    pub site: bool,
    pub creator: UserRef,
    pub member_count: i64,
    pub owner_count: i64,
    pub pending_count: i64,
    pub invited_count: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: String,
    /// The caller's standing in it (on reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = schemas::standing, required = false)]
    pub standing: Option<&'static str>,
}

pub fn community(community: &Community, viewer: Option<Standing>) -> CommunityView {
    let state = &community.state;
    let settings = &state.settings;
    CommunityView {
        id: state.id.0,
        number: community.num,
        name: settings.name.clone(),
        description: settings.description.clone(),
        visibility: settings.visibility,
        join_policy: settings.join_policy,
        contribution_mode: settings.contribution_mode,
        archived: state.archived,
        site: state.site,
        creator: UserRef {
            id: community.creator.id.0,
            number: community.creator.num,
            username: community.creator.username.clone(),
        },
        member_count: state.counters.members,
        owner_count: state.counters.owners,
        pending_count: state.counters.pending,
        invited_count: state.counters.invited,
        created_at: timestamp(community.created_at),
        updated_at: timestamp(community.updated_at),
        standing: viewer.map(Standing::as_str),
    }
}

/// Free-text profile fields (empty when unset).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProfileView {
    pub nickname: String,
    pub slug: String,
    pub first_name: String,
    pub last_name: String,
    pub photo_url: String,
}

/// A user account. `email`, `email_verified` and `last_login_at` are shown
/// only to the user and to admins.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub number: i64,
    pub username: String,
    pub admin: bool,
    pub profile: ProfileView,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, required = false)]
    pub email: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime, required = false)]
    pub last_login_at: Option<Option<String>>,
}

/// A user; `private` adds the fields only the user and admins see.
pub fn user(user: &User, private: bool) -> UserView {
    user_view(user.clone(), private)
}

/// [`user`], taking the record: its strings move into the view instead of
/// being copied (a page of members renders 50).
pub fn user_view(user: User, private: bool) -> UserView {
    let profile = user.profile;
    UserView {
        id: user.id.0,
        number: user.num,
        username: user.username,
        admin: user.admin,
        profile: ProfileView {
            nickname: profile.nickname,
            slug: profile.slug,
            first_name: profile.first_name,
            last_name: profile.last_name,
            photo_url: profile.photo_url,
        },
        created_at: timestamp(user.created_at),
        updated_at: timestamp(user.updated_at),
        email: private.then_some(user.email),
        email_verified: private.then_some(user.email_verified),
        last_login_at: private.then(|| user.last_login_at.map(timestamp)),
    }
}

/// An API token (never its secret, except once in the answer that issues it).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// The secret: only in the response to `POST /v1/tokens`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub token: Option<String>,
    pub id: Uuid,
    pub user_id: Uuid,
    #[schema(schema_with = schemas::scopes)]
    pub scopes: Vec<&'static str>,
    pub label: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<String>,
}

pub fn scope_list(scopes: Scopes) -> Vec<&'static str> {
    let mut list = Vec::new();
    if scopes.read {
        list.push("community:read");
    }
    if scopes.write {
        list.push("community:write");
    }
    if scopes.admin {
        list.push("admin");
    }
    list
}

pub fn token(record: &TokenRecord, secret: Option<String>) -> TokenView {
    TokenView {
        token: secret,
        id: record.id,
        user_id: record.user.0,
        scopes: scope_list(record.scopes),
        label: record.label.clone(),
        created_at: timestamp(record.created_at),
        expires_at: record.expires_at.map(timestamp),
        revoked_at: record.revoked_at.map(timestamp),
    }
}

/// The caller's tokens.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenView>,
}

/// A person in a community.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub user: UserView,
    #[schema(schema_with = schemas::standing)]
    pub standing: &'static str,
    /// When the person got this standing's membership row.
    #[schema(value_type = String, format = DateTime)]
    pub since: String,
}

/// A person in a community, from its row (moved, not copied).
pub fn member(row: MemberRow) -> MemberView {
    MemberView {
        standing: row.standing.as_str(),
        since: timestamp(row.since),
        user: user_view(row.user, false),
    }
}

/// One page of people; pass `next` as `after` for the following page.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<MemberView>,
    /// Opaque cursor of the next page; `null` on the last page.
    pub next: Option<String>,
    /// How many people match the filter in all.
    pub total: u64,
}

impl MemberPage {
    /// The page as the body of an answer. A page of people is tens of
    /// kilobytes of JSON: written into a buffer sized for it at once, where
    /// axum's `Json` starts at 128 bytes and copies the page at each
    /// doubling.
    pub fn body(&self) -> Result<Bytes, super::problem::Problem> {
        /// About what one person's entry takes, with room for long names.
        const PER_PERSON: usize = 512;
        let mut body = Vec::with_capacity(128 + self.items.len() * PER_PERSON);
        serde_json::to_writer(&mut body, self).map_err(|error| {
            super::problem::Problem::internal(&format!("writing a page: {error}"))
        })?;
        Ok(body.into())
    }
}

/// A [`MemberPage`] as rendered (and perhaps kept by the page cache).
#[derive(Clone, Debug)]
pub struct PageBody(pub Bytes);

impl axum::response::IntoResponse for PageBody {
    fn into_response(self) -> axum::response::Response {
        (
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            self.0,
        )
            .into_response()
    }
}

/// One page of the caller's communities, each with the caller's `standing`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommunityPage {
    pub items: Vec<CommunityView>,
    /// Opaque cursor of the next page; `null` on the last page.
    pub next: Option<String>,
    pub total: u64,
}

/// The result of a command: the community after it, the standing of the
/// person it was about (the caller, for join and leave) and whether
/// anything changed (`false`: it already was so; no event was written).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OutcomeView {
    pub community: CommunityView,
    pub user_id: Uuid,
    #[schema(schema_with = schemas::standing)]
    pub standing: &'static str,
    pub changed: bool,
}

/// A command's result; `user` is the person it was about.
pub fn outcome(outcome: &Outcome, user: UserId) -> OutcomeView {
    OutcomeView {
        community: community(&outcome.community, None),
        user_id: user.0,
        standing: outcome.subject_standing.as_str(),
        changed: outcome.changed(),
    }
}

/// One entry of the audit log and change feed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Strictly increasing; pass the last one seen as `after`.
    pub seq: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: String,
    pub community_id: Uuid,
    pub actor_id: Uuid,
    pub subject_id: Option<Uuid>,
    #[schema(schema_with = schemas::event_kind)]
    pub kind: EventKind,
    pub reason: Option<String>,
}

pub fn event(record: &EventRecord) -> EventView {
    EventView {
        seq: record.seq,
        at: timestamp(record.at),
        community_id: record.community.0,
        actor_id: record.actor.0,
        subject_id: record.subject.map(|s| s.0),
        kind: record.kind,
        reason: record.reason.clone(),
    }
}

/// Events in order; `next` is the `after` to poll with (the last `seq`
/// returned, or the `after` given when nothing is new).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<EventView>,
    pub next: i64,
}

/// `GET /v1/communities/{id}` and the CLI: any view as a JSON value.
pub fn to_json<T: Serialize>(view: &T) -> serde_json::Value {
    serde_json::to_value(view).unwrap_or(serde_json::Value::Null)
}

/// Schemas of the engine's enums, listed from the engine itself.
pub mod schemas {
    use roster_engine::{ContributionMode, EventKind, JoinPolicy, Role, Standing, Visibility};
    use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Type};

    fn names(values: impl IntoIterator<Item = &'static str>, about: &str) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.into_iter().collect::<Vec<_>>()))
            .description(Some(about))
            .build()
    }

    pub fn visibility() -> Object {
        names(
            Visibility::ALL.iter().map(|v| v.as_str()),
            "who can see the community",
        )
    }

    pub fn join_policy() -> Object {
        names(
            JoinPolicy::ALL.iter().map(|v| v.as_str()),
            "what a join by someone without standing does",
        )
    }

    pub fn contribution_mode() -> Object {
        names(
            ContributionMode::ALL.iter().map(|v| v.as_str()),
            "who may contribute content",
        )
    }

    pub fn role() -> Object {
        names(Role::ALL.iter().map(|v| v.as_str()), "a member's role")
    }

    pub fn standing() -> Object {
        let mut all = vec![Standing::None.as_str()];
        all.extend(Standing::STORED.iter().map(|s| s.as_str()));
        names(all, "a person's standing in a community")
    }

    pub fn event_kind() -> Object {
        names(EventKind::ALL.iter().map(|v| v.as_str()), "what happened")
    }

    pub fn scopes() -> utoipa::openapi::schema::Array {
        ArrayBuilder::new()
            .items(names(
                ["community:read", "community:write", "admin"],
                "a token scope",
            ))
            .build()
    }
}
