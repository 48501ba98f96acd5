//! Reading a village: categories derived from episodes, households derived from No. KK, search
//! and counts, all kept up to date record by record as changes arrive.
//!
//! A [`VillageSnapshot`] is built once from a document ([`crate::VillageDoc::snapshot`]) and then
//! brought up to date with [`VillageSnapshot::refresh`], which re-reads only the records the
//! new changes touched (found from Automerge's patches) and recomputes derived values only for
//! the persons and households involved. A refreshed snapshot always equals a fresh one (a
//! property test holds it to that).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::doc::ObjectIndex;

mod aggregates;
mod dashboard;
mod delta;
mod duplicates;
mod pillars;
mod refresh;
use crate::ids::{RecordId, VillageCode};
use crate::record::{Collection, EpisodeState, FamilyRelation, Household, MigrationEpisode, Person};
pub use aggregates::{CellKey, SUPPRESS_BELOW, Shown, suppress};
pub use dashboard::{DashboardFilter, Figures, Month, MonthFlow, STALE_DAYS, Sector, TREND_MONTHS, Tally};
pub use delta::{OutOfStep, SnapshotDelta};
pub use duplicates::{DuplicatePair, DuplicateSign, PersonAt, find_duplicates, name_key};
pub use pillars::{Pillar, PillarSummary, Pillars};

/// The version of [`VillageSnapshot::encode`]'s format; bump it when the snapshot's fields
/// change, so that stored snapshots of the old shape are ignored instead of misread.
const STORED_FORMAT: u8 = 3;

/// A person's place in the migration cycle, derived from their episodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// Preparing to leave (a planned episode, none abroad).
    Cpmi,
    /// Abroad now (or abroad and out of contact).
    Pmi,
    /// Returned, nothing abroad or planned.
    PurnaPmi,
    /// No episode of their own, in a household with someone who has one.
    Keluarga,
    /// Died during an episode.
    Deceased,
    /// None of the above.
    Resident,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Cpmi,
        Category::Pmi,
        Category::PurnaPmi,
        Category::Keluarga,
        Category::Deceased,
        Category::Resident,
    ];

    /// Derives a category from a person's live episodes and whether their household has a
    /// migrant. Abroad outranks planned, planned outranks returned: a returnee who plans to
    /// leave again is a CPMI again.
    pub fn derive<'a>(
        episodes: impl IntoIterator<Item = &'a MigrationEpisode>,
        household_has_migrant: bool,
    ) -> Self {
        let mut best: Option<Category> = None;
        for e in episodes {
            let c = match e.state {
                EpisodeState::Abroad | EpisodeState::Missing => Category::Pmi,
                EpisodeState::Planned => Category::Cpmi,
                EpisodeState::Returned => Category::PurnaPmi,
                EpisodeState::Deceased => Category::Deceased,
            };
            let rank = |c: Category| match c {
                Category::Deceased => 4,
                Category::Pmi => 3,
                Category::Cpmi => 2,
                Category::PurnaPmi => 1,
                _ => 0,
            };
            if best.is_none_or(|b| rank(c) > rank(b)) {
                best = Some(c);
            }
        }
        best.unwrap_or(if household_has_migrant {
            Category::Keluarga
        } else {
            Category::Resident
        })
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            // The program's own terms, the same in every language.
            Category::Cpmi => "CPMI",
            Category::Pmi => "PMI",
            Category::PurnaPmi => "Purna PMI",
            Category::Keluarga => crate::Text::ctx("category", "Keluarga PMI").get(lang),
            Category::Deceased => crate::Text::new("Meninggal").get(lang),
            Category::Resident => crate::Text::new("Warga lain").get(lang),
        }
    }
}

/// How many live persons are in each category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCounts(pub BTreeMap<Category, usize>);

impl CategoryCounts {
    pub fn get(&self, c: Category) -> usize {
        self.0.get(&c).copied().unwrap_or(0)
    }
    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
    fn add(&mut self, c: Category) {
        *self.0.entry(c).or_default() += 1;
    }
    fn remove(&mut self, c: Category) {
        if let Some(n) = self.0.get_mut(&c) {
            *n -= 1;
            if *n == 0 {
                self.0.remove(&c);
            }
        }
    }
}

