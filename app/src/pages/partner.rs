//! The partner page: a bank's or an association's view of its district, aggregate figures only
//! (`GET /api/aggregates`, small cells already hidden by the relay), with a CSV download. A
//! partner never holds a document; the last figures fetched are kept on the device with their
//! time, so the page opens offline too.

use desmigratif_model::Text;
use desmigratif_model::{Category, Sex};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use desmigratif_model::export::{Cell as ExportCell, Table, to_csv};

use crate::components::download::download;
use crate::context::use_app;
use crate::i18n::{format_time_ms, use_language};
use crate::pages::dashboard::sex_label;
use crate::session;

/// Where the last figures fetched are kept (removed at logout).
pub const STORED: &str = "desmigratif.aggregates";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Aggregates {
    district: Place,
    suppressed_below: usize,
    villages: Vec<VillageFigures>,
    /// When the device fetched them (milliseconds since the epoch); set here, not by the relay.
    #[serde(default)]
    fetched_at: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Place {
    code: String,
    name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct VillageFigures {
    code: String,
    name: String,
    persons: serde_json::Value,
    cells: Vec<Cell>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Cell {
    category: Category,
    country: String,
    sex: Option<Sex>,
    persons: serde_json::Value,
}

/// A count as the relay gave it: a number, "<5" or "*".
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn stored() -> Option<Aggregates> {
    serde_json::from_str(&session::get_item(STORED)?).ok()
}

/// What the page can say about the figures it shows.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fetch {
    Loading,
    Fresh,
    /// The relay could not be reached: the stored figures (if any) are shown.
    Offline,
    Refused(u16),
}

#[component]
pub fn PartnerPage() -> impl IntoView {
    let app = use_app();
    let lang = use_language();
    let figures = RwSignal::new(stored());
    let state = RwSignal::new(Fetch::Loading);
    let token = app.session.get_untracked().map(|s| s.token).unwrap_or_default();
    leptos::task::spawn_local(async move {
        match session::http("GET", "/api/aggregates", Some(&token), None).await {
            Ok((200, text)) => match serde_json::from_str::<Aggregates>(&text) {
                Ok(mut a) => {
                    a.fetched_at = js_sys::Date::now();
                    if let Ok(json) = serde_json::to_string(&a) {
                        session::set_item(STORED, &json);
                    }
                    figures.set(Some(a));
                    state.set(Fetch::Fresh);
                }
                Err(_) => state.set(Fetch::Refused(200)),
            },
            Ok((status, _)) => state.set(Fetch::Refused(status)),
            Err(_) => state.set(Fetch::Offline),
        }
    });
    let csv = move |_| {
        let Some(a) = figures.get_untracked() else { return };
        let l = lang.0.get_untracked();
        // The file's column names, in the language chosen.
        let head = [
            Text::ctx("column", "kode_desa"),
            Text::ctx("column", "desa"),
            Text::ctx("column", "kategori"),
            Text::ctx("column", "negara_tujuan"),
            Text::ctx("column", "jenis_kelamin"),
            Text::ctx("column", "jumlah"),
        ];
        let text = |s: String| ExportCell::Text(s);
        let rows = a
            .villages
            .iter()
            .flat_map(|v| {
                v.cells.iter().map(move |c| {
                    vec![
                        text(v.code.clone()),
                        text(v.name.clone()),
                        text(c.category.label(l).to_owned()),
                        text(c.country.clone()),
                        text(sex_label(c.sex, l).to_owned()),
                        text(shown(&c.persons)),
                    ]
                })
            })
            .collect();
        let table = Table {
            name: String::new(),
            headers: head.map(|h| h.get(l).to_owned()).to_vec(),
            rows,
        };
        let name = format!("agregat-{}.csv", a.district.code);
        let _ = download(&name, "text/csv;charset=utf-8", &to_csv(&table));
    };
    let note = move || match (state.get(), lang.get()) {
        (Fetch::Loading, l) => l.text("Mengambil angka terbaru…").to_owned(),
        (Fetch::Fresh, _) => String::new(),
        (Fetch::Offline, l) => {
            let when = figures
                .get()
                .map(|a| format_time_ms(a.fetched_at))
                .unwrap_or_default();
            l.fill("Tidak ada sinyal: angka dari {when}.", &[("when", &when)])
        }
        (Fetch::Refused(s), l) => l.fill("Server menolak permintaan ({status}).", &[("status", &s)]),
    };
    view! {
        <section class="partner" data-state=move || format!("{:?}", state.get()).to_lowercase()>
            <h1>{move || lang.text("Angka agregat untuk mitra")}</h1>
            <p class="muted">{move || figures.get().map(|a| a.district.name)}</p>
            <p class="muted">{move || lang.text("Hanya jumlah orang: tanpa nama, NIK atau catatan. Sel di bawah 5 orang ditulis \"<5\"; \"*\" disembunyikan agar sel kecil tidak dapat dihitung dari jumlah desa.")}</p>
            <p class="msg warning" role="status">{note}</p>
            <nav class="actions">
                <button class="primary" on:click=csv disabled=move || figures.with(Option::is_none)>
                    {move || lang.text("Unduh CSV")}
                </button>
            </nav>
            {move || figures.get().map(|a| {
                let l = lang.get();
                a.villages.into_iter().map(|v| view! {
                    <details class="partner-village" data-code=v.code.clone()>
                        <summary>
                            <span>{v.name.clone()}</span>
                            <strong>{shown(&v.persons)}</strong>
                        </summary>
                        <div class="table-scroll" tabindex="0" role="region" aria-label=v.name.clone()>
                            <table class="numbers">
                                <thead><tr>
                                    <th scope="col">{lang.text("Kategori")}</th>
                                    <th scope="col">{lang.text("Negara")}</th>
                                    <th scope="col">{lang.text("Jenis kelamin")}</th>
                                    <th scope="col">{lang.text_in("Persons", "Jumlah")}</th>
                                </tr></thead>
                                <tbody>
                                    {v.cells.iter().map(|c| view! {
                                        <tr>
                                            <th scope="row">{c.category.label(l)}</th>
                                            <td>{if c.country.is_empty() { "—".to_owned() } else { c.country.clone() }}</td>
                                            <td>{sex_label(c.sex, l)}</td>
                                            <td>{shown(&c.persons)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </details>
                }).collect_view()
            })}
        </section>
    }
}
