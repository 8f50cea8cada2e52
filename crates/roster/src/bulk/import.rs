//! `roster import`: read the whole file (JSON Lines or CSV), look up what
//! the database already holds of what it names, let the engine plan it
//! (`roster_engine::import::plan`: every rule, every rejection with its
//! line), then, unless `--dry-run`, hash the clear passwords on the
//! password pool (all cores, before and outside the transaction) and write
//! everything in ONE store transaction.
//!
//! Guarantees: atomic by default (any invalid record: nothing is written);
//! `--skip-invalid` writes the valid records and puts the invalid lines in
//! a rejects file of the same format. Ctrl-C or any failure during the
//! write rolls the one transaction back: the whole file or nothing, never
//! a half-written community. A re-import of the same file finds every
//! record already there and writes nothing.

use std::collections::BTreeSet;
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context as _};
use futures_util::StreamExt;
use roster_engine::import::{plan, Password, Plan, Record, Ref, Reject};
use roster_store::{
    BulkProgress, ImportBatch, ImportCommunity, ImportEvents, ImportKeys, ImportMember, ImportUser,
    NewImportCommunity, Profile,
};

use super::format::{self, Format, Line};
use super::progress::Reporter;
use super::{EventsArg, ImportArgs};
use crate::app::AppState;

/// The stored hash of an account imported without a password: not a PHC
/// string, so no password ever matches it (set one through the API).
const NO_PASSWORD: &str = "!imported-without-password";

/// A file read whole: its records, its malformed lines, and (for
/// `--skip-invalid`) the raw lines and the CSV header.
struct Input {
    records: Vec<(usize, Record)>,
    rejects: Vec<(usize, Reject)>,
    raw: Vec<(usize, Vec<u8>)>,
    header: Option<Vec<u8>>,
    format: Format,
}

fn read_input(args: &ImportArgs) -> anyhow::Result<Input> {
    let format = args.format.unwrap_or_else(|| Format::of_path(&args.file));
    let source: Box<dyn Read> = if args.file == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .with_context(|| format!("cannot open {}", args.file))?,
        )
    };
    let keep_raw = args.skip_invalid;
    let mut input = Input {
        records: Vec::new(),
        rejects: Vec::new(),
        raw: Vec::new(),
        header: None,
        format,
    };
    let mut each = |line: Line| {
        match line.record {
            Ok(record) => input.records.push((line.number, record)),
            Err(reject) => input.rejects.push((line.number, reject)),
        }
        if keep_raw {
            input.raw.push((line.number, line.raw));
        }
    };
    let reader = BufReader::with_capacity(1 << 16, source);
    match format {
        Format::Jsonl => format::read_jsonl(reader, &mut each).context("reading the file")?,
        Format::Csv => {
            let mut header = None;
            format::read_csv(reader, |h| header = Some(h), &mut each).map_err(|e| anyhow!(e))?;
            input.header = header;
        }
    }
    Ok(input)
}

/// Every username, id, email and community name the records name.
fn keys_of(records: &[(usize, Record)]) -> ImportKeys {
    let mut keys = ImportKeys::default();
    let user = |keys: &mut ImportKeys, key: &Ref<roster_engine::UserId>| match key {
        Ref::Id(id) => keys.user_ids.push(*id),
        Ref::Name(name) => keys.usernames.push(name.clone()),
    };
    for (_, record) in records {
        match record {
            Record::User(u) => {
                keys.usernames.push(u.username.clone());
                keys.user_ids.extend(u.id);
                keys.emails.extend(u.email.clone());
            }
            Record::Community(c) => {
                keys.community_names.push(c.settings.name.clone());
                keys.community_ids.extend(c.id);
                if let Some(owner) = &c.owner {
                    user(&mut keys, owner);
                }
            }
            Record::Membership(m) => {
                match &m.community {
                    Ref::Id(id) => keys.community_ids.push(*id),
                    Ref::Name(name) => keys.community_names.push(name.clone()),
                }
                user(&mut keys, &m.user);
            }
        }
    }
    for list in [
        &mut keys.usernames,
        &mut keys.emails,
        &mut keys.community_names,
    ] {
        list.sort_unstable();
        list.dedup();
    }
    keys.user_ids.sort_unstable();
    keys.user_ids.dedup();
    keys.community_ids.sort_unstable();
    keys.community_ids.dedup();
    keys
}

