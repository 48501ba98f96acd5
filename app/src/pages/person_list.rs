use desmigratif_model::{Category, Collection, PersonFilter, RecordId};
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
    // The rows to show, as (id, revision): a row is redrawn only when its person changed.
    let results = Memo::new(move |_| {
        let filter = filter();
        app.with_village(|v| {
            let found = v.snapshot.search(&filter);
            let total = found.len();
            let rows: Vec<(RecordId, u64)> = found
                .into_iter()
                .take(MAX_ROWS)
                .map(|p| (p.id.clone(), v.revision(&p.id)))
                .collect();
            (total, rows)
        })
    });
    let total = move || results.with(|r| r.as_ref().map(|(t, _)| *t));
    let rows = move || results.with(|r| r.as_ref().map(|(_, rows)| rows.clone()).unwrap_or_default());
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
                    {move || app.with_village(|v| v.snapshot.dusun_names()).map(options)}
                </select>
                <select aria-label="negara" prop:value=destination on:change=move |ev| destination.set(event_target_value(&ev))>
                    <option value="">{move || lang.text("Semua negara", "All countries")}</option>
                    {move || app.with_village(|v| v.snapshot.destinations()).map(options)}
                </select>
            </div>
            {move || total().map(|total| view! {
                <p class="muted result-count">{total}" "{lang.text("orang", "people")}</p>
            })}
            <ul class="people">
                <For each=rows key=|row| row.clone() let((id, _))>
                    <PersonRow id=id/>
                </For>
            </ul>
            <a class="button primary fab" href="/orang/baru">{move || lang.text("+ Tambah", "+ Add")}</a>
        </section>
    }
}

/// One row of the list, drawn from the person as it stands when the row is made (the list
/// makes a new row when the person changes).
#[component]
fn PersonRow(id: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let row = app
        .village
        .get_untracked()
        .and_then(|doc| {
            app.engine()?.with_view(&doc, |v| {
                let p = v.snapshot.person(&id)?;
                Some((
                    p.full_name.clone(),
                    p.dusun.clone().unwrap_or_default(),
                    v.snapshot.category(&id),
                    v.snapshot.has_conflict(Collection::Persons, &id),
                ))
            })
        })
        .flatten();
    row.map(|(name, dusun, category, conflict)| {
        view! {
            <li class="person">
                <a href=format!("/orang/{id}")>
                    <strong>{name}</strong>
                    {conflict.then(|| view! { <span class="badge conflict">"!"</span> })}
                    <small>{move || format!("{} · {}", category.map(|c| c.label(lang.get())).unwrap_or(""), dusun)}</small>
                </a>
            </li>
        }
    })
}
