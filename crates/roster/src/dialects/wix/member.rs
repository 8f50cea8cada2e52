//! A Roster user rendered as a Wix `Member`.
//!
//! - `id` and `contactId` are both the user's UUID (hyphenated): Roster has
//!   no separate contacts, so a member is its own contact;
//! - `loginEmail` is the email or `""`; `status` is `BLOCKED` when banned
//!   from the site community, else `APPROVED`; `privacyStatus` is `PUBLIC`
//!   while a member of the site community, else `PRIVATE`; `activityStatus`
//!   is always `ACTIVE`;
//! - `profile.nickname` and `profile.slug` fall back to the username when
//!   empty; `photo` has Wix's shape with only `url` known;
//! - dates are RFC 3339 UTC with milliseconds; `lastLoginDate` is omitted
//!   until the first password login.
//!
//! Fieldsets, as Wix defines them: `PUBLIC` is `id` and `profile` with the
//! three statuses `UNKNOWN`; `FULL` (and `EXTENDED`, treated alike) is
//! everything.

use crate::http::timestamp;
use chrono::{DateTime, Utc};
use roster_engine::Standing;
use roster_store::User;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fieldset {
    Public,
    Full,
}

/// `FULL`/`EXTENDED` anywhere in the list wins; an unknown name is refused.
pub fn fieldset(names: &[&str], default: Fieldset) -> Result<Fieldset, String> {
    let mut chosen = if names.is_empty() {
        default
    } else {
        Fieldset::Public
    };
    for name in names {
        match *name {
            "PUBLIC" => {}
            "FULL" | "EXTENDED" => chosen = Fieldset::Full,
            other => {
                let shown: String = other.chars().take(32).collect();
                return Err(format!("unknown fieldset '{shown}'"));
            }
        }
    }
    Ok(chosen)
}

fn or_username(value: &str, user: &User) -> String {
    if value.is_empty() {
        user.username.clone()
    } else {
        value.to_owned()
    }
}

/// A member object, in either fieldset. (Fields are in alphabetical order,
/// the order Roster has always sent them in.)
#[derive(Serialize)]
#[serde(untagged)]
pub enum Member {
    Public(PublicMember),
    Full(Box<FullMember>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicMember {
    activity_status: &'static str,
    id: String,
    privacy_status: &'static str,
    profile: Profile,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FullMember {
    activity_status: &'static str,
    contact: Contact,
    contact_id: String,
    created_date: String,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login_date: Option<String>,
    login_email: String,
    login_email_verified: bool,
    privacy_status: &'static str,
    profile: Profile,
    status: &'static str,
    updated_date: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Contact {
    addresses: [(); 0],
    contact_id: String,
    custom_fields: Empty,
    emails: [(); 0],
    first_name: String,
    last_name: String,
    phones: [(); 0],
}

/// `{}`.
#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Profile {
    nickname: String,
    photo: Photo,
    slug: String,
}

#[derive(Serialize)]
struct Photo {
    height: u32,
    id: &'static str,
    url: String,
    width: u32,
}

fn profile(user: &User) -> Profile {
    Profile {
        nickname: or_username(&user.profile.nickname, user),
        photo: Photo {
            height: 0,
            id: "",
            url: user.profile.photo_url.clone(),
            width: 0,
        },
        slug: or_username(&user.profile.slug, user),
    }
}

/// The member object. `updated` is when the member record last changed
/// (at least `user.updated_at`).
pub fn render(
    user: &User,
    standing: Standing,
    fieldset: Fieldset,
    updated: DateTime<Utc>,
) -> Member {
    let id = user.id.to_string();
    if fieldset == Fieldset::Public {
        return Member::Public(PublicMember {
            activity_status: "UNKNOWN",
            id,
            privacy_status: "UNKNOWN",
            profile: profile(user),
            status: "UNKNOWN",
        });
    }
    let status = match standing {
        Standing::Banned => "BLOCKED",
        Standing::None | Standing::Invited | Standing::Requested | Standing::Member(_) => {
            "APPROVED"
        }
    };
    let privacy = if standing.is_member() {
        "PUBLIC"
    } else {
        "PRIVATE"
    };
    Member::Full(Box::new(FullMember {
        activity_status: "ACTIVE",
        contact: Contact {
            addresses: [],
            contact_id: id.clone(),
            custom_fields: Empty {},
            emails: [],
            first_name: user.profile.first_name.clone(),
            last_name: user.profile.last_name.clone(),
            phones: [],
        },
        contact_id: id.clone(),
        created_date: timestamp(user.created_at),
        id,
        last_login_date: user.last_login_at.map(timestamp),
        login_email: user.email.clone().unwrap_or_default(),
        login_email_verified: user.email_verified,
        privacy_status: privacy,
        profile: profile(user),
        status,
        updated_date: timestamp(updated.max(user.updated_at)),
    }))
}

/// `{"member":{…}}`: leave, join, `my` and `GET …/{id}`.
#[derive(Serialize)]
pub struct One {
    pub member: Member,
}

/// `GET …`: `{"members":[…],"metadata":{…}}`.
#[derive(Serialize)]
pub struct Listed {
    pub members: Vec<Member>,
    pub metadata: Metadata,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub count: usize,
    pub offset: u64,
    pub too_many_to_count: bool,
    pub total: u64,
}
