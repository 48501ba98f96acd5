//! The window's side of the documents: the screens read each village's [`VillageView`] here,
//! while the documents themselves live in a Web Worker ([`crate::worker`]) that loads them,
//! syncs them with the relay, applies edits and sends this side what changed
//! ([`crate::protocol`]). Nothing here waits on Automerge: the main thread only draws.
//!
//! One [`Engine`] (and one worker) runs per tab. Each tab writes as its own Automerge actor and
//! appends its own chunks; a `BroadcastChannel` tells the other tabs' workers to read them.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use desmigratif_model::{Collection, Edit, Edited, FieldChange, FieldConflict, RecordId, Reference};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::latch::Latch;
use crate::protocol::{self, Answer, NetworkEvent, Notice, Request};
use crate::replica::{self, ScreenUpdate, VillageView};
use crate::session::{self, Session};
use crate::storage::DocStorage;
use crate::vault::Vault;

pub use crate::protocol::EditFailure as EditError;

const LAST_SYNC_KEY: &str = "desmigratif.last_sync";

/// Where the connection to the relay stands, as the screens show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// A request waiting for the worker's answer.
struct Call {
    answer: Rc<RefCell<Option<Answer>>>,
    wake: js_sys::Function,
}

struct Inner {
    session: Session,
    status: Status,
    worker: Option<web_sys::Worker>,
    vault: Vault,
    sync_url: String,
    views: HashMap<String, VillageView>,
    references: HashMap<String, Reference>,
    /// Bumped after every change of a document.
    changed: HashMap<String, RwSignal<u64>>,
    unsent: HashMap<String, BTreeSet<RecordId>>,
    calls: HashMap<u32, Call>,
    next_call: u32,
    /// `Some` while the documents are being loaded: those waiting for that.
    loading: Latch,
}

/// The tab's documents as the screens see them.
#[derive(Clone)]
pub struct Engine(Rc<RefCell<Inner>>);

impl Engine {
    /// Shows the session's stored views at once (read from the device through the unlocked
    /// `vault`), then starts the documents' worker, which loads the documents and syncs them
    /// with the relay that served the app.
    pub async fn start(session: Session, status: Status, vault: Vault) -> Result<Engine, String> {
        let storage = DocStorage::open(vault.clone()).await.map_err(|e| e.0)?;
        let mut views = HashMap::new();
        let mut changed = HashMap::new();
        // What the screens show comes first: each village's stored view, read in one go.
        for grant in &session.documents {
            let stored = storage
                .get_meta(&crate::worker::view_key(&grant.doc_id))
                .await
                .ok()
                .flatten();
            if let Some(view) = stored.as_deref().and_then(VillageView::decode) {
                views.insert(grant.doc_id.clone(), view);
            }
            changed.insert(grant.doc_id.clone(), RwSignal::new(0));
        }
        let engine = Engine(Rc::new(RefCell::new(Inner {
            session,
            status,
            worker: None,
            vault,
            sync_url: sync_endpoint(),
            views,
            references: HashMap::new(),
            changed,
            unsent: HashMap::new(),
            calls: HashMap::new(),
            next_call: 1,
            loading: Latch::closed(),
        })));
        status.ready.set(true);
        status.version.update(|v| *v += 1);
        crate::mark("desmigratif:views-ready");
        engine.listen_to_network_events();
        engine.start_worker()?;
        Ok(engine)
    }

