//! The district's reference data (`/info`): announcements, job orders, the training schedule,
//! licensed agencies (P3MI) and country notes. Every account reads it from the district
//! document on the device, offline; a district account adds and edits it
//! (`/info/:jenis/baru`, `/info/:jenis/:id/ubah`) and every village receives it on its next
//! sync.
//!
//! The five record types share one list and one form, compiled once: each type is a
//! [`RefKind`], its declaration and a few plain functions made from [`RefUi`] by [`ref_kind`].

mod form;
mod kinds;

pub use form::ReferenceForm;

use desmigratif_model::Announcement;
use leptos::prelude::*;

use crate::context::use_app;
use crate::i18n::{today, use_language};
use kinds::{Item, KINDS, RefKind};

/// `/info`: every section, current items first; a district account can add and edit.
#[component]
pub fn ReferencePage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let editor = move || app.district_doc().is_some_and(|(_, writable)| writable);
    let arrived = move || app.with_reference(|_| ()).is_some();
    view! {
        <section class="reference">
            <h1>{move || lang.text("Info kabupaten")}</h1>
            <p class="muted">{move || lang.text("Dari Disnaker kabupaten; tersimpan di perangkat ini dan bisa dibuka tanpa sinyal.")}</p>
            <nav class="chips" aria-label=move || lang.text("Bagian")>
                {KINDS.iter().map(|k| view! { <a href=format!("#{}", k.path)>{move || k.plural.get(lang.get())}</a> }).collect_view()}
            </nav>
            <Show when=arrived fallback=move || view! {
                <p class="msg warning" role="status">{move || lang.text("Data kabupaten belum ada di perangkat ini. Data diambil saat tersambung.")}</p>
            }>
                {KINDS.iter().map(|kind| view! { <RefSection kind=kind editor=Signal::derive(editor)/> }).collect_view()}
            </Show>
        </section>
    }
}

#[component]
fn RefSection(kind: &'static RefKind, editor: Signal<bool>) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let query = RwSignal::new(String::new());
    let items = Memo::new(move |_| {
        let l = lang.get();
        app.with_reference(|r| (kind.items)(r, l, today()))
            .unwrap_or_default()
    });
    let shown = move |current: bool| {
        let q = query.get().trim().to_lowercase();
        items.with(|items| {
            items
                .iter()
                .filter(|i| !i.deleted && i.current == current)
                .filter(|i| q.is_empty() || i.title.to_lowercase().contains(&q))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let deleted = move || items.with(|items| items.iter().filter(|i| i.deleted).cloned().collect::<Vec<_>>());
    let searchable = kind.path == "p3mi";
    view! {
        <section class="ref-section" id=kind.path>
            <h2>{move || kind.plural.get(lang.get())}</h2>
            {move || editor.get().then(|| view! {
                <a class="button primary" href=format!("/info/{}/baru", kind.path)>
                    {move || format!("+ {}", lang.text("Tambah"))}
                </a>
            })}
            {searchable.then(|| view! {
                <input class="search" type="search" aria-label=move || lang.text("Cari P3MI")
                    placeholder=move || lang.text("Cari nama P3MI…")
                    prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            })}
            {move || {
                let current = shown(true);
                if current.is_empty() {
                    view! { <p class="muted">{kind.none.get(lang.get())}</p> }.into_any()
                } else {
                    item_list(kind, current, editor).into_any()
                }
            }}
            {move || {
                let past = shown(false);
                (!past.is_empty()).then(|| view! {
                    <details>
                        <summary>{move || lang.text("Yang sudah lewat")}{format!(" ({})", past.len())}</summary>
                        {item_list(kind, past.clone(), editor)}
                    </details>
                })
            }}
            {move || {
                let gone = deleted();
                (editor.get() && !gone.is_empty()).then(|| view! {
                    <details>
                        <summary>{move || lang.text("Dihapus")}{format!(" ({})", gone.len())}</summary>
                        {item_list(kind, gone.clone(), editor)}
                    </details>
                })
            }}
        </section>
    }
}

fn item_list(kind: &'static RefKind, items: Vec<Item>, editor: Signal<bool>) -> impl IntoView {
    let lang = use_language();
    view! {
        <ul class="ref-items">
            {items.into_iter().map(|i| {
                let edit = format!("/info/{}/{}/ubah", kind.path, i.id);
                view! {
                    <li data-id=i.id.to_string()>
                        <div class="ref-head">
                            <strong>{i.title}</strong>
                            {i.badge.map(|(class, text)| view! { <span class=format!("badge {class}")>{text}</span> })}
                        </div>
                        {(!i.facts.is_empty()).then(|| view! { <small class="facts">{i.facts}</small> })}
                        {i.body.map(|b| view! { <p class="ref-body">{b}</p> })}
                        {move || editor.get().then(|| view! { <a class="edit-link" href=edit.clone()>{move || lang.text("Ubah")}</a> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The district's current announcements on the home screen, newest first, leading to `/info`.
#[component]
pub fn DistrictNews() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let news = Memo::new(move |_| {
        app.with_reference(|r| {
            let day = today();
            let mut current: Vec<&Announcement> = r
                .announcements
                .values()
                .filter(|a| !a.deleted && a.current_on(day))
                .collect();
            current.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
            current
                .into_iter()
                .take(3)
                .map(|a| (a.title.clone(), a.date.to_display()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    view! {
        <section class="district-news">
            <h2>{move || lang.text("Dari kabupaten")}</h2>
            {move || {
                let items = news.get();
                if items.is_empty() {
                    view! { <p class="muted">{lang.text("Tidak ada pengumuman baru.")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="news">
                            {items.into_iter().map(|(title, date)| view! { <li><strong>{title}</strong> " " <small>{date}</small></li> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <a class="button" href="/info">{move || lang.text("Info kabupaten: P3MI, lowongan, pelatihan")}</a>
        </section>
    }
}
