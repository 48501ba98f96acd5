use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::i18n::use_language;

/// "A new version is available — reload", shown when the service worker has installed a new
/// build (`boot.js` announces it). Reloading is the user's choice, so no form is lost.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let lang = use_language();
    let available = RwSignal::new(false);
    if let Some(window) = web_sys::window() {
        let on_update = Closure::<dyn FnMut()>::new(move || available.set(true));
        let _ =
            window.add_event_listener_with_callback("desmigratif-update", on_update.as_ref().unchecked_ref());
        on_update.forget();
    }
    let apply = move |_| {
        let Some(window) = web_sys::window() else { return };
        let apply = js_sys::Reflect::get(&window, &"desmigratifApplyUpdate".into()).ok();
        match apply.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            Some(f) => {
                let _ = f.call0(&window);
            }
            None => {
                let _ = window.location().reload();
            }
        }
    };
    view! {
        <Show when=move || available.get()>
            <div class="update-banner" role="status">
                <span>{move || lang.text("Versi baru tersedia.")}</span>
                <button class="primary" on:click=apply>{move || lang.text("Muat ulang")}</button>
            </div>
        </Show>
    }
}
