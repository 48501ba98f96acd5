//! Validation of records. Errors stop a save; warnings are shown at the field and do not.
//! Messages come in Bahasa Indonesia (first) and English.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::record::Sex;

/// The languages of the UI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Id,
    En,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// What is wrong, independent of language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueKind {
    Required,
    TooLong {
        max: usize,
    },
    NikNotSixteenDigits,
    NikRegion,
    NikBirthDate,
    NikSerialZero,
    NikBirthDateMismatch,
    NikSexMismatch,
    KkNotSixteenDigits,
    KkRegion,
    Phone,
    RtRw,
    ConsentDateMissing,
    BeforeDeparture,
    ReturnedWithoutDate,
    ReturnDateButNotReturned,
    /// A date that has not come yet where only a past date makes sense (a birth, a consent).
    InFuture,
    /// Marked abroad (or back, missing, deceased) with a departure date still to come.
    DepartureInFuture,
    /// A number outside what the field can hold.
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// A loan amount, but the capital is not a bank loan.
    CreditWithoutBank,
    /// Neither a recorded person is linked nor a name given.
    PersonOrName,
    /// A date before the record's own date (a follow-up before the consultation).
    BeforeDate,
    /// The NIK is already another person's in this village.
    NikUsedBy {
        name: String,
    },
    /// The agency is not on the district's list of licensed agencies.
    AgencyNotListed,
    /// The agency's licence had run out at the departure (`until`, as shown).
    AgencyLicenceExpired {
        until: String,
    },
    /// The district lists the agency as suspended, or revoked.
    AgencyNotActive {
        revoked: bool,
    },
    /// The district notes a moratorium on the destination.
    Moratorium {
        note: String,
    },
}

/// One finding, attached to the field it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub field: String,
    pub severity: Severity,
    pub kind: IssueKind,
}

impl Issue {
    pub fn error(field: &str, kind: IssueKind) -> Self {
        Self {
            field: field.to_owned(),
            severity: Severity::Error,
            kind,
        }
    }
    pub fn warning(field: &str, kind: IssueKind) -> Self {
        Self {
            field: field.to_owned(),
            severity: Severity::Warning,
            kind,
        }
    }

