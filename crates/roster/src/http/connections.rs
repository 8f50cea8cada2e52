//! The server's own accept loop, plain HTTP and HTTPS alike, so that one
//! unauthenticated client cannot hold Roster: `axum::serve` applies no
//! header-read or idle timer, no connection cap and no bound on shutdown.
//!
//! - **Connection cap**: a connection takes one of `max_connections` slots
//!   before it is accepted; beyond the cap new connections wait in the
//!   kernel's backlog (they take no file descriptor) until one closes.
//! - **Header-read timeout**: a connection must deliver a request's head
//!   (request line and headers; for HTTPS the TLS handshake too) within
//!   `header_read_timeout` of its first byte, or of being accepted for the
//!   first request; else it is closed (slowloris).
//! - **Idle timeout**: a connection with no request in flight and no new
//!   request begun is closed `idle_timeout` after its last answer.
//! - **Head size**: hyper refuses a request line plus headers longer than
//!   `max_header_bytes` with 431 (HTTP/1.1; HTTP/2's header list likewise).
//! - **Shutdown**: accepting stops; idle and half-sent connections close at
//!   once; a connection with a request in flight finishes it (keep-alive
//!   off) and is closed after `shutdown_grace` at the latest.
//!
//! The two timers are Roster's, not hyper's `header_read_timeout`: hyper
//! starts that timer as soon as a keep-alive connection falls idle, so it
//! would cut idle connections at the header-read limit. Here each
//! connection's [`Activity`] (fed by its socket reads and by the requests
//! its service runs) tells the two apart. A request counts as in flight
//! from the handler's start until its answer's body is sent or dropped.
//! Every request carries [`ConnectInfo`] with the peer's address.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use axum::Router;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt as _;

/// hyper's floor for its read buffer, hence for `max_header_bytes`.
pub const MIN_HEADER_BYTES: usize = 8192;
/// File descriptors kept free of connections: the database files and
/// pools, the listener, the standard streams, the runtime's own.
pub const RESERVED_FDS: u64 = 128;

/// The limits every connection is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_header_bytes: usize,
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            max_header_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

impl ConnectionLimits {
    /// Raise the soft open-file limit toward the hard one (where the OS
    /// allows) and lower `max_connections` to fit under it with
    /// [`RESERVED_FDS`] to spare. Returns the limits and the soft limit in
    /// force, when known.
    pub fn fit_to_fd_limit(mut self) -> (ConnectionLimits, Option<u64>) {
        let soft = rlimit::increase_nofile_limit(u64::MAX).ok();
        if let Some(soft) = soft {
            let room =
                usize::try_from(soft.saturating_sub(RESERVED_FDS).max(1)).unwrap_or(usize::MAX);
            if self.max_connections > room {
                tracing::warn!(
                    configured = self.max_connections,
                    fd_limit = soft,
                    max_connections = room,
                    "max connections lowered to fit the open-file limit"
                );
                self.max_connections = room;
            }
        }
        (self, soft)
    }
}

/// What `serve` needs on every connection.
struct Shared {
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: ConnectionLimits,
    builder: auto::Builder<TokioExecutor>,
}

/// Serve `app` on `listener` (over TLS when `tls` is given) under `limits`
/// until `shutdown` resolves; returns once every connection has closed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, u32::MAX as usize);
    let slots = Arc::new(Semaphore::new(max));
    let shared = Arc::new(Shared {
        app,
        tls,
        limits,
        builder: builder(&limits),
    });
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let shared = Arc::clone(&shared);
                tokio::spawn(connection(shared, stream, peer, stopped.clone(), slot));
            }
            Err(error) if is_per_connection(&error) => {}
            Err(error) => {
                // Out of file descriptors, most likely: wait for some to close.
                tracing::error!(%error, "accepting a connection failed");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    // Each connection closes by the grace period; wait for all their slots.
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

fn builder(limits: &ConnectionLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true)
        .max_buf_size(limits.max_header_bytes.max(MIN_HEADER_BYTES));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    builder
}

