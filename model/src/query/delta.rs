//! A refresh told to another copy of the snapshot: [`SnapshotDelta`] holds what one
//! [`VillageSnapshot::refresh`] read from the document (the records the changes touched, their
//! conflict state), so that a copy without the document — the screen's, while the documents
//! live in a worker — makes exactly the same refresh with [`VillageSnapshot::apply_delta`].

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Refreshed, Touched, VillageSnapshot};
use crate::doc::{FullRead, RecordSource, VillageDoc};
use crate::ids::{RecordId, VillageCode};
use crate::record::{Collection, Record};

/// What one refresh read from the document, in the order-free form a copy needs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotDelta {
    /// The heads the snapshot reflected before (a copy elsewhere must be at the same place).
    base: Option<Vec<automerge::ChangeHash>>,
    heads: Vec<automerge::ChangeHash>,
    code: Option<VillageCode>,
    touched: Touched,
    /// The keys a full re-read listed, per collection.
    keys: BTreeMap<Collection, Vec<String>>,
    /// Each record read, in its stored form (postcard of its type).
    reads: BTreeMap<(Collection, String), Read>,
    /// Records found holding concurrent values.
    conflicted: BTreeSet<(Collection, RecordId)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Read {
    Absent,
    Damaged,
    Record(Vec<u8>),
}

/// The copy is not where the delta starts from (a delta was missed): send it the whole snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the snapshot copy is not at the delta's starting point")]
pub struct OutOfStep;

impl SnapshotDelta {
    /// Nothing changed: the copy is already where the document is.
    pub fn is_empty(&self) -> bool {
        self.base.as_ref() == Some(&self.heads) && self.touched.is_empty()
    }

    /// The heads the snapshot reflects after this delta.
    pub fn heads(&self) -> &[automerge::ChangeHash] {
        &self.heads
    }
}

/// A [`RecordSource`] that writes down every answer it gives.
struct Recording<'a, S> {
    source: &'a S,
    delta: RefCell<SnapshotDelta>,
}

impl<S: RecordSource> RecordSource for Recording<'_, S> {
    fn code(&self) -> Option<VillageCode> {
        let code = self.source.code();
        self.delta.borrow_mut().code = code.clone();
        code
    }
    fn keys(&self, c: Collection) -> Vec<String> {
        let keys = self.source.keys(c);
        self.delta.borrow_mut().keys.insert(c, keys.clone());
        keys
    }
    fn read<R: Record + Serialize + serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<R>, ()> {
        let read = self.source.read::<R>(key);
        let stored = match &read {
            Ok(None) => Read::Absent,
            Err(()) => Read::Damaged,
            Ok(Some(r)) => Read::Record(postcard::to_allocvec(r).expect("a record always serialises")),
        };
        self.delta
            .borrow_mut()
            .reads
            .insert((R::COLLECTION, key.to_owned()), stored);
        read
    }
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool {
        let conflict = self.source.has_conflict_in(c, id);
        if conflict {
            self.delta.borrow_mut().conflicted.insert((c, id.clone()));
        }
        conflict
    }
}

/// A recorded refresh read back.
impl RecordSource for SnapshotDelta {
    fn code(&self) -> Option<VillageCode> {
        self.code.clone()
    }
    fn keys(&self, c: Collection) -> Vec<String> {
        self.keys.get(&c).cloned().unwrap_or_default()
    }
    fn read<R: Record + Serialize + serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<R>, ()> {
        match self.reads.get(&(R::COLLECTION, key.to_owned())) {
            None | Some(Read::Absent) => Ok(None),
            Some(Read::Damaged) => Err(()),
            Some(Read::Record(bytes)) => postcard::from_bytes(bytes).map(Some).map_err(|_| ()),
        }
    }
    fn has_conflict_in(&self, c: Collection, id: &RecordId) -> bool {
        self.conflicted.contains(&(c, id.clone()))
    }
}

impl VillageSnapshot {
    /// As [`Self::refresh`], also returning what it read, for a copy of this snapshot
    /// elsewhere to follow with [`Self::apply_delta`].
    pub fn refresh_delta(&mut self, doc: &mut VillageDoc) -> (Refreshed, SnapshotDelta) {
        let base = self.heads.clone();
        let heads = doc.automerge().get_heads();
        let Some(touched) = self.touched_by(doc, &heads) else {
            let delta = SnapshotDelta {
                base: base.clone(),
                heads,
                code: self.code.clone(),
                ..SnapshotDelta::default()
            };
            return (Refreshed::default(), delta);
        };
        self.heads = Some(heads.clone());
        let (refreshed, mut delta) = if self.walk_is_cheaper(&touched) {
            self.apply_recorded(&FullRead::of(doc), &touched)
        } else {
            self.apply_recorded(&*doc, &touched)
        };
        if touched.everything {
            self.index = doc.object_index();
        }
        delta.base = base;
        delta.heads = heads;
        delta.touched = touched;
        if delta.code.is_none() {
            delta.code = self.code.clone();
        }
        (refreshed, delta)
    }

    /// Applies what `source` holds for `touched`, writing down every answer it gave.
    fn apply_recorded<S: RecordSource>(
        &mut self,
        source: &S,
        touched: &Touched,
    ) -> (Refreshed, SnapshotDelta) {
        let recording = Recording {
            source,
            delta: RefCell::new(SnapshotDelta::default()),
        };
        let refreshed = self.apply(&recording, touched);
        (refreshed, recording.delta.into_inner())
    }

    /// Makes the refresh `delta` recorded, on a copy of the snapshot that has no document. The
    /// copy must be where the delta started (the deltas of one document, in order).
    pub fn apply_delta(&mut self, delta: &SnapshotDelta) -> Result<Refreshed, OutOfStep> {
        if self.heads != delta.base {
            return Err(OutOfStep);
        }
        self.heads = Some(delta.heads.clone());
        if delta.touched.is_empty() {
            return Ok(Refreshed::default());
        }
        Ok(self.apply(delta, &delta.touched))
    }
}