    /// The message to show under the field.
    pub fn message(&self, lang: Lang) -> String {
        use IssueKind::*;
        let (id, en): (&str, &str) = match &self.kind {
            Required => ("Wajib diisi.", "Required."),
            TooLong { max } => {
                return match lang {
                    Lang::Id => format!("Terlalu panjang (paling banyak {max} karakter)."),
                    Lang::En => format!("Too long (at most {max} characters)."),
                };
            }
            NikNotSixteenDigits => ("NIK harus 16 angka.", "A NIK has exactly 16 digits."),
            NikRegion => (
                "Kode wilayah NIK (6 angka pertama) tidak sah.",
                "The NIK's region code (first 6 digits) is not valid.",
            ),
            NikBirthDate => (
                "Tanggal lahir dalam NIK (angka 7–12) tidak sah.",
                "The birth date inside the NIK (digits 7–12) is not valid.",
            ),
            NikSerialZero => (
                "Nomor urut NIK (4 angka terakhir) tidak boleh 0000.",
                "The NIK's serial (last 4 digits) cannot be 0000.",
            ),
            NikBirthDateMismatch => (
                "NIK tidak cocok dengan tanggal lahir. Periksa kembali.",
                "The NIK does not match the birth date. Please check.",
            ),
            NikSexMismatch => (
                "NIK tidak cocok dengan jenis kelamin (tanggal +40 untuk perempuan). Periksa kembali.",
                "The NIK does not match the sex (day +40 for women). Please check.",
            ),
            KkNotSixteenDigits => (
                "No. KK harus 16 angka.",
                "A family card number has exactly 16 digits.",
            ),
            KkRegion => (
                "Kode wilayah No. KK tidak sah.",
                "The family card number's region code is not valid.",
            ),
            Phone => (
                "Nomor HP harus diawali 08 atau +628, 10–13 angka.",
                "A mobile number starts with 08 or +628 and has 10–13 digits.",
            ),
            RtRw => ("RT/RW berupa 1–3 angka.", "RT/RW is 1–3 digits."),
            ConsentDateMissing => ("Isi tanggal persetujuan.", "Enter the date consent was given."),
            BeforeDeparture => (
                "Tanggal ini tidak boleh sebelum tanggal berangkat.",
                "This date cannot be before the departure date.",
            ),
            ReturnedWithoutDate => (
                "Status pulang, tetapi tanggal pulang kosong.",
                "Marked returned, but the return date is empty.",
            ),
            ReturnDateButNotReturned => (
                "Ada tanggal pulang, tetapi status belum pulang.",
                "There is a return date, but the state is not returned.",
            ),
            InFuture => (
                "Tanggal ini belum lewat. Periksa kembali.",
                "This date has not come yet. Please check.",
            ),
            DepartureInFuture => (
                "Tanggal berangkat belum lewat, tetapi statusnya sudah berangkat. Pilih \"Rencana berangkat\" atau perbaiki tanggalnya.",
                "The departure date is still to come, but the state says they left. Choose \"Planned\" or correct the date.",
            ),
            OutOfRange { min, max } => {
                return match (lang, *max == i64::MAX) {
                    (Lang::Id, true) => format!("Harus lebih dari {}.", min - 1),
                    (Lang::En, true) => format!("Must be more than {}.", min - 1),
                    (Lang::Id, false) => format!("Harus antara {min} dan {max}."),
                    (Lang::En, false) => format!("Must be between {min} and {max}."),
                };
            }
            CreditWithoutBank => (
                "Ada jumlah kredit, tetapi sumber modal bukan kredit bank.",
                "There is a loan amount, but the capital is not from a bank loan.",
            ),
            PersonOrName => (
                "Isi nama, atau buat dari halaman orang yang sudah terdata.",
                "Enter a name, or start from the page of a recorded person.",
            ),
            BeforeDate => (
                "Tanggal ini tidak boleh sebelum tanggal catatan.",
                "This date cannot be before the record's date.",
            ),
            NikUsedBy { name } => {
                return match lang {
                    Lang::Id => format!("NIK ini sudah dipakai {name} di desa ini."),
                    Lang::En => format!("This NIK already belongs to {name} in this village."),
                };
            }
            AgencyNotListed => (
                "P3MI ini tidak ada di daftar P3MI berizin dari kabupaten. Periksa namanya, atau laporkan ke Disnaker.",
                "This agency is not on the district's list of licensed agencies. Check the name, or report it to the district office.",
            ),
            AgencyLicenceExpired { until } => {
                return match lang {
                    Lang::Id => format!(
                        "Izin P3MI ini berlaku sampai {until}, sebelum tanggal berangkat. Periksa ke Disnaker."
                    ),
                    Lang::En => format!(
                        "This agency's licence ran until {until}, before the departure. Check with the district office."
                    ),
                };
            }
            AgencyNotActive { revoked: true } => (
                "Izin P3MI ini sudah dicabut (daftar kabupaten).",
                "This agency's licence has been revoked (district list).",
            ),
            AgencyNotActive { revoked: false } => (
                "Izin P3MI ini sedang dibekukan (daftar kabupaten).",
                "This agency's licence is suspended (district list).",
            ),
            Moratorium { note } => {
                let (id, en) = (
                    "Kabupaten mencatat moratorium penempatan ke negara ini.",
                    "The district notes a moratorium on placement to this country.",
                );
                let head = match lang {
                    Lang::Id => id,
                    Lang::En => en,
                };
                return if note.trim().is_empty() {
                    head.to_owned()
                } else {
                    format!("{head} {}", note.trim())
                };
            }
        };
        match lang {
            Lang::Id => id.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

/// Records that can be checked before saving.
pub trait Validate {
    fn validate(&self) -> Vec<Issue>;

    /// The checks that need today's date (the model has no clock: the form passes it in).
    /// Records synced from elsewhere are never refused for these.
    fn validate_on(&self, today: Date) -> Vec<Issue> {
        let _ = today;
        Vec::new()
    }

    /// Puts what the user typed into its stored form before it is written (one spelling per
    /// destination country, …). Most records keep what was typed.
    fn normalise(&mut self) {}
}

/// An error at `field` if `date` is still to come on `today`.
pub(crate) fn not_after(today: Date, field: &str, date: Date) -> Vec<Issue> {
    if date > today {
        vec![Issue::error(field, IssueKind::InFuture)]
    } else {
        Vec::new()
    }
}

const MAX_TEXT: usize = 200;
const MAX_LONG_TEXT: usize = 4000;

/// The checks every record's declaration implies: required fields filled, texts not too long.
/// Record types add their own checks after these.
pub fn check_declared<R: crate::Described>(record: &R) -> Vec<Issue> {
    use crate::fields::FieldKind;
    let values = serde_json::to_value(record).unwrap_or_default();
    let mut out = Vec::new();
    for spec in R::SPEC {
        let value = values.get(spec.key).unwrap_or(&serde_json::Value::Null);
        let text = value.as_str();
        if spec.required && (value.is_null() || text.is_some_and(|t| t.trim().is_empty())) {
            out.push(Issue::error(spec.key, IssueKind::Required));
        }
        let max = match spec.kind {
            FieldKind::LongText => MAX_LONG_TEXT,
            _ => MAX_TEXT,
        };
        if text.is_some_and(|t| t.chars().count() > max) {
            out.push(Issue::error(spec.key, IssueKind::TooLong { max }));
        }
    }
    out
}

pub(crate) fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether the first six digits can be a region (province 11–96, regency and district not 00).
fn region_ok(n: &str) -> bool {
    let province: u8 = n[0..2].parse().unwrap_or(0);
    (11..=96).contains(&province) && &n[2..4] != "00" && &n[4..6] != "00"
}

/// Checks a NIK on its own, and against a recorded birth date and sex when given.
pub fn check_nik(nik: &str, birth_date: Option<Date>, sex: Option<Sex>) -> Vec<Issue> {
    let f = "nik";
    if nik.len() != 16 || !digits_only(nik) {
        return vec![Issue::error(f, IssueKind::NikNotSixteenDigits)];
    }
    let mut out = Vec::new();
    if !region_ok(nik) {
        out.push(Issue::error(f, IssueKind::NikRegion));
    }
    let dd: u8 = nik[6..8].parse().unwrap_or(0);
    let mm: u8 = nik[8..10].parse().unwrap_or(0);
    let yy: u16 = nik[10..12].parse().unwrap_or(0);
    let (day, female) = if dd > 40 { (dd - 40, true) } else { (dd, false) };
    // Any year with these two last digits will do for checking the day exists; 2000 is a leap year.
    let date_ok = Date::new(2000 + yy, mm, day).is_some() || Date::new(1900 + yy, mm, day).is_some();
    if !date_ok {
        out.push(Issue::error(f, IssueKind::NikBirthDate));
    }
    if &nik[12..16] == "0000" {
        out.push(Issue::error(f, IssueKind::NikSerialZero));
    }
    if date_ok {
        if let Some(b) = birth_date
            && (b.day() != day || b.month() != mm || b.year() % 100 != yy)
        {
            out.push(Issue::warning(f, IssueKind::NikBirthDateMismatch));
        }
        if let Some(s) = sex
            && (s == Sex::Female) != female
        {
            out.push(Issue::warning(f, IssueKind::NikSexMismatch));
        }
    }
    out
}

/// Checks a No. KK (family card number).
pub fn check_no_kk(kk: &str) -> Vec<Issue> {
    if kk.len() != 16 || !digits_only(kk) {
        vec![Issue::error("no_kk", IssueKind::KkNotSixteenDigits)]
    } else if !region_ok(kk) {
        vec![Issue::error("no_kk", IssueKind::KkRegion)]
    } else {
        Vec::new()
    }
}

/// A mobile number in the stored form `08…`, from `08…`, `+628…` or `628…` with spaces or
/// dashes; `None` if it is not an Indonesian mobile number.
pub fn normalize_phone(phone: &str) -> Option<String> {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let local = if let Some(rest) = compact.strip_prefix("+62") {
        format!("0{rest}")
    } else if let Some(rest) = compact.strip_prefix("62") {
        format!("0{rest}")
    } else {
        compact
    };
    (local.starts_with("08") && (10..=13).contains(&local.len()) && digits_only(&local)).then_some(local)
}

/// An error at `field` if `value` is longer than a short text may be.
pub(crate) fn text(out: &mut Vec<Issue>, field: &str, value: Option<&str>) {
    if value.is_some_and(|v| v.chars().count() > MAX_TEXT) {
        out.push(Issue::error(field, IssueKind::TooLong { max: MAX_TEXT }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;
    use crate::record::{Consent, EpisodeState, MigrationEpisode, Person};

    #[test]
    fn dates_still_to_come_are_refused_where_only_the_past_makes_sense() {
        let today = Date::new(2026, 11, 28).unwrap();
        let mut p = Person::new(RecordId::random(), "Siti");
        p.birth_date = Date::new(2031, 8, 17);
        assert_eq!(
            p.validate_on(today),
            vec![Issue::error("birth_date", IssueKind::InFuture)]
        );
        p.birth_date = Some(today);
        assert!(p.validate_on(today).is_empty());

        let mut e = MigrationEpisode::new(
            RecordId::random(),
            RecordId::random(),
            "Malaysia",
            EpisodeState::Abroad,
        );
        e.state = EpisodeState::Abroad;
        e.departure_date = Date::new(2029, 1, 1);
        assert_eq!(
            e.validate_on(today),
            vec![Issue::error("departure_date", IssueKind::DepartureInFuture)]
        );
        e.state = EpisodeState::Planned;
        assert!(
            e.validate_on(today).is_empty(),
            "a planned departure may be ahead"
        );
        let used = Issue::warning(
            "nik",
            IssueKind::NikUsedBy {
                name: "Siti Aminah".into(),
            },
        );
        assert_eq!(
            used.message(Lang::Id),
            "NIK ini sudah dipakai Siti Aminah di desa ini."
        );
    }

    fn kinds(issues: &[Issue]) -> Vec<(String, Severity, IssueKind)> {
        issues
            .iter()
            .map(|i| (i.field.clone(), i.severity, i.kind.clone()))
            .collect()
    }

    #[test]
    fn a_well_formed_nik_matching_the_person_passes() {
        // Woman born 12-05-1990 in 35.07.11: day 12 + 40 = 52.
        let born = Date::new(1990, 5, 12);
        assert!(check_nik("3507115205900001", born, Some(Sex::Female)).is_empty());
        assert!(check_nik("3507111205900001", born, Some(Sex::Male)).is_empty());
    }

    #[test]
    fn malformed_niks_are_errors() {
        let e = |n: &str| kinds(&check_nik(n, None, None));
        assert_eq!(
            e("350711520590001"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikNotSixteenDigits)]
        );
        assert_eq!(
            e("35071152059000a1"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikNotSixteenDigits)]
        );
        assert_eq!(
            e("0007115205900001"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikRegion)]
        );
        assert_eq!(
            e("3507113205900001"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikBirthDate)]
        );
        assert_eq!(
            e("3507111213900001"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikBirthDate)]
        );
        assert_eq!(
            e("3507117102900001"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikBirthDate)]
        );
        assert_eq!(
            e("3507111205900000"),
            vec![("nik".to_string(), Severity::Error, IssueKind::NikSerialZero)]
        );
    }

