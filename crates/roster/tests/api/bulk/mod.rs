//! `roster import`, `export` and `backup` (issue 15), run as the real
//! binary the way an operator runs them, on SQLite and (with
//! `ROSTER_TEST_DATABASE=postgres`) on a scratch PostgreSQL database.

mod backup;
mod import;
mod round_trip;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use roster_store::postgres::scratch::ScratchDatabase;
use roster_store::{CommunityKey, EventQuery, MemberQuery, Paging, Store};

/// A database for one test and the binary pointed at it.
pub struct Db {
    pub dir: tempfile::TempDir,
    url: String,
    /// Dropped after every store opened on it.
    _scratch: Option<ScratchDatabase>,
}

impl Db {
    /// On the suite's backend.
    pub fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        match std::env::var("ROSTER_TEST_DATABASE").as_deref() {
            Ok("postgres") => {
                let scratch =
                    ScratchDatabase::create(&roster_store::postgres::scratch::server_url())
                        .expect("PostgreSQL for ROSTER_TEST_DATABASE=postgres");
                Db {
                    url: scratch.url().to_owned(),
                    dir,
                    _scratch: Some(scratch),
                }
            }
            _ => Db::sqlite_in(dir),
        }
    }

    /// Always SQLite (backup).
    pub fn sqlite() -> Db {
        Db::sqlite_in(tempfile::tempdir().unwrap())
    }

    fn sqlite_in(dir: tempfile::TempDir) -> Db {
        let url = format!("sqlite://{}", dir.path().join("roster.db").display());
        Db {
            url,
            dir,
            _scratch: None,
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("roster.db")
    }

    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// `roster --database URL ARGS…` with a cheap argon2 cost.
    pub fn run(&self, args: &[&str]) -> Output {
        run_with(&self.url, args, None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        run_with(&self.url, args, Some(stdin))
    }

    /// [`Db::run`], which must succeed: its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "roster {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The store, opened in this process (for the checks).
    pub fn store(&self) -> Arc<dyn Store> {
        roster::cli::open_store(&self.url).unwrap()
    }
}

fn run_with(url: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args([
            "--database",
            url,
            "--argon2-memory-kib",
            "64",
            "--argon2-iterations",
            "1",
        ])
        .args(args)
        .env_remove("ROSTER_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run roster");
    let mut pipe = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        pipe.write_all(bytes).unwrap();
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The invariants after an import: counters equal rows, a community with
/// members has an owner, the event feed has no gap. Returns the number of
/// events.
pub fn check_invariants(store: &dyn Store) -> usize {
    let mut communities = Vec::new();
    for user in store.list_users(None, 1000).unwrap() {
        let page = store
            .communities_of(
                user.id,
                &roster_store::MembershipQuery {
                    standings: roster_engine::Standing::STORED.to_vec(),
                    include_site: true,
                    paging: Paging::Offset(0),
                    limit: 1000,
                },
            )
            .unwrap();
        for (community, _) in page.items {
            if !communities.contains(&community.num) {
                communities.push(community.num);
            }
        }
    }
    for num in communities {
        let (community, _) = store
            .community(&CommunityKey::Num(num), None)
            .unwrap()
            .unwrap();
        let count = |standings: Vec<roster_engine::Standing>| {
            store
                .members(
                    community.id(),
                    &MemberQuery {
                        standings,
                        paging: Paging::Offset(0),
                        limit: 1,
                    },
                )
                .unwrap()
                .total as i64
        };
        use roster_engine::{Role, Standing};
        let c = community.state.counters;
        assert_eq!(c.members, count(vec![]), "members of {num}");
        assert_eq!(
            c.owners,
            count(vec![Standing::Member(Role::Owner)]),
            "owners of {num}"
        );
        assert_eq!(
            c.pending,
            count(vec![Standing::Requested]),
            "pending of {num}"
        );
        assert_eq!(
            c.invited,
            count(vec![Standing::Invited]),
            "invited of {num}"
        );
        assert!(
            c.members == 0 || c.owners > 0,
            "community {num} has members but no owner"
        );
    }
    let events = store
        .events(&EventQuery {
            community: None,
            after: 0,
            limit: 100_000,
        })
        .unwrap();
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.seq, i as i64 + 1, "the event feed has a gap");
    }
    events.len()
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}
