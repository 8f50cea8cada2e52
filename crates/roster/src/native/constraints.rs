//! The input rules the server enforces, written as JSON Schema for the
//! OpenAPI document: lengths, character classes, enums and number bounds of
//! request fields, query parameters and headers. The rules themselves live
//! in the engine (`roster_engine::users`, `decide`) and the extractors; this
//! module only describes them, from the same constants, so that a generated
//! client or a fuzzer (Schemathesis runs in CI, `scripts/schemathesis`)
//! sends what the server accepts and knows what it refuses.
//!
//! Patterns are ECMA-262 and Python `re` compatible (no `\p{…}`):
//! "control characters" are Unicode `Cc` (U+0000–U+001F, U+007F–U+009F),
//! "spaces" Unicode `White_Space`, as Rust's `char::is_control` and
//! `str::trim` see them.

use super::extract::MAX_LIMIT;
use roster_engine::decide::{MAX_DESCRIPTION, MAX_NAME};
use roster_engine::users::{MAX_PASSWORD, MAX_TEXT, MAX_USERNAME, MIN_PASSWORD};
use roster_engine::Standing;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::KnownFormat;

/// Unicode `White_Space`, as a regex character-class body.
const SPACE: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Unicode `Cc`, as a regex character-class body.
const CONTROL: &str = r"\x00-\x1f\x7f-\x9f";
/// The scope names a token may hold.
pub const SCOPE_NAMES: [&str; 3] = ["community:read", "community:write", "admin"];

fn text(min: usize, max: usize, pattern: String, about: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(pattern))
        .description(Some(about))
}

/// A community name: 1 to `MAX_NAME` characters, no control characters,
/// no spaces at either end.
pub fn community_name() -> ObjectBuilder {
    let edge = format!("[^{SPACE}{CONTROL}]");
    text(
        1,
        MAX_NAME,
        format!("^{edge}(?:[^{CONTROL}]*{edge})?$"),
        "Unique; 1 to 100 characters, no control characters, no spaces at either end",
    )
}

/// A multi-line text (a description, a ban reason): tab, CR and LF are
/// the only control characters allowed.
pub fn multiline_text() -> ObjectBuilder {
    text(
        0,
        MAX_DESCRIPTION,
        r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$".to_owned(),
        "Up to 2000 characters; no control characters but tab, CR and LF",
    )
}

/// `multiline_text` that may also be `null` (absent).
pub fn optional_multiline_text() -> Schema {
    nullable(multiline_text())
}

/// A profile field or token label: up to `MAX_TEXT` characters, no control
/// characters.
pub fn profile_text() -> ObjectBuilder {
    text(
        0,
        MAX_TEXT,
        format!("^[^{CONTROL}]*$"),
        "Up to 256 characters, no control characters",
    )
}

pub fn optional_profile_text() -> Schema {
    nullable(profile_text())
}

/// A username: 1 to `MAX_USERNAME` ASCII letters, digits, `.`, `_`, `-`.
pub fn username() -> ObjectBuilder {
    text(
        1,
        MAX_USERNAME,
        r"^[A-Za-z0-9._-]+$".to_owned(),
        "1 to 64 ASCII letters, digits, '.', '_' or '-'",
    )
}

/// A new password: `MIN_PASSWORD` to `MAX_PASSWORD` characters.
pub fn password() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(MIN_PASSWORD))
        .max_length(Some(MAX_PASSWORD))
        .description(Some("8 to 1024 characters"))
}

pub fn optional_password() -> Schema {
    nullable(password())
}

/// An email address as the engine accepts it: no spaces or control
/// characters, something on each side of the first `@`, at most 256 bytes
/// (so up to 256 ASCII characters, or 64 of any kind). The empty string
/// means "none".
pub fn email() -> Schema {
    let plain = format!("[^{SPACE}{CONTROL}@]");
    let any = format!("[^{SPACE}{CONTROL}]");
    let ascii = text(
        0,
        MAX_TEXT,
        r"^(?:[!-?A-~]+@[!-~]+)?$".to_owned(),
        "An ASCII address",
    );
    let unicode = text(
        0,
        MAX_TEXT / 4,
        format!("^(?:{plain}+@{any}+)?$"),
        "Any address of up to 64 characters",
    );
    let either = AnyOfBuilder::new()
        .item(ascii)
        .item(unicode)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "An email address (at most 256 bytes, no spaces); empty or null for none",
        ));
    Schema::AnyOf(either.build())
}

/// A token's scopes: a comma-separated list or an array of names, at
/// least one.
pub fn scopes_input() -> Schema {
    let names = SCOPE_NAMES.join("|");
    let list = text(
        1,
        1000,
        format!("^[ ,]*(?:{names})(?: *,[ ,]*(?:{names}))*[ ,]*$"),
        "Comma-separated scope names",
    );
    let array = ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(SCOPE_NAMES)),
        )
        .min_items(Some(1))
        .max_items(Some(16));
    let either = OneOfBuilder::new()
        .item(list)
        .item(array)
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "community:read, community:write, admin (admin users only); default \
             community:read,community:write",
        ));
    Schema::OneOf(either.build())
}

