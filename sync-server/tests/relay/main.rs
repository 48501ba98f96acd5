//! Integration tests of the relay, one module per area.

/// The durable store, read through samod as the sync layer reads it.
mod store;
