//! What the course API sends back: the course object, the user objects of
//! its lists, `join_status` and `privacy` as SelfCommunity spells them, and
//! DRF's limit/offset list envelope `{"count","next","previous","results"}`.
//! Pure functions from store records to typed bodies, so every handler
//! renders alike.

use crate::http::timestamp;
use roster_engine::{CommunityState, JoinPolicy, Role, Standing, Visibility};
use roster_store::{Community, User, UserSummary};
use serde::Serialize;
use std::fmt::Write as _;

/// A course's `privacy`, which decides both who sees it and how one joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Privacy {
    /// Anyone sees it and joins at once.
    Open,
    /// Anyone sees it; joining asks the managers.
    Private,
    /// Only the people in it see it; joining needs an invitation.
    Secret,
}

impl Privacy {
    /// The wire value; `""` (SelfCommunity's draft) is read as secret, the
    /// closest state Roster has: hidden, invitation only.
    pub fn parse(text: &str) -> Option<Privacy> {
        match text {
            "open" => Some(Privacy::Open),
            "private" => Some(Privacy::Private),
            "secret" | "" => Some(Privacy::Secret),
            _ => None,
        }
    }

    pub fn settings(self) -> (Visibility, JoinPolicy) {
        match self {
            Privacy::Open => (Visibility::Public, JoinPolicy::Open),
            Privacy::Private => (Visibility::Public, JoinPolicy::Request),
            Privacy::Secret => (Visibility::Private, JoinPolicy::Invite),
        }
    }

    /// A community made elsewhere (native API, CLI) may combine its settings
    /// freely: a hidden one reads as secret, a visible one by its join policy.
    pub fn of(state: &CommunityState) -> Privacy {
        match (state.settings.visibility, state.settings.join_policy) {
            (Visibility::Private, _) => Privacy::Secret,
            (Visibility::Public, JoinPolicy::Open) => Privacy::Open,
            (Visibility::Public, JoinPolicy::Request) => Privacy::Private,
            (Visibility::Public, JoinPolicy::Invite) => Privacy::Secret,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Open => "open",
            Privacy::Private => "private",
            Privacy::Secret => "secret",
        }
    }
}

/// `join_status`: the owner is the course's `creator`; no standing (and a
/// ban, which the course API has no word for) is `null`.
pub fn join_status(standing: Standing) -> Option<&'static str> {
    match standing {
        Standing::Member(Role::Owner) => Some("creator"),
        Standing::Member(Role::Manager) => Some("manager"),
        Standing::Member(Role::Member) => Some("joined"),
        Standing::Invited => Some("invited"),
        Standing::Requested => Some("requested"),
        Standing::None | Standing::Banned => None,
    }
}

/// The standing a `statuses` filter value names (`GET …/join/` accepts only
/// `creator`, `manager` and `joined`, as SelfCommunity documents).
pub fn member_status(text: &str) -> Option<Standing> {
    match text {
        "creator" => Some(Standing::Member(Role::Owner)),
        "manager" => Some(Standing::Member(Role::Manager)),
        "joined" => Some(Standing::Member(Role::Member)),
        _ => None,
    }
}

/// A user in a list (and a course's `created_by`). (Fields of every body
/// here are in alphabetical order, the order Roster has always sent them in.)
#[derive(Serialize)]
pub struct UserView {
    avatar: String,
    id: i64,
    real_name: String,
    username: String,
}

pub fn user(user: &User) -> UserView {
    let real_name = format!("{} {}", user.profile.first_name, user.profile.last_name);
    UserView {
        avatar: user.profile.photo_url.clone(),
        id: user.num,
        real_name: real_name.trim().to_owned(),
        username: user.username.clone(),
    }
}

/// A creator whose account can no longer be read: what the community row knows.
pub fn user_summary(user: &UserSummary) -> UserView {
    UserView {
        avatar: String::new(),
        id: user.num,
        real_name: String::new(),
        username: user.username.clone(),
    }
}

