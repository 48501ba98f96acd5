//! The Desmigratif village record model.
//!
//! Each village's records live in one Automerge document; each district (regency) publishes one
//! reference-data document that its villages read. This crate defines those documents, the
//! records in them, their validation, and the queries the app needs. It does no I/O: callers
//! pass in the time and the author, and move the document bytes themselves.
//!
//! Two field workers edit the same person offline; after their documents merge, both edits are
//! there:
//!
//! ```
//! use desmigratif_model::{Author, Person, RecordId, VillageDoc};
//!
//! let code = "35.07.11.2008".parse().unwrap();
//! let ani = Author::new("petugas-arjowilangun", "hp-ani");
//! let budi = Author::new("petugas-arjowilangun", "hp-budi");
//!
//! let mut phone_a = VillageDoc::genesis(&code);
//! let siti = Person::new(RecordId::random(), "Siti Aminah");
//! let id = phone_a.create(siti.clone(), &ani, 1_700_000_000).unwrap();
//!
//! // Budi's phone receives the record, then both go offline.
//! let mut phone_b = VillageDoc::load(&phone_a.save()).unwrap();
//!
//! let mut edited = siti.clone();
//! edited.phone = Some("081234567890".into());
//! phone_a.update(&siti, &edited, &ani, 1_700_000_100).unwrap();
//!
//! let mut edited = siti.clone();
//! edited.dusun = Some("Krajan".into());
//! phone_b.update(&siti, &edited, &budi, 1_700_000_200).unwrap();
//!
//! // Signal returns: the documents merge and both edits survive.
//! phone_a.merge(&mut phone_b).unwrap();
//! let merged = phone_a.snapshot().person(&id).unwrap().clone();
//! assert_eq!(merged.phone.as_deref(), Some("081234567890"));
//! assert_eq!(merged.dusun.as_deref(), Some("Krajan"));
//! assert!(phone_a.conflicts::<Person>(&id).is_empty());
//! ```

pub mod author;
pub mod conflict;
pub mod countries;
pub mod date;
pub mod demo;
pub mod district;
pub mod doc;
pub mod edit;
pub mod export;
pub mod fields;
#[cfg(feature = "fuzz")]
pub mod fuzz;
pub mod grant;
pub mod history;
pub mod ids;
pub mod import;
pub mod jobs;
pub mod locale;
pub mod query;
pub mod record;
pub mod records;
pub mod validate;
pub mod wire;

pub use author::{Author, ChangeNote, EditAction, RecordEdit, device_name, named_device_id};
pub use conflict::{CompetingValue, FieldConflict};
pub use date::Date;
pub use district::{
    Agency, AgencyStatus, Announcement, CountryNote, DistrictDoc, JobOrder, Reference, ScheduledTraining,
};
pub use doc::{VillageDoc, VillageSnapshot};
pub use edit::{Edit, Edited};
pub use fields::{Described, FieldKind, FieldSpec, Text};
pub use grant::{Access, DocKind, Role};
pub use history::{FieldChange, HistoryEntry, HistoryIndex};
pub use ids::{DistrictCode, DocumentId, RecordId, VillageCode};
pub use query::{
    Category, CategoryCounts, CellKey, DashboardFilter, DuplicatePair, DuplicateSign, Figures, Month,
    MonthFlow, OutOfStep, PersonAt, PersonFilter, Pillar, PillarSummary, Pillars, Refreshed, SUPPRESS_BELOW,
    Sector, Shown, SnapshotDelta, Tally, find_duplicates, name_key, suppress,
};
pub use record::{Collection, Record};
pub use records::{
    Balance, Business, BusinessSector, BusinessStatus, CapitalSource, CaregiverRelation, Case, CaseEntry,
    CaseKind, CaseLog, CaseOutcome, CaseStatus, CaseStep, Child, ChildRisk, Consent, Consultation,
    ConsultationTopic, DistinctPersons, Education, EpisodeState, FamilyRelation, Household, LedgerEntry,
    LedgerKind, MaritalStatus, Membership, MembershipStatus, MigrationEpisode, ParentAbroad, Parenting,
    ParentingKind, Participation, Person, Procedural, Referral, RevenueBand, Scheme, SchoolLevel,
    SchoolStatus, Session, Sex, Training, TrainingKind,
};
pub use validate::{Issue, IssueKind, Lang, Severity};

/// Everything that can go wrong in the model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a valid code: {0:?}")]
    InvalidCode(String),
    #[error("not a valid document id: {0:?}")]
    InvalidDocumentId(String),
    #[error("not a valid record id: {0:?}")]
    InvalidRecordId(String),
    #[error("not a valid date: {0:?}")]
    InvalidDate(String),
    #[error("the bytes are not an Automerge document: {0}")]
    Load(#[source] Box<automerge::AutomergeError>),
    #[error("the document is not a {expected} document")]
    WrongKind { expected: &'static str },
    #[error("no record {0} in this document")]
    NoSuchRecord(RecordId),
    #[error("record {0} already exists")]
    RecordExists(RecordId),
    #[error("record {0} is deleted; restore it before editing")]
    RecordDeleted(RecordId),
    #[error("the record has errors: {0:?}")]
    Invalid(Vec<Issue>),
    #[error("field {field} of record {id} has no competing value {choice}")]
    NoSuchValue {
        id: RecordId,
        field: String,
        choice: String,
    },
    #[error("the document could not be changed: {0}")]
    Automerge(#[source] Box<automerge::AutomergeError>),
    #[error("the document could not be changed: {0}")]
    Reconcile(#[source] Box<autosurgeon::ReconcileError>),
}

impl From<automerge::AutomergeError> for ModelError {
    fn from(e: automerge::AutomergeError) -> Self {
        ModelError::Automerge(Box::new(e))
    }
}

impl From<autosurgeon::ReconcileError> for ModelError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        ModelError::Reconcile(Box::new(e))
    }
}
