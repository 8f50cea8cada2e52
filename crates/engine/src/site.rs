//! The site community (Wix's "site members"): one per server, founded by
//! the first admin, joined by every account created once it exists. The
//! store's user creation asks [`site_step`] what to do and applies the
//! answer; it keeps no rule of its own about admins or the site.

use crate::command::NewCommunity;
use crate::event::{Change, Decision, EventKind, Transition};
use crate::ids::UserId;
use crate::model::{ContributionMode, JoinPolicy, Role, Settings, Standing, Visibility};

/// The site community's name when the first admin founds it.
pub const SITE_NAME: &str = "Site members";

/// What creating a user does to the site community.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteStep {
    /// The site exists: the new user joins it.
    Join,
    /// No site yet and the new user is an admin: they found it and own it.
    Found,
    /// No site yet and no admin: the user stays outside (and stays so).
    StayOutside,
}

/// The site community's part in creating a user.
pub fn site_step(site_exists: bool, new_user_is_admin: bool) -> SiteStep {
    match (site_exists, new_user_is_admin) {
        (true, _) => SiteStep::Join,
        (false, true) => SiteStep::Found,
        (false, false) => SiteStep::StayOutside,
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

/// The site community the first admin founds, under `name`: public and
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