/// `limit=`: 1 to `MAX_LIMIT`.
pub fn limit() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(MAX_LIMIT))
        .description(Some("Page size, 1 to 1000 (default 50)"))
}

/// `after=` of the event feeds: a sequence number.
pub fn sequence() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(0))
        .description(Some(
            "Only events with a greater `seq` (default 0: from the start)",
        ))
}

/// `after=` of the paged lists: the `next` cursor of the previous page.
///
/// Cursors are opaque to clients, but the server accepts exactly the
/// unpadded base64url of `c1.<decimal>`; the pattern spells that out (per
/// digit, for up to 18 digits) so that a fuzzer can tell a cursor from
/// nonsense, which is 400 `invalid_query`.
pub fn cursor() -> ObjectBuilder {
    // Base64 of three digits: the first two sextets fix the first digit.
    let lead = "(?:M[DTjz]|N[DTjz]|O[DT])";
    let three = format!("{lead}[AEIMQUYcgk][w-z0-5]");
    let two = format!("{lead}[AEIMQUYcgk]");
    let one = "(?:M[AQgw]|N[AQgw]|O[AQ])";
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^(?:YzEu(?:{three}){{0,5}}(?:{three}|{two}|{one}))?$"
        )))
        .description(Some(
            "The `next` cursor of the previous page (opaque; empty means the first \
             page; anything else is 400)",
        ))
}

/// `standing=`: a comma-separated list of stored standings.
pub fn standing_list(about: &str) -> ObjectBuilder {
    let names = Standing::STORED
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("|");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^[ ,]*(?:(?:{names})(?: *,[ ,]*(?:{names}))*[ ,]*)?$"
        )))
        .description(Some(about))
}

/// `standing=` of `GET /v1/communities`.
pub fn my_standings() -> ObjectBuilder {
    standing_list(
        "Comma-separated standings: owner, manager, member, invited, requested, \
         banned. Default: memberships of any role.",
    )
}

/// `standing=` of the people lists.
pub fn people_standings() -> ObjectBuilder {
    standing_list(
        "Comma-separated standings: owner, manager, member (anyone who can see the \
         community); invited, requested, banned (managers and admins). Default: \
         members of any role.",
    )
}

/// A UUID query parameter.
pub fn uuid_text() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .description(Some("Another user's communities (admin scope)"))
}

/// The `Idempotency-Key` header: 1 to `max` printable ASCII characters,
/// bare (HTTP drops spaces at either end, so it may not start or end with
/// one, nor start with `"`) or as a structured-field string.
pub fn idempotency_key(max: usize) -> Schema {
    let bare = format!("^[!#-~](?:[ -~]{{0,{}}}[!-~])?$", max - 2);
    let quoted = format!(r#"^"(?:[ !#-\[\]-~]|\\["\\]){{1,{max}}}"$"#);
    let either = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(max))
                .pattern(Some(bare)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(quoted)),
        );
    Schema::OneOf(either.build())
}

/// `schema` or `null`.
fn nullable(schema: ObjectBuilder) -> Schema {
    let either = OneOfBuilder::new()
        .item(schema)
        .item(ObjectBuilder::new().schema_type(Type::Null));
    Schema::OneOf(either.build())
}

/// `community_name` that may also be `null` (unchanged).
pub fn optional_community_name() -> Schema {
    nullable(community_name())
}

/// `SetRole.expect`: a role, or `null` for "any".
pub fn optional_role() -> Schema {
    optional(super::views::schemas::role())
}

/// `PATCH /v1/users/me`: a new `password` needs the `current_password`
/// (a string); without a new password, `current_password` is ignored.
pub fn password_change_rule() -> Schema {
    let unchanged =
        ObjectBuilder::new().property("password", ObjectBuilder::new().schema_type(Type::Null));
    let changed = ObjectBuilder::new()
        .property("password", ObjectBuilder::new().schema_type(Type::String))
        .property(
            "current_password",
            ObjectBuilder::new().schema_type(Type::String),
        )
        .required("password")
        .required("current_password");
    Schema::AnyOf(AnyOfBuilder::new().item(unchanged).item(changed).build())
}

/// An optional setting: the enum, or `null` (the default, or unchanged).
fn optional(names: utoipa::openapi::schema::Object) -> Schema {
    let either = OneOfBuilder::new()
        .item(names)
        .item(ObjectBuilder::new().schema_type(Type::Null));
    Schema::OneOf(either.build())
}

pub fn optional_visibility() -> Schema {
    optional(super::views::schemas::visibility())
}

pub fn optional_join_policy() -> Schema {
    optional(super::views::schemas::join_policy())
}

pub fn optional_contribution_mode() -> Schema {
    optional(super::views::schemas::contribution_mode())
}
