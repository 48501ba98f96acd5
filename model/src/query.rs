//! Reading a village: categories derived from episodes, households derived from No. KK, search
//! and counts.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::ids::{RecordId, VillageCode};
use crate::record::{EpisodeState, FamilyRelation, Household, MigrationEpisode, Person};

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

/// Every record of a village at one moment, with derived views. Built by
/// [`crate::VillageDoc::snapshot`].
#[derive(Clone, Debug)]
pub struct VillageSnapshot {
    pub code: Option<VillageCode>,
    pub persons: BTreeMap<RecordId, Person>,
    pub episodes: BTreeMap<RecordId, MigrationEpisode>,
    /// Records that could not be read (damaged or written by an incompatible client), as
    /// `collection/id`. They are left untouched in the document.
    pub damaged: Vec<String>,
    categories: HashMap<RecordId, Category>,
    episodes_by_person: HashMap<RecordId, Vec<RecordId>>,
}

impl VillageSnapshot {
    pub(crate) fn new(
        code: Option<VillageCode>,
        persons: BTreeMap<RecordId, Person>,
        episodes: BTreeMap<RecordId, MigrationEpisode>,
        damaged: Vec<String>,
    ) -> Self {
        let mut episodes_by_person: HashMap<RecordId, Vec<RecordId>> = HashMap::new();
        for e in episodes.values().filter(|e| !e.deleted) {
            episodes_by_person
                .entry(e.person.clone())
                .or_default()
                .push(e.id.clone());
        }
        for list in episodes_by_person.values_mut() {
            list.sort_by_key(|id| (episodes[id].departure_date, id.clone()));
        }
        let migrant_households: std::collections::HashSet<&str> = persons
            .values()
            .filter(|p| !p.deleted && episodes_by_person.contains_key(&p.id))
            .filter_map(|p| p.no_kk.as_deref())
            .collect();
        let categories = persons
            .values()
            .map(|p| {
                let eps = episodes_by_person
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|id| &episodes[id]);
                let family = p
                    .no_kk
                    .as_deref()
                    .is_some_and(|kk| migrant_households.contains(kk));
                (p.id.clone(), Category::derive(eps, family))
            })
            .collect();
        Self {
            code,
            persons,
            episodes,
            damaged,
            categories,
            episodes_by_person,
        }
    }

    pub fn person(&self, id: &RecordId) -> Option<&Person> {
        self.persons.get(id)
    }

    pub fn category(&self, id: &RecordId) -> Option<Category> {
        self.categories.get(id).copied()
    }

    /// A person's live episodes, oldest departure first (undated ones first).
    pub fn episodes_of(&self, person: &RecordId) -> Vec<&MigrationEpisode> {
        self.episodes_by_person
            .get(person)
            .into_iter()
            .flatten()
            .map(|id| &self.episodes[id])
            .collect()
    }

    /// Live persons matching the filter, sorted by name.
    pub fn search(&self, filter: &PersonFilter) -> Vec<&Person> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase);
        let destination = filter.destination.as_deref().map(str::to_lowercase);
        let mut out: Vec<&Person> = self
            .persons
            .values()
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
                    self.episodes_of(&p.id)
                        .iter()
                        .any(|e| e.destination_country.to_lowercase() == *d)
                })
            })
            .filter(|p| {
                text.as_ref().is_none_or(|t| {
                    p.full_name.to_lowercase().contains(t.as_str())
                        || p.nik.as_deref().is_some_and(|n| n.contains(t.as_str()))
                })
            })
            .collect();
        out.sort_by(|a, b| {
            a.full_name
                .to_lowercase()
                .cmp(&b.full_name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        out
    }

    /// Live persons per category.
    pub fn counts(&self) -> CategoryCounts {
        let mut counts = CategoryCounts::default();
        for p in self.persons.values().filter(|p| !p.deleted) {
            if let Some(c) = self.category(&p.id) {
                *counts.0.entry(c).or_default() += 1;
            }
        }
        counts
    }

    /// The households: live persons grouped by No. KK, sorted by No. KK.
    pub fn households(&self) -> Vec<Household> {
        let mut by_kk: BTreeMap<&str, Vec<&Person>> = BTreeMap::new();
        for p in self.persons.values().filter(|p| !p.deleted) {
            if let Some(kk) = p.no_kk.as_deref() {
                by_kk.entry(kk).or_default().push(p);
            }
        }
        by_kk
            .into_iter()
            .map(|(kk, members)| Household {
                no_kk: kk.to_owned(),
                head: members
                    .iter()
                    .find(|p| p.relation == Some(FamilyRelation::Head))
                    .map(|p| p.id.clone()),
                members: members.iter().map(|p| p.id.clone()).collect(),
            })
            .collect()
    }

    /// The household a person belongs to, if they have a No. KK.
    pub fn household_of(&self, person: &RecordId) -> Option<Household> {
        let kk = self.persons.get(person)?.no_kk.as_deref()?;
        self.households().into_iter().find(|h| h.no_kk == kk)
    }

    /// The distinct dusun names, sorted, for filter menus.
    pub fn dusun_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .persons
            .values()
            .filter(|p| !p.deleted)
            .filter_map(|p| p.dusun.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The distinct destination countries of live episodes, sorted.
    pub fn destinations(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .episodes
            .values()
            .filter(|e| !e.deleted)
            .map(|e| e.destination_country.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}
