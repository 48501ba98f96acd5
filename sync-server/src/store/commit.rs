//! Group commit: the writes that arrive while the disk is busy share one flush.
//!
//! Each write first goes to a temporary file, not yet flushed. The first writer that finds no
//! commit under way leads one: it takes every write queued so far, flushes their data, renames
//! them into place, flushes the renames and wakes their writers, then takes what queued in the
//! meantime, until the queue is empty. With many devices writing at once, a batch holds one
//! write per device and the disk is flushed twice per batch instead of twice per write.
//!
//! On Linux a flush is one `syncfs(2)` of the filesystem holding the store (it also flushes
//! whatever else is dirty on that filesystem, so a busy relay is best given a filesystem of its
//! own); elsewhere each file, then each directory, is fsynced.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::oneshot;

/// A write whose data is in a temporary file, waiting to be committed.
pub(super) struct Pending {
    pub tmp: PathBuf,
    pub path: PathBuf,
    pub done: oneshot::Sender<io::Result<()>>,
}

#[derive(Debug, Default)]
pub(super) struct Group {
    state: Mutex<State>,
    /// Batches committed so far.
    commits: std::sync::atomic::AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    queue: Vec<Pending>,
    leading: bool,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("path", &self.path).finish()
    }
}

/// Lets the next writer lead if a commit panics (its writers see their channel closed and retry).
struct Lead<'a>(&'a Group);

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().leading = false;
        }
    }
}

impl Group {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a write. If no commit is under way, commits batches on this thread until the
    /// queue is empty; otherwise returns at once and the leading writer commits this one.
    /// Blocking: call it from a blocking thread.
    pub fn submit(&self, root: &Path, write: Pending) {
        {
            let mut state = self.lock();
            state.queue.push(write);
            if state.leading {
                return;
            }
            state.leading = true;
        }
        let _lead = Lead(self);
        loop {
            let batch = {
                let mut state = self.lock();
                if state.queue.is_empty() {
                    state.leading = false;
                    return;
                }
                std::mem::take(&mut state.queue)
            };
            commit(root, batch);
            self.commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Batches committed so far.
    #[cfg(test)]
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Makes a batch durable: data, then names.
fn commit(root: &Path, batch: Vec<Pending>) {
    if let Err(e) = flush(root, batch.iter().map(|w| w.tmp.as_path())) {
        for w in batch {
            let _ = fs::remove_file(&w.tmp);
            let _ = w.done.send(Err(copy(&e)));
        }
        return;
    }
    let mut placed = Vec::with_capacity(batch.len());
    for w in batch {
        match fs::rename(&w.tmp, &w.path) {
            Ok(()) => placed.push(w),
            Err(e) => {
                let _ = fs::remove_file(&w.tmp);
                let _ = w.done.send(Err(e));
            }
        }
    }
    let flushed = flush(root, placed.iter().filter_map(|w| w.path.parent()));
    for w in placed {
        let _ = w.done.send(flushed.as_ref().map(|_| ()).map_err(copy));
    }
}

fn copy(e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), e.to_string())
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

    fn pending(dir: &Path, name: &str, data: &[u8]) -> (Pending, oneshot::Receiver<io::Result<()>>) {
        let tmp = dir.join(format!("{name}.tmp"));
        fs::write(&tmp, data).unwrap();
        let (done, rx) = oneshot::channel();
        let path = dir.join(name);
        (Pending { tmp, path, done }, rx)
    }

    #[test]
    fn writes_queued_during_a_commit_share_the_next_one_and_fail_alone() {
        let dir = std::env::temp_dir().join(format!("desmigratif-commit-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let group = Group::default();
        // A commit is under way: the writes submitted now queue and return at once.
        group.lock().leading = true;
        let mut waiting = Vec::new();
        for i in 0..3 {
            let (w, rx) = pending(&dir, &format!("chunk{i}"), format!("data {i}").as_bytes());
            group.submit(&dir, w);
            waiting.push(rx);
        }
        // One whose directory is gone cannot be renamed into place.
        let (mut lost, lost_rx) = pending(&dir, "lost", b"x");
        lost.path = dir.join("missing").join("lost");
        group.submit(&dir, lost);
        assert_eq!(group.commits(), 0);
        assert!(
            waiting.iter_mut().all(|rx| rx.try_recv().is_err()),
            "nothing committed yet"
        );

        // The commit under way ends; the next writer leads and takes every queued write along.
        group.lock().leading = false;
        let (w, rx) = pending(&dir, "chunk3", b"data 3");
        group.submit(&dir, w);
        waiting.push(rx);
        assert_eq!(group.commits(), 1, "five writes, one commit");
        for (i, mut rx) in waiting.into_iter().enumerate() {
            rx.try_recv().unwrap().unwrap();
            assert_eq!(
                fs::read(dir.join(format!("chunk{i}"))).unwrap(),
                format!("data {i}").as_bytes()
            );
        }
        let mut lost_rx = lost_rx;
        assert!(
            lost_rx.try_recv().unwrap().is_err(),
            "the write that cannot be placed fails"
        );
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "no temporary file is left: {left:?}");
        assert!(!group.lock().leading, "the next writer can lead");
        fs::remove_dir_all(&dir).unwrap();
    }
}
