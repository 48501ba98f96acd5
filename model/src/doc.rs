//! The village document: one Automerge document per village holding its persons and migration
//! episodes, each in a root map keyed by record id.
//!
//! Layout (`schema` 1):
//!
//! ```text
//! { meta: { kind: "village", code: "35.07.11.2008", schema: 1 },
//!   persons:  { <id>: { id, full_name, nik, ..., deleted } },
//!   episodes: { <id>: { id, person, destination_country, ..., deleted } } }
//! ```

use automerge::ObjId as ExId;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, Prop, ROOT, ReadDoc, ScalarValue, Value, legacy,
};
use std::collections::{BTreeMap, HashMap};

use autosurgeon::{hydrate_prop, reconcile_prop};
use sha2::{Digest, Sha256};

use crate::ModelError;
use crate::author::{Author, ChangeNote, EditAction, RecordEdit};
use crate::ids::{RecordId, VillageCode};
use crate::query::Touched;
use crate::record::{Collection, MigrationEpisode, Person, Record};
use crate::validate::{self, Severity};

/// Which record each Automerge object of a village document belongs to.
#[derive(Clone, Debug, Default)]
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
    fn read_person(&self, key: &str) -> Result<Option<Person>, ()>;
    fn read_episode(&self, key: &str) -> Result<Option<MigrationEpisode>, ()>;
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool;
}

