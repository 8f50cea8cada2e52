//! HTTP plumbing shared by every dialect: body reading and parsing, the
//! failure type and the extractors every handler shares, paging cursors,
//! health routes, the timestamp format, and the connection limits of the
//! accept loop.

pub mod body;
pub mod connections;
pub mod cursor;
pub mod error;
pub mod extract;
pub mod health;
pub mod json;

use chrono::{DateTime, SecondsFormat, Utc};

/// RFC 3339, UTC, with milliseconds: `2024-02-22T13:52:00.674Z`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
