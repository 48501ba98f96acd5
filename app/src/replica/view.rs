//! A village document as the screens read it ([`VillageView`]), kept up to date change by
//! change, and its stored form (shown at once when the app opens again).

use std::collections::HashMap;

use automerge::ChangeHash;
use desmigratif_model::{
    Collection, DashboardFilter, Date, Figures, HistoryEntry, HistoryIndex, OutOfStep, RecordId, Refreshed,
    SnapshotDelta, VillageDoc, VillageSnapshot,
};

use super::RECENT;

/// What the screens read of one village document, kept up to date change by change: the
/// snapshot refreshed from the records each change touched, a revision per person (bumped when
/// its row must be redrawn, so lists re-render only those rows), every record's history and the
/// recent changes.
pub struct VillageView {
    pub snapshot: VillageSnapshot,
    revisions: HashMap<RecordId, u64>,
    next_revision: u64,
    /// Newest first, at most [`RECENT`].
    pub recent: Vec<(Collection, RecordId, HistoryEntry)>,
    history: HistoryIndex,
    pub(super) heads: Vec<ChangeHash>,
}

impl VillageView {
    pub(crate) fn new(doc: &mut VillageDoc) -> Self {
        let mut view = Self {
            snapshot: doc.watch(),
            revisions: HashMap::new(),
            next_revision: 1,
            recent: Vec::new(),
            history: HistoryIndex::default(),
            heads: Vec::new(),
        };
        view.add_edits(doc);
        view
    }

    /// The village's dashboard figures (see [`VillageSnapshot::figures`]).
    pub fn figures(&self, filter: &DashboardFilter, today: Date) -> Figures {
        self.snapshot.figures(filter, today, &self.history)
    }

    pub(crate) fn refresh(&mut self, doc: &mut VillageDoc) {
        let changed = self.snapshot.refresh(doc);
        self.add_edits(doc);
        self.redraw(changed);
    }

    /// As [`Self::refresh`], returning what a copy of this view without the document needs to
    /// follow (see [`Self::follow`]).
    pub(crate) fn refresh_delta(&mut self, doc: &mut VillageDoc) -> ViewDelta {
        let (changed, snapshot) = self.snapshot.refresh_delta(doc);
        let edits = self.add_edits(doc);
        self.redraw(changed);
        ViewDelta { snapshot, edits }
    }

    /// Brings a copy of the view (the screen's, while the document lives elsewhere) to where
    /// the view that recorded `delta` is. The deltas of one document must come in order.
    pub fn follow(&mut self, delta: &ViewDelta) -> Result<(), OutOfStep> {
        let changed = self.snapshot.apply_delta(&delta.snapshot)?;
        self.extend(delta.edits.clone(), delta.snapshot.heads().to_vec());
        self.redraw(changed);
        Ok(())
    }

    /// Whether two views show the same: records, derived values, history and recent changes.
    pub fn same_as(&self, other: &VillageView) -> bool {
        self.snapshot.same_as(&other.snapshot)
            && self.recent == other.recent
            && self.history == other.history
            && self.heads == other.heads
    }

    fn redraw(&mut self, changed: Refreshed) {
        for id in changed.persons {
            self.revisions.insert(id, self.next_revision);
            self.next_revision += 1;
        }
    }

    /// Reads the edits of the changes since the last heads into the history and recent list.
    fn add_edits(&mut self, doc: &mut VillageDoc) -> Vec<(Collection, RecordId, HistoryEntry)> {
        let edits = doc.edits_since(&self.heads);
        let heads = doc.automerge().get_heads();
        self.extend(edits.clone(), heads);
        edits
    }

    fn extend(&mut self, edits: Vec<(Collection, RecordId, HistoryEntry)>, heads: Vec<ChangeHash>) {
        let mut recent: Vec<_> = edits.iter().rev().take(RECENT).cloned().collect();
        if !recent.is_empty() {
            recent.append(&mut self.recent);
            recent.truncate(RECENT);
            self.recent = recent;
        }
        self.history.extend(edits);
        self.heads = heads;
    }

    /// The view in its stored form, to show the village at once when the app opens again.
    pub fn encode(&self) -> Vec<u8> {
        let stored = StoredView {
            snapshot: self.snapshot.encode(),
            recent: &self.recent,
            history: &self.history,
            heads: &self.heads,
        };
        let mut out = vec![STORED_VIEW_FORMAT];
        out.extend(postcard::to_allocvec(&stored).expect("a view always serialises"));
        out
    }

    /// A stored view; `None` if it is damaged or of another format.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&STORED_VIEW_FORMAT, rest) = bytes.split_first()? else {
            return None;
        };
        let stored: StoredViewOwned = postcard::from_bytes(rest).ok()?;
        Some(Self {
            snapshot: VillageSnapshot::decode(&stored.snapshot)?,
            revisions: HashMap::new(),
            next_revision: 1,
            recent: stored.recent,
            history: stored.history,
            heads: stored.heads,
        })
    }

    /// A stored view that the next refresh can bring up to date with the document, reading
    /// only the changes made since it was stored; `None` if it reflects changes the document
    /// lacks (read it afresh).
    pub(super) fn resumable(self, doc: &mut VillageDoc) -> Option<Self> {
        let heads_known = self
            .heads
            .iter()
            .all(|h| doc.automerge().get_change_by_hash(h).is_some());
        if !heads_known || !self.snapshot.can_resume(doc) {
            return None;
        }
        Some(self)
    }

    /// Changes whenever the person's record, category, conflict state or episodes change.
    pub fn revision(&self, person: &RecordId) -> u64 {
        self.revisions.get(person).copied().unwrap_or(0)
    }

    /// One record's changes, oldest first.
    pub fn history(&self, collection: Collection, id: &RecordId) -> &[HistoryEntry] {
        self.history.of(collection, id)
    }
}

/// What a copy of a [`VillageView`] needs to follow one refresh: the snapshot's delta and the
/// edits the new changes made (for history and the recent list). Sent as postcard.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ViewDelta {
    snapshot: SnapshotDelta,
    edits: Vec<(Collection, RecordId, HistoryEntry)>,
}

impl ViewDelta {
    /// Nothing to follow.
    pub fn is_empty(&self) -> bool {
        self.snapshot.is_empty() && self.edits.is_empty()
    }
}

/// The version of [`VillageView::encode`]'s format.
const STORED_VIEW_FORMAT: u8 = 4;

#[derive(serde::Serialize)]
struct StoredView<'a> {
    snapshot: Vec<u8>,
    recent: &'a Vec<(Collection, RecordId, HistoryEntry)>,
    history: &'a HistoryIndex,
    heads: &'a Vec<ChangeHash>,
}

#[derive(serde::Deserialize)]
struct StoredViewOwned {
    snapshot: Vec<u8>,
    recent: Vec<(Collection, RecordId, HistoryEntry)>,
    history: HistoryIndex,
    heads: Vec<ChangeHash>,
}
