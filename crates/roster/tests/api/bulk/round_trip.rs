//! Export then import into an empty database reproduces every user,
//! community and membership, record for record; `--community` exports one
//! community's people only; hashes only with `--with-password-hashes`.

use super::{check_invariants, path_str, Db};
use roster_engine::{Actor, Command, Role};
use roster_store::{CommunityKey, UserKey};

/// A source with the site community, an archived community, roles, bans,
/// invitations and requests, made through the CLI and the store's commands.
fn source() -> Db {
    let db = Db::new();
    db.ok(&[
        "user",
        "create",
        "--username",
        "root",
        "--password",
        "root password!",
        "--admin",
    ]);
    let file = db.file(
        "in.jsonl",
        br#"{"type":"user","username":"ann","email":"ann@example.org","first_name":"Ann","password":"ann's password"}
{"type":"user","username":"bob","nickname":"B","slug":"bob-b","photo_url":"https://example.org/b.png"}
{"type":"user","username":"cy","email":"cy@example.org","email_verified":true}
{"type":"community","name":"club","description":"line one\nline two","owner":"ann"}
{"type":"community","name":"quiet","visibility":"private","join_policy":"invite","contribution_mode":"managers","owner":"bob"}
{"type":"community","name":"old","owner":"cy","archived":true}
{"type":"membership","community":"club","user":"bob","standing":"manager","since":"2020-05-06T07:08:09.123Z"}
{"type":"membership","community":"club","user":"cy","standing":"banned"}
{"type":"membership","community":"quiet","user":"ann","standing":"invited"}
{"type":"membership","community":"quiet","user":"cy","standing":"requested"}
"#,
    );
    db.ok(&["import", path_str(&file)]);
    let store = db.store();
    let ann = store
        .find_user(&UserKey::Username("ann".into()))
        .unwrap()
        .unwrap();
    let bob = store
        .find_user(&UserKey::Username("bob".into()))
        .unwrap()
        .unwrap();
    // A change made by a command after the import: bob becomes an owner too.
    store
        .execute(
            Actor {
                user: ann.id,
                admin: false,
            },
            &CommunityKey::Name("club".into()),
            Command::SetRole {
                subject: bob.id,
                role: Role::Owner,
                expect: None,
            },
        )
        .unwrap();
    db
}

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn export_then_import_into_an_empty_database_reproduces_every_record() {
    let from = source();
    let export = from.ok(&["export", "--with-password-hashes"]);
    let records = lines(&export);
    let count = |kind: &str| records.iter().filter(|r| r["type"] == kind).count();
    assert_eq!(
        (count("user"), count("community"), count("membership")),
        (4, 4, 11)
    );
    assert!(
        records.iter().any(|r| r["site"] == true),
        "the site community is exported"
    );

    let to = Db::new();
    let file = to.file("export.jsonl", export.as_bytes());
    to.ok(&["import", path_str(&file)]);
    assert_eq!(
        to.ok(&["export", "--with-password-hashes"]),
        export,
        "record for record"
    );
    check_invariants(to.store().as_ref());
    check_invariants(from.store().as_ref());
    // The copied password works: the hash came along.
    let ann = to
        .store()
        .find_user(&UserKey::Username("ann".into()))
        .unwrap()
        .unwrap();
    assert!(roster::password::verify(
        "ann's password",
        &ann.password_hash
    ));
}

#[test]
fn without_the_flag_no_hash_leaves_and_one_community_exports_its_people_only() {
    let from = source();
    let export = from.ok(&["export"]);
    assert!(
        !export.contains("password_hash") && !export.contains("$argon2"),
        "{export}"
    );
    let out = from.dir.path().join("quiet.jsonl");
    from.ok(&["export", "--community", "quiet", path_str(&out)]);
    let records = lines(&std::fs::read_to_string(&out).unwrap());
    let names: Vec<&str> = records
        .iter()
        .filter(|r| r["type"] == "user")
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["ann", "bob", "cy"],
        "its owner and the people with a standing in it"
    );
    assert!(records
        .iter()
        .filter(|r| r["type"] == "community")
        .all(|r| r["name"] == "quiet"));
    assert_eq!(
        records.iter().filter(|r| r["type"] == "membership").count(),
        3
    );
    // Imported elsewhere, users come without a usable password.
    let to = Db::new();
    to.ok(&["import", path_str(&out)]);
    let bob = to
        .store()
        .find_user(&UserKey::Username("bob".into()))
        .unwrap()
        .unwrap();
    assert!(!roster::password::verify(
        "anything at all",
        &bob.password_hash
    ));
    check_invariants(to.store().as_ref());
}
