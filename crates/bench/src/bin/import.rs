//! `roster-import-bench` (issue 15): how fast `roster import` loads a
//! member base, against the machine's own limit measured in the same run.
//!
//! It writes a JSON Lines file of U users, C communities and M memberships
//! (default 100,000 / 1,000 / 1,000,000: every user in M/U communities,
//! each community's owner among them), then
//!
//! 1. `import`: runs the real `roster import FILE` (this crate's `roster`
//!    build, as a process) on a fresh database and times it end to end,
//!    parsing, planning, the engine's checks and the write included;
//! 2. `bare insert`: inserts the same rows (users, communities with their
//!    counters, memberships, one event per community) into the same schema
//!    on another fresh database, with nothing but prepared statements in
//!    one transaction (SQLite) or `COPY` (PostgreSQL), and times that.
//!
//! The ratio of the two is the figure: what the rules, the file and the
//! process cost over the bare storage work. Run it in release:
//! `cargo run --release -p roster-bench --bin roster-import-bench [-- --postgres URL]`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;
use roster_store::postgres::scratch::ScratchDatabase;

#[derive(Parser, Debug)]
#[command(name = "roster-import-bench")]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    #[arg(long, default_value_t = 1_000)]
    communities: usize,
    #[arg(long, default_value_t = 1_000_000)]
    memberships: usize,
    /// Run on PostgreSQL: a server URL that may CREATE DATABASE.
    #[arg(long)]
    postgres: Option<String>,
    /// The `roster` binary (default: beside this one).
    #[arg(long)]
    roster: Option<PathBuf>,
}

/// The community of user `u`'s `j`th membership: every community gets the
/// same number of members, and user `c` (its owner) is one of community `c`'s.
fn community_of(u: usize, j: usize, args: &Args) -> usize {
    let per_user = args.memberships / args.users;
    let stride = args.communities / per_user;
    (u % args.communities + j * stride) % args.communities
}

