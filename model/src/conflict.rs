//! Concurrent edits of the same field. Automerge keeps every value that two devices wrote to one
//! field without seeing each other; the document shows one of them (the same one everywhere)
//! and this module shows them all, with who wrote each, and lets a person choose.

use automerge::ObjId as ExId;
use automerge::transaction::Transactable;
use automerge::{ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::author::{Author, ChangeNote, EditAction, RecordEdit};
use crate::doc::VillageDoc;
use crate::ids::RecordId;
use crate::record::{Collection, Record};

/// One of the values competing for a field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompetingValue {
    /// The value as text (`null` for an emptied field).
    pub value: serde_json::Value,
    /// Who wrote it, if the change says.
    pub author: Option<Author>,
    /// When, in seconds since the Unix epoch, as the writing device's clock said.
    pub time: i64,
    /// Identifies this value when resolving.
    pub choice: String,
}

/// A field with more than one current value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub field: String,
    /// The value the document shows now comes first.
    pub values: Vec<CompetingValue>,
}

pub(crate) fn scalar_json(v: &ScalarValue) -> serde_json::Value {
    match v {
        ScalarValue::Str(s) => serde_json::Value::String(s.to_string()),
        ScalarValue::Boolean(b) => serde_json::Value::Bool(*b),
        ScalarValue::Int(i) => (*i).into(),
        ScalarValue::Uint(u) => (*u).into(),
        ScalarValue::F64(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
        }
        _ => serde_json::Value::Null,
    }
}

impl VillageDoc {
    /// Every field of the record that holds concurrent values, with each value's author and
    /// time. Empty when the record has no conflict (or does not exist).
    pub fn conflicts<R: Record>(&self, id: &RecordId) -> Vec<FieldConflict> {
        self.conflicts_in(R::COLLECTION, id)
    }

    /// [`Self::conflicts`] for a record of a collection.
    pub fn conflicts_in(&self, collection: Collection, id: &RecordId) -> Vec<FieldConflict> {
        let Some(obj) = self.obj_of(collection, id) else {
            return Vec::new();
        };
        let doc = self.doc();
        let mut out = Vec::new();
        for field in collection.fields().iter().copied() {
            if collection.is_derived(field) {
                continue;
            }
            let all = doc.get_all(&obj, field).unwrap_or_default();
            if all.len() < 2 {
                continue;
            }
            let values = all
                .iter()
                .rev()
                .map(|(value, opid)| {
                    let (author, time) = self.author_of(opid);
                    CompetingValue {
                        value: match value {
                            Value::Scalar(s) => scalar_json(s),
                            Value::Object(_) => serde_json::Value::Null,
                        },
                        author,
                        time,
                        choice: opid.to_string(),
                    }
                })
                .collect();
            out.push(FieldConflict {
                field: field.to_string(),
                values,
            });
        }
        out
    }

    /// Whether any field of the record holds concurrent values (cheaper than [`Self::conflicts`]).
    pub fn has_conflict<R: Record>(&self, id: &RecordId) -> bool {
        self.has_conflict_of(R::COLLECTION, id)
    }

    /// [`Self::has_conflict`] for a record of a collection.
    pub fn has_conflict_of(&self, c: Collection, id: &RecordId) -> bool {
        let Some(obj) = self.obj_of(c, id) else {
            return false;
        };
        c.fields()
            .iter()
            .filter(|f| !c.is_derived(f))
            .any(|f| self.doc().get_all(&obj, *f).map(|v| v.len() > 1).unwrap_or(false))
    }

    fn author_of(&self, opid: &ExId) -> (Option<Author>, i64) {
        let doc = self.doc();
        let Some(hash) = doc.hash_for_opid(opid) else {
            return (None, 0);
        };
        match doc.get_change_by_hash(&hash) {
            Some(change) => (
                change.message().and_then(ChangeNote::from_message).map(|n| n.by),
                change.timestamp(),
            ),
            None => (None, 0),
        }
    }

    /// Ends a conflict by writing the chosen competing value again, in a new change that sees
    /// (and so supersedes) every competing value. Every device that receives the change shows
    /// the chosen value and no conflict.
    pub fn resolve<R: Record>(
        &mut self,
        id: &RecordId,
        field: &str,
        choice: &str,
        by: &Author,
        now: i64,
    ) -> Result<(), ModelError> {
        self.resolve_in(R::COLLECTION, id, field, choice, by, now)
    }

