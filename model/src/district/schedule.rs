//! The district's training schedule: trainings villages can send people to.

use crate::date::Date;
use crate::fields::{Described, FieldKind, FieldSpec, Text, field, field_in, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::records::{TRAINING_KIND, TrainingKind};
use crate::validate::{Issue, IssueKind, Validate, check_declared};

record! {
    /// A training the district (or a partner) runs, announced to every village.
    pub struct ScheduledTraining in Collection::Schedule {
        pub id: RecordId,
        pub title: String,
        pub kind: TrainingKind,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub organiser: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub place: Option<String>,
        pub start: Date,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub end: Option<Date>,
        /// Places for participants.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub places: Option<i64>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl ScheduledTraining {
    pub fn new(id: RecordId, title: impl Into<String>, kind: TrainingKind, start: Date) -> Self {
        Self {
            id,
            title: title.into(),
            kind,
            organiser: None,
            place: None,
            start,
            end: None,
            places: None,
            deleted: false,
        }
    }

    /// Not over yet on `day`.
    pub fn upcoming_on(&self, day: Date) -> bool {
        self.end.unwrap_or(self.start) >= day
    }
}

impl Described for ScheduledTraining {
    const NAME: Text = Text::new("jadwal pelatihan");
    const SPEC: &'static [FieldSpec] = &[
        required(field("title", "Judul", FieldKind::Text)),
        required(field("kind", "Jenis", FieldKind::Choice(TRAINING_KIND))),
        field("organiser", "Penyelenggara", FieldKind::Text),
        field("place", "Tempat", FieldKind::Text),
        required(field("start", "Mulai", FieldKind::Date)),
        field_in("Ends", "end", "Selesai", FieldKind::Date),
        field("places", "Kuota peserta", FieldKind::Number),
    ];
}

impl Validate for ScheduledTraining {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.end.is_some_and(|e| e < self.start) {
            out.push(Issue::error("end", IssueKind::BeforeDate));
        }
        if self.places.is_some_and(|n| !(1..=10_000).contains(&n)) {
            out.push(Issue::error(
                "places",
                IssueKind::OutOfRange { min: 1, max: 10_000 },
            ));
        }
        out
    }
}
