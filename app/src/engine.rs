//! The device's documents: loaded from IndexedDB, edited through the record model, saved
//! before an edit counts as done, and synced with the relay over the automerge-repo protocol.
//!
//! One [`Engine`] runs per tab. Each tab writes as its own Automerge actor and appends its own
//! chunks; a `BroadcastChannel` tells the other tabs to read them.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use automerge::AutoCommit;
use automerge::sync;
use desmigratif_model::VillageDoc;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

mod relay;

use crate::replica::VillageView;
use crate::session::{self, Session};
use crate::storage::DocStorage;

/// Compaction replaces the chunks of a document by one snapshot past this many chunks.
const COMPACT_AFTER_CHUNKS: usize = 40;
const CHANNEL: &str = "desmigratif-docs";
const LAST_SYNC_KEY: &str = "desmigratif.last_sync";

/// Where the connection to the relay stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Offline,
    Connecting,
    Online,
    /// The relay refused the token: the user must log in again (nothing local is lost).
    SessionExpired,
}

/// What the UI shows about storage and sync; all signals, so the screen follows.
#[derive(Clone, Copy, Debug)]
pub struct Status {
    pub connection: RwSignal<Connection>,
    /// Local changes the relay has not confirmed yet.
    pub unsynced: RwSignal<usize>,
    /// When the relay last confirmed everything (ms since the epoch).
    pub last_sync: RwSignal<Option<f64>>,
    /// Bumped when the engine has started (views that need it re-read); each document has
    /// its own change signal ([`Engine::changed`]).
    pub version: RwSignal<u64>,
    /// The documents are loaded from the device.
    pub ready: RwSignal<bool>,
    /// A storage failure the user must know about.
    pub storage_error: RwSignal<Option<String>>,
}

impl Status {
    pub fn new() -> Self {
        Self {
            connection: RwSignal::new(Connection::Offline),
            unsynced: RwSignal::new(0),
            last_sync: RwSignal::new(session::get_item(LAST_SYNC_KEY).and_then(|s| s.parse().ok())),
            version: RwSignal::new(0),
            ready: RwSignal::new(false),
            storage_error: RwSignal::new(None),
        }
    }
}

impl Default for Status {
    fn default() -> Self {
        Self::new()
    }
}

struct Held {
    doc: AutoCommit,
    /// `None` until the document is a village document with content.
    view: Option<VillageView>,
    /// Bumped after every change of this document.
    changed: RwSignal<u64>,
    writable: bool,
    /// Chunk keys merged into `doc` (compaction may delete exactly these).
    chunks: HashSet<String>,
    sync: sync::State,
    unavailable: bool,
}

struct Inner {
    session: Session,
    status: Status,
    storage: DocStorage,
    docs: HashMap<String, Held>,
    tab: String,
    /// The relay's sync endpoint; `None`: `/sync` on the page's own origin.
    sync_url: Option<String>,
    socket: Option<web_sys::WebSocket>,
    opened: bool,
    /// The relay's peer id, from its handshake answer.
    relay: String,
    backoff_ms: u32,
    channel: Option<web_sys::BroadcastChannel>,
    stopped: bool,
}

/// The tab's documents and its connection to the relay.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

impl Engine {
    /// Loads the session's documents from the device and starts syncing with the relay that
    /// served the app.
    pub async fn start(session: Session, status: Status) -> Result<Engine, String> {
        Self::start_with_relay(session, status, None).await
    }

    /// As [`Self::start`], with the relay's sync endpoint given (`ws://host:port/sync`), for a
    /// relay on another origin than the page.
    pub async fn start_with_relay(
        session: Session,
        status: Status,
        sync_url: Option<String>,
    ) -> Result<Engine, String> {
        let storage = DocStorage::open().await.map_err(|e| e.0)?;
        let mut docs = HashMap::new();
        for grant in &session.documents {
            let mut held = Held {
                doc: AutoCommit::new(),
                view: None,
                changed: RwSignal::new(0),
                writable: grant.access == "read_write",
                chunks: HashSet::new(),
                sync: sync::State::new(),
                unavailable: false,
            };
            for (key, chunk) in storage.load(&grant.doc_id).await.map_err(|e| e.0)? {
                if held.doc.load_incremental(&chunk).is_ok() {
                    held.chunks.insert(key);
                }
            }
            // Changes loaded from the device are saved already.
            let _ = held.doc.save_incremental();
            held.refresh_view();
            if let Ok(Some(bytes)) = storage.get_meta(&format!("{}/sync", grant.doc_id)).await
                && let Ok(state) = sync::State::decode(&bytes)
            {
                held.sync = state;
            }
            docs.insert(grant.doc_id.clone(), held);
        }
        let engine = Engine(Rc::new(RefCell::new(Inner {
            session,
            status,
            storage,
            docs,
            tab: session::random_id()[..8].to_owned(),
            sync_url,
            socket: None,
            opened: false,
            relay: String::new(),
            backoff_ms: 1000,
            channel: None,
            stopped: false,
        })));
        engine.listen_to_other_tabs();
        engine.listen_to_network_events();
        engine.refresh_unsynced();
        status.ready.set(true);
        status.version.update(|v| *v += 1);
        engine.connect();
        Ok(engine)
    }

