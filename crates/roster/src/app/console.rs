//! Typed async store calls for the web console's sessions (issue 17), so
//! that its handlers await `state.console_session(hash)` rather than
//! building a `state.run(move |s| …)` closure.

use super::AppState;
use roster_store::{ConsoleSession, NewConsoleSession, Result, User};

impl AppState {
    /// Store a console session.
    pub async fn create_console_session(&self, new: NewConsoleSession) -> Result<ConsoleSession> {
        self.run(move |store| store.create_console_session(new))
            .await
    }

    /// The console session with this hash and its user, live or not.
    pub async fn console_session(&self, hash: [u8; 32]) -> Result<Option<(ConsoleSession, User)>> {
        self.run(move |store| store.console_session(&hash)).await
    }

    /// End a console session; false when unknown or already ended.
    pub async fn end_console_session(&self, hash: [u8; 32]) -> Result<bool> {
        self.run(move |store| store.end_console_session(&hash))
            .await
    }
}
