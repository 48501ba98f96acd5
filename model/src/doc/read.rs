//! Reading a village document for its snapshot: record by record, or every record in one walk
//! ([`FullRead`]); and finding which records new changes touched, from their operations.

use std::collections::{BTreeMap, HashMap};

use automerge::ObjId as ExId;
use automerge::{ActorId, ChangeHash, ObjType, Prop, ReadDoc, Value, legacy};
use autosurgeon::hydrate_prop;

use super::VillageDoc;
use crate::ids::{RecordId, VillageCode};
use crate::query::Touched;
use crate::record::{Collection, Record};

/// Which record each Automerge object of a village document belongs to.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ObjectIndex {
    /// The collections' root maps.
    collections: HashMap<(u64, ActorId), Collection>,
    /// Record maps, and objects nested in them, by object id.
    records: HashMap<(u64, ActorId), (Collection, String)>,
}

/// Where a snapshot reads records from: the document itself (a few records), or a
/// [`FullRead`] of it (every record at once).
pub(crate) trait RecordSource {
    fn code(&self) -> Option<VillageCode>;
    fn keys(&self, c: Collection) -> Vec<String>;
    /// `Ok(None)`: no such key; `Err(())`: the key holds something that is not a readable
    /// record of this kind with this id.
    fn read<R: Record + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<R>, ()>;
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool;
}

impl RecordSource for VillageDoc {
    fn code(&self) -> Option<VillageCode> {
        VillageDoc::code(self)
    }
    fn keys(&self, c: Collection) -> Vec<String> {
        match self.collection(c) {
            Some(coll) => self.doc.keys(coll).collect(),
            None => Vec::new(),
        }
    }
    fn read<R: Record + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<R>, ()> {
        self.read_record(key)
    }
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool {
        self.has_conflict_of(c, id)
    }
}

/// Every record of a document read in one walk over its current state, as field maps that
/// serde turns into records. The records' serde form is the form autosurgeon stores
/// (strings for ids, dates and enum variants; the same defaults for missing fields); a test
/// holds the two readings equal.
pub(crate) struct FullRead {
    code: Option<VillageCode>,
    /// Per collection: each key's fields, or `None` if the key does not hold a map.
    records: HashMap<Collection, BTreeMap<String, Option<serde_json::Map<String, serde_json::Value>>>>,
    conflicted: std::collections::HashSet<(Collection, String)>,
}

/// A stored field's value as the JSON that records' serde form reads: scalars as themselves,
/// a text object (how the JavaScript automerge library and many other clients store strings)
/// as its string, and anything else as a marker no record field accepts (as autosurgeon
/// refuses it).
pub(crate) fn field_json(doc: &automerge::AutoCommit, value: &Value, obj: &ExId) -> serde_json::Value {
    use automerge::ScalarValue;
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => serde_json::Value::String(s.to_string()),
            ScalarValue::Int(i) => (*i).into(),
            ScalarValue::Uint(u) => (*u).into(),
            ScalarValue::F64(f) => {
                serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            ScalarValue::Boolean(b) => serde_json::Value::Bool(*b),
            ScalarValue::Null => serde_json::Value::Null,
            // Counters, timestamps, bytes: no record field is one.
            _ => serde_json::Value::Object(Default::default()),
        },
        Value::Object(ObjType::Text) => doc.text(obj).map_or(
            serde_json::Value::Object(Default::default()),
            serde_json::Value::String,
        ),
        Value::Object(_) => serde_json::Value::Object(Default::default()),
    }
}

