//! The device's replica of its documents and the automerge-repo protocol with the relay,
//! without any I/O: events go in (a socket opened, a message arrived, a change was stored, the
//! connection closed, the token was checked) and effects come out (open a socket, send these
//! bytes, store these changes with this sync state, redraw this document, retry in so many
//! milliseconds). The documents' worker (`worker.rs`) carries the effects out; the tests below run
//! the whole protocol natively against a simulated relay in milliseconds.

use std::collections::{BTreeMap, HashSet};

use automerge::sync;
use automerge::{AutoCommit, ChangeHash};
use desmigratif_model::{Author, DistrictDoc, Edit, Edited, ModelError, Reference, VillageCode, VillageDoc};

/// A document's chunks are replaced by one snapshot once it has more than this many.
pub const COMPACT_AFTER_CHUNKS: usize = 40;
/// How many recent changes a village view keeps for the home screen.
pub(crate) const RECENT: usize = 8;
const FIRST_RETRY_MS: u32 = 1_000;
const MAX_RETRY_MS: u32 = 15_000;

/// Where the connection to the relay stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Connection {
    /// No socket. A retry may be scheduled (the shell holds the timer).
    Offline,
    /// A socket is opening, or open and waiting for the relay's handshake answer.
    Connecting,
    /// The relay answered the handshake.
    Online { relay: String },
    /// The relay refused the token: the user must log in again (nothing local is lost).
    SessionExpired,
    /// Syncing was stopped (logout).
    Stopped,
}

/// What the shell must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Open a socket to the relay.
    Open,
    /// Close the socket.
    Close,
    /// Send these bytes to the relay.
    Send(Vec<u8>),
    /// Store the sync state and, when `changes` is not empty, the changes it says were
    /// received, in one transaction: a state must never claim changes the device lacks.
    Persist {
        doc: String,
        changes: Vec<u8>,
        sync_state: Vec<u8>,
    },
    /// The document's content changed: redraw what shows it, tell the other tabs.
    Changed(String),
    /// Try to connect again after this many milliseconds.
    RetryIn(u32),
    /// Ask the relay whether the token is still good (a socket was refused before opening).
    CheckToken,
    /// Replace the chunks `merged` by `snapshot` in storage.
    Compact {
        doc: String,
        snapshot: Vec<u8>,
        merged: Vec<String>,
    },
}

/// One document on the device.
pub struct Doc {
    automerge: AutoCommit,
    writable: bool,
    sync: sync::State,
    /// The relay said it will not share this document.
    unavailable: bool,
    /// Chunk keys in storage merged into `automerge` (compaction may delete exactly these).
    chunks: HashSet<String>,
    /// `None` until the document is a village document with content. Before the document
    /// is loaded, the view stored on the device (if any).
    view: Option<VillageView>,
    /// A district document's reference data, read whole after each change (it is small).
    reference: Option<Reference>,
    /// The Automerge document was loaded from the device (until then only the stored view is
    /// there: it can be shown, not edited or synced).
    loaded: bool,
    /// The heads of what is stored on the device (or being stored).
    saved: Vec<ChangeHash>,
    /// A village document's code: a village with no document anywhere yet (a new account)
    /// starts from the shared genesis change at its first edit.
    village: Option<VillageCode>,
    /// When the screens keep their own copy (see [`Replica::follow`]): what they need to bring
    /// it to this document's state, in order.
    updates: Option<Vec<ScreenUpdate>>,
}

/// What the screens' copy of one document needs to follow it, when the documents live apart
/// from the screens (in a worker). Sent in order, as postcard.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ScreenUpdate {
    /// A village's view whole, in its stored form (first read, or read afresh).
    View(Vec<u8>),
    /// A village view's changes since the previous update.
    Delta(ViewDelta),
    /// A district's reference data, whole (it is small).
    Reference(Reference),
}

impl Doc {
    /// The changes made or received since the last call, to be stored. (Automerge's own
    /// `save_incremental` would encode every change of a loaded document once more.)
    fn unsaved_changes(&mut self) -> Vec<u8> {
        // Nothing of the document stored yet (a first download): the whole document, compressed,
        // is smaller and quicker both to write and to load than its changes one by one
        // (measured natively at 10,000 persons: 92 ms and 1.2 MB against 191 ms and 7.7 MB to
        // write; 223 against 623 ms to load at the next opening).
        let bytes = if self.saved.is_empty() {
            self.automerge.save()
        } else {
            self.automerge.save_after(&self.saved)
        };
        if !bytes.is_empty() {
            self.saved = self.automerge.get_heads();
        }
        bytes
    }

