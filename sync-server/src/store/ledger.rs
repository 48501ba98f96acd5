//! Which changes of each document are on disk: the ledger behind [`super::FileStore::is_durable`].
//! samod sends its replies without waiting for its writes; the sync endpoint holds back every
//! message that announces heads until the ledger says they are durable.
//!
//! The ledger is bounded: once a compacted snapshot has been durable for [`FORGET_AFTER`], the
//! changes written before it are forgotten, except the snapshot's own heads. A message that
//! announces heads names the document's heads when it was made; one made after the snapshot
//! was issued names its heads or later ones, which the ledger keeps, and one made before has
//! left the gate long since (each message waits there at most `DURABILITY_WAIT`, 30 s). A
//! forgotten change reads as not durable, never the other way round: the worst a message that
//! old could meet is the gate's timeout, which ends the connection (the device reconnects and
//! syncs again), never a change announced before it is on disk.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use samod::storage::StorageKey;

/// Every document's [`DocDurability`], by document id.
#[derive(Debug, Default)]
pub(super) struct Ledger(Mutex<HashMap<String, DocDurability>>);

impl Ledger {
    fn durability(&self) -> std::sync::MutexGuard<'_, HashMap<String, DocDurability>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Numbers a write of a document key as it is issued.
    pub(super) fn begin_write(&self, key: &StorageKey) -> Option<(String, u64)> {
        let parts: Vec<&String> = key.into_iter().collect();
        let [doc, kind, _] = parts.as_slice() else {
            return None;
        };
        if kind.as_str() != "incremental" && kind.as_str() != "snapshot" {
            return None;
        }
        let mut all = self.durability();
        let d = all.entry((*doc).clone()).or_default();
        d.issued += 1;
        Some(((*doc).clone(), d.issued))
    }

    /// Records a completed write: its changes are durable once every earlier write completed.
    pub(super) fn finish_write(&self, doc: &str, seq: u64, key: &StorageKey, data: &[u8]) {
        let changes = changes_in(key, data).map(|(_, c)| c).unwrap_or_default();
        let is_snapshot = key.into_iter().nth(1).is_some_and(|k| k == "snapshot");
        if let Some(d) = self.durability().get_mut(doc) {
            d.complete(seq, &changes);
            let now = Instant::now();
            if is_snapshot {
                d.snapshot_completed(seq, changes, now);
            }
            d.forget_old(now);
        }
    }

    /// Records changes found on disk as durable.
    pub(super) fn loaded(&self, found: &HashMap<StorageKey, Vec<u8>>) {
        let mut all = self.durability();
        for (key, data) in found {
            if let Some((doc, changes)) = changes_in(key, data) {
                let d = all.entry(doc).or_default();
                for c in changes {
                    d.written_by.insert(c, 0);
                }
            }
        }
    }

    /// Whether every change in `heads` (and so all their ancestors) of document `doc` is on disk.
    pub(super) fn is_durable(&self, doc: &str, heads: &[automerge::ChangeHash]) -> bool {
        if heads.is_empty() {
            return true;
        }
        let all = self.durability();
        let Some(d) = all.get(doc) else { return false };
        heads
            .iter()
            .all(|h| d.written_by.get(h).is_some_and(|seq| *seq <= d.completed_prefix))
    }
}

/// Which changes of one document are on disk.
///
/// Writes are numbered as samod issues them; samod issues the write of a change no earlier than
/// the writes of its ancestors. A change is durable once its own write and every write numbered
/// before it have completed.
#[derive(Debug, Default)]
struct DocDurability {
    issued: u64,
    /// Every write numbered up to here has completed.
    completed_prefix: u64,
    completed_beyond: BTreeSet<u64>,
    /// The write that stored each change (0: found on disk at load), from the last snapshot
    /// forgotten before on.
    written_by: HashMap<automerge::ChangeHash, u64>,
    /// Snapshots written, oldest first: their write, heads, and when the write completed.
    snapshots: VecDeque<(u64, Vec<automerge::ChangeHash>, Instant)>,
}

