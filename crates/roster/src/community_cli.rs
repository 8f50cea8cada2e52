//! `roster community …`: the operator's community commands (create, list
//! members, events), over the same engine commands and store reads as the
//! APIs; printing is `cli.rs`'s.

use crate::admin;
use crate::app::AppState;
use crate::cli::*;
use roster_engine::{Actor, JoinPolicy, NewCommunity, Settings};
use roster_store::UserKey;

pub(crate) async fn run(
    state: &AppState,
    command: CommunityCommand,
    json: bool,
) -> anyhow::Result<()> {
    match command {
        CommunityCommand::Create {
            name,
            owner,
            description,
            visibility,
            join_policy,
            contribution_mode,
        } => {
            let owner = admin::user(state, UserKey::Username(owner)).await?;
            let join_policy = join_policy.unwrap_or(JoinPolicy::default_for(visibility));
            let new = NewCommunity {
                settings: Settings {
                    name,
                    description,
                    visibility,
                    join_policy,
                    contribution_mode,
                },
                site: false,
                members: Vec::new(),
            };
            let actor = Actor {
                user: owner.id,
                admin: false,
            };
            let outcome = state
                .call(move |store| store.create_community(actor, new))
                .await?;
            print(
                json,
                outcome.community.id().to_string(),
                community_json(&outcome.community),
            );
        }
        CommunityCommand::Show { community } => {
            let key = community_key(&community);
            let (community, _) = state
                .call(move |store| store.community(key, None))
                .await?
                .ok_or(roster_engine::DomainError::CommunityNotFound)?;
            print(
                json,
                format!(
                    "{}\t{}\t{}",
                    community.id(),
                    community.num,
                    community.state.settings.name
                ),
                community_json(&community),
            );
        }
    }
    Ok(())
}
