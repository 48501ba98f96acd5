//! Handing a file the app made (a CSV or XLSX export) to the user as a download, offline: a `Blob`, an
//! object URL and a link clicked once.

use desmigratif_model::export::{
    Viewer, VillagePart, episodes_table, persons_table, pillar_tables, to_csv, to_xlsx,
};
use desmigratif_model::{Lang, VillageSnapshot};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{today, use_language};

/// Offers `bytes` as a file named `name` of type `mime`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The download reads the object URL after the click returns: free it a little later.
    gloo_timers::callback::Timeout::new(30_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The kinds of export file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The persons as CSV.
    Csv,
    /// Persons and episodes, one sheet each.
    Xlsx,
}

/// The persons of some villages (each with its snapshot and the persons chosen on screen) as a
/// file, offered as a download named after `what` and today's date.
pub fn export_persons(
    villages: &[(String, VillageSnapshot, Vec<desmigratif_model::RecordId>)],
    what: &str,
    format: ExportFormat,
    lang: Lang,
) -> Result<(), String> {
    let parts: Vec<VillagePart<'_>> = villages
        .iter()
        .map(|(name, snapshot, ids)| VillagePart {
            village: name,
            snapshot,
            persons: ids.iter().filter_map(|id| snapshot.person(id)).collect(),
        })
        .collect();
    let persons = persons_table(&parts, lang);
    let stem = format!("desmigratif-{what}-{}", today());
    let (name, mime, bytes) = match format {
        ExportFormat::Csv => (format!("{stem}.csv"), "text/csv;charset=utf-8", to_csv(&persons)),
        ExportFormat::Xlsx => {
            let episodes = episodes_table(&parts, lang);
            let bytes = to_xlsx(&[persons, episodes]).map_err(|e| e.to_string())?;
            (format!("{stem}.xlsx"), XLSX, bytes)
        }
    };
    download(&name, mime, &bytes).map_err(|_| "the browser refused the download".to_owned())
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The services' records (the four pillars) of some villages as a workbook, one sheet per record
/// type, offered as a download; an error in the user's words when there is nothing to export.
pub fn export_services(
    villages: &[(String, VillageSnapshot)],
    viewer: Viewer<'_>,
    what: &str,
    lang: Lang,
) -> Result<(), String> {
    let parts: Vec<(&str, &VillageSnapshot)> = villages.iter().map(|(n, s)| (n.as_str(), s)).collect();
    let tables = pillar_tables(&parts, viewer, lang);
    if tables.is_empty() {
        return Err(match lang {
            Lang::Id => "Belum ada catatan layanan untuk diunduh.".into(),
            Lang::En => "No service records to download yet.".into(),
        });
    }
    let bytes = to_xlsx(&tables).map_err(|e| e.to_string())?;
    let name = format!("desmigratif-layanan-{what}-{}.xlsx", today());
    download(&name, XLSX, &bytes).map_err(|_| "the browser refused the download".to_owned())
}

/// "Download CSV" and "Download Excel" for what a page shows; `export` makes the file.
pub fn export_buttons(
    export: impl Fn(ExportFormat, Lang) -> Result<(), String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_language();
    let error = RwSignal::new(None::<String>);
    let run = move |format| {
        error.set(export(format, lang.0.get_untracked()).err());
    };
    view! {
        <div class="actions export">
            <button class="secondary" on:click=move |_| run(ExportFormat::Csv)>
                {move || lang.text("Unduh CSV", "Download CSV")}
            </button>
            <button class="secondary" on:click=move |_| run(ExportFormat::Xlsx)>
                {move || lang.text("Unduh Excel (XLSX)", "Download Excel (XLSX)")}
            </button>
            {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
        </div>
    }
}
