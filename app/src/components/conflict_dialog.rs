use desmigratif_model::Edit;
use desmigratif_model::{Collection, FieldConflict, Lang, RecordId};
use leptos::html;
use leptos::prelude::*;

use crate::context::use_app;
use crate::i18n::use_language;

fn label_of(collection: Collection, key: &str, lang: Lang) -> String {
    collection
        .spec(key)
        .map_or_else(|| key.to_owned(), |f| f.label.get(lang).to_owned())
}

fn show_time(secs: i64) -> String {
    crate::i18n::format_time_ms(secs as f64 * 1000.0)
}

/// The competing values of each conflicting field of a record (a person or an episode), by the field's label, with who
/// wrote each (this device named as such) and when; choosing one settles that field on every
/// device once synced. The dialog stays until every field is settled, or the user closes it.
#[component]
pub fn ConflictDialog(
    /// The village document.
    doc_id: String,
    /// The record's kind.
    collection: Collection,
    /// The record.
    id: RecordId,
    /// The person's conflicts as they stand now.
    conflicts: Signal<Vec<FieldConflict>>,
    /// Closes the dialog.
    on_close: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let error = RwSignal::new(None::<String>);
    let this_device = app.engine().map(|e| e.session().device).unwrap_or_default();
    // Every field settled: nothing left to choose.
    Effect::new(move |_| {
        if conflicts.with(Vec::is_empty) {
            on_close.run(());
        }
    });
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let fields = move || {
        let l = lang.get();
        conflicts
            .get()
            .into_iter()
            .map(|c| {
                let spec = collection.spec(&c.field);
                let field = c.field.clone();
                let choices = c
                    .values
                    .into_iter()
                    .map(|v| {
                        let (doc_id, id, field, choice) =
                            (doc_id.clone(), id.clone(), field.clone(), v.choice.clone());
                        let who = match &v.author {
                            Some(a) if a.device == this_device => {
                                format!("{} ({})", a.account, lang.text("perangkat ini"))
                            }
                            Some(a) => format!("{} ({})", a.account, a.device_name()),
                            None => "?".into(),
                        };
                        let value = spec.map_or_else(|| v.value.to_string(), |s| s.show(&v.value, l));
                        let choose = move |_| {
                            let (doc_id, id, field, choice) =
                                (doc_id.clone(), id.clone(), field.clone(), choice.clone());
                            leptos::task::spawn_local(async move {
                                let Some(engine) = app.engine() else { return };
                                let resolve = Edit::Resolve {
                                    collection,
                                    id,
                                    field,
                                    choice,
                                };
                                let resolved = engine.apply(&doc_id, resolve).await;
                                if let Err(e) = resolved {
                                    error.set(Some(format!("{e:?}")));
                                }
                            });
                        };
                        view! {
                            <li class="choice">
                                <strong class="value">{value}</strong>
                                <small>{who}" · "{show_time(v.time)}</small>
                                <button class="choose" on:click=choose>{lang.text("Pilih ini")}</button>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="conflict-field" data-field=c.field.clone()>
                        <h3>{label_of(collection, &c.field, l)}</h3>
                        <ul>{choices}</ul>
                    </section>
                }
            })
            .collect_view()
    };
    view! {
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="conflict-title"
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h2 id="conflict-title" tabindex="-1" node_ref=heading>{move || lang.text("Perubahan bersamaan")}</h2>
            <p>{move || lang.text("Dua perangkat mengubah isian yang sama tanpa saling tahu. Pilih nilai yang benar untuk setiap isian.")}</p>
            {fields}
            {move || error.get().map(|e| view! { <p class="msg error">{e}</p> })}
            <button class="secondary" on:click=move |_| on_close.run(())>{move || lang.text("Tutup")}</button>
        </div>
    }
}
