//! Importing persons and placements from the lists an office already has (a placement list
//! from BP3MI or SISKOP2MI, a village's own spreadsheet): a file's columns mapped to our
//! fields ([`suggest`]), its rows read with the mess spreadsheets carry ([`parse`]), a
//! [`Preview`] of exactly what would change, and [`crate::VillageDoc::apply_import`], which
//! writes it as one change naming the file. Importing the same file twice changes nothing.

use std::collections::{BTreeMap, HashMap};

use crate::date::Date;
use crate::doc::VillageSnapshot;
use crate::fields::Text;
use crate::ids::RecordId;
use crate::records::{EpisodeState, MigrationEpisode, Person, Procedural, Sex};
use crate::validate::{Lang, Severity, Validate};

/// A header as compared: lower case, letters and digits only (`Tgl. Lahir` → `tgllahir`).
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field each column most likely holds, by its header; `None` for a column to leave out.
/// A field is suggested for one column at most.
pub fn suggest(headers: &[String]) -> Vec<Option<Target>> {
    let mut taken = Vec::new();
    headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            let found = Target::ALL
                .into_iter()
                .find(|t| !taken.contains(t) && t.names().contains(&key.as_str()))
                .or_else(|| {
                    // "Nama Lengkap PMI (sesuai paspor)": the longest name the header starts with.
                    Target::ALL
                        .into_iter()
                        .filter(|t| !taken.contains(t))
                        .flat_map(|t| t.names().iter().map(move |n| (t, *n)))
                        .filter(|(_, n)| n.len() >= 4 && key.starts_with(n))
                        .max_by_key(|(_, n)| n.len())
                        .map(|(t, _)| t)
                });
            if let Some(t) = found {
                taken.push(t);
            }
            found
        })
        .collect()
}

/// What identifies a file's layout, so the mapping chosen for it can be remembered.
pub fn layout_key(headers: &[String]) -> String {
    headers
        .iter()
        .map(|h| header_key(h))
        .collect::<Vec<_>>()
        .join("|")
}

/// One cell as the file holds it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number cell (a spreadsheet may hold a NIK or a date so).
    Number(f64),
    /// A date cell of a workbook.
    Date(Date),
}

impl Cell {
    /// The cell as text, spaces tidied; `None` if empty.
    pub fn shown(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => {
                Some(s.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|s| !s.is_empty())
            }
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Cell::Number(n) => Some(n.to_string()),
            Cell::Date(d) => Some(d.to_display()),
        }
    }
}

/// A file's first sheet: its header row and the rows under it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Why a row is not imported.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Problem {
    NoName,
    /// The NIK arrived as a number in scientific notation or with decimals: its last digits
    /// are lost, so it must be typed again as text.
    NikAsNumber(String),
    NikInvalid(String),
    Date {
        field: Target,
        text: String,
    },
    /// The same NIK on an earlier row of the file.
    RepeatedNik {
        line: usize,
    },
    /// The record the row makes does not pass the form's checks.
    Invalid {
        field: String,
        message: String,
    },
}

impl Problem {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Problem::NoName => Text::new("Nama kosong.").get(lang).to_owned(),
            Problem::NikAsNumber(t) => lang.fill(
                "NIK \"{nik}\" tersimpan sebagai angka di spreadsheet, angka terakhirnya hilang. Format kolom NIK sebagai teks lalu ketik ulang.",
                &[("nik", t)],
            ),
            Problem::NikInvalid(t) => lang.fill("NIK \"{nik}\" bukan 16 angka.", &[("nik", t)]),
            Problem::Date { field, text } => lang.fill(
                "{field}: \"{text}\" bukan tanggal yang bisa dibaca.",
                &[("field", &field.label().get(lang)), ("text", text)],
            ),
            Problem::RepeatedNik { line } => {
                lang.fill("NIK yang sama sudah ada di baris {line}.", &[("line", line)])
            }
            Problem::Invalid { field, message } => format!("{field}: {message}"),
        }
    }
}

