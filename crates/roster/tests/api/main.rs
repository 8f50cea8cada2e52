//! Black-box tests: each starts the real server on a random port over a
//! temporary SQLite file and drives it over HTTP. One test binary, one
//! module per API, so the suite links once.

mod common;

mod cli;
mod course;
mod hardening_limits;
mod hardening_logins;
mod invariants;
mod native;
mod native_idempotency;
mod rocketchat;
mod server;
mod whisk;
mod wix;
