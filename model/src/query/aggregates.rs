//! Figures for partners (a bank, an association): persons counted by category, destination
//! country and sex, with small cells suppressed so that no one can be singled out. Partners
//! receive these and nothing else: no document, name, NIK or record id.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::query::{Category, VillageSnapshot};
use crate::record::{EpisodeState, Sex};

/// Cells counting fewer persons than this are shown as "<5".
pub const SUPPRESS_BELOW: usize = 5;

/// One cell of the partner table: how many live persons of a category, destination and sex.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    pub category: Category,
    /// The country of the stay that gives the category (abroad now, planned, or the last one
    /// returned from); empty for categories without one.
    pub country: String,
    pub sex: Option<Sex>,
}

/// A cell's count as a partner sees it: a number, `"<5"` for fewer than [`SUPPRESS_BELOW`]
/// persons, or `"*"` for a cell hidden so that the table's total cannot give a small one away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Shown {
    Count(usize),
    Hidden(&'static str),
}

impl VillageSnapshot {
    /// Every live person counted under their category, destination and sex.
    pub fn partner_cells(&self) -> BTreeMap<CellKey, usize> {
        let mut cells = BTreeMap::new();
        for p in self.persons.values().filter(|p| !p.deleted) {
            let Some(category) = self.category(&p.id) else {
                continue;
            };
            let wanted: &[EpisodeState] = match category {
                Category::Pmi => &[EpisodeState::Abroad, EpisodeState::Missing],
                Category::Cpmi => &[EpisodeState::Planned],
                Category::PurnaPmi => &[EpisodeState::Returned],
                _ => &[],
            };
            let country = self
                .episodes_of(&p.id)
                .into_iter()
                .rev()
                .find(|e| wanted.contains(&e.state))
                .map(|e| {
                    e.destination_country
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            *cells
                .entry(CellKey {
                    category,
                    country,
                    sex: p.sex,
                })
                .or_default() += 1;
        }
        cells
    }
}

/// Suppresses one table's small cells: every cell under [`SUPPRESS_BELOW`] (empty cells are left
/// out), and where exactly one cell is small, also the smallest other one, so the table's total
/// (which partners see) cannot give the small cell away by subtraction.
pub fn suppress<K: Ord + Clone>(cells: &BTreeMap<K, usize>) -> BTreeMap<K, Shown> {
    let small: Vec<&K> = cells
        .iter()
        .filter(|(_, n)| **n > 0 && **n < SUPPRESS_BELOW)
        .map(|(k, _)| k)
        .collect();
    let second = if small.len() == 1 {
        cells
            .iter()
            .filter(|(_, n)| **n >= SUPPRESS_BELOW)
            .min_by_key(|(_, n)| **n)
            .map(|(k, _)| k)
    } else {
        None
    };
    cells
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| {
            let shown = if small.contains(&k) {
                Shown::Hidden("<5")
            } else if second == Some(k) {
                Shown::Hidden("*")
            } else {
                Shown::Count(*n)
            };
            (k.clone(), shown)
        })
        .collect()
}
