//! `roster import`, `roster export` and `roster backup` (issue 15): moving
//! a member base in and out of Roster, and copying a live database.
//!
//! - `format.rs`: JSON Lines and CSV records, in and out;
//! - `import.rs`: read, look up what exists, let the engine plan
//!   (`roster_engine::import`), hash passwords, write in one transaction;
//! - `export.rs`: stream every row (or one community's) as JSON Lines;
//! - `backup.rs`: `VACUUM INTO` of a live SQLite file; `pg_dump` for PostgreSQL;
//! - `progress.rs`: a bar on a terminal, plain lines otherwise.

mod backup;
mod export;
pub mod format;
mod import;
mod progress;

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::app::AppState;

/// `roster import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file to read, or `-` for standard input.
    pub file: String,
    /// The file's format (default: from its extension, `.csv` or JSON Lines).
    #[arg(long, value_enum)]
    pub format: Option<format::Format>,
    /// Check the whole file and report; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid records and write the invalid ones to the rejects
    /// file (default: atomic, any invalid record imports nothing).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where `--skip-invalid` writes the rejected lines (default: FILE with
    /// `.rejects` before its extension).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// `community`: one `imported` event per community (default); `each`:
    /// one per membership.
    #[arg(long, value_enum, default_value_t = EventsArg::Community)]
    pub events: EventsArg,
}

/// How many `imported` events an import writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EventsArg {
    Community,
    Each,
}

/// `roster export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Only this community (UUID, number or name): its members and their accounts.
    #[arg(long)]
    pub community: Option<String>,
    /// Include the argon2 password hashes (secret: keep the file safe).
    #[arg(long)]
    pub with_password_hashes: bool,
    /// The file to write (default, or `-`: standard output).
    pub file: Option<PathBuf>,
}

/// `roster backup`.
#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The new file to write the copy to.
    pub path: PathBuf,
}

pub async fn import(state: &AppState, args: ImportArgs, json: bool) -> anyhow::Result<()> {
    import::run(state, args, json).await
}

pub async fn export(state: &AppState, args: ExportArgs) -> anyhow::Result<()> {
    export::run(state, args).await
}

pub async fn backup(database: &str, args: BackupArgs, json: bool) -> anyhow::Result<()> {
    backup::run(database, args.path, json).await
}

/// Stop the work when Ctrl-C comes (the work checks the flag between rows).
fn stop_on_ctrl_c(
    progress: &std::sync::Arc<roster_store::BulkProgress>,
) -> tokio::task::JoinHandle<()> {
    let progress = std::sync::Arc::clone(progress);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("roster: stopping (Ctrl-C)…");
            progress.stop();
        }
    })
}
