//! `/impor`: importing a placement list or a village spreadsheet (CSV or XLSX). The file is
//! read on the device; the user checks which field each column holds (suggested from the
//! headers, remembered per file layout), sees exactly what would change (new persons, persons
//! matched by NIK with each differing field to take or leave, new stays abroad, rows refused
//! with the reason, NIKs of other villages), and applies it as one change naming the file.
//! Nothing needs the network: the change syncs like any other.

use desmigratif_model::Text;
use desmigratif_model::{Edit, Edited};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use desmigratif_model::import::{
    Applied, Elsewhere, Preview, Sheet, Target, add_niks, layout_key, parse, preview, suggest,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::context::use_app;
use crate::i18n::{today, use_language};
use crate::session;

/// At most this many rows of each part of the preview are drawn (the counts are whole).
const SHOWN: usize = 50;

fn mapping_key(headers: &[String]) -> String {
    format!("desmigratif.import.{}", layout_key(headers))
}

/// The mapping the user chose last time for a file with these headers.
fn remembered(headers: &[String]) -> Option<Vec<Option<Target>>> {
    let saved: Vec<Option<String>> = serde_json::from_str(&session::get_item(&mapping_key(headers))?).ok()?;
    (saved.len() == headers.len()).then(|| {
        saved
            .into_iter()
            .map(|k| k.and_then(|k| Target::from_key(&k)))
            .collect()
    })
}

fn remember(headers: &[String], mapping: &[Option<Target>]) {
    let keys: Vec<Option<&str>> = mapping.iter().map(|t| t.map(Target::key)).collect();
    if let Ok(json) = serde_json::to_string(&keys) {
        session::set_item(&mapping_key(headers), &json);
    }
}

async fn file_bytes(input: &web_sys::HtmlInputElement) -> Option<(String, Vec<u8>)> {
    let file = input.files()?.get(0)?;
    let buffer = JsFuture::from(file.array_buffer()).await.ok()?;
    Some((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Whether a differing field is taken: as the user ticked it, else when the record has no
/// value there yet (a value the village typed is never overwritten unasked).
fn taken(choices: &HashMap<(usize, Target), bool>, line: usize, field: Target, current_empty: bool) -> bool {
    choices.get(&(line, field)).copied().unwrap_or(current_empty)
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let file_name = RwSignal::new(None::<String>);
    let sheet = RwSignal::new(None::<Arc<Sheet>>);
    let read_error = RwSignal::new(None::<String>);
    let mapping = RwSignal::new(Vec::<Option<Target>>::new());
    let target = RwSignal::new(app.village.get_untracked());
    let choices = RwSignal::new(HashMap::<(usize, Target), bool>::new());
    let applying = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<Applied, String>>);
    let villages = move || app.session.get().map(|s| s.villages()).unwrap_or_default();
    let writable = move || {
        let id = target.get();
        app.session.get().is_some_and(|s| {
            s.documents
                .iter()
                .any(|g| Some(&g.doc_id) == id.as_ref() && g.access.can_write())
        })
    };

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        outcome.set(None);
        read_error.set(None);
        choices.set(HashMap::new());
        leptos::task::spawn_local(async move {
            let Some((name, bytes)) = file_bytes(&input).await else {
                return;
            };
            match crate::files::read(&bytes).await {
                Ok(s) => {
                    mapping.set(remembered(&s.headers).unwrap_or_else(|| suggest(&s.headers)));
                    file_name.set(Some(name));
                    sheet.set(Some(Arc::new(s)));
                }
                Err(crate::files::FilesError::Refused(e)) => {
                    sheet.set(None);
                    read_error.set(Some(lang.0.get_untracked().fill(
                        "Berkas tidak bisa dibaca ({e}). Pilih CSV atau XLSX.",
                        &[("e", &e)],
                    )));
                }
                Err(e) => {
                    sheet.set(None);
                    read_error.set(Some(e.message(lang.0.get_untracked())));
                }
            }
        });
    };

    // Everything the import would do, from the documents on this device.
    let planned = Memo::new(move |before: Option<&Option<Preview>>| {
        // While it is written, the preview stays as it was applied: the village changing under
        // it (thousands of new records) must not rebuild it on the page.
        if applying.get() {
            return before.cloned().flatten();
        }
        let sheet = sheet.get()?;
        let map = mapping.get();
        let village = target.get()?;
        let session = app.session.get()?;
        let mut elsewhere = Elsewhere::new();
        for g in session.villages().iter().filter(|g| g.doc_id != village) {
            app.with_doc(&g.doc_id, |v| add_niks(&mut elsewhere, &g.name, &v.snapshot));
        }
        let rows = parse(&sheet, &map);
        app.with_doc(&village, |v| preview(&v.snapshot, rows, &elsewhere, today()))
    });

    let apply = move |_| {
        let (Some(p), Some(village), Some(engine), Some(read), Some(name)) = (
            planned.get_untracked(),
            target.get_untracked(),
            app.engine(),
            sheet.get_untracked(),
            file_name.get_untracked(),
        ) else {
            return;
        };
        let chosen = choices.get_untracked();
        let take: HashSet<(usize, Target)> = p
            .matched
            .iter()
            .flat_map(|m| {
                m.differences
                    .iter()
                    .filter(|d| taken(&chosen, m.line, d.field, d.current.is_none()))
                    .map(move |d| (m.line, d.field))
            })
            .collect();
        remember(&read.headers, &mapping.get_untracked());
        applying.set(true);
        leptos::task::spawn_local(async move {
            let import = Edit::Import {
                preview: p,
                take: take.into_iter().collect(),
                file: name,
            };
            let result = engine.apply(&village, import).await.map(|edited| match edited {
                Edited::Imported(applied) => applied,
                Edited::Done => Default::default(),
            });
            if result.is_ok() {
                // Done: what the file held is in the village now; the outcome says so. Choosing
                // the file again previews it afresh (nothing new).
                sheet.set(None);
            }
            applying.set(false);
            outcome.set(Some(result.map_err(|e| format!("{e:?}"))));
        });
    };

    let column_row = move |(i, header): (usize, String)| {
        let sample = sheet.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.rows.iter().filter_map(|r| r.get(i)).find_map(|c| c.shown()))
                .unwrap_or_default()
        });
        let id = format!("col-{i}");
        view! {
            <tr>
                <th scope="row"><label for=id.clone()>{header}</label><small class="muted">{sample}</small></th>
                <td>
                    <select id=id data-column=i
                        prop:value=move || mapping.with(|m| m.get(i).copied().flatten().map(|t| t.key().to_owned()).unwrap_or_default())
                        on:change=move |ev| {
                            let chosen = Target::from_key(&event_target_value(&ev));
                            mapping.update(|m| {
                                // A field comes from one column: the column that had it lets go.
                                if chosen.is_some() {
                                    for t in m.iter_mut().filter(|t| **t == chosen) {
                                        *t = None;
                                    }
                                }
                                if let Some(slot) = m.get_mut(i) {
                                    *slot = chosen;
                                }
                            });
                        }>
                        <option value="">{move || lang.text("— tidak diimpor —")}</option>
                        {Target::ALL.iter().map(|t| view! { <option value=t.key()>{move || t.label().get(lang.get())}</option> }).collect_view()}
                    </select>
                </td>
            </tr>
        }
    };

    view! {
        <section class="import">
            <h1>{move || lang.text("Impor data")}</h1>
            <p class="muted">{move || lang.text("Daftar penempatan (BP3MI, SISKOP2MI) atau spreadsheet desa, CSV atau XLSX. Dibaca di perangkat ini; tidak ada yang disimpan sebelum Anda menekan Terapkan.")}</p>
            {move || (villages().len() > 1).then(|| view! {
                <div class="field">
                    <label for="import-village">{move || lang.text("Desa tujuan")}</label>
                    <select id="import-village" prop:value=move || target.get().unwrap_or_default()
                        on:change=move |ev| { target.set(Some(event_target_value(&ev))); choices.set(HashMap::new()); }>
                        {villages().into_iter().map(|g| view! { <option value=g.doc_id.clone()>{g.name.clone()}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <div class="field">
                <label for="import-file">{move || lang.text("Berkas")}</label>
                <input id="import-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" on:change=on_file/>
            </div>
            {move || read_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            {move || sheet.get().map(|s| {
                let headers: Vec<(usize, String)> = s.headers.iter().cloned().enumerate().collect();
                view! {
                    <h2>{move || lang.text("Kolom")}</h2>
                    <p class="muted">{move || lang.get().fill("{n} baris. Periksa isi setiap kolom; pilihan ini diingat untuk berkas dengan kolom yang sama.", &[("n", &s.rows.len())])}</p>
                    <table class="mapping"><tbody>{headers.into_iter().map(column_row).collect_view()}</tbody></table>
                }
            })}
            {move || planned.get().map(|p| view! { <PreviewView preview=p choices=choices/> })}
            {move || planned.with(|p| p.as_ref().map(|p| (p.is_empty(), p.new_persons.len(), p.matched.len()))).map(|(empty, _, _)| view! {
                <div class="sticky-actions">
                    <button class="primary" disabled=move || empty || applying.get() || !writable() || !app.engine_ready() on:click=apply>
                        {move || if applying.get() { lang.text("Menerapkan…") } else if empty { lang.text("Tidak ada yang baru") } else { lang.text("Terapkan") }}
                    </button>
                </div>
            })}
            {move || outcome.get().map(|o| match o {
                Ok(a) => view! {
                    <p class="msg ok" role="status" data-applied=format!("{}-{}-{}", a.persons_created, a.persons_updated, a.episodes_created)>
                        {lang.get().fill(
                            "Tersimpan: {persons} orang baru, {updated} diperbarui, {stays} perjalanan baru.",
                            &[("persons", &a.persons_created), ("updated", &a.persons_updated), ("stays", &a.episodes_created)],
                        )}
                        " " <a href="/orang">{lang.text("Daftar orang")}</a>
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="msg error" role="alert">{lang.text("Tidak ada yang disimpan: ")}{e}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn PreviewView(preview: Preview, choices: RwSignal<HashMap<(usize, Target), bool>>) -> impl IntoView {
    let lang = use_language();
    let more = move |n: usize| {
        (n > SHOWN).then(|| lang.get().fill("… dan {more} lainnya", &[("more", &(n - SHOWN))]))
    };
    let counts = [
        ("new", preview.new_persons.len(), Text::new("orang baru")),
        (
            "matched",
            preview.matched.len(),
            Text::new("cocok NIK, ada perubahan"),
        ),
        ("episodes", preview.episodes(), Text::new("perjalanan baru")),
        (
            "unchanged",
            preview.unchanged.len(),
            Text::new("sudah ada, tanpa perubahan"),
        ),
        ("rejected", preview.rejected.len(), Text::new("ditolak")),
        (
            "elsewhere",
            preview.elsewhere.len(),
            Text::new("NIK di desa lain"),
        ),
    ];
    let new_rows = preview.new_persons.len();
    let matched_rows = preview.matched.len();
    let rejected_rows = preview.rejected.len();
    view! {
        <h2>{move || lang.text("Yang akan terjadi")}</h2>
        <ul class="counts import-counts">
            {counts.into_iter().map(|(key, n, text)| view! {
                <li class="count" data-kind=key data-count=n><strong>{n}</strong><span>{move || lang.tr(text)}</span></li>
            }).collect_view()}
        </ul>
        {(!preview.rejected.is_empty()).then(|| view! {
            <h3>{move || lang.text("Baris ditolak")}</h3>
            <ul class="import-rows rejected">
                {preview.rejected.iter().take(SHOWN).map(|(line, problems)| view! {
                    <li data-line=*line>{move || lang.text("Baris ")}{*line}": "
                        {let problems = problems.clone(); move || problems.iter().map(|p| p.message(lang.get())).collect::<Vec<_>>().join(" ")}</li>
                }).collect_view()}
            </ul>
            {more(rejected_rows)}
        })}
        {(!preview.elsewhere.is_empty()).then(|| view! {
            <h3>{move || lang.text("NIK sudah terdata di desa lain")}</h3>
            <ul class="import-rows elsewhere">
                {preview.elsewhere.iter().take(SHOWN).map(|(line, village, name)| view! {
                    <li data-line=*line>{move || lang.text("Baris ")}{*line}": "{name.clone()}" — "{village.clone()}</li>
                }).collect_view()}
            </ul>
        })}
        {(!preview.matched.is_empty()).then(|| view! {
            <h3>{move || lang.text("Cocok NIK: pilih nilai yang diambil")}</h3>
            <ul class="import-rows matched">
                {preview.matched.iter().take(SHOWN).map(|m| {
                    let line = m.line;
                    view! {
                        <li data-line=line>
                            <strong>{m.name.clone()}</strong>
                            {m.episode.as_ref().map(|e| view! { <small>{move || lang.text(" + perjalanan ")}{e.destination_country.clone()}</small> })}
                            <ul>
                                {m.differences.iter().map(|d| {
                                    let field = d.field;
                                    let empty = d.current.is_none();
                                    view! {
                                        <li>
                                            <label class="check">
                                                <input type="checkbox" data-field=field.key()
                                                    prop:checked=move || choices.with(|c| taken(c, line, field, empty))
                                                    on:change=move |ev| { let on = event_target_checked(&ev); choices.update(|c| { c.insert((line, field), on); }); }/>
                                                {move || field.label().get(lang.get())}": "
                                                {d.current.clone().unwrap_or_else(|| "—".into())}" → "{d.imported.clone()}
                                            </label>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {more(matched_rows)}
        })}
        {(!preview.new_persons.is_empty()).then(|| view! {
            <h3>{move || lang.text("Orang baru")}</h3>
            <ul class="import-rows new">
                {preview.new_persons.iter().take(SHOWN).map(|(line, p, e)| view! {
                    <li data-line=*line>{p.full_name.clone()}
                        <small class="muted">{p.nik.clone().map(|n| format!(" · NIK …{}", &n[n.len().saturating_sub(4)..])).unwrap_or_default()}
                            {e.as_ref().map(|e| format!(" · {}", e.destination_country)).unwrap_or_default()}</small>
                    </li>
                }).collect_view()}
            </ul>
            {more(new_rows)}
        })}
    }
}
