//! A resident of the village and the household they belong to.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{
    Choice, Described, FieldKind, FieldSpec, Text, choice, choice_in, field, field_in, required,
};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{
    Issue, IssueKind, Validate, check_nik, check_no_kk, digits_only, normalize_phone, text,
};

/// Sex as recorded on the KTP (identity card).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Reconcile,
    Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Sex {
    Male,
    Female,
}

/// Highest completed education.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum Education {
    None,
    Primary,
    JuniorHigh,
    SeniorHigh,
    Diploma,
    Bachelor,
    Postgraduate,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum MaritalStatus {
    Single,
    Married,
    Divorced,
    Widowed,
}

/// Relation to the head of the household on the family card (KK).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum FamilyRelation {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Other,
}

/// Whether the person agreed to be recorded (UU 27/2022 on personal data protection).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum Consent {
    NotAsked,
    Given,
    Refused,
}

fn consent_not_asked() -> Consent {
    Consent::NotAsked
}

record! {
    /// A resident of the village: a CPMI, PMI, Purna PMI, a member of a migrant's family, or
    /// anyone else a household record needs. Their category is derived from their migration
    /// episodes (see [`crate::query::Category`]), never stored.
    pub struct Person in Collection::Persons {
        pub id: RecordId,
        #[autosurgeon(missing = "Default::default")]
        pub nik: Option<String>,
        /// No. KK, the family card number; persons sharing it form a household.
        #[autosurgeon(missing = "Default::default")]
        pub no_kk: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub relation: Option<FamilyRelation>,
        pub full_name: String,
        #[autosurgeon(missing = "Default::default")]
        pub sex: Option<Sex>,
        #[autosurgeon(missing = "Default::default")]
        pub birth_place: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub birth_date: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub dusun: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub rt: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub rw: Option<String>,
        /// Street address or landmark beyond dusun/RT/RW.
        #[autosurgeon(missing = "Default::default")]
        pub address: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub phone: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub education: Option<Education>,
        #[autosurgeon(missing = "Default::default")]
        pub marital_status: Option<MaritalStatus>,
        #[autosurgeon(missing = "consent_not_asked")]
        #[serde(default = "consent_not_asked")]
        pub consent: Consent,
        #[autosurgeon(missing = "Default::default")]
        pub consent_date: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub notes: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
        /// The village the person moved to (its name), when the district found them recorded
        /// in both: this record is then removed from lists and counts (`deleted`), its history
        /// kept, and its page says where they went.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub moved_to: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub moved_on: Option<Date>,
    }
}

impl Person {
    /// A new person with only a name; every other field empty.
    pub fn new(id: RecordId, full_name: impl Into<String>) -> Self {
        Self {
            id,
            nik: None,
            no_kk: None,
            relation: None,
            full_name: full_name.into(),
            sex: None,
            birth_place: None,
            birth_date: None,
            dusun: None,
            rt: None,
            rw: None,
            address: None,
            phone: None,
            education: None,
            marital_status: None,
            consent: Consent::NotAsked,
            consent_date: None,
            notes: None,
            deleted: false,
            moved_to: None,
            moved_on: None,
        }
    }

    /// Whether the record was removed because the person moved to another village.
    pub fn moved(&self) -> bool {
        self.deleted && self.moved_to.is_some()
    }
}

/// A household: the persons who share a No. KK. Derived from the persons' own `no_kk`, never
/// stored, so two devices that enter members of one family offline cannot create rival
/// household records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Household {
    pub no_kk: String,
    /// The member recorded as head of the family, if any.
    pub head: Option<RecordId>,
    pub members: Vec<RecordId>,
}

pub const SEX: &[Choice] = &[choice("Male", "Laki-laki"), choice("Female", "Perempuan")];

pub const RELATION: &[Choice] = &[
    choice_in("Head of family", "Head", "Kepala keluarga"),
    choice("Spouse", "Istri/Suami"),
    choice("Child", "Anak"),
    choice("Parent", "Orang tua"),
    choice("Grandchild", "Cucu"),
    choice("Other", "Lainnya"),
];

pub const EDUCATION: &[Choice] = &[
    choice("None", "Tidak sekolah"),
    choice("Primary", "SD"),
    choice("JuniorHigh", "SMP"),
    choice("SeniorHigh", "SMA/SMK"),
    choice("Diploma", "Diploma"),
    choice("Bachelor", "S1"),
    choice("Postgraduate", "S2/S3"),
];

pub const MARITAL_STATUS: &[Choice] = &[
    choice("Single", "Belum kawin"),
    choice("Married", "Kawin"),
    choice("Divorced", "Cerai hidup"),
    choice("Widowed", "Cerai mati"),
];

pub const CONSENT: &[Choice] = &[
    choice("NotAsked", "Belum ditanya"),
    choice("Given", "Setuju"),
    choice("Refused", "Menolak"),
];

