//! The Desmigratif field app (client-side rendered Leptos, compiled to WebAssembly): the root
//! component and its routes. They live in this binary, not in the library the documents'
//! worker shares, so that the worker's wasm does not carry the screens the routes export for
//! wasm-split (see `routes.rs`).

mod routes;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, path};

use app::components::language_switch::LanguageSwitch;
use app::components::lock_screen::LockScreen;
use app::components::sync_status::SyncStatus;
use app::components::update_banner::UpdateBanner;
use app::context::{Lock, provide_app};
use app::i18n::provide_language;
use app::pages::home::Home;
use app::pages::login::Login;
use app::pages::person_list::PersonList;

use crate::routes::*;

/// The root component: provides the language and app contexts, the header with the sync
/// status, and the routes.
#[component]
fn App() -> impl IntoView {
    provide_language();
    let state = provide_app();
    preload_records_when_idle();
    // Behind the lock screen the app stays as it was, hidden and out of reach.
    let locked = move || state.lock.get() != Lock::Open;
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
                <Routes fallback=move || view! { <app::components::NotFound/> }>
                    <Route path=path!("/") view=|| view! { <Home admin=admin_home partner=partner_home/> }/>
                    <Route path=path!("/masuk") view=Login/>
                    <Route path=path!("/orang") view=PersonList/>
                    <Route path=path!("/orang/baru") view={Lazy::<PersonFormRoute>::new()}/>
                    <Route path=path!("/orang/:id") view={Lazy::<PersonDetailRoute>::new()}/>
                    <Route path=path!("/orang/:id/ubah") view={Lazy::<PersonFormRoute>::new()}/>
                    <Route path=path!("/dasbor") view={Lazy::<DashboardRoute>::new()}/>
                    <Route path=path!("/laporan") view={Lazy::<ReportRoute>::new()}/>
                    <Route path=path!("/impor") view={Lazy::<ImportRoute>::new()}/>
                    <Route path=path!("/akun") view={Lazy::<AccountsRoute>::new()}/>
                    <Route path=path!("/duplikat") view={Lazy::<DuplicatesRoute>::new()}/>
                    <Route path=path!("/info") view={Lazy::<ReferenceRoute>::new()}/>
                    <Route path=path!("/info/:jenis/baru") view={Lazy::<ReferenceFormRoute>::new()}/>
                    <Route path=path!("/info/:jenis/:id/ubah") view={Lazy::<ReferenceFormRoute>::new()}/>
                    <Route path=path!("/layanan") view={Lazy::<ServicesRoute>::new()}/>
                    <Route path=path!("/layanan/:jenis") view={Lazy::<PillarListRoute>::new()}/>
                    <Route path=path!("/layanan/:jenis/baru") view={Lazy::<PillarFormRoute>::new()}/>
                    <Route path=path!("/layanan/:jenis/:id") view={Lazy::<PillarDetailRoute>::new()}/>
                    <Route path=path!("/layanan/:jenis/:id/ubah") view={Lazy::<PillarFormRoute>::new()}/>
                </Routes>
            </main>
            </div>
        </Router>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
