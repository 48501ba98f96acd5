//! The Desmigratif relay: serves the built app, stores village documents durably and (with the
//! relay issue) syncs them with the automerge-repo protocol.
//!
//! `main.rs` only parses the command line; everything here can be driven by tests.

pub mod config;
pub mod error;
pub mod seed;
pub mod server;
pub mod store;
pub mod web;

pub use config::{Cli, Command, ServeArgs};
pub use error::AppError;
pub use server::{Relay, serve};
pub use store::FileStore;
