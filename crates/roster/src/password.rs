//! Password hashing with argon2id (the PHC string is what the store keeps),
//! on a bounded pool.
//!
//! Each argon2 hash holds its memory cost (19 MiB by default) for its whole
//! run, so an unbounded number of concurrent logins is an unbounded amount
//! of memory. Every hash and verification therefore runs on a fixed set of
//! dedicated threads (never on an async worker, nor on tokio's blocking
//! pool, whose many threads would each keep a freed 19 MiB in their own
//! allocator arena), one per core by default, behind a semaphore;
//! password checks that anyone may start (logins, token creation) also pass
//! a capped wait queue, and beyond it are refused at once as
//! [`Busy`] (each dialect answers 503 with `Retry-After`). Authenticated
//! hashing (user creation, a password change, the CLI) waits for a slot.

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The argon2 cost and the pool's size, as flags and environment variables.
#[derive(clap::Args, Clone, Debug)]
pub struct HashingArgs {
    /// argon2id memory cost per hash, in KiB (each running hash holds this much).
    #[arg(long, global = true, env = "ROSTER_ARGON2_MEMORY_KIB", default_value_t = Params::DEFAULT_M_COST)]
    pub argon2_memory_kib: u32,
    /// argon2id iterations (time cost).
    #[arg(long, global = true, env = "ROSTER_ARGON2_ITERATIONS", default_value_t = Params::DEFAULT_T_COST)]
    pub argon2_iterations: u32,
    /// argon2id lanes (parallelism).
    #[arg(long, global = true, env = "ROSTER_ARGON2_PARALLELISM", default_value_t = Params::DEFAULT_P_COST)]
    pub argon2_parallelism: u32,
    /// Hashes that may run at once (default: the number of cores).
    #[arg(long, global = true, env = "ROSTER_PASSWORD_WORKERS")]
    pub password_workers: Option<usize>,
    /// Password checks that may wait for a worker; beyond them a login is refused with 503.
    #[arg(
        long,
        global = true,
        env = "ROSTER_PASSWORD_QUEUE",
        default_value_t = 32
    )]
    pub password_queue: usize,
}

impl HashingArgs {
    /// The pool these flags describe; bad argon2 parameters are an error.
    pub fn pool(&self) -> anyhow::Result<PasswordPool> {
        let params = Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
        Ok(PasswordPool::new(
            params,
            self.password_workers.unwrap_or_else(default_workers),
            self.password_queue,
        ))
    }
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Every worker and queue place is taken: try again shortly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

type Job = Box<dyn FnOnce() + Send>;

/// The bounded pool every password hash and verification runs on.
pub struct PasswordPool {
    params: Params,
    /// One permit per hash that may run at once (as many as threads).
    workers: Arc<Semaphore>,
    /// One permit per check that may be running or waiting (workers + queue).
    admission: Arc<Semaphore>,
    worker_count: usize,
    /// The dedicated threads' shared job queue (never longer than the permits).
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

impl std::fmt::Debug for PasswordPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordPool")
            .field("params", &self.params)
            .field("workers", &self.worker_count)
            .finish()
    }
}

/// Start `count` threads that run jobs until the pool is dropped.
fn start_threads(count: usize) -> std::sync::mpsc::Sender<Job> {
    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
    let receiver = Arc::new(std::sync::Mutex::new(receiver));
    for n in 0..count {
        let receiver = Arc::clone(&receiver);
        let spawned = std::thread::Builder::new()
            .name(format!("roster-password-{n}"))
            .spawn(move || loop {
                let job = match receiver.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a password thread");
        }
    }
    sender
}

impl Default for PasswordPool {
    /// Today's argon2 defaults (m=19456 KiB, t=2, p=1), one worker per core.
    fn default() -> Self {
        PasswordPool::new(Params::default(), default_workers(), 32)
    }
}

impl PasswordPool {
    pub fn new(params: Params, workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        PasswordPool {
            params,
            workers: Arc::new(Semaphore::new(workers)),
            admission: Arc::new(Semaphore::new(workers.saturating_add(queue))),
            worker_count: workers,
            jobs: std::sync::Mutex::new(start_threads(workers)),
        }
    }

    /// Hashes that may run at once.
    pub fn workers(&self) -> usize {
        self.worker_count
    }

    /// The argon2 memory cost of a new hash, in KiB.
    pub fn memory_kib(&self) -> u32 {
        self.params.m_cost()
    }

    /// Hash a new password with a fresh salt and the configured cost; waits
    /// for a worker however long the queue.
    pub async fn hash(&self, password: &str) -> String {
        let params = self.params.clone();
        let password = password.to_owned();
        self.run(move || hash_with(params, &password)).await
    }

    /// Check a password against a stored hash (its own PHC parameters);
    /// waits for a worker however long the queue.
    pub async fn verify(&self, password: &str, stored: &str) -> bool {
        let (password, stored) = (password.to_owned(), stored.to_owned());
        self.run(move || verify(&password, &stored)).await
    }

    /// Like [`verify`](Self::verify), but refused at once when the workers
    /// and the wait queue are all taken: for checks anyone may start.
    pub async fn verify_or_busy(&self, password: &str, stored: &str) -> Result<bool, Busy> {
        let Ok(_admitted) = Arc::clone(&self.admission).try_acquire_owned() else {
            return Err(Busy {
                retry_after: Duration::from_secs(1),
            });
        };
        Ok(self.verify(password, stored).await)
    }

    /// Run `work` on a password thread while holding a worker permit.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        // The semaphore is never closed, so acquiring cannot fail.
        let permit = Arc::clone(&self.workers).acquire_owned().await;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            let _ = reply.send(work());
        });
        let sent = match self.jobs.lock() {
            Ok(jobs) => jobs.send(job).map_err(|unsent| unsent.0),
            Err(_) => Err(job),
        };
        if let Err(job) = sent {
            // No thread could be started: run it on the blocking pool instead.
            let _ = tokio::task::spawn_blocking(job).await;
        }
        match answer.await {
            Ok(value) => value,
            Err(_) => panic!("a password thread failed"),
        }
    }
}