/// `members.jsonl` -> `members.rejects.jsonl`.
fn default_rejects_path(file: &str, format: Format) -> anyhow::Result<PathBuf> {
    if file == "-" {
        bail!("--skip-invalid on standard input needs --rejects PATH");
    }
    let path = PathBuf::from(file);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = match format {
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
    };
    Ok(path.with_file_name(format!("{stem}.rejects.{ext}")))
}

fn write_rejects(path: &PathBuf, input: &Input, lines: &BTreeSet<usize>) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    if let Some(header) = &input.header {
        format::write_line(&mut out, header)?;
    }
    for (number, raw) in &input.raw {
        if lines.contains(number) && !raw.is_empty() {
            format::write_line(&mut out, raw)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// What a plan would write, as the summary prints it.
fn planned_counts(plan: &Plan) -> (usize, usize, usize) {
    let new_communities = plan
        .communities
        .iter()
        .filter(|c| c.record.is_some())
        .count();
    (plan.users.len(), new_communities, plan.memberships())
}

pub async fn run(state: &AppState, args: ImportArgs, json: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let input = read_input(&args).with_context(|| format!("import of {}", args.file))?;
    let keys = keys_of(&input.records);
    let existing = state.call(move |store| store.import_existing(keys)).await?;
    let mut input = input;
    let records = std::mem::take(&mut input.records);
    let mut plan = plan(records, &existing);
    let mut rejects = std::mem::take(&mut input.rejects);
    rejects.append(&mut plan.rejects);
    rejects.sort_by_key(|(line, _)| *line);
    eprintln!(
        "checked {} records in {:.1}s",
        plan.users.len() + plan.memberships() + plan.unchanged + rejects.len(),
        started.elapsed().as_secs_f64()
    );
    for (line, reject) in &rejects {
        eprintln!("line {line}: {reject}");
    }
    let (users, communities, memberships) = planned_counts(&plan);
    let unchanged = plan.unchanged;
    let summary_of = |written: bool| {
        serde_json::json!({
            "dry_run": args.dry_run, "written": written,
            "users": users, "communities": communities, "memberships": memberships,
            "unchanged": unchanged, "rejected": rejects.len(),
        })
    };
    if args.dry_run {
        report(json, &summary_of(false), "would import");
        if !rejects.is_empty() {
            bail!(
                "{} invalid records (dry run: nothing was written)",
                rejects.len()
            );
        }
        return Ok(());
    }
    if !rejects.is_empty() {
        if !args.skip_invalid {
            bail!(
                "{} invalid records: nothing was imported (fix them, or use --skip-invalid \
                 to import the rest and write the rejects to a file)",
                rejects.len()
            );
        }
        let path = match &args.rejects {
            Some(path) => path.clone(),
            None => default_rejects_path(&args.file, input.format)?,
        };
        let lines = rejects.iter().map(|(line, _)| *line).collect();
        write_rejects(&path, &input, &lines)?;
        eprintln!(
            "{} rejected lines written to {}",
            rejects.len(),
            path.display()
        );
    }
    drop(input);
    let events = match args.events {
        EventsArg::Community => ImportEvents::PerCommunity,
        EventsArg::Each => ImportEvents::Each,
    };
    let progress = Arc::new(BulkProgress::default());
    let ctrl_c = super::stop_on_ctrl_c(&progress);
    let batch = build_batch(state, plan, events, &progress, rejects.len()).await;
    let batch = match batch {
        Some(batch) => batch,
        None => {
            ctrl_c.abort();
            bail!("stopped while hashing passwords: nothing was imported");
        }
    };
    let total = batch.rows();
    let writing = std::time::Instant::now();
    let writer_progress = Arc::new(BulkProgress::default());
    // Ctrl-C now stops the writer: forward the first flag to the second.
    let forward = {
        let (from, to) = (Arc::clone(&progress), Arc::clone(&writer_progress));
        tokio::spawn(async move {
            while !from.stopped() {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            to.stop();
        })
    };
    let reporter = Reporter::start(
        "import",
        Some(total),
        rejects.len(),
        Arc::clone(&writer_progress),
    );
    let counter = Arc::clone(&writer_progress);
    let result = state
        .call(move |store| store.import_batch(batch, counter))
        .await;
    reporter.finish();
    forward.abort();
    ctrl_c.abort();
    let summary = result.map_err(|e| anyhow!("import failed, nothing was imported: {e}"))?;
    eprintln!(
        "written in one transaction in {:.1}s ({:.1}s in all)",
        writing.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let mut out = summary_of(true);
    out["events"] = serde_json::json!(summary.events);
    report(json, &out, "imported");
    Ok(())
}

fn report(json: bool, summary: &serde_json::Value, verb: &str) {
    if json {
        println!("{summary}");
    } else {
        println!(
            "{verb} {} users, {} communities, {} memberships; {} unchanged, {} rejected",
            summary["users"],
            summary["communities"],
            summary["memberships"],
            summary["unchanged"],
            summary["rejected"]
        );
    }
}

/// The plan's rows for the store, passwords hashed on the pool (its
/// workers, one per core by default). `None` when stopped meanwhile.
async fn build_batch(
    state: &AppState,
    plan: Plan,
    events: ImportEvents,
    progress: &Arc<BulkProgress>,
    rejects: usize,
) -> Option<ImportBatch> {
    let clear = plan
        .users
        .iter()
        .filter(|u| matches!(u.record.password, Some(Password::Clear(_))))
        .count();
    let reporter = (clear > 0).then(|| {
        Reporter::start(
            "hashing passwords",
            Some(clear as u64),
            rejects,
            Arc::clone(progress),
        )
    });
    let pool = Arc::clone(&state.passwords);
    let parallel = pool.workers() * 2;
    let users: Vec<ImportUser> = futures_util::stream::iter(plan.users)
        .map(|planned| {
            let pool = Arc::clone(&pool);
            let progress = Arc::clone(progress);
            async move {
                let record = planned.record;
                let password_hash = match record.password {
                    Some(Password::Clear(clear)) if !progress.stopped() => {
                        let hash = pool.hash(&clear).await;
                        progress.add(1);
                        hash
                    }
                    Some(Password::Clear(_)) => String::new(),
                    Some(Password::Hash(hash)) => hash,
                    None => NO_PASSWORD.to_owned(),
                };
                ImportUser {
                    id: planned.id,
                    username: record.username,
                    email: record.email,
                    email_verified: record.email_verified,
                    admin: record.admin,
                    profile: Profile {
                        nickname: record.nickname,
                        slug: record.slug,
                        first_name: record.first_name,
                        last_name: record.last_name,
                        photo_url: record.photo_url,
                    },
                    password_hash,
                }
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    if let Some(reporter) = reporter {
        reporter.finish();
    }
    if progress.stopped() {
        return None;
    }
    let communities = plan
        .communities
        .into_iter()
        .map(|c| ImportCommunity {
            id: c.id,
            new: c.record.map(|r| NewImportCommunity {
                settings: r.settings,
                site: r.site,
                archived: r.archived,
                creator: c
                    .creator
                    .unwrap_or(roster_engine::UserId(uuid::Uuid::nil())),
            }),
            members: c
                .members
                .into_iter()
                .map(|m| ImportMember {
                    user: m.user,
                    standing: m.standing,
                    since: m.since.and_then(chrono::DateTime::from_timestamp_millis),
                })
                .collect(),
        })
        .collect();
    Some(ImportBatch {
        users,
        communities,
        events,
    })
}
