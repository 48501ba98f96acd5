use super::*;

fn key(parts: &[&str]) -> StorageKey {
    StorageKey::from_parts(parts).unwrap()
}

#[tokio::test]
async fn put_load_range_delete_round_trip() {
    let dir = std::env::temp_dir().join(format!("desmigratif-store-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let store = FileStore::open(&dir).unwrap();
    store
        .put_sync(&key(&["abcdef", "snapshot", "h1"]), b"one")
        .unwrap();
    store
        .put_sync(&key(&["abcdef", "incremental", "h2"]), b"two")
        .unwrap();
    store.put_sync(&key(&["storage-adapter-id"]), b"id").unwrap();
    assert_eq!(
        store.load_sync(&key(&["abcdef", "snapshot", "h1"])).as_deref(),
        Some(&b"one"[..])
    );
    let range = store.load_range_sync(&key(&["abcdef"]));
    assert_eq!(range.len(), 2);
    assert_eq!(range[&key(&["abcdef", "incremental", "h2"])], b"two");
    assert_eq!(store.load_range_sync(&key(&["abcdef", "snapshot"])).len(), 1);
    assert_eq!(
        store
            .load_range_sync(&StorageKey::from_parts(Vec::<&str>::new()).unwrap())
            .len(),
        3
    );
    store.delete(key(&["abcdef", "snapshot", "h1"])).await;
    assert!(store.load_sync(&key(&["abcdef", "snapshot", "h1"])).is_none());
    assert!(store.load_range_sync(&key(&["abcdef", "snapshot"])).is_empty());
    // Keys that could leave the store are refused.
    assert!(store.put_sync(&key(&["abcdef", ".."]), b"x").is_err());
    assert!(store.load_sync(&key(&["..", "etc"])).is_none());
    // A crash mid-write leaves a temporary file, which reopening removes.
    fs::write(dir.join("ab").join("cdef").join("snapshot.99.tmp"), b"torn").unwrap();
    drop(store);
    let store = FileStore::open(&dir).unwrap();
    assert_eq!(store.load_range_sync(&key(&["abcdef"])).len(), 1);
    assert!(!dir.join("ab").join("cdef").join("snapshot.99.tmp").exists());
    fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_documents_size_follows_its_writes_and_removals() {
    let dir = std::env::temp_dir().join(format!("desmigratif-sizes-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let store = FileStore::open(&dir).unwrap();
    let doc = "abcdef";
    assert_eq!(store.stored_bytes(doc), 0, "counted (and kept) before any write");
    store.put(key(&[doc, "incremental", "h1"]), vec![1; 100]).await;
    store.put(key(&[doc, "snapshot", "h2"]), vec![2; 1000]).await;
    assert_eq!(store.stored_bytes(doc), 1100);
    store.delete(key(&[doc, "incremental", "h1"])).await;
    assert_eq!(store.stored_bytes(doc), 1000);
    // The same key written again replaces its file.
    store.put(key(&[doc, "snapshot", "h2"]), vec![2; 1000]).await;
    store
        .put_sync(&key(&[doc, "incremental", "h3"]), &[3; 10])
        .unwrap();
    assert_eq!(store.stored_bytes(doc), 1010);
    // Another document's writes do not count here; a fresh count agrees.
    store
        .put(key(&["ghijkl", "incremental", "h4"]), vec![4; 50])
        .await;
    assert_eq!(store.stored_bytes(doc), 1010);
    assert_eq!(FileStore::open_read_only(&dir).unwrap().stored_bytes(doc), 1010);
    drop(store);
    assert_eq!(
        FileStore::open(&dir).unwrap().stored_bytes(doc),
        1010,
        "and after the journal is folded into the files"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn writes_and_removals_read_the_same_across_checkpoints_and_a_reopen() {
    let dir = std::env::temp_dir().join(format!("desmigratif-folds-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    // A journal of a few hundred bytes: folded into the files every few writes.
    let store = FileStore::open_with(&dir, 300).unwrap();
    let doc = "abcdef";
    assert_eq!(store.stored_bytes(doc), 0);
    let mut expected = HashMap::new();
    for round in 0..6u8 {
        // Ten incrementals, then a snapshot that replaces them, as samod compacts.
        let mut written = Vec::new();
        for i in 0..10u8 {
            let k = key(&[doc, "incremental", &format!("r{round}c{i}")]);
            store.put(k.clone(), vec![i; 40]).await;
            written.push(k);
        }
        let snapshot = key(&[doc, "snapshot", &format!("s{round}")]);
        store.put(snapshot.clone(), vec![round; 120]).await;
        for k in written {
            store.delete(k).await;
        }
        if round > 0 {
            store
                .delete(key(&[doc, "snapshot", &format!("s{}", round - 1)]))
                .await;
            expected.clear();
        }
        expected.insert(snapshot, vec![round; 120]);
    }
    let prefix = key(&[doc]);
    assert_eq!(store.load_range_sync(&prefix), expected);
    assert_eq!(store.stored_bytes(doc), 120);
    assert!(
        !dir.join("ab").join("cdef").join("snapshot").join("s0").exists(),
        "a removed snapshot's file is gone once folded"
    );
    // Another process reading now, and this store reopened, see the same.
    assert_eq!(
        FileStore::open_read_only(&dir).unwrap().load_range_sync(&prefix),
        expected
    );
    drop(store);
    let store = FileStore::open(&dir).unwrap();
    assert_eq!(store.load_range_sync(&prefix), expected);
    assert_eq!(store.stored_bytes(doc), 120);
    fs::remove_dir_all(&dir).unwrap();
}
