//! The durable embedded store: the files in the layout automerge-repo's Node filesystem
//! adapter uses (`ab/cdef…/snapshot/<hash>`), in front of them a journal that every write is
//! appended to ([`journal`]).
//!
//! A write is appended to the journal together with the writes issued at the same time, and
//! the journal is flushed once for all of them (group commit): once `put` returns, the data
//! survives `kill -9` and a power cut. What the journal holds is folded into the files at
//! checkpoints; reads ask the journal first, then the files.
//!
//! The store also knows which changes of each document are durable ([`FileStore::is_durable`]).
//! samod sends its replies without waiting for its writes; the sync endpoint holds back every
//! message that announces heads until those heads are durable, so a peer is never told that
//! the relay holds a change that a crash could still lose.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use samod::storage::{Storage, StorageKey};

use self::journal::{Journal, Slot};
use self::ledger::Ledger;

mod files;
pub(crate) mod journal;
mod ledger;

pub(crate) use self::files::{TMP_SUFFIX, path_of, read_dir_sorted};
use self::files::{collect, collect_files_directly, remove_temporaries, sync_dir, write_temporary};

/// A journal longer than this is folded into the files.
const CHECKPOINT_BYTES: u64 = 16 << 20;

#[derive(Clone, Debug)]
pub struct FileStore {
    root: Arc<PathBuf>,
    ledger: Arc<Ledger>,
    /// Every write goes through it (see [`journal`]).
    journal: Arc<Journal>,
    /// The bytes each document takes on disk, once asked for; writes and removals keep it.
    sizes: Arc<Mutex<HashMap<String, u64>>>,
    /// Woken when a write completes or the store's health changes.
    durable_changed: Arc<tokio::sync::Notify>,
    write_delay_ms: Arc<AtomicU64>,
    fail_writes: Arc<AtomicBool>,
    /// Writes that failed and are being retried, and the cause of the first failure.
    failing: Arc<Mutex<Failing>>,
}

#[derive(Debug, Default)]
struct Failing {
    writes: u64,
    cause: Option<String>,
}

impl FileStore {
    /// Opens (creating if needed) a store rooted at `dir` for this process to write: removes
    /// temporary files left by a crash and folds what the journal holds into the files. Only
    /// one process at a time may open a store this way; others read it with
    /// [`Self::open_read_only`].
    pub fn open(dir: impl AsRef<Path>) -> io::Result<Self> {
        Self::open_with(dir, CHECKPOINT_BYTES)
    }

    /// [`Self::open`], with the journal folded into the files whenever it reaches
    /// `checkpoint_bytes` (tests make it small to exercise checkpoints).
    pub fn open_with(dir: impl AsRef<Path>, checkpoint_bytes: u64) -> io::Result<Self> {
        let root = dir.as_ref().to_path_buf();
        fs::create_dir_all(&root)?;
        remove_temporaries(&root)?;
        let write_delay_ms = Arc::new(AtomicU64::new(0));
        let journal = Journal::open(&root, checkpoint_bytes, write_delay_ms.clone())?;
        Ok(Self::with_journal(root, journal, write_delay_ms))
    }

    /// Opens a store that another process (a running relay) may be writing, to read it as it
    /// is now: the journal is read first, then the files (see [`journal`]). Writes fail.
    pub fn open_read_only(dir: impl AsRef<Path>) -> io::Result<Self> {
        let root = dir.as_ref().to_path_buf();
        let journal = Journal::read_only(&root)?;
        Ok(Self::with_journal(root, journal, Arc::default()))
    }

    fn with_journal(root: PathBuf, journal: Journal, write_delay_ms: Arc<AtomicU64>) -> Self {
        Self {
            root: Arc::new(root),
            ledger: Arc::default(),
            journal: Arc::new(journal),
            sizes: Arc::default(),
            durable_changed: Arc::default(),
            write_delay_ms,
            fail_writes: Arc::default(),
            failing: Arc::default(),
        }
    }

    /// Lets go of the store once the sync layer has stopped: later writes fail, and another
    /// process (or a relay started again in this one) may open it.
    pub fn close(&self) {
        self.journal.close();
    }

    /// Makes every write fail, as a full or broken disk does, until called with `false`: for
    /// fault drills and tests of what the relay does when it cannot store.
    pub fn fail_writes(&self, fail: bool) {
        self.fail_writes.store(fail, Ordering::Relaxed);
    }

    /// `Err` with the cause while writes are failing (they are retried until they succeed).
    pub fn health(&self) -> Result<(), String> {
        let failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        match (&failing.cause, failing.writes) {
            (Some(cause), n) if n > 0 => Err(format!("{n} writes failing: {cause}")),
            _ => Ok(()),
        }
    }

