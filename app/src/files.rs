//! The on-demand file module (`files/`, its own WebAssembly): XLSX workbooks and reading
//! imported CSV and XLSX files. `boot.js` defines `window.desmigratifFiles()`, which loads the
//! module once and hands it over; the service worker keeps it with the app's files, so it
//! loads offline too. Tables and sheets cross as postcard bytes of the model's types.

use desmigratif_model::export::Table;
use desmigratif_model::import::Sheet;
use desmigratif_model::{Lang, Text};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why the file module did not do its work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilesError {
    /// The module could not be loaded (no signal and never loaded on this device, or a build
    /// without it).
    Unavailable,
    /// The module refused: the reason, as it gave it.
    Refused(String),
}

impl FilesError {
    /// What the user reads.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FilesError::Unavailable => Text::new(
                "Modul berkas belum bisa dimuat. Buka aplikasi sekali saat ada sinyal, lalu coba lagi.",
            )
            .get(lang)
            .to_owned(),
            FilesError::Refused(reason) => reason.clone(),
        }
    }
}

async fn module() -> Result<JsValue, FilesError> {
    let window = web_sys::window().ok_or(FilesError::Unavailable)?;
    let loader: Function = Reflect::get(&window, &JsValue::from_str("desmigratifFiles"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(FilesError::Unavailable)?;
    let promise: Promise = loader
        .call0(&JsValue::NULL)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or(FilesError::Unavailable)?;
    JsFuture::from(promise).await.map_err(|_| FilesError::Unavailable)
}

/// Calls the module's `name` on `bytes`; its bytes back, or its reason for refusing.
async fn call(name: &str, bytes: &[u8]) -> Result<Vec<u8>, FilesError> {
    let module = module().await?;
    let f: Function = Reflect::get(&module, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(FilesError::Unavailable)?;
    match f.call1(&JsValue::NULL, &Uint8Array::from(bytes)) {
        Ok(out) => Ok(Uint8Array::new(&out).to_vec()),
        Err(e) => Err(FilesError::Refused(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}")),
        )),
    }
}

/// `tables` as an XLSX workbook, one sheet each.
pub async fn xlsx(tables: &[Table]) -> Result<Vec<u8>, FilesError> {
    let bytes = postcard::to_allocvec(tables).map_err(|e| FilesError::Refused(e.to_string()))?;
    call("xlsx", &bytes).await
}

/// The first sheet of an imported CSV or XLSX file.
pub async fn read(file: &[u8]) -> Result<Sheet, FilesError> {
    let bytes = call("read", file).await?;
    postcard::from_bytes(&bytes).map_err(|e| FilesError::Refused(e.to_string()))
}
