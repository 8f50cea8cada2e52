//! Assembles the HTTP application (every dialect, the native API, health
//! and metrics routes, limits, request ids, logging, request metrics) and
//! runs it until shutdown, under the connection limits of
//! `http::connections`.

use crate::app::AppState;
use crate::config::{ServerConfig, BODY_LIMIT};
use crate::http::connections::{self, ConnectionLimits};
use axum::extract::DefaultBodyLimit;
use axum::http::uri::{Authority, PathAndQuery, Scheme};
use axum::http::{header, HeaderName, Request, StatusCode, Uri};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application, ready to serve.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let metrics = Arc::clone(&state.metrics);
    let limited = state.clone();
    Router::new()
        .merge(crate::http::health::router())
        .merge(crate::metrics::router())
        .merge(crate::native::router(&state))
        .merge(crate::dialects::router())
        // The web console (issue 17).
        .merge(crate::console::router())
        .with_state(state)
        // Rate limits per client address and token, refused in each API's shape.
        .layer(axum::middleware::from_fn_with_state(
            limited,
            crate::ratelimit::limit_api,
        ))
        // The limit is enforced where a handler reads its body (the `Bytes`
        // extractor, declared length or chunked alike), so that each dialect
        // refuses an oversized body in its own error shape; see `http::body`.
        // Bodies no handler reads are never buffered.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // A declared length over the limit is refused before the body is
        // read (and before `100 Continue`), through the same path.
        .layer(axum::middleware::map_request(
            crate::http::body::cut_declared_oversize,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(CatchPanicLayer::new())
        // Outside the timeout and panic layers, so 408s and 500s are counted;
        // `Router::layer` wraps each route, so the route template is known.
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
            })
            // One access-log line per request at the default level.
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serve plain HTTP on `listener` until `shutdown` resolves, under the
/// default [`ConnectionLimits`]; in-flight requests finish first.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, ConnectionLimits::default(), shutdown).await
}

/// Serve plain HTTP on `listener` under `limits` until `shutdown`
/// resolves (see `http::connections`).
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    connections::serve(listener, app, None, limits, shutdown).await
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; closing idle connections, finishing in-flight requests");
}

/// Serve HTTPS on `listener` with `tls` until `shutdown` resolves, under
/// the default [`ConnectionLimits`] but for the shutdown `grace` given.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    app: Router,
    tls: Arc<rustls::ServerConfig>,
    grace: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let limits = ConnectionLimits {
        shutdown_grace: grace,
        ..ConnectionLimits::default()
    };
    serve_tls_with(TcpListener::from_std(listener)?, app, tls, limits, shutdown).await
}

/// Serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN) on `listener` under `limits`
/// until `shutdown` resolves; the TLS handshake counts toward the
/// header-read timeout.
pub async fn serve_tls_with(
    listener: TcpListener,
    app: Router,
    tls: Arc<rustls::ServerConfig>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(tower::util::MapRequestLayer::new(
        mark_https::<axum::body::Body>,
    ));
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    connections::serve(listener, app, Some(acceptor), limits, shutdown).await
}

/// An HTTP/1.1 request names only its path; give one that arrived over TLS
/// the `https` scheme and the authority (from `Host`) that an HTTP/2
/// request carries, so that links built from the request say `https://`.
fn mark_https<B>(mut request: Request<B>) -> Request<B> {
    if request.uri().scheme().is_some() {
        return request;
    }
    let authority = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .and_then(|host| host.parse::<Authority>().ok());
    if let Some(authority) = authority {
        let mut parts = request.uri().clone().into_parts();
        parts.scheme = Some(Scheme::HTTPS);
        parts.authority = Some(authority);
        if parts.path_and_query.is_none() {
            parts.path_and_query = Some(PathAndQuery::from_static("/"));
        }
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// Start the configured server and run it until a shutdown signal.
/// The TLS files are read before the port is opened, so a bad certificate
/// or key stops start-up with a message naming the file.
pub async fn run(config: ServerConfig, state: AppState) -> anyhow::Result<()> {
    let tls = config.tls.as_ref().map(crate::tls::load).transpose()?;
    let app = router(state, config.request_timeout);
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let address = listener.local_addr()?;
    let limits = config.connections;
    match tls {
        None => {
            tracing::info!(%address, "roster is listening (http)");
            serve_with(listener, app, limits, shutdown_signal()).await?;
        }
        Some(tls) => {
            tracing::info!(%address, "roster is listening (https: h2, http/1.1)");
            serve_tls_with(listener, app, tls, limits, shutdown_signal()).await?;
        }
    }
    Ok(())
}
