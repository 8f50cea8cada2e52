//! Group commit: the one thread that owns SQLite's write connection.
//!
//! Every write (commands, community creation, users, tokens, idempotency
//! keys, logins) is a job sent to a bounded queue. The writer takes whatever
//! is queued when it is free (at most [`WriterConfig::max_batch`] jobs, so a
//! lone request is not delayed waiting for company), runs each job in its
//! own `SAVEPOINT` inside one `BEGIN IMMEDIATE` transaction, commits once
//! (one fsync of the WAL under `synchronous=FULL`) and only then answers
//! every caller of the batch. A refusal or an error rolls back its own
//! savepoint alone and goes to its own caller; if the `COMMIT` fails, every
//! caller of the batch gets an error and none is acknowledged.
//!
//! Jobs of one batch run one after the other on one connection, each seeing
//! the ones before it: the single writer is still what serialises commands
//! on a community, as the `Mutex` did before it. A full queue makes a caller
//! wait (backpressure); nothing is dropped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::{Error, Result, StoreFuture, WriteStats};

/// The upper bounds of the batch-size histogram.
pub(crate) const BATCH_BUCKETS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/// How big the queue and a batch may grow.
#[derive(Clone, Copy, Debug)]
pub struct WriterConfig {
    /// Jobs waiting for the writer before a caller has to wait too.
    pub queue_capacity: usize,
    /// Jobs sharing one commit, at most.
    pub max_batch: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            queue_capacity: 1024,
            max_batch: 256,
        }
    }
}

/// One write waiting for, or run by, the writer.
trait Job: Send {
    /// Run inside the job's savepoint; true when it should be kept.
    fn run(&mut self, conn: &Connection) -> bool;
    /// The batch was not committed: the caller gets `error` instead.
    fn fail(&mut self, error: &str);
    /// Send the caller its answer.
    fn answer(self: Box<Self>);
}

/// A job and the channel its caller waits on.
struct Pending<T, F> {
    work: Option<F>,
    result: Option<Result<T>>,
    reply: flume::Sender<Result<T>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
            Err(Error::Backend(
                "sqlite: a write panicked; it was rolled back".into(),
            ))
        });
        let kept = result.is_ok();
        self.result = Some(result);
        kept
    }

    fn fail(&mut self, error: &str) {
        self.result = Some(Err(Error::Backend(error.to_owned())));
    }

    fn answer(self: Box<Self>) {
        let result = self
            .result
            .unwrap_or_else(|| Err(Error::Backend("sqlite: the write did not run".into())));
        // The caller may be gone (an abandoned request): nothing to tell.
        let _ = self.reply.send(result);
    }
}

enum Message {
    Job(Box<dyn Job>),
    Stop,
}

/// Counters the writer keeps for [`WriteStats`].
#[derive(Default)]
struct Counts {
    batches: AtomicU64,
    writes: AtomicU64,
    buckets: [AtomicU64; BATCH_BUCKETS.len() + 1],
}

impl Counts {
    fn record(&self, size: usize) {
        let size = size as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(size, Ordering::Relaxed);
        let bucket = BATCH_BUCKETS
            .iter()
            .position(|&bound| size <= bound)
            .unwrap_or(BATCH_BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
    }
}

/// The queue in front of the writer thread, and the thread.
pub(super) struct WriteQueue {
    sender: flume::Sender<Message>,
    counts: Arc<Counts>,
    thread: Option<JoinHandle<()>>,
}

fn stopped<E>(_: E) -> Error {
    Error::Backend("sqlite: the writer has stopped".into())
}

impl WriteQueue {
    /// Start the writer thread on `conn`.
    pub(super) fn start(conn: Connection, config: WriterConfig) -> Result<WriteQueue> {
        let (sender, receiver) = flume::bounded(config.queue_capacity.max(1));
        let counts = Arc::new(Counts::default());
        let thread_counts = Arc::clone(&counts);
        let max_batch = config.max_batch.max(1);
        let thread = std::thread::Builder::new()
            .name("roster-sqlite-writer".into())
            .spawn(move || drain(&conn, &receiver, &thread_counts, max_batch))
            .map_err(|e| Error::Backend(format!("sqlite: cannot start the writer: {e}")))?;
        Ok(WriteQueue {
            sender,
            counts,
            thread: Some(thread),
        })
    }