/// One row read: the person's fields and the placement's, as typed in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The row's number in the file (the header is row 1).
    pub line: usize,
    pub values: BTreeMap<Target, String>,
    pub dates: BTreeMap<Target, Date>,
}

impl Row {
    fn get(&self, t: Target) -> Option<&str> {
        self.values.get(&t).map(String::as_str)
    }

    fn has_placement(&self) -> bool {
        self.values.contains_key(&Target::Country)
    }
}

/// A date as spreadsheets give it: a date cell, a serial number (days since 1899-12-30), or
/// text as DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD.
fn read_date(cell: &Cell) -> Option<Result<Date, String>> {
    match cell {
        Cell::Empty => None,
        Cell::Date(d) => Some(Ok(*d)),
        Cell::Number(n) if n.fract() == 0.0 && (1.0..=80_000.0).contains(n) => {
            Some(Date::from_days_from_epoch(*n as i64 - 25_569).ok_or_else(|| n.to_string()))
        }
        other => {
            let text = other.shown()?;
            let serial = text
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=80_000).contains(n) && text.len() == 5);
            Some(match serial {
                Some(n) => Date::from_days_from_epoch(n - 25_569).ok_or(text),
                None => Date::parse_display(&text).map_err(|_| text),
            })
        }
    }
}

/// Reads every row with the mapping (`mapping[i]` is what column `i` holds). Rows with nothing
/// in any mapped column are skipped.
pub fn parse(sheet: &Sheet, mapping: &[Option<Target>]) -> Vec<Result<Row, (usize, Vec<Problem>)>> {
    let mut seen_nik: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, cells) in sheet.rows.iter().enumerate() {
        let line = i + 2;
        let mut row = Row {
            line,
            values: BTreeMap::new(),
            dates: BTreeMap::new(),
        };
        let mut problems = Vec::new();
        for (cell, target) in cells.iter().zip(mapping) {
            let Some(target) = *target else { continue };
            if target.is_date() {
                match read_date(cell) {
                    Some(Ok(d)) => {
                        row.dates.insert(target, d);
                    }
                    Some(Err(text)) => problems.push(Problem::Date { field: target, text }),
                    None => {}
                }
                continue;
            }
            if target == Target::Nik || target == Target::NoKk {
                match cell {
                    Cell::Number(n) if target == Target::Nik => {
                        problems.push(Problem::NikAsNumber(format_number(*n)));
                        continue;
                    }
                    Cell::Text(t) if target == Target::Nik && looks_like_float(t) => {
                        problems.push(Problem::NikAsNumber(t.trim().to_owned()));
                        continue;
                    }
                    _ => {}
                }
            }
            if let Some(text) = cell.shown() {
                row.values.insert(target, text);
            }
        }
        if row.values.is_empty() && row.dates.is_empty() && problems.is_empty() {
            continue;
        }
        if row.get(Target::FullName).is_none() {
            problems.push(Problem::NoName);
        }
        if let Some(nik) = row.values.get(&Target::Nik).cloned() {
            let digits: String = nik.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
            if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(Problem::NikInvalid(nik));
            } else {
                if let Some(first) = seen_nik.get(&digits) {
                    problems.push(Problem::RepeatedNik { line: *first });
                } else {
                    seen_nik.insert(digits.clone(), line);
                }
                row.values.insert(Target::Nik, digits);
            }
        }
        if problems.is_empty() {
            out.push(Ok(row));
        } else {
            out.push(Err((line, problems)));
        }
    }
    out
}

fn format_number(n: f64) -> String {
    if n.abs() >= 1e15 {
        format!("{n:E}")
    } else {
        n.to_string()
    }
}

/// `3.50711E+15`, `3507115208900000.0`: a NIK that went through a number.
fn looks_like_float(t: &str) -> bool {
    let t = t.trim();
    (t.contains(['e', 'E'])
        && t.replace(['e', 'E', '+', '-', '.', ','], "")
            .bytes()
            .all(|b| b.is_ascii_digit()))
        || (t.contains(['.', ','])
            && t.replace(['.', ','], "").bytes().all(|b| b.is_ascii_digit())
            && t.len() > 12)
}

