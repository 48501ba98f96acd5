//! The store's journal: every write is appended to one file, and the writes issued while the
//! disk is busy share one append and one flush (group commit). At checkpoints the journal is
//! folded into the document files and started again.
//!
//! A thread of the journal's own commits: it takes every write queued so far, appends them,
//! flushes once, and answers each writer; writes queued meanwhile make the next batch.
//!
//! Why: a file per change (written, flushed, renamed, its directory flushed) and samod's
//! compaction removing about as many files as it writes made file churn the relay's largest
//! cost per change. With the journal a change costs a few appended bytes and a share of one
//! `fdatasync`; its chunk reaches its own file only if it is still live at the next checkpoint
//! (most incrementals are replaced by a compacted snapshot long before).
//!
//! Layout: `journal/<generation>.wal` beside the store's two-level directories (whose names have
//! at most two characters, so no document can collide with it). A record is
//! `length (u32 LE) · CRC-32 of the body (u32 LE) · body`; the body is the operation (1 put,
//! 2 delete), the key's parts (a count, then each as a u16 LE length and its bytes) and, for a
//! put, the data. A crash mid-append leaves a torn last record, which reading stops at.
//!
//! What the journal holds overrides the files: [`Journal::get`] and [`Journal::overlay`] answer
//! from it first. A checkpoint writes each live put to its own file (temporary, flushed,
//! renamed, flushed), removes the files of deleted keys, starts the next generation, and only
//! then removes the old one; a crash anywhere in it leaves either the old journal (replayed
//! again, which writes the same files) or the new one.
//!
//! Readers in other processes ([`view`]: backups, exports, checks) read the journal before the
//! files. Files change only at checkpoints, after the journal they fold has been written out,
//! so what such a reader assembles holds every write the journal held when it was read.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::oneshot;

/// The journal's directory under the store's root.
pub(crate) const DIR: &str = "journal";
const SUFFIX: &str = ".wal";
/// The owner's lock file: one process writes a store.
const LOCK: &str = "owner.lock";
const PUT: u8 = 1;
const DELETE: u8 = 2;
/// A record larger than this is not one the store wrote (the relay caps a document's size far
/// below it): reading stops there.
const MAX_RECORD: usize = 1 << 30;

/// A storage key's parts.
pub(crate) type Key = Vec<String>;

/// What the journal says about a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Put(Arc<Vec<u8>>),
    Deleted,
}

impl Slot {
    pub(crate) fn len(&self) -> u64 {
        match self {
            Slot::Put(data) => data.len() as u64,
            Slot::Deleted => 0,
        }
    }
}

/// A write waiting for the commit that holds it; `done` receives the size the key held before.
pub(super) struct Pending {
    pub key: Key,
    pub slot: Slot,
    pub done: oneshot::Sender<io::Result<u64>>,
}

#[derive(Default)]
struct Queue {
    writes: Vec<Pending>,
    /// The journal was dropped: the writer thread ends once the queue is empty.
    closed: bool,
    /// Tests hold the writer thread to see writes queue up.
    #[cfg(test)]
    paused: bool,
}

/// The generation being appended to.
struct Writer {
    file: fs::File,
    generation: u64,
    len: u64,
    /// The length at which the next checkpoint is tried (moved on when one fails).
    checkpoint_at: u64,
}

/// The journal of one store; writes are committed by a thread of its own.
pub(super) struct Journal {
    shared: Arc<Shared>,
    /// Held while this process owns the store.
    lock: Mutex<Option<fs::File>>,
}

