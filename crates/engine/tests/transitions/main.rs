//! The engine's transition table, checked row for row. `table.rs` holds
//! one entry per row of the table in `roster_engine::decide`'s module
//! documentation (read from the source, so the two cannot drift), each
//! naming its cases: the `#[test]` functions of the modules below, grouped by
//! command. `pure.rs` checks the small pure helpers around the table:
//! creation, `can_view`, `Counters::apply`, the enums' string forms and the
//! user-field validators.

mod archived;
mod bans;
mod invite_add;
mod join_leave;
mod pure;
mod remove;
mod roles;
mod settings;
mod table;

#[path = "../support/mod.rs"]
mod support;

use roster_engine::decide::{MAX_DESCRIPTION, MAX_NAME};
use roster_engine::users::{validate_email, validate_password, validate_username};
use roster_engine::{
    can_manage, can_view, decide_create, Actor, Change, Command, ContributionMode, Counters,
    Decision, DomainError, Effect, EventKind, JoinPolicy, NewCommunity, Role, Settings,
    SettingsPatch, Standing, Transition, Visibility,
};
use support::*;

const POLICIES: [JoinPolicy; 3] = [JoinPolicy::Open, JoinPolicy::Request, JoinPolicy::Invite];

fn set_role(role: Role, expect: Option<Role>) -> Command {
    Command::SetRole {
        subject: SUBJECT,
        role,
        expect,
    }
}

fn ban(reason: Option<&str>) -> Command {
    Command::Ban {
        subject: SUBJECT,
        reason: reason.map(str::to_owned),
    }
}

fn rename(name: &str) -> Command {
    Command::Update(SettingsPatch {
        name: Some(name.to_owned()),
        ..SettingsPatch::default()
    })
}
