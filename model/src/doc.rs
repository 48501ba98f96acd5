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

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use autosurgeon::hydrate_prop;
use sha2::{Digest, Sha256};

use crate::ModelError;
use crate::author::{Author, ChangeNote, EditAction, RecordEdit};
use crate::ids::{RecordId, VillageCode};
use crate::query::Touched;
use crate::record::{Collection, Record};
use crate::validate::{self, Severity};

mod read;

pub(crate) use read::{FullRead, ObjectIndex, RecordSource};

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
        let keys: Vec<&str> = Collection::GENESIS.iter().map(|c| c.key()).collect();
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

    /// A collection's root map; `None` for a pillar collection the document does not need yet.
    fn collection(&self, c: Collection) -> Option<ObjId> {
        root_map(&self.doc, c.key())
    }

    /// Adds the root maps of `c`'s group ([`Collection::LAZY`]: the pillars', the duplicates
    /// screen's decisions) if the document lacks them, with a change that every device builds
    /// identically (same actor, time, content and dependency: the genesis change), so devices
    /// that start using them offline share one map per collection instead of creating rival
    /// maps that would hide each other's records after a merge.
    pub(crate) fn ensure_collection(&mut self, c: Collection) -> Result<ObjId, ModelError> {
        if let Some(obj) = self.collection(c) {
            return Ok(obj);
        }
        let group = Collection::LAZY
            .into_iter()
            .find(|(_, members)| members.contains(&c));
        if let (Some(code), Some((name, members))) = (self.code(), group) {
            let change = lazy_change(code.as_str(), name, members);
            self.doc.apply_changes([change])?;
        }
        match self.collection(c) {
            Some(obj) => Ok(obj),
            // A document with another genesis (an old or foreign client) cannot take the shared
            // change: the map is added as an ordinary change.
            None => Ok(self.doc.put_object(ROOT, c.key(), ObjType::Map)?),
        }
    }

    fn record_obj(&self, c: Collection, id: &RecordId) -> Option<ObjId> {
        record_obj(&self.doc, &self.collection(c)?, id)
    }

    /// Reads one record as it stands now.
    pub fn get<R: Record>(&self, id: &RecordId) -> Result<R, ModelError> {
        get(&self.doc, self.collection(R::COLLECTION), id)
    }

    fn commit(&mut self, by: &Author, now: i64, edits: Vec<RecordEdit>) {
        commit(&mut self.doc, by, now, edits)
    }

    /// Adds a new record. Refuses records with validation errors (warnings pass).
    pub fn create<R: Record + validate::Validate>(
        &mut self,
        record: R,
        by: &Author,
        now: i64,
    ) -> Result<RecordId, ModelError> {
        let mut record = record;
        record.normalise();
        check(&record)?;
        let coll = self.ensure_collection(R::COLLECTION)?;
        create(&mut self.doc, &coll, record, by, now)
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
        let coll = self.collection(R::COLLECTION);
        // Both sides in their stored form, so a field the user left alone is not rewritten just
        // because an older record holds it in another spelling.
        let (mut base, mut edited) = (base.clone(), edited.clone());
        base.normalise();
        edited.normalise();
        update(&mut self.doc, coll, &base, &edited, by, now)
    }

    /// Marks a record deleted. Its fields stay in the document; an edit made concurrently on
    /// another device is kept and shows again if the record is restored.
    pub fn delete<R: Record>(&mut self, id: &RecordId, by: &Author, now: i64) -> Result<(), ModelError> {
        let coll = self.collection(R::COLLECTION);
        set_deleted::<R>(&mut self.doc, coll, id, true, by, now)
    }

    /// Undoes a soft delete. Deleting a deleted record or restoring a live one changes nothing.
    pub fn restore<R: Record>(&mut self, id: &RecordId, by: &Author, now: i64) -> Result<(), ModelError> {
        let coll = self.collection(R::COLLECTION);
        set_deleted::<R>(&mut self.doc, coll, id, false, by, now)
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

/// The change that adds a group of root maps (`group`: "pillars", "decisions") to a village
/// document, identical on every device: built on the genesis change alone, by an actor derived
/// from the group and the village code, at time 0. The pillars' change is the one earlier
/// builds made: its actor, message and maps must never change.
fn lazy_change(code: &str, group: &str, collections: &[Collection]) -> automerge::Change {
    let keys: Vec<&str> = Collection::GENESIS.iter().map(|c| c.key()).collect();
    let mut doc = genesis("village", code, &keys);
    let actor = Sha256::digest(format!("desmigratif/{group}/village/{code}").as_bytes());
    doc.set_actor(ActorId::from(&actor[..16]));
    for c in collections {
        doc.put_object(ROOT, c.key(), ObjType::Map)
            .expect("fresh document");
    }
    doc.commit_with(CommitOptions::default().with_message(group).with_time(0));
    doc.get_last_local_change().expect("just committed").clone()
}

// Record operations on any document's collection map, shared by village and district documents.

pub(crate) fn record_obj(doc: &AutoCommit, coll: &ObjId, id: &RecordId) -> Option<ObjId> {
    match doc.get(coll, id.as_str()).ok()?? {
        (Value::Object(ObjType::Map), obj) => Some(obj),
        _ => None,
    }
}

pub(crate) fn get<R: Record>(doc: &AutoCommit, coll: Option<ObjId>, id: &RecordId) -> Result<R, ModelError> {
    let coll = coll.ok_or_else(|| ModelError::NoSuchRecord(id.clone()))?;
    hydrate_prop::<_, Option<R>, _, _>(doc, &coll, id.as_str())
        .ok()
        .flatten()
        // A record another client wrote with text objects for strings.
        .or_else(|| read::record_json(doc, &record_obj(doc, &coll, id)?))
        .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))
}

