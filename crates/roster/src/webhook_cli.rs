//! `roster webhook add|list|remove` (issue 16): the operator's
//! subscriptions, made directly on the database like the other CLI
//! commands. They have no creator (the operator may follow any community
//! or all); the server's deliverer still refuses private targets unless it
//! runs with `--webhook-allow-private`.

use crate::app::AppState;
use crate::native::webhooks::view;
use crate::webhooks::{guard, signature};
use anyhow::{anyhow, bail};
use clap::Subcommand;
use roster_engine::EventKind;
use roster_store::NewWebhook;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Subscribe a URL; prints its id and secret (the secret only now).
    Add {
        #[arg(long)]
        url: String,
        /// Only this community (UUID, number or name); all when absent.
        #[arg(long)]
        community: Option<String>,
        /// Comma-separated event kinds (joined,left,…); all when absent.
        #[arg(long)]
        kinds: Option<String>,
        /// Start after this seq (default: after the newest event now).
        #[arg(long)]
        after: Option<i64>,
    },
    /// List every subscription: id, state, cursor, URL.
    List,
    /// Delete a subscription by id.
    Remove { id: uuid::Uuid },
}

pub async fn run(state: &AppState, command: WebhookCommand, json: bool) -> anyhow::Result<()> {
    match command {
        WebhookCommand::Add {
            url,
            community,
            kinds,
            after,
        } => {
            guard::check_url(&url).map_err(|why| anyhow!("--url {why}"))?;
            let kinds = kinds
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(|k| {
                    k.parse::<EventKind>()
                        .map_err(|_| anyhow!("--kinds: '{k}' is not an event kind"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let community = match community {
                Some(text) => {
                    let key = crate::cli::community_key(&text);
                    let found = state.call(move |store| store.community(key, None)).await?;
                    Some(found.ok_or_else(|| anyhow!("no community {text}"))?.0.id())
                }
                None => None,
            };
            if after.is_some_and(|a| a < 0) {
                bail!("--after must be 0 or more");
            }
            let new = NewWebhook {
                id: uuid::Uuid::new_v4(),
                url,
                community,
                kinds,
                secret: signature::new_secret(),
                created_by: None,
                after,
            };
            let webhook = state.call(move |store| store.create_webhook(new)).await?;
            if json {
                let mut object = serde_json::to_value(view(&webhook))?;
                object["secret"] = json!(webhook.secret);
                println!("{object}");
            } else {
                println!("{}\t{}", webhook.id, webhook.secret);
            }
        }
        WebhookCommand::List => {
            for webhook in state.call(move |store| store.list_webhooks(None)).await? {
                let shown = view(&webhook);
                if json {
                    println!("{}", serde_json::to_value(&shown)?);
                } else {
                    println!(
                        "{}\t{}\t{}\t{}",
                        shown.id, shown.state, shown.cursor, shown.url
                    );
                }
            }
        }
        WebhookCommand::Remove { id } => {
            if !state.call(move |store| store.delete_webhook(id)).await? {
                bail!("no webhook {id}");
            }
            if json {
                println!("{}", json!({"id": id, "removed": true}));
            } else {
                println!("{id}");
            }
        }
    }
    Ok(())
}
