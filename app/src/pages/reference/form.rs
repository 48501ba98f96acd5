//! The district office's form for a reference record (`/info/:jenis/baru`,
//! `/info/:jenis/:id/ubah`): only the fields the clerk changed are written.

use desmigratif_model::Edit;
use desmigratif_model::{RecordId, Severity};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::kinds::{RefKind, Start, by_path};
use crate::components::confirm;
use crate::components::field::{declared_fields, field_messages, focus_first_error, suggestions};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::pages::person_form::guard_unsaved;
use crate::record_draft::RecordDraft;

/// `/info/:jenis/baru` and `/info/:jenis/:id/ubah`: the district office's form. Only the
/// fields the clerk changed are written, so two clerks editing one agency both keep theirs.
#[component]
pub fn ReferenceForm() -> impl IntoView {
    let params = use_params_map();
    move || {
        let path = params.with(|p| p.get("jenis").unwrap_or_default());
        match by_path(&path) {
            Some(kind) => view! { <RefForm kind=kind/> }.into_any(),
            None => view! { <crate::components::NotFound/> }.into_any(),
        }
    }
}

#[component]
fn RefForm(kind: &'static RefKind) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let params = use_params_map();
    let editing: Option<RecordId> = params.get_untracked().get("id").and_then(|id| id.parse().ok());
    let is_new = editing.is_none();
    let editing = StoredValue::new(editing);
    let start = RwSignal::new(None::<Start>);
    let draft = RwSignal::new(RecordDraft::default());
    // Read once (when the district document is there); never again, so nothing typed is
    // overwritten by a change arriving.
    Effect::new(move |_| {
        if start.with(Option::is_some) {
            return;
        }
        let first = match editing.get_value() {
            None => (kind.start)(None, None, today()),
            Some(id) => app
                .with_reference(|r| (kind.start)(Some(r), Some(&id), today()))
                .flatten(),
        };
        if let Some(first) = first {
            draft.set(first.1.clone());
            start.set(Some(first));
        }
    });
    let editor = move || app.district_doc().is_some_and(|(_, writable)| writable);
    let loaded = move || start.with(Option::is_some);
    let checked = Memo::new(move |_| {
        let s = start.get()?;
        Some(draft.with(|d| (kind.check)(&s.0, d, lang.get(), today())))
    });
    let tried = RwSignal::new(false);
    let all =
        Signal::derive(move || checked.with(|c| c.as_ref().map(|(_, m)| m.clone()).unwrap_or_default()));
    let messages_for = move |field: &'static str| field_messages(field, all, tried, draft);
    let saved = RwSignal::new(false);
    guard_unsaved(
        move || {
            !saved.get_untracked()
                && start.with_untracked(|s| s.as_ref().is_some_and(|s| draft.with_untracked(|d| *d != s.1)))
        },
        lang,
    );
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let back = format!("/info#{}", kind.path);
    let save = {
        let navigate = navigate.clone();
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            tried.set(true);
            let Some((record, messages)) = checked.get_untracked() else {
                return;
            };
            let Some(record) = record.filter(|_| !messages.iter().any(|m| m.severity == Severity::Error))
            else {
                focus_first_error(".record-form");
                return;
            };
            let (Some(engine), Some((doc_id, true)), Some(start)) =
                (app.engine(), app.district_doc(), start.get_untracked())
            else {
                return;
            };
            saving.set(true);
            save_error.set(None);
            let navigate = navigate.clone();
            let back = back.clone();
            leptos::task::spawn_local(async move {
                let save = Edit::Save {
                    collection: kind.collection,
                    base: (!is_new).then_some(start.0),
                    record,
                };
                let result = engine.apply(&doc_id, save).await;
                saving.set(false);
                match result {
                    Ok(_) => {
                        saved.set(true);
                        navigate(&back, Default::default());
                    }
                    Err(e) => save_error.set(Some(format!("{e:?}"))),
                }
            });
        }
    };
    let toggle_delete = {
        let back = back.clone();
        move |_| {
            let (Some(id), Some(engine), Some((doc_id, true)), Some(start)) = (
                editing.get_value(),
                app.engine(),
                app.district_doc(),
                start.get_untracked(),
            ) else {
                return;
            };
            let deleted = start.2;
            if !deleted
                && !confirm(
                    lang.text("Hapus dari daftar kabupaten? Desa tidak lagi melihatnya; bisa dipulihkan."),
                    false,
                )
            {
                return;
            }
            let navigate = navigate.clone();
            let back = back.clone();
            leptos::task::spawn_local(async move {
                let set_deleted = Edit::SetDeleted {
                    collection: kind.collection,
                    id,
                    deleted: !deleted,
                };
                let result = engine.apply(&doc_id, set_deleted).await;
                match result {
                    Ok(_) => {
                        saved.set(true);
                        navigate(&back, Default::default());
                    }
                    Err(e) => save_error.set(Some(format!("{e:?}"))),
                }
            });
        }
    };
    move || {
        if !editor() {
            return view! {
                <p class="msg warning">{move || lang.text("Hanya Disnaker kabupaten yang dapat mengubah informasi ini.")}</p>
            }
            .into_any();
        }
        let fields = declared_fields(kind.spec, "r", draft, messages_for, suggestions);
        view! {
            <form class="card record-form" on:submit=save.clone() novalidate>
                <h1>{move || {
                    let l = lang.get();
                    if is_new {
                        l.fill("Tambah {record}", &[("record", &kind.name.get(l))])
                    } else {
                        l.fill("Ubah {record}", &[("record", &kind.name.get(l))])
                    }
                }}</h1>
                <fieldset class="plain" disabled=move || !loaded()>{fields}</fieldset>
                {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
                <div class="sticky-actions">
                    <button type="submit" class="primary" disabled=move || saving.get() || !loaded() || !app.engine_ready()>
                        {move || if saving.get() { lang.text("Menyimpan…") } else { lang.text("Simpan") }}
                    </button>
                    {(!is_new).then(|| view! {
                        <button type="button" class="secondary" on:click=toggle_delete.clone()>
                            {move || if start.with(|s| s.as_ref().is_some_and(|s| s.2)) { lang.text("Pulihkan") } else { lang.text_in("Delete", "Hapus") }}
                        </button>
                    })}
                    <a class="button" href=back.clone()>{move || lang.text("Batal")}</a>
                </div>
            </form>
        }
        .into_any()
    }
}
