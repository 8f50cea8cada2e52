//! Database URLs as an operator writes them: which backend one names, and
//! the same text with every password hidden, for log lines and errors.
//!
//! PostgreSQL takes a URL (`postgres://user:pw@host/db?password=…`) or a
//! libpq key=value string (`host=… user=… password=…`); both are parsed by
//! the `postgres` crate's `Config`. Anything else is a SQLite file
//! (`sqlite://FILE`, `sqlite:FILE` or a bare path), never a key=value
//! string: that one is PostgreSQL's, and its password must not become a
//! file name.

/// The backend a database URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `postgres://`, `postgresql://` (any case) and libpq key=value strings
/// are PostgreSQL; the rest is SQLite.
pub fn backend_of(url: &str) -> Backend {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") || is_key_value(url) {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The libpq connection keywords (PostgreSQL 17 documentation, §32.1.2).
const LIBPQ_KEYWORDS: [&str; 36] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "target_session_attrs",
    "load_balance_hosts",
];

/// A libpq key=value connection string: it starts with `keyword =`.
pub fn is_key_value(url: &str) -> bool {
    let text = url.trim_start();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(name_end);
    rest.trim_start().starts_with('=')
        && LIBPQ_KEYWORDS
            .iter()
            .any(|keyword| keyword.eq_ignore_ascii_case(name))
}

/// The keys whose values are secrets, in a query string or key=value text.
const SECRET_KEYS: [&str; 2] = ["password", "sslpassword"];

/// A database URL with every password hidden: the userinfo's
/// (`postgres://user:secret@host` → `postgres://user:***@host`) and every
/// `password` or `sslpassword` parameter (any case) of a query string or a
/// key=value string (`password=secret`, `password = 'quoted secret'` →
/// `password=***`).
pub fn mask_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", mask_parameters(&mask_userinfo(rest))),
        None => mask_parameters(url),
    }
}

/// Hide the password of `user:password@` at the start of what follows
/// `scheme://`. The userinfo ends at the last `@` before the query (or,
/// failing that, the last `@` at all), so that a password holding an
/// unescaped `@`, `/` or `?` is hidden whole; hiding too much is harmless.
fn mask_userinfo(rest: &str) -> String {
    let before_query = rest.split_once('?').map_or(rest, |(head, _)| head);
    let Some(at) = before_query.rfind('@').or_else(|| rest.rfind('@')) else {
        return rest.to_owned();
    };
    let (userinfo, host) = rest.split_at(at);
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{user}:***{host}"),
        None => rest.to_owned(),
    }
}

/// Hide the value of every secret parameter: `key=value` where `key` (any
/// case) starts the text or follows a space, `?`, `&` or `;`, with optional
/// spaces around `=`. A value is a single-quoted libpq string (with `\`
/// escapes) or runs to the next `&`, `#` or whitespace.
fn mask_parameters(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut rest = text;
    let mut at_boundary = true;
    while !rest.is_empty() {
        if at_boundary {
            if let Some(after) = secret_value_start(rest) {
                masked.push_str(&rest[..rest.len() - after.len()]);
                masked.push_str("***");
                rest = skip_value(after);
                at_boundary = false;
                continue;
            }
        }
        let Some(c) = rest.chars().next() else { break };
        masked.push(c);
        rest = &rest[c.len_utf8()..];
        at_boundary = c.is_whitespace() || matches!(c, '?' | '&' | ';');
    }
    masked
}

/// When `text` starts with a secret key and `=`, what follows the `=` (and
/// any spaces after it).
fn secret_value_start(text: &str) -> Option<&str> {
    SECRET_KEYS.iter().find_map(|key| {
        let head = text.get(..key.len())?;
        if !head.eq_ignore_ascii_case(key) {
            return None;
        }
        let after_key = text[key.len()..].trim_start();
        let value = after_key.strip_prefix('=')?;
        Some(value.trim_start())
    })
}

/// What follows one parameter value.
fn skip_value(value: &str) -> &str {
    if let Some(quoted) = value.strip_prefix('\'') {
        let mut chars = quoted.char_indices();
        while let Some((index, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '\'' => return &quoted[index + 1..],
                _ => {}
            }
        }
        return "";
    }
    let end = value
        .find(|c: char| c.is_whitespace() || c == '&' || c == '#')
        .unwrap_or(value.len());
    &value[end..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_passwords_are_hidden() {
        assert_eq!(
            mask_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            mask_url("postgresql://u:p@ss@h/db"),
            "postgresql://u:***@h/db"
        );
        assert_eq!(mask_url("postgres://u:a/b?c@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask_url("postgres://:secret@h/db"), "postgres://:***@h/db");
        assert_eq!(mask_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask_url("postgres://h/db"), "postgres://h/db");
        assert_eq!(
            mask_url("postgres://u:secret@h1:5432,h2:5433/db"),
            "postgres://u:***@h1:5432,h2:5433/db"
        );
    }

    #[test]
    fn query_passwords_are_hidden_in_any_case() {
        assert_eq!(
            mask_url("postgres://h/db?user=u&password=secret"),
            "postgres://h/db?user=u&password=***"
        );
        assert_eq!(
            mask_url("postgres://h/db?PassWord=secret&sslmode=disable"),
            "postgres://h/db?PassWord=***&sslmode=disable"
        );
        assert_eq!(
            mask_url("postgres://h/db?sslmode=require&SSLPASSWORD=secret"),
            "postgres://h/db?sslmode=require&SSLPASSWORD=***"
        );
        assert_eq!(
            mask_url("postgres://u:one@h/db?password=two#frag"),
            "postgres://u:***@h/db?password=***#frag"
        );
        assert_eq!(
            mask_url("postgres://h/db?user=a@b&password=secret"),
            "postgres://h/db?user=a@b&password=***"
        );
        assert_eq!(
            mask_url("sqlite://r.db?password=secret"),
            "sqlite://r.db?password=***"
        );
    }

    #[test]
    fn key_value_passwords_are_hidden() {
        assert_eq!(
            mask_url("host=h user=u password=secret dbname=d"),
            "host=h user=u password=*** dbname=d"
        );
        assert_eq!(
            mask_url("host=h password = 'se cret \\' x' dbname=d"),
            "host=h password = *** dbname=d"
        );
        assert_eq!(
            mask_url("password=secret sslpassword=other"),
            "password=*** sslpassword=***"
        );
        assert_eq!(mask_url("host=h PASSWORD='open"), "host=h PASSWORD=***");
    }

    #[test]
    fn nothing_else_changes() {
        for url in [
            "sqlite://roster.db",
            "sqlite:/var/lib/roster.db",
            "/tmp/roster.db",
            "postgres://u@h/db?sslmode=disable&application_name=x",
            "host=h user=u dbname=d",
            "postgres://h/db?mypassword=visible",
        ] {
            assert_eq!(mask_url(url), url);
        }
    }

    #[test]
    fn backends() {
        assert_eq!(backend_of("postgres://h/db"), Backend::Postgres);
        assert_eq!(backend_of("PostgreSQL://h/db"), Backend::Postgres);
        assert_eq!(backend_of("host=h dbname=d"), Backend::Postgres);
        assert_eq!(backend_of("  dbname = d"), Backend::Postgres);
        assert_eq!(backend_of("password=x host=h"), Backend::Postgres);
        assert_eq!(backend_of("sqlite://roster.db"), Backend::Sqlite);
        assert_eq!(backend_of("roster.db"), Backend::Sqlite);
        assert_eq!(backend_of("data=1.db"), Backend::Sqlite);
        assert_eq!(backend_of("./host=1.db"), Backend::Sqlite);
    }
}
