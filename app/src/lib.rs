//! The Desmigratif field app: a Leptos single-page app that keeps each village's records in an
//! Automerge document on the device (IndexedDB) and syncs them with the relay when there is
//! signal. It never waits for the network: every screen works offline.

pub mod components;
pub mod context;
pub mod engine;
pub mod files;
pub mod i18n;
pub mod latch;
pub mod pages;
pub mod protocol;
pub mod record_draft;
pub mod replica;
pub mod session;
pub mod storage;
pub mod vault;
pub mod worker;

/// A mark on this thread's timeline (the window's or the documents' worker's), for the browser
/// bench and the browser's profiler; nothing outside a browser.
pub(crate) fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into());
        if let Some(performance) = performance
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        {
            let _ = performance.mark(name);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}
