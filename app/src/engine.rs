//! The tab's documents, bound to the browser: the sans-IO [`Replica`] decides, this shell
//! carries out its effects (IndexedDB, the WebSocket in [`relay`], timers, the other tabs) and
//! turns its state into the signals the screens read.
//!
//! One [`Engine`] runs per tab. Each tab writes as its own Automerge actor and appends its own
//! chunks; a `BroadcastChannel` tells the other tabs to read them.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use desmigratif_model::{Edit, Edited, Reference, VillageDoc};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

mod relay;

use crate::replica::{self, EditRefused, Effect, Replica, VillageView};
use crate::session::{self, Session};
use crate::storage::DocStorage;
use crate::vault::Vault;

const CHANNEL: &str = "desmigratif-docs";
const LAST_SYNC_KEY: &str = "desmigratif.last_sync";

/// Where the connection to the relay stands, as the screens show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Offline,
    Connecting,
    Online,
    /// The relay refused the token: the user must log in again (nothing local is lost).
    SessionExpired,
}

impl From<&replica::Connection> for Connection {
    fn from(c: &replica::Connection) -> Self {
        match c {
            replica::Connection::Offline | replica::Connection::Stopped => Self::Offline,
            replica::Connection::Connecting => Self::Connecting,
            replica::Connection::Online { .. } => Self::Online,
            replica::Connection::SessionExpired => Self::SessionExpired,
        }
    }
}

/// What the UI shows about storage and sync; all signals, so the screen follows.
#[derive(Clone, Copy, Debug)]
pub struct Status {
    pub connection: RwSignal<Connection>,
    /// Local changes the relay has not confirmed yet.
    pub unsynced: RwSignal<usize>,
    /// Documents still receiving what the relay has (a first download, or changes made
    /// elsewhere while this device was away).
    pub receiving: RwSignal<usize>,
    /// When the relay last confirmed everything (ms since the epoch).
    pub last_sync: RwSignal<Option<f64>>,
    /// While the relay cannot be reached: when the next attempt is due (ms since the epoch).
    pub next_retry: RwSignal<Option<f64>>,
    /// Bumped when the engine has started (views that need it re-read); each document has
    /// its own change signal ([`Engine::changed`]).
    pub version: RwSignal<u64>,
    /// The documents are loaded from the device.
    pub ready: RwSignal<bool>,
    /// A storage failure the user must know about.
    pub storage_error: RwSignal<Option<String>>,
    /// The relay says the office revoked this device: the account's data must be erased.
    pub device_revoked: RwSignal<bool>,
}

impl Status {
    pub fn new() -> Self {
        Self {
            connection: RwSignal::new(Connection::Offline),
            unsynced: RwSignal::new(0),
            receiving: RwSignal::new(0),
            last_sync: RwSignal::new(session::get_item(LAST_SYNC_KEY).and_then(|s| s.parse().ok())),
            next_retry: RwSignal::new(None),
            version: RwSignal::new(0),
            ready: RwSignal::new(false),
            storage_error: RwSignal::new(None),
            device_revoked: RwSignal::new(false),
        }
    }
}

impl Default for Status {
    fn default() -> Self {
        Self::new()
    }
}

struct Inner {
    replica: Replica,
    session: Session,
    status: Status,
    storage: DocStorage,
    /// Bumped after every change of a document.
    changed: HashMap<String, RwSignal<u64>>,
    tab: String,
    /// The relay's sync endpoint; `None`: `/sync` on the page's own origin.
    sync_url: Option<String>,
    /// The open socket and its number (events of an older socket are ignored).
    socket: Option<(u32, web_sys::WebSocket)>,
    sockets_opened: u32,
    channel: Option<web_sys::BroadcastChannel>,
    /// `Some` while the documents are being loaded: the edits waiting for that.
    loading: Option<Vec<js_sys::Function>>,
    /// Documents whose view changed since it was last stored.
    unsaved_views: HashSet<String>,
}

/// The tab's documents and its connection to the relay.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

impl Engine {
    /// Loads the session's documents from the device (through the unlocked `vault`) and starts
    /// syncing with the relay that served the app.
    pub async fn start(session: Session, status: Status, vault: Vault) -> Result<Engine, String> {
        Self::start_with_relay(session, status, vault, None).await
    }

