//! The engine's WebSocket to the relay and the browser's network events; what to send and
//! when to reconnect is the replica's decision.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::Engine;

impl Engine {
    /// Retries at once when the network comes back or the app becomes visible, and stores the
    /// changed views when it is hidden; closes the socket when the browser knows it is offline.
    pub(super) fn listen_to_network_events(&self) {
        let Some(window) = web_sys::window() else { return };
        let engine = self.clone();
        let retry = Closure::<dyn FnMut()>::new(move || {
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            if visible {
                let effects = engine.0.borrow_mut().replica.retry_now();
                engine.run(effects);
            } else {
                engine.store_changed_views();
            }
        });
        let _ = window.add_event_listener_with_callback("online", retry.as_ref().unchecked_ref());
        if let Some(document) = window.document() {
            let _ =
                document.add_event_listener_with_callback("visibilitychange", retry.as_ref().unchecked_ref());
        }
        retry.forget();
        let engine = self.clone();
        let offline = Closure::<dyn FnMut()>::new(move || engine.close_socket());
        let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        offline.forget();
    }

    fn endpoint(&self) -> Option<String> {
        let inner = self.0.borrow();
        let endpoint = match &inner.sync_url {
            Some(url) => url.clone(),
            None => {
                let location = web_sys::window()?.location();
                let secure = location.protocol().ok().as_deref() == Some("https:");
                let host = location.host().unwrap_or_default();
                format!("{}://{host}/sync", if secure { "wss" } else { "ws" })
            }
        };
        Some(format!(
            "{endpoint}?token={}&session={}&v={}",
            inner.session.token,
            inner.tab,
            crate::session::APP_VERSION
        ))
    }

    /// Opens a socket; its events go to the replica as long as it is the current one.
    pub(super) fn open_socket(&self) {
        let socket = self.endpoint().and_then(|url| web_sys::WebSocket::new(&url).ok());
        let Some(ws) = socket else {
            let effects = self.0.borrow_mut().replica.closed();
            self.run(effects);
            return;
        };
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let number = {
            let mut inner = self.0.borrow_mut();
            inner.sockets_opened += 1;
            inner.sockets_opened
        };

        let engine = self.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if engine.is_current(number) {
                let effects = engine.0.borrow_mut().replica.opened();
                engine.run(effects);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let engine = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if engine.is_current(number)
                && let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>()
            {
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                let effects = engine.0.borrow_mut().replica.received(&bytes);
                engine.run(effects);
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let engine = self.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            if engine.is_current(number) {
                engine.0.borrow_mut().socket = None;
                let effects = engine.0.borrow_mut().replica.closed();
                engine.run(effects);
            }
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();

        self.0.borrow_mut().socket = Some((number, ws));
    }

    fn is_current(&self, number: u32) -> bool {
        self.0.borrow().socket.as_ref().is_some_and(|(n, _)| *n == number)
    }

    /// Closes the socket; its `close` event tells the replica.
    pub(super) fn close_socket(&self) {
        let socket = self.0.borrow().socket.as_ref().map(|(_, ws)| ws.clone());
        if let Some(ws) = socket {
            let _ = ws.close();
        }
    }

    pub(super) fn send(&self, bytes: &[u8]) {
        let socket = self.0.borrow().socket.as_ref().map(|(_, ws)| ws.clone());
        if let Some(ws) = socket
            && ws.ready_state() == web_sys::WebSocket::OPEN
        {
            let _ = ws.send_with_u8_array(bytes);
        }
    }
}
