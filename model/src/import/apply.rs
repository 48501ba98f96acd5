//! Writing an import's preview into a village document.

use super::{Applied, Preview, Target};
use crate::ids::RecordId;
use crate::records::{MigrationEpisode, Person};

impl crate::VillageDoc {
    /// Writes what `preview` shows, as one change whose note names `file`: the new persons and
    /// their stays, and for matched persons the differences `take(row, field)` accepts and
    /// their new stays. All or nothing: if any record is refused, nothing is written.
    pub fn apply_import(
        &mut self,
        preview: &Preview,
        take: impl Fn(usize, Target) -> bool,
        file: &str,
        by: &crate::Author,
        now: i64,
    ) -> Result<Applied, crate::ModelError> {
        use crate::author::{ChangeNote, EditAction, RecordEdit};
        use crate::record::{Collection, Record};
        let mut edits: Vec<RecordEdit> = Vec::new();
        let mut applied = Applied::default();
        let edit = |collection, id: &RecordId, action, fields: Vec<&str>| RecordEdit {
            collection,
            id: id.clone(),
            action,
            fields: fields.into_iter().map(str::to_owned).collect(),
        };
        let result = (|| -> Result<(), crate::ModelError> {
            let persons = self.ensure_collection(Collection::Persons)?;
            let episodes = self.ensure_collection(Collection::Episodes)?;
            let create_episode = |doc: &mut automerge::AutoCommit, e: &MigrationEpisode| {
                crate::doc::check(e)?;
                crate::doc::write_new(doc, &episodes, e)?;
                Ok::<_, crate::ModelError>(edit(Collection::Episodes, &e.id, EditAction::Create, vec![]))
            };
            for (_, person, episode) in &preview.new_persons {
                crate::doc::check(person)?;
                let doc = self.doc_mut();
                crate::doc::write_new(doc, &persons, person)?;
                edits.push(edit(Collection::Persons, &person.id, EditAction::Create, vec![]));
                applied.persons_created += 1;
                if let Some(e) = episode {
                    edits.push(create_episode(doc, e)?);
                    applied.episodes_created += 1;
                }
            }
            for m in &preview.matched {
                let current: Person = self.get(&m.person)?;
                let mut next =
                    serde_json::to_value(&current).map_err(|_| crate::ModelError::Invalid(Vec::new()))?;
                let imported =
                    serde_json::to_value(&m.imported).map_err(|_| crate::ModelError::Invalid(Vec::new()))?;
                for d in m.differences.iter().filter(|d| take(m.line, d.field)) {
                    next[d.field.key()] = imported[d.field.key()].clone();
                }
                let next: Person =
                    serde_json::from_value(next).map_err(|_| crate::ModelError::Invalid(Vec::new()))?;
                let fields = next.changed_fields(&current);
                if !fields.is_empty() {
                    crate::doc::check(&next)?;
                    let obj = self
                        .obj_of(Collection::Persons, &m.person)
                        .ok_or_else(|| crate::ModelError::NoSuchRecord(m.person.clone()))?;
                    for f in &fields {
                        next.reconcile_field(self.doc_mut(), &obj, f)?;
                    }
                    edits.push(edit(Collection::Persons, &m.person, EditAction::Update, fields));
                    applied.persons_updated += 1;
                }
                if let Some(e) = &m.episode {
                    edits.push(create_episode(self.doc_mut(), e)?);
                    applied.episodes_created += 1;
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            self.doc_mut().rollback();
            return Err(e);
        }
        if !edits.is_empty() {
            let note = ChangeNote {
                by: by.clone(),
                edits,
                source: Some(file.to_owned()),
            };
            crate::doc::commit_noted(self.doc_mut(), &note, now);
        }
        Ok(applied)
    }
}
