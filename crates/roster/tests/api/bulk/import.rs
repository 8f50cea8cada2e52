//! `roster import`: every invalid-record class reported by line, atomic
//! and `--skip-invalid` modes, `--dry-run`, idempotent re-import, CSV.

use super::{check_invariants, path_str, stderr, Db};
use roster_store::{CommunityKey, UserKey};

const GOOD: &str = r#"{"type":"user","username":"ann","email":"ann@example.org","password":"long enough secret"}
{"type":"user","username":"bob"}
{"type":"community","name":"club","owner":"ann","visibility":"private","join_policy":"request"}
{"type":"membership","community":"club","user":"bob","standing":"requested"}
"#;

/// GOOD, then one line of each invalid class (lines 5..=13).
fn with_every_invalid_class() -> Vec<u8> {
    let mut file = GOOD.as_bytes().to_vec();
    for line in [
        r#"{"type":"membership","community":"club","user":"ghost","standing":"member"}"#, // 5 unknown user
        r#"{"type":"membership","community":"nowhere","user":"bob","standing":"member"}"#, // 6 unknown community
        r#"{"type":"user","username":"Ann"}"#, // 7 duplicate
        r#"{"type":"membership","community":"club","user":"ann","standing":"emperor"}"#, // 8 bad standing
        r#"{"type":"community","name":"orphans"}"#, // 9 no owner
        r#"{"type":"membership","community":"club","user":"ann","standing":"member"}"#, // 10 last owner demoted
        r#"{"type":"user","username":"cy""#, // 11 malformed
    ] {
        file.extend_from_slice(line.as_bytes());
        file.push(b'\n');
    }
    file.extend_from_slice(b"{\"type\":\"user\",\"username\":\"d\xff\xfe\"}\n"); // 12 not UTF-8
    file.extend_from_slice(br#"{"type":"user","username":"has space"}"#); // 13 invalid name
    file.push(b'\n');
    file
}

#[test]
fn every_invalid_record_is_reported_by_line_and_the_atomic_default_imports_nothing() {
    let db = Db::new();
    let file = db.file("members.jsonl", &with_every_invalid_class());
    let out = db.run(&["import", path_str(&file)]);
    assert!(!out.status.success(), "an invalid file must fail");
    let err = stderr(&out);
    for (line, words) in [
        (5, "unknown user"),
        (6, "unknown community"),
        (7, "duplicate"),
        (8, "bad standing"),
        (9, "needs an owner"),
        (10, "must stay owner"),
        (11, "malformed"),
        (12, "UTF-8"),
        (13, "username"),
    ] {
        let reported = err
            .lines()
            .find(|l| l.starts_with(&format!("line {line}:")));
        let reported = reported.unwrap_or_else(|| panic!("line {line} not reported:\n{err}"));
        assert!(
            reported.contains(words),
            "line {line}: expected '{words}' in '{reported}'"
        );
    }
    assert!(
        err.contains("9 invalid records: nothing was imported"),
        "{err}"
    );
    let store = db.store();
    assert!(
        store.list_users(None, 10).unwrap().is_empty(),
        "nothing written"
    );
    assert_eq!(check_invariants(store.as_ref()), 0, "no event");
}

#[test]
fn skip_invalid_imports_the_rest_and_writes_the_rejected_lines_to_a_file() {
    let db = Db::new();
    let file = db.file("members.jsonl", &with_every_invalid_class());
    let out = db.run(&["--json", "import", path_str(&file), "--skip-invalid"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["users"], 2);
    assert_eq!(summary["communities"], 1);
    assert_eq!(summary["memberships"], 2, "the owner and bob's request");
    assert_eq!(summary["rejected"], 9);
    let rejects = std::fs::read(db.dir.path().join("members.rejects.jsonl")).unwrap();
    let whole = with_every_invalid_class();
    let expected: Vec<&[u8]> = whole
        .split(|b| *b == b'\n')
        .skip(4)
        .filter(|l| !l.is_empty())
        .map(|l| l as &[u8])
        .collect::<Vec<_>>();
    let written: Vec<&[u8]> = rejects
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(written, expected, "every rejected line, as it was");

    let store = db.store();
    let club = store
        .community(&CommunityKey::Name("club".into()), None)
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(
        (club.state.counters.members, club.state.counters.pending),
        (1, 1)
    );
    let ann = store
        .find_user(&UserKey::Username("ann".into()))
        .unwrap()
        .unwrap();
    assert!(
        ann.password_hash.starts_with("$argon2id$"),
        "a clear password is hashed"
    );
    assert_eq!(
        check_invariants(store.as_ref()),
        1,
        "one imported event for the community"
    );
}

#[test]
fn dry_run_checks_everything_and_writes_nothing() {
    let db = Db::new();
    let file = db.file("members.jsonl", GOOD.as_bytes());
    let out = db.ok(&["--json", "import", path_str(&file), "--dry-run"]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (summary["users"].as_i64(), summary["written"].as_bool()),
        (Some(2), Some(false))
    );
    let bad = db.file("bad.jsonl", &with_every_invalid_class());
    assert!(!db
        .run(&["import", path_str(&bad), "--dry-run"])
        .status
        .success());
    let store = db.store();
    assert!(store.list_users(None, 10).unwrap().is_empty());
    assert_eq!(check_invariants(store.as_ref()), 0);
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let db = Db::new();
    let file = db.file("members.jsonl", GOOD.as_bytes());
    db.ok(&["import", path_str(&file), "--events", "each"]);
    let before = db.ok(&["export", "--with-password-hashes"]);
    let events = check_invariants(db.store().as_ref());
    assert_eq!(events, 2, "--events each: one per membership");
    let out = db.ok(&["--json", "import", path_str(&file)]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["unchanged"], 4, "{summary}");
    assert_eq!(summary["users"], 0);
    assert_eq!(db.ok(&["export", "--with-password-hashes"]), before);
    assert_eq!(
        check_invariants(db.store().as_ref()),
        events,
        "no new event"
    );
    // Stdin works too, and a standing that differs is refused, not applied.
    let change = br#"{"type":"membership","community":"club","user":"bob","standing":"banned"}"#;
    let out = db.run_stdin(&["import", "-"], change);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("already has the standing 'requested'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn csv_files_import_with_a_type_column_or_without_one() {
    let db = Db::new();
    let people = db.file(
        "people.csv",
        b"username,email,first_name,admin\nann,ann@example.org,Ann,true\nbob,,Bob,false\n",
    );
    db.ok(&["import", path_str(&people)]);
    let mixed = db.file(
        "mixed.csv",
        b"type,name,owner,visibility,community,user,standing,since\n\
          community,club,ann,public,,,,\n\
          membership,,,,club,bob,manager,2024-01-02T03:04:05Z\n\
          membership,,,,club,bob,member,\n\
          membership,,,,club,ann,\xff,\n",
    );
    let out = db.run(&["import", path_str(&mixed), "--skip-invalid"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 4: duplicate"), "{err}");
    assert!(
        err.contains("line 5: malformed") && err.contains("UTF-8"),
        "{err}"
    );
    let rejects =
        String::from_utf8_lossy(&std::fs::read(db.dir.path().join("mixed.rejects.csv")).unwrap())
            .into_owned();
    assert!(
        rejects.starts_with("type,name,owner"),
        "the header comes first: {rejects}"
    );
    assert!(rejects.contains("club,bob,member"), "{rejects}");
    let store = db.store();
    let ann = store
        .find_user(&UserKey::Username("ann".into()))
        .unwrap()
        .unwrap();
    assert!(ann.admin && ann.profile.first_name == "Ann");
    let club = store
        .community(&CommunityKey::Name("club".into()), None)
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(club.state.counters.members, 2);
    check_invariants(store.as_ref());
}