    /// Starts the documents' worker, or takes the one `boot.js` started early (its script's
    /// name comes from `boot.js` too), and hands it the session and the vault's data key.
    fn start_worker(&self) -> Result<(), String> {
        let global = js_sys::global();
        let early = js_sys::Reflect::get(&global, &"desmigratifEarlyWorker".into())
            .ok()
            .and_then(|w| w.dyn_into::<web_sys::Worker>().ok());
        let worker = match early {
            Some(worker) => {
                let _ = js_sys::Reflect::set(
                    &global,
                    &"desmigratifEarlyWorker".into(),
                    &wasm_bindgen::JsValue::UNDEFINED,
                );
                worker
            }
            None => {
                let script = js_sys::Reflect::get(&global, &"desmigratifDocsWorker".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .ok_or("the documents' worker is not part of this build")?;
                let options = web_sys::WorkerOptions::new();
                options.set_type(web_sys::WorkerType::Module);
                web_sys::Worker::new_with_options(&script, &options)
                    .map_err(|e| format!("the documents' worker did not start: {e:?}"))?
            }
        };
        let engine = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Ok(bytes) = e.data().dyn_into::<js_sys::Uint8Array>() else {
                return;
            };
            if let Some(notice) = protocol::decode::<Notice>(&bytes.to_vec()) {
                engine.receive(notice);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let status = self.0.borrow().status;
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            status
                .storage_error
                .set(Some("the documents' worker stopped".into()));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        // The start goes first, with the data key beside it (a CryptoKey is cloned by the
        // browser, never exported).
        let start = {
            let inner = self.0.borrow();
            Request::Start {
                session: serde_json::to_string(&inner.session).expect("a session serialises"),
                sync_url: inner.sync_url.clone(),
            }
        };
        let message = js_sys::Object::new();
        let bytes = js_sys::Uint8Array::from(protocol::encode(&start).as_slice());
        let _ = js_sys::Reflect::set(&message, &"message".into(), &bytes);
        let _ = js_sys::Reflect::set(&message, &"key".into(), self.0.borrow().vault.key());
        worker
            .post_message(&message)
            .map_err(|e| format!("the documents' worker did not take the start: {e:?}"))?;
        self.0.borrow_mut().worker = Some(worker);
        Ok(())
    }

    /// Sends a request to the worker.
    fn post(&self, request: Request) {
        if let Some(worker) = &self.0.borrow().worker {
            let bytes = js_sys::Uint8Array::from(protocol::encode(&request).as_slice());
            let _ = worker.post_message(&bytes);
        }
    }

    /// Sends a request and waits for its answer; `None` if the worker is gone.
    async fn call(&self, request: impl FnOnce(u32) -> Request) -> Option<Answer> {
        let answer = Rc::new(RefCell::new(None));
        let promise = {
            let mut inner = self.0.borrow_mut();
            let call = inner.next_call;
            inner.next_call += 1;
            let mut wake = None;
            let promise = js_sys::Promise::new(&mut |resolve, _| wake = Some(resolve));
            inner.calls.insert(
                call,
                Call {
                    answer: answer.clone(),
                    wake: wake.expect("the promise's executor runs at once"),
                },
            );
            drop(inner);
            self.post(request(call));
            promise
        };
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        answer.borrow_mut().take()
    }

    /// What the worker says.
    fn receive(&self, notice: Notice) {
        let status = self.0.borrow().status;
        match notice {
            Notice::Failed(e) | Notice::StorageError(e) => status.storage_error.set(Some(e)),
            Notice::Update { doc, update } => self.follow(&doc, *update),
            Notice::Status(s) => self.show_status(s),
            Notice::RetryIn(ms) => status.next_retry.set(Some(js_sys::Date::now() + f64::from(ms))),
            Notice::Unsent { doc, persons } => {
                self.0.borrow_mut().unsent.insert(doc, persons);
            }
            Notice::Loaded => {
                crate::mark("desmigratif:documents-loaded");
                let loading = self.0.borrow().loading.clone();
                loading.open();
            }
            Notice::Mark(name) => crate::mark(&name),
            Notice::CheckToken => {
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
                    engine.post(Request::TokenChecked(valid));
                });
            }
            Notice::Answer { call, answer } => {
                let call = self.0.borrow_mut().calls.remove(&call);
                if let Some(call) = call {
                    *call.answer.borrow_mut() = Some(answer);
                    let _ = call.wake.call0(&wasm_bindgen::JsValue::UNDEFINED);
                }
            }
        }
    }

