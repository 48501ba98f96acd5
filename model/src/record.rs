//! The records a village document holds, and the machinery that writes them field by field.

use automerge::ObjId;
use autosurgeon::{Doc, Hydrate, Reconcile, ReconcileError, reconcile_prop};

use crate::date::Date;
use crate::ids::RecordId;

/// A kind of record stored in its own map at the root of a village document, keyed by id.
pub trait Record: Reconcile + Hydrate + Clone + PartialEq + std::fmt::Debug {
    /// The root map that holds records of this kind (`persons`, `episodes`).
    const COLLECTION: Collection;
    /// Every stored field, in form order.
    const FIELDS: &'static [&'static str];

    fn id(&self) -> &RecordId;
    fn is_deleted(&self) -> bool;
    /// The fields whose values differ between `self` and `base`.
    fn changed_fields(&self, base: &Self) -> Vec<&'static str>;
    /// Writes one field of `self` into the record's map `obj`; writes nothing if the document
    /// already holds that value.
    fn reconcile_field<D: Doc>(&self, doc: &mut D, obj: &ObjId, field: &str) -> Result<(), ReconcileError>;
}

/// The root maps of a village document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Persons,
    Episodes,
}

impl Collection {
    pub const ALL: [Collection; 2] = [Collection::Persons, Collection::Episodes];
    pub fn key(self) -> &'static str {
        match self {
            Collection::Persons => "persons",
            Collection::Episodes => "episodes",
        }
    }
}

/// Declares a record struct together with its field list and its field-by-field writer, so the
/// three can never disagree.
macro_rules! record {
    (
        $(#[$attr:meta])*
        pub struct $name:ident in $coll:path {
            $( $(#[$fattr:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Debug, PartialEq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( $(#[$fattr])* pub $field: $ty, )*
        }

        impl Record for $name {
            const COLLECTION: Collection = $coll;
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn id(&self) -> &RecordId {
                &self.id
            }
            fn is_deleted(&self) -> bool {
                self.deleted
            }
            fn changed_fields(&self, base: &Self) -> Vec<&'static str> {
                let mut changed = Vec::new();
                $( if self.$field != base.$field { changed.push(stringify!($field)); } )*
                changed
            }
            fn reconcile_field<D: Doc>(&self, doc: &mut D, obj: &ObjId, field: &str) -> Result<(), ReconcileError> {
                match field {
                    $( stringify!($field) => reconcile_prop(doc, obj, stringify!($field), &self.$field), )*
                    _ => Ok(()),
                }
            }
        }
    };
}

/// Sex as recorded on the KTP (identity card).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
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

/// Whether a departure went through the official procedure (a licensed P3MI, a placement decree).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum Procedural {
    Yes,
    No,
    Unknown,
}

/// Where a migration episode stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum EpisodeState {
    Planned,
    Abroad,
    Returned,
    Missing,
    Deceased,
}

fn consent_not_asked() -> Consent {
    Consent::NotAsked
}

fn procedural_unknown() -> Procedural {
    Procedural::Unknown
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
    }
}

record! {
    /// One stay abroad (or a planned one) of a person: a person who leaves, returns and leaves
    /// again has several.
    pub struct MigrationEpisode in Collection::Episodes {
        pub id: RecordId,
        pub person: RecordId,
        pub destination_country: String,
        #[autosurgeon(missing = "Default::default")]
        pub sector: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub occupation: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub employer: Option<String>,
        /// The placement agency (P3MI).
        #[autosurgeon(missing = "Default::default")]
        pub agency: Option<String>,
        #[autosurgeon(missing = "procedural_unknown")]
        #[serde(default = "procedural_unknown")]
        pub procedural: Procedural,
        #[autosurgeon(missing = "Default::default")]
        pub departure_date: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub contract_end: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub return_date: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub passport_number: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub placement_decree_number: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub insurance: Option<String>,
        pub state: EpisodeState,
        #[autosurgeon(missing = "Default::default")]
        pub return_reason: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
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
        }
    }
}

impl MigrationEpisode {
    /// A new episode with the required fields; every other field empty.
    pub fn new(
        id: RecordId,
        person: RecordId,
        destination_country: impl Into<String>,
        state: EpisodeState,
    ) -> Self {
        Self {
            id,
            person,
            destination_country: destination_country.into(),
            sector: None,
            occupation: None,
            employer: None,
            agency: None,
            procedural: Procedural::Unknown,
            departure_date: None,
            contract_end: None,
            return_date: None,
            passport_number: None,
            placement_decree_number: None,
            insurance: None,
            state,
            return_reason: None,
            deleted: false,
        }
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