struct Shared {
    root: PathBuf,
    /// The entries journalled since the last checkpoint.
    index: Mutex<BTreeMap<Key, Slot>>,
    queue: Mutex<Queue>,
    /// Wakes the writer thread when a write is queued (or the journal closes).
    queued: Condvar,
    /// `None` for a read-only or closed store.
    writer: Mutex<Option<Writer>>,
    checkpoint_bytes: u64,
    /// Each commit waits this long first: a slow disk, for fault drills and tests.
    delay_ms: Arc<AtomicU64>,
    commits: AtomicU64,
    checkpoints: AtomicU64,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("root", &self.shared.root)
            .finish_non_exhaustive()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        lock(&self.shared.queue).closed = true;
        self.shared.queued.notify_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Journal {
    /// Opens the journal of the store at `root` for writing: takes the owner's lock, folds
    /// whatever earlier runs journalled into the files, starts a new generation and the thread
    /// that commits writes.
    pub(super) fn open(root: &Path, checkpoint_bytes: u64, delay_ms: Arc<AtomicU64>) -> io::Result<Self> {
        let dir = root.join(DIR);
        fs::create_dir_all(&dir)?;
        let lock_file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK))?;
        match lock_file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(io::Error::new(
                    io::ErrorKind::ResourceBusy,
                    format!("another process writes the store in {}", root.display()),
                ));
            }
            Err(fs::TryLockError::Error(e)) => return Err(e),
        }
        let (entries, generations) = replay(&dir, true)?;
        fold(root, &entries)?;
        let generation = generations.last().map_or(1, |g| g + 1);
        let file = create_generation(&dir, generation)?;
        for g in generations {
            fs::remove_file(generation_path(&dir, g))?;
        }
        let writer = Writer {
            file,
            generation,
            len: 0,
            checkpoint_at: checkpoint_bytes,
        };
        let shared = Arc::new(Shared::new(
            root,
            BTreeMap::new(),
            Some(writer),
            checkpoint_bytes,
            delay_ms,
        ));
        let thread = shared.clone();
        std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || thread.run())?;
        Ok(Self {
            shared,
            lock: Mutex::new(Some(lock_file)),
        })
    }

    /// Reads the journal of a store another process may be writing, without changing anything.
    pub(super) fn read_only(root: &Path) -> io::Result<Self> {
        let (entries, _) = replay(&root.join(DIR), false)?;
        Ok(Self {
            shared: Arc::new(Shared::new(root, entries, None, u64::MAX, Arc::default())),
            lock: Mutex::default(),
        })
    }

    /// Stops writing and lets go of the store (another process, or a restarted relay, may
    /// open it now). Later writes fail.
    pub(super) fn close(&self) {
        lock(&self.shared.writer).take();
        lock(&self.lock).take();
    }

    pub(super) fn is_read_only(&self) -> bool {
        lock(&self.shared.writer).is_none()
    }

    /// What the journal says about `key`, if anything.
    pub(super) fn get(&self, key: &[String]) -> Option<Slot> {
        lock(&self.shared.index).get(key).cloned()
    }

    /// The journal's entries for keys starting with `prefix`.
    pub(super) fn under(&self, prefix: &[String]) -> Vec<(Key, Slot)> {
        let index = lock(&self.shared.index);
        index
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, s)| (k.clone(), s.clone()))
            .collect()
    }

    /// Forgets what the journal says about `key` (the key was just written to its own file).
    pub(super) fn forget(&self, key: &[String]) {
        lock(&self.shared.index).remove(key);
    }

    /// Queues a write for the writer thread, which commits every write queued by the time it
    /// gets to them together. Does not block.
    pub(super) fn submit(&self, write: Pending) {
        lock(&self.shared.queue).writes.push(write);
        self.shared.queued.notify_one();
    }

    /// Batches committed and checkpoints made so far.
    #[cfg(test)]
    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.shared.commits.load(Ordering::Relaxed),
            self.shared.checkpoints.load(Ordering::Relaxed),
        )
    }

    /// Holds the writer thread (writes queue up) or lets it go on.
    #[cfg(test)]
    pub(super) fn pause(&self, paused: bool) {
        lock(&self.shared.queue).paused = paused;
        self.shared.queued.notify_all();
    }
}

