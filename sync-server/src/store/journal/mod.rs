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

use self::fold::fold;
use self::generations::{create_generation, generation_path, replay};
use self::record::encode;

mod fold;
mod generations;
mod record;
#[cfg(test)]
mod tests;

/// The journal's directory under the store's root.
pub(crate) const DIR: &str = "journal";
const SUFFIX: &str = ".wal";
/// The owner's lock file: one process writes a store.
const LOCK: &str = "owner.lock";

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

    /// The size `key` holds now, in the journal or in its file.
    pub(super) fn size_of(&self, key: &[String]) -> u64 {
        self.shared.size_of(key)
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
