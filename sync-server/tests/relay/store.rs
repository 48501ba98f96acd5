use std::path::PathBuf;

use desmigratif_model::{DocumentId, VillageDoc};
use samod::Repo;
use sync_server::seed::{DEMO_HOUSEHOLDS, seed_demo};
use sync_server::store::FileStore;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("desmigratif-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn seeded_demo_documents_load_through_samod() {
    let dir = temp_dir("seed");
    let store = FileStore::open(&dir).unwrap();
    let docs = seed_demo(&store, DEMO_HOUSEHOLDS).unwrap();
    assert_eq!(docs.len(), 5, "four villages and the district");

    let repo = Repo::build_tokio().with_storage(store.clone()).load().await;
    for seeded in &docs[..4] {
        let samod_id: samod::DocumentId = seeded
            .doc_id
            .to_string()
            .parse()
            .expect("a valid automerge-repo id");
        assert_eq!(samod_id.to_string(), seeded.doc_id.to_string());
        let handle = repo
            .find(samod_id)
            .await
            .unwrap()
            .expect("the relay's sync layer finds the demo village");
        let bytes = handle.with_document(|doc| doc.save());
        let village = VillageDoc::load(&bytes).unwrap();
        assert_eq!(village.code().unwrap().as_str(), seeded.code);
        let snapshot = village.snapshot();
        assert!(snapshot.persons.len() >= DEMO_HOUSEHOLDS * 2);
        assert!(snapshot.damaged.is_empty());
    }
    repo.stop().await;

    // A second start finds the documents and writes nothing new.
    let before =
        store.load_range_sync(&samod::storage::StorageKey::from_parts([docs[0].doc_id.to_string()]).unwrap());
    let again = seed_demo(&store, DEMO_HOUSEHOLDS).unwrap();
    let after =
        store.load_range_sync(&samod::storage::StorageKey::from_parts([docs[0].doc_id.to_string()]).unwrap());
    assert_eq!(again.len(), 5);
    assert_eq!(before, after);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn model_document_ids_are_automerge_repo_ids() {
    for code in ["35.07.11.2008", "35.07.33.2006"] {
        let id = DocumentId::for_village(&code.parse().unwrap());
        let parsed: samod::DocumentId = id.to_string().parse().unwrap();
        assert_eq!(parsed.to_string(), id.to_string());
    }
}