    fn status(&self) -> Status {
        self.0.borrow().status
    }

    pub fn session(&self) -> Session {
        self.0.borrow().session.clone()
    }

    /// Reads a village's view (untracked); `None` before its document arrived.
    pub fn with_view<T>(&self, doc_id: &str, f: impl FnOnce(&VillageView) -> T) -> Option<T> {
        let inner = self.0.borrow();
        inner.docs.get(doc_id)?.view.as_ref().map(f)
    }

    /// The signal bumped after every change of a document.
    pub fn changed(&self, doc_id: &str) -> Option<RwSignal<u64>> {
        Some(self.0.borrow().docs.get(doc_id)?.changed)
    }

    /// Brings a document's view up to date with its changes, then tells the screens.
    fn document_changed(&self, doc_id: &str) {
        let signal = {
            let mut inner = self.0.borrow_mut();
            let Some(held) = inner.docs.get_mut(doc_id) else {
                return;
            };
            held.refresh_view();
            held.changed
        };
        signal.update(|v| *v += 1);
    }

    /// Runs `f` on a village document for reading (history, conflicts); `None` if the
    /// document has not arrived or is not a village.
    pub fn read<T>(&self, doc_id: &str, f: impl FnOnce(&mut VillageDoc) -> T) -> Option<T> {
        let mut inner = self.0.borrow_mut();
        let held = inner.docs.get_mut(doc_id)?;
        if held.doc.get_heads().is_empty() || !VillageDoc::is_village(&held.doc) {
            return None;
        }
        // Lend the document to the model without copying it, then take it back.
        match VillageDoc::from_automerge(std::mem::take(&mut held.doc)) {
            Ok(mut doc) => {
                let out = f(&mut doc);
                held.doc = std::mem::take(doc.automerge());
                Some(out)
            }
            Err(_) => None,
        }
    }

    /// Applies an edit to a village document, then saves it on the device. Resolves once the
    /// change is stored; only then may the UI say "saved".
    pub async fn edit<T>(
        &self,
        doc_id: &str,
        f: impl FnOnce(&mut VillageDoc) -> Result<T, desmigratif_model::ModelError>,
    ) -> Result<T, EditError> {
        let (result, chunk, storage) = {
            let mut inner = self.0.borrow_mut();
            let storage = inner.storage.clone();
            let held = inner.docs.get_mut(doc_id).ok_or(EditError::NotLoaded)?;
            if !held.writable {
                return Err(EditError::ReadOnly);
            }
            if !VillageDoc::is_village(&held.doc) {
                return Err(EditError::NotLoaded);
            }
            let mut doc = VillageDoc::from_automerge(std::mem::take(&mut held.doc))
                .map_err(|_| EditError::NotLoaded)?;
            let result = f(&mut doc);
            held.doc = std::mem::take(doc.automerge());
            let chunk = held.doc.save_incremental();
            (result, chunk, storage)
        };
        let value = result.map_err(EditError::Model)?;
        if !chunk.is_empty() {
            // The screens show the change at once; the caller says "saved" once it is stored.
            self.document_changed(doc_id);
            let key = storage
                .append(doc_id, &chunk)
                .await
                .map_err(|e| EditError::Storage(e.0))?;
            if let Some(held) = self.0.borrow_mut().docs.get_mut(doc_id) {
                held.chunks.insert(key);
            }
            self.announce(doc_id);
            self.after_change(doc_id);
        }
        Ok(value)
    }

    /// Bookkeeping after a local change was stored: relay, unsent count, compaction.
    fn after_change(&self, doc_id: &str) {
        self.send_sync(doc_id);
        self.refresh_unsynced();
        self.maybe_compact(doc_id);
    }