    /// As [`Self::start`], with the relay's sync endpoint given (`ws://host:port/sync`), for a
    /// relay on another origin than the page.
    pub async fn start_with_relay(
        session: Session,
        status: Status,
        vault: Vault,
        sync_url: Option<String>,
    ) -> Result<Engine, String> {
        let storage = DocStorage::open(vault).await.map_err(|e| e.0)?;
        let tab = session::random_id()[..8].to_owned();
        let mut replica = Replica::new(format!("{}/{}/{tab}", session.username, session.device));
        let mut changed = HashMap::new();
        // What the screens show comes first: each village's stored view, read in one go. The
        // documents themselves are loaded after the first screen is drawn.
        for grant in &session.documents {
            let stored_view = storage.get_meta(&view_key(&grant.doc_id)).await.ok().flatten();
            replica.add_stored_view(
                &grant.doc_id,
                grant.access == "read_write",
                stored_view.as_deref(),
            );
            if grant.kind == "village"
                && let Ok(code) = grant.code.parse()
            {
                replica.set_village_code(&grant.doc_id, code);
            }
            changed.insert(grant.doc_id.clone(), RwSignal::new(0));
        }
        let engine = Engine(Rc::new(RefCell::new(Inner {
            replica,
            session,
            status,
            storage,
            changed,
            tab,
            sync_url,
            socket: None,
            sockets_opened: 0,
            channel: None,
            loading: Some(Vec::new()),
            unsaved_views: HashSet::new(),
        })));
        engine.listen_to_other_tabs();
        engine.listen_to_network_events();
        status.ready.set(true);
        status.version.update(|v| *v += 1);
        mark("desmigratif:views-ready");
        let loading = engine.clone();
        leptos::task::spawn_local(async move { loading.load_documents().await });
        Ok(engine)
    }

