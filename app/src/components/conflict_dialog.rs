use desmigratif_model::{FieldConflict, Person, RecordId};
use leptos::prelude::*;

use crate::context::use_app;
use crate::i18n::use_language;

fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn show_time(secs: i64) -> String {
    crate::i18n::format_time_ms(secs as f64 * 1000.0)
}

/// The competing values of each conflicting field of a person, with author and time; choosing
/// one resolves the conflict (on every device, once synced).
#[component]
pub fn ConflictDialog(
    /// The village document.
    doc_id: String,
    /// The person.
    id: RecordId,
    /// The conflicts to show.
    conflicts: Vec<FieldConflict>,
    /// Closes the dialog.
    on_close: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let error = RwSignal::new(None::<String>);
    let fields = conflicts
        .into_iter()
        .map(|c| {
            let field = c.field.clone();
            let choices = c
                .values
                .into_iter()
                .map(|v| {
                    let (doc_id, id, field, choice) = (doc_id.clone(), id.clone(), field.clone(), v.choice.clone());
                    let who = v.author.map(|a| format!("{} ({})", a.account, a.device)).unwrap_or_else(|| "?".into());
                    let choose = move |_| {
                        let (doc_id, id, field, choice) = (doc_id.clone(), id.clone(), field.clone(), choice.clone());
                        leptos::task::spawn_local(async move {
                            let Some(engine) = app.engine() else { return };
                            let by = engine.session().author();
                            let now = (js_sys::Date::now() / 1000.0) as i64;
                            match engine.edit(&doc_id, |d| d.resolve::<Person>(&id, &field, &choice, &by, now)).await {
                                Ok(()) => on_close.run(()),
                                Err(e) => error.set(Some(format!("{e:?}"))),
                            }
                        });
                    };
                    view! {
                        <li class="choice">
                            <strong class="value">{show_value(&v.value)}</strong>
                            <small>{who}" · "{show_time(v.time)}</small>
                            <button class="choose" on:click=choose>{move || lang.text("Pilih ini", "Choose this")}</button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="conflict-field" data-field=c.field.clone()>
                    <h3>{c.field.clone()}</h3>
                    <ul>{choices}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <div class="dialog" role="dialog" aria-modal="true">
            <h2>{move || lang.text("Perubahan bersamaan", "Concurrent changes")}</h2>
            <p>{move || lang.text(
                "Dua perangkat mengubah isian yang sama tanpa saling tahu. Pilih nilai yang benar.",
                "Two devices changed the same field without seeing each other. Choose the right value.",
            )}</p>
            {fields}
            {move || error.get().map(|e| view! { <p class="msg error">{e}</p> })}
            <button class="secondary" on:click=move |_| on_close.run(())>{move || lang.text("Tutup", "Close")}</button>
        </div>
    }
}