    fn refresh_view(&mut self) {
        if self.automerge.get_heads().is_empty() {
            return;
        }
        if DistrictDoc::is_district(&self.automerge) {
            let district = DistrictDoc::from_automerge(std::mem::take(&mut self.automerge))
                .expect("checked to be a district document just above");
            let reference = district.reference();
            self.automerge = district.into_automerge();
            if let Some(updates) = &mut self.updates
                && self.reference.as_ref() != Some(&reference)
            {
                updates.push(ScreenUpdate::Reference(reference.clone()));
            }
            self.reference = Some(reference);
            return;
        }
        if !VillageDoc::is_village(&self.automerge) {
            return;
        }
        let mut doc = VillageDoc::from_automerge(std::mem::take(&mut self.automerge))
            .expect("checked to be a village document just above");
        match (&mut self.view, &mut self.updates) {
            (Some(view), Some(updates)) => {
                let delta = view.refresh_delta(&mut doc);
                if !delta.is_empty() {
                    updates.push(ScreenUpdate::Delta(delta));
                }
            }
            (Some(view), None) => view.refresh(&mut doc),
            (None, updates) => {
                let view = VillageView::new(&mut doc);
                if let Some(updates) = updates {
                    updates.push(ScreenUpdate::View(view.encode()));
                }
                self.view = Some(view);
            }
        }
        self.automerge = std::mem::take(doc.automerge());
    }
}

/// Why an edit was refused before anything was written.
#[derive(Debug)]
pub enum EditRefused {
    NotLoaded,
    ReadOnly,
    Model(ModelError),
}

/// The device's documents and its protocol state with the relay.
pub struct Replica {
    peer_id: String,
    docs: BTreeMap<String, Doc>,
    connection: Connection,
    backoff_ms: u32,
    /// The screens keep their own copy of each document's view (see [`Self::follow`]).
    follow: bool,
}

impl Replica {
    /// A replica speaking as `peer_id` (`username/device/session`).
    pub fn new(peer_id: String) -> Self {
        Self {
            peer_id,
            docs: BTreeMap::new(),
            connection: Connection::Offline,
            backoff_ms: FIRST_RETRY_MS,
            follow: false,
        }
    }

    /// Adds a document from the chunks stored on the device and its stored sync state.
    pub fn add_doc(
        &mut self,
        id: &str,
        writable: bool,
        chunks: Vec<(String, Vec<u8>)>,
        sync_state: Option<&[u8]>,
    ) {
        self.add_stored_view(id, writable, None);
        self.load(id, chunks, sync_state);
    }

    /// Adds a document to be shown from the view stored on the device (if it reads back) before
    /// its changes are loaded with [`Self::load`].
    pub fn add_stored_view(&mut self, id: &str, writable: bool, stored_view: Option<&[u8]>) {
        let doc = Doc {
            automerge: AutoCommit::new(),
            writable,
            sync: sync::State::new(),
            unavailable: false,
            chunks: HashSet::new(),
            view: stored_view.and_then(VillageView::decode),
            reference: None,
            loaded: false,
            saved: Vec::new(),
            village: None,
            updates: self.follow.then(Vec::new),
        };
        self.docs.insert(id.to_owned(), doc);
    }

    /// Names the village a document belongs to, so that a village with no document on the
    /// device or the relay yet (a new account) can start it at its first edit.
    pub fn set_village_code(&mut self, id: &str, code: VillageCode) {
        if let Some(d) = self.docs.get_mut(id) {
            d.village = Some(code);
        }
    }

    /// Loads a document's stored chunks and sync state; its view is resumed from the stored one
    /// (only changes made since are read) or read afresh. Returns `Changed` if what the screens
    /// show changed, and offers the relay what it lacks if connected.
    pub fn load(
        &mut self,
        id: &str,
        chunks: Vec<(String, Vec<u8>)>,
        sync_state: Option<&[u8]>,
    ) -> Vec<Effect> {
        let Some(doc) = self.docs.get_mut(id) else {
            return Vec::new();
        };
        if let Some(state) = sync_state.and_then(|b| sync::State::decode(b).ok()) {
            doc.sync = state;
        }
        for (key, chunk) in chunks {
            if doc.automerge.load_incremental(&chunk).is_ok() {
                doc.chunks.insert(key);
            }
        }
        // Changes loaded from the device are saved already (noted, not encoded again).
        doc.saved = doc.automerge.get_heads();
        doc.loaded = true;
        let stored = doc.view.take();
        let shown = stored.as_ref().map(|v| v.heads.clone());
        if let Some(stored) = stored
            && !doc.automerge.get_heads().is_empty()
            && VillageDoc::is_village(&doc.automerge)
        {
            let mut village = VillageDoc::from_automerge(std::mem::take(&mut doc.automerge))
                .expect("checked to be a village document just above");
            doc.view = stored.resumable(&mut village);
            doc.automerge = std::mem::take(village.automerge());
        }
        doc.refresh_view();
        let now = doc.view.as_ref().map(|v| v.heads.clone());
        let mut effects = Vec::new();
        if now != shown || doc.reference.is_some() {
            effects.push(Effect::Changed(id.to_owned()));
        }
        effects.extend(self.offer(id));
        effects
    }

