//! Edits as data: what a form asks of a document, as a value that can be carried to wherever
//! the document lives (today the tab's engine; a worker owning the documents next) and
//! applied there with [`Edit::apply_village`] or [`Edit::apply_district`].
//!
//! A record travels in its serde form (the form autosurgeon stores), tagged with its
//! collection; the collection names the record type it is read back as.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::import::{Applied, Preview, Target};
use crate::validate::Validate;
use crate::{Author, Collection, DistrictDoc, ModelError, Record, RecordId, VillageDoc};

/// One edit of a village or district document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Edit {
    /// Creates `record`, or with `base` (the record as the form found it) writes the fields
    /// that differ from it.
    Save {
        collection: Collection,
        base: Option<serde_json::Value>,
        record: serde_json::Value,
    },
    /// Soft-deletes a record, or restores it.
    SetDeleted {
        collection: Collection,
        id: RecordId,
        deleted: bool,
    },
    /// Settles a field's concurrent values on `choice` (one of them, as shown).
    Resolve {
        collection: Collection,
        id: RecordId,
        field: String,
        choice: String,
    },
    /// Writes an import's preview, taking the matched persons' fields in `take`.
    Import {
        preview: Preview,
        take: Vec<(usize, Target)>,
        file: String,
    },
}

/// What an applied edit reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Edited {
    #[default]
    Done,
    Imported(Applied),
}

impl Edit {
    /// A save of a record of type `R` (created when `base` is `None`).
    pub fn save<R: Record + Serialize>(base: Option<&R>, record: &R) -> Self {
        Self::Save {
            collection: R::COLLECTION,
            base: base.map(|b| serde_json::to_value(b).expect("a record always serialises")),
            record: serde_json::to_value(record).expect("a record always serialises"),
        }
    }

    /// A soft delete (or restore) of a record of type `R`.
    pub fn set_deleted<R: Record>(id: &RecordId, deleted: bool) -> Self {
        Self::SetDeleted {
            collection: R::COLLECTION,
            id: id.clone(),
            deleted,
        }
    }

    /// Applies the edit to a village document as one change by `by` at `now`.
    pub fn apply_village(&self, doc: &mut VillageDoc, by: &Author, now: i64) -> Result<Edited, ModelError> {
        match self {
            Self::Save {
                collection,
                base,
                record,
            } => {
                macro_rules! save {
                    ($($ty:ty),*) => {{
                        $(if *collection == <$ty as Record>::COLLECTION {
                            let (base, record) = typed::<$ty>(base.as_ref(), record)?;
                            return save_in(doc, base, record, by, now);
                        })*
                    }};
                }
                village_types!(save);
                Err(not_here(*collection))
            }
            Self::SetDeleted {
                collection,
                id,
                deleted,
            } => {
                macro_rules! set_deleted {
                    ($($ty:ty),*) => {{
                        $(if *collection == <$ty as Record>::COLLECTION {
                            return if *deleted {
                                doc.delete::<$ty>(id, by, now)
                            } else {
                                doc.restore::<$ty>(id, by, now)
                            }
                            .map(|()| Edited::Done);
                        })*
                    }};
                }
                village_types!(set_deleted);
                Err(not_here(*collection))
            }
            Self::Resolve {
                collection,
                id,
                field,
                choice,
            } => doc
                .resolve_in(*collection, id, field, choice, by, now)
                .map(|()| Edited::Done),
            Self::Import { preview, take, file } => {
                let take: std::collections::HashSet<(usize, Target)> = take.iter().copied().collect();
                doc.apply_import(preview, |line, f| take.contains(&(line, f)), file, by, now)
                    .map(Edited::Imported)
            }
        }
    }

    /// Applies the edit to a district document (its reference data) as one change.
    pub fn apply_district(&self, doc: &mut DistrictDoc, by: &Author, now: i64) -> Result<Edited, ModelError> {
        use crate::{Agency, Announcement, CountryNote, JobOrder, ScheduledTraining};
        macro_rules! district_types {
            ($m:ident) => {
                $m!(
                    Agency,
                    CountryNote,
                    JobOrder,
                    Announcement,
                    ScheduledTraining
                )
            };
        }
        match self {
            Self::Save {
                collection,
                base,
                record,
            } => {
                macro_rules! save {
                    ($($ty:ty),*) => {{
                        $(if *collection == <$ty as Record>::COLLECTION {
                            let (base, record) = typed::<$ty>(base.as_ref(), record)?;
                            return match base {
                                Some(base) => doc.update(&base, &record, by, now).map(|_| Edited::Done),
                                None => doc.create(record, by, now).map(|_| Edited::Done),
                            };
                        })*
                    }};
                }
                district_types!(save);
                Err(not_here(*collection))
            }
            Self::SetDeleted {
                collection,
                id,
                deleted,
            } => {
                macro_rules! set_deleted {
                    ($($ty:ty),*) => {{
                        $(if *collection == <$ty as Record>::COLLECTION {
                            return if *deleted {
                                doc.delete::<$ty>(id, by, now)
                            } else {
                                doc.restore::<$ty>(id, by, now)
                            }
                            .map(|()| Edited::Done);
                        })*
                    }};
                }
                district_types!(set_deleted);
                Err(not_here(*collection))
            }
            Self::Resolve { collection, .. } => Err(not_here(*collection)),
            Self::Import { .. } => Err(not_here(Collection::Persons)),
        }
    }
}

/// The village record types, by collection.
macro_rules! village_types {
    ($m:ident) => {{
        use crate::records::*;
        $m!(
            Person,
            MigrationEpisode,
            Consultation,
            Case,
            CaseEntry,
            Session,
            Training,
            Participation,
            Business,
            Child,
            Parenting,
            Membership,
            LedgerEntry,
            DistinctPersons
        )
    }};
}
use village_types;

fn typed<R: DeserializeOwned>(
    base: Option<&serde_json::Value>,
    record: &serde_json::Value,
) -> Result<(Option<R>, R), ModelError> {
    let read = |v: &serde_json::Value| R::deserialize(v).map_err(|_| ModelError::Invalid(Vec::new()));
    Ok((base.map(read).transpose()?, read(record)?))
}

fn save_in<R: Record + Validate>(
    doc: &mut VillageDoc,
    base: Option<R>,
    record: R,
    by: &Author,
    now: i64,
) -> Result<Edited, ModelError> {
    match base {
        Some(base) => doc.update(&base, &record, by, now).map(|_| Edited::Done),
        None => doc.create(record, by, now).map(|_| Edited::Done),
    }
}

/// An edit naming a collection the document does not hold.
fn not_here(collection: Collection) -> ModelError {
    ModelError::WrongKind {
        expected: match collection {
            c if Collection::VILLAGE.contains(&c) => "village",
            _ => "district",
        },
    }
}
