//! Folding the journal into the document files.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use super::{Key, Slot};

/// Writes each put to its own file and removes the files of deleted keys: the journal's
/// entries made part of the files. Data first (temporaries flushed), then names (renames
/// flushed), then removals.
pub(super) fn fold(root: &Path, entries: &BTreeMap<Key, Slot>) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut placed = Vec::new();
    for (key, slot) in entries {
        let Slot::Put(data) = slot else { continue };
        let Some(path) = crate::store::path_of(root, key) else {
            tracing::warn!("the journal holds a key that would leave the store; skipped");
            continue;
        };
        let tmp = crate::store::write_temporary(&path, data)?;
        placed.push((tmp, path));
    }
    flush(root, placed.iter().map(|(tmp, _)| tmp.as_path()))?;
    for (tmp, path) in &placed {
        fs::rename(tmp, path)?;
    }
    flush(root, placed.iter().filter_map(|(_, path)| path.parent()))?;
    for (key, slot) in entries {
        if *slot == Slot::Deleted
            && let Some(path) = crate::store::path_of(root, key)
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
