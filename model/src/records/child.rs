//! Pillar 3: a child of a migrant worker, followed for schooling, papers and care.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, field, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, Validate, check_declared};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum ParentAbroad {
    Father,
    Mother,
    Both,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum CaregiverRelation {
    Parent,
    Grandparent,
    AuntUncle,
    Sibling,
    Other,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum SchoolLevel {
    Preschool,
    Primary,
    JuniorHigh,
    SeniorHigh,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum SchoolStatus {
    Attending,
    DroppedOut,
    NotYet,
}

record! {
    /// A child of a migrant worker (anak PMI): the child is a person of the household.
    pub struct Child in Collection::Children {
        pub id: RecordId,
        pub child: RecordId,
        pub parent_abroad: ParentAbroad,
        /// Who looks after the child, a person of the village.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub caregiver: Option<RecordId>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub caregiver_relation: Option<CaregiverRelation>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub school_level: Option<SchoolLevel>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub school_name: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub school_status: Option<SchoolStatus>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub birth_certificate: bool,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub dropout_risk: bool,
        /// The family has lost contact with the parent abroad.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub lost_contact: bool,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

/// A reason to look after a child more closely.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChildRisk {
    DroppedOut,
    DropoutRisk,
    NoBirthCertificate,
    ElderlyCaregiver,
    LostContact,
}

impl ChildRisk {
    pub fn label(self) -> Text {
        match self {
            ChildRisk::DroppedOut => Text::new("putus sekolah"),
            ChildRisk::DropoutRisk => Text::new("rawan putus sekolah"),
            ChildRisk::NoBirthCertificate => Text::new("belum punya akta lahir"),
            ChildRisk::ElderlyCaregiver => Text::new("pengasuh lanjut usia"),
            ChildRisk::LostContact => Text::new("hilang kontak dengan orang tua"),
        }
    }
}

/// A caregiver this old or older counts as elderly.
pub const ELDERLY_AGE: u16 = 60;

impl Child {
    pub fn new(id: RecordId, child: RecordId, parent_abroad: ParentAbroad) -> Self {
        Self {
            id,
            child,
            parent_abroad,
            caregiver: None,
            caregiver_relation: None,
            school_level: None,
            school_name: None,
            school_status: None,
            birth_certificate: false,
            dropout_risk: false,
            lost_contact: false,
            deleted: false,
        }
    }

    /// The child's risks; `caregiver_born` is the caregiver's birth date when known.
    pub fn risks(&self, caregiver_born: Option<Date>, today: Date) -> Vec<ChildRisk> {
        let mut out = Vec::new();
        if self.school_status == Some(SchoolStatus::DroppedOut) {
            out.push(ChildRisk::DroppedOut);
        }
        if self.dropout_risk {
            out.push(ChildRisk::DropoutRisk);
        }
        if !self.birth_certificate {
            out.push(ChildRisk::NoBirthCertificate);
        }
        if caregiver_born.is_some_and(|b| age_on(b, today) >= ELDERLY_AGE) {
            out.push(ChildRisk::ElderlyCaregiver);
        }
        if self.lost_contact {
            out.push(ChildRisk::LostContact);
        }
        out
    }
}

/// Whole years from `born` to `today`.
pub fn age_on(born: Date, today: Date) -> u16 {
    let had_birthday = (today.month(), today.day()) >= (born.month(), born.day());
    today.year().saturating_sub(born.year()) - u16::from(!had_birthday && today.year() > born.year())
}

pub const PARENT_ABROAD: &[Choice] = &[
    choice("Father", "Ayah"),
    choice("Mother", "Ibu"),
    choice("Both", "Ayah dan ibu"),
];

pub const CAREGIVER_RELATION: &[Choice] = &[
    choice("Parent", "Orang tua"),
    choice("Grandparent", "Kakek/nenek"),
    choice("AuntUncle", "Paman/bibi"),
    choice("Sibling", "Kakak"),
    choice("Other", "Lainnya"),
];

pub const SCHOOL_LEVEL: &[Choice] = &[
    choice("Preschool", "PAUD/TK"),
    choice("Primary", "SD"),
    choice("JuniorHigh", "SMP"),
    choice("SeniorHigh", "SMA/SMK"),
];

pub const SCHOOL_STATUS: &[Choice] = &[
    choice("Attending", "Sekolah"),
    choice("DroppedOut", "Putus sekolah"),
    choice("NotYet", "Belum sekolah"),
];

impl Described for Child {
    const NAME: Text = Text::new("anak PMI");
    const SPEC: &'static [FieldSpec] = &[
        required(field(
            "parent_abroad",
            "Orang tua di luar negeri",
            FieldKind::Choice(PARENT_ABROAD),
        )),
        field("caregiver", "Pengasuh", FieldKind::Person),
        field(
            "caregiver_relation",
            "Hubungan pengasuh",
            FieldKind::Choice(CAREGIVER_RELATION),
        ),
        field("school_level", "Jenjang sekolah", FieldKind::Choice(SCHOOL_LEVEL)),
        field("school_name", "Nama sekolah", FieldKind::Text),
        field(
            "school_status",
            "Status sekolah",
            FieldKind::Choice(SCHOOL_STATUS),
        ),
        field("birth_certificate", "Punya akta kelahiran", FieldKind::Flag),
        field("dropout_risk", "Rawan putus sekolah", FieldKind::Flag),
        field("lost_contact", "Hilang kontak dengan orang tua", FieldKind::Flag),
    ];
}

impl Validate for Child {
    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
}
