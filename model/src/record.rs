//! What every record type of a village document is, and the machinery that writes them field
//! by field. The record types themselves live in [`crate::records`], one file each.

use automerge::ObjId;
use autosurgeon::{Doc, Hydrate, Reconcile, ReconcileError};

use crate::ids::RecordId;

/// A kind of record stored in its own map at the root of a village document, keyed by id.
pub trait Record:
    Reconcile + Hydrate + Clone + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned
{
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

/// The root maps of the documents: a village's records and a district's reference data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Persons,
    Episodes,
    Consultations,
    Cases,
    CaseEntries,
    Sessions,
    Trainings,
    Participations,
    Businesses,
    Children,
    Parenting,
    Memberships,
    Ledger,
    /// Pairs the duplicates screen found to be two people.
    Distinct,
    // The district document's reference data.
    Agencies,
    Countries,
    JobOrders,
    Announcements,
    Schedule,
}

impl Collection {
    /// Every record type, of both kinds of document.
    pub const ALL: [Collection; 19] = [
        Collection::Persons,
        Collection::Episodes,
        Collection::Consultations,
        Collection::Cases,
        Collection::CaseEntries,
        Collection::Sessions,
        Collection::Trainings,
        Collection::Participations,
        Collection::Businesses,
        Collection::Children,
        Collection::Parenting,
        Collection::Memberships,
        Collection::Ledger,
        Collection::Distinct,
        Collection::Agencies,
        Collection::Countries,
        Collection::JobOrders,
        Collection::Announcements,
        Collection::Schedule,
    ];
    /// The root maps of a village document.
    pub const VILLAGE: [Collection; 14] = [
        Collection::Persons,
        Collection::Episodes,
        Collection::Consultations,
        Collection::Cases,
        Collection::CaseEntries,
        Collection::Sessions,
        Collection::Trainings,
        Collection::Participations,
        Collection::Businesses,
        Collection::Children,
        Collection::Parenting,
        Collection::Memberships,
        Collection::Ledger,
        Collection::Distinct,
    ];
    /// The root maps of a district document (see [`crate::DistrictDoc`]).
    pub const DISTRICT: [Collection; 5] = [
        Collection::Agencies,
        Collection::Countries,
        Collection::JobOrders,
        Collection::Announcements,
        Collection::Schedule,
    ];
    /// The collections every village document has from its genesis change.
    pub const GENESIS: [Collection; 2] = [Collection::Persons, Collection::Episodes];
    /// The collections of the four pillars, added to a document by one deterministic change
    /// when it first needs them (see [`crate::VillageDoc`]).
    pub const PILLARS: [Collection; 11] = [
        Collection::Consultations,
        Collection::Cases,
        Collection::CaseEntries,
        Collection::Sessions,
        Collection::Trainings,
        Collection::Participations,
        Collection::Businesses,
        Collection::Children,
        Collection::Parenting,
        Collection::Memberships,
        Collection::Ledger,
    ];
    /// The duplicates screen's decisions, added like the pillars' maps by a change of their own
    /// (the pillars' change cannot grow: devices that made it already would disagree).
    pub const DECISIONS: [Collection; 1] = [Collection::Distinct];
    /// The collections a village document gets when it first needs them, each group by one
    /// change every device builds identically: the group's name and its collections.
    pub const LAZY: [(&'static str, &'static [Collection]); 2] = [
        ("pillars", &Collection::PILLARS),
        ("decisions", &Collection::DECISIONS),
    ];

