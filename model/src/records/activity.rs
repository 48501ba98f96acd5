//! Group activities and who took part: pillar 1's safe-migration sessions (sosialisasi),
//! pillar 3's parenting activities, and the participation records that tie persons to them and
//! to trainings. Every participation is its own record, so two officers who add attendees
//! offline both keep theirs.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, field, field_in, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared, not_after};

record! {
    /// A safe-migration information session held in the village.
    pub struct Session in Collection::Sessions {
        pub id: RecordId,
        pub date: Date,
        pub place: String,
        pub topic: String,
        /// The speaker or partner (Disnaker, BP3MI, an NGO).
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub speaker: Option<String>,
        /// People who attended without a record in the village.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub unregistered: Option<i64>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

/// What kind of community parenting activity.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum ParentingKind {
    ParentingClass,
    LearningHouse,
    Other,
}

record! {
    /// A community parenting activity or a session of the learning house (rumah belajar).
    pub struct Parenting in Collection::Parenting {
        pub id: RecordId,
        pub date: Date,
        pub kind: ParentingKind,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub facilitator: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub notes: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

record! {
    /// A person taking part in an activity (a session, a training, a parenting activity).
    pub struct Participation in Collection::Participations {
        pub id: RecordId,
        pub activity: RecordId,
        pub person: RecordId,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub attended: bool,
        /// Completed the training (trainings only).
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub completed: bool,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Session {
    pub fn new(id: RecordId, date: Date, place: impl Into<String>, topic: impl Into<String>) -> Self {
        Self {
            id,
            date,
            place: place.into(),
            topic: topic.into(),
            speaker: None,
            unregistered: None,
            deleted: false,
        }
    }
}

impl Parenting {
    pub fn new(id: RecordId, date: Date, kind: ParentingKind) -> Self {
        Self {
            id,
            date,
            kind,
            facilitator: None,
            notes: None,
            deleted: false,
        }
    }
}

impl Participation {
    pub fn new(id: RecordId, activity: RecordId, person: RecordId) -> Self {
        Self {
            id,
            activity,
            person,
            attended: true,
            completed: false,
            deleted: false,
        }
    }
}

pub const PARENTING_KIND: &[Choice] = &[
    choice("ParentingClass", "Kelas parenting"),
    choice("LearningHouse", "Rumah belajar"),
    choice("Other", "Lainnya"),
];

impl Described for Session {
    const NAME: Text = Text::new("sosialisasi");
    const SPEC: &'static [FieldSpec] = &[
        required(field("date", "Tanggal", FieldKind::Date)),
        required(field("topic", "Topik", FieldKind::Text)),
        required(field("place", "Tempat", FieldKind::Text)),
        field("speaker", "Narasumber/mitra", FieldKind::Text),
        field(
            "unregistered",
            "Peserta belum terdata (jumlah)",
            FieldKind::Number,
        ),
    ];
}

impl Described for Parenting {
    const NAME: Text = Text::new("kegiatan parenting");
    const SPEC: &'static [FieldSpec] = &[
        required(field("date", "Tanggal", FieldKind::Date)),
        required(field("kind", "Jenis kegiatan", FieldKind::Choice(PARENTING_KIND))),
        field("facilitator", "Fasilitator", FieldKind::Text),
        field_in("Notes", "notes", "Catatan", FieldKind::LongText),
    ];
}

impl Described for Participation {
    const NAME: Text = Text::ctx("participant", "peserta");
    const SPEC: &'static [FieldSpec] = &[
        field("attended", "Hadir", FieldKind::Flag),
        field("completed", "Lulus/selesai", FieldKind::Flag),
    ];
}

impl Validate for Session {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.unregistered.is_some_and(|n| !(0..=10_000).contains(&n)) {
            out.push(Issue::error(
                "unregistered",
                IssueKind::OutOfRange { min: 0, max: 10_000 },
            ));
        }
        out
    }
    fn validate_on(&self, today: Date) -> Vec<Issue> {
        not_after(today, "date", self.date)
    }
}

impl Validate for Parenting {
    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
    fn validate_on(&self, today: Date) -> Vec<Issue> {
        not_after(today, "date", self.date)
    }
}

impl Validate for Participation {
    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
}