    #[test]
    fn a_nik_disagreeing_with_birth_date_or_sex_is_a_warning() {
        let w = check_nik("3507115205900001", Date::new(1991, 5, 12), Some(Sex::Male));
        assert_eq!(
            kinds(&w),
            vec![
                (
                    "nik".to_string(),
                    Severity::Warning,
                    IssueKind::NikBirthDateMismatch
                ),
                ("nik".to_string(), Severity::Warning, IssueKind::NikSexMismatch),
            ]
        );
        let mut p = Person::new(RecordId::random(), "Sri");
        p.nik = Some("3507115205900001".into());
        p.sex = Some(Sex::Male);
        assert!(p.validate().iter().all(|i| i.severity == Severity::Warning));
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(normalize_phone("0812-3456-7890").as_deref(), Some("081234567890"));
        assert_eq!(
            normalize_phone("+62 812 3456 7890").as_deref(),
            Some("081234567890")
        );
        assert_eq!(normalize_phone("6281234567890").as_deref(), Some("081234567890"));
        assert_eq!(normalize_phone("0341 123456"), None, "a landline is not a mobile");
        assert_eq!(normalize_phone("0812"), None);
        assert_eq!(normalize_phone("08123456789012345"), None);
        assert_eq!(normalize_phone("08l2345678"), None);
    }

