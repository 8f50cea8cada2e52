//! Schema migrations on either backend: recorded once, not applied again
//! on reopening, and a database newer than the build is refused.

use roster_store::Error;

use crate::env::*;

pub fn migrations_are_recorded_once(env: Env) {
    let expected = vec![
        "1:init".to_owned(),
        "2:idempotency".to_owned(),
        "3:webhooks".to_owned(), // issue 16
        "4:policy".to_owned(),   // issue 14
        // The web console (issue 17).
        "5:console".to_owned(),
        // The feed numbered after commit (issue 13; a no-op on SQLite).
        "6:event_stamps".to_owned(),
    ];
    let applied = || {
        env.texts(
            "SELECT CAST(version AS TEXT) || ':' || name FROM schema_migrations ORDER BY version",
        )
    };
    assert_eq!(applied(), expected);
    for _ in 0..2 {
        let again = env.open_again().expect("open again");
        again.ping().expect("ping");
    }
    assert_eq!(applied(), expected, "reopening applies nothing again");
}

pub fn a_newer_schema_is_refused(env: Env) {
    env.exec(
        "INSERT INTO schema_migrations (version, name, applied_at)
         VALUES (99, 'future', CURRENT_TIMESTAMP)",
    );
    match env.open_again() {
        Err(Error::Backend(message)) => assert!(message.contains("newer"), "{message}"),
        Err(other) => panic!("expected a backend refusal, got {other:?}"),
        Ok(_) => panic!("a newer schema was opened"),
    }
}
