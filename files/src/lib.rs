//! The app's file module: writing XLSX workbooks and reading imported CSV and XLSX files.
//!
//! It is its own WebAssembly module (`cargo xtask build-web` builds it beside the app), loaded
//! the first time a user exports a workbook or chooses a file to import, so the code of
//! rust_xlsxwriter, calamine, zip and the deflate codecs is not in every phone's first
//! download. The service worker keeps it with the app's other files, so it works offline.
//!
//! Tables and sheets cross the boundary as postcard bytes of the model's own types; the app's
//! side is `app/src/files.rs`.

use desmigratif_model::export::{Table, to_xlsx};
use desmigratif_model::import::{Sheet, read_file};
use wasm_bindgen::prelude::*;

/// The workbook for `tables` (postcard bytes of `Vec<Table>`), one sheet per table.
pub fn workbook(tables: &[u8]) -> Result<Vec<u8>, String> {
    let tables: Vec<Table> = postcard::from_bytes(tables).map_err(|e| format!("tables: {e}"))?;
    to_xlsx(&tables).map_err(|e| e.to_string())
}

/// The first sheet of an imported file, as postcard bytes of a `Sheet`; the error says why the
/// file cannot be read.
pub fn sheet(file: &[u8]) -> Result<Vec<u8>, String> {
    let sheet: Sheet = read_file(file).map_err(|e| e.to_string())?;
    postcard::to_allocvec(&sheet).map_err(|e| e.to_string())
}

/// [`workbook`] for JavaScript: throws an `Error` with the reason.
#[wasm_bindgen]
pub fn xlsx(tables: &[u8]) -> Result<Vec<u8>, JsError> {
    workbook(tables).map_err(|e| JsError::new(&e))
}

/// [`sheet`] for JavaScript: throws an `Error` with the reason.
#[wasm_bindgen]
pub fn read(file: &[u8]) -> Result<Vec<u8>, JsError> {
    sheet(file).map_err(|e| JsError::new(&e))
}

#[cfg(test)]
mod tests {
    use desmigratif_model::export::Cell;
    use desmigratif_model::import::Cell as Read;

    use super::*;

    #[test]
    fn a_workbook_made_here_reads_back_through_the_same_module() {
        let table = Table {
            name: "Orang".into(),
            headers: vec!["Nama".into(), "NIK".into(), "Lahir".into()],
            rows: vec![vec![
                Cell::Text("Siti Aminah".into()),
                Cell::Code("3507123456789012".into()),
                Cell::Date("1990-08-17".parse().unwrap()),
            ]],
        };
        let bytes = workbook(&postcard::to_allocvec(&vec![table]).unwrap()).unwrap();
        let sheet: Sheet = postcard::from_bytes(&self::sheet(&bytes).unwrap()).unwrap();
        assert_eq!(sheet.headers, ["Nama", "NIK", "Lahir"]);
        assert_eq!(sheet.rows[0][0], Read::Text("Siti Aminah".into()));
        // The NIK stays text: a number would have lost its last digits.
        assert_eq!(sheet.rows[0][1], Read::Text("3507123456789012".into()));
        assert_eq!(sheet.rows[0][2], Read::Date("1990-08-17".parse().unwrap()));
    }

    #[test]
    fn what_is_not_a_table_or_a_file_is_refused_with_a_reason() {
        assert!(workbook(b"\xff\xff\xff").unwrap_err().starts_with("tables:"));
        assert_eq!(sheet(b"  \n").unwrap_err(), "the file is empty");
        assert!(
            sheet(b"PK\x03\x04 not really a zip")
                .unwrap_err()
                .contains("workbook")
        );
    }
}
