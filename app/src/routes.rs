//! The pages a field worker does not need on the first screen, each loaded the first time it
//! is opened: `cargo xtask build-web` cuts the app's wasm at these functions (wasm-split), so
//! the first download holds the login, the lock, home and the person list,
//! and the rest arrives in two chunks the service worker keeps for offline use: the records
//! (a person's page, the forms and the four pillars' pages) and the office's pages (dashboard,
//! report, imports, accounts, duplicates, reference data, an administrator's and a partner's
//! home). Fewer, larger chunks than one per page: each is a
//! file the service worker must have fetched before the app can reopen without signal.
//!
//! Each page is a `LazyRoute` whose view comes from a split function; the router fetches the
//! chunk before it shows the page. Outside a split build (native tests, the browser tests) the
//! call is direct.

use leptos::prelude::*;
use leptos_router::LazyRoute;

use std::future::Future;

use wasm_bindgen::JsCast;

use app::i18n::use_language;
use app::pages::accounts::AccountsPage;
use app::pages::dashboard::{Dashboard, MonthlyReport};
use app::pages::duplicates::DuplicatesPage;
use app::pages::import::ImportPage;
use app::pages::partner::PartnerPage;
use app::pages::person_detail::PersonDetail;
use app::pages::person_form::PersonForm;
use app::pages::pillars::parts::services_page;
use app::pages::pillars::{detail_page, form_page, list_page};
use app::pages::reference::{ReferenceForm, ReferencePage};

/// A chunk that could not be fetched: no signal on a device whose service worker has not yet
/// kept the app's files (the first minutes after the first login), or a build replaced on the
/// relay while this one was open.
#[derive(Debug)]
pub struct ChunkMissing;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkMissing {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self
    }
}

/// What shows instead of a page whose code could not be fetched: the app stays usable, and
/// the next attempt fetches the chunk afresh (a failed load is not remembered).
fn chunk_missing() -> AnyView {
    let lang = use_language();
    view! {
        <section class="notice offline-page" role="alert">
            <p>{move || lang.text("Halaman ini belum tersimpan di perangkat ini. Sambungkan ke internet, lalu coba lagi.")}</p>
            <button class="button" on:click=|_| { let _ = window().location().reload(); }>
                {move || lang.text("Coba lagi")}
            </button>
        </section>
    }
    .into_any()
}

/// `load`'s view, or what says it could not be fetched.
async fn loaded(load: impl Future<Output = Result<AnyView, ChunkMissing>>) -> AnyView {
    load.await.unwrap_or_else(|ChunkMissing| chunk_missing())
}

/// `lazy_page!(Route, chunk, view_fn, view)`: a route whose view is `view`, compiled into the
/// wasm chunk named `chunk`.
macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $chunk:ident, $view_fn:ident, $view:expr) => {
        #[leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $view_fn() -> Result<AnyView, ChunkMissing> {
            Ok($view.into_any())
        }

        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                loaded($view_fn()).await
            }
        }
    };
}

lazy_page!(
    /// The person form (new and edit).
    PersonFormRoute, records, person_form_view, view! { <PersonForm/> }
);
lazy_page!(
    /// A person's page.
    PersonDetailRoute, records, person_detail_view, view! { <PersonDetail/> }
);
lazy_page!(
    /// The four pillars' services.
    ServicesRoute, records, services_view, services_page()
);
lazy_page!(
    /// A pillar record type's list.
    PillarListRoute, records, pillar_list_view, list_page()
);
lazy_page!(
    /// A pillar record's form.
    PillarFormRoute, records, pillar_form_view, form_page()
);
lazy_page!(
    /// A pillar record's detail.
    PillarDetailRoute, records, pillar_detail_view, detail_page()
);
lazy_page!(
    /// The dashboard.
    DashboardRoute, office, dashboard_view, view! { <Dashboard/> }
);
lazy_page!(
    /// The monthly report.
    ReportRoute, office, report_view, view! { <MonthlyReport/> }
);
lazy_page!(
    /// Importing files.
    ImportRoute, office, import_view, view! { <ImportPage/> }
);
lazy_page!(
    /// Accounts and devices.
    AccountsRoute, office, accounts_view, view! { <AccountsPage/> }
);
lazy_page!(
    /// Possible duplicates.
    DuplicatesRoute, office, duplicates_view, view! { <DuplicatesPage/> }
);
lazy_page!(
    /// The district's reference data.
    ReferenceRoute, office, reference_view, view! { <ReferencePage/> }
);
lazy_page!(
    /// A reference record's form.
    ReferenceFormRoute, office, reference_form_view, view! { <ReferenceForm/> }
);

#[leptos::wasm_split::wasm_split(office, wasm_split_path = ::leptos::wasm_split, fallible)]
fn admin_home_view() -> Result<AnyView, ChunkMissing> {
    Ok(view! { <AccountsPage/> }.into_any())
}

#[leptos::wasm_split::wasm_split(office, wasm_split_path = ::leptos::wasm_split, fallible)]
fn partner_home_view() -> Result<AnyView, ChunkMissing> {
    Ok(view! { <PartnerPage/> }.into_any())
}

/// `load`'s view once its chunk is there (at once when it already is).
fn lazily<F: Future<Output = Result<AnyView, ChunkMissing>> + 'static>(load: fn() -> F) -> AnyView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(send_wrapper::SendWrapper::new(loaded(load())))}
        </Suspense>
    }
    .into_any()
}

#[leptos::wasm_split::wasm_split(records, wasm_split_path = ::leptos::wasm_split, fallible)]
fn records_ready() -> Result<(), ChunkMissing> {
    Ok(())
}

/// Fetches and compiles the records chunk while the phone is idle, once the app is open on an
/// account with village records and runs under its service worker, so that the first person's
/// page opens as fast as the next (compiling the chunk costs ~35 ms, ~90 ms on a slow phone).
/// Not before the service worker controls the page: on the first visit the chunk would come
/// over the network a second time, racing the service worker's own copy; the first page that
/// needs it fetches it then.
pub fn preload_records_when_idle() {
    let state = app::context::use_app();
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let open = state.lock.get() == app::context::Lock::Open
            && state
                .session
                .with(|s| s.as_ref().is_some_and(|s| s.role.has_documents()));
        let installed = window().navigator().service_worker().controller().is_some();
        if !(open && installed) {
            return false;
        }
        let load = wasm_bindgen::closure::Closure::once_into_js(|| {
            leptos::task::spawn_local(async {
                // A failure is left to the page that needs the chunk, which says so.
                let _ = records_ready().await;
            });
        });
        let _ = window().request_idle_callback(load.unchecked_ref());
        true
    });
}

/// An administrator's home: the accounts page.
pub fn admin_home() -> AnyView {
    lazily(admin_home_view)
}

/// A partner's home: the aggregates.
pub fn partner_home() -> AnyView {
    lazily(partner_home_view)
}
