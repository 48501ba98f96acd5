//! Pillar 1: a case or complaint about a migrant worker, and its log.
//!
//! A case's status is never a field: it follows from the case's log, where every step
//! (referred, in progress, closed) and every follow-up note is its own [`CaseEntry`] record.
//! Two officers who add a note or take a step offline therefore both keep theirs: their
//! entries are two records, not two values of one field.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{
    Choice, Described, FieldKind, FieldSpec, Text, choice, choice_in, field, field_in, required,
};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared, not_after};

/// What happened to the migrant worker.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum CaseKind {
    UnpaidWages,
    Violence,
    LostContact,
    Trafficking,
    Deportation,
    Illness,
    Death,
    Documents,
    ContractViolation,
    Other,
}

impl CaseKind {
    /// Kinds whose cases are confidential whatever the form says.
    pub fn always_confidential(self) -> bool {
        matches!(self, CaseKind::Trafficking | CaseKind::Violence)
    }
}

/// A step in a case's log.
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
pub enum CaseStep {
    /// A follow-up note; the status stays.
    Note,
    Referred,
    InProgress,
    Closed,
}

/// Where a case stands, from its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum CaseStatus {
    Reported,
    Referred,
    InProgress,
    Closed,
}

impl CaseStatus {
    pub fn label(self) -> Text {
        match self {
            CaseStatus::Reported => Text::new("Dilaporkan"),
            CaseStatus::Referred => Text::new("Dirujuk"),
            CaseStatus::InProgress => Text::new("Sedang ditangani"),
            CaseStatus::Closed => Text::ctx("Closed", "Selesai"),
        }
    }
}

/// Where a case was referred.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum Referral {
    Disnaker,
    Bp3mi,
    Police,
    Embassy,
    Ngo,
    Other,
}

/// How a closed case ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum CaseOutcome {
    Resolved,
    NotResolved,
}

record! {
    /// A complaint or case concerning a migrant worker (pengaduan, kasus).
    pub struct Case in Collection::Cases {
        pub id: RecordId,
        /// The person concerned, when recorded in the village.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub person: Option<RecordId>,
        /// The person concerned, when not (yet) recorded.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub person_name: Option<String>,
        /// Who reported it (a relative, the worker, a neighbour).
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub reported_by: Option<String>,
        pub reported_on: Date,
        pub kind: CaseKind,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub country: Option<String>,
        /// The country's ISO 3166-1 alpha-2 code, set from its name when the list knows it.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub country_code: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub agency: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub description: Option<String>,
        /// Only the officer who recorded it and the district see the person's name.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub confidential: bool,
        /// The account that recorded the case (never edited).
        pub created_by: String,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

record! {
    /// One dated entry of a case's log: a step taken or a follow-up note.
    pub struct CaseEntry in Collection::CaseEntries {
        pub id: RecordId,
        pub case: RecordId,
        pub date: Date,
        pub step: CaseStep,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub referred_to: Option<Referral>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub outcome: Option<CaseOutcome>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub note: Option<String>,
        /// The account that wrote the entry (never edited).
        pub officer: String,
        /// When it was written (seconds since 1970): orders entries of one day.
        pub at: i64,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Case {
    pub fn new(id: RecordId, reported_on: Date, kind: CaseKind, created_by: impl Into<String>) -> Self {
        Self {
            id,
            person: None,
            person_name: None,
            reported_by: None,
            reported_on,
            kind,
            country: None,
            country_code: None,
            agency: None,
            description: None,
            confidential: kind.always_confidential(),
            created_by: created_by.into(),
            deleted: false,
        }
    }

    /// Whether the person's name is kept from everyone but its recorder and the district.
    pub fn is_confidential(&self) -> bool {
        self.confidential || self.kind.always_confidential()
    }

    /// Whether `account` may see who the case is about: anyone for an ordinary case; for a
    /// confidential one, the account that recorded it and district accounts.
    pub fn shows_person_to(&self, account: &str, district: bool) -> bool {
        !self.is_confidential() || district || self.created_by == account
    }
}

impl CaseEntry {
    pub fn new(
        id: RecordId,
        case: RecordId,
        date: Date,
        step: CaseStep,
        officer: impl Into<String>,
        at: i64,
    ) -> Self {
        Self {
            id,
            case,
            date,
            step,
            referred_to: None,
            outcome: None,
            note: None,
            officer: officer.into(),
            at,
            deleted: false,
        }
    }
}

/// A case's log, oldest first, and what follows from it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseLog<'a> {
    pub entries: Vec<&'a CaseEntry>,
}

impl<'a> CaseLog<'a> {
    /// The live entries of one case, oldest first (by date, then time written, then id).
    pub fn of(case: &RecordId, entries: impl IntoIterator<Item = &'a CaseEntry>) -> Self {
        let mut entries: Vec<&CaseEntry> = entries
            .into_iter()
            .filter(|e| &e.case == case && !e.deleted)
            .collect();
        entries.sort_by(|a, b| (a.date, a.at, &a.id).cmp(&(b.date, b.at, &b.id)));
        Self { entries }
    }

    /// The status set by the latest step (notes leave it); reported when no step was taken.
    pub fn status(&self) -> CaseStatus {
        self.entries
            .iter()
            .rev()
            .find_map(|e| match e.step {
                CaseStep::Note => None,
                CaseStep::Referred => Some(CaseStatus::Referred),
                CaseStep::InProgress => Some(CaseStatus::InProgress),
                CaseStep::Closed => Some(CaseStatus::Closed),
            })
            .unwrap_or(CaseStatus::Reported)
    }

