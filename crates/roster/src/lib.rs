//! Roster, the membership server: the HTTP layer over the engine and store.
//!
//! A request enters through [`server::router`], is authenticated by [`auth`],
//! translated by its dialect (one module each under [`dialects`], plus the
//! [`native`] API) into a `roster_engine::Command`, and executed by the store
//! through [`app::AppState`]. The `roster` binary ([`cli`]) starts the server
//! and holds the operator's commands.

pub mod admin;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod dialects;
pub mod http;
pub mod metrics;
pub mod native;
pub mod password;
pub mod ratelimit;
pub mod server;
pub mod tls;