    /// Loads every document's changes, one document per task after the first screen is drawn,
    /// then lets waiting edits go on and connects to the relay.
    async fn load_documents(&self) {
        after_next_paint().await;
        let ids: Vec<String> = self.0.borrow().replica.doc_ids().cloned().collect();
        let storage = self.storage();
        for id in ids {
            let chunks = match storage.load(&id).await {
                Ok(chunks) => chunks,
                Err(e) => {
                    self.0.borrow().status.storage_error.set(Some(e.0));
                    Vec::new()
                }
            };
            let sync_state = storage.get_meta(&sync_key(&id)).await.ok().flatten();
            // Read afresh or resumed with new changes, the view is stored again (`Changed`).
            let effects = self
                .0
                .borrow_mut()
                .replica
                .load(&id, chunks, sync_state.as_deref());
            self.run(effects);
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        mark("desmigratif:documents-loaded");
        self.store_changed_views();
        let waiting = self.0.borrow_mut().loading.take().unwrap_or_default();
        for wake in waiting {
            let _ = wake.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
        let effects = self.0.borrow_mut().replica.connect();
        self.run(effects);
    }

    /// Resolves once every document is loaded.
    pub async fn loaded(&self) {
        let promise = {
            let mut inner = self.0.borrow_mut();
            let Some(waiting) = inner.loading.as_mut() else {
                return;
            };
            let mut wake = None;
            let promise = js_sys::Promise::new(&mut |resolve, _| wake = Some(resolve));
            waiting.extend(wake);
            promise
        };
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    /// Stores the views that changed since they were last stored, so that the next opening
    /// shows them at once. Encoding a view takes a while for a large village, so this runs
    /// when nobody is waiting for the screen: when the documents are loaded, when a download
    /// has finished, and when the app is hidden (switched away from, or closed).
    pub fn store_changed_views(&self) {
        let engine = self.clone();
        leptos::task::spawn_local(async move { engine.store_changed_views_now().await });
    }

    /// As [`Self::store_changed_views`], resolving once the views are stored.
    pub async fn store_changed_views_now(&self) {
        let views: Vec<(String, Vec<u8>)> = {
            let mut inner = self.0.borrow_mut();
            let ids: Vec<String> = inner.unsaved_views.drain().collect();
            ids.into_iter()
                .filter_map(|id| Some((view_key(&id), inner.replica.stored_view(&id)?)))
                .collect()
        };
        let storage = self.storage();
        for (key, bytes) in views {
            // Losing it costs only a slower next opening.
            if storage.put_meta(&key, &bytes).await.is_ok() {
                mark("desmigratif:view-stored");
            }
        }
    }

    pub fn session(&self) -> Session {
        self.0.borrow().session.clone()
    }

    /// Reads a village's view (untracked); `None` before its document arrived.
    pub fn with_view<T>(&self, doc_id: &str, f: impl FnOnce(&VillageView) -> T) -> Option<T> {
        self.0.borrow().replica.view(doc_id).map(f)
    }

    /// Reads several village documents' views at once (those that have arrived), with their ids.
    pub fn with_views<T>(&self, doc_ids: &[String], f: impl FnOnce(&[(&str, &VillageView)]) -> T) -> T {
        let inner = self.0.borrow();
        let views: Vec<(&str, &VillageView)> = doc_ids
            .iter()
            .filter_map(|id| inner.replica.view(id).map(|v| (id.as_str(), v)))
            .collect();
        f(&views)
    }

    /// The signal bumped after every change of a document.
    pub fn changed(&self, doc_id: &str) -> Option<RwSignal<u64>> {
        self.0.borrow().changed.get(doc_id).copied()
    }

    /// Runs `f` on a village document for reading (history, conflicts); `None` if the
    /// document has not arrived or is not a village.
    pub fn read<T>(&self, doc_id: &str, f: impl FnOnce(&mut VillageDoc) -> T) -> Option<T> {
        self.0.borrow_mut().replica.read(doc_id, f)
    }

    /// Applies an edit to a document (a village's, or the district's reference data for a
    /// district account), written by this session's user now, then saves it on the device.
    /// Resolves once the change is stored; only then may the UI say "saved".
    pub async fn apply(&self, doc_id: &str, edit: Edit) -> Result<Edited, EditError> {
        self.loaded().await;
        let by = self.session().author();
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let edited = self.0.borrow_mut().replica.apply(doc_id, &edit, &by, now)?;
        self.store_edit(doc_id, edited).await
    }

    async fn store_edit<T>(&self, doc_id: &str, edited: (T, Vec<u8>, Vec<Effect>)) -> Result<T, EditError> {
        let (value, changes, effects) = edited;
        // The screens show the change at once; the caller says "saved" once it is stored.
        self.run(effects);
        if !changes.is_empty() {
            let storage = self.storage();
            let key = storage
                .append(doc_id, &changes)
                .await
                .map_err(|e| EditError::Storage(e.0))?;
            self.announce(doc_id);
            let effects = self.0.borrow_mut().replica.stored(doc_id, key, true);
            self.run(effects);
        }
        Ok(value)
    }

    /// The persons of a document with changes not yet confirmed by the relay.
    pub fn unsent_persons(&self, doc_id: &str) -> std::collections::BTreeSet<desmigratif_model::RecordId> {
        self.0.borrow_mut().replica.unsent_persons(doc_id)
    }

    /// A district document's reference data, if it has arrived.
    pub fn with_reference<T>(&self, doc_id: &str, f: impl FnOnce(&Reference) -> T) -> Option<T> {
        self.0.borrow().replica.reference(doc_id).map(f)
    }

    /// Carries out what the replica decided, then shows where sync stands.
    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Open => self.open_socket(),
                Effect::Close => self.close_socket(),
                Effect::Send(bytes) => self.send(&bytes),
                Effect::Changed(doc_id) => {
                    if let Some(signal) = self.changed(&doc_id) {
                        signal.update(|v| *v += 1);
                    }
                    self.0.borrow_mut().unsaved_views.insert(doc_id);
                }
                Effect::Persist {
                    doc,
                    changes,
                    sync_state,
                } => self.persist(doc, changes, sync_state),
                Effect::RetryIn(ms) => {
                    let status = self.0.borrow().status;
                    status.next_retry.set(Some(js_sys::Date::now() + f64::from(ms)));
                    let engine = self.clone();
                    gloo_timers::callback::Timeout::new(ms, move || {
                        let effects = engine.0.borrow_mut().replica.connect();
                        engine.run(effects);
                    })
                    .forget();
                }
                Effect::CheckToken => {
                    let engine = self.clone();
                    let token = self.0.borrow().session.token.clone();
                    leptos::task::spawn_local(async move {
                        let check = session::check_token(&token).await;
                        if check == Some(session::TokenCheck::DeviceRevoked) {
                            engine.stop();
                            engine.0.borrow().status.device_revoked.set(true);
                            return;
                        }
                        let valid = check.map(|c| c == session::TokenCheck::Live);
                        let effects = engine.0.borrow_mut().replica.token_checked(valid);
                        engine.run(effects);
                    });
                }
                Effect::Compact {
                    doc,
                    snapshot,
                    merged,
                } => {
                    let engine = self.clone();
                    let storage = self.storage();
                    leptos::task::spawn_local(async move {
                        let result = storage
                            .compact(&doc, &snapshot, &merged)
                            .await
                            .map_err(|_| merged);
                        engine.0.borrow_mut().replica.compacted(&doc, result);
                    });
                }
            }
        }
        self.show_status();
    }