    fn job<T, F>(work: F) -> (Box<dyn Job>, flume::Receiver<Result<T>>)
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = flume::bounded(1);
        let job = Pending {
            work: Some(work),
            result: None,
            reply,
        };
        (Box::new(job), answer)
    }

    /// Queue `work` (waiting while the queue is full) and block until its
    /// batch has committed or failed.
    pub(super) fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (job, answer) = Self::job(work);
        self.sender.send(Message::Job(job)).map_err(stopped)?;
        answer.recv().map_err(stopped)?
    }

    /// The same as [`WriteQueue::write`], awaited instead of blocking. The
    /// job is queued when the future is first polled; once queued it runs
    /// even if the future is dropped.
    pub(super) fn write_async<T, F>(&self, work: F) -> StoreFuture<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (job, answer) = Self::job(work);
        let sender = self.sender.clone();
        Box::pin(async move {
            sender
                .send_async(Message::Job(job))
                .await
                .map_err(stopped)?;
            answer.recv_async().await.map_err(stopped)?
        })
    }

    pub(super) fn stats(&self) -> WriteStats {
        let counts = &self.counts;
        WriteStats {
            queue_depth: self.sender.len() as u64,
            batches: counts.batches.load(Ordering::Relaxed),
            batched_writes: counts.writes.load(Ordering::Relaxed),
            batch_size_buckets: BATCH_BUCKETS
                .iter()
                .map(|&bound| bound as f64)
                .chain([f64::INFINITY])
                .zip(counts.buckets.iter().map(|n| n.load(Ordering::Relaxed)))
                .collect(),
        }
    }
}

impl Drop for WriteQueue {
    /// Let the writer finish what is queued before the stop, then close.
    fn drop(&mut self) {
        let _ = self.sender.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("sqlite: the writer thread panicked");
            }
        }
    }
}

/// The writer thread: batch after batch until told to stop.
fn drain(conn: &Connection, receiver: &flume::Receiver<Message>, counts: &Counts, max: usize) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(max);
    let mut stopping = false;
    while !stopping {
        match receiver.recv() {
            Ok(Message::Job(job)) => batch.push(job),
            Ok(Message::Stop) | Err(_) => break,
        }
        while batch.len() < max {
            match receiver.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Stop) => {
                    stopping = true;
                    break;
                }
                Err(_) => break,
            }
        }
        counts.record(batch.len());
        commit_batch(conn, &mut batch);
    }
    // Jobs sent after the stop are dropped with their reply channel: their
    // callers get "the writer has stopped", and nothing of theirs is written.
}

/// Run and commit one batch, then answer every caller in it.
fn commit_batch(conn: &Connection, batch: &mut Vec<Box<dyn Job>>) {
    let mut pending = batch.drain(..);
    let mut done: Vec<Box<dyn Job>> = Vec::new();
    // Usually one transaction; another only when a failed write made SQLite
    // roll back the whole transaction (I/O error, disk full), which fails
    // the jobs before it too, and the rest run in a fresh one.
    while pending.len() > 0 {
        if let Err(error) = transaction(conn, &mut pending, &mut done) {
            if !conn.is_autocommit() {
                if let Err(rollback) = exec(conn, "ROLLBACK") {
                    tracing::error!(%rollback, "sqlite: rolling back a failed batch failed");
                }
            }
            tracing::error!(%error, writes = done.len(), "sqlite: a batch was not committed");
            let error = format!("sqlite: {error}");
            for job in &mut done {
                job.fail(&error);
            }
        }
        for job in done.drain(..) {
            job.answer();
        }
    }
}

