//! Exports of persons and migration episodes, for a village or a whole district, as tables
//! (headers in the user's language, typed cells) and, with the `files` feature, as CSV and XLSX
//! files. NIK and No. KK are always text, so spreadsheets never turn them into 3.5E+15; dates are
//! real dates in XLSX.

mod pillars;

pub use pillars::{Viewer, pillar_tables};

use crate::countries::find_country;
use crate::date::Date;
use crate::fields::{Choice, choice_label};
use crate::query::VillageSnapshot;
use crate::record::{MigrationEpisode, Person};
use crate::records::{EPISODE_STATE, PROCEDURAL, RELATION, SCHEME, SEX};
use crate::{Lang, Text};

/// One cell of an export.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cell {
    Text(String),
    /// Digits that identify (NIK, No. KK): text everywhere, never a number.
    Code(String),
    Date(Date),
    Empty,
}

impl Cell {
    fn text(s: Option<&str>) -> Self {
        match s.map(str::trim) {
            Some(s) if !s.is_empty() => Cell::Text(s.to_owned()),
            _ => Cell::Empty,
        }
    }
    fn code(s: Option<&str>) -> Self {
        match s.map(str::trim) {
            Some(s) if !s.is_empty() => Cell::Code(s.to_owned()),
            _ => Cell::Empty,
        }
    }
    fn date(d: Option<Date>) -> Self {
        d.map_or(Cell::Empty, Cell::Date)
    }
    /// The cell as plain text (dates as DD-MM-YYYY, as the app shows them).
    pub fn as_text(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Code(s) => s.clone(),
            Cell::Date(d) => d.to_display(),
            Cell::Empty => String::new(),
        }
    }
}

/// A sheet: a name, headers and rows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The persons of one village to export (already filtered as on the screen).
#[derive(Debug)]
pub struct VillagePart<'a> {
    pub village: &'a str,
    pub snapshot: &'a VillageSnapshot,
    pub persons: Vec<&'a Person>,
}

fn choice<T: std::fmt::Debug>(choices: &[Choice], value: Option<T>, lang: Lang) -> Cell {
    value
        .and_then(|v| choice_label(choices, &format!("{v:?}"), lang))
        .map_or(Cell::Empty, |l| Cell::Text(l.to_owned()))
}

fn headers(names: &[Text], lang: Lang) -> Vec<String> {
    names.iter().map(|t| t.get(lang).to_owned()).collect()
}

const PERSON_HEADERS: &[Text] = &[
    Text::new("Desa"),
    Text::ctx("NIK", "NIK"),
    Text::ctx("Family card no.", "No. KK"),
    Text::new("Nama lengkap"),
    Text::new("Jenis kelamin"),
    Text::new("Tempat lahir"),
    Text::new("Tanggal lahir"),
    Text::new("Dusun"),
    Text::new("RT"),
    Text::new("RW"),
    Text::new("Hubungan dalam keluarga"),
    Text::ctx("Head of household", "Kepala keluarga"),
    Text::new("Kategori"),
    Text::new("Negara tujuan terakhir"),
    Text::new("Jabatan/pekerjaan"),
    Text::new("Status perjalanan"),
    Text::new("Tanggal berangkat"),
    Text::new("Tanggal pulang"),
];

const EPISODE_HEADERS: &[Text] = &[
    Text::new("Desa"),
    Text::ctx("NIK", "NIK"),
    Text::new("Nama lengkap"),
    Text::ctx("Destination country", "Negara tujuan"),
    Text::new("Kode negara (ISO)"),
    Text::new("Sektor"),
    Text::new("Jabatan/pekerjaan"),
    Text::new("Pemberi kerja"),
    Text::ctx("Placement agency", "P3MI"),
    Text::new("Keberangkatan"),
    Text::new("Skema penempatan"),
    Text::new("No. SK/ID PMI"),
    Text::new("Tanggal berangkat"),
    Text::new("Kontrak berakhir"),
    Text::new("Tanggal pulang"),
    Text::new("Status"),
];

