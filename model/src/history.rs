//! Who changed a record, which fields, and when: read from the document's own change history,
//! where every change the model commits carries a [`ChangeNote`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::author::{Author, ChangeNote, EditAction};
use crate::doc::VillageDoc;
use crate::ids::RecordId;
use crate::record::Collection;
use automerge::ReadDoc;

/// The account named for changes made by a client other than this app.
pub const OTHER_APP: &str = "aplikasi-lain";

/// One change to one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub author: Author,
    /// Seconds since the Unix epoch, by the writing device's clock.
    pub time: i64,
    pub action: EditAction,
    /// The fields written (empty for a creation, which writes them all).
    pub fields: Vec<String>,
    /// The Automerge change that made it: the values before and after can be read at it
    /// ([`VillageDoc::values_around`]).
    pub change: Option<automerge::ChangeHash>,
    /// The file the values were imported from, if they were.
    #[serde(default)]
    pub source: Option<String>,
}

/// One field's value just before and just after a change, as stored (JSON scalars; null when
/// absent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

impl VillageDoc {
    /// The changes to one record, oldest first (in causal order: a change always comes after
    /// every change it saw).
    pub fn history(&mut self, collection: Collection, id: &RecordId) -> Vec<HistoryEntry> {
        let metas: Vec<automerge::ChangeMetadata<'static>> = self
            .automerge()
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| m.into_owned())
            .collect();
        metas
            .into_iter()
            .filter_map(|meta| {
                let note = self.note_of(&meta)?;
                let time = meta.timestamp;
                let entries: Vec<HistoryEntry> = note
                    .edits
                    .into_iter()
                    .filter(|e| e.collection == collection && &e.id == id)
                    .map(|e| HistoryEntry {
                        author: note.by.clone(),
                        time,
                        action: e.action,
                        fields: e.fields,
                        change: Some(meta.hash),
                        source: note.source.clone(),
                    })
                    .collect();
                Some(entries)
            })
            .flatten()
            .collect()
    }

    /// Who made a change and what it edited: its note, or for a change another client made
    /// (no note: the JavaScript automerge library, a script) the records and fields its
    /// operations wrote, by "another app" and the change's actor.
    fn note_of(&self, meta: &automerge::ChangeMetadata<'_>) -> Option<ChangeNote> {
        if let Some(note) = meta.message.as_deref().and_then(ChangeNote::from_message) {
            return Some(note);
        }
        if matches!(meta.message.as_deref(), Some("genesis" | "pillars")) {
            return None;
        }
        let edits = self.edits_of_foreign_change(meta.hash);
        let actor = meta.actor.to_hex_string();
        (!edits.is_empty()).then(|| ChangeNote {
            by: Author::new(OTHER_APP, actor.get(..8).unwrap_or(&actor)),
            edits,
            source: None,
        })
    }

    /// What a change did to the given fields of a record: each field's value just before it
    /// (at the change's dependencies) and just after it. Empty if the change is not in this
    /// document.
    pub fn values_around(
        &mut self,
        collection: Collection,
        id: &RecordId,
        change: automerge::ChangeHash,
        fields: &[String],
    ) -> Vec<FieldChange> {
        let Some(deps) = self.automerge().get_change_meta_by_hash(&change).map(|m| m.deps) else {
            return Vec::new();
        };
        let doc = self.doc();
        let value_at = |heads: &[automerge::ChangeHash], field: &str| {
            let Ok(Some((_, records))) = doc.get_at(automerge::ROOT, collection.key(), heads) else {
                return serde_json::Value::Null;
            };
            let Ok(Some((_, record))) = doc.get_at(&records, id.to_string(), heads) else {
                return serde_json::Value::Null;
            };
            match doc.get_at(&record, field, heads) {
                Ok(Some((automerge::Value::Scalar(v), _))) => crate::conflict::scalar_json(&v),
                _ => serde_json::Value::Null,
            }
        };
        fields
            .iter()
            .map(|f| FieldChange {
                field: f.clone(),
                before: value_at(&deps, f),
                after: value_at(&[change], f),
            })
            .collect()
    }

    /// The changes that wrote one field of a record, oldest first. A creation counts as
    /// writing every field.
    pub fn field_history(&mut self, collection: Collection, id: &RecordId, field: &str) -> Vec<HistoryEntry> {
        self.history(collection, id)
            .into_iter()
            .filter(|e| e.action == EditAction::Create || e.fields.iter().any(|f| f == field))
            .collect()
    }

    /// The most recent changes to any record, newest first, at most `limit`: the village home
    /// screen's "recent changes".
    pub fn recent_changes(&mut self, limit: usize) -> Vec<(Collection, RecordId, HistoryEntry)> {
        self.recent_changes_since(&[], limit)
    }

    /// As [`Self::recent_changes`], among the changes made since `heads` only (cheap when few
    /// changes are new: a screen keeps its list and adds what arrived).
    pub fn recent_changes_since(
        &mut self,
        heads: &[automerge::ChangeHash],
        limit: usize,
    ) -> Vec<(Collection, RecordId, HistoryEntry)> {
        let mut all = self.edits_since(heads);
        all.reverse();
        all.truncate(limit);
        all
    }

    /// Every record edit in the changes made since `heads` (all of them for no heads), oldest
    /// first in causal order.
    pub fn edits_since(
        &mut self,
        heads: &[automerge::ChangeHash],
    ) -> Vec<(Collection, RecordId, HistoryEntry)> {
        let metas: Vec<automerge::ChangeMetadata<'static>> = self
            .automerge()
            .get_changes_meta(heads)
            .into_iter()
            .map(|m| m.into_owned())
            .collect();
        metas
            .into_iter()
            .filter_map(|meta| {
                let note = self.note_of(&meta)?;
                let time = meta.timestamp;
                Some(
                    note.edits
                        .into_iter()
                        .map(|e| {
                            let entry = HistoryEntry {
                                author: note.by.clone(),
                                time,
                                action: e.action,
                                fields: e.fields,
                                change: Some(meta.hash),
                                source: note.source.clone(),
                            };
                            (e.collection, e.id, entry)
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .flatten()
            .collect()
    }
}

/// The history of every record, read once from the change notes and then extended with the
/// edits of new changes: a record's history is a lookup, not a walk over the document's whole
/// history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryIndex {
    by_record: HashMap<(Collection, RecordId), Vec<HistoryEntry>>,
}

impl HistoryIndex {
    /// Adds edits, oldest first, that happened after every edit already held.
    pub fn extend(&mut self, edits: impl IntoIterator<Item = (Collection, RecordId, HistoryEntry)>) {
        for (collection, id, entry) in edits {
            self.by_record.entry((collection, id)).or_default().push(entry);
        }
    }

    /// When a record was last changed (seconds since the Unix epoch), if it ever was.
    pub fn last_time(&self, collection: Collection, id: &RecordId) -> Option<i64> {
        self.of(collection, id).iter().map(|e| e.time).max()
    }

    /// One record's changes, oldest first.
    pub fn of(&self, collection: Collection, id: &RecordId) -> &[HistoryEntry] {
        self.by_record
            .get(&(collection, id.clone()))
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Person, VillageDoc};

    #[test]
    fn history_names_author_device_fields_and_time() {
        let code = "35.07.11.2008".parse().unwrap();
        let ani = Author::new("desa-arjowilangun", "hp-ani");
        let dinas = Author::new("disnaker-malang", "pc-kantor");
        let mut doc = VillageDoc::genesis(&code);
        let p = Person::new(RecordId::random(), "Siti");
        let id = doc.create(p.clone(), &ani, 100).unwrap();
        let mut q = p.clone();
        q.phone = Some("081234567890".into());
        q.dusun = Some("Krajan".into());
        doc.update(&p, &q, &dinas, 200).unwrap();
        // An unchanged save commits nothing.
        assert!(doc.update(&q, &q, &ani, 250).unwrap().is_empty());
        doc.delete::<Person>(&id, &ani, 300).unwrap();

        let h = doc.history(Collection::Persons, &id);
        assert_eq!(h.len(), 3);
        assert_eq!(
            (h[0].action, &h[0].author, h[0].time),
            (EditAction::Create, &ani, 100)
        );
        assert_eq!(
            (h[1].action, &h[1].author, h[1].time),
            (EditAction::Update, &dinas, 200)
        );
        let mut fields = h[1].fields.clone();
        fields.sort();
        assert_eq!(fields, vec!["dusun", "phone"]);
        assert_eq!(h[2].action, EditAction::Delete);

        // Old → new, read at the change that made the edit.
        let around = doc.values_around(
            Collection::Persons,
            &id,
            h[1].change.unwrap(),
            &["phone".into(), "full_name".into()],
        );
        assert_eq!(around[0].before, serde_json::Value::Null);
        assert_eq!(around[0].after, serde_json::json!("081234567890"));
        assert_eq!(around[1].before, serde_json::json!("Siti"));
        assert_eq!(around[1].after, serde_json::json!("Siti"));
        let created = doc.values_around(
            Collection::Persons,
            &id,
            h[0].change.unwrap(),
            &["full_name".into()],
        );
        assert_eq!(
            (created[0].before.clone(), created[0].after.clone()),
            (serde_json::Value::Null, serde_json::json!("Siti"))
        );

        let phone = doc.field_history(Collection::Persons, &id, "phone");
        assert_eq!(phone.len(), 2);
        assert_eq!(phone[1].author, dinas);
        assert_eq!(doc.field_history(Collection::Persons, &id, "nik").len(), 1);

        let recent = doc.recent_changes(2);
        assert_eq!(recent.len(), 2);
        assert_eq!(recent[0].2.action, EditAction::Delete);
    }
}
