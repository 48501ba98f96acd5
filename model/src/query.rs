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

use crate::doc::{ObjectIndex, RecordSource, VillageDoc};
use crate::ids::{RecordId, VillageCode};
use crate::record::{Collection, EpisodeState, FamilyRelation, Household, MigrationEpisode, Person};

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
        use crate::Lang::*;
        match (self, lang) {
            (Category::Cpmi, _) => "CPMI",
            (Category::Pmi, _) => "PMI",
            (Category::PurnaPmi, _) => "Purna PMI",
            (Category::Keluarga, Id) => "Keluarga PMI",
            (Category::Keluarga, En) => "PMI family",
            (Category::Deceased, Id) => "Meninggal",
            (Category::Deceased, En) => "Deceased",
            (Category::Resident, Id) => "Warga lain",
            (Category::Resident, En) => "Other resident",
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
}

/// The records of a village document that changes touched, as raw keys of their collection
/// (a key that is not a valid record id still counts: it may be a damaged record).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    pub persons: BTreeSet<String>,
    pub episodes: BTreeSet<String>,
    /// A root map itself changed (a rival genesis, a foreign client): read everything again.
    pub everything: bool,
}

impl Touched {
    pub fn is_empty(&self) -> bool {
        !self.everything && self.persons.is_empty() && self.episodes.is_empty()
    }

