//! Whisk's wire vocabulary: the `COMMUNITY_ROLE_*`, mode and visibility
//! enum strings, community ids as 32 lowercase hex digits, and the JSON
//! objects (`permissions`, `community`) every route renders.

use roster_engine::{CommunityId, ContributionMode, Role, Settings, Standing, Visibility};
use roster_store::Community;
use serde_json::{json, Value};

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

/// `{"role","mode","visibility"}`: the caller's role and the community's settings.
pub fn permissions(standing: Standing, settings: &Settings) -> Value {
    json!({
        "role": role(standing),
        "mode": mode(settings.contribution_mode),
        "visibility": visibility(settings.visibility),
    })
}

/// One community as `GET /community/v2/{id}` and the list render it.
/// `members.count` is a JSON number, as Whisk's documented schema shows it
/// (only `paging.total` is an int64 rendered as a string).
pub fn community(community: &Community, standing: Standing) -> Value {
    let state = &community.state;
    json!({
        "id": community.id().simple(),
        "name": state.settings.name,
        "description": state.settings.description,
        "permissions": permissions(standing, &state.settings),
        "members": { "count": state.counters.members },
    })
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