    pub fn key(self) -> &'static str {
        match self {
            Collection::Persons => "persons",
            Collection::Episodes => "episodes",
            Collection::Consultations => "consultations",
            Collection::Cases => "cases",
            Collection::CaseEntries => "case_entries",
            Collection::Sessions => "sessions",
            Collection::Trainings => "trainings",
            Collection::Participations => "participations",
            Collection::Businesses => "businesses",
            Collection::Children => "children",
            Collection::Parenting => "parenting",
            Collection::Memberships => "memberships",
            Collection::Ledger => "ledger",
            Collection::Distinct => "distinct_persons",
            Collection::Agencies => "agencies",
            Collection::Countries => "countries",
            Collection::JobOrders => "job_orders",
            Collection::Announcements => "announcements",
            Collection::Schedule => "training_schedule",
        }
    }

    /// The declaration of a field of this collection's records.
    pub fn spec(self, key: &str) -> Option<&'static crate::fields::FieldSpec> {
        self.declared().iter().find(|f| f.key == key)
    }

    /// The stored field computed from `source` whenever a record of this collection is
    /// written ([`DERIVED_FIELDS`]).
    pub fn derived_from(self, source: &str) -> Option<&'static Derived> {
        DERIVED_FIELDS
            .iter()
            .find(|d| d.collection == self && d.source == source)
    }

    /// Whether `field` is computed from another field of the record ([`DERIVED_FIELDS`]).
    pub fn is_derived(self, field: &str) -> bool {
        DERIVED_FIELDS
            .iter()
            .any(|d| d.collection == self && d.field == field)
    }

    /// The declared fields of this collection's records, in form order.
    pub fn declared(self) -> &'static [crate::fields::FieldSpec] {
        use crate::district::*;
        use crate::fields::Described;
        use crate::records::*;
        match self {
            Collection::Persons => Person::SPEC,
            Collection::Episodes => MigrationEpisode::SPEC,
            Collection::Consultations => Consultation::SPEC,
            Collection::Cases => Case::SPEC,
            Collection::CaseEntries => CaseEntry::SPEC,
            Collection::Sessions => Session::SPEC,
            Collection::Trainings => Training::SPEC,
            Collection::Participations => Participation::SPEC,
            Collection::Businesses => Business::SPEC,
            Collection::Children => Child::SPEC,
            Collection::Parenting => Parenting::SPEC,
            Collection::Memberships => Membership::SPEC,
            Collection::Ledger => LedgerEntry::SPEC,
            Collection::Distinct => DistinctPersons::SPEC,
            Collection::Agencies => Agency::SPEC,
            Collection::Countries => CountryNote::SPEC,
            Collection::JobOrders => JobOrder::SPEC,
            Collection::Announcements => Announcement::SPEC,
            Collection::Schedule => ScheduledTraining::SPEC,
        }
    }

    /// What a record of this collection is called.
    pub fn name(self) -> crate::fields::Text {
        use crate::district::*;
        use crate::fields::Described;
        use crate::records::*;
        match self {
            Collection::Persons => Person::NAME,
            Collection::Episodes => MigrationEpisode::NAME,
            Collection::Consultations => Consultation::NAME,
            Collection::Cases => Case::NAME,
            Collection::CaseEntries => CaseEntry::NAME,
            Collection::Sessions => Session::NAME,
            Collection::Trainings => Training::NAME,
            Collection::Participations => Participation::NAME,
            Collection::Businesses => Business::NAME,
            Collection::Children => Child::NAME,
            Collection::Parenting => Parenting::NAME,
            Collection::Memberships => Membership::NAME,
            Collection::Ledger => LedgerEntry::NAME,
            Collection::Distinct => DistinctPersons::NAME,
            Collection::Agencies => Agency::NAME,
            Collection::Countries => CountryNote::NAME,
            Collection::JobOrders => JobOrder::NAME,
            Collection::Announcements => Announcement::NAME,
            Collection::Schedule => ScheduledTraining::NAME,
        }
    }

    /// The stored fields of this collection's records.
    pub fn fields(self) -> &'static [&'static str] {
        use crate::district::*;
        use crate::records::*;
        match self {
            Collection::Persons => Person::FIELDS,
            Collection::Episodes => MigrationEpisode::FIELDS,
            Collection::Consultations => Consultation::FIELDS,
            Collection::Cases => Case::FIELDS,
            Collection::CaseEntries => CaseEntry::FIELDS,
            Collection::Sessions => Session::FIELDS,
            Collection::Trainings => Training::FIELDS,
            Collection::Participations => Participation::FIELDS,
            Collection::Businesses => Business::FIELDS,
            Collection::Children => Child::FIELDS,
            Collection::Parenting => Parenting::FIELDS,
            Collection::Memberships => Membership::FIELDS,
            Collection::Ledger => LedgerEntry::FIELDS,
            Collection::Distinct => DistinctPersons::FIELDS,
            Collection::Agencies => Agency::FIELDS,
            Collection::Countries => CountryNote::FIELDS,
            Collection::JobOrders => JobOrder::FIELDS,
            Collection::Announcements => Announcement::FIELDS,
            Collection::Schedule => ScheduledTraining::FIELDS,
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
        #[derive(Clone, Debug, PartialEq, ::autosurgeon::Reconcile, ::autosurgeon::Hydrate, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( $(#[$fattr])* pub $field: $ty, )*
        }

        impl $crate::record::Record for $name {
            const COLLECTION: $crate::record::Collection = $coll;
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn id(&self) -> &$crate::ids::RecordId {
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
            fn reconcile_field<D: ::autosurgeon::Doc>(&self, doc: &mut D, obj: &::automerge::ObjId, field: &str) -> Result<(), ::autosurgeon::ReconcileError> {
                match field {
                    $( stringify!($field) => ::autosurgeon::reconcile_prop(doc, obj, stringify!($field), &self.$field), )*
                    _ => Ok(()),
                }
            }
        }
    };
}

pub use crate::records::*;
pub(crate) use record;

/// A stored field computed from another field of the same record each time it is written.
#[derive(Clone, Copy, Debug)]
pub struct Derived {
    pub collection: Collection,
    pub source: &'static str,
    pub field: &'static str,
    /// The derived value for a source value (`None`: stored empty).
    pub derive: fn(&str) -> Option<String>,
}

/// The derived fields: a country's ISO 3166-1 code from its name
/// ([`crate::countries::country_code`]). Forms never show them, history shows them with their
/// source, and they are never a conflict of their own: settling the source's conflict
/// rewrites them ([`crate::VillageDoc::resolve_in`]).
pub const DERIVED_FIELDS: &[Derived] = &[
    country_code(
        Collection::Episodes,
        "destination_country",
        "destination_country_code",
    ),
    country_code(Collection::Cases, "country", "country_code"),
    country_code(Collection::JobOrders, "country", "country_code"),
    country_code(Collection::Countries, "country", "country_code"),
];

const fn country_code(collection: Collection, source: &'static str, field: &'static str) -> Derived {
    Derived {
        collection,
        source,
        field,
        derive: crate::countries::country_code,
    }
}