thread_local! {
    /// The argon2 working memory of this thread, kept between hashes: a
    /// fresh 19 MiB allocation per hash would leave freed copies behind in
    /// the allocator's arenas (the RSS grew far beyond workers × cost).
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Run argon2 into `out` on this thread's reused working memory.
fn compute(
    argon: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> bool {
    MEMORY.with(|cell| {
        let mut memory = cell.borrow_mut();
        let needed = params.block_count();
        if memory.len() != needed {
            memory.clear();
            memory.shrink_to_fit();
            memory.resize(needed, Block::default());
        }
        argon
            .hash_password_into_with_memory(password, salt, out, &mut memory[..])
            .is_ok()
    })
}

fn hash_with(params: Params, password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.as_salt().decode_b64(&mut salt_bytes) else {
        return String::new();
    };
    let mut out = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    if !compute(&argon, &params, password.as_bytes(), salt_bytes, &mut out) {
        return String::new();
    }
    let (Ok(params), Ok(output)) = (ParamsString::try_from(&params), Output::new(&out)) else {
        return String::new();
    };
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string()
}

/// Hash a password with a fresh salt and the default cost. Slow on purpose:
/// call it off the runtime (servers use [`PasswordPool::hash`]).
pub fn hash(password: &str) -> String {
    hash_with(Params::default(), password)
}

/// Does `password` match the stored PHC string? The hash's own parameters
/// (algorithm, version, memory, iterations, lanes, length) are used, so
/// hashes made under other settings keep working. A malformed hash never
/// matches. The comparison is constant-time (`Output`'s equality).
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    compute(&argon, &params, password.as_bytes(), salt_bytes, &mut out)
        && Output::new(&out).is_ok_and(|output| output == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Params {
        Params::new(64, 1, 1, None).unwrap()
    }

    #[tokio::test]
    async fn a_hash_made_with_other_parameters_still_verifies() {
        let pool = PasswordPool::new(cheap(), 1, 0);
        let stored = pool.hash("secret words").await;
        assert!(stored.contains("m=64,t=1,p=1"), "{stored}");
        // A pool with the default cost checks it with the stored cost.
        let other = PasswordPool::default();
        assert!(other.verify("secret words", &stored).await);
        assert!(!other.verify("other words", &stored).await);
    }

    #[test]
    fn hashes_interoperate_with_the_argon2_crate() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"secret words", &salt)
            .unwrap()
            .to_string();
        assert!(verify("secret words", &theirs));
        assert!(!verify("secret wordz", &theirs));
        let ours = hash("secret words");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"secret words", &parsed)
            .is_ok());
        assert!(!verify("secret words", "not a hash"));
        // The dummy hash of unknown users is a well-formed hash.
        assert!(PasswordHash::new(crate::admin::DUMMY_HASH).is_ok());
    }

    #[tokio::test]
    async fn checks_beyond_the_workers_and_queue_are_busy() {
        let pool = PasswordPool::new(cheap(), 1, 0);
        let stored = hash_with(cheap(), "pw");
        let held = Arc::clone(&pool.admission).try_acquire_owned().unwrap();
        assert!(pool.verify_or_busy("pw", &stored).await.is_err());
        drop(held);
        assert_eq!(pool.verify_or_busy("pw", &stored).await, Ok(true));
    }
}
