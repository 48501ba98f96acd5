//! Integration tests of the record model, one module per area.

/// Documents written by older versions of the record types.
mod compatibility;
/// Three or more replicas editing, deleting and creating offline, syncing in random orders.
mod convergence;
/// The dashboard's figures: a village's, filtered, and a district's sums.
mod dashboard;
/// Soft deletes against concurrent edits, and the deterministic genesis.
mod deletes;
/// Edits as data, sent as JSON and applied.
mod edit;
/// Exports: tables, CSV and XLSX.
mod export;
/// Importing placement lists: messy files, the preview, applying once (reading files needs the
/// `files` feature, which `cargo test --workspace` turns on through the app and the relay).
#[cfg(feature = "files")]
mod import;
/// The incrementally refreshed snapshot against fresh reads.
mod incremental;
/// The four pillars' records: cases and their logs, consultations, the shared pillar maps.
mod pillars;
/// Categories, households, search and counts.
mod queries;
/// The incremental snapshot by example.
mod refresh;
