//! Handing a file the app made (a CSV or XLSX export) to the user as a download, offline: a `Blob`, an
//! object URL and a link clicked once. Workbooks are written by the on-demand file module
//! (`crate::files`), loaded the first time one is asked for.

use desmigratif_model::export::{
    Table, Viewer, VillagePart, episodes_table, persons_table, pillar_tables, to_csv,
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

/// A file to offer: its name, type and what it holds.
#[derive(Debug)]
pub struct ExportFile {
    name: String,
    mime: &'static str,
    content: Content,
}

#[derive(Debug)]
enum Content {
    Bytes(Vec<u8>),
    /// Tables still to be written as a workbook by the file module.
    Workbook(Vec<Table>),
}

impl ExportFile {
    /// Writes the file (loading the file module for a workbook) and offers it as a download; the
    /// error in the user's words.
    pub async fn deliver(self, lang: Lang) -> Result<(), String> {
        let bytes = match self.content {
            Content::Bytes(b) => b,
            Content::Workbook(tables) => crate::files::xlsx(&tables).await.map_err(|e| e.message(lang))?,
        };
        download(&self.name, self.mime, &bytes).map_err(|_| {
            desmigratif_model::Text::new("Peramban menolak unduhan.")
                .get(lang)
                .to_owned()
        })
    }
}

/// The persons of some villages (each with its snapshot and the persons chosen on screen) as a
/// file named after `what` and today's date.
pub fn export_persons(
    villages: &[(String, VillageSnapshot, Vec<desmigratif_model::RecordId>)],
    what: &str,
    format: ExportFormat,
    lang: Lang,
) -> Result<ExportFile, String> {
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
    Ok(match format {
        ExportFormat::Csv => ExportFile {
            name: format!("{stem}.csv"),
            mime: "text/csv;charset=utf-8",
            content: Content::Bytes(to_csv(&persons)),
        },
        ExportFormat::Xlsx => ExportFile {
            name: format!("{stem}.xlsx"),
            mime: XLSX,
            content: Content::Workbook(vec![persons, episodes_table(&parts, lang)]),
        },
    })
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The services' records (the four pillars) of some villages as a workbook, one sheet per record
/// type; an error in the user's words when there is nothing to export.
pub fn export_services(
    villages: &[(String, VillageSnapshot)],
    viewer: Viewer<'_>,
    what: &str,
    lang: Lang,
) -> Result<ExportFile, String> {
    let parts: Vec<(&str, &VillageSnapshot)> = villages.iter().map(|(n, s)| (n.as_str(), s)).collect();
    let tables = pillar_tables(&parts, viewer, lang);
    if tables.is_empty() {
        return Err(lang.text("Belum ada catatan layanan untuk diunduh.").to_owned());
    }
    Ok(ExportFile {
        name: format!("desmigratif-layanan-{what}-{}.xlsx", today()),
        mime: XLSX,
        content: Content::Workbook(tables),
    })
}

/// What an export button shows while its file is made, and why it failed.
#[derive(Clone, Copy, Debug)]
pub struct ExportState {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl ExportState {
    pub fn new() -> Self {
        Self {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Delivers what `made` holds (or shows why it could not be made), one file at a time.
    pub fn run(self, made: Result<ExportFile, String>, lang: Lang) {
        if self.busy.get_untracked() {
            return;
        }
        match made {
            Err(e) => self.error.set(Some(e)),
            Ok(file) => {
                self.error.set(None);
                self.busy.set(true);
                leptos::task::spawn_local(async move {
                    let delivered = file.deliver(lang).await;
                    self.busy.set(false);
                    self.error.set(delivered.err());
                });
            }
        }
    }

    /// "Preparing the file…" while busy, else the error if there is one.
    pub fn view(self) -> impl IntoView {
        let lang = use_language();
        move || {
            if self.busy.get() {
                Some(view! { <p class="msg" role="status">{lang.text("Menyiapkan berkas…")}</p> }.into_any())
            } else {
                self.error
                    .get()
                    .map(|e| view! { <p class="msg error" role="alert">{e}</p> }.into_any())
            }
        }
    }
}

impl Default for ExportState {
    fn default() -> Self {
        Self::new()
    }
}

/// "Download CSV" and "Download Excel" for what a page shows; `export` says what goes in the
/// file.
pub fn export_buttons(
    export: impl Fn(ExportFormat, Lang) -> Result<ExportFile, String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_language();
    let state = ExportState::new();
    let run = move |format| {
        let l = lang.0.get_untracked();
        state.run(export(format, l), l);
    };
    view! {
        <div class="actions export">
            <button class="secondary" disabled=move || state.busy.get() on:click=move |_| run(ExportFormat::Csv)>
                {move || lang.text("Unduh CSV")}
            </button>
            <button class="secondary" disabled=move || state.busy.get() on:click=move |_| run(ExportFormat::Xlsx)>
                {move || lang.text("Unduh Excel (XLSX)")}
            </button>
            {state.view()}
        </div>
    }
}
