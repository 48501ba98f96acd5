use desmigratif_model::Edit;
use desmigratif_model::{Described, Issue, IssueKind, Person, RecordId, Severity};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use wasm_bindgen::JsCast;

use crate::components::confirm;
use crate::components::field::{declared_fields, field_messages, focus_first_error};
use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::record_draft::{FieldMessage, RecordDraft};

/// Creating (`/orang/baru`) or editing (`/orang/:id/ubah`) a person. Messages appear at the
/// field as the user types; errors block saving, warnings do not. Only the fields the user
/// changed are written.
#[component]
pub fn PersonForm() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let navigate = use_navigate();
    let params = use_params_map();
    let editing: Option<RecordId> = params.get_untracked().get("id").and_then(|id| id.parse().ok());
    // The record as the form loaded it: the base that edits are compared against. A signal, so
    // that the checks follow when the record arrives after the form is drawn (a reload here).
    let base = RwSignal::new(None::<Person>);
    let draft = RwSignal::new(RecordDraft::default());
    let loaded = RwSignal::new(editing.is_none());
    if editing.is_none() {
        let new = Person::new(RecordId::random(), "");
        let mut start = RecordDraft::from_record(&new);
        // Adding a family member (`?kk=…&dusun=…`): what the household shares is filled in.
        let query = use_query_map().get_untracked();
        for (param, field) in [
            ("kk", "no_kk"),
            ("dusun", "dusun"),
            ("rt", "rt"),
            ("rw", "rw"),
            ("alamat", "address"),
        ] {
            if let Some(v) = query.get(param) {
                start.set(field, v);
            }
        }
        draft.set(start);
        base.set(Some(new));
    }
    let editing_id = editing.clone();
    Effect::new(move |_| {
        if loaded.get() {
            return;
        }
        if let Some(id) = editing_id.as_ref()
            && let Some(p) = app.with_village(|v| v.snapshot.person(id).cloned()).flatten()
        {
            draft.set(RecordDraft::from_record(&p));
            base.set(Some(p));
            loaded.set(true);
        }
    });
    let checked = Memo::new(move |_| {
        let base = base.get()?;
        let (person, mut messages) = draft.with(|d| d.to_record(&base, lang.get(), today()));
        let person = person?;
        // A NIK another person of the village already holds: a warning that leads to them.
        if let Some(nik) = person.nik.as_deref().filter(|n| n.len() == 16) {
            let holders = untrack(|| {
                app.with_village(|v| {
                    v.snapshot
                        .persons_with_nik(nik)
                        .filter(|other| other.id != person.id)
                        .map(|other| (other.id.clone(), other.full_name.clone()))
                        .collect::<Vec<_>>()
                })
            });
            for (id, name) in holders.unwrap_or_default() {
                let issue = Issue {
                    field: "nik".into(),
                    severity: Severity::Warning,
                    kind: IssueKind::NikUsedBy { name },
                };
                messages.push(FieldMessage {
                    text: issue.message(lang.get()),
                    field: issue.field,
                    severity: issue.severity,
                    link: Some(format!("/orang/{id}")),
                });
            }
        }
        Some((person, messages))
    });
    // An empty field says nothing ("Wajib diisi.") until the user first tries to save.
    let tried = RwSignal::new(false);
    let all =
        Signal::derive(move || checked.with(|c| c.as_ref().map(|(_, m)| m.clone()).unwrap_or_default()));
    let messages_for = move |field: &'static str| field_messages(field, all, tried, draft);
    let has_errors = move || {
        checked.with(|c| {
            c.as_ref()
                .is_some_and(|(_, m)| m.iter().any(|m| m.severity == Severity::Error))
        })
    };
    let saving = RwSignal::new(false);
    // What the form held when it was drawn (or the record arrived): leaving with anything else
    // asks first.
    let pristine = RwSignal::new(None::<RecordDraft>);
    Effect::new(move |_| {
        if loaded.get() && pristine.with_untracked(Option::is_none) {
            pristine.set(Some(draft.get_untracked()));
        }
    });
    let saved = RwSignal::new(false);
    let dirty = move || {
        !saved.get_untracked()
            && pristine.with_untracked(|p| p.as_ref().is_some_and(|p| draft.with_untracked(|d| d != p)))
    };
    guard_unsaved(dirty, lang);
    let save_error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        crate::mark("desmigratif:save-tapped");
        let Some((person, messages)) = checked.get_untracked() else {
            return;
        };
        tried.set(true);
        if messages.iter().any(|m| m.severity == Severity::Error) {
            focus_first_error(".person-form");
            return;
        }
        let (Some(engine), Some(doc_id), Some(base)) =
            (app.engine(), app.village.get_untracked(), base.get_untracked())
        else {
            return;
        };
        saving.set(true);
        save_error.set(None);
        let navigate = navigate.clone();
        let is_new = editing.is_none();
        leptos::task::spawn_local(async move {
            let id = person.id.clone();
            let save = Edit::save((!is_new).then_some(&base), &person);
            let result = engine.apply(&doc_id, save).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    saved.set(true);
                    navigate(&format!("/orang/{id}"), Default::default())
                }
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let fields = declared_fields(Person::SPEC, "f", draft, messages_for, |_| None);
    view! {
        <form class="card person-form" on:submit=save novalidate>
            <h1>{move || if editing_is_some(&params) { lang.text("Ubah data orang") } else { lang.text("Tambah orang") }}</h1>
            // Disabled until the record is read, so nothing typed is overwritten by its arrival.
            <fieldset class="plain" disabled=move || !loaded.get()>
            {fields}
            </fieldset>
            // Shown while the fields still have errors after a save was tried, gone once fixed.
            {move || (tried.get() && has_errors()).then(|| view! {
                <p class="msg error" role="alert">{lang.text("Periksa isian yang bertanda merah.")}</p>
            })}
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <div class="sticky-actions">
                <button type="submit" class="primary" disabled=move || saving.get() || !loaded.get() || !app.engine_ready()>
                    {move || if saving.get() { lang.text("Menyimpan…") } else { lang.text("Simpan") }}
                </button>
            </div>
        </form>
    }
}

