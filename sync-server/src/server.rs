//! Starting and stopping the relay.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::accounts::AccountDb;
use crate::config::ServeArgs;
use crate::limits::Limits;
use crate::seed::{self, DemoAccount, SeededDoc};
use crate::shards::Shards;
use crate::store::FileStore;
use crate::{api, manage, sync, web};

pub use crate::shards::RELAY_PEER_ID;
pub use crate::state::AppState;

/// A relay ready to serve: store and accounts open, demo data loaded, sync layer running.
pub struct Relay {
    pub state: AppState,
    pub router: Router,
    /// The demo documents and accounts, when demo data is enabled.
    pub demo_docs: Vec<SeededDoc>,
    pub demo_accounts: Vec<DemoAccount>,
    /// Held while the relay runs (see [`crate::import::lock_data_dir`]).
    pub lock: std::fs::File,
    /// Notices the command line's changes to accounts (stopped with the relay).
    _watch: AbortOnDrop,
}

/// A background task that ends when its owner is dropped.
#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How often the relay looks for account changes made by the command line.
const OTHER_WRITERS_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("demo_docs", &self.demo_docs)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// Opens the store and the account database under the data directory, loads demo data if
    /// enabled, and starts the sync layer.
    pub async fn open(args: &ServeArgs) -> anyhow::Result<Self> {
        let dir = &args.data.data_dir;
        // One relay per data directory; `import` (which writes the store) waits for none.
        let lock = crate::import::lock_data_dir(dir)?;
        let store = FileStore::open(dir.join("docs"))
            .with_context(|| format!("opening the store in {}", dir.display()))?;
        let db = AccountDb::open(&dir.join("accounts.sqlite3")).context("opening the account database")?;
        let (demo_docs, demo_accounts) = if args.no_demo {
            (Vec::new(), Vec::new())
        } else {
            let villages = seed::demo_villages(args.demo_villages);
            let docs = seed::seed_demo_villages(&store, args.demo_households, &villages)
                .context("writing demo data")?;
            let accounts = seed::seed_demo_accounts_for(&db, &villages).context("creating demo accounts")?;
            (docs, accounts)
        };
        let sync = Shards::start(args.sync_shards, &store, &db).await?;
        let state = AppState {
            db,
            store,
            sync,
            figures: Default::default(),
            limits: Limits::from_args(args),
            login_limiter: Default::default(),
            connections: Default::default(),
        };
        let router = router(state.clone(), &args.static_dir);
        let watch = AbortOnDrop(tokio::spawn(
            state.db.clone().watch_other_writers(OTHER_WRITERS_CHECK),
        ));
        Ok(Self {
            state,
            router,
            demo_docs,
            demo_accounts,
            lock,
            _watch: watch,
        })
    }
}

/// Every route of the relay.
pub fn router(state: AppState, static_dir: &std::path::Path) -> Router {
    let dynamic = Router::new()
        .route("/sync", get(sync::sync_handler))
        .route("/api/login", post(api::login))
        .route("/api/me", get(api::me))
        .route("/api/aggregates", get(crate::aggregates::aggregates))
        .route("/api/accounts", get(manage::list).post(manage::create))
        .route("/api/accounts/{username}/password", post(manage::reset_password))
        .route("/api/accounts/{username}/disable", post(manage::disable))
        .route("/api/accounts/{username}/enable", post(manage::enable))
        .route(
            "/api/accounts/{username}/devices/{device}/revoke",
            post(manage::revoke_device),
        )
        .route("/api/audit", get(manage::audit))
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(web::security_headers))
        .layer(axum::middleware::from_fn(web::access_log));
    dynamic.merge(web::static_router(static_dir, state.store))
}

/// Serves `relay` on `listener` until `shutdown` completes, then finishes open requests and
/// stops the sync layer, which flushes every pending write.
pub async fn serve(
    listener: TcpListener,
    relay: Relay,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let result = axum::serve(
        listener,
        relay.router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving");
    stopped(relay.state, result).await
}

/// After serving: stops the sync layer, which flushes every pending write.
async fn stopped(state: AppState, served: anyhow::Result<()>) -> anyhow::Result<()> {
    state.sync.stop().await;
    state.store.close();
    tracing::info!("stopped; storage flushed");
    served
}

/// [`serve`] over HTTPS: `listener` accepts TLS with `config` (which
/// [`crate::tls::TlsFiles::watch`] reloads in place on renewal).
pub async fn serve_tls(
    listener: std::net::TcpListener,
    relay: Relay,
    config: axum_server::tls_rustls::RustlsConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        // Open sync connections get a moment to finish what they are sending.
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
    });
    let result = axum_server::from_tcp_rustls(listener, config)
        .context("listening")?
        .handle(handle)
        .serve(relay.router.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .context("serving");
    stopped(relay.state, result).await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
