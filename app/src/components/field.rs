use desmigratif_model::{FieldKind, FieldSpec, Severity};
use leptos::prelude::*;

use crate::i18n::use_language;
use crate::record_draft::{FieldMessage, RecordDraft};

fn messages_view(messages: Signal<Vec<FieldMessage>>) -> impl IntoView {
    move || {
        messages
            .get()
            .into_iter()
            .map(|m| {
                let class = if m.severity == Severity::Error {
                    "msg error"
                } else {
                    "msg warning"
                };
                let link = m
                    .link
                    .map(|href| view! { " " <a href=href>{use_language().text("Lihat")}</a> });
                view! { <p class=class>{m.text}{link}</p> }
            })
            .collect_view()
    }
}

/// One declared field of any record type ([`FieldSpec`]): the input its kind calls for, its
/// label in the chosen language, its messages, errors tied to the input for screen readers.
#[component]
pub fn DeclaredField(
    spec: &'static FieldSpec,
    /// Prefix of the input's id (`e` gives `e-departure_date`).
    prefix: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
    messages: Signal<Vec<FieldMessage>>,
    /// Values to offer as the user types (a text field may still take any other).
    #[prop(optional_no_strip)]
    suggest: Option<Signal<Vec<String>>>,
) -> impl IntoView {
    let lang = use_language();
    let id = format!("{prefix}-{}", spec.key);
    let list_id = suggest.map(|_| format!("{id}-list"));
    let described = format!("{id}-msg");
    let invalid = move || messages.get().iter().any(|m| m.severity == Severity::Error);
    let input = move |ev| on_input.run(event_target_value(&ev));
    let control = match spec.kind {
        FieldKind::Choice(choices) => view! {
            <select id=id.clone() name=spec.key prop:value=value on:change=input
                aria-invalid=move || invalid().to_string() aria-describedby=described.clone()>
                {(!spec.required).then(|| view! { <option value="">"—"</option> })}
                {choices
                    .iter()
                    .map(|c| view! { <option value=c.code>{move || c.label.get(lang.get())}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
        FieldKind::Flag => {
            let toggle = move |ev: leptos::ev::Event| on_input.run(event_target_checked(&ev).to_string());
            return view! {
                <div class="field flag">
                    <label>
                        <input id=id.clone() name=spec.key type="checkbox"
                            prop:checked=move || value.get() == "true" on:change=toggle/>
                        " " {move || spec.label.get(lang.get())}
                    </label>
                </div>
            }
            .into_any();
        }
        FieldKind::Person => {
            return view! { <PersonPicker spec=spec id=id value=value on_input=on_input messages=messages/> }
                .into_any();
        }
        FieldKind::LongText => view! {
            <textarea id=id.clone() name=spec.key prop:value=value on:input=input
                aria-invalid=move || invalid().to_string() aria-describedby=described.clone()></textarea>
        }
        .into_any(),
        kind => {
            let (kind_attr, mode, hint) = match kind {
                FieldKind::Digits => ("text", "numeric", ""),
                FieldKind::Phone => ("tel", "tel", "08…"),
                FieldKind::Date => ("text", "numeric", "HH-BB-TTTT"),
                FieldKind::Number => ("text", "numeric", ""),
                FieldKind::Money => ("text", "numeric", "Rp"),
                _ => ("text", "", ""),
            };
            let datalist = suggest.zip(list_id.clone()).map(|(values, list)| {
                view! {
                    <datalist id=list>
                        {move || values.get().into_iter().map(|v| view! { <option value=v></option> }).collect_view()}
                    </datalist>
                }
            });
            view! {
                <input id=id.clone() name=spec.key type=kind_attr inputmode=mode placeholder=hint list=list_id.clone()
                    prop:value=value on:input=input autocomplete=list_id.as_ref().map(|_| "off")
                    aria-invalid=move || invalid().to_string() aria-describedby=described.clone()/>
                {datalist}
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:has-error=invalid>
            <label for=id.clone()>{move || spec.label.get(lang.get())}</label>
            {control}
            <div id=format!("{prefix}-{}-msg", spec.key)>{messages_view(messages)}</div>
        </div>
    }
    .into_any()
}

/// One field's messages out of a form's `all`: a field left empty says nothing until the user
/// first tries to save (an untouched form is silent), a field with text is checked as typed.
pub fn field_messages(
    field: &'static str,
    all: Signal<Vec<FieldMessage>>,
    tried: RwSignal<bool>,
    draft: RwSignal<RecordDraft>,
) -> Signal<Vec<FieldMessage>> {
    Signal::derive(move || {
        if !tried.get() && draft.with(|d| d.get(field).trim().is_empty()) {
            return Vec::new();
        }
        all.with(|m| m.iter().filter(|m| m.field == field).cloned().collect())
    })
}

/// Takes the user to the first field of `form` (a CSS selector) that has an error, once its
/// message is drawn.
pub fn focus_first_error(form: &'static str) {
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        let selector = format!(
            "{form} .field.has-error input, {form} .field.has-error select, {form} .field.has-error textarea"
        );
        if let Some(el) = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            el.scroll_into_view();
            let _ = el.focus();
        }
    });
}

/// The district's agencies, offered in every field that names an agency.
fn agency_names() -> Signal<Vec<String>> {
    let app = crate::context::use_app();
    Signal::derive(move || {
        app.with_reference(|r| r.live_agencies().into_iter().map(|a| a.name.clone()).collect())
            .unwrap_or_default()
    })
}

/// What a field offers as the user types, whichever record it belongs to: the district's
/// agencies, the destination countries (one spelling each), the jobs.
pub fn suggestions(field: &str) -> Option<Signal<Vec<String>>> {
    match field {
        "agency" => Some(agency_names()),
        "destination_country" | "country" => Some(country_names()),
        "occupation" | "position" => Some(Signal::derive(|| {
            desmigratif_model::jobs::JOBS
                .iter()
                .map(|j| j.name.to_owned())
                .collect()
        })),
        _ => None,
    }
}

/// The model's list of destinations, with the countries the district's notes add.
fn country_names() -> Signal<Vec<String>> {
    let app = crate::context::use_app();
    Signal::derive(move || {
        let mut countries: Vec<String> = desmigratif_model::countries::COUNTRIES
            .iter()
            .map(|c| c.name.to_owned())
            .collect();
        if let Some(noted) = app.with_reference(|r| {
            r.countries
                .values()
                .filter(|c| !c.deleted)
                .map(|c| c.country.clone())
                .collect::<Vec<_>>()
        }) {
            countries.extend(noted);
        }
        countries.sort();
        countries.dedup();
        countries
    })
}

/// Every field a record type declares, drawn from a form's draft, each with its messages.
pub fn declared_fields(
    specs: &'static [FieldSpec],
    prefix: &'static str,
    draft: RwSignal<RecordDraft>,
    messages_for: impl Fn(&'static str) -> Signal<Vec<FieldMessage>>,
    suggest_for: impl Fn(&'static str) -> Option<Signal<Vec<String>>>,
) -> impl IntoView {
    specs
        .iter()
        .map(|spec| {
            view! {
                <DeclaredField spec=spec prefix=prefix
                    value=Signal::derive(move || draft.with(|d| d.get(spec.key)))
                    on_input=Callback::new(move |v: String| draft.update(|d| d.set(spec.key, v)))
                    messages=messages_for(spec.key) suggest=suggest_for(spec.key)/>
            }
        })
        .collect_view()
}

/// A search for a person of the village: type part of a name, pick from the few that match
/// (with the birth year and RT that tell namesakes apart). `exclude` leaves persons out (those
/// already picked).
#[component]
pub fn PersonSearch(
    /// The input's id, for its label.
    id: String,
    on_pick: Callback<desmigratif_model::RecordId>,
    #[prop(optional, into)] exclude: Option<Signal<Vec<desmigratif_model::RecordId>>>,
) -> impl IntoView {
    let lang = use_language();
    let app = crate::context::use_app();
    let query = RwSignal::new(String::new());
    let matches = move || {
        let q = query.get().trim().to_lowercase();
        if q.chars().count() < 2 {
            return Vec::new();
        }
        let excluded = exclude.map(|e| e.get()).unwrap_or_default();
        app.with_village(|v| {
            v.snapshot
                .search(&desmigratif_model::PersonFilter {
                    text: Some(q),
                    ..Default::default()
                })
                .into_iter()
                .filter(|p| !excluded.contains(&p.id))
                .take(6)
                .map(|p| {
                    let born = p
                        .birth_date
                        .map(|d| format!(" · {}", d.year()))
                        .unwrap_or_default();
                    let rt = p.rt.as_ref().map(|rt| format!(" · RT {rt}")).unwrap_or_default();
                    (p.id.clone(), format!("{}{born}{rt}", p.full_name))
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    view! {
        <input id=id type="search" autocomplete="off"
            placeholder=move || lang.text("Ketik nama…")
            prop:value=query on:input=move |ev| query.set(event_target_value(&ev))/>
        <ul class="picks">
            {move || matches().into_iter().map(|(pid, label)| view! {
                <li><button type="button" class="pick" on:click=move |_| {
                    on_pick.run(pid.clone());
                    query.set(String::new());
                }>{label}</button></li>
            }).collect_view()}
        </ul>
    }
}

/// A link to a person of the village ([`FieldKind::Person`]): the person chosen, and a search
/// to choose; the field holds the person's id.
#[component]
fn PersonPicker(
    spec: &'static FieldSpec,
    id: String,
    value: Signal<String>,
    on_input: Callback<String>,
    messages: Signal<Vec<FieldMessage>>,
) -> impl IntoView {
    let lang = use_language();
    let app = crate::context::use_app();
    let chosen = move || {
        let pid: desmigratif_model::RecordId = value.get().parse().ok()?;
        app.with_village(|v| v.snapshot.person(&pid).map(|p| p.full_name.clone()))
            .flatten()
    };
    view! {
        <div class="field person-picker">
            <label for=id.clone()>{move || spec.label.get(lang.get())}</label>
            {move || chosen().map(|name| view! {
                <p class="chosen">
                    <span>{name}</span>
                    <button type="button" class="secondary" on:click=move |_| on_input.run(String::new())>
                        {move || lang.text("Ganti")}
                    </button>
                </p>
            })}
            <PersonSearch id=id on_pick=Callback::new(move |pid: desmigratif_model::RecordId| on_input.run(pid.to_string()))/>
            {messages_view(messages)}
        </div>
    }
}
