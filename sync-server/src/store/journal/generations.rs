//! The journal's generations on disk: `journal/<generation>.wal`, created with a durable
//! name, listed in order, and read back record by record.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::record::decode;
use super::{Key, SUFFIX, Slot};

pub(super) fn generation_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("{generation:016}{SUFFIX}"))
}

/// A new, empty generation file whose name is durable.
pub(super) fn create_generation(dir: &Path, generation: u64) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(generation_path(dir, generation))?;
    crate::store::sync_dir(dir)?;
    // Appends go to the end, also after a failed batch was cut off.
    fs::OpenOptions::new()
        .append(true)
        .open(generation_path(dir, generation))
}

/// The journal's generations, oldest first.
pub(super) fn generations(dir: &Path) -> io::Result<Vec<u64>> {
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
pub(super) fn replay(dir: &Path, owner: bool) -> io::Result<(BTreeMap<Key, Slot>, Vec<u64>)> {
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
