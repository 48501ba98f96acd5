use desmigratif_model::Lang;
use leptos::prelude::*;

use crate::i18n::use_language;

/// A two-button switch between Bahasa Indonesia and English.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_language();
    let button = move |l: Lang, label: &'static str| {
        view! {
            <button
                class="lang"
                aria-pressed=move || (lang.0.get() == l).to_string()
                on:click=move |_| lang.set(l)
            >
                {label}
            </button>
        }
    };
    view! { <div class="lang-switch">{button(Lang::Id, "ID")}{button(Lang::En, "EN")}</div> }
}