/// A person search: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFilter {
    /// Matches a part of the name (any case) or of the NIK.
    pub text: Option<String>,
    pub category: Option<Category>,
    pub dusun: Option<String>,
    /// Matches any live episode's destination country (any case).
    pub destination: Option<String>,
    /// Include soft-deleted persons (they are left out by default).
    pub include_deleted: bool,
    /// Only persons waiting for someone to settle a conflict (see
    /// [`VillageSnapshot::needs_choice`]).
    #[serde(default)]
    pub conflicted: bool,
}

/// The records of a village document that changes touched, as raw keys of their collection
/// (a key that is not a valid record id still counts: it may be a damaged record).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touched {
    pub persons: BTreeSet<String>,
    pub episodes: BTreeSet<String>,
    /// Keys of the pillars' collections.
    pub pillars: BTreeMap<Collection, BTreeSet<String>>,
    /// A root map itself changed (a rival genesis, a foreign client): read everything again.
    pub everything: bool,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        !self.everything && self.persons.is_empty() && self.episodes.is_empty() && self.pillars.is_empty()
    }

    /// How many records it names.
    pub(crate) fn len(&self) -> usize {
        self.persons.len() + self.episodes.len() + self.pillars.values().map(BTreeSet::len).sum::<usize>()
    }

    pub(crate) fn insert(&mut self, collection: Collection, key: String) {
        match collection {
            Collection::Persons => self.persons.insert(key),
            Collection::Episodes => self.episodes.insert(key),
            pillar => self.pillars.entry(pillar).or_default().insert(key),
        };
    }
}

/// What a refresh changed, for views that redraw only what they must.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Persons whose record, category, conflict state or episodes changed (also removed ones).
    pub persons: BTreeSet<RecordId>,
    /// Episodes whose record or conflict state changed (also removed ones).
    pub episodes: BTreeSet<RecordId>,
    /// Pillar records whose record or conflict state changed (also removed ones).
    pub pillars: BTreeSet<(Collection, RecordId)>,
}

impl Refreshed {
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty() && self.episodes.is_empty() && self.pillars.is_empty()
    }
}

/// Every record of a village at one moment, with derived views and indexes, kept up to date
/// incrementally. Built by [`crate::VillageDoc::snapshot`], refreshed by [`Self::refresh`].
/// Serialisable, so that a device can store it with the heads it reflects and show it at once
/// when the app opens ([`Self::resume`] brings it up to date with the document).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VillageSnapshot {
    pub code: Option<VillageCode>,
    pub persons: BTreeMap<RecordId, Person>,
    pub episodes: BTreeMap<RecordId, MigrationEpisode>,
    /// The records of the four pillars.
    pub pillars: Pillars,
    /// Records that could not be read (damaged or written by an incompatible client), as
    /// `collection/id`, sorted. They are left untouched in the document.
    pub damaged: Vec<String>,
    derived: Derived,
    /// The document's heads this snapshot reflects.
    /// `None`: not known (the next refresh reads everything).
    pub(crate) heads: Option<Vec<automerge::ChangeHash>>,
    pub(crate) index: ObjectIndex,
}

/// Everything derived from the records; compared whole by the equivalence test.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Derived {
    categories: HashMap<RecordId, Category>,
    /// Live episodes per person, oldest departure first.
    episodes_by_person: HashMap<RecordId, Vec<RecordId>>,
    /// Every episode (live or not) per person it names.
    all_episodes_by_person: HashMap<RecordId, BTreeSet<RecordId>>,
    /// Every person (live or not) per No. KK.
    members_by_kk: HashMap<String, BTreeSet<RecordId>>,
    counts: CategoryCounts,
    /// The category each live person is counted under in `counts`.
    counted: HashMap<RecordId, Category>,
    /// Persons (live or not) in list order: lower-case name, then id.
    by_name: BTreeSet<(String, RecordId)>,
    /// Live persons per dusun.
    dusun: BTreeMap<String, usize>,
    /// Live episodes per destination country.
    destinations: BTreeMap<String, usize>,
    /// Records with a field holding concurrent values.
    conflicted: BTreeSet<(Collection, RecordId)>,
}