pub(crate) fn commit(doc: &mut AutoCommit, by: &Author, now: i64, edits: Vec<RecordEdit>) {
    let note = ChangeNote {
        by: by.clone(),
        edits,
        source: None,
    };
    commit_noted(doc, &note, now)
}

pub(crate) fn commit_noted(doc: &mut AutoCommit, note: &ChangeNote, now: i64) {
    doc.commit_with(
        CommitOptions::default()
            .with_message(note.to_message())
            .with_time(now),
    );
}

/// Writes a new record's map with the fields that have a value: an empty optional field is
/// left out rather than written as null (every reader takes an absent field as empty), which
/// halves the operations a typical record costs.
pub(crate) fn write_new<R: Record>(doc: &mut AutoCommit, coll: &ObjId, record: &R) -> Result<(), ModelError> {
    let json = serde_json::to_value(record).map_err(|_| ModelError::Invalid(Vec::new()))?;
    let obj = doc.put_object(coll, record.id().as_str(), ObjType::Map)?;
    for field in R::FIELDS {
        if json.get(*field).is_none_or(serde_json::Value::is_null) {
            continue;
        }
        record.reconcile_field(&mut *doc, &obj, field)?;
    }
    Ok(())
}

/// Adds `record` (checked by the caller) to the collection map `coll`.
pub(crate) fn create<R: Record>(
    doc: &mut AutoCommit,
    coll: &ObjId,
    record: R,
    by: &Author,
    now: i64,
) -> Result<RecordId, ModelError> {
    let id = record.id().clone();
    if doc.get(coll, id.as_str())?.is_some() {
        return Err(ModelError::RecordExists(id));
    }
    if let Err(e) = write_new(doc, coll, &record) {
        doc.rollback();
        return Err(e);
    }
    commit(
        doc,
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

/// Writes the fields that differ between `base` and `edited` (see [`VillageDoc::update`]).
pub(crate) fn update<R: Record + validate::Validate>(
    doc: &mut AutoCommit,
    coll: Option<ObjId>,
    base: &R,
    edited: &R,
    by: &Author,
    now: i64,
) -> Result<Vec<&'static str>, ModelError> {
    check(edited)?;
    let id = base.id().clone();
    let current: R = get(doc, coll.clone(), &id)?;
    if current.is_deleted() {
        return Err(ModelError::RecordDeleted(id));
    }
    let obj = coll
        .and_then(|c| record_obj(doc, &c, &id))
        .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))?;
    let fields: Vec<&'static str> = edited
        .changed_fields(base)
        .into_iter()
        .filter(|f| *f != "deleted" && *f != "id")
        .collect();
    for f in &fields {
        if let Err(e) = edited.reconcile_field(&mut *doc, &obj, f) {
            // Nothing half-written may ride along in a later change with another note.
            doc.rollback();
            return Err(e.into());
        }
    }
    if !fields.is_empty() {
        commit(
            doc,
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

/// Marks a record deleted or restores it; nothing happens if it already is so.
pub(crate) fn set_deleted<R: Record>(
    doc: &mut AutoCommit,
    coll: Option<ObjId>,
    id: &RecordId,
    deleted: bool,
    by: &Author,
    now: i64,
) -> Result<(), ModelError> {
    let obj = coll
        .clone()
        .and_then(|c| record_obj(doc, &c, id))
        .ok_or_else(|| ModelError::NoSuchRecord(id.clone()))?;
    if get::<R>(doc, coll, id)?.is_deleted() == deleted {
        return Ok(()); // Already so: no change, and no history entry.
    }
    doc.put(&obj, "deleted", deleted)?;
    let action = if deleted {
        EditAction::Delete
    } else {
        EditAction::Restore
    };
    commit(
        doc,
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

pub(crate) fn check<R: validate::Validate>(record: &R) -> Result<(), ModelError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The pillars' change is the one every earlier build made for a village: were it to
    /// change, devices that already made it would hold two rival pillar maps.
    #[test]
    fn the_pillars_change_is_the_one_earlier_builds_made() {
        let change = lazy_change("35.07.11.2008", "pillars", &Collection::PILLARS);
        assert_eq!(
            change.hash().to_string(),
            "0aae8ab02209e7538190ca93fed55f60fc0372625513e35745220558d74220d7"
        );
        let decisions = lazy_change("35.07.11.2008", "decisions", &Collection::DECISIONS);
        assert_ne!(
            decisions.actor_id(),
            change.actor_id(),
            "a group's change has its own actor"
        );
    }
}