/// How long a snapshot stays durable before the changes written before it are forgotten: far
/// longer than any message waits at the gate.
pub(super) const FORGET_AFTER: Duration = Duration::from_secs(300);

impl DocDurability {
    fn complete(&mut self, seq: u64, changes: &[automerge::ChangeHash]) {
        for c in changes {
            self.written_by.entry(*c).or_insert(seq);
        }
        self.completed_beyond.insert(seq);
        while self.completed_beyond.remove(&(self.completed_prefix + 1)) {
            self.completed_prefix += 1;
        }
    }

    fn snapshot_completed(&mut self, seq: u64, heads: Vec<automerge::ChangeHash>, now: Instant) {
        self.snapshots.push_back((seq, heads, now));
    }

    /// Forgets the changes written before the newest snapshot that has been durable (it and
    /// every write before it completed) for [`FORGET_AFTER`], keeping that snapshot's heads.
    fn forget_old(&mut self, now: Instant) {
        let mut newest = None;
        while let Some((seq, _, at)) = self.snapshots.front() {
            if *seq > self.completed_prefix || now.duration_since(*at) < FORGET_AFTER {
                break;
            }
            newest = self.snapshots.pop_front();
        }
        let Some((seq, heads, _)) = newest else { return };
        self.written_by
            .retain(|hash, written| *written >= seq || heads.contains(hash));
    }
}

/// The document a key belongs to and the changes its data makes durable, if it is a document
/// key: an incremental key's one change, or a snapshot's heads.
///
/// Naming a snapshot's heads is enough: samod saves each state of a document whose heads it
/// then announces, either as incrementals (one per change, heads among them) or as one
/// snapshot of the whole document with exactly those heads, so every head the relay announces
/// is an incremental's change or a snapshot's head.
fn changes_in(key: &StorageKey, data: &[u8]) -> Option<(String, Vec<automerge::ChangeHash>)> {
    let parts: Vec<&String> = key.into_iter().collect();
    match parts.as_slice() {
        [doc, kind, hash] if kind.as_str() == "incremental" => {
            let hash = hash.parse().ok()?;
            Some(((*doc).clone(), vec![hash]))
        }
        [doc, kind, _] if kind.as_str() == "snapshot" => {
            let heads = match snapshot_heads(data) {
                Some(heads) => heads,
                // Not one document chunk (written by something other than samod): read it all.
                None => automerge::Automerge::load(data).ok()?.get_heads(),
            };
            Some(((*doc).clone(), heads))
        }
        _ => None,
    }
}

