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
use serde_json::{json, Value};

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

fn profile(user: &User) -> Value {
    json!({
        "nickname": or_username(&user.profile.nickname, user),
        "slug": or_username(&user.profile.slug, user),
        "photo": { "id": "", "url": user.profile.photo_url, "height": 0, "width": 0 },
    })
}

/// The member object. `updated` is when the member record last changed
/// (at least `user.updated_at`).
pub fn render(
    user: &User,
    standing: Standing,
    fieldset: Fieldset,
    updated: DateTime<Utc>,
) -> Value {
    let id = user.id.to_string();
    if fieldset == Fieldset::Public {
        return json!({
            "id": id,
            "profile": profile(user),
            "status": "UNKNOWN",
            "privacyStatus": "UNKNOWN",
            "activityStatus": "UNKNOWN",
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
    let mut member = json!({
        "id": id,
        "loginEmail": user.email.clone().unwrap_or_default(),
        "loginEmailVerified": user.email_verified,
        "status": status,
        "contactId": id,
        "contact": {
            "contactId": id,
            "firstName": user.profile.first_name,
            "lastName": user.profile.last_name,
            "phones": [],
            "emails": [],
            "addresses": [],
            "customFields": {},
        },
        "profile": profile(user),
        "privacyStatus": privacy,
        "activityStatus": "ACTIVE",
        "createdDate": timestamp(user.created_at),
        "updatedDate": timestamp(updated.max(user.updated_at)),
    });
    if let (Some(at), Some(fields)) = (user.last_login_at, member.as_object_mut()) {
        fields.insert("lastLoginDate".into(), timestamp(at).into());
    }
    member
}
