//! The documents' WebSocket to the relay; what to send and when to reconnect is the replica's
//! decision (the window reports the network's comings and goings).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::Docs;

impl Docs {
    fn endpoint(&self) -> String {
        let inner = self.0.borrow();
        format!(
            "{}?token={}&session={}&v={}",
            inner.sync_url,
            inner.session.token,
            inner.tab,
            crate::session::APP_VERSION
        )
    }

    /// Opens a socket; its events go to the replica as long as it is the current one.
    pub(super) fn open_socket(&self) {
        let socket = web_sys::WebSocket::new(&self.endpoint()).ok();
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

        let docs = self.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if docs.is_current(number) {
                crate::mark("desmigratif:socket-opened");
                let effects = docs.0.borrow_mut().replica.opened();
                docs.run(effects);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();

        let docs = self.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if docs.is_current(number)
                && let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>()
            {
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                let effects = docs.0.borrow_mut().replica.received(&bytes);
                docs.run(effects);
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();

        let docs = self.clone();
        let on_close = Closure::<dyn FnMut()>::new(move || {
            if docs.is_current(number) {
                docs.0.borrow_mut().socket = None;
                let effects = docs.0.borrow_mut().replica.closed();
                docs.run(effects);
            }
        });
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_close.forget();

        self.0.borrow_mut().socket = Some((number, ws));
    }

    fn is_current(&self, number: u32) -> bool {
        self.0.borrow().socket.as_ref().is_some_and(|(n, _)| *n == number)
    }

    /// The browser says the device went offline: the socket is given up at once and the
    /// replica told so, without waiting for its `close` event (a closing handshake nobody can
    /// answer may take the browser a minute to give up on).
    pub(super) fn drop_socket(&self) {
        let socket = self.0.borrow_mut().socket.take();
        if let Some((_, ws)) = socket {
            let _ = ws.close();
            let effects = self.0.borrow_mut().replica.closed();
            self.run(effects);
        }
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
