//! Progress of a long import, export or hashing run on stderr: an
//! `indicatif` bar (rows/s, ETA, rejects so far) when stderr is a terminal,
//! a plain line every few seconds otherwise (logs, CI), and a last line
//! when done. It reads the counter the work updates; it never slows it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use roster_store::BulkProgress;

/// How often the plain lines come when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(2);

/// A running progress display; [`Reporter::finish`] ends it.
pub struct Reporter {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Reporter {
    /// Show `label` for `counter` out of `total` rows (unknown: a spinner);
    /// `rejects` are shown beside it.
    pub fn start(
        label: &'static str,
        total: Option<u64>,
        rejects: usize,
        counter: Arc<BulkProgress>,
    ) -> Reporter {
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        let thread = std::thread::Builder::new()
            .name("roster-progress".into())
            .spawn(move || {
                if std::io::stderr().is_terminal() {
                    bar(label, total, rejects, &counter, &flag);
                } else {
                    plain(label, total, rejects, &counter, &flag);
                }
            })
            .ok();
        Reporter { done, thread }
    }

    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.stop();
    }
}

fn bar(label: &str, total: Option<u64>, rejects: usize, counter: &BulkProgress, done: &AtomicBool) {
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:40}] {pos}/{len} rows, {per_sec}, ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{prefix} {spinner} {pos} rows, {per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_prefix(label.to_owned());
    if rejects > 0 {
        bar.set_message(format!("({rejects} rejected)"));
    }
    while !done.load(Ordering::SeqCst) {
        bar.set_position(counter.rows());
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.set_position(counter.rows());
    bar.finish();
}

fn plain(
    label: &str,
    total: Option<u64>,
    rejects: usize,
    counter: &BulkProgress,
    done: &AtomicBool,
) {
    let start = Instant::now();
    let mut last = Instant::now();
    let line = |rows: u64| {
        let seconds = start.elapsed().as_secs_f64().max(0.001);
        let rate = rows as f64 / seconds;
        let of = total.map(|t| format!("/{t}")).unwrap_or_default();
        let eta = match total {
            Some(total) if rate > 0.0 && total > rows => {
                format!(", ETA {:.0}s", (total - rows) as f64 / rate)
            }
            _ => String::new(),
        };
        eprintln!("{label}: {rows}{of} rows, {rate:.0} rows/s{eta}, {rejects} rejected");
    };
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
        if last.elapsed() >= PLAIN_EVERY {
            line(counter.rows());
            last = Instant::now();
        }
    }
    line(counter.rows());
}
