//! The Desmigratif field app: the pages and components of the Leptos single-page app.
//!
//! The app keeps each village's records in an Automerge document (see `desmigratif-model`).
//! This first shell shows the program's villages and the language switch; storage, sync and the
//! record screens arrive with the app issue.

pub mod components;
pub mod i18n;
pub mod pages;

use leptos::prelude::*;

use crate::components::language_switch::LanguageSwitch;
use crate::i18n::provide_language;
use crate::pages::home::Home;

/// The root component: provides the shared language context and shows the home page.
#[component]
pub fn App() -> impl IntoView {
    let lang = provide_language();
    view! {
        <header class="topbar">
            <h1>"Desmigratif"</h1>
            <LanguageSwitch/>
        </header>
        <main>
            <Home/>
        </main>
        <footer class="foot">{move || lang.text("Desa Migran Produktif", "Productive Migrant Villages")}</footer>
    }
}
