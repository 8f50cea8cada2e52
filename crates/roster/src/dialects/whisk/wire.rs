//! Whisk's wire vocabulary: the `COMMUNITY_ROLE_*`, mode and visibility
//! enum strings, community ids as 32 lowercase hex digits, and the typed
//! bodies (`permissions`, `community`, the list) every route renders.

use roster_engine::{CommunityId, ContributionMode, Role, Settings, Standing, Visibility};
use roster_store::Community;
use serde::Serialize;

/// The role a standing shows as. Invitations have no Whisk role: `UNSET`.
pub fn role(standing: Standing) -> &'static str {
    match standing {
        Standing::Member(Role::Owner) => "COMMUNITY_ROLE_OWNER",
        Standing::Member(Role::Manager) => "COMMUNITY_ROLE_ADMIN",
        Standing::Member(Role::Member) => "COMMUNITY_ROLE_MEMBER",
        Standing::Requested => "COMMUNITY_ROLE_PENDING",
        Standing::Banned => "COMMUNITY_ROLE_BLOCKED",
        Standing::None | Standing::Invited => "COMMUNITY_ROLE_UNSET",
    }
}

/// The standings a `filters.roles` value selects (`None`: not a role name
/// one can filter by). `UNSET` selects open invitations, the only "unset"
/// relation a user's community list can hold; Whisk's own curl example
/// sends it.
pub fn role_filter(name: &str) -> Option<Standing> {
    match name {
        "COMMUNITY_ROLE_OWNER" => Some(Standing::Member(Role::Owner)),
        "COMMUNITY_ROLE_ADMIN" => Some(Standing::Member(Role::Manager)),
        "COMMUNITY_ROLE_MEMBER" => Some(Standing::Member(Role::Member)),
        "COMMUNITY_ROLE_PENDING" => Some(Standing::Requested),
        "COMMUNITY_ROLE_BLOCKED" => Some(Standing::Banned),
        "COMMUNITY_ROLE_UNSET" => Some(Standing::Invited),
        _ => None,
    }
}

/// The `fields` values Whisk documents. They are accepted and validated;
/// Roster always renders every field it has (a superset is harmless).
pub const FIELDS: &[&str] = &[
    "COMMUNITY_FIELD_DESCRIPTION",
    "COMMUNITY_FIELD_TOPICS",
    "COMMUNITY_FIELD_SOCIAL_SETTINGS",
    "COMMUNITY_FIELD_PERMISSIONS",
    "COMMUNITY_FIELD_MEMBERS_COUNT",
    "COMMUNITY_FIELD_RECIPES_COUNT",
    "COMMUNITY_FIELD_SPONSORED",
];

fn mode(mode: ContributionMode) -> &'static str {
    match mode {
        ContributionMode::Anyone => "COMMUNITY_CONTRIBUTION_PERMISSION_MODE_ANYONE",
        ContributionMode::Managers => "COMMUNITY_CONTRIBUTION_PERMISSION_MODE_ADMINS",
    }
}

fn visibility(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => "COMMUNITY_VISIBILITY_PUBLIC",
        Visibility::Private => "COMMUNITY_VISIBILITY_PRIVATE",
    }
}

/// `{"role","mode","visibility"}`: the caller's role and the community's
/// settings. (Fields of every body here are in alphabetical order, the
/// order Roster has always sent them in.)
#[derive(Serialize)]
pub struct Permissions {
    mode: &'static str,
    role: &'static str,
    visibility: &'static str,
}

pub fn permissions(standing: Standing, settings: &Settings) -> Permissions {
    Permissions {
        mode: mode(settings.contribution_mode),
        role: role(standing),
        visibility: visibility(settings.visibility),
    }
}

/// One community as `GET /community/v2/{id}` and the list render it.
/// `members.count` is a JSON number, as Whisk's documented schema shows it
/// (only `paging.total` is an int64 rendered as a string).
#[derive(Serialize)]
pub struct CommunityView {
    description: String,
    id: String,
    members: Members,
    name: String,
    permissions: Permissions,
}

#[derive(Serialize)]
struct Members {
    count: i64,
}

pub fn community(community: &Community, standing: Standing) -> CommunityView {
    let state = &community.state;
    CommunityView {
        description: state.settings.description.clone(),
        id: community.id().simple().to_string(),
        members: Members {
            count: state.counters.members,
        },
        name: state.settings.name.clone(),
        permissions: permissions(standing, &state.settings),
    }
}

/// `GET /community/v2/{id}`: `{"community":{…}}`.
#[derive(Serialize)]
pub struct Shown {
    pub community: CommunityView,
}

/// Join and leave: `{"permissions":{…}}`.
#[derive(Serialize)]
pub struct Membership {
    pub permissions: Permissions,
}

/// `GET /community/v2`: `{"communities":[…],"paging":{"cursors":{…},"total":"N"}}`.
#[derive(Serialize)]
pub struct Listed {
    pub communities: Vec<CommunityView>,
    pub paging: Paging,
}

#[derive(Serialize)]
pub struct Paging {
    pub cursors: Cursors,
    /// An int64, which Whisk renders as a string.
    pub total: String,
}

/// A cursor is omitted when there is no page on that side.
#[derive(Serialize)]
pub struct Cursors {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// A community id from a path: 32 lowercase hex digits (Whisk's form) or
/// a hyphenated UUID; nothing else.
pub fn parse_id(text: &str) -> Option<CommunityId> {
    let simple = text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let hyphenated = text.len() == 36;
    if simple || hyphenated {
        CommunityId::parse(text)
    } else {
        None
    }
}