/// The course object (SelfCommunity's "Course With Member Count"). Roster
/// keeps memberships, not lessons: the learning fields hold their empty values.
#[derive(Serialize)]
pub struct CourseView {
    categories: [(); 0],
    created_at: String,
    created_by: UserView,
    deleted: bool,
    description: String,
    enforce_lessons_order: bool,
    hide_member_count: bool,
    id: i64,
    image_big: &'static str,
    image_bigger: &'static str,
    image_medium: &'static str,
    image_original: &'static str,
    image_small: &'static str,
    join_status: Option<&'static str>,
    member_count: i64,
    name: String,
    new_comment_notification_enabled: bool,
    num_lessons: u32,
    num_sections: u32,
    privacy: &'static str,
    sections_order: [(); 0],
    slug: String,
    #[serde(rename = "type")]
    kind: &'static str,
    user_completion_rate: u32,
}

pub fn course(community: &Community, creator: UserView, standing: Standing) -> CourseView {
    let settings = &community.state.settings;
    CourseView {
        categories: [],
        created_at: timestamp(community.created_at),
        created_by: creator,
        deleted: false,
        description: settings.description.clone(),
        enforce_lessons_order: false,
        hide_member_count: false,
        id: community.num,
        image_big: "",
        image_bigger: "",
        image_medium: "",
        image_original: "",
        image_small: "",
        join_status: join_status(standing),
        member_count: community.state.counters.members,
        name: settings.name.clone(),
        new_comment_notification_enabled: true,
        num_lessons: 0,
        num_sections: 0,
        privacy: Privacy::of(&community.state).as_str(),
        sections_order: [],
        slug: slug(&settings.name),
        kind: "self-paced",
        user_completion_rate: 0,
    }
}

/// `GET …/status/`: `{"status": join_status}`.
#[derive(Serialize)]
pub struct Status {
    pub status: Option<&'static str>,
}

/// A URL slug from a name: lowercase letters and digits, words joined by `-`.
pub fn slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Where a list was asked for, to build its `next` and `previous` links.
pub struct ListUrl {
    /// `scheme://host/path`, or only the path when the host is unknown.
    pub base: String,
    /// The query's parameters other than `limit` and `offset`.
    pub params: Vec<(String, String)>,
}

/// One page of a DRF limit/offset list: `{"count","next","previous","results"}`.
#[derive(Serialize)]
pub struct Page<T> {
    count: u64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<T>,
}

pub fn page<T>(url: &ListUrl, limit: u32, offset: u64, total: u64, results: Vec<T>) -> Page<T> {
    let limit64 = u64::from(limit);
    let next = (offset.saturating_add(limit64) < total)
        .then(|| link(url, limit, Some(offset.saturating_add(limit64))));
    let previous = (offset > 0).then(|| {
        let back = offset.saturating_sub(limit64);
        link(url, limit, (back > 0).then_some(back))
    });
    Page {
        count: total,
        next,
        previous,
        results,
    }
}

/// The list's URL with `limit` and `offset` replaced (sorted by key, as DRF does).
fn link(url: &ListUrl, limit: u32, offset: Option<u64>) -> String {
    let mut params: Vec<(&str, String)> = url
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    params.push(("limit", limit.to_string()));
    if let Some(offset) = offset {
        params.push(("offset", offset.to_string()));
    }
    params.sort_by(|a, b| a.0.cmp(b.0));
    let mut text = url.base.clone();
    for (i, (key, value)) in params.iter().enumerate() {
        text.push(if i == 0 { '?' } else { '&' });
        encode_into(&mut text, key);
        text.push('=');
        encode_into(&mut text, value);
    }
    text
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_join_words_with_dashes() {
        assert_eq!(slug("  Rust 101: Ownership!  "), "rust-101-ownership");
        assert_eq!(slug("***"), "");
    }

    #[test]
    fn pages_link_forward_and_back() {
        let url = ListUrl {
            base: "http://h/api/v2/course/1/join/".into(),
            params: vec![("statuses".into(), "joined,manager".into())],
        };
        let body = page::<()>(&url, 2, 2, 5, vec![]);
        assert_eq!(
            body.next.as_deref(),
            Some("http://h/api/v2/course/1/join/?limit=2&offset=4&statuses=joined%2Cmanager")
        );
        assert_eq!(
            body.previous.as_deref(),
            Some("http://h/api/v2/course/1/join/?limit=2&statuses=joined%2Cmanager")
        );
        let last = page::<()>(&url, 2, 4, 5, vec![]);
        assert_eq!(last.next, None);
    }
}
