//! Black-box tests: each starts the real server on a random port over a
//! temporary SQLite file and drives it over HTTP. One test binary, one
//! module per API, so the suite links once.

mod common;

mod authz;
mod cli;
mod course;
mod crash;
mod hardening_connections;
mod hardening_limits;
mod hardening_logins;
mod invariants;
mod log_scan;
mod native;
mod native_idempotency;
mod rocketchat;
mod server;
mod token_cache;
mod whisk;
mod wix;
// roster import / export / backup (issue 15).
mod bulk;
// Webhooks and the live event stream (issue 16).
mod webhooks;
// The web console (issue 17).
mod console;
// Configurable permissions and the site from the first start (issue 14).
mod policy;
