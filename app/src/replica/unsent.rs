//! Which records' changes have not reached the relay yet, for the list of unsent persons.

use super::Replica;

impl Replica {
    /// The persons of a document with changes the relay has not confirmed (an edit of one of
    /// their stays abroad counts for the person), from the changes' notes.
    pub fn unsent_persons(&mut self, doc: &str) -> std::collections::BTreeSet<desmigratif_model::RecordId> {
        use desmigratif_model::{ChangeNote, Collection};
        let Some(d) = self.docs.get_mut(doc).filter(|d| d.writable && d.loaded) else {
            return Default::default();
        };
        let shared = d.sync.shared_heads.clone();
        let edits: Vec<(Collection, desmigratif_model::RecordId)> = d
            .automerge
            .get_changes_meta(&shared)
            .into_iter()
            .filter_map(|m| ChangeNote::from_message(m.message.as_deref()?))
            .flat_map(|n| n.edits.into_iter().map(|e| (e.collection, e.id)))
            .collect();
        let snapshot = d.view.as_ref().map(|v| &v.snapshot);
        edits
            .into_iter()
            .filter_map(|(c, id)| match c {
                Collection::Persons => Some(id),
                Collection::Episodes => snapshot?.episodes.get(&id).map(|e| e.person.clone()),
                _ => None,
            })
            .collect()
    }
}