    pub(crate) fn insert(&mut self, collection: Collection, key: String) {
        match collection {
            Collection::Persons => self.persons.insert(key),
            Collection::Episodes => self.episodes.insert(key),
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
}

impl Refreshed {
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty() && self.episodes.is_empty()
    }
}

/// Every record of a village at one moment, with derived views and indexes, kept up to date
/// incrementally. Built by [`crate::VillageDoc::snapshot`], refreshed by [`Self::refresh`].
#[derive(Clone, Debug)]
pub struct VillageSnapshot {
    pub code: Option<VillageCode>,
    pub persons: BTreeMap<RecordId, Person>,
    pub episodes: BTreeMap<RecordId, MigrationEpisode>,
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
#[derive(Clone, Debug, Default, PartialEq)]
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

fn bump(map: &mut BTreeMap<String, usize>, key: &str, up: bool) {
    if up {
        *map.entry(key.to_owned()).or_default() += 1;
    } else if let Some(n) = map.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl VillageSnapshot {
    pub(crate) fn empty(code: Option<VillageCode>) -> Self {
        Self {
            code,
            persons: BTreeMap::new(),
            episodes: BTreeMap::new(),
            damaged: Vec::new(),
            derived: Derived::default(),
            heads: None,
            index: ObjectIndex::default(),
        }
    }

    /// Brings the snapshot up to date with every change `doc` received or made since the
    /// snapshot was built or last refreshed. Only the records the changes touched are read
    /// again; the cost follows the size of the changes, not of the village.
    pub fn refresh(&mut self, doc: &mut VillageDoc) -> Refreshed {
        let heads = doc.automerge().get_heads();
        let touched = match &self.heads {
            Some(known) if *known == heads => return Refreshed::default(),
            Some(known) => doc.touched_since(known, &mut self.index),
            None => Touched {
                everything: true,
                ..Touched::default()
            },
        };
        self.heads = Some(heads);
        let refreshed = self.apply(doc, &touched);
        if touched.everything {
            self.index = doc.object_index();
        }
        refreshed
    }

    /// Re-reads the touched records of `doc` and updates every derived value they affect.
    pub(crate) fn apply(&mut self, doc: &impl RecordSource, touched: &Touched) -> Refreshed {
        if touched.everything {
            let keys_p: BTreeSet<String> = doc
                .keys(Collection::Persons)
                .into_iter()
                .chain(self.persons.keys().map(|k| k.to_string()))
                .chain(self.damaged_keys(Collection::Persons))
                .collect();
            let keys_e: BTreeSet<String> = doc
                .keys(Collection::Episodes)
                .into_iter()
                .chain(self.episodes.keys().map(|k| k.to_string()))
                .chain(self.damaged_keys(Collection::Episodes))
                .collect();
            let all = Touched {
                persons: keys_p,
                episodes: keys_e,
                everything: false,
            };
            self.code = doc.code();
            return self.apply(doc, &all);
        }
        let mut out = Refreshed::default();
        // Persons and households whose derived values must be recomputed.
        let mut persons: BTreeSet<RecordId> = BTreeSet::new();
        let mut households: BTreeSet<String> = BTreeSet::new();

        for key in &touched.episodes {
            let read = doc.read_episode(key);
            self.set_damaged(Collection::Episodes, key, read.is_err());
            let Ok(id) = key.parse::<RecordId>() else {
                continue;
            };
            let new = read.ok().flatten();
            let old = self.episodes.remove(&id);
            if let Some(old) = &old {
                if !old.deleted {
                    bump(&mut self.derived.destinations, &old.destination_country, false);
                }
                if let Some(set) = self.derived.all_episodes_by_person.get_mut(&old.person) {
                    set.remove(&id);
                    if set.is_empty() {
                        self.derived.all_episodes_by_person.remove(&old.person);
                    }
                }
                persons.insert(old.person.clone());
            }
            let conflict = new.is_some() && doc.has_conflict_in(Collection::Episodes, &id);
            let was_conflicted = self.set_conflicted(Collection::Episodes, &id, conflict);
            if let Some(new) = new {
                if !new.deleted {
                    bump(&mut self.derived.destinations, &new.destination_country, true);
                }
                self.derived
                    .all_episodes_by_person
                    .entry(new.person.clone())
                    .or_default()
                    .insert(id.clone());
                persons.insert(new.person.clone());
                if old.as_ref() != Some(&new) || was_conflicted != conflict {
                    out.episodes.insert(id.clone());
                }
                self.episodes.insert(id, new);
            } else if old.is_some() {
                out.episodes.insert(id);
            }
        }

        for key in &touched.persons {
            let read = doc.read_person(key);
            self.set_damaged(Collection::Persons, key, read.is_err());
            let Ok(id) = key.parse::<RecordId>() else {
                continue;
            };
            let new = read.ok().flatten();
            let old = self.persons.remove(&id);
            if let Some(old) = &old {
                self.unindex_person(old);
            }
            let conflict = new.is_some() && doc.has_conflict_in(Collection::Persons, &id);
            let was_conflicted = self.set_conflicted(Collection::Persons, &id, conflict);
            if let Some(new) = &new {
                self.index_person(new);
            }
            for p in old.iter().chain(new.iter()) {
                if let Some(kk) = &p.no_kk {
                    households.insert(kk.clone());
                }
            }
            if old != new || was_conflicted != conflict {
                out.persons.insert(id.clone());
            }
            persons.insert(id.clone());
            if let Some(new) = new {
                self.persons.insert(id, new);
            }
        }

        // Episodes changed: those persons' live episode lists, and their households.
        for p in &persons {
            let before = self.derived.episodes_by_person.get(p).cloned();
            self.rebuild_episode_list(p);
            if self.derived.episodes_by_person.get(p) != before.as_ref() {
                out.persons.insert(p.clone());
            }
            if let Some(kk) = self.persons.get(p).and_then(|p| p.no_kk.clone()) {
                households.insert(kk);
            }
        }
        // Every member of an affected household may change category (Keluarga PMI).
        for kk in &households {
            if let Some(members) = self.derived.members_by_kk.get(kk) {
                persons.extend(members.iter().cloned());
            }
        }
        for p in &persons {
            if self.recompute_category(p) {
                out.persons.insert(p.clone());
            }
        }
        out
    }

    fn damaged_keys(&self, c: Collection) -> impl Iterator<Item = String> + '_ {
        let prefix = format!("{}/", c.key());
        self.damaged
            .iter()
            .filter_map(move |d| d.strip_prefix(&prefix).map(str::to_owned))
    }

    /// Records whether a key holds a record that cannot be read.
    fn set_damaged(&mut self, c: Collection, key: &str, damaged: bool) {
        let label = format!("{}/{key}", c.key());
        match (damaged, self.damaged.binary_search(&label)) {
            (true, Err(at)) => self.damaged.insert(at, label),
            (false, Ok(at)) => {
                self.damaged.remove(at);
            }
            _ => {}
        }
    }

    fn set_conflicted(&mut self, c: Collection, id: &RecordId, conflict: bool) -> bool {
        let key = (c, id.clone());
        if conflict {
            !self.derived.conflicted.insert(key)
        } else {
            self.derived.conflicted.remove(&key)
        }
    }

    fn index_person(&mut self, p: &Person) {
        self.derived
            .by_name
            .insert((p.full_name.to_lowercase(), p.id.clone()));
        if let Some(kk) = &p.no_kk {
            self.derived
                .members_by_kk
                .entry(kk.clone())
                .or_default()
                .insert(p.id.clone());
        }
        if !p.deleted
            && let Some(d) = &p.dusun
        {
            bump(&mut self.derived.dusun, d, true);
        }
    }

    fn unindex_person(&mut self, p: &Person) {
        self.derived
            .by_name
            .remove(&(p.full_name.to_lowercase(), p.id.clone()));
        if let Some(kk) = &p.no_kk
            && let Some(set) = self.derived.members_by_kk.get_mut(kk)
        {
            set.remove(&p.id);
            if set.is_empty() {
                self.derived.members_by_kk.remove(kk);
            }
        }
        if !p.deleted
            && let Some(d) = &p.dusun
        {
            bump(&mut self.derived.dusun, d, false);
        }
    }

    fn rebuild_episode_list(&mut self, person: &RecordId) {
        let mut live: Vec<RecordId> = self
            .derived
            .all_episodes_by_person
            .get(person)
            .into_iter()
            .flatten()
            .filter(|id| self.episodes.get(*id).is_some_and(|e| !e.deleted))
            .cloned()
            .collect();
        live.sort_by_key(|id| (self.episodes[id].departure_date, id.clone()));
        if live.is_empty() {
            self.derived.episodes_by_person.remove(person);
        } else {
            self.derived.episodes_by_person.insert(person.clone(), live);
        }
    }

    fn household_has_migrant(&self, kk: &str) -> bool {
        self.derived.members_by_kk.get(kk).is_some_and(|members| {
            members.iter().any(|m| {
                self.persons.get(m).is_some_and(|p| !p.deleted)
                    && self.derived.episodes_by_person.contains_key(m)
            })
        })
    }

    /// Recomputes one person's category and the counts; true if the category changed.
    fn recompute_category(&mut self, id: &RecordId) -> bool {
        if let Some(c) = self.derived.counted.remove(id) {
            self.derived.counts.remove(c);
        }
        let old = self.derived.categories.remove(id);
        let Some(p) = self.persons.get(id) else {
            return old.is_some();
        };
        let family = p
            .no_kk
            .as_deref()
            .is_some_and(|kk| self.household_has_migrant(kk));
        let live = !p.deleted;
        let c = Category::derive(self.live_episodes(id), family);
        self.derived.categories.insert(id.clone(), c);
        if live {
            self.derived.counts.add(c);
            self.derived.counted.insert(id.clone(), c);
        }
        old != Some(c)
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

    /// A person's live episodes, oldest departure first (undated ones first).
    pub fn episodes_of(&self, person: &RecordId) -> Vec<&MigrationEpisode> {
        self.live_episodes(person).collect()
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
            .filter(|p| filter.category.is_none_or(|c| self.category(&p.id) == Some(c)))
            .filter(|p| {
                filter
                    .dusun
                    .as_ref()
                    .is_none_or(|d| p.dusun.as_ref().is_some_and(|pd| pd.eq_ignore_ascii_case(d)))
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

    /// The distinct dusun names of live persons, sorted, for filter menus.
    pub fn dusun_names(&self) -> Vec<String> {
        self.derived.dusun.keys().cloned().collect()
    }

    /// The distinct destination countries of live episodes, sorted.
    pub fn destinations(&self) -> Vec<String> {
        self.derived.destinations.keys().cloned().collect()
    }

    /// Whether two snapshots hold the same records and the same derived values (the
    /// incremental path must always agree with a fresh read).
    pub fn same_as(&self, other: &VillageSnapshot) -> bool {
        self.code == other.code
            && self.persons == other.persons
            && self.episodes == other.episodes
            && self.damaged == other.damaged
            && self.derived == other.derived
    }
}