    /// Brings the window's copy of a document where the worker's is, and redraws what shows it.
    fn follow(&self, doc: &str, update: ScreenUpdate) {
        let in_step = {
            let mut inner = self.0.borrow_mut();
            match update {
                ScreenUpdate::View(bytes) => match VillageView::decode(&bytes) {
                    Some(view) => {
                        inner.views.insert(doc.to_owned(), view);
                        true
                    }
                    None => false,
                },
                ScreenUpdate::Delta(delta) => inner
                    .views
                    .get_mut(doc)
                    .is_some_and(|view| view.follow(&delta).is_ok()),
                ScreenUpdate::Reference(reference) => {
                    inner.references.insert(doc.to_owned(), reference);
                    true
                }
            }
        };
        if !in_step {
            // A delta this copy cannot take (its stored view differed): the view whole.
            self.post(Request::WholeView { doc: doc.to_owned() });
            return;
        }
        crate::mark("desmigratif:view-followed");
        if let Some(signal) = self.changed(doc) {
            signal.update(|v| *v += 1);
        }
    }

    /// Connection state, the count of unsent changes and the time of the last full sync.
    fn show_status(&self, s: protocol::SyncStatus) {
        let status = self.0.borrow().status;
        if status.receiving.get_untracked() != s.receiving {
            status.receiving.set(s.receiving);
        }
        if status.connection.get_untracked() != s.connection {
            if matches!(s.connection, Connection::Online | Connection::SessionExpired) {
                status.next_retry.set(None);
            }
            status.connection.set(s.connection);
        }
        if status.unsynced.get_untracked() != s.unsynced {
            status.unsynced.set(s.unsynced);
        }
        if s.connection == Connection::Online && s.unsynced == 0 && s.receiving == 0 {
            if status.last_sync.get_untracked().is_none() {
                crate::mark("desmigratif:synced");
            }
            let now = js_sys::Date::now();
            status.last_sync.set(Some(now));
            session::set_item(LAST_SYNC_KEY, &now.to_string());
        }
    }

    /// Resolves once every document is loaded in the worker.
    pub async fn loaded(&self) {
        let loading = self.0.borrow().loading.clone();
        loading.wait().await;
    }

    pub fn session(&self) -> Session {
        self.0.borrow().session.clone()
    }

    /// Reads a village's view (untracked); `None` before its document arrived.
    pub fn with_view<T>(&self, doc_id: &str, f: impl FnOnce(&VillageView) -> T) -> Option<T> {
        self.0.borrow().views.get(doc_id).map(f)
    }

    /// Reads several village documents' views at once (those that have arrived), with their ids.
    pub fn with_views<T>(&self, doc_ids: &[String], f: impl FnOnce(&[(&str, &VillageView)]) -> T) -> T {
        let inner = self.0.borrow();
        let views: Vec<(&str, &VillageView)> = doc_ids
            .iter()
            .filter_map(|id| inner.views.get(id).map(|v| (id.as_str(), v)))
            .collect();
        f(&views)
    }

    /// The signal bumped after every change of a document.
    pub fn changed(&self, doc_id: &str) -> Option<RwSignal<u64>> {
        self.0.borrow().changed.get(doc_id).copied()
    }

    /// Applies an edit to a document (a village's, or the district's reference data for a
    /// district account), written by this session's user now. Resolves once the change is
    /// stored on the device; only then may the UI say "saved".
    pub async fn apply(&self, doc_id: &str, edit: Edit) -> Result<Edited, EditError> {
        let edit = serde_json::to_string(&edit).map_err(|e| EditError::Model(e.to_string()))?;
        let doc = doc_id.to_owned();
        crate::mark("desmigratif:edit-sent");
        let answer = self.call(|call| Request::Apply { call, doc, edit }).await;
        crate::mark("desmigratif:edit-answered");
        match answer {
            Some(Answer::Edited(result)) => result,
            _ => Err(EditError::NotLoaded),
        }
    }

    /// A record's fields holding concurrent values; empty until the document is loaded.
    pub async fn conflicts(&self, doc_id: &str, collection: Collection, id: &RecordId) -> Vec<FieldConflict> {
        let (doc, id) = (doc_id.to_owned(), id.clone());
        let answer = self
            .call(|call| Request::Conflicts {
                call,
                doc,
                collection,
                id,
            })
            .await;
        json_answer(answer).unwrap_or_default()
    }