impl Shared {
    fn new(
        root: &Path,
        index: BTreeMap<Key, Slot>,
        writer: Option<Writer>,
        checkpoint_bytes: u64,
        delay_ms: Arc<AtomicU64>,
    ) -> Self {
        Self {
            root: root.to_path_buf(),
            index: Mutex::new(index),
            queue: Mutex::default(),
            queued: Condvar::new(),
            writer: Mutex::new(writer),
            checkpoint_bytes,
            delay_ms,
            commits: AtomicU64::new(0),
            checkpoints: AtomicU64::new(0),
        }
    }

    /// The writer thread: takes whatever is queued, commits it as one batch, until the
    /// journal is dropped.
    fn run(&self) {
        loop {
            let batch = {
                let mut queue = lock(&self.queue);
                loop {
                    #[cfg(test)]
                    let paused = queue.paused;
                    #[cfg(not(test))]
                    let paused = false;
                    if !queue.writes.is_empty() && !paused {
                        break;
                    }
                    if queue.closed && queue.writes.is_empty() {
                        return;
                    }
                    queue = self.queued.wait(queue).unwrap_or_else(|p| p.into_inner());
                }
                std::mem::take(&mut queue.writes)
            };
            let delay = self.delay_ms.load(Ordering::Relaxed);
            if delay > 0 {
                std::thread::sleep(std::time::Duration::from_millis(delay));
            }
            self.commit(batch);
        }
    }

    /// The size `key` holds now, in the journal or in its file.
    fn size_of(&self, key: &[String]) -> u64 {
        match lock(&self.index).get(key) {
            Some(slot) => slot.len(),
            None => super::path_of(&self.root, key)
                .and_then(|p| fs::metadata(p).ok())
                .map_or(0, |m| m.len()),
        }
    }

    /// Appends a batch, flushes it, and makes it visible; checkpoints when the journal is long.
    fn commit(&self, batch: Vec<Pending>) {
        let mut writer = lock(&self.writer);
        let Some(w) = writer.as_mut() else {
            for p in batch {
                let _ = p
                    .done
                    .send(Err(io::Error::other("the store is read-only or closed")));
            }
            return;
        };
        let mut buf = Vec::new();
        for p in &batch {
            encode(&p.key, &p.slot, &mut buf);
        }
        let appended = w.file.write_all(&buf).and_then(|()| w.file.sync_data());
        if let Err(e) = appended {
            // Whatever part of the batch reached the file is cut off again, so the next
            // batch follows the last good record.
            let _ = w.file.set_len(w.len);
            for p in batch {
                let _ = p.done.send(Err(io::Error::new(e.kind(), e.to_string())));
            }
            return;
        }
        w.len += buf.len() as u64;
        self.commits.fetch_add(1, Ordering::Relaxed);
        let mut sizes = Vec::with_capacity(batch.len());
        for p in &batch {
            sizes.push(self.size_of(&p.key));
            lock(&self.index).insert(p.key.clone(), p.slot.clone());
        }
        for (p, before) in batch.into_iter().zip(sizes) {
            let _ = p.done.send(Ok(before));
        }
        if w.len >= w.checkpoint_at
            && let Err(e) = self.checkpoint(w)
        {
            tracing::error!(error = %e, "journal checkpoint failed; the journal goes on growing and the checkpoint is tried again later");
            w.checkpoint_at = w.len.saturating_add(self.checkpoint_bytes / 4);
        }
    }

