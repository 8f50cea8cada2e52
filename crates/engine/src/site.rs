//! The site community (Wix's "site members"): one per server, there from
//! the first account on, joined by every account created after it. The
//! store's user creation asks [`site_step`] what to do and applies the
//! answer; it keeps no rule of its own about admins or the site.
//!
//! Who owns it: the first account created, whoever it is, founds it and is
//! its owner, so "a community with members always has an owner" holds from
//! the first member on. A database without accounts has nobody to call any
//! dialect, so the site community is founded in the very transaction that
//! creates the first account. An admin created later is a plain member of
//! it who governs it with an admin's rank, as everywhere. (A database
//! written by an older Roster, whose accounts were created before any admin
//! and so stayed outside, is not back-filled: the next account created
//! founds the site, and those older accounts stay outside it.)

use crate::command::NewCommunity;
use crate::event::{Change, Decision, EventKind, Transition};
use crate::ids::UserId;
use crate::model::{ContributionMode, JoinPolicy, Role, Settings, Standing, Visibility};

/// The site community's name when the first account founds it.
pub const SITE_NAME: &str = "Site members";

/// What creating a user does to the site community.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteStep {
    /// The site exists: the new user joins it.
    Join,
    /// No site yet: the new user (admin or not) founds it and owns it.
    Found,
}

/// The site community's part in creating a user. Whether the user is an
/// admin no longer matters: the first account founds the site.
pub fn site_step(site_exists: bool, _new_user_is_admin: bool) -> SiteStep {
    if site_exists {
        SiteStep::Join
    } else {
        SiteStep::Found
    }
}

/// A user created once the site community exists joins it (`joined`, by
/// the user), whatever its join policy: every account is a site member.
pub fn decide_site_join(user: UserId) -> Decision {
    Decision {
        kind: EventKind::Joined,
        subject: Some(user),
        reason: None,
        changes: vec![Change::Standing(Transition {
            user,
            from: Standing::None,
            to: Standing::Member(Role::Member),
        })],
    }
}

/// The `n`th name tried for the site community: the usual one, then
/// `"… (2)"`, `"… (3)"`, … when another community already holds it.
pub fn site_name(n: u32) -> String {
    match n {
        0 | 1 => SITE_NAME.to_owned(),
        n => format!("{SITE_NAME} ({n})"),
    }
}

/// The site community the first account founds, under `name`: public and
/// open, so that every member may see it and come back to it.
pub fn new_site(name: String) -> NewCommunity {
    NewCommunity {
        settings: Settings {
            name,
            description: String::new(),
            visibility: Visibility::Public,
            join_policy: JoinPolicy::Open,
            contribution_mode: ContributionMode::Anyone,
        },
        site: true,
        members: Vec::new(),
    }
}