/// Run jobs from `pending` into `done` in one transaction and commit it.
/// On error the transaction may still be open; the caller rolls it back.
fn transaction(
    conn: &Connection,
    pending: &mut std::vec::Drain<'_, Box<dyn Job>>,
    done: &mut Vec<Box<dyn Job>>,
) -> std::result::Result<(), String> {
    if let Err(error) = exec(conn, "BEGIN IMMEDIATE") {
        done.extend(pending.by_ref());
        return Err(error.to_string());
    }
    for mut job in pending.by_ref() {
        let began = exec(conn, "SAVEPOINT job");
        let kept = began.is_ok() && job.run(conn);
        done.push(job);
        began.map_err(|e| e.to_string())?;
        if conn.is_autocommit() {
            return Err("a failed write rolled back the whole transaction".into());
        }
        if !kept {
            exec(conn, "ROLLBACK TO job").map_err(|e| e.to_string())?;
        }
        exec(conn, "RELEASE job").map_err(|e| e.to_string())?;
    }
    exec(conn, "COMMIT").map_err(|e| e.to_string())
}

/// One statement without parameters, prepared once.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Wait (bounded) until the queue's stats satisfy `done`.
    fn settled(queue: &WriteQueue, done: impl Fn(&WriteStats) -> bool) -> bool {
        (0..2000).any(|_| {
            std::thread::sleep(Duration::from_millis(1));
            done(&queue.stats())
        })
    }

    /// A deferred foreign key fails the batch's COMMIT, not a statement:
    /// every caller of that batch hears of it, and none of it is written.
    #[test]
    fn a_failed_commit_fails_every_write_of_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;
             CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (parent INTEGER REFERENCES parent (id));
             CREATE TABLE t (x);",
        )
        .unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        let queue = std::sync::Arc::new(WriteQueue::start(conn, WriterConfig::default()).unwrap());
        let lock = Connection::open(&path).unwrap();
        lock.execute_batch("BEGIN IMMEDIATE").unwrap();
        let spawn = |sql: &'static str| {
            let queue = std::sync::Arc::clone(&queue);
            std::thread::spawn(move || queue.write(move |conn| Ok(conn.execute_batch(sql)?)))
        };
        let first = spawn("INSERT INTO t VALUES (0)");
        assert!(
            settled(&queue, |stats| stats.batches == 1),
            "the writer took the first job"
        );
        let good = spawn("INSERT INTO t VALUES (1)");
        let bad = spawn("PRAGMA defer_foreign_keys = ON; INSERT INTO child VALUES (999)");
        assert!(
            settled(&queue, |stats| stats.queue_depth == 2),
            "two writes queued"
        );
        drop(lock);
        first.join().unwrap().unwrap();
        for failed in [good, bad] {
            match failed.join().unwrap() {
                Err(Error::Backend(message)) => {
                    assert!(message.contains("FOREIGN KEY"), "{message}")
                }
                other => panic!("a write of a failed batch: {other:?}"),
            }
        }
        let rows: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 1, "only the first batch is written");
        assert_eq!(queue.stats().batches, 2);
        assert_eq!(queue.stats().batched_writes, 3);
    }

    #[test]
    fn a_panicking_write_is_an_error_to_its_caller_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("p.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        let queue = WriteQueue::start(conn, WriterConfig::default()).unwrap();
        let panicked = queue.write(|conn| -> Result<()> {
            conn.execute_batch("INSERT INTO t VALUES (1)")?;
            panic!("a bug in a write")
        });
        assert!(matches!(panicked, Err(Error::Backend(_))), "{panicked:?}");
        let rows = queue
            .write(|conn| Ok(conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))?))
            .unwrap();
        assert_eq!(rows, 0, "the panicking write was rolled back");
    }
}