    /// Writes the journal's entries into the files and starts the next generation. Called by
    /// the writer thread: nothing else changes the index meanwhile (readers still read it).
    fn checkpoint(&self, w: &mut Writer) -> io::Result<()> {
        let entries = lock(&self.index).clone();
        fold(&self.root, &entries)?;
        let dir = self.root.join(DIR);
        let next = create_generation(&dir, w.generation + 1)?;
        let old = std::mem::replace(
            w,
            Writer {
                file: next,
                generation: w.generation + 1,
                len: 0,
                checkpoint_at: self.checkpoint_bytes,
            },
        );
        lock(&self.index).clear();
        fs::remove_file(generation_path(&dir, old.generation))?;
        self.checkpoints.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Everything the journal of the store at `root` holds, read without changing anything (for
/// readers in other processes; see the module docs for the order in which to read).
pub(crate) fn view(root: &Path) -> io::Result<BTreeMap<Key, Slot>> {
    Ok(replay(&root.join(DIR), false)?.0)
}

fn generation_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("{generation:016}{SUFFIX}"))
}

/// A new, empty generation file whose name is durable.
fn create_generation(dir: &Path, generation: u64) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(generation_path(dir, generation))?;
    super::sync_dir(dir)?;
    // Appends go to the end, also after a failed batch was cut off.
    fs::OpenOptions::new()
        .append(true)
        .open(generation_path(dir, generation))
}