impl VillageSnapshot {
    pub(crate) fn empty(code: Option<VillageCode>) -> Self {
        Self {
            code,
            persons: BTreeMap::new(),
            episodes: BTreeMap::new(),
            pillars: Pillars::default(),
            damaged: Vec::new(),
            derived: Derived::default(),
            heads: None,
            index: ObjectIndex::default(),
        }
    }

    /// The snapshot in its stored form (a format byte, then postcard): a device keeps it to
    /// show the village at once when the app opens.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![STORED_FORMAT];
        out.extend(postcard::to_allocvec(self).expect("a snapshot always serialises"));
        out
    }

    /// A stored snapshot; `None` if it is damaged or of another format (then read afresh).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        match bytes.split_first() {
            Some((&STORED_FORMAT, rest)) => postcard::from_bytes(rest).ok(),
            _ => None,
        }
    }

    pub fn person(&self, id: &RecordId) -> Option<&Person> {
        self.persons.get(id)
    }

    pub fn category(&self, id: &RecordId) -> Option<Category> {
        self.derived.categories.get(id).copied()
    }

    /// Whether a record has a field holding concurrent values.
    pub fn has_conflict(&self, collection: Collection, id: &RecordId) -> bool {
        self.derived.conflicted.contains(&(collection, id.clone()))
    }

    /// Records with a conflict.
    pub fn conflicted(&self) -> impl Iterator<Item = &(Collection, RecordId)> {
        self.derived.conflicted.iter()
    }

    /// Whether a person, or one of their live episodes, has a field holding concurrent values
    /// that someone has to choose between.
    pub fn needs_choice(&self, person: &RecordId) -> bool {
        self.has_conflict(Collection::Persons, person)
            || self
                .derived
                .episodes_by_person
                .get(person)
                .is_some_and(|eps| eps.iter().any(|e| self.has_conflict(Collection::Episodes, e)))
    }

    /// Live persons holding this NIK (a NIK belongs to one person: more than one is a mistake
    /// or a duplicate record).
    pub fn persons_with_nik<'a>(&'a self, nik: &'a str) -> impl Iterator<Item = &'a Person> + 'a {
        self.persons
            .values()
            .filter(move |p| !p.deleted && p.nik.as_deref() == Some(nik))
    }

    /// How many live persons [`Self::needs_choice`].
    pub fn persons_needing_choice(&self) -> usize {
        let mut persons: Vec<&RecordId> = self
            .derived
            .conflicted
            .iter()
            .filter_map(|(c, id)| match c {
                Collection::Persons => Some(id),
                Collection::Episodes => self.episodes.get(id).map(|e| &e.person),
                _ => None,
            })
            .filter(|p| self.persons.get(*p).is_some_and(|p| !p.deleted) && self.needs_choice(p))
            .collect();
        persons.sort();
        persons.dedup();
        persons.len()
    }

    /// A person's live episodes, oldest departure first (undated ones first).
    pub fn episodes_of(&self, person: &RecordId) -> Vec<&MigrationEpisode> {
        self.live_episodes(person).collect()
    }

    /// The ids of every episode (live or not) that names a person.
    fn all_episode_ids(&self, person: &RecordId) -> impl Iterator<Item = &RecordId> {
        self.derived
            .all_episodes_by_person
            .get(person)
            .into_iter()
            .flatten()
    }

    fn live_episodes(&self, person: &RecordId) -> impl Iterator<Item = &MigrationEpisode> {
        self.derived
            .episodes_by_person
            .get(person)
            .into_iter()
            .flatten()
            .map(|id| &self.episodes[id])
    }

    /// Persons matching the filter (live ones unless `include_deleted`), sorted by name.
    pub fn search(&self, filter: &PersonFilter) -> Vec<&Person> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let destination = filter.destination.as_deref().map(str::to_lowercase);
        self.derived
            .by_name
            .iter()
            .filter(|(name, id)| {
                text.as_ref().is_none_or(|t| {
                    name.contains(t.as_str())
                        || self.persons[id]
                            .nik
                            .as_deref()
                            .is_some_and(|n| n.contains(t.as_str()))
                })
            })
            .map(|(_, id)| &self.persons[id])
            .filter(|p| filter.include_deleted || !p.deleted)
            .filter(|p| !filter.conflicted || self.needs_choice(&p.id))
            .filter(|p| filter.category.is_none_or(|c| self.category(&p.id) == Some(c)))
            .filter(|p| {
                filter
                    .dusun
                    .as_ref()
                    .is_none_or(|d| p.dusun.as_ref().is_some_and(|pd| same_dusun(pd, d)))
            })
            .filter(|p| {
                destination.as_ref().is_none_or(|d| {
                    self.live_episodes(&p.id)
                        .any(|e| e.destination_country.to_lowercase() == *d)
                })
            })
            .collect()
    }

    /// Live persons per category.
    pub fn counts(&self) -> CategoryCounts {
        self.derived.counts.clone()
    }

    /// The households: live persons grouped by No. KK, sorted by No. KK.
    pub fn households(&self) -> Vec<Household> {
        let mut kks: Vec<&String> = self.derived.members_by_kk.keys().collect();
        kks.sort();
        kks.into_iter().filter_map(|kk| self.household(kk)).collect()
    }

    fn household(&self, kk: &str) -> Option<Household> {
        let mut members: Vec<&Person> = self
            .derived
            .members_by_kk
            .get(kk)?
            .iter()
            .filter_map(|id| self.persons.get(id))
            .filter(|p| !p.deleted)
            .collect();
        if members.is_empty() {
            return None;
        }
        members.sort_by(|a, b| a.id.cmp(&b.id));
        Some(Household {
            no_kk: kk.to_owned(),
            head: members
                .iter()
                .find(|p| p.relation == Some(FamilyRelation::Head))
                .map(|p| p.id.clone()),
            members: members.iter().map(|p| p.id.clone()).collect(),
        })
    }

    /// The household a person belongs to, if they have a No. KK.
    pub fn household_of(&self, person: &RecordId) -> Option<Household> {
        self.household(self.persons.get(person)?.no_kk.as_deref()?)
    }

    /// The distinct dusun names of live persons, sorted, for filter menus (names written before
    /// one spelling per dusun merged with theirs).
    pub fn dusun_names(&self) -> Vec<String> {
        menu(&self.derived.dusun, crate::records::canonical_dusun)
    }

    /// The distinct destination countries of live episodes, sorted, one spelling per country
    /// (older records may hold "malaysia" beside "Malaysia").
    pub fn destinations(&self) -> Vec<String> {
        menu(&self.derived.destinations, crate::countries::canonical_country)
    }

    /// Whether two snapshots hold the same records and the same derived values (the
    /// incremental path must always agree with a fresh read).
    pub fn same_as(&self, other: &VillageSnapshot) -> bool {
        self.code == other.code
            && self.persons == other.persons
            && self.episodes == other.episodes
            && self.pillars == other.pillars
            && self.damaged == other.damaged
            && self.derived == other.derived
    }
}

/// A filter menu: the names a tally holds, each in its one spelling, sorted, without repeats.
fn menu<V>(tally: &BTreeMap<String, V>, spelling: fn(&str) -> String) -> Vec<String> {
    let names: std::collections::BTreeSet<String> = tally.keys().map(|k| spelling(k)).collect();
    names.into_iter().collect()
}

/// Whether two written dusun names are the same hamlet.
fn same_dusun(a: &str, b: &str) -> bool {
    crate::records::canonical_dusun(a).eq_ignore_ascii_case(&crate::records::canonical_dusun(b))
}
