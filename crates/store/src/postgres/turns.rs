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

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, PoisonError};

use crate::CommunityKey;

/// The communities with a command in flight on this node.
#[derive(Debug, Default)]
pub(super) struct Turns {
    busy: Mutex<HashSet<String>>,
    freed: Condvar,
}

/// Held while a command runs; the community's next command waits for it.
pub(super) struct Turn<'a> {
    turns: &'a Turns,
    key: String,
}

impl Turns {
    /// Wait for the community's turn.
    pub(super) fn take(&self, community: &CommunityKey) -> Turn<'_> {
        let key = match community {
            CommunityKey::Id(id) => format!("i{}", id.0),
            CommunityKey::Num(num) => format!("n{num}"),
            CommunityKey::Name(name) => format!("s{}", name.to_lowercase()),
        };
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        while busy.contains(&key) {
            busy = self
                .freed
                .wait(busy)
                .unwrap_or_else(PoisonError::into_inner);
        }
        busy.insert(key.clone());
        Turn { turns: self, key }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut busy = self
            .turns
            .busy
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        busy.remove(&self.key);
        drop(busy);
        // Waiters for any community wake and look again (one set, one
        // condition: simple, and cheap at a pool's scale).
        self.turns.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn one_turn_per_community_at_a_time_others_pass() {
        let turns = Arc::new(Turns::default());
        let a = CommunityKey::Num(1);
        let b = CommunityKey::Num(2);
        let held = turns.take(&a);
        // Another community's turn is free while A's is held.
        drop(turns.take(&b));
        let inside = Arc::new(AtomicUsize::new(0));
        let waiter = {
            let (turns, inside) = (Arc::clone(&turns), Arc::clone(&inside));
            std::thread::spawn(move || {
                let _turn = turns.take(&CommunityKey::Num(1));
                inside.fetch_add(1, Ordering::SeqCst);
            })
        };
        // The waiter cannot be inside while A's turn is held.
        assert_eq!(inside.load(Ordering::SeqCst), 0);
        drop(held);
        waiter.join().expect("waiter");
        assert_eq!(inside.load(Ordering::SeqCst), 1);
        assert!(
            turns.busy.lock().unwrap().is_empty(),
            "every turn given back"
        );
    }
}
