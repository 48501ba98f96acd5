use std::io::Write;

use super::generations::{generation_path, generations, replay};
use super::record::encode;
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
    let h1 = crate::store::path_of(&dir, &key(&["abcdef", "incremental", "h1"])).unwrap();
    fs::create_dir_all(h1.parent().unwrap()).unwrap();
    fs::write(&h1, b"one").unwrap();

    let journal = open(&dir, u64::MAX);
    let file = |k: &[&str]| fs::read(crate::store::path_of(&dir, &key(k)).unwrap()).ok();
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
            _ => fs::read(crate::store::path_of(&dir, &k).unwrap()).ok(),
        };
        assert_eq!(data, Some(vec![i as u8; 100]), "write {i}");
    }
    assert_eq!(generations(&dir.join(DIR)).unwrap().len(), 1);
    fs::remove_dir_all(&dir).unwrap();
}
