use desmigratif_model::Lang;
use leptos::prelude::*;

use crate::i18n::use_language;

/// A button per language (Bahasa Indonesia first, then one per locale file), each showing its
/// code and titled with its own name.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_language();
    let buttons = Lang::all()
        .map(|l| {
            view! {
                <button
                    class="lang"
                    title=l.name()
                    aria-pressed=move || (lang.0.get() == l).to_string()
                    on:click=move |_| lang.set(l)
                >
                    {l.code().to_uppercase()}
                </button>
            }
        })
        .collect_view();
    view! { <div class="lang-switch">{buttons}</div> }
}
