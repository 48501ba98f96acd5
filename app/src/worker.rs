//! The documents' side of the app, run in a Web Worker (`bin/docs_worker.rs`): the sans-IO
//! [`Replica`] bound to the browser — IndexedDB through the vault, the WebSocket to the relay
//! ([`relay`]), the device's other tabs, timers. Loading an Automerge document, applying sync
//! messages and edits, refreshing views and encoding them for storage all happen here, off the
//! window's thread; the window ([`crate::engine::Engine`]) keeps a copy of each view and
//! follows the [`ScreenUpdate`]s this side sends ([`crate::protocol`]).
//!
//! [`Docs`] runs anywhere a `self` global has IndexedDB, WebCrypto and WebSocket: in the worker,
//! and in the page for the in-browser tests.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use desmigratif_model::{Edit, Edited, FieldConflict, RecordId};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::spawn_local;

mod relay;

use crate::engine::Connection;
use crate::latch::Latch;
use crate::protocol::{self, Answer, EditFailure, NetworkEvent, Notice, Request, SyncStatus};
use crate::replica::{EditRefused, Effect, Replica, VillageView};
use crate::session::Session;
use crate::storage::DocStorage;
use crate::vault::Vault;

const CHANNEL: &str = "desmigratif-docs";

/// Where the documents' notices go: the window (posted), or a test.
pub type Outbox = Rc<dyn Fn(Notice)>;

struct Inner {
    replica: Replica,
    session: Session,
    storage: DocStorage,
    out: Outbox,
    tab: String,
    /// The relay's sync endpoint (`ws[s]://host/sync`).
    sync_url: String,
    /// The open socket and its number (events of an older socket are ignored).
    socket: Option<(u32, web_sys::WebSocket)>,
    sockets_opened: u32,
    channel: Option<web_sys::BroadcastChannel>,
    /// `Some` while the documents are being loaded: the edits waiting for that.
    loading: Latch,
    /// Documents whose view changed since it was last stored.
    unsaved_views: HashSet<String>,
    /// What the window was last told.
    status: Option<SyncStatus>,
    unsent: HashMap<String, BTreeSet<RecordId>>,
}

/// The session's documents and their connection to the relay.
#[derive(Clone)]
pub struct Docs(Rc<RefCell<Inner>>);

impl Docs {
    /// Opens the session's documents on the device (through the unlocked `vault`): each
    /// village's stored view first (the window shows the same one already), then every
    /// document's changes, one per task; then syncs with the relay at `sync_url`.
    pub async fn start(
        session: Session,
        vault: Vault,
        sync_url: String,
        out: Outbox,
    ) -> Result<Docs, String> {
        let storage = DocStorage::open(vault).await.map_err(|e| e.0)?;
        let tab = crate::session::random_id()[..8].to_owned();
        let mut replica = Replica::new(format!("{}/{}/{tab}", session.username, session.device));
        replica.follow();
        for grant in &session.documents {
            let stored_view = storage.get_meta(&view_key(&grant.doc_id)).await.ok().flatten();
            replica.add_stored_view(&grant.doc_id, grant.access.can_write(), stored_view.as_deref());
            if grant.kind == desmigratif_model::DocKind::Village
                && let Ok(code) = grant.code.parse()
            {
                replica.set_village_code(&grant.doc_id, code);
            }
        }
        let docs = Docs(Rc::new(RefCell::new(Inner {
            replica,
            session,
            storage,
            out,
            tab,
            sync_url,
            socket: None,
            sockets_opened: 0,
            channel: None,
            loading: Latch::closed(),
            unsaved_views: HashSet::new(),
            status: None,
            unsent: HashMap::new(),
        })));
        docs.listen_to_other_tabs();
        let loading = docs.clone();
        spawn_local(async move { loading.load_documents().await });
        Ok(docs)
    }

    fn tell(&self, notice: Notice) {
        let out = self.0.borrow().out.clone();
        out(notice);
    }

