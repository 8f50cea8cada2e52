//! Shared state of the HTTP handlers: the store, and the bridge from async
//! handlers to the blocking store.

use roster_store::{Error, Result, Store};
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Run a blocking store call off the async runtime.
    pub async fn run<T, F>(&self, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || call(store.as_ref()))
            .await
            .unwrap_or_else(|join| Err(Error::Backend(format!("store task failed: {join}"))))
    }
}