fn editing_is_some(params: &Memo<leptos_router::params::ParamsMap>) -> bool {
    params.get().get("id").is_some()
}

/// While `dirty()`, leaving the form asks first: a link inside the app (caught before the
/// router sees the click) and closing or reloading the tab (the browser's own question).
pub fn guard_unsaved(dirty: impl Fn() -> bool + Clone + 'static, lang: crate::i18n::Language) {
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let on_click = {
        let dirty = dirty.clone();
        Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            let link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten());
            if link.is_none() || !dirty() {
                return;
            }
            let question = lang.text("Perubahan di formulir ini belum disimpan. Tinggalkan formulir?");
            if !confirm(question, true) {
                ev.prevent_default();
                ev.stop_immediate_propagation();
            }
        })
    };
    let on_unload =
        Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(move |ev: web_sys::BeforeUnloadEvent| {
            if dirty() {
                ev.prevent_default();
                ev.set_return_value("unsaved");
            }
        });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
        "click",
        on_click.as_ref().unchecked_ref(),
        &options,
    );
    let _ = window.add_event_listener_with_callback("beforeunload", on_unload.as_ref().unchecked_ref());
    // The listeners go with the form.
    let on_click = send_wrapper::SendWrapper::new(on_click);
    let on_unload = send_wrapper::SendWrapper::new(on_unload);
    on_cleanup(move || {
        if let Some(window) = web_sys::window() {
            if let Some(document) = window.document() {
                let _ = document.remove_event_listener_with_callback_and_bool(
                    "click",
                    on_click.as_ref().unchecked_ref(),
                    true,
                );
            }
            let _ = window
                .remove_event_listener_with_callback("beforeunload", on_unload.as_ref().unchecked_ref());
        }
    });
}