/// One field where the file and the record disagree.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Difference {
    pub field: Target,
    /// As shown (a date as DD-MM-YYYY, a choice by its code).
    pub current: Option<String>,
    pub imported: String,
}

/// A row that matches a person of the village by NIK.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Matched {
    pub line: usize,
    pub person: RecordId,
    pub name: String,
    pub differences: Vec<Difference>,
    /// The stay abroad the row adds (none if the person has it already).
    pub episode: Option<MigrationEpisode>,
    /// The record as the file would leave it with every difference taken.
    pub(crate) imported: Person,
}

/// Everything an import would do, before anything is written.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Preview {
    pub new_persons: Vec<(usize, Person, Option<MigrationEpisode>)>,
    pub matched: Vec<Matched>,
    /// Rows that would change nothing (already imported).
    pub unchanged: Vec<usize>,
    pub rejected: Vec<(usize, Vec<Problem>)>,
    /// Rows whose NIK belongs to a person of another village of the district: (row, village,
    /// name there). They are not imported here.
    pub elsewhere: Vec<(usize, String, String)>,
}

impl Preview {
    pub fn episodes(&self) -> usize {
        self.new_persons.iter().filter(|(_, _, e)| e.is_some()).count()
            + self.matched.iter().filter(|m| m.episode.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.new_persons.is_empty() && self.matched.is_empty()
    }
}

fn country_key(c: &str) -> String {
    c.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The row's person fields written over `person` (only the fields the file has).
fn person_from(row: &Row, mut person: Person) -> Person {
    let text = |t: Target| row.get(t).map(str::to_owned);
    if let Some(v) = text(Target::FullName) {
        person.full_name = v;
    }
    let set = |slot: &mut Option<String>, t: Target| {
        if let Some(v) = text(t) {
            *slot = Some(v);
        }
    };
    set(&mut person.nik, Target::Nik);
    set(&mut person.no_kk, Target::NoKk);
    set(&mut person.birth_place, Target::BirthPlace);
    set(&mut person.dusun, Target::Dusun);
    set(&mut person.rt, Target::Rt);
    set(&mut person.rw, Target::Rw);
    set(&mut person.address, Target::Address);
    if let Some(v) = text(Target::Phone) {
        person.phone = crate::validate::normalize_phone(&v).or(Some(v));
    }
    if let Some(d) = row.dates.get(&Target::BirthDate) {
        person.birth_date = Some(*d);
    }
    if let Some(s) = row.get(Target::Sex).and_then(read_sex) {
        person.sex = Some(s);
    }
    person
}

fn read_sex(s: &str) -> Option<Sex> {
    match header_key(s).as_str() {
        "p" | "perempuan" | "wanita" | "f" | "female" | "w" => Some(Sex::Female),
        "l" | "lakilaki" | "pria" | "m" | "male" => Some(Sex::Male),
        _ => None,
    }
}

/// The stay abroad a row describes, for `person`.
fn episode_from(row: &Row, person: &RecordId, today: Date) -> Option<MigrationEpisode> {
    if !row.has_placement() {
        return None;
    }
    let departed = row.dates.get(&Target::DepartureDate).copied();
    let state = match departed {
        Some(d) if d <= today => EpisodeState::Abroad,
        _ => EpisodeState::Planned,
    };
    let mut e = MigrationEpisode::new(
        RecordId::random(),
        person.clone(),
        crate::countries::canonical_country(row.get(Target::Country)?),
        state,
    );
    let text = |t: Target| row.get(t).map(str::to_owned);
    e.occupation = text(Target::Occupation);
    e.employer = text(Target::Employer);
    e.agency = text(Target::Agency);
    e.placement_decree_number = text(Target::PlacementDecree);
    e.passport_number = text(Target::Passport);
    e.departure_date = departed;
    e.contract_end = row.dates.get(&Target::ContractEnd).copied();
    // A placement list names placements made through the procedure.
    if e.placement_decree_number.is_some() {
        e.procedural = Procedural::Yes;
    }
    Some(e)
}

/// Whether the person has this stay already: the same placement number, or the same country
/// with the same departure.
fn has_episode(snapshot: &VillageSnapshot, person: &RecordId, e: &MigrationEpisode) -> bool {
    snapshot.episodes_of(person).iter().any(|x| {
        (e.placement_decree_number.is_some() && x.placement_decree_number == e.placement_decree_number)
            || (country_key(&crate::countries::canonical_country(&x.destination_country))
                == country_key(&e.destination_country)
                && x.departure_date == e.departure_date)
    })
}

fn shown(p: &Person, t: Target) -> Option<String> {
    let json = serde_json::to_value(p).ok()?;
    match json.get(t.key())? {
        serde_json::Value::String(s) if t.is_date() => s.parse::<Date>().ok().map(|d| d.to_display()),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The NIKs of the district's other villages: NIK → (village, person's name), for
/// [`preview`].
pub type Elsewhere = HashMap<String, (String, String)>;

/// Adds a village's NIKs to `elsewhere`.
pub fn add_niks(elsewhere: &mut Elsewhere, village: &str, snapshot: &VillageSnapshot) {
    for p in snapshot.persons.values().filter(|p| !p.deleted) {
        if let Some(nik) = &p.nik {
            elsewhere
                .entry(nik.clone())
                .or_insert_with(|| (village.to_owned(), p.full_name.clone()));
        }
    }
}

/// What importing `rows` into the village of `snapshot` would do. A NIK of another village
/// of the district (`elsewhere`) is reported, not imported. New records get random ids.
pub fn preview(
    snapshot: &VillageSnapshot,
    rows: Vec<Result<Row, (usize, Vec<Problem>)>>,
    elsewhere: &Elsewhere,
    today: Date,
) -> Preview {
    let by_nik: HashMap<&str, &Person> = snapshot
        .persons
        .values()
        .filter(|p| !p.deleted)
        .filter_map(|p| Some((p.nik.as_deref()?, p)))
        .collect();
    let mut out = Preview::default();
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(rejected) => {
                out.rejected.push(rejected);
                continue;
            }
        };
        let nik = row.get(Target::Nik);
        if let Some(existing) = nik.and_then(|n| by_nik.get(n)) {
            let imported = person_from(&row, (*existing).clone());
            let differences: Vec<Difference> = Target::ALL
                .into_iter()
                .filter(|t| !t.is_placement())
                .filter_map(|t| {
                    let new = shown(&imported, t)?;
                    let current = shown(existing, t);
                    (current.as_deref() != Some(new.as_str())).then_some(Difference {
                        field: t,
                        current,
                        imported: new,
                    })
                })
                .collect();
            let episode =
                episode_from(&row, &existing.id, today).filter(|e| !has_episode(snapshot, &existing.id, e));
            if differences.is_empty() && episode.is_none() {
                out.unchanged.push(row.line);
            } else {
                out.matched.push(Matched {
                    line: row.line,
                    person: existing.id.clone(),
                    name: existing.full_name.clone(),
                    differences,
                    episode,
                    imported,
                });
            }
            continue;
        }
        if let Some((village, name)) = nik.and_then(|n| elsewhere.get(n)) {
            out.elsewhere.push((row.line, village.clone(), name.clone()));
            continue;
        }
        let person = person_from(&row, Person::new(RecordId::random(), ""));
        let episode = episode_from(&row, &person.id, today);
        let problems: Vec<Problem> = person
            .validate()
            .into_iter()
            .chain(episode.iter().flat_map(|e| e.validate()))
            .filter(|i| i.severity == Severity::Error)
            .map(|i| Problem::Invalid {
                message: i.message(Lang::Id),
                field: i.field,
            })
            .collect();
        if problems.is_empty() {
            out.new_persons.push((row.line, person, episode));
        } else {
            out.rejected.push((row.line, problems));
        }
    }
    out
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Applied {
    pub persons_created: usize,
    pub persons_updated: usize,
    pub episodes_created: usize,
}

mod apply;
#[cfg(feature = "files")]
mod files;
mod target;

#[cfg(feature = "files")]
pub use files::{ReadError, read_file};
pub use target::Target;
