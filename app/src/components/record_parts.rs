//! What every record's page shows whatever its type: its change history (who changed which
//! field from what to what, on which device, when) and its conflicts (a badge that opens the
//! dialog to choose a value).

use desmigratif_model::Text;
use std::collections::HashMap;

use automerge::ChangeHash;
use desmigratif_model::{Collection, EditAction, FieldChange, Lang, RecordId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::conflict_dialog::ConflictDialog;
use crate::context::use_app;
use crate::i18n::{format_time_ms, use_language};

pub fn action_text(a: EditAction, lang: Lang) -> &'static str {
    match a {
        EditAction::Create => Text::new("Dibuat"),
        EditAction::Update => Text::new("Diubah"),
        EditAction::Delete => Text::new("Dihapus"),
        EditAction::Restore => Text::new("Dipulihkan"),
        EditAction::Resolve => Text::new("Nilai dipilih"),
    }
    .get(lang)
}

/// A record's changes, newest first: the action, who and on which device ("this device" for
/// this one), when, and for each field written its value before and after, by its label.
#[component]
pub fn RecordHistory(collection: Collection, id: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let len_id = id.clone();
    // Redrawn when this record has one more change, not on every change of the village.
    let history_len = Memo::new(move |_| app.with_village(|v| v.history(collection, &len_id).len()));
    // Old → new for each field, read at each change by the documents' worker (the fields'
    // names until the answer comes).
    let around: RwSignal<HashMap<ChangeHash, Vec<FieldChange>>> = RwSignal::new(HashMap::new());
    let around_id = id.clone();
    Effect::new(move |_| {
        let _ = history_len.get();
        let changes: Vec<(ChangeHash, Vec<String>)> = untrack(|| {
            app.with_village(|v| {
                v.history(collection, &around_id)
                    .iter()
                    .filter(|h| !h.fields.is_empty())
                    .filter_map(|h| Some((h.change?, h.fields.clone())))
                    .collect()
            })
        })?;
        let (doc_id, engine) = (app.village.get_untracked()?, app.engine()?);
        let id = around_id.clone();
        leptos::task::spawn_local(async move {
            let hashes: Vec<ChangeHash> = changes.iter().map(|(c, _)| *c).collect();
            let values = engine.values_around(&doc_id, collection, &id, changes).await;
            around.set(hashes.into_iter().zip(values).collect());
        });
        Some(())
    });
    let entries = move || {
        let _ = history_len.get();
        let l = lang.get();
        let entries = untrack(|| app.with_village(|v| v.history(collection, &id).to_vec()))?;
        let engine = app.engine()?;
        let this_device = engine.session().device.clone();
        Some(
            entries
                .into_iter()
                .rev()
                .map(|h| {
                    let around = h
                        .change
                        .and_then(|c| around.with(|a| a.get(&c).cloned()))
                        .unwrap_or_default();
                    let lines = h
                        .fields
                        .iter()
                        // A country's code changes with its name, shown on the name's line.
                        .filter(|f| f.as_str() != "deleted" && !collection.is_derived(f))
                        .map(|f| {
                            let spec = collection.spec(f);
                            let label = spec.map_or_else(
                                || undeclared_label(f).map_or_else(|| f.clone(), |t| t.get(l).to_owned()),
                                |s| s.label.get(l).to_owned(),
                            );
                            let text = match (around.iter().find(|a| &a.field == f), spec) {
                                (Some(a), Some(spec)) => {
                                    format!("{label}: {} → {}", spec.show(&a.before, l), spec.show(&a.after, l))
                                }
                                _ => label,
                            };
                            view! { <span class="change">{text}</span> }
                        })
                        .collect_view();
                    let device = if h.author.device == this_device {
                        lang.text("perangkat ini").to_owned()
                    } else {
                        h.author.device_name()
                    };
                    view! {
                        <li data-action=format!("{:?}", h.action)>
                            <span><strong>{action_text(h.action, l)}</strong>" · "{if h.author.account == desmigratif_model::history::OTHER_APP {
                                    format!("{} ({device})", lang.text("aplikasi lain"))
                                } else {
                                    format!("{} ({device})", h.author.account)
                                }}
                                {h.source.clone().map(|file| view! { " · " {lang.text("diimpor dari ")}<em>{file}</em> })}</span>
                            <small>{format_time_ms(h.time as f64 * 1000.0)}</small>
                            {lines}
                        </li>
                    }
                })
                .collect_view(),
        )
    };
    view! { <ul class="history">{entries}</ul> }
}

/// A badge shown while the record has fields holding concurrent values; it opens the dialog
/// to choose one.
#[component]
pub fn ConflictBadge(collection: Collection, id: RecordId) -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let read_id = id.clone();
    // Follows every change of the village: settling one of two conflicting fields changes
    // neither the record's value nor its revision.
    let conflicts = app.conflicts(collection, move || Some(read_id.clone()));
    let show = RwSignal::new(false);
    let close = Callback::new(move |_| {
        show.set(false);
        if let Some(badge) = document().query_selector(".badge.conflict").ok().flatten()
            && let Ok(badge) = badge.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = badge.focus();
        }
    });
    let badge = move || {
        conflicts
            .with(|c| c.as_ref().is_some_and(|c| !c.is_empty()))
            .then(|| {
                view! {
                    <button class="badge conflict" on:click=move |_| show.set(true)>
                        {move || lang.text("Ada perubahan bersamaan — pilih nilai")}
                    </button>
                }
            })
    };
    let dialog = move || {
        if !show.get() {
            return None;
        }
        let doc_id = app.village.get_untracked()?;
        let now = Signal::derive(move || conflicts.get().unwrap_or_default());
        Some(
            view! { <ConflictDialog doc_id=doc_id collection=collection id=id.clone() conflicts=now on_close=close/> },
        )
    };
    view! { {badge} {dialog} }
}

/// What history calls a stored field no form shows (written by the duplicates screen).
fn undeclared_label(field: &str) -> Option<desmigratif_model::Text> {
    match field {
        "moved_to" => Some(Text::new("Pindah ke desa")),
        "moved_on" => Some(Text::new("Tanggal pindah")),
        _ => None,
    }
}
