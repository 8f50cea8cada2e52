//! How PostgreSQL failures become the store's errors, in one place.
//!
//! Inside the backend every function returns [`Fault`], which keeps the
//! driver's error whole so that the transaction runner can tell a deadlock
//! or serialization failure (retry the whole transaction) from anything
//! else. At the trait boundary a fault becomes an [`Error`]: a violation of
//! one of the unique indexes that two nodes can race on (usernames, emails,
//! community names, the single site community) is the same refusal SQLite
//! gives (`UsernameTaken`, …); everything else is a backend error whose text
//! carries the server's message (never the connection URL or a password).

use roster_engine::DomainError;
use tokio_postgres::error::SqlState;

use crate::Error;

/// A failure inside a PostgreSQL transaction.
#[derive(Debug)]
pub(crate) enum Fault {
    /// Refused by the rules (or found missing); nothing is written.
    Domain(DomainError),
    /// The driver or the server failed.
    Db(tokio_postgres::Error),
    /// A stored value that does not parse, or another invariant broken.
    Other(String),
}

pub(crate) type Res<T> = std::result::Result<T, Fault>;

impl From<DomainError> for Fault {
    fn from(error: DomainError) -> Self {
        Fault::Domain(error)
    }
}

impl From<tokio_postgres::Error> for Fault {
    fn from(error: tokio_postgres::Error) -> Self {
        Fault::Db(error)
    }
}

impl From<Fault> for Error {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Domain(error) => Error::Domain(error),
            Fault::Db(error) => match unique_refusal(&error) {
                Some(refusal) => Error::Domain(refusal),
                None => Error::Backend(format!("postgres: {}", describe(&error))),
            },
            Fault::Other(message) => Error::Backend(format!("postgres: {message}")),
        }
    }
}

impl Fault {
    /// A deadlock or serialization failure: the server rolled the
    /// transaction back, and running it again from the start is safe.
    pub(super) fn is_transient(&self) -> bool {
        match self {
            Fault::Db(error) => matches!(
                error.code(),
                Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
                    || *code == SqlState::T_R_SERIALIZATION_FAILURE
            ),
            _ => false,
        }
    }

    /// The connection is gone (closed, an I/O failure, or the server
    /// shutting it down): whatever transaction was open on it is rolled
    /// back by the server.
    pub(super) fn is_lost(&self) -> bool {
        let Fault::Db(error) = self else {
            return false;
        };
        if error.is_closed() {
            return true;
        }
        if let Some(code) = error.code() {
            return *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW;
        }
        std::error::Error::source(error).is_some_and(|cause| cause.is::<std::io::Error>())
    }

    /// Is this a violation of the unique constraint or index `name`?
    pub(super) fn violates(&self, name: &str) -> bool {
        match self {
            Fault::Db(error) => violated_constraint(error) == Some(name),
            _ => false,
        }
    }
}

/// The unique constraint or index a statement violated, if that is the error.
fn violated_constraint(error: &tokio_postgres::Error) -> Option<&str> {
    let db = error.as_db_error()?;
    if *db.code() != SqlState::UNIQUE_VIOLATION {
        return None;
    }
    db.constraint()
}

/// The refusal a unique violation stands for (see migrations/0001_init.sql).
fn unique_refusal(error: &tokio_postgres::Error) -> Option<DomainError> {
    Some(match violated_constraint(error)? {
        "users_username_key" => DomainError::UsernameTaken,
        "users_email_key" => DomainError::EmailTaken,
        "communities_name_key" => DomainError::NameTaken,
        "communities_one_site" => DomainError::Invalid {
            field: "site",
            reason: "a site community exists",
        },
        _ => return None,
    })
}

/// The driver's message with its cause: `Display` alone says only "db error".
pub(super) fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            // Not `detail`: it may quote the row's values (an email address).
            format!(
                "{}: {} [SQLSTATE {}]",
                db.severity(),
                db.message(),
                db.code().code()
            )
        }
        None => {
            let mut text = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

/// After a failed run of a write transaction (the `attempt`th), is it run
/// again? `Ok(lost)` to retry (on a fresh connection when `lost`), or the
/// error to report: anything but a deadlock, a serialization failure or a
/// connection lost before `COMMIT` was sent, or the last attempt. A
/// connection lost during `COMMIT` is never retried (the change may have
/// been applied). The one rule of every write's runner (`run.rs`, `live.rs`).
pub(super) fn retry(
    fault: Fault,
    committing: bool,
    attempt: u32,
    target: &str,
) -> Result<bool, Error> {
    let lost = fault.is_lost();
    let again = fault.is_transient() || (lost && !committing);
    if !again || attempt >= super::ATTEMPTS {
        if lost && committing {
            return Err(Error::Backend(format!(
                "postgres: the connection to {target} was lost while committing; \
                 the change may or may not have been applied"
            )));
        }
        return Err(Error::from(fault));
    }
    tracing::debug!(attempt, lost, ?fault, "postgres: transaction retried");
    Ok(lost)
}

/// A refusal as a fault (`return refuse(…)` reads like the SQLite backend).
pub(super) fn refuse<T>(error: DomainError) -> Res<T> {
    Err(Fault::Domain(error))
}