fn write_file(path: &Path, args: &Args) -> Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    for u in 0..args.users {
        writeln!(
            out,
            r#"{{"type":"user","username":"user{u}","email":"user{u}@example.org"}}"#
        )?;
    }
    for c in 0..args.communities {
        writeln!(
            out,
            r#"{{"type":"community","name":"community {c}","owner":"user{c}"}}"#
        )?;
    }
    for u in 0..args.users {
        for j in 0..args.memberships / args.users {
            let c = community_of(u, j, args);
            let standing = if c == u { "owner" } else { "member" };
            writeln!(
                out,
                r#"{{"type":"membership","community":"community {c}","user":"user{u}","standing":"{standing}"}}"#
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn roster_binary(args: &Args) -> Result<PathBuf> {
    if let Some(path) = &args.roster {
        return Ok(path.clone());
    }
    let me = std::env::current_exe()?;
    let path = me.with_file_name("roster");
    if !path.exists() {
        bail!(
            "no roster binary at {} (build it: cargo build --release -p roster, or pass --roster)",
            path.display()
        );
    }
    Ok(path)
}

/// A fresh database URL (and what keeps it alive).
fn fresh(args: &Args, dir: &Path, name: &str) -> Result<(String, Option<ScratchDatabase>)> {
    match &args.postgres {
        Some(server) => {
            let db = ScratchDatabase::create(server).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok((db.url().to_owned(), Some(db)))
        }
        None => Ok((format!("sqlite://{}", dir.join(name).display()), None)),
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("import.jsonl");
    let started = Instant::now();
    write_file(&file, &args)?;
    eprintln!(
        "file written in {:.1}s ({} bytes)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&file)?.len()
    );

    // 1. roster import, end to end.
    let (url, _keep) = fresh(&args, dir.path(), "import.db")?;
    let roster = roster_binary(&args)?;
    // The schema first, so that both runs time rows, not migrations.
    roster::cli::open_store(&url)?;
    let started = Instant::now();
    let out = std::process::Command::new(&roster)
        .args(["--database", &url, "--json", "import"])
        .arg(&file)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("run roster import")?;
    let import = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("roster import failed");
    }
    eprintln!("import: {}", String::from_utf8_lossy(&out.stdout).trim());

    // 2. The same rows, bare.
    let (url, _keep2) = fresh(&args, dir.path(), "bare.db")?;
    roster::cli::open_store(&url)?;
    let started = Instant::now();
    match &args.postgres {
        None => bare_sqlite(&dir.path().join("bare.db"), &args)?,
        Some(_) => bare_postgres(&url, &args)?,
    }
    let bare = started.elapsed().as_secs_f64();

    let backend = if args.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    println!("| backend | rows | roster import | bare insert | ratio |");
    println!("|---|---|---|---|---|");
    println!(
        "| {backend} | {} users, {} communities, {} memberships | {import:.1} s ({:.0} memberships/s) | {bare:.1} s | {:.2}x |",
        args.users,
        args.communities,
        args.memberships,
        args.memberships as f64 / import,
        import / bare
    );
    Ok(())
}

const NOW: &str = "2026-01-01T00:00:00.000Z";

fn bare_sqlite(path: &Path, args: &Args) -> Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let tx = conn.transaction()?;
    {
        let mut user = tx.prepare(
            "INSERT INTO users (id, username, email, password_hash, created_at, updated_at)
             VALUES (?1, ?2, ?3, '!', ?4, ?4)",
        )?;
        for u in 0..args.users {
            user.execute(rusqlite::params![
                uuid::Uuid::new_v4().to_string(),
                format!("user{u}"),
                format!("user{u}@example.org"),
                NOW
            ])?;
        }
        let per = (args.memberships / args.communities) as i64;
        let mut community = tx.prepare(
            "INSERT INTO communities (id, name, visibility, join_policy, contribution_mode,
                 creator_num, members, owners, created_at, updated_at)
             VALUES (?1, ?2, 'public', 'open', 'anyone', ?3, ?4, 1, ?5, ?5)",
        )?;
        let mut event = tx.prepare(
            "INSERT INTO events (at, community_id, actor_id, kind, reason) VALUES (?1, ?2, ?3, 'imported', 'bare')",
        )?;
        for c in 0..args.communities {
            let id = uuid::Uuid::new_v4().to_string();
            community.execute(rusqlite::params![
                id,
                format!("community {c}"),
                c as i64 + 1,
                per,
                NOW
            ])?;
            event.execute(rusqlite::params![NOW, id, id])?;
        }
        let mut member = tx.prepare(
            "INSERT INTO memberships (community_num, user_num, standing, since) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for u in 0..args.users {
            for j in 0..args.memberships / args.users {
                let c = community_of(u, j, args);
                let standing = if c == u { "owner" } else { "member" };
                member.execute(rusqlite::params![c as i64 + 1, u as i64 + 1, standing, NOW])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

fn bare_postgres(url: &str, args: &Args) -> Result<()> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    let mut tx = client.transaction()?;
    let mut copy = tx.copy_in(
        "COPY users (id, username, email, password_hash, created_at, updated_at) FROM STDIN",
    )?;
    let mut buffer = String::new();
    for u in 0..args.users {
        buffer.push_str(&format!(
            "{}\tuser{u}\tuser{u}@example.org\t!\t{NOW}\t{NOW}\n",
            uuid::Uuid::new_v4()
        ));
    }
    copy.write_all(buffer.as_bytes())?;
    copy.finish()?;
    let nums: Vec<i64> = tx
        .query("SELECT num FROM users ORDER BY num", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let per = (args.memberships / args.communities) as i64;
    let insert = tx.prepare(
        "INSERT INTO communities (id, name, visibility, join_policy, contribution_mode,
             creator_num, members, owners, created_at, updated_at)
         VALUES ($1, $2, 'public', 'open', 'anyone', $3, $4, 1, now(), now()) RETURNING num",
    )?;
    let mut communities = Vec::new();
    for (c, owner) in nums.iter().take(args.communities).enumerate() {
        let id = uuid::Uuid::new_v4();
        let row = tx.query_one(&insert, &[&id, &format!("community {c}"), owner, &per])?;
        tx.execute("INSERT INTO events (at, community_id, actor_id, kind) VALUES (now(), $1, $1, 'imported')", &[&id])?;
        communities.push(row.get::<_, i64>(0));
    }
    let mut copy =
        tx.copy_in("COPY memberships (community_num, user_num, standing, since) FROM STDIN")?;
    let mut buffer = String::with_capacity(1 << 21);
    for (u, num) in nums.iter().enumerate() {
        for j in 0..args.memberships / args.users {
            let c = community_of(u, j, args);
            let standing = if c == u { "owner" } else { "member" };
            buffer.push_str(&format!("{}\t{num}\t{standing}\t{NOW}\n", communities[c]));
            if buffer.len() > 1 << 20 {
                copy.write_all(buffer.as_bytes())?;
                buffer.clear();
            }
        }
    }
    copy.write_all(buffer.as_bytes())?;
    copy.finish()?;
    tx.commit()?;
    Ok(())
}
