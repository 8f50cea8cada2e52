//! Webhooks and the live event stream (issue 16), driven as a receiver
//! and a client see them: a real receiver on loopback (`receiver.rs`),
//! the deliverer in the test process (`deliveries.rs`, `api.rs`), the real
//! binary killed mid-delivery (`crash.rs`), two binaries on one PostgreSQL
//! (`nodes.rs`), and the SSE stream (`stream.rs`).

mod api;
mod crash;
mod deliveries;
mod nodes;
pub mod receiver;
mod stream;

use crate::common::TestServer;
use roster::webhooks::HookConfig;
use roster_engine::{Command, JoinPolicy, Visibility};
use roster_store::{Community, EventQuery, User};
use std::time::Duration;

/// Fast retries and polls, loopback allowed: the tests' settings.
pub fn fast_config() -> HookConfig {
    HookConfig {
        allow_private: true,
        timeout: Duration::from_secs(2),
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
        poll: Duration::from_millis(50),
        lease: Duration::from_secs(4),
        ..HookConfig::default()
    }
}

/// A server with `config` whose deliverer runs in the test process.
pub async fn delivering(config: HookConfig) -> TestServer {
    let server = TestServer::start_with(|state| state.with_hooks(config)).await;
    roster::webhooks::deliver::start(server.state.clone());
    server
}

/// An admin, their admin token, and a public community they own.
pub async fn admin_and_community(server: &TestServer) -> (User, String, Community) {
    let root = server.admin("root").await;
    let token = server
        .token_with(&root, "community:read,community:write,admin")
        .await;
    let community = server
        .community(&root, "followed", Visibility::Public, JoinPolicy::Open)
        .await;
    (root, token, community)
}

/// `n` new users join `community` (one event each).
pub async fn joins(server: &TestServer, community: &Community, prefix: &str, n: usize) {
    for i in 0..n {
        let user = server.user(&format!("{prefix}{i}")).await;
        server.exec(&user, community, Command::Join).await;
    }
}

/// Every event's seq after `after`, in order (of one community, or all).
pub async fn seqs_after(
    server: &TestServer,
    community: Option<&Community>,
    after: i64,
) -> Vec<i64> {
    let query = EventQuery {
        community: community.map(Community::id),
        after,
        limit: 1000,
    };
    server
        .state
        .run(move |store| store.events(&query))
        .await
        .expect("events")
        .iter()
        .map(|e| e.seq)
        .collect()
}
