//! What every request handler can reach. Handlers (`api`, `manage`, `aggregates`, `sync`,
//! `web`) depend on this module and `server.rs` puts it together, so dependencies run one way.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use desmigratif_model::CellKey;

use crate::accounts::AccountDb;
use crate::limits::{Connections, Limits, LoginLimiter};
use crate::shards::Shards;
use crate::store::FileStore;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: AccountDb,
    pub store: FileStore,
    /// The sync layer: its documents are also read for the aggregate figures.
    pub sync: Shards,
    pub figures: FigureCache,
    pub limits: Limits,
    pub login_limiter: LoginLimiter,
    /// The sync connections open now, in all and per account and device.
    pub connections: Connections,
}

/// A village's cells and the heads they were counted at.
pub(crate) type Counted = (Vec<automerge::ChangeHash>, BTreeMap<CellKey, usize>);

/// Each village document's cells, by document id.
#[derive(Clone, Default)]
pub struct FigureCache {
    pub(crate) by_doc: Arc<Mutex<HashMap<String, Counted>>>,
}

impl std::fmt::Debug for FigureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FigureCache").finish_non_exhaustive()
    }
}
