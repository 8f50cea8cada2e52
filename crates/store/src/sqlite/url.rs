//! The file a SQLite database URL names (`sqlite://path`, `sqlite:path` or a
//! bare path), and the refusal of anything that is not one: a PostgreSQL
//! key=value string, password and all, must never become a file name.

use std::path::PathBuf;

use crate::{Error, Result};

/// The database file of `url`; a query string (`?mode=rwc`) is ignored.
pub fn path_of_url(url: &str) -> Result<PathBuf> {
    if crate::is_key_value(url) {
        // A libpq string, password and all, must never become a file name.
        return Err(Error::Backend(format!(
            "sqlite: '{}' is a PostgreSQL key=value connection string, not a file",
            crate::mask_url(url)
        )));
    }
    let rest = if let Some(rest) = url.strip_prefix("sqlite://") {
        strip_query(rest)
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        strip_query(rest)
    } else {
        url
    };
    if rest.is_empty() {
        return Err(Error::Backend(format!(
            "sqlite: no file path in database URL '{}'",
            crate::mask_url(url)
        )));
    }
    Ok(PathBuf::from(rest))
}

fn strip_query(rest: &str) -> &str {
    rest.split_once('?').map_or(rest, |(path, _)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        assert_eq!(
            path_of_url("sqlite://a/b.db").unwrap(),
            PathBuf::from("a/b.db")
        );
        assert_eq!(
            path_of_url("sqlite:///abs/b.db").unwrap(),
            PathBuf::from("/abs/b.db")
        );
        assert_eq!(path_of_url("sqlite:b.db").unwrap(), PathBuf::from("b.db"));
        assert_eq!(
            path_of_url("sqlite://b.db?mode=rwc").unwrap(),
            PathBuf::from("b.db")
        );
        assert_eq!(path_of_url("/x/y.db").unwrap(), PathBuf::from("/x/y.db"));
        assert!(path_of_url("sqlite://").is_err());
        assert!(path_of_url("").is_err());
    }

    #[test]
    fn a_key_value_string_is_never_a_file() {
        match path_of_url("host=h user=u password=secret dbname=d") {
            Err(Error::Backend(message)) => {
                assert!(message.contains("key=value"), "{message}");
                assert!(!message.contains("secret"), "{message}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        match path_of_url("sqlite://?password=secret") {
            Err(Error::Backend(message)) => assert!(!message.contains("secret"), "{message}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
