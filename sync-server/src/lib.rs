//! The Desmigratif relay: serves the built app, logs devices in, stores village documents
//! durably and syncs them with the automerge-repo protocol, deciding who may read and write
//! which document.
//!
//! `main.rs` only parses the command line; everything here can be driven by tests.

pub mod access;
pub mod accounts;
pub mod aggregates;
pub mod api;
pub mod backup;
pub mod config;
pub mod error;
pub mod export;
pub mod import;
pub mod limits;
pub mod manage;
pub mod regions;
pub mod seed;
pub mod server;
pub mod shards;
pub mod state;
pub mod store;
pub mod sync;
pub mod tls;
pub mod web;
pub mod wire;

pub use config::{Cli, Command, ServeArgs};
pub use error::AppError;
pub use server::{Relay, serve, serve_tls};
pub use store::FileStore;