    /// Loads every document's changes, one document per task, then lets waiting edits go on
    /// and connects to the relay.
    async fn load_documents(&self) {
        let ids: Vec<String> = self.0.borrow().replica.doc_ids().cloned().collect();
        let storage = self.storage();
        for id in ids {
            let chunks = match storage.load(&id).await {
                Ok(chunks) => chunks,
                Err(e) => {
                    self.tell(Notice::StorageError(e.0));
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
        self.tell(Notice::Mark("desmigratif:documents-loaded".into()));
        self.tell(Notice::Loaded);
        self.store_changed_views();
        let loading = self.0.borrow().loading.clone();
        loading.open();
        let effects = self.0.borrow_mut().replica.connect();
        self.run(effects);
    }

    /// Resolves once every document is loaded.
    pub async fn loaded(&self) {
        let loading = self.0.borrow().loading.clone();
        loading.wait().await;
    }

    /// Stores the views that changed since they were last stored, so that the next opening
    /// shows them at once. Encoding a view takes a while for a large village, so this runs
    /// when nobody is waiting for it: when the documents are loaded, when a download has
    /// finished, and when the app is hidden (switched away from, or closed).
    pub fn store_changed_views(&self) {
        let docs = self.clone();
        spawn_local(async move { docs.store_changed_views_now().await });
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
                self.tell(Notice::Mark("desmigratif:view-stored".into()));
            }
        }
    }

    /// Reads a village's view as this side holds it; `None` before its document arrived.
    pub fn with_view<T>(&self, doc_id: &str, f: impl FnOnce(&VillageView) -> T) -> Option<T> {
        self.0.borrow().replica.view(doc_id).map(f)
    }

    /// Runs `f` on a village document for reading (history, conflicts); `None` if it has not
    /// arrived or is not a village.
    pub fn read<T>(
        &self,
        doc_id: &str,
        f: impl FnOnce(&mut desmigratif_model::VillageDoc) -> T,
    ) -> Option<T> {
        self.0.borrow_mut().replica.read(doc_id, f)
    }

    /// Where the connection to the relay stands.
    pub fn connection(&self) -> Connection {
        Connection::from(self.0.borrow().replica.connection())
    }

    /// Applies an edit to a document, written by the session's user now, then saves it on the
    /// device. Resolves once the change is stored.
    pub async fn apply(&self, doc_id: &str, edit: &Edit) -> Result<Edited, EditFailure> {
        crate::mark("desmigratif:edit-received");
        self.loaded().await;
        let by = self.0.borrow().session.author();
        let now = (js_sys::Date::now() / 1000.0) as i64;
        let edited = self
            .0
            .borrow_mut()
            .replica
            .apply(doc_id, edit, &by, now)
            .map_err(|e| match e {
                EditRefused::NotLoaded => EditFailure::NotLoaded,
                EditRefused::ReadOnly => EditFailure::ReadOnly,
                EditRefused::Model(e) => EditFailure::Model(e.to_string()),
            })?;
        let (value, changes, effects) = edited;
        crate::mark("desmigratif:edit-applied");
        // Stored first, then shown: a reload or a closed tab right after the screen shows an
        // edit cannot lose it (stored in ~5 ms; showing it first saved those ms).
        let stored = if changes.is_empty() {
            Ok(None)
        } else {
            self.storage().append(doc_id, &changes).await.map(Some)
        };
        crate::mark("desmigratif:edit-stored");
        self.run(effects);
        crate::mark("desmigratif:edit-sent-to-screens");
        if let Some(key) = stored.map_err(|e| EditFailure::Storage(e.0))? {
            self.announce(doc_id);
            let effects = self.0.borrow_mut().replica.stored(doc_id, key, true);
            self.run(effects);
        }
        Ok(value)
    }

    /// Carries out what the replica decided, then tells the window where sync stands.
    fn run(&self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Open => self.open_socket(),
                Effect::Close => self.close_socket(),
                Effect::Send(bytes) => self.send(&bytes),
                Effect::Changed(doc_id) => {
                    self.send_updates(&doc_id);
                    self.0.borrow_mut().unsaved_views.insert(doc_id);
                }
                Effect::Persist {
                    doc,
                    changes,
                    sync_state,
                } => self.persist(doc, changes, sync_state),
                Effect::RetryIn(ms) => {
                    self.tell(Notice::RetryIn(ms));
                    let docs = self.clone();
                    gloo_timers::callback::Timeout::new(ms, move || {
                        let effects = docs.0.borrow_mut().replica.connect();
                        docs.run(effects);
                    })
                    .forget();
                }
                Effect::CheckToken => self.tell(Notice::CheckToken),
                Effect::Compact {
                    doc,
                    snapshot,
                    merged,
                } => {
                    let docs = self.clone();
                    let storage = self.storage();
                    spawn_local(async move {
                        let result = storage
                            .compact(&doc, &snapshot, &merged)
                            .await
                            .map_err(|_| merged);
                        docs.0.borrow_mut().replica.compacted(&doc, result);
                    });
                }
            }
        }
        self.show_status();
    }

    /// Sends the window what its copy of a document needs.
    fn send_updates(&self, doc_id: &str) {
        let updates = self.0.borrow_mut().replica.screen_updates(doc_id);
        for update in updates {
            self.tell(Notice::Update {
                doc: doc_id.to_owned(),
                update: Box::new(update),
            });
        }
    }

    /// Stores received changes together with the sync state that says they were received.
    fn persist(&self, doc_id: String, changes: Vec<u8>, sync_state: Vec<u8>) {
        let docs = self.clone();
        let storage = self.storage();
        spawn_local(async move {
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
                    docs.announce(&doc_id);
                    let effects = docs.0.borrow_mut().replica.stored(&doc_id, chunk, false);
                    docs.run(effects);
                }
                Err(e) => docs.tell(Notice::StorageError(e.0)),
            }
        });
    }

    /// Tells the window the connection, the count of unsent changes (and the persons they
    /// touch) and the documents still receiving, when any of them changed.
    fn show_status(&self) {
        let (status, unsent) = {
            let mut inner = self.0.borrow_mut();
            let status = SyncStatus {
                connection: Connection::from(inner.replica.connection()),
                unsynced: inner.replica.unsynced(),
                receiving: inner.replica.receiving(),
            };
            if inner.status.as_ref() == Some(&status) {
                return;
            }
            let ids: Vec<String> = inner.replica.doc_ids().cloned().collect();
            let mut unsent = Vec::new();
            for id in ids {
                let persons = inner.replica.unsent_persons(&id);
                if inner.unsent.get(&id) != Some(&persons) {
                    inner.unsent.insert(id.clone(), persons.clone());
                    unsent.push((id, persons));
                }
            }
            let before = inner.status.replace(status.clone());
            let download_done = before.is_some_and(|b| b.receiving > 0) && status.receiving == 0;
            ((status, download_done), unsent)
        };
        // The persons first: the window re-reads them when the count of unsent changes moves.
        for (doc, persons) in unsent {
            self.tell(Notice::Unsent { doc, persons });
        }
        let (status, download_done) = status;
        self.tell(Notice::Status(status));
        if download_done {
            // A download just finished: a quiet moment to store what it brought.
            self.store_changed_views();
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
        let docs = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(doc_id) = e.data().as_string() {
                let docs = docs.clone();
                spawn_local(async move { docs.reload_from_device(&doc_id).await });
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

    // --- what the window asks ---------------------------------------------------------------

    /// Carries out one request from the window.
    pub fn handle(&self, request: Request) {
        match request {
            // Only the first start counts (the worker's message loop handles it).
            Request::Start { .. } => {}
            Request::Apply { call, doc, edit } => {
                let docs = self.clone();
                spawn_local(async move {
                    let result = match serde_json::from_str::<Edit>(&edit) {
                        Ok(edit) => docs.apply(&doc, &edit).await,
                        Err(e) => Err(EditFailure::Model(e.to_string())),
                    };
                    docs.tell(Notice::Answer {
                        call,
                        answer: Answer::Edited(result),
                    });
                });
            }
            Request::Conflicts {
                call,
                doc,
                collection,
                id,
            } => {
                let conflicts: Vec<FieldConflict> = self
                    .read(&doc, |d| d.conflicts_in(collection, &id))
                    .unwrap_or_default();
                self.answer_json(call, &conflicts);
            }
            Request::ValuesAround {
                call,
                doc,
                collection,
                id,
                changes,
            } => {
                let values = self
                    .read(&doc, |d| {
                        changes
                            .iter()
                            .map(|(change, fields)| d.values_around(collection, &id, *change, fields))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                self.answer_json(call, &values);
            }
            Request::WholeView { doc } => {
                self.0.borrow_mut().replica.resend_view(&doc);
                self.send_updates(&doc);
            }
            Request::TokenChecked(valid) => {
                let effects = self.0.borrow_mut().replica.token_checked(valid);
                self.run(effects);
            }
            Request::Network(NetworkEvent::Online | NetworkEvent::Visible) | Request::RetryNow => {
                let effects = self.0.borrow_mut().replica.retry_now();
                self.run(effects);
            }
            Request::Network(NetworkEvent::Offline) => self.drop_socket(),
            Request::Network(NetworkEvent::Hidden) => self.store_changed_views(),
            Request::Renew { token, expires_at } => {
                let effects = {
                    let mut inner = self.0.borrow_mut();
                    inner.session.token = token;
                    inner.session.expires_at = expires_at;
                    inner.replica.renewed()
                };
                self.run(effects);
            }
            Request::Stop => self.stop(),
            Request::Forget { call } => {
                let docs = self.clone();
                spawn_local(async move {
                    let result = docs.forget_everything().await;
                    docs.tell(Notice::Answer {
                        call,
                        answer: Answer::Done(result),
                    });
                });
            }
        }
    }

    fn answer_json<T: serde::Serialize>(&self, call: u32, value: &T) {
        let json = serde_json::to_string(value).unwrap_or_else(|_| "[]".into());
        self.tell(Notice::Answer {
            call,
            answer: Answer::Json(json),
        });
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
pub(crate) fn view_key(doc_id: &str) -> String {
    format!("{doc_id}/view")
}

/// The worker's entry point: answers the window's messages. The first is the start (with the
/// vault's key beside it); requests that arrive while the documents open wait for them.
pub fn run() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post_to = scope.clone();
    let out: Outbox = Rc::new(move |notice: Notice| {
        let bytes = js_sys::Uint8Array::from(protocol::encode(&notice).as_slice());
        let _ = post_to.post_message(&bytes);
    });
    let docs: Rc<RefCell<Option<Docs>>> = Rc::new(RefCell::new(None));
    let waiting: Rc<RefCell<Option<Vec<Request>>>> = Rc::new(RefCell::new(Some(Vec::new())));
    let on_message = {
        let out = out.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            let bytes = js_sys::Reflect::get(&data, &"message".into())
                .ok()
                .and_then(|m| m.dyn_into::<js_sys::Uint8Array>().ok())
                .or_else(|| data.clone().dyn_into::<js_sys::Uint8Array>().ok());
            let Some(request) = bytes.and_then(|b| protocol::decode::<Request>(&b.to_vec())) else {
                return;
            };
            if let Request::Start { session, sync_url } = request {
                let key = js_sys::Reflect::get(&data, &"key".into())
                    .ok()
                    .and_then(|k| k.dyn_into::<web_sys::CryptoKey>().ok());
                let (Some(key), Ok(session)) = (key, serde_json::from_str::<Session>(&session)) else {
                    out(Notice::Failed("the start message is incomplete".into()));
                    return;
                };
                let (out, docs, waiting) = (out.clone(), docs.clone(), waiting.clone());
                spawn_local(async move {
                    match Docs::start(session, Vault::from_key(key), sync_url, out.clone()).await {
                        Ok(started) => {
                            for request in waiting.borrow_mut().take().unwrap_or_default() {
                                started.handle(request);
                            }
                            *docs.borrow_mut() = Some(started);
                        }
                        Err(e) => out(Notice::Failed(e)),
                    }
                });
                return;
            }
            let started = docs.borrow().clone();
            match started {
                Some(docs) => docs.handle(request),
                None => {
                    if let Some(waiting) = waiting.borrow_mut().as_mut() {
                        waiting.push(request);
                    }
                }
            }
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}
