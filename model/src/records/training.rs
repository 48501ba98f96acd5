//! Pillar 2: trainings for migrant workers, returnees and their families. Who took part is a
//! [`crate::Participation`] per person.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, field, field_in, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum TrainingKind {
    Skills,
    FinancialLiteracy,
    BusinessManagement,
    DigitalMarketing,
    Other,
}

record! {
    /// A training (pelatihan).
    pub struct Training in Collection::Trainings {
        pub id: RecordId,
        pub title: String,
        pub kind: TrainingKind,
        /// Who runs it (BNI, Disnaker, BLK…).
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub organiser: Option<String>,
        pub start: Date,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub end: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Training {
    pub fn new(id: RecordId, title: impl Into<String>, kind: TrainingKind, start: Date) -> Self {
        Self {
            id,
            title: title.into(),
            kind,
            organiser: None,
            start,
            end: None,
            deleted: false,
        }
    }
}

pub const TRAINING_KIND: &[Choice] = &[
    choice("Skills", "Keterampilan"),
    choice("FinancialLiteracy", "Literasi keuangan"),
    choice("BusinessManagement", "Manajemen usaha"),
    choice("DigitalMarketing", "Pemasaran digital"),
    choice("Other", "Lainnya"),
];

impl Described for Training {
    const NAME: Text = Text::new("pelatihan");
    const SPEC: &'static [FieldSpec] = &[
        required(field("title", "Judul", FieldKind::Text)),
        required(field("kind", "Jenis", FieldKind::Choice(TRAINING_KIND))),
        field("organiser", "Penyelenggara", FieldKind::Text),
        required(field("start", "Mulai", FieldKind::Date)),
        field_in("Ends", "end", "Selesai", FieldKind::Date),
    ];
}

impl Validate for Training {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.end.is_some_and(|e| e < self.start) {
            out.push(Issue::error("end", IssueKind::BeforeDate));
        }
        out
    }
}
