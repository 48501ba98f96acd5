//! The command line. Every `serve` option can also come from an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The Desmigratif relay.
#[derive(Debug, Parser)]
#[command(name = "sync-server", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app and the sync endpoint.
    Serve(ServeArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "DESMIGRATIF_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Directory holding the document store; created if missing.
    #[arg(long, env = "DESMIGRATIF_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Directory holding the built app (`index.html` and its assets).
    #[arg(long, env = "DESMIGRATIF_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,
    /// Do not load the demo villages into an empty store.
    #[arg(long, env = "DESMIGRATIF_NO_DEMO")]
    pub no_demo: bool,
}
