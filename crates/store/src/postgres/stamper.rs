//! One stamp in flight per node (issue 13): the writers of a node hand the
//! events they committed to one task, which numbers them in batches.
//!
//! Every committed event must be numbered before its writer answers
//! (`feed.rs` says how and why), and a stamp is a short transaction of its
//! own, serialized across the cluster by the stamp lock. Stamped one per
//! write, each write paid a second commit and a turn at that lock; when
//! writes arrive faster than stamps finish they queued there, each holding
//! a pooled connection. Here a node's writers queue in memory instead:
//! while one stamp runs, the events committed meanwhile wait, and the
//! next stamp numbers them all (one `roster_stamp_events` call and one
//! read of their numbers), so a node runs at most one stamp at a time and
//! under load far fewer stamps than writes.
//!
//! The task runs on the store's own runtime, so a writer that gives up
//! waiting (its request was dropped) never leaves a batch half done. The
//! queue holds at most one entry per write in flight, since every writer
//! waits for its answer. A stamp that fails answers `None` to its batch:
//! the changes are committed all the same, and the next stamp numbers them.

use std::collections::HashMap;
use std::time::Duration;

use deadpool::managed;
use tokio::sync::{mpsc, oneshot};

use super::errors::{Fault, Res};
use super::feed;
use super::live::Connector;
use super::sql::LiveClient;

/// Most events one stamp is asked for (the rest wait for the next).
const BATCH: usize = 1024;

/// A writer's request: the internal id of its committed event, and where
/// to send its number.
type Ask = (i64, oneshot::Sender<Option<i64>>);

/// The handle writers use; the task ends when the store's runtime does.
pub(super) struct Stamper {
    asks: mpsc::UnboundedSender<Ask>,
}

impl Stamper {
    /// Start the task on `runtime`, taking connections from `pool`.
    pub(super) fn start(
        pool: managed::Pool<Connector>,
        checkout: Duration,
        runtime: &tokio::runtime::Handle,
    ) -> Stamper {
        let (asks, queue) = mpsc::unbounded_channel();
        runtime.spawn(serve(pool, checkout, queue));
        Stamper { asks }
    }

    /// The number of the committed event `id`, once a stamp has given it;
    /// `None` when the stamp failed (the event is numbered later).
    pub(super) async fn number(&self, id: i64) -> Option<i64> {
        let (answer, numbered) = oneshot::channel();
        self.asks.send((id, answer)).ok()?;
        numbered.await.ok().flatten()
    }
}

async fn serve(
    pool: managed::Pool<Connector>,
    checkout: Duration,
    mut queue: mpsc::UnboundedReceiver<Ask>,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(ask) => batch.push(ask),
                Err(_) => break,
            }
        }
        let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
        let numbers = match stamp(&pool, checkout, &ids).await {
            Ok(numbers) => numbers,
            Err(fault) => {
                tracing::warn!(
                    ?fault,
                    events = ids.len(),
                    "postgres: committed events not numbered yet"
                );
                HashMap::new()
            }
        };
        for (id, answer) in batch {
            // A writer that stopped waiting no longer wants its number.
            let _ = answer.send(numbers.get(&id).copied());
        }
    }
}

/// One stamp on a pooled connection: the numbers of `ids`.
async fn stamp(
    pool: &managed::Pool<Connector>,
    checkout: Duration,
    ids: &[i64],
) -> Res<HashMap<i64, i64>> {
    let conn = match tokio::time::timeout(checkout, pool.get()).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(error)) => return Err(Fault::Other(format!("no connection to stamp: {error:?}"))),
        Err(_) => return Err(Fault::Other("no connection to stamp in time".into())),
    };
    feed::stamp_all(&mut LiveClient(&conn), ids).await
}
