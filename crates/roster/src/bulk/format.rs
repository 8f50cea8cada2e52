//! The file formats of `roster import` and `roster export`: JSON Lines (one
//! object per line, `"type"` saying which record) and CSV (one header row;
//! a `type` column, or the kind inferred from the columns present). Both
//! decode to the engine's [`Record`]s, each with its line number, or to a
//! [`Reject::Malformed`] for a line that is not JSON, not CSV, not UTF-8 or
//! not a known record. Export writes JSON Lines only, one row at a time.

use std::io::{BufRead, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use roster_engine::import::{
    CommunityRecord, MembershipRecord, Password, Record, Ref, Reject, UserRecord,
};
use roster_engine::{CommunityId, ContributionMode, JoinPolicy, Settings, UserId, Visibility};
use roster_store::ExportRow;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Which format a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// From the file name: `.csv` is CSV, anything else JSON Lines.
    pub fn of_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".csv") {
            Format::Csv
        } else {
            Format::Jsonl
        }
    }
}

/// A decoded line: its number, its raw text (for the rejects file) and
/// what it decoded to.
pub struct Line {
    pub number: usize,
    pub raw: Vec<u8>,
    pub record: Result<Record, Reject>,
}

/// The wire form of a record, shared by JSON Lines and CSV.
#[derive(Debug, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Wire {
    User {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        username: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        email_verified: bool,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        first_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        last_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        nickname: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        slug: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        photo_url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        password_hash: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        admin: bool,
    },
    Community {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visibility: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        join_policy: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contribution_mode: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        site: bool,
        #[serde(default, skip_serializing_if = "is_false")]
        archived: bool,
    },
    Membership {
        community: String,
        user: String,
        standing: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<String>,
    },
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn malformed(what: impl std::fmt::Display) -> Reject {
    Reject::Malformed(what.to_string())
}

fn enum_field<T: std::str::FromStr>(
    field: &str,
    value: Option<String>,
    default: T,
) -> Result<T, Reject>
where
    T::Err: std::fmt::Display,
{
    match value.filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|e| malformed(format!("{field}: {e}"))),
    }
}

fn user_ref(text: String) -> Ref<UserId> {
    UserId::parse(&text).map_or(Ref::Name(text), Ref::Id)
}

fn community_ref(text: String) -> Ref<CommunityId> {
    CommunityId::parse(&text).map_or(Ref::Name(text), Ref::Id)
}

fn parse_id<T>(
    field: &str,
    text: Option<String>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>, Reject> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => parse(&text)
            .map(Some)
            .ok_or_else(|| malformed(format!("{field}: not a UUID"))),
    }
}

/// RFC 3339 text to milliseconds since the epoch.
fn parse_since(text: Option<String>) -> Result<Option<i64>, Reject> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map(|at| Some(at.timestamp_millis()))
            .map_err(|e| malformed(format!("since: not an RFC 3339 time ({e})"))),
    }
}

impl Wire {
    /// The engine's record; only shapes are checked here (the rules are
    /// the engine's).
    pub fn into_record(self) -> Result<Record, Reject> {
        Ok(match self {
            Wire::User {
                id,
                username,
                email,
                email_verified,
                first_name,
                last_name,
                nickname,
                slug,
                photo_url,
                password,
                password_hash,
                admin,
            } => Record::User(UserRecord {
                id: parse_id("id", id, UserId::parse)?,
                username,
                email: email.filter(|e| !e.is_empty()),
                email_verified,
                admin,
                nickname,
                slug,
                first_name,
                last_name,
                photo_url,
                password: match (
                    password.filter(|p| !p.is_empty()),
                    password_hash.filter(|p| !p.is_empty()),
                ) {
                    (Some(_), Some(_)) => {
                        return Err(malformed("give password or password_hash, not both"))
                    }
                    (Some(clear), None) => Some(Password::Clear(clear)),
                    (None, Some(hash)) => Some(Password::Hash(hash)),
                    (None, None) => None,
                },
            }),
            Wire::Community {
                id,
                name,
                description,
                visibility,
                join_policy,
                contribution_mode,
                owner,
                site,
                archived,
            } => {
                let visibility = enum_field("visibility", visibility, Visibility::Public)?;
                Record::Community(CommunityRecord {
                    id: parse_id("id", id, CommunityId::parse)?,
                    settings: Settings {
                        name,
                        description,
                        visibility,
                        join_policy: enum_field(
                            "join_policy",
                            join_policy,
                            JoinPolicy::default_for(visibility),
                        )?,
                        contribution_mode: enum_field(
                            "contribution_mode",
                            contribution_mode,
                            ContributionMode::Anyone,
                        )?,
                    },
                    owner: owner.filter(|o| !o.is_empty()).map(user_ref),
                    site,
                    archived,
                })
            }
            Wire::Membership {
                community,
                user,
                standing,
                since,
            } => Record::Membership(MembershipRecord {
                community: community_ref(community),
                user: user_ref(user),
                standing,
                since: parse_since(since)?,
            }),
        })
    }
}

/// Decode one JSON Lines line.
fn decode_json(raw: &[u8]) -> Result<Record, Reject> {
    let text = std::str::from_utf8(raw).map_err(|e| malformed(format!("not UTF-8 ({e})")))?;
    let wire: Wire = serde_json::from_str(text).map_err(malformed)?;
    wire.into_record()
}