    /// Notes a write that failed; logs the cause once per episode of failures.
    fn write_failed(&self, first_attempt: bool, cause: &str) {
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        if first_attempt {
            failing.writes += 1;
        }
        if failing.cause.is_none() {
            tracing::error!(%cause, "storage write failed; retrying, and announcing no change it holds until it is on disk");
            failing.cause = Some(cause.to_owned());
        }
        drop(failing);
        self.durable_changed.notify_waiters();
    }

    /// Completes once [`Self::health`] is ok (`true`) or failing (`false`), or returns false
    /// after `timeout`.
    pub async fn wait_health(&self, ok: bool, timeout: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.durable_changed.notified();
            if self.health().is_ok() == ok {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.health().is_ok() == ok;
            }
        }
    }

    /// Notes that a write that had failed is now on disk.
    fn write_recovered(&self) {
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        failing.writes = failing.writes.saturating_sub(1);
        if failing.writes == 0 && failing.cause.take().is_some() {
            tracing::info!("storage writes recovered");
        }
        drop(failing);
        self.durable_changed.notify_waiters();
    }

    /// Makes every later commit of the journal wait this long before it starts: a slow disk,
    /// for fault drills and tests of the durability rule.
    pub fn delay_writes(&self, delay: std::time::Duration) {
        self.write_delay_ms
            .store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    /// Numbers a write of a document key as it is issued.
    fn begin_write(&self, key: &StorageKey) -> Option<(String, u64)> {
        self.ledger.begin_write(key)
    }

    fn finish_write(&self, doc: &str, seq: u64, key: &StorageKey, data: &[u8]) {
        self.ledger.finish_write(doc, seq, key, data);
        self.durable_changed.notify_waiters();
    }

    /// Whether every change in `heads` (and so all their ancestors) of document `doc` is on disk.
    pub fn is_durable(&self, doc: &str, heads: &[automerge::ChangeHash]) -> bool {
        self.ledger.is_durable(doc, heads)
    }

    /// Completes once `heads` of `doc` are durable, or returns false after `timeout`.
    pub async fn wait_durable(
        &self,
        doc: &str,
        heads: &[automerge::ChangeHash],
        timeout: std::time::Duration,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.durable_changed.notified();
            if self.is_durable(doc, heads) {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.is_durable(doc, heads);
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of a key, or `None` for a key that could escape the store (`..`, separators).
    fn path_of(&self, key: &StorageKey) -> Option<PathBuf> {
        path_of(&self.root, &parts(key))
    }

    /// The bytes a document takes on disk (its snapshots and incremental changes): counted
    /// the first time it is asked for (from the files, then what the journal says of them),
    /// then kept by every write and removal (the relay asks for every message that brings
    /// changes).
    pub fn stored_bytes(&self, doc_id: &str) -> u64 {
        fn size(path: &Path) -> u64 {
            match fs::metadata(path) {
                Ok(m) if m.is_dir() => read_dir_sorted(path).iter().map(|p| size(p)).sum(),
                Ok(m) => m.len(),
                Err(_) => 0,
            }
        }
        if let Some(known) = self.lock_sizes().get(doc_id) {
            return *known;
        }
        let prefix = vec![doc_id.to_owned()];
        let mut counted = path_of(&self.root, &prefix).map_or(0, |path| size(&path));
        for (key, slot) in self.journal.under(&prefix) {
            let file = path_of(&self.root, &key)
                .and_then(|p| fs::metadata(p).ok())
                .map_or(0, |m| m.len());
            counted = (counted + slot.len()).saturating_sub(file);
        }
        *self.lock_sizes().entry(doc_id.to_owned()).or_insert(counted)
    }

    fn lock_sizes(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.sizes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A key went from `before` to `after` bytes: its document's count follows.
    fn resized(&self, key: &StorageKey, before: u64, after: u64) {
        let parts: Vec<&String> = key.into_iter().collect();
        if parts.len() < 2 {
            return;
        }
        if let Some(size) = self.lock_sizes().get_mut(parts[0].as_str()) {
            *size = (*size + after).saturating_sub(before);
        }
    }

    /// The size of what a key holds now (0 if nothing).
    fn size_of(&self, key: &StorageKey) -> u64 {
        self.journal.size_of(&parts(key))
    }

    /// Loads one key.
    pub fn load_sync(&self, key: &StorageKey) -> Option<Vec<u8>> {
        match self.journal.get(&parts(key)) {
            Some(Slot::Put(data)) => Some((*data).clone()),
            Some(Slot::Deleted) => None,
            None => fs::read(self.path_of(key)?).ok(),
        }
    }

    /// Writes one key to its own file, durably, with a flush of its own (for writers that
    /// run before or without the sync layer: demo data, the import command).
    pub fn put_sync(&self, key: &StorageKey, data: &[u8]) -> io::Result<()> {
        if self.journal.is_read_only() {
            return Err(io::Error::other("the store is read-only or closed"));
        }
        if self.fail_writes.load(Ordering::Relaxed) {
            return Err(injected_failure());
        }
        let path = self
            .path_of(key)
            .ok_or_else(|| io::Error::other("invalid storage key"))?;
        let tmp = write_temporary(&path, data)?;
        fs::File::open(&tmp)?.sync_all()?;
        let before = self.size_of(key);
        fs::rename(&tmp, &path)?;
        self.journal.forget(&parts(key));
        self.resized(key, before, data.len() as u64);
        sync_dir(path.parent().expect("a key has a parent directory"))
    }

    /// Journals one write (a put, or a removal), sharing the append and the flush with the
    /// writes issued at the same time (group commit, see [`journal`]).
    async fn write_grouped(&self, key: StorageKey, slot: Slot) -> io::Result<()> {
        let parts = parts(&key);
        if path_of(&self.root, &parts).is_none() {
            return Err(io::Error::other("invalid storage key"));
        }
        if self.fail_writes.load(Ordering::Relaxed) {
            return Err(injected_failure());
        }
        let (done, committed) = tokio::sync::oneshot::channel();
        let len = slot.len();
        self.journal.submit(journal::Pending {
            key: parts,
            slot,
            done,
        });
        let before = committed
            .await
            .map_err(|_| io::Error::other("the commit holding this write was interrupted"))??;
        self.resized(&key, before, len);
        Ok(())
    }

    /// Every key under `prefix` with its data.
    pub fn load_range_sync(&self, prefix: &StorageKey) -> HashMap<StorageKey, Vec<u8>> {
        let parts = parts(prefix);
        let mut out = HashMap::new();
        if parts.is_empty() {
            // Every key: walk the two splay levels to rebuild each first component.
            for entry in read_dir_sorted(&self.root) {
                let Some(a) = entry.file_name().and_then(|s| s.to_str()).map(str::to_owned) else {
                    continue;
                };
                if a == journal::DIR {
                    continue;
                }
                for sub in read_dir_sorted(&entry) {
                    let Some(b) = sub.file_name().and_then(|s| s.to_str()) else {
                        continue;
                    };
                    collect(&sub, vec![format!("{a}{b}")], &mut out);
                }
                collect_files_directly(&entry, &a, &mut out);
            }
        } else if let Some(path) = path_of(&self.root, &parts) {
            if path.is_file() {
                if let Ok(data) = fs::read(&path) {
                    out.insert(prefix.clone(), data);
                }
            } else {
                collect(&path, parts.clone(), &mut out);
            }
        } else {
            return out;
        }
        for (key, slot) in self.journal.under(&parts) {
            let Ok(key) = StorageKey::from_parts(&key) else {
                continue;
            };
            match slot {
                Slot::Put(data) => {
                    out.insert(key, (*data).clone());
                }
                Slot::Deleted => {
                    out.remove(&key);
                }
            }
        }
        out
    }
}

fn parts(key: &StorageKey) -> Vec<String> {
    key.into_iter().cloned().collect()
}

fn injected_failure() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, "no space left on device (injected)")
}

impl Storage for FileStore {
    fn load(&self, key: StorageKey) -> impl Future<Output = Option<Vec<u8>>> + Send {
        let store = self.clone();
        async move {
            tokio::task::spawn_blocking(move || store.load_sync(&key))
                .await
                .ok()
                .flatten()
        }
    }

    fn load_range(&self, prefix: StorageKey) -> impl Future<Output = HashMap<StorageKey, Vec<u8>>> + Send {
        let store = self.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let found = store.load_range_sync(&prefix);
                store.ledger.loaded(&found);
                found
            })
            .await
            .unwrap_or_default()
        }
    }

    fn put(&self, key: StorageKey, data: Vec<u8>) -> impl Future<Output = ()> + Send {
        // Numbered now, as samod issues it, not when the write starts.
        let ticket = self.begin_write(&key);
        let store = self.clone();
        let data = Arc::new(data);
        async move {
            // samod's Storage has no error channel: a failed write is retried until the disk
            // takes it. Until then the changes it holds are not durable, so no reply announces
            // them, and `/healthz` reports the failure.
            let mut wait = std::time::Duration::from_millis(50);
            let mut attempt = 0u32;
            loop {
                let result = store.write_grouped(key.clone(), Slot::Put(data.clone())).await;
                if result.is_ok()
                    && let Some((doc, seq)) = &ticket
                {
                    store.finish_write(doc, *seq, &key, &data);
                }
                match result {
                    Ok(()) => {
                        if attempt > 0 {
                            store.write_recovered();
                        }
                        break;
                    }
                    Err(e) => store.write_failed(attempt == 0, &e.to_string()),
                }
                attempt += 1;
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }

    fn delete(&self, key: StorageKey) -> impl Future<Output = ()> + Send {
        // A removal that is lost (the write failed, or a crash came first) leaves a chunk
        // whose changes a compacted snapshot also holds; loading merges them away.
        let store = self.clone();
        async move {
            if let Err(e) = store.write_grouped(key, Slot::Deleted).await {
                tracing::error!(error = %e, "storage delete failed");
            }
        }
    }
}

#[cfg(test)]
mod tests;
