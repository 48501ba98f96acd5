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

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::language_switch::LanguageSwitch;
use crate::components::lock_screen::LockScreen;
use crate::components::sync_status::SyncStatus;
use crate::components::update_banner::UpdateBanner;
use crate::context::provide_app;
use crate::i18n::provide_language;
use crate::pages::accounts::AccountsPage;
use crate::pages::dashboard::{Dashboard, MonthlyReport};
use crate::pages::duplicates::DuplicatesPage;
use crate::pages::home::Home;
use crate::pages::import::ImportPage;
use crate::pages::login::Login;
use crate::pages::person_detail::PersonDetail;
use crate::pages::person_form::PersonForm;
use crate::pages::person_list::PersonList;
use crate::pages::pillars::parts::services_page;
use crate::pages::pillars::{detail_page, form_page, list_page};
use crate::pages::reference::{ReferenceForm, ReferencePage};

/// The root component: provides the language and app contexts, the header with the sync
/// status, and the routes.
#[component]
pub fn App() -> impl IntoView {
    let lang = provide_language();
    let app = provide_app();
    // Behind the lock screen the app stays as it was, hidden and out of reach.
    let locked = move || app.lock.get() != crate::context::Lock::Open;
    view! {
        <Router>
            <header class="topbar no-print">
                <a href="/" class="brand">"Desmigratif"</a>
                <LanguageSwitch/>
            </header>
            <LockScreen/>
            <div class="shell" hidden=locked inert=locked>
            <SyncStatus/>
            <UpdateBanner/>
            <main>
                <Routes fallback=move || view! { <p>{lang.text("Halaman tidak ada.")}</p> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/masuk") view=Login/>
                    <Route path=path!("/orang") view=PersonList/>
                    <Route path=path!("/orang/baru") view=PersonForm/>
                    <Route path=path!("/orang/:id") view=PersonDetail/>
                    <Route path=path!("/orang/:id/ubah") view=PersonForm/>
                    <Route path=path!("/dasbor") view=Dashboard/>
                    <Route path=path!("/laporan") view=MonthlyReport/>
                    <Route path=path!("/impor") view=ImportPage/>
                    <Route path=path!("/akun") view=AccountsPage/>
                    <Route path=path!("/duplikat") view=DuplicatesPage/>
                    <Route path=path!("/info") view=ReferencePage/>
                    <Route path=path!("/info/:jenis/baru") view=ReferenceForm/>
                    <Route path=path!("/info/:jenis/:id/ubah") view=ReferenceForm/>
                    <Route path=path!("/layanan") view=services_page/>
                    <Route path=path!("/layanan/:jenis") view=list_page/>
                    <Route path=path!("/layanan/:jenis/baru") view=form_page/>
                    <Route path=path!("/layanan/:jenis/:id") view=detail_page/>
                    <Route path=path!("/layanan/:jenis/:id/ubah") view=form_page/>
                </Routes>
            </main>
            </div>
        </Router>
    }
}

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
