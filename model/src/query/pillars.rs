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
use crate::records::{
    Balance, Business, BusinessStatus, Case, CaseEntry, CaseLog, CaseStatus, Child, ChildRisk, Consultation,
    DistinctPersons, LedgerEntry, Membership, MembershipStatus, Parenting, Participation, Session, Training,
};

/// A record type of the four pillars, kept in its own table of [`Pillars`].
pub trait Pillar: Record + Described + serde::Serialize + serde::de::DeserializeOwned + 'static {
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
    sessions: Session,
    trainings: Training,
    participations: Participation,
    businesses: Business,
    children: Child,
    parenting: Parenting,
    memberships: Membership,
    ledger: LedgerEntry,
    distinct: DistinctPersons,
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

    /// The live pillar records that concern a person, newest first within each type: their
    /// consultations and cases, the activities and trainings they took part in, businesses they
    /// own, their child record (as the child or the caregiver), their memberships.
    pub fn linked_to(&self, person: &RecordId) -> Vec<(Collection, RecordId)> {
        fn newest<'a, R: Pillar>(
            out: &mut Vec<(Collection, RecordId)>,
            records: impl Iterator<Item = &'a R>,
            date: impl Fn(&R) -> Option<Date>,
        ) {
            let mut found: Vec<&R> = records.collect();
            found.sort_by(|a, b| (date(b), b.id()).cmp(&(date(a), a.id())));
            out.extend(found.iter().map(|r| (R::COLLECTION, r.id().clone())));
        }
        let me = Some(person);
        let mut out = Vec::new();
        newest(
            &mut out,
            self.live::<Consultation>().filter(|c| c.person.as_ref() == me),
            |c| Some(c.date),
        );
        newest(
            &mut out,
            self.live::<Case>().filter(|c| c.person.as_ref() == me),
            |c| Some(c.reported_on),
        );
        let joined: Vec<&RecordId> = self
            .live::<Participation>()
            .filter(|p| &p.person == person)
            .map(|p| &p.activity)
            .collect();
        newest(
            &mut out,
            self.live::<Session>().filter(|s| joined.contains(&&s.id)),
            |s| Some(s.date),
        );
        newest(
            &mut out,
            self.live::<Training>().filter(|t| joined.contains(&&t.id)),
            |t| Some(t.start),
        );
        newest(
            &mut out,
            self.live::<Parenting>().filter(|p| joined.contains(&&p.id)),
            |p| Some(p.date),
        );
        newest(
            &mut out,
            self.live::<Business>().filter(|b| &b.owner == person),
            |b| b.started,
        );
        newest(
            &mut out,
            self.live::<Child>()
                .filter(|c| &c.child == person || c.caregiver.as_ref() == me),
            |_| None,
        );
        newest(
            &mut out,
            self.live::<Membership>().filter(|m| &m.member == person),
            |m| m.joined,
        );
        out
    }

    /// Who takes part in an activity (live participations), in the order they were added.
    pub fn participants(&self, activity: &RecordId) -> Vec<&Participation> {
        self.live::<Participation>()
            .filter(|p| &p.activity == activity)
            .collect()
    }

    /// The trainings a person took part in, newest first (a business shows its owner's).
    pub fn trainings_of(&self, person: &RecordId) -> Vec<&Training> {
        let mut found: Vec<&Training> = self
            .live::<Participation>()
            .filter(|p| &p.person == person)
            .filter_map(|p| self.trainings.get(&p.activity))
            .filter(|t| !t.deleted)
            .collect();
        found.sort_by(|a, b| (b.start, &b.id).cmp(&(a.start, &a.id)));
        found.dedup_by(|a, b| a.id == b.id);
        found
    }

    /// A membership's payments, oldest first.
    pub fn ledger_of(&self, membership: &RecordId) -> Vec<&LedgerEntry> {
        let mut found: Vec<&LedgerEntry> = self
            .live::<LedgerEntry>()
            .filter(|e| &e.membership == membership)
            .collect();
        found.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        found
    }

    /// A membership's balances, derived from its payments.
    pub fn balance_of(&self, membership: &RecordId) -> Balance {
        Balance::of(self.ledger_of(membership))
    }
}

/// The pillars' figures on the village's home.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PillarSummary {
    pub open_cases: usize,
    /// Open cases with nothing written for more than 30 days.
    pub overdue_cases: usize,
    pub consultations_this_month: usize,
    /// Trainings starting today or later.
    pub trainings_coming: usize,
    pub businesses_running: usize,
    /// Children of migrants with at least one risk.
    pub children_at_risk: usize,
    /// Active members of cooperatives.
    pub members: usize,
    /// Savings of every member, in whole rupiah.
    pub savings: i64,
}

impl VillageSnapshot {
    /// What the village's home shows of the pillars on `today`.
    pub fn pillar_summary(&self, today: Date) -> PillarSummary {
        let p = &self.pillars;
        let logs = p.case_logs();
        let mut summary = PillarSummary::default();
        for case in p.live::<Case>() {
            let Some(log) = logs.get(&case.id) else { continue };
            if log.status() != CaseStatus::Closed {
                summary.open_cases += 1;
                if log.overdue(case, today) {
                    summary.overdue_cases += 1;
                }
            }
        }
        summary.consultations_this_month = p
            .live::<Consultation>()
            .filter(|c| c.date.year() == today.year() && c.date.month() == today.month())
            .count();
        summary.trainings_coming = p.live::<Training>().filter(|t| t.start >= today).count();
        summary.businesses_running = p
            .live::<Business>()
            .filter(|b| b.status == BusinessStatus::Running)
            .count();
        summary.children_at_risk = p
            .live::<Child>()
            .filter(|c| !self.child_risks(c, today).is_empty())
            .count();
        let live_members: Vec<&Membership> = p
            .live::<Membership>()
            .filter(|m| m.status == MembershipStatus::Active)
            .collect();
        summary.members = live_members.len();
        summary.savings = p.live::<Membership>().map(|m| p.balance_of(&m.id).savings).sum();
        summary
    }

    /// A child's risks, with the caregiver's age read from their person record.
    pub fn child_risks(&self, child: &Child, today: Date) -> Vec<ChildRisk> {
        let born = child
            .caregiver
            .as_ref()
            .and_then(|c| self.person(c))
            .and_then(|p| p.birth_date);
        child.risks(born, today)
    }
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