    #[test]
    fn person_fields_are_checked_and_messages_exist_in_both_languages() {
        let mut p = Person::new(RecordId::random(), "  ");
        p.no_kk = Some("123".into());
        p.phone = Some("12345".into());
        p.rt = Some("1a".into());
        p.consent = Consent::Given;
        let issues = p.validate();
        let fields: Vec<_> = issues.iter().map(|i| (i.field.as_str(), i.severity)).collect();
        assert_eq!(
            fields,
            vec![
                ("full_name", Severity::Error),
                ("no_kk", Severity::Error),
                ("phone", Severity::Error),
                ("rt", Severity::Error),
                ("consent_date", Severity::Warning),
            ]
        );
        for i in &issues {
            assert_ne!(i.message(Lang::Id), i.message(Lang::En));
        }
        assert_eq!(issues[0].message(Lang::Id), "Wajib diisi.");
    }

    #[test]
    fn episode_dates_must_be_in_order() {
        let mut e = MigrationEpisode::new(
            RecordId::random(),
            RecordId::random(),
            "Taiwan",
            EpisodeState::Returned,
        );
        e.departure_date = Date::new(2022, 3, 1);
        e.return_date = Date::new(2021, 12, 31);
        assert_eq!(
            kinds(&e.validate()),
            vec![(
                "return_date".to_string(),
                Severity::Error,
                IssueKind::BeforeDeparture
            )]
        );
        e.return_date = Date::new(2024, 3, 1);
        assert!(e.validate().is_empty());
        e.state = EpisodeState::Abroad;
        assert_eq!(
            kinds(&e.validate()),
            vec![(
                "return_date".to_string(),
                Severity::Warning,
                IssueKind::ReturnDateButNotReturned
            )]
        );
        e.destination_country = String::new();
        assert!(
            e.validate()
                .iter()
                .any(|i| i.field == "destination_country" && i.severity == Severity::Error)
        );
    }
}
