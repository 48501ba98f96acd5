//! Bringing a [`VillageSnapshot`] up to date record by record: re-read what changes touched,
//! recompute derived values for the persons and households involved only.

use std::collections::{BTreeMap, BTreeSet};

use super::{Category, Refreshed, Touched, VillageSnapshot};
use crate::doc::{FullRead, RecordSource, VillageDoc};
use crate::ids::RecordId;
use crate::record::{Collection, Person};

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
    /// Brings the snapshot up to date with every change `doc` received or made since the
    /// snapshot was built or last refreshed. Only the records the changes touched are read
    /// again; the cost follows the size of the changes, not of the village.
    pub fn refresh(&mut self, doc: &mut VillageDoc) -> Refreshed {
        let heads = doc.automerge().get_heads();
        let Some(touched) = self.touched_by(doc, &heads) else {
            return Refreshed::default();
        };
        self.heads = Some(heads);
        let refreshed = if self.walk_is_cheaper(&touched) {
            self.apply(&FullRead::of(doc), &touched)
        } else {
            self.apply(&*doc, &touched)
        };
        if touched.everything {
            self.index = doc.object_index();
        }
        refreshed
    }

    /// Whether reading the whole document in one walk ([`FullRead`]) and taking the touched
    /// records from it costs less than reading them one by one: when they are more than a
    /// quarter of what the document will hold (an import, a first download). Measured natively
    /// (BENCHMARKS.md, session 11): one by one ≈ 0.28 ms a record, the walk ≈ 0.04 ms a record
    /// of the whole document.
    pub(super) fn walk_is_cheaper(&self, touched: &Touched) -> bool {
        let known = self.persons.len() + self.episodes.len();
        touched.everything || touched.len() * 4 > known + touched.len()
    }

    /// The records changes made since the snapshot's heads touched, up to `heads` (every
    /// record if the snapshot cannot be resumed); `None` if the snapshot is already there.
    pub(super) fn touched_by(
        &mut self,
        doc: &mut VillageDoc,
        heads: &[automerge::ChangeHash],
    ) -> Option<Touched> {
        let resumable = self.can_resume(doc);
        Some(match &self.heads {
            Some(known) if *known == heads => return None,
            Some(known) if resumable => doc.touched_since(&known.clone(), &mut self.index),
            _ => Touched {
                everything: true,
                ..Touched::default()
            },
        })
    }

    /// Whether the snapshot reflects a state `doc` contains, so that [`Self::refresh`] reads
    /// only the changes made since (a snapshot stored on the device may be newer than the
    /// changes that were stored, if the app was closed in between: then it must not be used).
    pub fn can_resume(&self, doc: &mut VillageDoc) -> bool {
        self.heads.as_ref().is_some_and(|heads| {
            heads
                .iter()
                .all(|h| doc.automerge().get_change_by_hash(h).is_some())
        })
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
            let pillars = Collection::PILLARS
                .into_iter()
                .chain(Collection::DECISIONS)
                .map(|c| {
                    let keys: BTreeSet<String> = doc
                        .keys(c)
                        .into_iter()
                        .chain(self.pillars.keys(c))
                        .chain(self.damaged_keys(c))
                        .collect();
                    (c, keys)
                })
                .filter(|(_, keys)| !keys.is_empty())
                .collect();
            let all = Touched {
                persons: keys_p,
                episodes: keys_e,
                pillars,
                everything: false,
            };
            self.code = doc.code();
            return self.apply(doc, &all);
        }
        let mut out = Refreshed::default();
        for (c, keys) in &touched.pillars {
            for key in keys {
                if let Some(id) = self.apply_pillar(doc, *c, key) {
                    out.pillars.insert((*c, id));
                }
            }
        }
        // Persons and households whose derived values must be recomputed.
        let mut persons: BTreeSet<RecordId> = BTreeSet::new();
        let mut households: BTreeSet<String> = BTreeSet::new();

        for key in &touched.episodes {
            let read = doc.read::<crate::record::MigrationEpisode>(key);
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
            let read = doc.read::<Person>(key);
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
    pub(super) fn set_damaged(&mut self, c: Collection, key: &str, damaged: bool) {
        let label = format!("{}/{key}", c.key());
        match (damaged, self.damaged.binary_search(&label)) {
            (true, Err(at)) => self.damaged.insert(at, label),
            (false, Ok(at)) => {
                self.damaged.remove(at);
            }
            _ => {}
        }
    }

    pub(super) fn set_conflicted(&mut self, c: Collection, id: &RecordId, conflict: bool) -> bool {
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
}
