//! One command in flight per community per node (issue 13): commands on a
//! community queue here, in the node, before they check a connection out.
//!
//! PostgreSQL serializes a community's commands on its row lock anyway,
//! but a command waiting there holds a pooled connection: a community
//! hammered by many clients would fill the pool with its waiters, and
//! commands on every other community would wait for a connection. Queued
//! here instead, a hot community holds at most one connection per node.
//! This is only about fairness: the row lock remains what makes commands
//! on one community run one at a time across nodes. Keys are the caller's
//! (`id`, `num` or name): one community reached by two kinds of key takes
//! two turns, which costs at most one more connection.
//!
//! The queue is awaited (the commands run on the async driver): a waiter
//! holds no thread, and wakes when any turn is given back.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use tokio::sync::Notify;

use crate::CommunityKey;

/// The communities with a command in flight on this node.
#[derive(Debug, Default)]
pub(super) struct Turns {
    busy: Mutex<HashSet<String>>,
    freed: Notify,
}

/// Held while a command runs; the community's next command waits for it.
pub(super) struct Turn<'a> {
    turns: &'a Turns,
    key: String,
}

impl Turns {
    /// Wait for the community's turn.
    pub(super) async fn take(&self, community: &CommunityKey) -> Turn<'_> {
        let key = match community {
            CommunityKey::Id(id) => format!("i{}", id.0),
            CommunityKey::Num(num) => format!("n{num}"),
            CommunityKey::Name(name) => format!("s{}", name.to_lowercase()),
        };
        loop {
            // Registered before looking, so a turn given back between the
            // look and the wait still wakes this waiter.
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if self.busy().insert(key.clone()) {
                return Turn { turns: self, key };
            }
            freed.await;
        }
    }

    fn busy(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.busy.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.turns.busy().remove(&self.key);
        // Waiters for any community wake and look again (one set, one
        // notification: simple, and cheap at a pool's scale).
        self.turns.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn one_turn_per_community_at_a_time_others_pass() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let turns = Arc::new(Turns::default());
            let a = CommunityKey::Num(1);
            let b = CommunityKey::Num(2);
            let held = turns.take(&a).await;
            // Another community's turn is free while A's is held.
            drop(turns.take(&b).await);
            let inside = Arc::new(AtomicUsize::new(0));
            let waiter = {
                let (turns, inside) = (Arc::clone(&turns), Arc::clone(&inside));
                tokio::spawn(async move {
                    let _turn = turns.take(&CommunityKey::Num(1)).await;
                    inside.fetch_add(1, Ordering::SeqCst);
                })
            };
            // The waiter runs until it waits for A's turn.
            tokio::task::yield_now().await;
            assert_eq!(inside.load(Ordering::SeqCst), 0, "A's turn is held");
            drop(held);
            waiter.await.expect("waiter");
            assert_eq!(inside.load(Ordering::SeqCst), 1);
            assert!(turns.busy().is_empty(), "every turn given back");
        });
    }
}
