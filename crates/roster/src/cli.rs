//! The `roster` command line: `serve`, and the operator's commands to create
//! users, tokens and communities. Scriptable: each command prints only the
//! created id or token, or the whole object with `--json`.

use crate::admin::{self, UserSpec};
use crate::app::AppState;
use crate::config::{self, ServerConfig, TlsFiles};
use crate::native::views;
use anyhow::{anyhow, bail, Context as _};
use clap::{Args, Parser, Subcommand, ValueEnum};
use roster_engine::{ContributionMode, JoinPolicy, Visibility};
use roster_store::{Community, CommunityKey, EventQuery, Store, User, UserKey};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "roster",
    version,
    about = "Roster: a self-hosted membership server"
)]
pub struct Cli {
    /// Database URL: `sqlite://FILE` (default `sqlite://roster.db`),
    /// `postgres://USER:PASSWORD@HOST:PORT/DBNAME` or a libpq key=value
    /// string `host=… dbname=…` (several nodes may share one PostgreSQL).
    #[arg(long, global = true, env = "ROSTER_DATABASE_URL", default_value = config::DEFAULT_DATABASE)]
    pub database: String,
    /// Print the whole object as JSON instead of just its id.
    #[arg(long, global = true)]
    pub json: bool,
    /// argon2 cost and password pool (every command that hashes uses them).
    #[command(flatten)]
    pub hashing: crate::password::HashingArgs,
    /// The PostgreSQL connection pool (issue 13).
    #[command(flatten)]
    pub pool: config::PoolArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (creates and migrates the database if needed).
    Serve(Box<ServeArgs>),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage communities.
    #[command(subcommand)]
    Community(CommunityCommand),
    /// Print the event feed (audit log), oldest first.
    Events {
        /// Only events after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    // Moving in and out (issue 15): bodies in crate::bulk.
    /// Import users, communities and memberships (JSON Lines or CSV).
    Import(crate::bulk::ImportArgs),
    /// Export users, communities and memberships as JSON Lines.
    Export(crate::bulk::ExportArgs),
    /// Copy a live SQLite database to a new file (PostgreSQL: use pg_dump).
    Backup(crate::bulk::BackupArgs),
    /// Manage webhook subscriptions (issue 16).
    #[command(subcommand)]
    Webhook(crate::webhook_cli::WebhookCommand),
    /// The permission policy (issue 14): show it, or set levels.
    #[command(subcommand)]
    Policy(crate::policy_cli::PolicyCommand),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Longest time a request may take before it is answered 408.
    #[arg(long, env = "ROSTER_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Log format.
    #[arg(long, env = "ROSTER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, env = "ROSTER_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "ROSTER_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    #[command(flatten)]
    pub connections: config::ConnectionArgs,
    /// Rate limits and the login back-off (see `ratelimit`).
    #[command(flatten)]
    pub limits: crate::ratelimit::LimitArgs,
    /// Webhook delivery and the live stream (issue 16).
    #[command(flatten)]
    pub hooks: crate::webhooks::HookArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user; prints its UUID.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, env = "ROSTER_USER_PASSWORD")]
        password: String,
        #[arg(long)]
        email: Option<String>,
        /// May hold admin-scoped tokens (the first admin owns the site community).
        #[arg(long)]
        admin: bool,
    },
    /// List users, oldest first.
    List {
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Show one user (username or UUID).
    Show { user: String },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token for a user; prints the token (shown only once).
    Create {
        #[arg(long)]
        username: String,
        /// Comma-separated: community:read, community:write, admin.
        #[arg(long, default_value = "community:read,community:write")]
        scope: String,
        /// Lifetime, e.g. 90m, 24h, 30d; never expires when absent.
        #[arg(long, value_parser = parse_duration)]
        expires_in: Option<Duration>,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// List a user's tokens (never the secrets).
    List {
        #[arg(long)]
        username: String,
    },
    /// Revoke one of a user's tokens by id.
    Revoke {
        #[arg(long)]
        username: String,
        id: uuid::Uuid,
    },
}

#[derive(Subcommand, Debug)]
pub enum CommunityCommand {
    /// Create a community owned by a user; prints its UUID.
    Create {
        #[arg(long)]
        name: String,
        /// Username of the owner.
        #[arg(long)]
        owner: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "public")]
        visibility: Visibility,
        /// Default: `open` for public communities, `request` for private ones.
        #[arg(long)]
        join_policy: Option<JoinPolicy>,
        #[arg(long, default_value = "anyone")]
        contribution_mode: ContributionMode,
    },
    /// Show one community (UUID, number or name).
    Show { community: String },
}