/// Errors of one connection that was never ours (reset before accept).
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// One connection, from accept to close; holds its slot throughout.
async fn connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    mut stopped: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new(Instant::now()));
    let Some(acceptor) = shared.tls.clone() else {
        let io = Watched::new(stream, Arc::clone(&activity));
        return drive(&shared, io, peer, activity, stopped).await;
    };
    let handshake =
        tokio::time::timeout(shared.limits.header_read_timeout, acceptor.accept(stream));
    let tls = tokio::select! {
        tls = handshake => tls,
        _ = stopped.wait_for(|stop| *stop) => return,
    };
    match tls {
        Ok(Ok(stream)) => {
            let io = Watched::new(stream, Arc::clone(&activity));
            drive(&shared, io, peer, activity, stopped).await;
        }
        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

/// Serve HTTP on one connection under the timers, until it ends, a timer
/// closes it, or shutdown does.
async fn drive<T>(
    shared: &Shared,
    io: Watched<T>,
    peer: SocketAddr,
    activity: Arc<Activity>,
    mut stopped: watch::Receiver<bool>,
) where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let limits = shared.limits;
    let service = ConnectionService {
        app: shared.app.clone(),
        activity: Arc::clone(&activity),
        peer,
    };
    let connection = shared.builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    // While a request runs there is no deadline; look again this often.
    let recheck = limits.header_read_timeout.min(limits.idle_timeout);
    loop {
        let wake = activity
            .deadline(&limits)
            .unwrap_or_else(|| Instant::now() + recheck);
        tokio::select! {
            ended = connection.as_mut() => {
                if let Err(error) = ended {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                return;
            }
            () = tokio::time::sleep_until(wake) => {
                if activity.deadline(&limits).is_some_and(|at| at <= Instant::now()) {
                    tracing::debug!(%peer, "connection closed by the header-read or idle timeout");
                    return;
                }
            }
            _ = stopped.wait_for(|stop| *stop) => break,
        }
    }
    if !activity.busy() {
        return; // idle or half-sent: closed at once
    }
    connection.as_mut().graceful_shutdown();
    let grace = Instant::now() + limits.shutdown_grace;
    if tokio::time::timeout_at(grace, connection).await.is_err() {
        tracing::warn!(%peer, "request still running after the shutdown grace period; connection closed");
    }
}

/// What a connection is doing, for its timers.
#[derive(Debug)]
struct Activity {
    state: Mutex<ActivityState>,
}

#[derive(Debug)]
struct ActivityState {
    /// Requests whose handler runs or whose answer is being sent.
    in_flight: usize,
    /// When the current phase began: the first byte of a request head
    /// (or the accept), or the end of the last answer.
    since: Instant,
    /// A request head is due (bytes have come since the last answer, or
    /// the connection is new); else the connection is idle.
    reading: bool,
    /// Whether the first bytes were the HTTP/2 preface: its control frames
    /// (pings, window updates) arrive on idle connections too, so they
    /// do not start the header-read timer.
    h2: Option<bool>,
}

impl Activity {
    fn new(accepted: Instant) -> Activity {
        Activity {
            state: Mutex::new(ActivityState {
                in_flight: 0,
                since: accepted,
                reading: true,
                h2: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ActivityState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes came from the client.
    fn received(&self, bytes: &[u8]) {
        let mut state = self.lock();
        let h2 = *state.h2.get_or_insert_with(|| bytes.starts_with(b"PRI "));
        if state.in_flight == 0 && !state.reading && !h2 {
            state.reading = true;
            state.since = Instant::now();
        }
    }

    /// A request reached the service; in flight until the guard drops.
    fn begin(self: &Arc<Self>) -> InFlight {
        let mut state = self.lock();
        state.in_flight += 1;
        state.reading = false;
        InFlight(Arc::clone(self))
    }

    fn busy(&self) -> bool {
        self.lock().in_flight > 0
    }

    /// When the connection is to be closed, if nothing changes.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        let state = self.lock();
        if state.in_flight > 0 {
            return None;
        }
        let limit = if state.reading {
            limits.header_read_timeout
        } else {
            limits.idle_timeout
        };
        Some(state.since + limit)
    }
}

/// One request in flight on a connection.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            state.since = Instant::now();
            state.reading = false;
        }
    }
}

/// A socket (or TLS stream) that reports what it reads to its [`Activity`].
struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    fn new(inner: T, activity: Arc<Activity>) -> Self {
        Watched { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.received(&buf.filled()[before..]);
        }
        poll
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The application as hyper calls it on one connection.
#[derive(Clone)]
struct ConnectionService {
    app: Router,
    activity: Arc<Activity>,
    peer: SocketAddr,
}

type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Answer;

    fn call(&self, request: Request<Incoming>) -> Answer {
        let in_flight = self.activity.begin();
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let app = self.app.clone();
        Box::pin(async move {
            let response = app.oneshot(request).await?;
            // In flight until the answer's body is sent (or dropped).
            Ok(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _in_flight = &in_flight;
                    frame
                }))
            }))
        })
    }
}
