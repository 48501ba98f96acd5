use desmigratif_model::{Issue, IssueKind, Person, RecordId, Severity};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::field::{SelectField, TextField};
use crate::context::use_app;
use crate::draft::{FieldMessage, PersonDraft};
use crate::i18n::{today, use_language};

/// The text fields of the form: name, label (id, en), input type, input mode, placeholder.
const TEXT_FIELDS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("full_name", "Nama lengkap", "Full name", "text", "", ""),
    ("nik", "NIK", "NIK (ID number)", "text", "numeric", "16 angka"),
    (
        "no_kk",
        "No. KK",
        "Family card no.",
        "text",
        "numeric",
        "16 angka",
    ),
    ("birth_place", "Tempat lahir", "Place of birth", "text", "", ""),
    (
        "birth_date",
        "Tanggal lahir",
        "Date of birth",
        "text",
        "numeric",
        "HH-BB-TTTT",
    ),
    ("dusun", "Dusun", "Dusun", "text", "", ""),
    ("rt", "RT", "RT", "text", "numeric", ""),
    ("rw", "RW", "RW", "text", "numeric", ""),
    ("address", "Alamat", "Address", "text", "", ""),
    ("phone", "No. HP", "Mobile", "tel", "tel", "08…"),
];
const SELECT_FIELDS: &[(&str, &str, &str)] = &[
    ("sex", "Jenis kelamin", "Sex"),
    ("relation", "Hubungan dalam KK", "Relation in the family"),
    ("education", "Pendidikan", "Education"),
    ("marital_status", "Status kawin", "Marital status"),
    ("consent", "Persetujuan didata", "Consent to be recorded"),
];

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
    let draft = RwSignal::new(PersonDraft::default());
    let loaded = RwSignal::new(editing.is_none());
    if editing.is_none() {
        base.set(Some(Person::new(RecordId::random(), "")));
        draft.set(PersonDraft {
            consent: "NotAsked".into(),
            ..PersonDraft::default()
        });
    }
    let editing_id = editing.clone();
    Effect::new(move |_| {
        if loaded.get() {
            return;
        }
        if let Some(id) = editing_id.as_ref()
            && let Some(p) = app.with_village(|v| v.snapshot.person(id).cloned()).flatten()
        {
            draft.set(PersonDraft::from_person(&p));
            base.set(Some(p));
            loaded.set(true);
        }
    });
    let checked = Memo::new(move |_| {
        let base = base.get()?;
        let (person, mut messages) = draft.with(|d| d.to_person(&base, lang.get(), today()));
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
    let messages_for = move |field: &'static str| -> Signal<Vec<FieldMessage>> {
        Signal::derive(move || {
            checked
                .get()
                .map(|(_, m)| m.into_iter().filter(|m| m.field == field).collect())
                .unwrap_or_default()
        })
    };
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((person, messages)) = checked.get_untracked() else {
            return;
        };
        if messages.iter().any(|m| m.severity == Severity::Error) {
            save_error.set(Some(
                lang.text(
                    "Periksa isian yang bertanda merah.",
                    "Check the fields marked red.",
                )
                .into(),
            ));
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
            let by = engine.session().author();
            let now = (js_sys::Date::now() / 1000.0) as i64;
            let id = person.id.clone();
            let result = if is_new {
                engine
                    .edit(&doc_id, |d| d.create(person, &by, now).map(|_| ()))
                    .await
            } else {
                engine
                    .edit(&doc_id, |d| d.update(&base, &person, &by, now).map(|_| ()))
                    .await
            };
            saving.set(false);
            match result {
                Ok(()) => navigate(&format!("/orang/{id}"), Default::default()),
                Err(e) => save_error.set(Some(format!("{e:?}"))),
            }
        });
    };
    let text_fields = TEXT_FIELDS
        .iter()
        .map(|&(name, id_label, en_label, kind, inputmode, placeholder)| {
            view! {
                <TextField
                    name=name
                    label=Signal::derive(move || lang.text(id_label, en_label))
                    value=Signal::derive(move || draft.with(|d| d.get(name)))
                    on_input=Callback::new(move |v: String| draft.update(|d| d.set(name, v)))
                    messages=messages_for(name)
                    kind=kind
                    inputmode=inputmode
                    placeholder=placeholder
                />
            }
        })
        .collect_view();
    let select_fields = SELECT_FIELDS
        .iter()
        .map(|&(name, id_label, en_label)| {
            view! {
                <SelectField
                    name=name
                    label=Signal::derive(move || lang.text(id_label, en_label))
                    value=Signal::derive(move || draft.with(|d| d.get(name)))
                    on_input=Callback::new(move |v: String| draft.update(|d| d.set(name, v)))
                    messages=messages_for(name)
                />
            }
        })
        .collect_view();
    view! {
        <form class="card person-form" on:submit=save novalidate>
            <h2>{move || if editing_is_some(&params) { lang.text("Ubah data orang", "Edit person") } else { lang.text("Tambah orang", "Add person") }}</h2>
            // Disabled until the record is read, so nothing typed is overwritten by its arrival.
            <fieldset class="plain" disabled=move || !loaded.get()>
            {text_fields}
            {select_fields}
            <TextField
                name="consent_date"
                label=Signal::derive(move || lang.text("Tanggal persetujuan", "Date of consent"))
                value=Signal::derive(move || draft.with(|d| d.get("consent_date")))
                on_input=Callback::new(move |v: String| draft.update(|d| d.set("consent_date", v)))
                messages=messages_for("consent_date")
                inputmode="numeric"
                placeholder="HH-BB-TTTT"
            />
            <div class="field">
                <label for="f-notes">{move || lang.text("Catatan", "Notes")}</label>
                <textarea id="f-notes" name="notes" prop:value=move || draft.with(|d| d.notes.clone())
                    on:input=move |ev| draft.update(|d| d.notes = event_target_value(&ev))></textarea>
            </div>
            </fieldset>
            {move || save_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <div class="sticky-actions">
                <button type="submit" class="primary" disabled=move || saving.get() || !loaded.get()>
                    {move || if saving.get() { lang.text("Menyimpan…", "Saving…") } else { lang.text("Simpan", "Save") }}
                </button>
            </div>
        </form>
    }
}

fn editing_is_some(params: &Memo<leptos_router::params::ParamsMap>) -> bool {
    params.get().get("id").is_some()
}
