//! Pillar 1, the migration information service: a consultation at the village's service desk.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, choice_in, field, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared, not_after};

/// What a consultation was about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum ConsultationTopic {
    Procedure,
    Country,
    AgencyCheck,
    Contract,
    Remittance,
    Return,
    Other,
}

record! {
    /// A person (recorded, or a visitor not yet recorded) asked the village's migration
    /// information service something.
    pub struct Consultation in Collection::Consultations {
        pub id: RecordId,
        pub date: Date,
        /// The person who asked, when they are recorded in the village.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub person: Option<RecordId>,
        /// The visitor's name, when they are not (yet) recorded.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub visitor_name: Option<String>,
        pub topic: ConsultationTopic,
        /// The placement agency (P3MI) asked about.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub agency: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub outcome: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub follow_up: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Consultation {
    pub fn new(id: RecordId, date: Date, topic: ConsultationTopic) -> Self {
        Self {
            id,
            date,
            person: None,
            visitor_name: None,
            topic,
            agency: None,
            outcome: None,
            follow_up: None,
            deleted: false,
        }
    }
}

pub const CONSULTATION_TOPIC: &[Choice] = &[
    choice("Procedure", "Prosedur & dokumen"),
    choice_in("Destination country", "Country", "Negara tujuan"),
    choice("AgencyCheck", "Cek perusahaan (P3MI)"),
    choice("Contract", "Perjanjian kerja"),
    choice("Remittance", "Pengiriman uang"),
    choice("Return", "Kepulangan"),
    choice("Other", "Lainnya"),
];

impl Described for Consultation {
    const NAME: Text = Text::new("konsultasi");
    const SPEC: &'static [FieldSpec] = &[
        required(field("date", "Tanggal", FieldKind::Date)),
        field("visitor_name", "Nama pengunjung (belum terdata)", FieldKind::Text),
        required(field("topic", "Topik", FieldKind::Choice(CONSULTATION_TOPIC))),
        field("agency", "P3MI yang ditanyakan", FieldKind::Text),
        field("outcome", "Hasil", FieldKind::LongText),
        field("follow_up", "Tindak lanjut tanggal", FieldKind::Date),
    ];
}

impl Validate for Consultation {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.person.is_none() && self.visitor_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            out.push(Issue::error("visitor_name", IssueKind::PersonOrName));
        }
        if self.follow_up.is_some_and(|f| f < self.date) {
            out.push(Issue::error("follow_up", IssueKind::BeforeDate));
        }
        out
    }

    fn validate_on(&self, today: Date) -> Vec<Issue> {
        not_after(today, "date", self.date)
    }
}