    /// For each of a record's changes, its fields' values before and after it; empty lists
    /// until the document is loaded.
    pub async fn values_around(
        &self,
        doc_id: &str,
        collection: Collection,
        id: &RecordId,
        changes: Vec<(automerge::ChangeHash, Vec<String>)>,
    ) -> Vec<Vec<FieldChange>> {
        let (doc, id) = (doc_id.to_owned(), id.clone());
        let answer = self
            .call(|call| Request::ValuesAround {
                call,
                doc,
                collection,
                id,
                changes,
            })
            .await;
        json_answer(answer).unwrap_or_default()
    }

    /// The persons of a document with changes not yet confirmed by the relay.
    pub fn unsent_persons(&self, doc_id: &str) -> BTreeSet<RecordId> {
        self.0.borrow().unsent.get(doc_id).cloned().unwrap_or_default()
    }

    /// A district document's reference data, if it has arrived.
    pub fn with_reference<T>(&self, doc_id: &str, f: impl FnOnce(&Reference) -> T) -> Option<T> {
        self.0.borrow().references.get(doc_id).map(f)
    }

    /// Tells the worker when the network comes and goes and when the app is shown or hidden
    /// (it retries at once, closes the socket, or stores the changed views).
    fn listen_to_network_events(&self) {
        let Some(window) = web_sys::window() else { return };
        let engine = self.clone();
        let retry = Closure::<dyn FnMut()>::new(move || {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            engine.post(Request::Network(if visible {
                NetworkEvent::Visible
            } else {
                NetworkEvent::Hidden
            }));
        });
        let _ = window.add_event_listener_with_callback("online", retry.as_ref().unchecked_ref());
        if let Some(document) = window.document() {
            let _ =
                document.add_event_listener_with_callback("visibilitychange", retry.as_ref().unchecked_ref());
        }
        retry.forget();
        let engine = self.clone();
        let offline =
            Closure::<dyn FnMut()>::new(move || engine.post(Request::Network(NetworkEvent::Offline)));
        let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        offline.forget();
    }

    // --- the session ------------------------------------------------------------------------

    /// The user asked to try the relay now instead of waiting for the next attempt.
    pub fn retry_now(&self) {
        let status = self.0.borrow().status;
        status.next_retry.set(None);
        self.post(Request::RetryNow);
    }

    /// Continues with a new token after the relay refused the old one; the documents on the
    /// device, and the changes not yet sent, stay as they are.
    pub fn renew(&self, session: Session) {
        {
            let mut inner = self.0.borrow_mut();
            inner.session.token = session.token.clone();
            inner.session.expires_at = session.expires_at;
        }
        self.post(Request::Renew {
            token: session.token,
            expires_at: session.expires_at,
        });
    }

    /// Stops syncing (logout).
    pub fn stop(&self) {
        self.post(Request::Stop);
    }

    /// Removes every document of the session from the device, then ends the worker.
    pub async fn forget_everything(&self) -> Result<(), String> {
        let result = match self.call(|call| Request::Forget { call }).await {
            Some(Answer::Done(result)) => result,
            _ => Err("the documents' worker did not answer".into()),
        };
        if let Some(worker) = self.0.borrow_mut().worker.take() {
            worker.terminate();
        }
        result
    }
}

fn json_answer<T: serde::de::DeserializeOwned>(answer: Option<Answer>) -> Option<T> {
    match answer? {
        Answer::Json(json) => serde_json::from_str(&json).ok(),
        _ => None,
    }
}

/// The relay's sync endpoint: `/sync` on the page's own origin.
fn sync_endpoint() -> String {
    let location = web_sys::window().map(|w| w.location());
    let secure = location.as_ref().and_then(|l| l.protocol().ok()).as_deref() == Some("https:");
    let host = location.and_then(|l| l.host().ok()).unwrap_or_default();
    format!("{}://{host}/sync", if secure { "wss" } else { "ws" })
}
