//! Integration tests of the relay against real sockets, one module per area. Helpers that start
//! a relay and open peers live in `support`.

mod support;

/// Who may read and write which document.
mod access;
/// Partners' figures: small cells hidden, no personal data, other roles refused.
mod aggregates;
/// Tokens, login and sessions.
mod auth;
/// Backups while the relay runs, restore, verify.
mod backup;
/// The `user` commands.
mod cli;
/// Restarts and `kill -9`.
mod durability;
/// Garbage, oversized and flooding peers next to a well-behaved one.
mod hostile;
/// Account management over HTTP: offices and their villages, devices revoked, the audit log.
mod manage;
/// Offline edits, reconnects and merges between village and district.
mod offline;
/// The durable store, read through samod as the sync layer reads it.
mod store;
/// HTTPS served by the relay, and certificate renewal without a restart.
mod tls;