    /// From now on, each document added records what the screens' own copy of it needs
    /// ([`Self::screen_updates`]): the screens then live apart from the documents (the
    /// documents in a worker, the screens in the window).
    pub fn follow(&mut self) {
        self.follow = true;
    }

    /// What the screens' copy of a document needs since the last call, in order.
    pub fn screen_updates(&mut self, doc: &str) -> Vec<ScreenUpdate> {
        self.docs
            .get_mut(doc)
            .and_then(|d| d.updates.as_mut())
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The screens' copy of a document missed an update: they get the view whole next.
    pub fn resend_view(&mut self, doc: &str) {
        if let Some(d) = self.docs.get_mut(doc)
            && let (Some(view), Some(updates)) = (&d.view, &mut d.updates)
        {
            updates.clear();
            updates.push(ScreenUpdate::View(view.encode()));
        }
    }

    /// Whether a document's changes are loaded (edits wait until then).
    pub fn is_loaded(&self, id: &str) -> bool {
        self.docs.get(id).is_some_and(|d| d.loaded)
    }

    /// A document's view in its stored form.
    pub fn stored_view(&self, id: &str) -> Option<Vec<u8>> {
        let doc = self.docs.get(id)?;
        doc.loaded.then(|| doc.view.as_ref().map(VillageView::encode))?
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn doc_ids(&self) -> impl Iterator<Item = &String> {
        self.docs.keys()
    }

    pub fn view(&self, doc: &str) -> Option<&VillageView> {
        self.docs.get(doc)?.view.as_ref()
    }

    /// A district document's reference data, once it has arrived.
    pub fn reference(&self, doc: &str) -> Option<&Reference> {
        self.docs.get(doc)?.reference.as_ref()
    }

    /// Local changes the relay has not confirmed.
    pub fn unsynced(&mut self) -> usize {
        self.docs
            .values_mut()
            .filter(|d| d.writable && !d.unavailable)
            .map(|d| {
                let shared = d.sync.shared_heads.clone();
                d.automerge.get_changes_meta(&shared).len()
            })
            .sum()
    }

    /// Documents that have not yet received everything the relay has (since this connection
    /// opened): until then the device is not "synced", even with nothing left to send.
    pub fn receiving(&mut self) -> usize {
        if !matches!(self.connection, Connection::Online { .. }) {
            return 0;
        }
        self.docs
            .values_mut()
            .filter(|d| d.loaded && !d.unavailable)
            .filter_map(|d| {
                let missing = match d.sync.their_heads.clone() {
                    None => true,
                    Some(heads) => heads.iter().any(|h| d.automerge.get_change_by_hash(h).is_none()),
                };
                missing.then_some(())
            })
            .count()
    }

    /// Runs `f` on a village document for reading (history, conflicts).
    pub fn read<T>(&mut self, doc: &str, f: impl FnOnce(&mut VillageDoc) -> T) -> Option<T> {
        let d = self.docs.get_mut(doc)?;
        if !d.loaded || d.automerge.get_heads().is_empty() || !VillageDoc::is_village(&d.automerge) {
            return None;
        }
        let mut village = VillageDoc::from_automerge(std::mem::take(&mut d.automerge)).ok()?;
        let out = f(&mut village);
        d.automerge = std::mem::take(village.automerge());
        Some(out)
    }

    /// Applies an edit to a village document. Returns the result, the new changes to store
    /// (empty if nothing changed) and the effects (the screens redraw at once). Once the shell
    /// has stored the changes it calls [`Self::stored`]; only then is the edit saved.
    pub fn edit<T>(
        &mut self,
        doc: &str,
        f: impl FnOnce(&mut VillageDoc) -> Result<T, ModelError>,
    ) -> Result<(T, Vec<u8>, Vec<Effect>), EditRefused> {
        let code = self.docs.get(doc).and_then(|d| d.village.clone());
        self.edit_automerge(doc, |automerge| {
            if let Some(code) = code
                && automerge.get_heads().is_empty()
            {
                // Nothing of this village exists yet, here or on the relay: every device
                // starts it with the same genesis change, so they merge as one document.
                *automerge = std::mem::take(VillageDoc::genesis(&code).automerge());
            }
            if !VillageDoc::is_village(automerge) {
                return Err(EditRefused::NotLoaded);
            }
            let mut village = VillageDoc::from_automerge(std::mem::take(automerge))
                .expect("checked to be a village document just above");
            let result = f(&mut village);
            *automerge = std::mem::take(village.automerge());
            result.map_err(EditRefused::Model)
        })
    }

    /// Applies an edit given as data to the document, a village's or the district's (see
    /// [`Self::edit`]).
    pub fn apply(
        &mut self,
        doc: &str,
        edit: &Edit,
        by: &Author,
        now: i64,
    ) -> Result<(Edited, Vec<u8>, Vec<Effect>), EditRefused> {
        let district = self
            .docs
            .get(doc)
            .is_some_and(|d| DistrictDoc::is_district(&d.automerge));
        if district {
            self.edit_district(doc, |d| edit.apply_district(d, by, now))
        } else {
            self.edit(doc, |d| edit.apply_village(d, by, now))
        }
    }

    /// As [`Self::edit`], for a district document (the district office's reference data).
    pub fn edit_district<T>(
        &mut self,
        doc: &str,
        f: impl FnOnce(&mut DistrictDoc) -> Result<T, ModelError>,
    ) -> Result<(T, Vec<u8>, Vec<Effect>), EditRefused> {
        self.edit_automerge(doc, |automerge| {
            if !DistrictDoc::is_district(automerge) {
                return Err(EditRefused::NotLoaded);
            }
            let mut district = DistrictDoc::from_automerge(std::mem::take(automerge))
                .expect("checked to be a district document just above");
            let result = f(&mut district);
            *automerge = district.into_automerge();
            result.map_err(EditRefused::Model)
        })
    }

    fn edit_automerge<T>(
        &mut self,
        doc: &str,
        f: impl FnOnce(&mut AutoCommit) -> Result<T, EditRefused>,
    ) -> Result<(T, Vec<u8>, Vec<Effect>), EditRefused> {
        let d = self.docs.get_mut(doc).ok_or(EditRefused::NotLoaded)?;
        if !d.loaded {
            return Err(EditRefused::NotLoaded);
        }
        if !d.writable {
            return Err(EditRefused::ReadOnly);
        }
        let value = f(&mut d.automerge)?;
        let changes = d.unsaved_changes();
        let mut effects = Vec::new();
        if !changes.is_empty() {
            d.refresh_view();
            effects.push(Effect::Changed(doc.to_owned()));
        }
        Ok((value, changes, effects))
    }

    /// The shell stored a chunk (a local edit, or changes received) under `key`: the relay is
    /// offered what it lacks, and a document with many chunks is compacted.
    pub fn stored(&mut self, doc: &str, key: String, local: bool) -> Vec<Effect> {
        let mut effects = Vec::new();
        if local {
            effects.extend(self.offer(doc));
        }
        let Some(d) = self.docs.get_mut(doc) else {
            return effects;
        };
        d.chunks.insert(key);
        if d.chunks.len() > COMPACT_AFTER_CHUNKS {
            let merged: Vec<String> = d.chunks.drain().collect();
            effects.push(Effect::Compact {
                doc: doc.to_owned(),
                snapshot: d.automerge.save(),
                merged,
            });
        }
        effects
    }

    /// Compaction finished: `snapshot` replaced the merged chunks (`Ok`), or failed and the
    /// merged chunks are still there (`Err`).
    pub fn compacted(&mut self, doc: &str, result: Result<String, Vec<String>>) {
        if let Some(d) = self.docs.get_mut(doc) {
            match result {
                Ok(key) => {
                    d.chunks.insert(key);
                }
                Err(merged) => d.chunks.extend(merged),
            }
        }
    }

    /// Chunks another tab stored: those not merged yet are loaded.
    pub fn from_other_tab(&mut self, doc: &str, chunks: Vec<(String, Vec<u8>)>) -> Vec<Effect> {
        let Some(d) = self.docs.get_mut(doc).filter(|d| d.loaded) else {
            return Vec::new();
        };
        let before = d.automerge.get_heads();
        for (key, chunk) in chunks {
            if !d.chunks.contains(&key) && d.automerge.load_incremental(&chunk).is_ok() {
                d.chunks.insert(key);
            }
        }
        d.saved = d.automerge.get_heads();
        if d.automerge.get_heads() == before {
            return Vec::new();
        }
        d.refresh_view();
        let mut effects = vec![Effect::Changed(doc.to_owned())];
        effects.extend(self.offer(doc));
        effects
    }
}

mod connection;
mod unsent;
mod view;

pub use view::{ViewDelta, VillageView};

#[cfg(test)]
mod tests;