    /// [`Self::resolve`] for a record of a collection.
    pub fn resolve_in(
        &mut self,
        collection: Collection,
        id: &RecordId,
        field: &str,
        choice: &str,
        by: &Author,
        now: i64,
    ) -> Result<(), ModelError> {
        let obj = self
            .obj_of(collection, id)
            .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))?;
        let no_such = || ModelError::NoSuchValue {
            id: id.clone(),
            field: field.to_string(),
            choice: choice.to_string(),
        };
        let field = collection
            .fields()
            .iter()
            .copied()
            .find(|f| *f == field)
            .ok_or_else(no_such)?;
        let chosen = self
            .doc()
            .get_all(&obj, field)?
            .into_iter()
            .find(|(_, opid)| opid.to_string() == choice)
            .ok_or_else(no_such)?;
        match chosen.0 {
            Value::Scalar(s) => {
                let s = s.into_owned();
                // A field computed from this one follows the chosen value (and so stops
                // holding concurrent values too).
                if let Some(derived) = collection.derived_from(field) {
                    let value = match &s {
                        ScalarValue::Str(source) => (derived.derive)(source),
                        _ => None,
                    };
                    match value {
                        Some(v) => self.doc_mut().put(&obj, derived.field, v)?,
                        None => self.doc_mut().put(&obj, derived.field, ScalarValue::Null)?,
                    }
                }
                self.doc_mut().put(&obj, field, s)?;
            }
            Value::Object(_) => return Err(no_such()),
        }
        self.commit_note(
            by,
            now,
            vec![RecordEdit {
                collection,
                id: id.clone(),
                action: EditAction::Resolve,
                fields: vec![field.to_string()],
            }],
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Person, VillageDoc};

    #[test]
    fn concurrent_values_are_all_shown_and_resolution_ends_the_conflict_everywhere() {
        let code = "35.07.11.2008".parse().unwrap();
        let (ani, budi) = (Author::new("desa", "hp-ani"), Author::new("desa", "hp-budi"));
        let mut a = VillageDoc::genesis(&code);
        let p = Person::new(RecordId::random(), "Siti");
        let id = a.create(p.clone(), &ani, 10).unwrap();
        let mut b = VillageDoc::load(&a.save()).unwrap();

        let mut pa = p.clone();
        pa.phone = Some("081111111111".into());
        a.update(&p, &pa, &ani, 20).unwrap();
        let mut pb = p.clone();
        pb.phone = Some("082222222222".into());
        b.update(&p, &pb, &budi, 30).unwrap();

        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let ca = a.conflicts::<Person>(&id);
        assert_eq!(ca, b.conflicts::<Person>(&id));
        assert_eq!(ca.len(), 1);
        assert_eq!(ca[0].field, "phone");
        let mut seen: Vec<_> = ca[0]
            .values
            .iter()
            .map(|v| (v.value.clone(), v.author.clone().unwrap(), v.time))
            .collect();
        seen.sort_by_key(|s| s.2);
        assert_eq!(
            seen,
            vec![
                (serde_json::json!("081111111111"), ani.clone(), 20),
                (serde_json::json!("082222222222"), budi.clone(), 30),
            ]
        );
        // The shown value is listed first and is what the record reads.
        let shown = a.get::<Person>(&id).unwrap().phone.unwrap();
        assert_eq!(ca[0].values[0].value, serde_json::json!(shown));
        assert!(a.has_conflict::<Person>(&id));

        // Budi chooses Ani's number on his phone.
        let choice = ca[0]
            .values
            .iter()
            .find(|v| v.author.as_ref() == Some(&ani))
            .unwrap()
            .choice
            .clone();
        b.resolve::<Person>(&id, "phone", &choice, &budi, 40).unwrap();
        assert!(b.conflicts::<Person>(&id).is_empty());
        a.merge(&mut b).unwrap();
        assert!(a.conflicts::<Person>(&id).is_empty());
        assert_eq!(
            a.get::<Person>(&id).unwrap().phone.as_deref(),
            Some("081111111111")
        );

        // A choice that is not among the values changes nothing.
        let heads = a.automerge().get_heads();
        assert!(matches!(
            a.resolve::<Person>(&id, "phone", "7@00ff", &ani, 50),
            Err(ModelError::NoSuchValue { .. })
        ));
        assert!(matches!(
            a.resolve::<Person>(&id, "no_such_field", &choice, &ani, 50),
            Err(ModelError::NoSuchValue { .. })
        ));
        assert_eq!(a.automerge().get_heads(), heads);
    }
}
