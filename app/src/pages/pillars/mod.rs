//! The pages of the pillars' records under `/layanan/<kind>`: a list with search, a form for
//! creating and editing, a detail with history and conflicts, plus what a type adds (a case's
//! log, an activity's participants, a membership's payments). A person's page lists what is
//! linked to them ([`parts::LinkedRecords`]).
//!
//! The pages are compiled once for every record type: each type is a [`Kind`], its
//! declaration and a few plain functions over its records (made from [`PillarUi`] by
//! [`kind_of`]). Generic pages would copy every view per type.

pub mod kinds;
pub mod parts;
mod pillar_ui;

use desmigratif_model::Edit;
pub use pillar_ui::{Kind, PillarUi, Row, Shown, Start, kind_of};
use pillar_ui::{capitalised, choice_label, now_secs};

use desmigratif_model::{Collection, RecordId, Severity};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::components::confirm;
use crate::components::field::{PersonSearch, field_messages, focus_first_error};
use crate::components::keep_in_address;
use crate::components::record_parts::{ConflictBadge, RecordHistory};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::pages::person_form::guard_unsaved;
use crate::record_draft::{FieldMessage, RecordDraft};

/// `/kasus`, `/konsultasi`: every live record of the type, newest first, with a search over
/// the names a viewer may see.
pub fn pillar_list(kind: &'static Kind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    // What is searched and filtered lives in the address (`?q=…&saring=…`), so Back and a
    // reload keep it.
    let params = use_query_map().get_untracked();
    let query = RwSignal::new(params.get("q").unwrap_or_default());
    let filter = RwSignal::new(params.get("saring").unwrap_or_default());
    keep_in_address(format!("/layanan/{}", kind.path), move || {
        let mut parts = Vec::new();
        let q = query.get();
        if !q.trim().is_empty() {
            parts.push(format!(
                "q={}",
                String::from(js_sys::encode_uri_component(q.trim()))
            ));
        }
        let f = filter.get();
        if !f.is_empty() {
            parts.push(format!("saring={f}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    });
    let rows = Memo::new(move |_| {
        let session = app.session.get();
        let l = lang.get();
        let q = query.get().trim().to_lowercase();
        let f = filter.get();
        let mut rows = app
            .with_village(|v| (kind.rows)(v, session.as_ref(), l, today(), &f))
            .unwrap_or_default();
        rows.retain(|r| {
            q.is_empty() || r.title.to_lowercase().contains(&q) || r.facts.to_lowercase().contains(&q)
        });
        rows.sort_by(|a, b| (b.order, &b.id).cmp(&(a.order, &a.id)));
        rows.into_iter()
            .map(|r| (r.id.to_string(), r.title, r.facts, r.conflict))
            .collect::<Vec<_>>()
    });
    let filters = (!kind.filters.is_empty()).then(|| {
        view! {
            <select class="filter" aria-label=move || lang.text("Saring") prop:value=filter
                on:change=move |ev| filter.set(event_target_value(&ev))>
                <option value="">{move || lang.text_in("All", "Semua")}</option>
                {kind.filters.iter().map(|(code, label)| view! { <option value=*code>{move || label.get(lang.get())}</option> }).collect_view()}
            </select>
        }
    });
    view! {
        <section class="pillar-list">
            <h1>{move || kind.plural.get(lang.get())}</h1>
            <a class="button primary" href=format!("/layanan/{}/baru", kind.path)>
                {move || format!("+ {}", capitalised(kind.name.get(lang.get())))}
            </a>
            <input class="search" type="search" aria-label=move || lang.text("Cari")
                placeholder=move || lang.text("Cari nama…")
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
            {filters}
            <p class="result-count">{move || {
                let n = rows.with(Vec::len);
                let l = lang.get();
                l.fill("{n} {record}", &[("n", &n), ("record", &kind.name.get(l))])
            }}</p>
            <ul class="people records">
                {move || rows.get().into_iter().map(|(id, title, facts, conflict)| view! {
                    <li>
                        <a href=format!("/layanan/{}/{id}", kind.path)>
                            <span class="name">{title}</span>
                            {conflict.then(|| view! { <span class="marker conflict">"!"</span> })}
                            <small class="facts">{facts}</small>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// `/kasus/baru`, `/konsultasi/baru` (`?orang=ID` links the record to that person) and
/// `…/:id/ubah`. Messages at the field as the user types; only the changed fields are written.
pub fn pillar_form(kind: &'static Kind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let params = use_params_map();
    let editing: Option<RecordId> = params.get_untracked().get("id").and_then(|id| id.parse().ok());
    let is_new = editing.is_none();
    let start = RwSignal::new(None::<Start>);
    let draft = RwSignal::new(RecordDraft::default());
    let person_param: Option<RecordId> = use_query_map()
        .get_untracked()
        .get("orang")
        .and_then(|p| p.parse().ok());
    let person_param_missing = person_param.is_none() && is_new;
    // Read once the village is there (a reload on this page); never again, so nothing typed
    // is overwritten by a change arriving.
    Effect::new(move |_| {
        if start.with(Option::is_some) {
            return;
        }
        let Some(session) = app.session.get() else { return };
        // A new record needs nothing of the village; one being edited waits for it.
        let first = if editing.is_none() {
            (kind.start)(None, None, person_param.clone(), &session, today(), now_secs())
        } else {
            app.with_village(|v| (kind.start)(Some(v), editing.as_ref(), None, &session, today(), now_secs()))
                .flatten()
        };
        if let Some(first) = first {
            draft.set(first.draft.clone());
            start.set(Some(first));
        }
    });
    // A record that belongs to a person (a business's owner, a child), started from the list:
    // the form starts once the person is picked.
    let start_for = Callback::new(move |person: RecordId| {
        let Some(session) = app.session.get_untracked() else {
            return;
        };
        if let Some(first) = (kind.start)(None, None, Some(person), &session, today(), now_secs()) {
            draft.set(first.draft.clone());
            start.set(Some(first));
        }
    });
    let loaded = move || start.with(Option::is_some);
    // The person linked in this form, when the user chose another than the record's.
    let link = RwSignal::new(None::<Option<RecordId>>);
    let linked = move || {
        link.get()
            .unwrap_or_else(|| start.with(|s| s.as_ref().and_then(|s| s.person.clone())))
    };
    let person_name = move || {
        let pid = linked()?;
        app.with_village(|v| {
            v.snapshot
                .person(&pid)
                .map(|p| (p.id.clone(), p.full_name.clone()))
        })
        .flatten()
    };
    let checked = Memo::new(move |_| {
        let mut s = start.get()?;
        if let (Some(field), Some(chosen)) = (kind.person_field, link.get())
            && let Some(map) = s.base.as_object_mut()
        {
            map.insert(
                field.to_owned(),
                chosen.map_or(serde_json::Value::Null, |p| {
                    serde_json::Value::String(p.to_string())
                }),
            );
        }
        Some(draft.with(|d| (kind.check)(&s, d, lang.get(), today())))
    });
    let tried = RwSignal::new(false);
    let all =
        Signal::derive(move || checked.with(|c| c.as_ref().map(|(_, m)| m.clone()).unwrap_or_default()));
    // An agency asked about is checked against the district's list as it is typed: the
    // information service's "is this recruiter licensed?".
    let agency_warning = Signal::derive(move || {
        let name = draft.with(|d| d.get("agency"));
        let l = lang.get();
        app.with_reference(|r| r.check_agency(&name, today()))
            .flatten()
            .map(|kind| FieldMessage {
                field: "agency".into(),
                severity: Severity::Warning,
                text: desmigratif_model::Issue::warning("agency", kind).message(l),
                link: Some("/info#p3mi".into()),
            })
    });
    let messages_for = move |field: &'static str| {
        let typed = field_messages(field, all, tried, draft);
        if field != "agency" {
            return typed;
        }
        Signal::derive(move || {
            let mut out = typed.get();
            out.extend(agency_warning.get());
            out
        })
    };
    let saved = RwSignal::new(false);
    guard_unsaved(
        move || {
            !saved.get_untracked()
                && start.with_untracked(|s| {
                    s.as_ref()
                        .is_some_and(|s| draft.with_untracked(|d| *d != s.draft))
                })
        },
        lang,
    );
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Some((record, messages)) = checked.get_untracked() else {
            return;
        };
        let Some(record) = record.filter(|_| !messages.iter().any(|m| m.severity == Severity::Error)) else {
            focus_first_error(".record-form");
            return;
        };
        let (Some(engine), Some(doc_id), Some(start)) =
            (app.engine(), app.village.get_untracked(), start.get_untracked())
        else {
            return;
        };
        let id = record
            .get("id")
            .and_then(|i| i.as_str())
            .unwrap_or_default()
            .to_owned();
        saving.set(true);
        save_error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let save = Edit::Save {
                collection: kind.collection,
                base: (!is_new).then_some(start.base),
                record,
            };
            let result = engine.apply(&doc_id, save).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    saved.set(true);
                    navigate(&format!("/layanan/{}/{id}", kind.path), Default::default());
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = parts::fields_of(kind, "f", draft, messages_for);
    view! {
        <form class="card record-form" on:submit=save novalidate>
            <h1>{move || {
                let l = lang.get();
                if is_new {
                    capitalised(&l.fill("{record} baru", &[("record", &kind.name.get(l))]))
                } else {
                    l.fill("Ubah {record}", &[("record", &kind.name.get(l))])
                }
            }}</h1>
            {move || person_name().map(|(id, name)| view! {
                <p class="linked-person">{lang.text("Untuk: ")}<a href=format!("/orang/{id}")>{name}</a>
                    {kind.person_field.map(|_| view! {
                        " " <button type="button" class="secondary" on:click=move |_| link.set(Some(None))>{move || lang.text("Lepas")}</button>
                    })}
                </p>
            })}
            {move || (kind.person_field.is_some() && loaded() && linked().is_none()).then(|| view! {
                <div class="field person-link">
                    <label for="f-person">{move || lang.text("Orang yang sudah terdata")}</label>
                    <PersonSearch id="f-person".to_owned() on_pick=Callback::new(move |p: RecordId| link.set(Some(Some(p))))/>
                </div>
            })}
            {move || (kind.needs_person && start.with(Option::is_none) && person_param_missing).then(|| view! {
                <div class="field person-link">
                    <label for="f-for-person">{move || lang.text("Untuk siapa? Cari orangnya")}</label>
                    <PersonSearch id="f-for-person".to_owned() on_pick=start_for/>
                </div>
            })}
            <fieldset class="plain" disabled=move || !loaded()>{fields}</fieldset>
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <div class="sticky-actions">
                <button type="submit" class="primary" disabled=move || saving.get() || !loaded() || !app.engine_ready()>
                    {move || if saving.get() { lang.text("Menyimpan…") } else { lang.text("Simpan") }}
                </button>
            </div>
        </form>
    }
}

/// `/kasus/:id`, `/konsultasi/:id`: the record's fields, who it is about, its conflicts,
/// edit and delete, its history; a case also its log.
pub fn pillar_detail(kind: &'static Kind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let params = use_params_map();
    let id = Memo::new(move |_| params.get().get("id").and_then(|s| s.parse::<RecordId>().ok()));
    let shown = Memo::new(move |_| {
        let rid = id.get()?;
        let session = app.session.get();
        let l = lang.get();
        app.with_village(|v| (kind.shown)(v, &rid, session.as_ref(), l))
            .flatten()
    });
    // A memo: the parts below (a case's log and its entry form, …) are drawn again only when
    // access changes, never because the record changed, so what is typed in them stays.
    let allowed = Memo::new(move |_| shown.with(|s| s.as_ref().is_some_and(|s| s.allowed)));
    let allowed = move || allowed.get();
    let header = move || {
        let s = shown.get()?;
        let l = lang.get();
        let rows = s
            .fields
            .into_iter()
            .map(|(f, value)| view! { <div class="row" data-field=f.key><dt>{f.label.get(l)}</dt><dd>{value}</dd></div> })
            .collect_view();
        Some(view! {
            <h1 class="record-title">{s.title}</h1>
            <p class="category">{capitalised(kind.name.get(l))}{s.deleted.then(|| lang.text(" · dihapus"))}</p>
            {s.person.map(|(pid, name, deleted)| view! {
                <p class="linked-person">
                    {lang.text("Orang: ")}<a href=format!("/orang/{pid}")>{name}</a>
                    {deleted.then(|| view! { <span class="marker deleted">{lang.text("dihapus — buka untuk memulihkan")}</span> })}
                </p>
            })}
            {(!s.allowed).then(|| view! {
                <p class="msg warning">{lang.text("Kasus rahasia: nama dan uraian hanya untuk petugas pencatat dan kabupaten.")}</p>
            })}
            <dl class="details">{rows}</dl>
        })
    };
    let toggle_delete = move |_| {
        let (Some(rid), Some(doc_id), Some(engine), Some(s)) = (
            id.get_untracked(),
            app.village.get_untracked(),
            app.engine(),
            shown.get_untracked(),
        ) else {
            return;
        };
        if !s.deleted
            && !confirm(
                lang.text("Hapus catatan ini? Datanya tetap tersimpan dan bisa dipulihkan."),
                false,
            )
        {
            return;
        }
        leptos::task::spawn_local(async move {
            let set_deleted = Edit::SetDeleted {
                collection: kind.collection,
                id: rid,
                deleted: !s.deleted,
            };
            let _ = engine.apply(&doc_id, set_deleted).await;
        });
    };
    let is_case = kind.collection == Collection::Cases;
    let is_membership = kind.collection == Collection::Memberships;
    let is_business = kind.collection == Collection::Businesses;
    view! {
        <article class="record-detail">
            {move || id.get().map(|rid| view! { <ConflictBadge collection=kind.collection id=rid/> })}
            {header}
            <nav class="actions">
                <a class="button primary" href=move || format!("/layanan/{}/{}/ubah", kind.path, id.get().map(|i| i.to_string()).unwrap_or_default())>
                    {move || lang.text("Ubah")}
                </a>
                <button class="secondary" on:click=toggle_delete>
                    {move || if shown.with(|s| s.as_ref().is_some_and(|s| s.deleted)) { lang.text("Pulihkan") } else { lang.text_in("Delete", "Hapus") }}
                </button>
            </nav>
            {move || (is_case && allowed()).then(|| id.get().map(|rid| view! { <parts::CaseLogView case=rid/> }))}
            {move || kind.activity.then(|| id.get().map(|rid| view! { <parts::Participants activity=rid completion=kind.completion/> }))}
            {move || is_membership.then(|| id.get().map(|rid| view! { <parts::LedgerView membership=rid/> }))}
            {move || is_business.then(|| shown.with(|s| s.as_ref().and_then(|s| s.person.clone())).map(|(owner, _, _)| view! { <parts::OwnerTrainings owner=owner/> }))}
            <Show when=allowed>
                <section>
                    <h2>{move || lang.text("Riwayat perubahan")}</h2>
                    {move || id.get().map(|rid| view! { <RecordHistory collection=kind.collection id=rid/> })}
                </section>
            </Show>
        </article>
    }
}

/// `/layanan/:jenis…`: the page of the kind named in the address.
fn with_kind<V: IntoView + 'static>(page: fn(&'static Kind) -> V) -> impl IntoView {
    let params = use_params_map();
    move || {
        let path = params.with(|p| p.get("jenis").unwrap_or_default());
        match kinds::by_path(&path) {
            Some(kind) => page(kind).into_any(),
            None => view! { <crate::components::NotFound/> }.into_any(),
        }
    }
}

pub fn list_page() -> impl IntoView {
    with_kind(pillar_list)
}

pub fn form_page() -> impl IntoView {
    with_kind(pillar_form)
}

pub fn detail_page() -> impl IntoView {
    with_kind(pillar_detail)
}