impl RecordSource for VillageDoc {
    fn code(&self) -> Option<VillageCode> {
        VillageDoc::code(self)
    }
    fn keys(&self, c: Collection) -> Vec<String> {
        self.doc.keys(self.collection(c)).collect()
    }
    fn read_person(&self, key: &str) -> Result<Option<Person>, ()> {
        self.read_record(key)
    }
    fn read_episode(&self, key: &str) -> Result<Option<MigrationEpisode>, ()> {
        self.read_record(key)
    }
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool {
        match c {
            Collection::Persons => self.has_conflict::<Person>(id),
            Collection::Episodes => self.has_conflict::<MigrationEpisode>(id),
        }
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

impl FullRead {
    fn of(doc: &mut VillageDoc) -> Self {
        use automerge::{PatchAction, ScalarValue};
        let heads = doc.doc.get_heads();
        let mut read = FullRead {
            code: doc.code(),
            records: HashMap::new(),
            conflicted: Default::default(),
        };
        let collection_of = |p: &Prop| match p {
            Prop::Map(k) => Collection::ALL.into_iter().find(|c| c.key() == k),
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
                    let json = match value.0 {
                        Value::Scalar(s) => match s.as_ref() {
                            ScalarValue::Str(s) => serde_json::Value::String(s.to_string()),
                            ScalarValue::Int(i) => (*i).into(),
                            ScalarValue::Uint(u) => (*u).into(),
                            ScalarValue::F64(f) => serde_json::Number::from_f64(*f)
                                .map_or(serde_json::Value::Null, serde_json::Value::Number),
                            ScalarValue::Boolean(b) => serde_json::Value::Bool(*b),
                            ScalarValue::Null => serde_json::Value::Null,
                            // Counters, timestamps, bytes: no record field is one.
                            _ => serde_json::Value::Object(Default::default()),
                        },
                        // Text, lists, maps inside a record: autosurgeon refuses them for the
                        // fields records have, and so does serde with this marker.
                        Value::Object(_) => serde_json::Value::Object(Default::default()),
                    };
                    let declared = match collection {
                        Collection::Persons => Person::FIELDS.contains(&field.as_str()),
                        Collection::Episodes => MigrationEpisode::FIELDS.contains(&field.as_str()),
                    };
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

    fn read<R: Record + serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<R>, ()> {
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
    fn read_person(&self, key: &str) -> Result<Option<Person>, ()> {
        self.read(key)
    }
    fn read_episode(&self, key: &str) -> Result<Option<MigrationEpisode>, ()> {
        self.read(key)
    }
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool {
        self.conflicted.contains(&(c, id.to_string()))
    }
}

/// The schema version this build writes.
pub const SCHEMA: u64 = 1;

/// An open village document and the operations a field worker performs on it.
///
/// Every operation commits one change whose message is a [`ChangeNote`] naming its author.
#[derive(Debug, Clone)]
pub struct VillageDoc {
    doc: AutoCommit,
}

/// Builds the first change of a document so that every device builds exactly the same one:
/// same actor (derived from the document's code), same time (0), same content. Devices that
/// start a document offline therefore share its root maps instead of creating rival ones that
/// would hide each other's records after a merge.
pub(crate) fn genesis(kind: &str, code: &str, collections: &[&str]) -> AutoCommit {
    let actor = Sha256::digest(format!("desmigratif/genesis/{kind}/{code}").as_bytes());
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&actor[..16]));
    let meta = doc
        .put_object(ROOT, "meta", ObjType::Map)
        .expect("fresh document");
    doc.put(&meta, "kind", kind).expect("fresh document");
    doc.put(&meta, "code", code).expect("fresh document");
    doc.put(&meta, "schema", SCHEMA).expect("fresh document");
    for c in collections {
        doc.put_object(ROOT, *c, ObjType::Map).expect("fresh document");
    }
    doc.commit_with(CommitOptions::default().with_message("genesis").with_time(0));
    doc.set_actor(ActorId::random());
    doc
}

/// Loads a document and checks that its `meta.kind` is `kind`. The loaded document gets a
/// fresh random actor, so two tabs or devices never write as the same actor.
pub(crate) fn load_kind(bytes: &[u8], kind: &'static str) -> Result<AutoCommit, ModelError> {
    let doc = AutoCommit::load(bytes).map_err(|e| ModelError::Load(Box::new(e)))?;
    let found = meta_str(&doc, "kind");
    if found.as_deref() != Some(kind) {
        return Err(ModelError::WrongKind { expected: kind });
    }
    Ok(doc)
}

pub(crate) fn meta_str(doc: &AutoCommit, key: &str) -> Option<String> {
    let (_, meta) = doc.get(ROOT, "meta").ok()??;
    match doc.get(&meta, key).ok()?? {
        (Value::Scalar(s), _) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn root_map(doc: &AutoCommit, key: &str) -> Option<ObjId> {
    match doc.get(ROOT, key).ok()?? {
        (Value::Object(ObjType::Map), id) => Some(id),
        _ => None,
    }
}

impl VillageDoc {
    /// A new, empty document for a village: the deterministic genesis change only.
    pub fn genesis(code: &VillageCode) -> Self {
        let keys: Vec<&str> = Collection::ALL.iter().map(|c| c.key()).collect();
        Self {
            doc: genesis("village", code.as_str(), &keys),
        }
    }

    /// Loads a saved document (or a concatenation of saved changes).
    pub fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        Ok(Self {
            doc: load_kind(bytes, "village")?,
        })
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The village code written in the document's genesis change.
    pub fn code(&self) -> Option<VillageCode> {
        meta_str(&self.doc, "code")?.parse().ok()
    }

    /// Applies every change of `other` that this document lacks.
    pub fn merge(&mut self, other: &mut VillageDoc) -> Result<(), ModelError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// The underlying Automerge document, for syncing and storage.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Whether an Automerge document is a village document (check before
    /// [`Self::from_automerge`], which consumes the document).
    pub fn is_village(doc: &AutoCommit) -> bool {
        meta_str(doc, "kind").as_deref() == Some("village")
    }

    /// Wraps an Automerge document received from elsewhere (a sync peer).
    pub fn from_automerge(doc: AutoCommit) -> Result<Self, ModelError> {
        if !Self::is_village(&doc) {
            return Err(ModelError::WrongKind { expected: "village" });
        }
        Ok(Self { doc })
    }

    fn collection(&self, c: Collection) -> ObjId {
        root_map(&self.doc, c.key()).expect("a village document has its root maps from genesis")
    }

    fn record_obj(&self, c: Collection, id: &RecordId) -> Option<ObjId> {
        match self.doc.get(self.collection(c), id.as_str()).ok()?? {
            (Value::Object(ObjType::Map), obj) => Some(obj),
            _ => None,
        }
    }

    /// Reads one record as it stands now.
    pub fn get<R: Record>(&self, id: &RecordId) -> Result<R, ModelError> {
        hydrate_prop::<_, Option<R>, _, _>(&self.doc, self.collection(R::COLLECTION), id.as_str())
            .ok()
            .flatten()
            .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))
    }

    fn commit(&mut self, by: &Author, now: i64, edits: Vec<RecordEdit>) {
        let note = ChangeNote {
            by: by.clone(),
            edits,
        };
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(note.to_message())
                .with_time(now),
        );
    }

    /// Adds a new record. Refuses records with validation errors (warnings pass).
    pub fn create<R: Record + validate::Validate>(
        &mut self,
        record: R,
        by: &Author,
        now: i64,
    ) -> Result<RecordId, ModelError> {
        check(&record)?;
        let id = record.id().clone();
        let coll = self.collection(R::COLLECTION);
        if self.doc.get(&coll, id.as_str())?.is_some() {
            return Err(ModelError::RecordExists(id));
        }
        if let Err(e) = reconcile_prop(&mut self.doc, &coll, id.as_str(), &record) {
            self.doc.rollback();
            return Err(e.into());
        }
        self.commit(
            by,
            now,
            vec![RecordEdit {
                collection: R::COLLECTION,
                id: id.clone(),
                action: EditAction::Create,
                fields: Vec::new(),
            }],
        );
        Ok(id)
    }

    /// Saves an edit made in a form: `base` is the record as the form loaded it, `edited` as
    /// the user left it. Only the fields that differ between the two are written, so changes
    /// that arrived from other devices since the form opened are kept. `deleted` is never
    /// written here (see [`Self::delete`]). Returns the fields written.
    pub fn update<R: Record + validate::Validate>(
        &mut self,
        base: &R,
        edited: &R,
        by: &Author,
        now: i64,
    ) -> Result<Vec<&'static str>, ModelError> {
        check(edited)?;
        let id = base.id().clone();
        let current: R = self.get(&id)?;
        if current.is_deleted() {
            return Err(ModelError::RecordDeleted(id));
        }
        let obj = self
            .record_obj(R::COLLECTION, &id)
            .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))?;
        let fields: Vec<&'static str> = edited
            .changed_fields(base)
            .into_iter()
            .filter(|f| *f != "deleted" && *f != "id")
            .collect();
        for f in &fields {
            if let Err(e) = edited.reconcile_field(&mut self.doc, &obj, f) {
                // Nothing half-written may ride along in a later change with another note.
                self.doc.rollback();
                return Err(e.into());
            }
        }
        if !fields.is_empty() {
            self.commit(
                by,
                now,
                vec![RecordEdit {
                    collection: R::COLLECTION,
                    id,
                    action: EditAction::Update,
                    fields: fields.iter().map(|f| f.to_string()).collect(),
                }],
            );
        }
        Ok(fields)
    }

    /// Marks a record deleted. Its fields stay in the document; an edit made concurrently on
    /// another device is kept and shows again if the record is restored.
    pub fn delete<R: Record>(&mut self, id: &RecordId, by: &Author, now: i64) -> Result<(), ModelError> {
        self.set_deleted::<R>(id, true, EditAction::Delete, by, now)
    }

    /// Undoes a soft delete. Deleting a deleted record or restoring a live one changes nothing.
    pub fn restore<R: Record>(&mut self, id: &RecordId, by: &Author, now: i64) -> Result<(), ModelError> {
        self.set_deleted::<R>(id, false, EditAction::Restore, by, now)
    }

    fn set_deleted<R: Record>(
        &mut self,
        id: &RecordId,
        deleted: bool,
        action: EditAction,
        by: &Author,
        now: i64,
    ) -> Result<(), ModelError> {
        let obj = self
            .record_obj(R::COLLECTION, id)
            .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))?;
        if self.get::<R>(id)?.is_deleted() == deleted {
            return Ok(()); // Already so: no change, and no history entry.
        }
        self.doc.put(&obj, "deleted", deleted)?;
        self.commit(
            by,
            now,
            vec![RecordEdit {
                collection: R::COLLECTION,
                id: id.clone(),
                action,
                fields: vec!["deleted".into()],
            }],
        );
        Ok(())
    }

    /// Every record of the document, with the derived views the app needs: a full read.
    /// [`VillageSnapshot::refresh`] later brings it up to date reading only what changed.
    pub fn snapshot(&self) -> VillageSnapshot {
        let mut snapshot = VillageSnapshot::empty(self.code());
        let everything = Touched {
            everything: true,
            ..Touched::default()
        };
        snapshot.apply(self, &everything);
        snapshot
    }

    /// A full read that [`VillageSnapshot::refresh`] can bring up to date cheaply later (it
    /// knows the document's heads and objects; a plain [`Self::snapshot`] is refreshed by
    /// reading everything once). Faster than [`Self::snapshot`]: it walks the document once
    /// (Automerge's patches of its current state) instead of looking up every field.
    pub fn watch(&mut self) -> VillageSnapshot {
        let read = FullRead::of(self);
        let mut snapshot = VillageSnapshot::empty(self.code());
        let everything = Touched {
            everything: true,
            ..Touched::default()
        };
        snapshot.apply(&read, &everything);
        snapshot.index = self.object_index();
        snapshot.heads = Some(self.doc.get_heads());
        snapshot
    }

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
                            .is_some_and(|k| Collection::ALL.iter().any(|c| c.key() == k) || k == "meta")
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
            (_, Prop::Map(top)) => Collection::ALL.into_iter().find(|c| c.key() == top)?,
            _ => return None,
        };
        match path.get(1)? {
            (_, Prop::Map(key)) => Some((collection, key.clone())),
            _ => None,
        }
    }

    /// The index of the document's collections and records, for [`Self::touched_since`].
    pub(crate) fn object_index(&self) -> ObjectIndex {
        let mut index = ObjectIndex::default();
        for c in Collection::ALL {
            let coll = self.collection(c);
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
        let coll = self.collection(R::COLLECTION);
        match self.doc.get(&coll, key) {
            Ok(None) => return Ok(None),
            Ok(Some(_)) => {}
            Err(_) => return Err(()),
        }
        match (
            key.parse::<RecordId>(),
            hydrate_prop::<_, R, _, _>(&self.doc, &coll, key),
        ) {
            (Ok(id), Ok(record)) if record.id() == &id => Ok(Some(record)),
            _ => Err(()),
        }
    }

    pub(crate) fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    pub(crate) fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub(crate) fn obj_of(&self, c: Collection, id: &RecordId) -> Option<ObjId> {
        self.record_obj(c, id)
    }

    pub(crate) fn commit_note(&mut self, by: &Author, now: i64, edits: Vec<RecordEdit>) {
        self.commit(by, now, edits)
    }
}

fn check<R: validate::Validate>(record: &R) -> Result<(), ModelError> {
    let errors: Vec<_> = record
        .validate()
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ModelError::Invalid(errors))
    }
}

pub use crate::query::VillageSnapshot;