/// A record's map read field by field into its serde form ([`field_json`]): the reading of a
/// record another client wrote with text objects, which autosurgeon refuses.
pub(crate) fn record_json<R: Record + serde::de::DeserializeOwned>(
    doc: &automerge::AutoCommit,
    record: &ExId,
) -> Option<R> {
    let fields: serde_json::Map<String, serde_json::Value> = doc
        .map_range(record, ..)
        .map(|item| {
            let id = item.id();
            let json = field_json(doc, &Value::from(item.value), &id);
            (item.key.to_string(), json)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(fields)).ok()
}

impl FullRead {
    pub(crate) fn of(doc: &mut VillageDoc) -> Self {
        use automerge::PatchAction;
        let heads = doc.doc.get_heads();
        let mut read = FullRead {
            code: doc.code(),
            records: HashMap::new(),
            conflicted: Default::default(),
        };
        let collection_of = |p: &Prop| match p {
            Prop::Map(k) => Collection::VILLAGE.into_iter().find(|c| c.key() == k),
            Prop::Seq(_) => None,
        };
        for patch in doc.doc.diff(&[], &heads) {
            let Some(collection) = patch.path.first().and_then(|(_, p)| collection_of(p)) else {
                continue;
            };
            let records = read.records.entry(collection).or_default();
            match (patch.path.get(1), patch.path.len(), patch.action) {
                // The record itself, under its collection.
                (None, _, PatchAction::PutMap { key, value, .. }) => {
                    let is_map = matches!(value.0, Value::Object(ObjType::Map));
                    records.insert(key, is_map.then(Default::default));
                }
                // A field of a record.
                (
                    Some((_, Prop::Map(key))),
                    2,
                    PatchAction::PutMap {
                        key: field,
                        value,
                        conflict,
                    },
                ) => {
                    let json = field_json(&doc.doc, &value.0, &value.1);
                    let declared = collection.fields().contains(&field.as_str());
                    if conflict && declared {
                        read.conflicted.insert((collection, key.clone()));
                    }
                    if let Some(Some(fields)) = records.get_mut(key) {
                        fields.insert(field, json);
                    }
                }
                _ => {}
            }
        }
        read
    }

    fn read_any<R: Record + serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<R>, ()> {
        let Some(entry) = self.records.get(&R::COLLECTION).and_then(|r| r.get(key)) else {
            return Ok(None);
        };
        let fields = entry.clone().ok_or(())?;
        let record: R = serde_json::from_value(serde_json::Value::Object(fields)).map_err(|_| ())?;
        match key.parse::<RecordId>() {
            Ok(id) if record.id() == &id => Ok(Some(record)),
            _ => Err(()),
        }
    }
}

impl RecordSource for FullRead {
    fn code(&self) -> Option<VillageCode> {
        self.code.clone()
    }
    fn keys(&self, c: Collection) -> Vec<String> {
        self.records
            .get(&c)
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }
    fn read<R: Record + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<R>, ()> {
        self.read_any(key)
    }
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool {
        self.conflicted.contains(&(c, id.to_string()))
    }
}

impl VillageDoc {
    /// The records that the changes made since `heads` touched, read from those changes'
    /// operations (cost proportional to the new changes, not to the document). `index` maps
    /// Automerge objects to the record they belong to; it learns the objects the new changes
    /// create.
    pub(crate) fn touched_since(&mut self, heads: &[ChangeHash], index: &mut ObjectIndex) -> Touched {
        let mut touched = Touched::default();
        let changes: Vec<automerge::ExpandedChange> = self
            .doc
            .get_changes(heads)
            .into_iter()
            .map(|c| c.decode())
            .collect();
        for change in changes {
            for (n, op) in change.operations.iter().enumerate() {
                let id = (change.start_op.get() + n as u64, change.actor_id.clone());
                let key = match &op.key {
                    legacy::Key::Map(k) => Some(k.to_string()),
                    legacy::Key::Seq(_) => None,
                };
                let record = match &op.obj {
                    legacy::ObjectId::Root => {
                        // A root map itself (re)written: only a rival genesis or a foreign
                        // client does that.
                        if key
                            .as_deref()
                            .is_some_and(|k| Collection::VILLAGE.iter().any(|c| c.key() == k) || k == "meta")
                        {
                            touched.everything = true;
                        }
                        continue;
                    }
                    legacy::ObjectId::Id(obj) => {
                        let obj = (obj.0, obj.1.clone());
                        match index.collections.get(&obj) {
                            Some(c) => key.map(|k| (*c, k)),
                            None => match index.records.get(&obj) {
                                Some(found) => Some(found.clone()),
                                None => self.record_of(&obj),
                            },
                        }
                    }
                };
                let Some((collection, key)) = record else {
                    continue;
                };
                if matches!(op.action, legacy::OpType::Make(_)) {
                    index.records.insert(id, (collection, key.clone()));
                }
                touched.insert(collection, key);
            }
        }
        touched
    }

    /// The record an object lies in, from its path in the document (for objects created before
    /// the index knew them, e.g. text inside a record written by another client).
    fn record_of(&self, obj: &(u64, ActorId)) -> Option<(Collection, String)> {
        let exid = self.doc.import_obj(&format!("{}@{}", obj.0, obj.1)).ok()?;
        let path = self.doc.parents(&exid).ok()?.path();
        let collection = match path.first()? {
            (_, Prop::Map(top)) => Collection::VILLAGE.into_iter().find(|c| c.key() == top)?,
            _ => return None,
        };
        match path.get(1)? {
            (_, Prop::Map(key)) => Some((collection, key.clone())),
            _ => None,
        }
    }

    /// The records and fields a change wrote, from its operations' places in the document: for
    /// a change without this app's note (another client's).
    pub(crate) fn edits_of_foreign_change(&self, hash: ChangeHash) -> Vec<crate::author::RecordEdit> {
        use crate::author::{EditAction, RecordEdit};
        let Some(change) = self.doc.get_change_by_hash(&hash) else {
            return Vec::new();
        };
        let change = change.decode();
        let mut edits: Vec<RecordEdit> = Vec::new();
        for op in &change.operations {
            let legacy::ObjectId::Id(obj) = &op.obj else {
                continue;
            };
            let Ok(exid) = self.doc.import_obj(&format!("{}@{}", obj.0, obj.1)) else {
                continue;
            };
            let Ok(parents) = self.doc.parents(&exid) else {
                continue;
            };
            let mut path: Vec<String> = parents
                .path()
                .into_iter()
                .filter_map(|(_, p)| match p {
                    Prop::Map(k) => Some(k),
                    Prop::Seq(_) => None,
                })
                .collect();
            if let legacy::Key::Map(k) = &op.key {
                path.push(k.to_string());
            }
            let Some(collection) = path
                .first()
                .and_then(|top| Collection::VILLAGE.into_iter().find(|c| c.key() == top))
            else {
                continue;
            };
            let Some(Ok(id)) = path.get(1).map(|k| k.parse::<RecordId>()) else {
                continue;
            };
            let creates = path.len() == 2 && matches!(op.action, legacy::OpType::Make(_));
            let field = path.get(2).cloned();
            let at = match edits
                .iter()
                .position(|e| e.collection == collection && e.id == id)
            {
                Some(at) => at,
                None => {
                    edits.push(RecordEdit {
                        collection,
                        id,
                        action: EditAction::Update,
                        fields: Vec::new(),
                    });
                    edits.len() - 1
                }
            };
            let edit = &mut edits[at];
            if creates {
                edit.action = EditAction::Create;
            }
            if let Some(field) = field.filter(|f| !edit.fields.contains(f)) {
                edit.fields.push(field);
            }
        }
        for e in &mut edits {
            if e.action == EditAction::Create {
                e.fields.clear();
            }
        }
        edits
    }

    /// The index of the document's collections and records, for [`Self::touched_since`].
    pub(crate) fn object_index(&self) -> ObjectIndex {
        let mut index = ObjectIndex::default();
        for c in Collection::VILLAGE {
            let Some(coll) = self.collection(c) else {
                continue;
            };
            if let ExId::Id(ctr, actor, _) = &coll {
                index.collections.insert((*ctr, actor.clone()), c);
            }
            for key in self.doc.keys(&coll) {
                if let Ok(Some((_, ExId::Id(ctr, actor, _)))) = self.doc.get(&coll, key.as_str()) {
                    index.records.insert((ctr, actor), (c, key));
                }
            }
        }
        index
    }

    /// Reads one record by its key: `Ok(None)` if there is none, `Err(())` if the key holds
    /// something that is not a readable record of this kind with this id (damaged, or written
    /// by an incompatible client).
    pub(crate) fn read_record<R: Record>(&self, key: &str) -> Result<Option<R>, ()> {
        let Some(coll) = self.collection(R::COLLECTION) else {
            return Ok(None);
        };
        match self.doc.get(&coll, key) {
            Ok(None) => return Ok(None),
            Ok(Some(_)) => {}
            Err(_) => return Err(()),
        }
        let record = hydrate_prop::<_, R, _, _>(&self.doc, &coll, key)
            .ok()
            .or_else(|| {
                // Written by another client (strings as text objects)?
                let obj = super::record_obj(&self.doc, &coll, &key.parse().ok()?)?;
                record_json(&self.doc, &obj)
            });
        match (key.parse::<RecordId>(), record) {
            (Ok(id), Some(record)) if record.id() == &id => Ok(Some(record)),
            _ => Err(()),
        }
    }
}