/// The heads a saved document names in its header, read without loading it: the chunk's magic
/// bytes, checksum, type (0: document) and length, then the actors (a count, each a
/// length-prefixed id) and the heads (a count, each 32 bytes), as Automerge's binary format
/// lays out a document chunk. `None` if the data is not a single document chunk.
fn snapshot_heads(data: &[u8]) -> Option<Vec<automerge::ChangeHash>> {
    fn uleb(data: &[u8], at: &mut usize) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *data.get(*at)?;
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    if data.get(..4)? != MAGIC || *data.get(8)? != 0 {
        return None;
    }
    let mut at = 9;
    let length = usize::try_from(uleb(data, &mut at)?).ok()?;
    // One chunk, nothing after it.
    if at.checked_add(length)? != data.len() {
        return None;
    }
    for _ in 0..uleb(data, &mut at)? {
        let len = usize::try_from(uleb(data, &mut at)?).ok()?;
        at = at.checked_add(len)?;
    }
    let count = uleb(data, &mut at)?;
    let mut heads = Vec::new();
    for _ in 0..count {
        let bytes: [u8; 32] = data.get(at..at.checked_add(32)?)?.try_into().ok()?;
        heads.push(automerge::ChangeHash(bytes));
        at += 32;
    }
    Some(heads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_durable_only_once_every_earlier_write_completed() {
        let hash = |b: u8| automerge::ChangeHash([b; 32]);
        // Two writes issued: the parent's (1), then the child's (2); the child's lands first.
        let mut d = DocDurability {
            issued: 2,
            ..DocDurability::default()
        };
        d.complete(2, &[hash(2)]);
        assert_eq!(d.completed_prefix, 0);
        assert!(
            d.written_by[&hash(2)] > d.completed_prefix,
            "child not durable while its parent is in flight"
        );
        d.complete(1, &[hash(1)]);
        assert_eq!(d.completed_prefix, 2);
    }

    #[test]
    fn changes_before_a_snapshot_durable_long_enough_are_forgotten_but_its_heads_stay_durable() {
        let hash = |b: u8| automerge::ChangeHash([b; 32]);
        let start = Instant::now();
        let mut d = DocDurability::default();
        // A hundred incrementals, one after another, then a snapshot holding them all.
        for i in 1..=100u8 {
            d.issued += 1;
            d.complete(u64::from(i), &[hash(i)]);
        }
        d.issued += 1;
        d.complete(101, &[hash(100)]);
        d.snapshot_completed(101, vec![hash(100)], start);
        d.forget_old(start + FORGET_AFTER / 2);
        assert_eq!(
            d.written_by.len(),
            100,
            "kept while a message from before the snapshot may still wait"
        );
        // Then one more change after the snapshot.
        d.issued += 1;
        d.complete(102, &[hash(101)]);
        d.forget_old(start + FORGET_AFTER);
        let mut kept: Vec<_> = d.written_by.keys().copied().collect();
        kept.sort();
        assert_eq!(
            kept,
            vec![hash(100), hash(101)],
            "the snapshot's head and what came after"
        );
        // What the ledger answers for them is unchanged.
        let ledger = Ledger::default();
        ledger.durability().insert("doc".into(), d);
        assert!(ledger.is_durable("doc", &[hash(100)]));
        assert!(ledger.is_durable("doc", &[hash(101)]));
        assert!(
            !ledger.is_durable("doc", &[hash(5)]),
            "a forgotten change is not called durable"
        );
        assert!(!ledger.is_durable("doc", &[hash(200)]));
    }

    #[test]
    fn a_snapshot_not_yet_durable_forgets_nothing() {
        let hash = |b: u8| automerge::ChangeHash([b; 32]);
        let start = Instant::now();
        let mut d = DocDurability {
            issued: 3,
            ..DocDurability::default()
        };
        d.complete(1, &[hash(1)]);
        // The snapshot (3) completes before the write numbered 2.
        d.complete(3, &[hash(2)]);
        d.snapshot_completed(3, vec![hash(2)], start);
        d.forget_old(start + FORGET_AFTER * 2);
        assert_eq!(d.written_by.len(), 2);
    }

    #[test]
    fn a_snapshot_names_the_heads_of_the_saved_document() {
        use automerge::transaction::Transactable;
        let mut a = automerge::AutoCommit::new();
        a.put(automerge::ROOT, "name", "Sumini").unwrap();
        a.commit();
        let mut b = a.fork();
        a.put(automerge::ROOT, "phone", "0812").unwrap();
        a.commit();
        b.put(automerge::ROOT, "address", "Dusun Krajan").unwrap();
        b.commit();
        a.merge(&mut b).unwrap();
        let mut heads = a.get_heads();
        heads.sort();
        assert_eq!(heads.len(), 2, "two concurrent heads");
        let saved = a.save();
        let mut read = snapshot_heads(&saved).expect("a document chunk");
        read.sort();
        assert_eq!(read, heads);
        let key = |kind: &str| StorageKey::from_parts(["doc1", kind, "x"]).unwrap();
        let (_, named) = changes_in(&key("snapshot"), &saved).unwrap();
        assert_eq!(named.len(), 2);
        // Not a document chunk: a change, or garbage.
        let change = a.get_changes(&[])[0].raw_bytes().to_vec();
        assert_eq!(snapshot_heads(&change), None);
        assert_eq!(snapshot_heads(b"garbage"), None);
        assert_eq!(snapshot_heads(&saved[..saved.len() - 1]), None);
        // A change saved as a snapshot is read whole instead.
        let (_, whole) = changes_in(&key("snapshot"), &change).unwrap();
        assert_eq!(whole.len(), 1);
    }
}
