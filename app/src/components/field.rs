use desmigratif_model::Severity;
use leptos::prelude::*;

use crate::draft::{FieldMessage, choices};
use crate::i18n::use_language;

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

/// A labelled text input with its messages underneath.
#[component]
pub fn TextField(
    /// The field name (also the input's `name`).
    name: &'static str,
    /// The label, in the chosen language.
    label: Signal<&'static str>,
    /// The current text.
    value: Signal<String>,
    /// Called with the new text on every keystroke.
    on_input: Callback<String>,
    /// Messages for this field.
    messages: Signal<Vec<FieldMessage>>,
    /// `text`, `tel`, `date`…
    #[prop(default = "text")]
    kind: &'static str,
    /// Hint shown inside the empty input.
    #[prop(optional)]
    placeholder: &'static str,
    /// The mobile keyboard to show (`numeric`, `tel`…).
    #[prop(optional)]
    inputmode: &'static str,
) -> impl IntoView {
    let id = format!("f-{name}");
    view! {
        <div class="field" class:has-error=move || messages.get().iter().any(|m| m.severity == Severity::Error)>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                placeholder=placeholder
                inputmode=inputmode
                prop:value=value
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {messages_view(messages)}
        </div>
    }
}

/// A labelled select over a field's fixed choices.
#[component]
pub fn SelectField(
    name: &'static str,
    label: Signal<&'static str>,
    value: Signal<String>,
    on_input: Callback<String>,
    messages: Signal<Vec<FieldMessage>>,
) -> impl IntoView {
    let lang = use_language();
    let id = format!("f-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name prop:value=value on:change=move |ev| on_input.run(event_target_value(&ev))>
                <option value="">"—"</option>
                {choices(name)
                    .iter()
                    .map(|(code, id_label, en_label)| {
                        view! { <option value=*code>{move || lang.text(id_label, en_label)}</option> }
                    })
                    .collect_view()}
            </select>
            {messages_view(messages)}
        </div>
    }
}