    fn maybe_compact(&self, doc_id: &str) {
        let (snapshot, merged, storage) = {
            let mut inner = self.0.borrow_mut();
            let storage = inner.storage.clone();
            let Some(held) = inner.docs.get_mut(doc_id) else {
                return;
            };
            if held.chunks.len() <= COMPACT_AFTER_CHUNKS {
                return;
            }
            let merged: Vec<String> = held.chunks.drain().collect();
            (held.doc.save(), merged, storage)
        };
        let engine = self.clone();
        let doc_id = doc_id.to_owned();
        leptos::task::spawn_local(async move {
            match storage.compact(&doc_id, &snapshot, &merged).await {
                Ok(key) => {
                    if let Some(held) = engine.0.borrow_mut().docs.get_mut(&doc_id) {
                        held.chunks.insert(key);
                    }
                }
                Err(_) => {
                    // The old chunks are still there; keep tracking them.
                    if let Some(held) = engine.0.borrow_mut().docs.get_mut(&doc_id) {
                        held.chunks.extend(merged);
                    }
                }
            }
        });
    }

    /// Counts local changes the relay has not confirmed.
    fn refresh_unsynced(&self) {
        let mut inner = self.0.borrow_mut();
        let count: usize = inner
            .docs
            .values_mut()
            .filter(|h| h.writable && !h.unavailable)
            .map(|h| {
                let shared = h.sync.shared_heads.clone();
                h.doc.get_changes_meta(&shared).len()
            })
            .sum();
        let status = inner.status;
        let online = inner.opened;
        drop(inner);
        status.unsynced.set(count);
        if online && count == 0 {
            let now = js_sys::Date::now();
            status.last_sync.set(Some(now));
            session::set_item(LAST_SYNC_KEY, &now.to_string());
        }
    }

    // --- other tabs -------------------------------------------------------------------------

    fn announce(&self, doc_id: &str) {
        if let Some(channel) = &self.0.borrow().channel {
            let _ = channel.post_message(&wasm_bindgen::JsValue::from_str(doc_id));
        }
    }

    fn listen_to_other_tabs(&self) {
        let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
            return;
        };
        let engine = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(doc_id) = e.data().as_string() {
                let engine = engine.clone();
                leptos::task::spawn_local(async move { engine.reload_from_device(&doc_id).await });
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        self.0.borrow_mut().channel = Some(channel);
    }

    /// Reads chunks another tab wrote.
    async fn reload_from_device(&self, doc_id: &str) {
        let storage = self.0.borrow().storage.clone();
        let Ok(chunks) = storage.load(doc_id).await else {
            return;
        };
        let mut changed = false;
        if let Some(held) = self.0.borrow_mut().docs.get_mut(doc_id) {
            let before = held.doc.get_heads();
            for (key, chunk) in chunks {
                if !held.chunks.contains(&key) && held.doc.load_incremental(&chunk).is_ok() {
                    held.chunks.insert(key);
                }
            }
            let _ = held.doc.save_incremental();
            changed = held.doc.get_heads() != before;
        }
        if changed {
            self.document_changed(doc_id);
            self.send_sync(doc_id);
            self.refresh_unsynced();
        }
    }

    /// Continues with a new token after the relay refused the old one; the documents on the
    /// device, and the changes not yet sent, stay as they are.
    pub fn renew(&self, session: Session) {
        {
            let mut inner = self.0.borrow_mut();
            inner.session.token = session.token;
            inner.session.expires_at = session.expires_at;
            inner.stopped = false;
            inner.backoff_ms = 1000;
        }
        self.connect();
    }

    /// Stops syncing (logout).
    pub fn stop(&self) {
        let socket = {
            let mut inner = self.0.borrow_mut();
            inner.stopped = true;
            inner.socket.take()
        };
        if let Some(ws) = socket {
            let _ = ws.close();
        }
    }

    /// Removes every document of the session from the device.
    pub async fn forget_everything(&self) -> Result<(), String> {
        self.stop();
        let (ids, storage) = {
            let inner = self.0.borrow();
            (
                inner.docs.keys().cloned().collect::<Vec<_>>(),
                inner.storage.clone(),
            )
        };
        for id in ids {
            storage.remove_doc(&id).await.map_err(|e| e.0)?;
        }
        Ok(())
    }
}

impl Held {
    fn refresh_view(&mut self) {
        if self.doc.get_heads().is_empty() || !VillageDoc::is_village(&self.doc) {
            return;
        }
        let Ok(mut doc) = VillageDoc::from_automerge(std::mem::take(&mut self.doc)) else {
            unreachable!("checked to be a village document just above")
        };
        match &mut self.view {
            Some(view) => view.refresh(&mut doc),
            None => self.view = Some(VillageView::new(&mut doc)),
        }
        self.doc = std::mem::take(doc.automerge());
    }
}

/// Why an edit was not saved.
#[derive(Debug)]
pub enum EditError {
    NotLoaded,
    ReadOnly,
    Model(desmigratif_model::ModelError),
    Storage(String),
}
