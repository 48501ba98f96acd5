//! Reusable pieces of the UI.

pub mod conflict_dialog;
pub mod download;
pub mod field;
pub mod language_switch;
pub mod lock_screen;
pub mod record_parts;
pub mod sync_status;
pub mod update_banner;

/// What an address the app has no page for shows: a heading, and the way home.
#[leptos::component]
pub fn NotFound() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let lang = crate::i18n::use_language();
    view! {
        <h1>{move || lang.text("Halaman tidak ada")}</h1>
        <p>{move || lang.text("Alamat ini tidak ada di aplikasi, atau datanya tidak ada di perangkat ini.")}</p>
        <a class="button" href="/">{move || lang.text("Ke beranda")}</a>
    }
}

/// Asks the browser's yes/no question; `unanswered` when there is no window to ask in.
pub fn confirm(question: &str, unanswered: bool) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(unanswered)
}

/// Keeps the address's query equal to `search()` (`?q=…`, or empty) as the page's state changes,
/// replacing the history entry, so that Back and a reload restore what the page showed.
pub fn keep_in_address(path: String, search: impl Fn() -> String + 'static) {
    use leptos::prelude::*;
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let search = search();
        if window().location().search().unwrap_or_default() != search {
            let options = leptos_router::NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            };
            navigate(&format!("{path}{search}"), options);
        }
    });
}
