//! Reading an imported file into a [`Sheet`]: CSV in UTF-8 (with or without a byte-order
//! mark) or Windows-1252, separated by commas, semicolons or tabs; or the first sheet of an
//! XLSX workbook (calamine), with number and date cells as such.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::{Cell, Sheet};
use crate::date::Date;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty")]
    Empty,
    #[error("the workbook cannot be read: {0}")]
    Workbook(String),
    #[error("the CSV cannot be read: {0}")]
    Csv(#[from] csv::Error),
    #[error("the file has more than {max} rows")]
    TooLarge { max: usize },
}

/// The most rows one import takes.
pub const MAX_ROWS: usize = 50_000;

/// Reads a CSV or XLSX file (told apart by content: a workbook is a zip archive).
pub fn read_file(bytes: &[u8]) -> Result<Sheet, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let sheet = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        read_csv(bytes)?
    };
    if sheet.rows.len() > MAX_ROWS {
        return Err(ReadError::TooLarge { max: MAX_ROWS });
    }
    if sheet.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(ReadError::Empty);
    }
    Ok(sheet)
}

fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        // Spreadsheets on Windows save CSV in the ANSI code page, Windows-1252 in Indonesia.
        Err(_) => bytes.iter().map(|b| windows_1252(*b)).collect(),
    }
}

/// A Windows-1252 byte as a character: Latin-1, except 0x80–0x9F (the euro sign, curly quotes,
/// dashes…). A table of 32 instead of a general decoder, which would weigh some 100 KB in the
/// app's download for encodings no Indonesian spreadsheet uses.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, ReadError> {
    let text = decode(bytes);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(r) => r?.iter().map(|h| h.trim().to_owned()).collect(),
        None => return Err(ReadError::Empty),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record?;
        rows.push(
            record
                .iter()
                .map(|c| {
                    if c.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c.to_owned())
                    }
                })
                .collect(),
        );
        if rows.len() > MAX_ROWS {
            break;
        }
    }
    Ok(Sheet { headers, rows })
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, ReadError> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Workbook(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ReadError::Empty)?
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
    let mut rows = range.rows();
    let headers: Vec<String> = match rows.next() {
        Some(r) => r.iter().map(|c| c.to_string().trim().to_owned()).collect(),
        None => return Err(ReadError::Empty),
    };
    let rows = rows
        .take(MAX_ROWS + 1)
        .map(|r| r.iter().map(cell).collect())
        .collect();
    Ok(Sheet { headers, rows })
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(d) => {
            let serial = d.as_f64().floor() as i64;
            Date::from_days_from_epoch(serial - 25_569).map_or(Cell::Number(d.as_f64()), Cell::Date)
        }
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| d.parse().ok())
            .map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(_) => Cell::Empty,
    }
}
