use desmigratif_model::{Category, PersonFilter};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::context::use_app;
use crate::i18n::use_language;

/// At most this many rows are drawn; the count says how many matched.
const MAX_ROWS: usize = 200;

fn category_from(s: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| format!("{c:?}") == s)
}

/// Search by name or NIK, filter by category, dusun and destination.
#[component]
pub fn PersonList() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let query = use_query_map();
    let text = RwSignal::new(String::new());
    let category = RwSignal::new(query.get_untracked().get("kategori").unwrap_or_default());
    let dusun = RwSignal::new(String::new());
    let destination = RwSignal::new(String::new());
    let filter = move || PersonFilter {
        text: Some(text.get()).filter(|t| !t.trim().is_empty()),
        category: category_from(&category.get()),
        dusun: Some(dusun.get()).filter(|d| !d.is_empty()),
        destination: Some(destination.get()).filter(|d| !d.is_empty()),
        include_deleted: false,
    };
    let results = move || {
        let snap = app.snapshot.get()?;
        let found = snap.0.search(&filter());
        let total = found.len();
        let rows = found
            .into_iter()
            .take(MAX_ROWS)
            .map(|p| {
                let cat = snap.0.category(&p.id).map(|c| c.label(lang.get())).unwrap_or("");
                let conflict = app
                    .engine()
                    .and_then(|e| {
                        e.read(&app.village.get_untracked()?, |d| {
                            d.has_conflict::<desmigratif_model::Person>(&p.id)
                        })
                    })
                    .unwrap_or(false);
                view! {
                    <li class="person">
                        <a href=format!("/orang/{}", p.id)>
                            <strong>{p.full_name.clone()}</strong>
                            {conflict.then(|| view! { <span class="badge conflict">"!"</span> })}
                            <small>{format!("{} · {}", cat, p.dusun.clone().unwrap_or_default())}</small>
                        </a>
                    </li>
                }
            })
            .collect_view();
        Some((total, rows))
    };
    let options = move |list: Vec<String>| {
        list.into_iter()
            .map(|d| view! { <option value=d.clone()>{d.clone()}</option> })
            .collect_view()
    };
    view! {
        <section class="person-list">
            <input class="search" type="search" placeholder=move || lang.text("Cari nama atau NIK", "Search name or NIK")
                prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/>
            <div class="filters">
                <select aria-label="kategori" prop:value=category on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">{move || lang.text("Semua kategori", "All categories")}</option>
                    {Category::ALL.into_iter().map(|c| view! { <option value=format!("{c:?}")>{move || c.label(lang.get())}</option> }).collect_view()}
                </select>
                <select aria-label="dusun" prop:value=dusun on:change=move |ev| dusun.set(event_target_value(&ev))>
                    <option value="">{move || lang.text("Semua dusun", "All dusun")}</option>
                    {move || app.snapshot.get().map(|s| options(s.0.dusun_names()))}
                </select>
                <select aria-label="negara" prop:value=destination on:change=move |ev| destination.set(event_target_value(&ev))>
                    <option value="">{move || lang.text("Semua negara", "All countries")}</option>
                    {move || app.snapshot.get().map(|s| options(s.0.destinations()))}
                </select>
            </div>
            {move || results().map(|(total, rows)| view! {
                <p class="muted result-count">{total}" "{lang.text("orang", "people")}</p>
                <ul class="people">{rows}</ul>
            })}
            <a class="button primary fab" href="/orang/baru">{move || lang.text("+ Tambah", "+ Add")}</a>
        </section>
    }
}