/// Persons with their current category, latest episode and household head.
pub fn persons_table(parts: &[VillagePart<'_>], lang: Lang) -> Table {
    let mut rows = Vec::new();
    for part in parts {
        let s = part.snapshot;
        for p in &part.persons {
            let latest: Option<&MigrationEpisode> = s.episodes_of(&p.id).into_iter().last();
            let head = s
                .household_of(&p.id)
                .and_then(|h| h.head)
                .and_then(|id| s.person(&id))
                .map(|h| h.full_name.as_str());
            rows.push(vec![
                Cell::Text(part.village.to_owned()),
                Cell::code(p.nik.as_deref()),
                Cell::code(p.no_kk.as_deref()),
                Cell::Text(p.full_name.clone()),
                choice(SEX, p.sex, lang),
                Cell::text(p.birth_place.as_deref()),
                Cell::date(p.birth_date),
                Cell::text(p.dusun.as_deref()),
                Cell::code(p.rt.as_deref()),
                Cell::code(p.rw.as_deref()),
                choice(RELATION, p.relation, lang),
                Cell::text(head),
                s.category(&p.id)
                    .map_or(Cell::Empty, |c| Cell::Text(c.label(lang).to_owned())),
                Cell::text(latest.map(|e| e.destination_country.as_str())),
                Cell::text(latest.and_then(|e| e.occupation.as_deref())),
                choice(EPISODE_STATE, latest.map(|e| e.state), lang),
                Cell::date(latest.and_then(|e| e.departure_date)),
                Cell::date(latest.and_then(|e| e.return_date)),
            ]);
        }
    }
    Table {
        name: Text::ctx("Persons", "Orang").get(lang).to_owned(),
        headers: headers(PERSON_HEADERS, lang),
        rows,
    }
}

/// Every live episode of the exported persons, oldest departure first per person.
pub fn episodes_table(parts: &[VillagePart<'_>], lang: Lang) -> Table {
    let mut rows = Vec::new();
    for part in parts {
        for p in &part.persons {
            for e in part.snapshot.episodes_of(&p.id) {
                rows.push(vec![
                    Cell::Text(part.village.to_owned()),
                    Cell::code(p.nik.as_deref()),
                    Cell::Text(p.full_name.clone()),
                    Cell::text(Some(&e.destination_country)),
                    Cell::code(
                        e.destination_country_code
                            .as_deref()
                            .or_else(|| find_country(&e.destination_country).map(|c| c.code)),
                    ),
                    Cell::text(e.sector.as_deref()),
                    Cell::text(e.occupation.as_deref()),
                    Cell::text(e.employer.as_deref()),
                    Cell::text(e.agency.as_deref()),
                    choice(PROCEDURAL, Some(e.procedural), lang),
                    choice(SCHEME, e.scheme, lang),
                    Cell::code(e.placement_decree_number.as_deref()),
                    Cell::date(e.departure_date),
                    Cell::date(e.contract_end),
                    Cell::date(e.return_date),
                    choice(EPISODE_STATE, Some(e.state), lang),
                ]);
            }
        }
    }
    Table {
        name: Text::ctx("Migration episodes", "Riwayat migrasi")
            .get(lang)
            .to_owned(),
        headers: headers(EPISODE_HEADERS, lang),
        rows,
    }
}

#[cfg(feature = "csv")]
mod csv_file {
    use super::{Cell, Table};

    /// A table as CSV: UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8),
    /// dates as DD-MM-YYYY, and codes (NIK, No. KK) written `="3507…"`, the form spreadsheet
    /// programs keep as text instead of turning into 3.5E+15.
    pub fn to_csv(table: &Table) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        w.write_record(&table.headers)
            .expect("writing to memory does not fail");
        for row in &table.rows {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Code(s) => format!("=\"{s}\""),
                    other => other.as_text(),
                })
                .collect();
            w.write_record(&cells).expect("writing to memory does not fail");
        }
        w.into_inner().expect("writing to memory does not fail")
    }
}

#[cfg(feature = "files")]
mod files {
    use super::{Cell, Table};

    /// Tables as an XLSX workbook, one sheet each: a bold header row that stays in view, a
    /// filter on every column, codes as text cells in text-formatted columns, dates as dates.
    pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let text = Format::new().set_num_format("@");
        let date = Format::new().set_num_format("dd-mm-yyyy");
        for table in tables {
            let sheet = book.add_worksheet();
            sheet.set_name(&table.name)?;
            for (c, h) in table.headers.iter().enumerate() {
                let col = c as u16;
                sheet.write_string_with_format(0, col, h, &bold)?;
                sheet.set_column_width(col, (h.chars().count() as f64 + 2.0).max(12.0))?;
            }
            for (r, row) in table.rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, cell) in row.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => {
                            sheet.write_string(r, c, s)?;
                        }
                        Cell::Code(s) => {
                            sheet.write_string_with_format(r, c, s, &text)?;
                        }
                        Cell::Date(d) => {
                            let when = ExcelDateTime::from_ymd(d.year(), d.month(), d.day())?;
                            sheet.write_datetime_with_format(r, c, &when, &date)?;
                        }
                        Cell::Empty => {}
                    }
                }
            }
            sheet.set_freeze_panes(1, 0)?;
            let last_col = table.headers.len().saturating_sub(1) as u16;
            sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
        }
        book.save_to_buffer()
    }
}

#[cfg(feature = "csv")]
pub use csv_file::to_csv;
#[cfg(feature = "files")]
pub use files::to_xlsx;