/// The journal's generations, oldest first.
fn generations(dir: &Path) -> io::Result<Vec<u64>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let name = entry?.file_name();
        if let Some(g) = name
            .to_str()
            .and_then(|n| n.strip_suffix(SUFFIX))
            .and_then(|n| n.parse().ok())
        {
            out.push(g);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Reads every generation in order; a generation that vanished meanwhile (a writer's
/// checkpoint folded it into the files) is skipped. A torn last record is a crash's for the
/// `owner` (logged); for a reader, most likely a record being appended as it reads.
fn replay(dir: &Path, owner: bool) -> io::Result<(BTreeMap<Key, Slot>, Vec<u64>)> {
    let generations = generations(dir)?;
    let mut entries = BTreeMap::new();
    for &g in &generations {
        let bytes = match fs::read(generation_path(dir, g)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut at = 0;
        while let Some((key, slot, next)) = decode(&bytes, at) {
            entries.insert(key, slot);
            at = next;
        }
        if owner && at < bytes.len() {
            tracing::warn!(
                generation = g,
                kept = at,
                dropped = bytes.len() - at,
                "the journal ends in a torn or damaged record (a write cut off by a crash); reading stopped there"
            );
        }
    }
    Ok((entries, generations))
}

fn encode(key: &[String], slot: &Slot, out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(16 + key.iter().map(String::len).sum::<usize>() + slot.len() as usize);
    body.push(match slot {
        Slot::Put(_) => PUT,
        Slot::Deleted => DELETE,
    });
    body.push(u8::try_from(key.len()).expect("a key has few parts"));
    for part in key {
        let len = u16::try_from(part.len()).expect("a key part is short");
        body.extend_from_slice(&len.to_le_bytes());
        body.extend_from_slice(part.as_bytes());
    }
    if let Slot::Put(data) = slot {
        body.extend_from_slice(data);
    }
    let len = u32::try_from(body.len()).expect("a record under 4 GiB");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
}

/// The record at `at`, and where the next starts; `None` at the end or at a torn or damaged
/// record.
fn decode(bytes: &[u8], at: usize) -> Option<(Key, Slot, usize)> {
    let u32_at =
        |i: usize| -> Option<u32> { Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?)) };
    let len = usize::try_from(u32_at(at)?).ok()?;
    let crc = u32_at(at + 4)?;
    if len > MAX_RECORD {
        return None;
    }
    let body = bytes.get(at + 8..at + 8 + len)?;
    if crc32fast::hash(body) != crc {
        return None;
    }
    let op = *body.first()?;
    let parts = usize::from(*body.get(1)?);
    let mut i = 2;
    let mut key = Vec::with_capacity(parts);
    for _ in 0..parts {
        let n = usize::from(u16::from_le_bytes(body.get(i..i + 2)?.try_into().ok()?));
        key.push(String::from_utf8(body.get(i + 2..i + 2 + n)?.to_vec()).ok()?);
        i += 2 + n;
    }
    let slot = match op {
        PUT => Slot::Put(Arc::new(body[i..].to_vec())),
        DELETE if i == body.len() => Slot::Deleted,
        _ => return None,
    };
    Some((key, slot, at + 8 + len))
}

/// Writes each put to its own file and removes the files of deleted keys: the journal's
/// entries made part of the files. Data first (temporaries flushed), then names (renames
/// flushed), then removals.
fn fold(root: &Path, entries: &BTreeMap<Key, Slot>) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut placed = Vec::new();
    for (key, slot) in entries {
        let Slot::Put(data) = slot else { continue };
        let Some(path) = super::path_of(root, key) else {
            tracing::warn!("the journal holds a key that would leave the store; skipped");
            continue;
        };
        let tmp = super::write_temporary(&path, data)?;
        placed.push((tmp, path));
    }
    flush(root, placed.iter().map(|(tmp, _)| tmp.as_path()))?;
    for (tmp, path) in &placed {
        fs::rename(tmp, path)?;
    }
    flush(root, placed.iter().filter_map(|(_, path)| path.parent()))?;
    for (key, slot) in entries {
        if *slot == Slot::Deleted
            && let Some(path) = super::path_of(root, key)
        {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Flushes the filesystem holding `root`: every file written and renamed so far is on disk.
#[cfg(target_os = "linux")]
fn flush<'a>(root: &Path, _paths: impl Iterator<Item = &'a Path>) -> io::Result<()> {
    let dir = fs::File::open(root)?;
    rustix::fs::syncfs(&dir).map_err(io::Error::from)
}

/// Flushes each of `paths` (files or directories).
#[cfg(not(target_os = "linux"))]
fn flush<'a>(_root: &Path, paths: impl Iterator<Item = &'a Path>) -> io::Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for path in paths {
        if seen.insert(path) {
            fs::File::open(path)?.sync_all()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Key {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    fn submit(journal: &Journal, k: &[&str], slot: Slot) -> oneshot::Receiver<io::Result<u64>> {
        let (done, rx) = oneshot::channel();
        journal.submit(Pending {
            key: key(k),
            slot,
            done,
        });
        rx
    }

    /// Writes and waits until the write is committed.
    fn put(journal: &Journal, k: &[&str], data: &[u8]) {
        submit(journal, k, Slot::Put(Arc::new(data.to_vec())))
            .blocking_recv()
            .unwrap()
            .unwrap();
    }

    fn open(dir: &Path, checkpoint_bytes: u64) -> Journal {
        Journal::open(dir, checkpoint_bytes, Arc::default()).unwrap()
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("desmigratif-journal-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_queued_during_a_commit_share_the_next_one() {
        let dir = temp("group");
        let journal = open(&dir, u64::MAX);
        // The writer thread is busy: the writes submitted now queue.
        journal.pause(true);
        let mut waiting: Vec<_> = (0..4)
            .map(|i| {
                let data = format!("data {i}").into_bytes();
                submit(
                    &journal,
                    &["abcdef", "incremental", &format!("h{i}")],
                    Slot::Put(Arc::new(data)),
                )
            })
            .collect();
        assert!(
            waiting.iter_mut().all(|rx| rx.try_recv().is_err()),
            "nothing committed yet"
        );
        assert_eq!(journal.counts().0, 0);
        // It gets to them: one commit takes all four along.
        journal.pause(false);
        for (i, rx) in waiting.into_iter().enumerate() {
            assert_eq!(rx.blocking_recv().unwrap().unwrap(), 0, "nothing held before");
            assert_eq!(
                journal.get(&key(&["abcdef", "incremental", &format!("h{i}")])),
                Some(Slot::Put(Arc::new(format!("data {i}").into_bytes())))
            );
        }
        assert_eq!(journal.counts().0, 1, "four writes, one commit");
        // A write of a key held before answers its size then.
        let again = submit(&journal, &["abcdef", "incremental", "h0"], Slot::Deleted);
        assert_eq!(again.blocking_recv().unwrap().unwrap(), 6);
        // A closed journal writes nothing.
        journal.close();
        let refused = submit(&journal, &["abcdef", "incremental", "h9"], Slot::Deleted);
        assert!(refused.blocking_recv().unwrap().is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_reopened_journal_is_folded_into_the_files_and_a_torn_record_is_dropped() {
        let dir = temp("replay");
        {
            let journal = open(&dir, u64::MAX);
            put(&journal, &["abcdef", "incremental", "h1"], b"one");
            put(&journal, &["abcdef", "incremental", "h2"], b"two");
            put(&journal, &["abcdef", "snapshot", "s1"], b"both");
            submit(&journal, &["abcdef", "incremental", "h1"], Slot::Deleted)
                .blocking_recv()
                .unwrap()
                .unwrap();
            // Another process reads what the journal holds while it is written.
            let seen = view(&dir).unwrap();
            assert_eq!(seen.len(), 3);
            assert_eq!(seen[&key(&["abcdef", "incremental", "h1"])], Slot::Deleted);
            assert!(
                Journal::open(&dir, u64::MAX, Arc::default()).is_err(),
                "a second writer is refused while the first holds the store"
            );
        }
        // A crash in the middle of an append: half a record at the end.
        let generation = generations(&dir.join(DIR)).unwrap()[0];
        assert_eq!(
            replay(&dir.join(DIR), false).unwrap().0.len(),
            3,
            "written, as a reader sees it"
        );
        let mut torn = Vec::new();
        encode(
            &key(&["abcdef", "incremental", "h9"]),
            &Slot::Put(Arc::new(vec![9; 100])),
            &mut torn,
        );
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(generation_path(&dir.join(DIR), generation))
            .unwrap();
        file.write_all(&torn[..60]).unwrap();
        drop(file);
        // Files of the same key written before (by an older run) are replaced or removed.
        let h1 = super::super::path_of(&dir, &key(&["abcdef", "incremental", "h1"])).unwrap();
        fs::create_dir_all(h1.parent().unwrap()).unwrap();
        fs::write(&h1, b"one").unwrap();

        let journal = open(&dir, u64::MAX);
        let file = |k: &[&str]| fs::read(super::super::path_of(&dir, &key(k)).unwrap()).ok();
        assert_eq!(
            file(&["abcdef", "incremental", "h2"]).as_deref(),
            Some(&b"two"[..])
        );
        assert_eq!(file(&["abcdef", "snapshot", "s1"]).as_deref(), Some(&b"both"[..]));
        assert_eq!(file(&["abcdef", "incremental", "h1"]), None, "deleted");
        assert_eq!(
            file(&["abcdef", "incremental", "h9"]),
            None,
            "the torn record is not a write"
        );
        assert!(
            journal.get(&key(&["abcdef", "incremental", "h2"])).is_none(),
            "folded"
        );
        let left = generations(&dir.join(DIR)).unwrap();
        assert_eq!(
            left,
            vec![generation + 1],
            "the old generation is gone, a new one started"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_long_journal_is_checkpointed_into_the_files() {
        let dir = temp("checkpoint");
        let journal = open(&dir, 1000);
        for i in 0..30 {
            put(
                &journal,
                &["abcdef", "incremental", &format!("h{i}")],
                &[i as u8; 100],
            );
        }
        let (_, checkpoints) = journal.counts();
        assert!(checkpoints >= 2, "{checkpoints} checkpoints");
        // Every write is readable, from the journal or from its file.
        for i in 0..30 {
            let k = key(&["abcdef", "incremental", &format!("h{i}")]);
            // The journal first: a checkpoint writes the file before it empties the journal.
            let data = match journal.get(&k) {
                Some(Slot::Put(d)) => Some((*d).clone()),
                _ => fs::read(super::super::path_of(&dir, &k).unwrap()).ok(),
            };
            assert_eq!(data, Some(vec![i as u8; 100]), "write {i}");
        }
        assert_eq!(generations(&dir.join(DIR)).unwrap().len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
