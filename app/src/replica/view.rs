//! A village document as the screens read it ([`VillageView`]), kept up to date change by
//! change, and its stored form (shown at once when the app opens again).

use std::collections::HashMap;

use automerge::ChangeHash;
use desmigratif_model::{
    Collection, DashboardFilter, Date, Figures, HistoryEntry, HistoryIndex, RecordId, VillageDoc,
    VillageSnapshot,
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
        for id in changed.persons {
            self.revisions.insert(id, self.next_revision);
            self.next_revision += 1;
        }
        self.add_edits(doc);
    }

    /// Reads the edits of the changes since the last heads into the history and recent list.
    fn add_edits(&mut self, doc: &mut VillageDoc) {
        let edits = doc.edits_since(&self.heads);
        let mut recent: Vec<_> = edits.iter().rev().take(RECENT).cloned().collect();
        if !recent.is_empty() {
            recent.append(&mut self.recent);
            recent.truncate(RECENT);
            self.recent = recent;
        }
        self.history.extend(edits);
        self.heads = doc.automerge().get_heads();
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

    /// Brings a stored view up to date with the document, reading only the changes made since
    /// it was stored; `None` if it reflects changes the document lacks (read it afresh).
    pub(super) fn resume(mut self, doc: &mut VillageDoc) -> Option<Self> {
        let heads_known = self
            .heads
            .iter()
            .all(|h| doc.automerge().get_change_by_hash(h).is_some());
        if !heads_known || !self.snapshot.can_resume(doc) {
            return None;
        }
        self.refresh(doc);
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

/// The version of [`VillageView::encode`]'s format.
const STORED_VIEW_FORMAT: u8 = 3;

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
