//! `roster policy show|set` (issue 14): the operator's view of the
//! permission policy, beside `GET/PUT /v1/policy`. A change is attributed
//! to the admin account named with `--admin` (it is that account's
//! `policy_changed` event) and refused for any other account. A server
//! running on the same database follows it within `POLICY_REFRESH` (1 s).

use crate::admin;
use crate::app::AppState;
use anyhow::Context as _;
use clap::Subcommand;
use roster_engine::{Action, Actor, Level};
use roster_store::{StoredPolicy, UserKey};
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Print each action and the lowest rank allowed to take it.
    Show,
    /// Set levels: `roster policy set --admin root invite=member delete=admin`.
    Set {
        /// The admin account the change is made as (and recorded for).
        #[arg(long)]
        admin: String,
        /// `action=level` pairs; levels: member, manager, owner, admin, nobody.
        #[arg(required = true, value_parser = parse_pair)]
        levels: Vec<(Action, Level)>,
    },
}

fn parse_pair(text: &str) -> Result<(Action, Level), String> {
    let (action, level) = text
        .split_once('=')
        .ok_or_else(|| format!("expected action=level, got '{text}'"))?;
    let action: Action = action.trim().parse().map_err(|e| {
        let all: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
        format!("{e} (actions: {})", all.join(", "))
    })?;
    let level: Level = level.trim().parse().map_err(|e| format!("{e}"))?;
    Ok((action, level))
}

fn policy_json(stored: &StoredPolicy) -> Value {
    let levels: serde_json::Map<String, Value> = stored
        .policy
        .levels()
        .into_iter()
        .map(|(action, level)| (action.to_string(), level.as_str().into()))
        .collect();
    json!(levels)
}

fn print(stored: &StoredPolicy, json: bool) {
    if json {
        println!("{}", policy_json(stored));
        return;
    }
    for (action, level) in stored.policy.levels() {
        let default = if level == action.default_level() {
            " (default)"
        } else {
            ""
        };
        println!("{action}\t{level}{default}");
    }
}

pub async fn policy_command(
    state: &AppState,
    command: PolicyCommand,
    json: bool,
) -> anyhow::Result<()> {
    match command {
        PolicyCommand::Show => {
            let stored = state.call(move |store| store.policy()).await?;
            print(&stored, json);
        }
        PolicyCommand::Set { admin, levels } => {
            let user = admin::user(state, UserKey::Username(admin.clone()))
                .await
                .with_context(|| format!("no account '{admin}'"))?;
            let actor = Actor {
                user: user.id,
                admin: user.admin,
            };
            let stored = state
                .set_policy_and_read(actor, levels)
                .await
                .context("the policy was not changed")?;
            print(&stored, json);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_and_bad_ones_say_why() {
        assert_eq!(
            parse_pair("invite=member"),
            Ok((Action::Invite, Level::Member))
        );
        assert!(parse_pair("invite").unwrap_err().contains("action=level"));
        assert!(parse_pair("fly=member").unwrap_err().contains("actions:"));
        assert!(parse_pair("invite=boss").is_err());
    }
}