    /// The time to stamp on an entry written now, after this log was read: the clock's time,
    /// but always after every entry already in the log, so an entry written on a phone whose
    /// clock is behind (or in the same second) still follows what its officer saw.
    pub fn next_at(&self, now: i64) -> i64 {
        self.entries
            .iter()
            .map(|e| e.at.saturating_add(1))
            .fold(now, i64::max)
    }

    /// The last step's entry, if any step was taken.
    pub fn last_step(&self) -> Option<&'a CaseEntry> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.step != CaseStep::Note)
            .copied()
    }

    /// The date of the latest entry, or the report's date.
    pub fn last_activity(&self, case: &Case) -> Date {
        self.entries
            .last()
            .map_or(case.reported_on, |e| e.date.max(case.reported_on))
    }

    /// An open case with nothing written for more than [`OVERDUE_DAYS`] days.
    pub fn overdue(&self, case: &Case, today: Date) -> bool {
        self.status() != CaseStatus::Closed && today.days_since(self.last_activity(case)) > OVERDUE_DAYS
    }
}

/// Days an open case may go without an entry before it is flagged.
pub const OVERDUE_DAYS: i64 = 30;

pub const CASE_KIND: &[Choice] = &[
    choice("UnpaidWages", "Gaji tidak dibayar"),
    choice("Violence", "Kekerasan/penganiayaan"),
    choice("LostContact", "Hilang kontak"),
    choice("Trafficking", "Perdagangan orang (TPPO)"),
    choice("Deportation", "Deportasi"),
    choice("Illness", "Sakit"),
    choice("Death", "Meninggal dunia"),
    choice("Documents", "Masalah dokumen"),
    choice("ContractViolation", "Pelanggaran kontrak"),
    choice("Other", "Lainnya"),
];

pub const CASE_STEP: &[Choice] = &[
    choice("Note", "Catatan tindak lanjut"),
    choice("Referred", "Dirujuk"),
    choice("InProgress", "Sedang ditangani"),
    choice_in("Closed", "Closed", "Selesai"),
];

pub const REFERRAL: &[Choice] = &[
    choice("Disnaker", "Disnaker"),
    choice("Bp3mi", "BP3MI/KP2MI"),
    choice("Police", "Kepolisian"),
    choice("Embassy", "KBRI/KJRI"),
    choice("Ngo", "LSM/pendamping"),
    choice("Other", "Lainnya"),
];

pub const CASE_OUTCOME: &[Choice] = &[
    choice("Resolved", "Terselesaikan"),
    choice("NotResolved", "Tidak terselesaikan"),
];

impl Described for Case {
    const NAME: Text = Text::new("kasus");
    const SPEC: &'static [FieldSpec] = &[
        required(field("kind", "Jenis kasus", FieldKind::Choice(CASE_KIND))),
        required(field("reported_on", "Tanggal lapor", FieldKind::Date)),
        field(
            "person_name",
            "Nama yang bersangkutan (belum terdata)",
            FieldKind::Text,
        ),
        field("reported_by", "Pelapor", FieldKind::Text),
        field("country", "Negara", FieldKind::Text),
        field_in("Agency (P3MI)", "agency", "P3MI", FieldKind::Text),
        field("description", "Uraian", FieldKind::LongText),
        field(
            "confidential",
            "Rahasia (nama hanya untuk pencatat dan kabupaten)",
            FieldKind::Flag,
        ),
    ];
}

impl Described for CaseEntry {
    const NAME: Text = Text::new("catatan kasus");
    const SPEC: &'static [FieldSpec] = &[
        required(field("step", "Langkah", FieldKind::Choice(CASE_STEP))),
        required(field("date", "Tanggal", FieldKind::Date)),
        field("referred_to", "Dirujuk ke", FieldKind::Choice(REFERRAL)),
        field("outcome", "Hasil akhir", FieldKind::Choice(CASE_OUTCOME)),
        field_in("Note", "note", "Catatan", FieldKind::LongText),
    ];
}

impl Validate for Case {
    /// One spelling per country and its ISO code ([`crate::countries`]).
    fn normalise(&mut self) {
        self.country = Some(crate::countries::canonical_country(
            self.country.as_deref().unwrap_or_default(),
        ))
        .filter(|c| !c.is_empty());
        self.country_code = self.country.as_deref().and_then(crate::countries::country_code);
    }

    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.person.is_none() && self.person_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            out.push(Issue::error("person_name", IssueKind::PersonOrName));
        }
        out
    }

    fn validate_on(&self, today: Date) -> Vec<Issue> {
        not_after(today, "reported_on", self.reported_on)
    }
}

impl Validate for CaseEntry {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        match self.step {
            CaseStep::Referred if self.referred_to.is_none() => {
                out.push(Issue::error("referred_to", IssueKind::Required));
            }
            CaseStep::Closed if self.outcome.is_none() => {
                out.push(Issue::error("outcome", IssueKind::Required));
            }
            CaseStep::Note if self.note.as_deref().is_none_or(|n| n.trim().is_empty()) => {
                out.push(Issue::error("note", IssueKind::Required));
            }
            _ => {}
        }
        out
    }

    fn validate_on(&self, today: Date) -> Vec<Issue> {
        not_after(today, "date", self.date)
    }
}
