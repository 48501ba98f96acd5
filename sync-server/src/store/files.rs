//! The store's files: where a key lives (`ab/cdef…/snapshot/<hash>`), temporaries, reading
//! directories back into keys, flushing a directory.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use samod::storage::StorageKey;

/// Files being written carry this suffix until renamed; loads ignore them.
pub(crate) const TMP_SUFFIX: &str = ".tmp";

/// The path of a key under `root`, or `None` for a key that could escape the store (`..`,
/// separators). The first part is split after two characters (`ab/cdef…`).
pub(crate) fn path_of(root: &Path, key: &[String]) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for (i, part) in key.iter().enumerate() {
        let safe = !part.is_empty()
            && part != "."
            && part != ".."
            && !part.contains(['/', '\\', '\0'])
            && !part.ends_with(TMP_SUFFIX);
        if !safe {
            return None;
        }
        if i == 0 {
            let split = part.char_indices().nth(2).map_or(part.len(), |(i, _)| i);
            path.push(&part[..split]);
            if split < part.len() {
                path.push(&part[split..]);
            }
        } else {
            path.push(part);
        }
    }
    Some(path)
}

/// Writes `data` to a new temporary file beside `path` (creating its directory), not flushed;
/// returns the temporary's path.
pub(super) fn write_temporary(path: &Path, data: &[u8]) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().expect("a key has a parent directory");
    fs::create_dir_all(dir)?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(
        "{}.{}.{n}{TMP_SUFFIX}",
        path.file_name().and_then(|s| s.to_str()).unwrap_or("f"),
        std::process::id()
    ));
    fs::File::create(&tmp)?.write_all(data)?;
    Ok(tmp)
}

/// A directory's entries, sorted (nothing if it cannot be read).
pub(crate) fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    v
}

/// A key whose first component has at most two characters lives directly in the splay directory.
pub(super) fn collect_files_directly(dir: &Path, name: &str, out: &mut HashMap<StorageKey, Vec<u8>>) {
    if dir.is_file()
        && let (Ok(key), Ok(data)) = (StorageKey::from_parts([name]), fs::read(dir))
    {
        out.insert(key, data);
    }
}

pub(super) fn collect(dir: &Path, parts: Vec<String>, out: &mut HashMap<StorageKey, Vec<u8>>) {
    if dir.is_file() {
        if let (Ok(key), Ok(data)) = (StorageKey::from_parts(&parts), fs::read(dir)) {
            out.insert(key, data);
        }
        return;
    }
    for entry in read_dir_sorted(dir) {
        let Some(name) = entry.file_name().and_then(|s| s.to_str()) else {
            continue;
        };
        if name.ends_with(TMP_SUFFIX) {
            continue;
        }
        let mut next = parts.clone();
        next.push(name.to_owned());
        collect(&entry, next, out);
    }
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

pub(super) fn remove_temporaries(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_temporaries(&path)?;
        } else if path.to_str().is_some_and(|p| p.ends_with(TMP_SUFFIX)) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}
