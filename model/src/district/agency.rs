//! A placement agency (P3MI) and its licence, as the district publishes it.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, field, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, Validate, check_declared};

/// Whether an agency may place workers.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum AgencyStatus {
    Active,
    Suspended,
    Revoked,
}

record! {
    /// A licensed placement agency (Perusahaan Penempatan PMI, P3MI).
    pub struct Agency in Collection::Agencies {
        pub id: RecordId,
        pub name: String,
        /// The ministry's licence (SIP3MI) number.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub licence_number: Option<String>,
        /// The last day the licence is valid.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub licence_until: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub address: Option<String>,
        pub status: AgencyStatus,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Agency {
    pub fn new(id: RecordId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            licence_number: None,
            licence_until: None,
            address: None,
            status: AgencyStatus::Active,
            deleted: false,
        }
    }

    /// Whether the agency could place a worker on `day`: active, with a licence valid then (an
    /// agency listed without a validity date is taken at its word).
    pub fn licensed_on(&self, day: Date) -> bool {
        self.status == AgencyStatus::Active && self.licence_until.is_none_or(|until| day <= until)
    }
}

pub const AGENCY_STATUS: &[Choice] = &[
    choice("Active", "Aktif"),
    choice("Suspended", "Dibekukan"),
    choice("Revoked", "Dicabut"),
];

impl Described for Agency {
    const NAME: Text = Text::ctx("agency", "P3MI");
    const SPEC: &'static [FieldSpec] = &[
        required(field("name", "Nama perusahaan", FieldKind::Text)),
        field("licence_number", "Nomor izin (SIP3MI)", FieldKind::Text),
        field("licence_until", "Izin berlaku sampai", FieldKind::Date),
        field("address", "Alamat", FieldKind::Text),
        required(field("status", "Status", FieldKind::Choice(AGENCY_STATUS))),
    ];
}

impl Validate for Agency {
    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
}
