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
//! holds no thread. Each community in use has its own FIFO lock, so a
//! turn given back wakes only the next waiter for that community (one
//! notification for everyone would wake every waiter of every community on
//! each command); the entry goes once no one holds or awaits it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as Queue, OwnedMutexGuard};

use crate::CommunityKey;

/// The communities with a command in flight on this node, each with its
/// queue of waiters.
#[derive(Debug, Default)]
pub(super) struct Turns {
    queues: Mutex<HashMap<String, Arc<Queue<()>>>>,
}

/// Held while a command runs; the community's next command waits for it.
pub(super) struct Turn<'a> {
    turns: &'a Turns,
    key: String,
    held: Option<OwnedMutexGuard<()>>,
}

impl Turns {
    /// Wait for the community's turn (first come, first served).
    pub(super) async fn take(&self, community: &CommunityKey) -> Turn<'_> {
        let key = match community {
            CommunityKey::Id(id) => format!("i{}", id.0),
            CommunityKey::Num(num) => format!("n{num}"),
            CommunityKey::Name(name) => format!("s{}", name.to_lowercase()),
        };
        let queue = Arc::clone(self.queues().entry(key.clone()).or_default());
        let held = Some(queue.lock_owned().await);
        Turn {
            turns: self,
            key,
            held,
        }
    }

    fn queues(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Queue<()>>>> {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        // The next waiter, if any, is woken here.
        drop(self.held.take());
        let mut queues = self.turns.queues();
        // Only the map refers to it: no one holds or awaits this turn (a
        // new taker clones the entry under the same lock).
        if queues
            .get(&self.key)
            .is_some_and(|q| Arc::strong_count(q) == 1)
        {
            queues.remove(&self.key);
        }
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
            assert!(turns.queues().is_empty(), "every turn given back");
        });
    }

    #[test]
    fn a_waiter_that_gives_up_leaves_no_entry_behind() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let turns = Turns::default();
            let a = CommunityKey::Num(1);
            let held = turns.take(&a).await;
            // Polled once (it queues behind the holder), then dropped, as a
            // request whose client went away.
            let gave_up = tokio::time::timeout(std::time::Duration::ZERO, turns.take(&a)).await;
            assert!(gave_up.is_err(), "A's turn is held");
            assert_eq!(turns.queues().len(), 1);
            drop(held);
            assert!(turns.queues().is_empty(), "nothing left for community A");
            drop(turns.take(&a).await);
            assert!(turns.queues().is_empty());
        });
    }
}
