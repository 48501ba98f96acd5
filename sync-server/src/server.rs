//! Starting and stopping the relay.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::config::ServeArgs;
use crate::seed::{self, SeededDoc};
use crate::store::FileStore;
use crate::web;

/// A relay ready to serve: its store is open and seeded.
#[derive(Debug)]
pub struct Relay {
    pub store: FileStore,
    pub router: Router,
    /// The demo documents, when demo data is enabled.
    pub demo: Vec<SeededDoc>,
}

impl Relay {
    /// Opens the store under the data directory and loads demo data into it if enabled.
    pub fn open(args: &ServeArgs) -> anyhow::Result<Self> {
        let store = FileStore::open(args.data_dir.join("docs"))
            .with_context(|| format!("opening the store in {}", args.data_dir.display()))?;
        let demo = if args.no_demo {
            Vec::new()
        } else {
            seed::seed_demo(&store).context("writing demo data")?
        };
        let router = web::static_router(&args.static_dir);
        Ok(Self { store, router, demo })
    }
}

/// Serves `relay` on `listener` until `shutdown` completes, then finishes open requests.
pub async fn serve(
    listener: TcpListener,
    relay: Relay,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        relay.router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving")
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
