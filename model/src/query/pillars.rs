//! The four pillars' records in a snapshot: one table per record type, re-read record by record
//! as changes touch them (like persons), and the figures the screens ask of them. A village
//! keeps hundreds of these records, not thousands: the figures are computed when asked.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::VillageSnapshot;
use crate::date::Date;
use crate::doc::RecordSource;
use crate::fields::Described;
use crate::ids::RecordId;
use crate::record::{Collection, Record};
use crate::records::{Case, CaseEntry, CaseLog, CaseStatus, Consultation};

/// A record type of the four pillars, kept in its own table of [`Pillars`].
pub trait Pillar: Record + Described + serde::de::DeserializeOwned + 'static {
    fn table(pillars: &Pillars) -> &BTreeMap<RecordId, Self>;
    fn table_mut(pillars: &mut Pillars) -> &mut BTreeMap<RecordId, Self>;
}

/// Declares the pillars' tables once: the struct, each type's access to its table, and the
/// dispatch from a collection to its type.
macro_rules! pillar_tables {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The records of the four pillars, one table per type (deleted ones included).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct Pillars {
            $(pub $field: BTreeMap<RecordId, $ty>,)*
        }

        $(impl Pillar for $ty {
            fn table(pillars: &Pillars) -> &BTreeMap<RecordId, Self> {
                &pillars.$field
            }
            fn table_mut(pillars: &mut Pillars) -> &mut BTreeMap<RecordId, Self> {
                &mut pillars.$field
            }
        })*

        impl Pillars {
            /// The ids held for a collection, as keys.
            pub(crate) fn keys(&self, c: Collection) -> Vec<String> {
                $(if c == <$ty as Record>::COLLECTION {
                    return self.$field.keys().map(|k| k.to_string()).collect();
                })*
                Vec::new()
            }
        }

        impl VillageSnapshot {
            /// Re-reads one pillar record; its id if what the screens show of it changed.
            pub(super) fn apply_pillar(
                &mut self,
                doc: &impl RecordSource,
                c: Collection,
                key: &str,
            ) -> Option<RecordId> {
                $(if c == <$ty as Record>::COLLECTION {
                    return self.apply_pillar_record::<$ty>(doc, key);
                })*
                None
            }
        }
    };
}

pillar_tables! {
    consultations: Consultation,
    cases: Case,
    case_entries: CaseEntry,
}

impl Pillars {
    /// The live records of a type.
    pub fn live<R: Pillar>(&self) -> impl Iterator<Item = &R> {
        R::table(self).values().filter(|r| !r.is_deleted())
    }

    pub fn get<R: Pillar>(&self, id: &RecordId) -> Option<&R> {
        R::table(self).get(id)
    }

    /// A case's log, oldest first, and the status that follows from it.
    pub fn case_log(&self, case: &RecordId) -> CaseLog<'_> {
        CaseLog::of(case, self.case_entries.values())
    }

    /// Every case's log at once (one pass over the entries).
    pub fn case_logs(&self) -> HashMap<&RecordId, CaseLog<'_>> {
        let mut by_case: HashMap<&RecordId, Vec<&CaseEntry>> = HashMap::new();
        for e in self.case_entries.values() {
            by_case.entry(&e.case).or_default().push(e);
        }
        self.cases
            .keys()
            .map(|id| {
                let entries = by_case.remove(id).unwrap_or_default();
                (id, CaseLog::of(id, entries))
            })
            .collect()
    }

    /// The live pillar records that name a person, newest first within each type.
    pub fn linked_to(&self, person: &RecordId) -> Vec<(Collection, RecordId)> {
        let mut out: Vec<(Collection, RecordId)> = Vec::new();
        let mut consultations: Vec<&Consultation> = self
            .live::<Consultation>()
            .filter(|c| c.person.as_ref() == Some(person))
            .collect();
        consultations.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
        out.extend(
            consultations
                .iter()
                .map(|c| (Collection::Consultations, c.id.clone())),
        );
        let mut cases: Vec<&Case> = self
            .live::<Case>()
            .filter(|c| c.person.as_ref() == Some(person))
            .collect();
        cases.sort_by(|a, b| (b.reported_on, &b.id).cmp(&(a.reported_on, &a.id)));
        out.extend(cases.iter().map(|c| (Collection::Cases, c.id.clone())));
        out
    }

    /// What the village's home shows of the pillars on `today`.
    pub fn summary(&self, today: Date) -> PillarSummary {
        let logs = self.case_logs();
        let mut summary = PillarSummary::default();
        for case in self.live::<Case>() {
            let Some(log) = logs.get(&case.id) else { continue };
            if log.status() != CaseStatus::Closed {
                summary.open_cases += 1;
                if log.overdue(case, today) {
                    summary.overdue_cases += 1;
                }
            }
        }
        summary.consultations_this_month = self
            .live::<Consultation>()
            .filter(|c| c.date.year() == today.year() && c.date.month() == today.month())
            .count();
        summary
    }
}

/// The pillars' figures on the village's home.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PillarSummary {
    pub open_cases: usize,
    /// Open cases with nothing written for more than 30 days.
    pub overdue_cases: usize,
    pub consultations_this_month: usize,
}

impl VillageSnapshot {
    fn apply_pillar_record<R: Pillar>(&mut self, doc: &impl RecordSource, key: &str) -> Option<RecordId> {
        let read = doc.read::<R>(key);
        self.set_damaged(R::COLLECTION, key, read.is_err());
        let id: RecordId = key.parse().ok()?;
        let new = read.ok().flatten();
        let conflict = new.is_some() && doc.has_conflict_in(R::COLLECTION, &id);
        let was_conflicted = self.set_conflicted(R::COLLECTION, &id, conflict);
        let table = R::table_mut(&mut self.pillars);
        let old = match &new {
            Some(new) => table.insert(id.clone(), new.clone()),
            None => table.remove(&id),
        };
        (old != new || was_conflicted != conflict).then_some(id)
    }
}
