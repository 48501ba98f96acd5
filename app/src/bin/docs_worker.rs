//! The documents' worker: loads the session's Automerge documents, syncs them with the relay
//! and applies edits, off the window's thread (see `app::worker`). Its own wasm, without the
//! screens.

fn main() {
    console_error_panic_hook::set_once();
    app::worker::run();
}
