//! The engine's connection to the relay: the WebSocket, the automerge-repo handshake, sync
//! messages in and out, reconnecting with backoff and on the browser's network events.

use automerge::sync::{self, SyncDoc};
use desmigratif_model::wire::WireMessage;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::{Connection, Engine};
use crate::session;

impl Engine {
    pub(super) fn listen_to_network_events(&self) {
        let Some(window) = web_sys::window() else { return };
        let engine = self.clone();
        let retry = Closure::<dyn FnMut()>::new(move || {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                engine.reconnect_now();
            }
        });
        let _ = window.add_event_listener_with_callback("online", retry.as_ref().unchecked_ref());
        if let Some(document) = window.document() {
            let _ =
                document.add_event_listener_with_callback("visibilitychange", retry.as_ref().unchecked_ref());
        }
        retry.forget();
        let engine = self.clone();
        let offline = Closure::<dyn FnMut()>::new(move || {
            if let Some(ws) = engine.0.borrow().socket.clone() {
                let _ = ws.close();
            }
        });
        let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        offline.forget();
    }

    pub(super) fn reconnect_now(&self) {
        let idle = {
            let mut inner = self.0.borrow_mut();
            inner.backoff_ms = 1000;
            inner.socket.is_none() && !inner.stopped
        };
        if idle {
            self.connect();
        }
    }

    pub(super) fn peer_id(&self) -> String {
        let inner = self.0.borrow();
        format!(
            "{}/{}/{}",
            inner.session.username, inner.session.device, inner.tab
        )
    }

    pub(super) fn connect(&self) {
        let (url, status) = {
            let inner = self.0.borrow();
            if inner.stopped || inner.socket.is_some() {
                return;
            }
            let endpoint = match &inner.sync_url {
                Some(url) => url.clone(),
                None => {
                    let Some(location) = web_sys::window().map(|w| w.location()) else {
                        return;
                    };
                    let secure = location.protocol().ok().as_deref() == Some("https:");
                    let host = location.host().unwrap_or_default();
                    format!("{}://{host}/sync", if secure { "wss" } else { "ws" })
                }
            };
            (
                format!("{endpoint}?token={}&session={}", inner.session.token, inner.tab),
                inner.status,
            )
        };
        status.connection.set(Connection::Connecting);
        let Ok(ws) = web_sys::WebSocket::new(&url) else {
            self.schedule_reconnect();
            return;
        };
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);

        let engine = self.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || engine.on_open());
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let engine = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
                engine.on_message(&js_sys::Uint8Array::new(&buf).to_vec());
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let engine = self.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || engine.on_close());
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();

        self.0.borrow_mut().socket = Some(ws);
    }

    pub(super) fn send(&self, message: WireMessage) {
        if let Some(ws) = self.0.borrow().socket.clone()
            && ws.ready_state() == web_sys::WebSocket::OPEN
        {
            let _ = ws.send_with_u8_array(&message.encode());
        }
    }

    pub(super) fn on_open(&self) {
        self.send(WireMessage::Join {
            sender: self.peer_id(),
        });
    }

    pub(super) fn on_message(&self, bytes: &[u8]) {
        let Ok(message) = WireMessage::decode(bytes) else {
            return;
        };
        match message {
            WireMessage::Peer { sender, .. } => {
                {
                    let mut inner = self.0.borrow_mut();
                    inner.opened = true;
                    inner.backoff_ms = 1000;
                    inner.relay = sender;
                    // A new connection: forget what was in flight, keep what is shared.
                    for held in inner.docs.values_mut() {
                        if let Ok(state) = sync::State::decode(&held.sync.encode()) {
                            held.sync = state;
                        }
                        held.unavailable = false;
                    }
                    inner.status.connection.set(Connection::Online);
                }
                let ids: Vec<String> = self.0.borrow().docs.keys().cloned().collect();
                for id in ids {
                    self.send_sync(&id);
                }
                self.refresh_unsynced();
            }
            WireMessage::Sync { doc, data, .. } | WireMessage::Request { doc, data, .. } => {
                self.receive(&doc, &data)
            }
            WireMessage::DocUnavailable { doc, .. } => {
                if let Some(held) = self.0.borrow_mut().docs.get_mut(&doc) {
                    held.unavailable = true;
                }
                self.refresh_unsynced();
            }
            _ => {}
        }
    }

    /// Applies a sync message from the relay, saves what it brought, answers it.
    pub(super) fn receive(&self, doc_id: &str, data: &[u8]) {
        let Ok(message) = sync::Message::decode(data) else {
            return;
        };
        let (chunk, state_bytes, storage) = {
            let mut inner = self.0.borrow_mut();
            let storage = inner.storage.clone();
            let Some(held) = inner.docs.get_mut(doc_id) else {
                return;
            };
            if held
                .doc
                .sync()
                .receive_sync_message(&mut held.sync, message)
                .is_err()
            {
                return;
            }
            (held.doc.save_incremental(), held.sync.encode(), storage)
        };
        if !chunk.is_empty() {
            // The document in memory changed: show it now; it is stored just below.
            self.document_changed(doc_id);
        }
        self.send_sync(doc_id);
        self.refresh_unsynced();
        let engine = self.clone();
        let doc_id = doc_id.to_owned();
        leptos::task::spawn_local(async move {
            let sync_key = format!("{doc_id}/sync");
            if chunk.is_empty() {
                let _ = storage.put_meta(&sync_key, &state_bytes).await;
                return;
            }
            // The changes and the sync state that says they were received commit together: a
            // tab closed in between can never leave a state claiming changes the device lacks.
            match storage
                .append_with_meta(&doc_id, &chunk, &sync_key, &state_bytes)
                .await
            {
                Ok(key) => {
                    if let Some(held) = engine.0.borrow_mut().docs.get_mut(&doc_id) {
                        held.chunks.insert(key);
                    }
                    engine.announce(&doc_id);
                    engine.maybe_compact(&doc_id);
                }
                Err(e) => engine.status().storage_error.set(Some(e.0)),
            }
        });
    }

    /// Offers the relay whatever it lacks of a document.
    pub(super) fn send_sync(&self, doc_id: &str) {
        let message = {
            let mut inner = self.0.borrow_mut();
            if !inner.opened {
                return;
            }
            let sender = format!(
                "{}/{}/{}",
                inner.session.username, inner.session.device, inner.tab
            );
            let target = inner.relay.clone();
            let Some(held) = inner.docs.get_mut(doc_id) else {
                return;
            };
            let empty = held.doc.get_heads().is_empty();
            let Some(m) = held.doc.sync().generate_sync_message(&mut held.sync) else {
                return;
            };
            WireMessage::sync_or_request(empty, sender, target, doc_id.to_owned(), m.encode())
        };
        self.send(message);
    }

    pub(super) fn on_close(&self) {
        let (was_open, token) = {
            let mut inner = self.0.borrow_mut();
            let was_open = inner.opened;
            inner.socket = None;
            inner.opened = false;
            (was_open, inner.session.token.clone())
        };
        let status = self.status();
        status.connection.set(Connection::Offline);
        if was_open {
            self.schedule_reconnect();
            return;
        }
        // Refused before opening: offline, or the token is no longer good.
        let engine = self.clone();
        leptos::task::spawn_local(async move {
            if session::token_valid(&token).await == Some(false) {
                engine.0.borrow_mut().stopped = true;
                status.connection.set(Connection::SessionExpired);
            } else {
                engine.schedule_reconnect();
            }
        });
    }

    pub(super) fn schedule_reconnect(&self) {
        let delay = {
            let mut inner = self.0.borrow_mut();
            if inner.stopped {
                return;
            }
            let d = inner.backoff_ms;
            inner.backoff_ms = (inner.backoff_ms * 2).min(15_000);
            d
        };
        let engine = self.clone();
        gloo_timers::callback::Timeout::new(delay, move || engine.connect()).forget();
    }
}