    /// Stores received changes together with the sync state that says they were received.
    fn persist(&self, doc_id: String, changes: Vec<u8>, sync_state: Vec<u8>) {
        let engine = self.clone();
        let storage = self.storage();
        leptos::task::spawn_local(async move {
            let key = sync_key(&doc_id);
            if changes.is_empty() {
                let _ = storage.put_meta(&key, &sync_state).await;
                return;
            }
            match storage
                .append_with_meta(&doc_id, &changes, &key, &sync_state)
                .await
            {
                Ok(chunk) => {
                    engine.announce(&doc_id);
                    let effects = engine.0.borrow_mut().replica.stored(&doc_id, chunk, false);
                    engine.run(effects);
                }
                Err(e) => engine.0.borrow().status.storage_error.set(Some(e.0)),
            }
        });
    }

    /// Connection state, the count of unsent changes and the time of the last full sync.
    fn show_status(&self) {
        let (status, connection, unsynced, receiving) = {
            let mut inner = self.0.borrow_mut();
            let connection = Connection::from(inner.replica.connection());
            let unsynced = inner.replica.unsynced();
            (inner.status, connection, unsynced, inner.replica.receiving())
        };
        let previously_receiving = status.receiving.get_untracked();
        if previously_receiving != receiving {
            status.receiving.set(receiving);
        }
        if previously_receiving > 0 && receiving == 0 {
            // A download just finished: a quiet moment to store what it brought.
            self.store_changed_views();
        }
        if status.connection.get_untracked() != connection {
            if matches!(connection, Connection::Online | Connection::SessionExpired) {
                status.next_retry.set(None);
            }
            status.connection.set(connection);
        }
        if status.unsynced.get_untracked() != unsynced {
            status.unsynced.set(unsynced);
        }
        if connection == Connection::Online && unsynced == 0 && receiving == 0 {
            let now = js_sys::Date::now();
            status.last_sync.set(Some(now));
            session::set_item(LAST_SYNC_KEY, &now.to_string());
        }
    }

    fn storage(&self) -> DocStorage {
        self.0.borrow().storage.clone()
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
        let Ok(chunks) = self.storage().load(doc_id).await else {
            return;
        };
        let effects = self.0.borrow_mut().replica.from_other_tab(doc_id, chunks);
        self.run(effects);
    }

    // --- the session ------------------------------------------------------------------------

    /// The user asked to try the relay now instead of waiting for the next attempt.
    pub fn retry_now(&self) {
        let status = self.0.borrow().status;
        status.next_retry.set(None);
        let effects = self.0.borrow_mut().replica.retry_now();
        self.run(effects);
    }

    /// Continues with a new token after the relay refused the old one; the documents on the
    /// device, and the changes not yet sent, stay as they are.
    pub fn renew(&self, session: Session) {
        let effects = {
            let mut inner = self.0.borrow_mut();
            inner.session.token = session.token;
            inner.session.expires_at = session.expires_at;
            inner.replica.renewed()
        };
        self.run(effects);
    }

    /// Stops syncing (logout).
    pub fn stop(&self) {
        let effects = self.0.borrow_mut().replica.stop();
        self.run(effects);
    }

    /// Removes every document of the session from the device.
    pub async fn forget_everything(&self) -> Result<(), String> {
        self.stop();
        let ids: Vec<String> = self.0.borrow().replica.doc_ids().cloned().collect();
        let storage = self.storage();
        for id in ids {
            storage.remove_doc(&id).await.map_err(|e| e.0)?;
        }
        Ok(())
    }
}

fn sync_key(doc_id: &str) -> String {
    format!("{doc_id}/sync")
}

/// Where a village's view is stored (the derived records shown at once on opening).
fn view_key(doc_id: &str) -> String {
    format!("{doc_id}/view")
}

/// A mark on the page's timeline, for the browser bench and the browser's profiler.
pub(crate) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Resolves after the browser has drawn the next frame.
async fn after_next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
        } else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    // The frame is drawn after the animation-frame callbacks; a task queued now runs after it.
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// Why an edit was not saved.
#[derive(Debug)]
pub enum EditError {
    NotLoaded,
    ReadOnly,
    Model(desmigratif_model::ModelError),
    Storage(String),
}

impl From<EditRefused> for EditError {
    fn from(e: EditRefused) -> Self {
        match e {
            EditRefused::NotLoaded => Self::NotLoaded,
            EditRefused::ReadOnly => Self::ReadOnly,
            EditRefused::Model(e) => Self::Model(e),
        }
    }
}