/// Parse `90s`, `15m`, `24h`, `7d`, `1h 30m` (humantime's forms) or a
/// bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = text.parse().map_err(|_| format!("'{text}' is too long"))?;
        return Ok(Duration::from_secs(seconds));
    }
    humantime::parse_duration(text)
        .map_err(|error| format!("'{text}' is not a duration like 90s, 15m, 24h or 7d: {error}"))
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = match &cli.command {
        Command::Serve(args) => args.log_format,
        _ => LogFormat::Text,
    };
    init_logging(log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("roster: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Open the store a database URL names: `postgres://`, `postgresql://` or
/// a libpq key=value string for PostgreSQL (several nodes may share it),
/// anything else for SQLite.
pub fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    open_store_with(url, &config::PoolArgs::default())
}

/// [`open_store`] with the PostgreSQL pool's settings.
pub fn open_store_with(url: &str, pool: &config::PoolArgs) -> anyhow::Result<Arc<dyn Store>> {
    let context = || format!("cannot open database {}", config::mask_url(url));
    if roster_store::backend_of(url) == roster_store::Backend::Postgres {
        let store = roster_store::postgres::PgStore::open_url_with(url, &pool.options())
            .with_context(context)?;
        return Ok(Arc::new(store));
    }
    let store = roster_store::sqlite::SqliteStore::open_url(url).with_context(context)?;
    Ok(Arc::new(store))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // A backup opens the file itself (and PostgreSQL's is pg_dump's job).
    if let Command::Backup(args) = cli.command {
        return crate::bulk::backup(&cli.database, args, cli.json).await;
    }
    let store = open_store_with(&cli.database, &cli.pool)?;
    let state = AppState::new(store).with_passwords(cli.hashing.pool()?);
    let json = cli.json;
    match cli.command {
        Command::Serve(args) => serve(*args, &cli.database, state).await,
        Command::User(command) => user_command(&state, command, json).await,
        Command::Token(command) => token_command(&state, command, json).await,
        Command::Community(command) => crate::community_cli::run(&state, command, json).await,
        Command::Events { after, limit } => {
            let query = EventQuery {
                community: None,
                after,
                limit,
            };
            let events = state.events(query).await?;
            for event in events {
                println!("{}", serde_json::to_string(&event)?);
            }
            Ok(())
        }
        Command::Import(args) => crate::bulk::import(&state, args, json).await,
        Command::Export(args) => crate::bulk::export(&state, args).await,
        Command::Backup(_) => unreachable!("handled before the store is opened"),
        Command::Webhook(command) => crate::webhook_cli::run(&state, command, json).await,
        Command::Policy(command) => crate::policy_cli::policy_command(&state, command, json).await,
    }
}

async fn serve(args: ServeArgs, database: &str, state: AppState) -> anyhow::Result<()> {
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    let (connections, fd_limit) = args.connections.limits().fit_to_fd_limit();
    let config = ServerConfig {
        listen: args.listen,
        database: database.to_owned(),
        request_timeout: args.request_timeout,
        tls,
        connections,
    };
    tracing::info!(
        listen = %config.listen,
        database = %config::mask_url(&config.database),
        request_timeout = ?config.request_timeout,
        tls = config.tls.is_some(),
        header_read_timeout = ?connections.header_read_timeout,
        idle_timeout = ?connections.idle_timeout,
        max_connections = connections.max_connections,
        fd_limit,
        max_header_bytes = connections.max_header_bytes,
        shutdown_grace = ?connections.shutdown_grace,
        "configuration"
    );
    let limits = crate::ratelimit::LimitConfig::from(&args.limits);
    tracing::info!(
        argon2_memory_kib = state.passwords.memory_kib(),
        password_workers = state.passwords.workers(),
        limits = ?limits,
        "password hashing and rate limits"
    );
    let state = state.with_limits(crate::ratelimit::Limits::new(limits));
    // Webhooks (issue 16): the deliverer runs beside the server.
    let hooks = crate::webhooks::HookConfig::from_args(&args.hooks, database);
    tracing::info!(hooks = ?hooks, "webhooks and live streams");
    let state = state.with_hooks(hooks);
    let deliverer = crate::webhooks::deliver::start(state.clone());
    let served = crate::server::run(config, state).await;
    deliverer.abort();
    served
}

async fn user_command(state: &AppState, command: UserCommand, json: bool) -> anyhow::Result<()> {
    match command {
        UserCommand::Create {
            username,
            password,
            email,
            admin,
        } => {
            let user = admin::create_user(
                state,
                UserSpec {
                    username,
                    password,
                    email,
                    admin,
                    ..UserSpec::default()
                },
            )
            .await?;
            print(json, user.id.to_string(), user_json(&user));
        }
        UserCommand::List { limit } => {
            let users = state
                .call(move |store| store.list_users(None, limit))
                .await?;
            for user in users {
                print(
                    json,
                    format!("{}\t{}", user.id, user.username),
                    user_json(&user),
                );
            }
        }
        UserCommand::Show { user } => {
            let user = admin::user(state, user_key(&user)).await?;
            print(
                json,
                format!("{}\t{}", user.id, user.username),
                user_json(&user),
            );
        }
    }
    Ok(())
}

async fn token_command(state: &AppState, command: TokenCommand, json: bool) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            username,
            scope,
            expires_in,
            label,
        } => {
            let user = admin::user(state, UserKey::Username(username)).await?;
            let scopes = crate::auth::parse_scopes(&scope).map_err(|e| anyhow!(e))?;
            let expires_at = expires_in
                .map(|d| chrono::Duration::from_std(d).map(|d| chrono::Utc::now() + d))
                .transpose()
                .context("--expires-in is too long")?;
            let (token, record) =
                admin::issue_token(state, &user, scopes, &label, expires_at).await?;
            let mut object = token_json(&record);
            object["token"] = json!(token);
            print(json, token, object);
        }
        TokenCommand::List { username } => {
            let user = admin::user(state, UserKey::Username(username)).await?;
            let id = user.id;
            for record in state.call(move |store| store.list_tokens(id)).await? {
                print(
                    json,
                    format!(
                        "{}\t{}",
                        record.id,
                        crate::auth::format_scopes(record.scopes)
                    ),
                    token_json(&record),
                );
            }
        }
        TokenCommand::Revoke { username, id } => {
            let user = admin::user(state, UserKey::Username(username)).await?;
            let user_id = user.id;
            if !state.revoke_token(user_id, id).await? {
                bail!("no active token {id} belongs to that user");
            }
            print(json, id.to_string(), json!({"id": id, "revoked": true}));
        }
    }
    Ok(())
}

pub(crate) fn print(json: bool, short: String, object: Value) {
    if json {
        println!("{object}");
    } else {
        println!("{short}");
    }
}

pub(crate) fn user_key(text: &str) -> UserKey {
    match roster_engine::UserId::parse(text) {
        Some(id) => UserKey::Id(id),
        None => UserKey::Username(text.to_owned()),
    }
}

pub(crate) fn community_key(text: &str) -> CommunityKey {
    if let Some(id) = roster_engine::CommunityId::parse(text) {
        CommunityKey::Id(id)
    } else if let Ok(num) = text.parse() {
        CommunityKey::Num(num)
    } else {
        CommunityKey::Name(text.to_owned())
    }
}

/// The native API's JSON shapes, so that `--json` prints what `/v1` serves.
pub(crate) fn user_json(user: &User) -> Value {
    views::to_json(&views::user(user, true))
}

pub(crate) fn token_json(record: &roster_store::TokenRecord) -> Value {
    views::to_json(&views::token(record, None))
}

pub(crate) fn community_json(community: &Community) -> Value {
    views::to_json(&views::community(community, None))
}