impl Described for Person {
    const NAME: Text = Text::new("orang");
    const SPEC: &'static [FieldSpec] = &[
        required(field("full_name", "Nama lengkap", FieldKind::Text)),
        field_in("NIK (ID number)", "nik", "NIK", FieldKind::Digits),
        field_in("Family card no.", "no_kk", "No. KK", FieldKind::Digits),
        field("relation", "Hubungan dalam KK", FieldKind::Choice(RELATION)),
        field("sex", "Jenis kelamin", FieldKind::Choice(SEX)),
        field("birth_place", "Tempat lahir", FieldKind::Text),
        field("birth_date", "Tanggal lahir", FieldKind::Date),
        field("dusun", "Dusun", FieldKind::Text),
        field("rt", "RT", FieldKind::Digits),
        field("rw", "RW", FieldKind::Digits),
        field("address", "Alamat", FieldKind::Text),
        field("phone", "No. HP", FieldKind::Phone),
        field("education", "Pendidikan", FieldKind::Choice(EDUCATION)),
        field(
            "marital_status",
            "Status kawin",
            FieldKind::Choice(MARITAL_STATUS),
        ),
        field("consent", "Persetujuan didata", FieldKind::Choice(CONSENT)),
        field("consent_date", "Tanggal persetujuan", FieldKind::Date),
        field_in("Notes", "notes", "Catatan", FieldKind::LongText),
    ];
}

/// How a dusun is stored: spaces tidied, the word "Dusun" (or "Dsn.") before the name left out,
/// and, when typed all in small or all in capital letters, each word capitalised ("dusun krajan
/// lor", "DSN. KRAJAN LOR" → "Krajan Lor"), so one hamlet is one name in lists and figures.
pub fn canonical_dusun(typed: &str) -> String {
    let mut words: Vec<&str> = typed.split_whitespace().collect();
    if words.len() > 1 && ["dusun", "dsn", "dsn."].contains(&words[0].to_lowercase().as_str()) {
        words.remove(0);
    }
    crate::countries::tidy_case(&words.join(" "), true)
}

impl Validate for Person {
    /// One spelling per dusun ([`canonical_dusun`]).
    fn normalise(&mut self) {
        if let Some(d) = &self.dusun {
            self.dusun = Some(canonical_dusun(d)).filter(|d| !d.is_empty());
        }
    }

    fn validate(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        if self.full_name.trim().is_empty() {
            out.push(Issue::error("full_name", IssueKind::Required));
        }
        text(&mut out, "full_name", Some(&self.full_name));
        for (f, v) in [
            ("birth_place", &self.birth_place),
            ("dusun", &self.dusun),
            ("address", &self.address),
        ] {
            text(&mut out, f, v.as_deref());
        }
        if let Some(nik) = &self.nik {
            out.extend(check_nik(nik, self.birth_date, self.sex));
        }
        if let Some(kk) = &self.no_kk {
            out.extend(check_no_kk(kk));
        }
        if let Some(phone) = &self.phone
            && normalize_phone(phone).is_none()
        {
            out.push(Issue::error("phone", IssueKind::Phone));
        }
        for (f, v) in [("rt", &self.rt), ("rw", &self.rw)] {
            if let Some(v) = v
                && !(digits_only(v) && v.len() <= 3)
            {
                out.push(Issue::error(f, IssueKind::RtRw));
            }
        }
        if self.consent == Consent::Given && self.consent_date.is_none() {
            out.push(Issue::warning("consent_date", IssueKind::ConsentDateMissing));
        }
        if self.notes.as_deref().is_some_and(|n| n.chars().count() > 4000) {
            out.push(Issue::error("notes", IssueKind::TooLong { max: 4000 }));
        }
        out
    }

    fn validate_on(&self, today: Date) -> Vec<Issue> {
        [
            ("birth_date", self.birth_date),
            ("consent_date", self.consent_date),
        ]
        .into_iter()
        .filter(|(_, d)| d.is_some_and(|d| d > today))
        .map(|(f, _)| Issue::error(f, IssueKind::InFuture))
        .collect()
    }
}

#[cfg(test)]
mod dusun_tests {
    use super::canonical_dusun;

    #[test]
    fn a_dusun_is_one_name_however_it_is_typed() {
        for typed in [
            "krajan lor",
            "Dusun Krajan Lor",
            "DSN. KRAJAN LOR",
            " dsn  krajan   lor ",
            "Krajan Lor",
        ] {
            assert_eq!(canonical_dusun(typed), "Krajan Lor", "{typed}");
        }
        // A name that is only the word stays; mixed case is kept as written.
        assert_eq!(canonical_dusun("dusun"), "Dusun");
        assert_eq!(canonical_dusun("Sumber  DeLima"), "Sumber DeLima");
        assert_eq!(canonical_dusun("  "), "");
    }
}