/// Read a JSON Lines file, one decoded [`Line`] per non-blank line.
pub fn read_jsonl(input: impl BufRead, mut each: impl FnMut(Line)) -> std::io::Result<()> {
    for (index, raw) in input.split(b'\n').enumerate() {
        let mut raw = raw?;
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = decode_json(&raw);
        each(Line {
            number: index + 1,
            raw,
            record,
        });
    }
    Ok(())
}

/// Columns whose CSV text is a boolean.
const BOOLEANS: [&str; 4] = ["email_verified", "admin", "site", "archived"];

/// The record type a CSV row without a `type` column holds, from its columns.
fn infer_type(headers: &[String]) -> Option<&'static str> {
    let has = |name: &str| headers.iter().any(|h| h == name);
    if has("standing") {
        Some("membership")
    } else if has("username") {
        Some("user")
    } else if has("name") {
        Some("community")
    } else {
        None
    }
}

fn csv_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" => Some(false),
        "true" | "1" | "yes" => Some(true),
        _ => None,
    }
}

/// Decode one CSV row (under `headers`) through the same wire form.
fn decode_csv(
    headers: &[String],
    row: &csv::ByteRecord,
    inferred: Option<&str>,
) -> Result<Record, Reject> {
    let mut object = Map::new();
    if let Some(kind) = inferred {
        object.insert("type".into(), Value::String(kind.into()));
    }
    for (name, value) in headers.iter().zip(row.iter()) {
        let value = std::str::from_utf8(value)
            .map_err(|e| malformed(format!("column {name}: not UTF-8 ({e})")))?;
        if value.is_empty() {
            continue; // an empty cell is an absent field
        }
        let value = if BOOLEANS.contains(&name.as_str()) {
            Value::Bool(
                csv_bool(value).ok_or_else(|| malformed(format!("{name}: not true or false")))?,
            )
        } else {
            Value::String(value.to_owned())
        };
        object.insert(name.clone(), value);
    }
    let wire: Wire = serde_json::from_value(Value::Object(object)).map_err(malformed)?;
    wire.into_record()
}

/// Read a CSV file: the header row first (sent to `header` raw, for the
/// rejects file), then one decoded [`Line`] per row.
pub fn read_csv(
    input: impl std::io::Read,
    mut header: impl FnMut(Vec<u8>),
    mut each: impl FnMut(Line),
) -> Result<(), String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader
        .byte_headers()
        .map_err(|e| format!("the CSV header row: {e}"))?
        .clone();
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    header(join_csv(&headers));
    let inferred = if names.iter().any(|n| n == "type") {
        None
    } else {
        infer_type(&names)
    };
    let mut row = csv::ByteRecord::new();
    loop {
        let number = reader.position().line() as usize;
        match reader.read_byte_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                if row.iter().all(|f| f.is_empty()) {
                    continue;
                }
                let record = if row.len() != names.len() {
                    Err(malformed(format!(
                        "{} fields where the header has {}",
                        row.len(),
                        names.len()
                    )))
                } else {
                    decode_csv(&names, &row, inferred)
                };
                each(Line {
                    number: row.position().map_or(number, |p| p.line() as usize),
                    raw: join_csv(&row),
                    record,
                });
            }
            Err(error) => {
                let line = error.position().map_or(number + 1, |p| p.line() as usize);
                let recoverable = matches!(
                    error.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                );
                each(Line {
                    number: line,
                    raw: Vec::new(),
                    record: Err(malformed(error)),
                });
                if !recoverable {
                    return Ok(()); // the rest cannot be read reliably
                }
            }
        }
    }
}

/// A CSV row written back (for the rejects file).
fn join_csv(row: &csv::ByteRecord) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = writer.write_byte_record(row);
    let mut bytes = writer.into_inner().unwrap_or_default();
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    bytes
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One exported row as its JSON Lines record (without the newline).
pub fn export_line(row: &ExportRow, with_hashes: bool) -> serde_json::Result<String> {
    let wire = match row {
        ExportRow::User(user) => Wire::User {
            id: Some(user.id.to_string()),
            username: user.username.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            first_name: user.profile.first_name.clone(),
            last_name: user.profile.last_name.clone(),
            nickname: user.profile.nickname.clone(),
            slug: user.profile.slug.clone(),
            photo_url: user.profile.photo_url.clone(),
            password: None,
            password_hash: (with_hashes && user.password_hash.starts_with("$argon2"))
                .then(|| user.password_hash.clone()),
            admin: user.admin,
        },
        ExportRow::Community(community) => {
            let settings = &community.state.settings;
            Wire::Community {
                id: Some(community.id().to_string()),
                name: settings.name.clone(),
                description: settings.description.clone(),
                visibility: Some(settings.visibility.to_string()),
                join_policy: Some(settings.join_policy.to_string()),
                contribution_mode: Some(settings.contribution_mode.to_string()),
                owner: Some(community.creator.username.clone()),
                site: community.state.site,
                archived: community.state.archived,
            }
        }
        ExportRow::Membership {
            community,
            username,
            standing,
            since,
        } => Wire::Membership {
            community: community.clone(),
            user: username.clone(),
            standing: standing.to_string(),
            since: Some(ts(*since)),
        },
    };
    serde_json::to_string(&wire)
}

/// Write bytes and a newline.
pub fn write_line(out: &mut impl Write, line: &[u8]) -> std::io::Result<()> {
    out.write_all(line)?;
    out.write_all(b"\n")
}
