//! Roster, the membership server: the HTTP layer over the engine and store.
//!
//! # A tour
//!
//! Three layers, each a crate:
//!
//! - `roster_engine` decides: every membership rule, pure, no I/O;
//! - `roster_store` persists: one transaction per command, on SQLite or
//!   PostgreSQL, with the rules' decision applied inside it;
//! - this crate translates: four public wire dialects and the native `/v1`
//!   API turn requests into engine commands and the answers back into each
//!   API's bytes.
//!
//! Where a leave request goes (Whisk's `POST /community/v2/{id}/leave`;
//! every dialect's leave takes the same three hops):
//!
//! 1. [`server::router`] routes it (with the shared layers: request ids,
//!    timeouts, metrics) to the dialect's handler, here
//!    `dialects/whisk/mod.rs::leave`, whose arguments are extractors
//!    ([`http::extract`]: the caller, through [`auth`], and the path id)
//!    that reject in Whisk's shape ([`http::error::Failure`], rendered by
//!    the dialect's error type).
//! 2. The handler builds `Command::Leave` and calls
//!    [`app::AppState::execute_in_sight`] with the dialect's sight
//!    (`Sight::Viewable`: a private community the caller may not see is
//!    404 like an unknown one).
//! 3. The store (`roster_store`'s `write_flow.rs`, over `sqlite/` or
//!    `postgres/`) locks the community, loads the actor's standing and asks
//!    the engine (`roster_engine::decide_in_sight`, then `decide`), then
//!    writes the rows and one event, or returns the refusal with the
//!    standing it was decided on.
//! 4. The handler renders the ruling: a `NotMember` refusal is Whisk's 200
//!    with role `UNSET`, read from the refusal, with no second read.
//!
//! The other dialects take the same hops: `dialects/rocketchat`
//! (`groups.leave`: `room_members.rs::leave`, whose one extractor,
//! `extract.rs::Room<Groups, op::Leave>`, authenticates and reads the
//! parameters into a `rooms.rs::Call`; `Call::execute_here` runs the leave
//! with `Sight::Group`, and the reply's usernames come from the leave's own
//! transaction, `Outcome::usernames`), `dialects/course` (`DELETE …/join/`:
//! `membership.rs`), `dialects/wix` (`leave-community`, the site community:
//! `member.rs`), `native` (`POST /v1/communities/{id}/leave`:
//! `members.rs::leave`, whose extractors are `extract::Caller<scope::Write>`,
//! the caller the idempotency layer, `idempotency.rs`, hands over when it
//! authenticated it, then `extract::CommunityPath`; failures are
//! `problem.rs`'s RFC 9457 documents).
//!
//! A read asks the same question once: `AppState::community_in_sight`
//! (`app/reads.rs`, over `Store::community_in_sight`) returns the community
//! and the caller's standing, or `CommunityNotFound` as the engine's
//! `view_in_sight` rules; no dialect holds that `if`. Every other store
//! call is a typed method of [`app::AppState`] (`app/reads.rs`,
//! `app/admin.rs`, `app/webhooks.rs`, `app/console.rs`). [`cli`] is the `roster` binary: the
//! server and the operator's commands ([`admin`]).

pub mod admin;
pub mod app;
pub mod auth;
pub(crate) mod auth_cache;
// roster import / export / backup (issue 15).
pub(crate) mod bulk;
pub mod cli;
mod community_cli;
pub mod config;
// The web console at /console (issue 17).
pub(crate) mod console;
pub(crate) mod dialects;
pub mod http;
pub(crate) mod metrics;
// The PostgreSQL pool on /metrics (issue 13).
pub(crate) mod native;
pub mod page_cache;
pub mod password;
mod pool_metrics;
pub mod ratelimit;
pub mod server;
pub mod tls;
// Webhooks and the live event stream (issue 16).
pub(crate) mod webhook_cli;
pub mod webhooks;
// Configurable permissions (issue 14): `roster policy show|set`.
pub(crate) mod policy_cli;
