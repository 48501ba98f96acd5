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
                    .map(|href| view! { " " <a href=href>{use_language().text("Lihat", "Open")}</a> });
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
) -> impl IntoView {
    let lang = use_language();
    let id = format!("{prefix}-{}", spec.key);
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
                _ => ("text", "", ""),
            };
            view! {
                <input id=id.clone() name=spec.key type=kind_attr inputmode=mode placeholder=hint
                    prop:value=value on:input=input
                    aria-invalid=move || invalid().to_string() aria-describedby=described.clone()/>
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

/// Every field a record type declares, drawn from a form's draft, each with its messages.
pub fn declared_fields(
    specs: &'static [FieldSpec],
    prefix: &'static str,
    draft: RwSignal<RecordDraft>,
    messages_for: impl Fn(&'static str) -> Signal<Vec<FieldMessage>>,
) -> impl IntoView {
    specs
        .iter()
        .map(|spec| {
            view! {
                <DeclaredField spec=spec prefix=prefix
                    value=Signal::derive(move || draft.with(|d| d.get(spec.key)))
                    on_input=Callback::new(move |v: String| draft.update(|d| d.set(spec.key, v)))
                    messages=messages_for(spec.key)/>
            }
        })
        .collect_view()
}
