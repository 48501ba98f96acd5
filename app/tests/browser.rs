//! The device storage in a real browser (headless Chromium through chromedriver), with
//! `wasm-bindgen-test`. Run by `cargo xtask test`; the sync client is exercised end to end by
//! `tests/e2e/app.test.mjs`.
#![cfg(target_arch = "wasm32")]

use app::storage::DocStorage;
use app::vault::{Vault, VaultError};
use automerge::AutoCommit;
use desmigratif_model::{Author, Edit, Person, RecordId, VillageDoc};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn doc_id() -> String {
    format!("test-{}", RecordId::random())
}

/// A vault of its own for a test (a fresh account name, so tests do not share PIN counters).
async fn fresh_vault() -> Vault {
    Vault::create(&format!("wasm-{}", RecordId::random()), "246810")
        .await
        .unwrap()
}

/// What is stored is sealed: no plaintext in it, it opens only with its own key, and the PIN
/// that made the vault is the only one that opens it again (a wrong one counts down).
#[wasm_bindgen_test]
async fn the_vault_seals_what_is_stored_and_opens_only_with_its_pin() {
    let account = format!("wasm-{}", RecordId::random());
    let vault = Vault::create(&account, "246810").await.unwrap();
    let plain = b"Siti Aminah 3507123456789012";
    let sealed = vault.seal(plain).await.unwrap();
    assert!(app::vault::is_sealed(&sealed));
    assert!(
        !sealed.windows(11).any(|w| w == b"Siti Aminah"),
        "no plaintext in the sealed value"
    );
    assert!(!sealed.windows(16).any(|w| w == b"3507123456789012"));
    assert_eq!(vault.open(&sealed).await.unwrap(), plain);

    let other = fresh_vault().await;
    assert!(other.open(&sealed).await.is_err(), "another key does not open it");

    assert_eq!(
        Vault::unlock(&account, "135790").await.unwrap_err(),
        VaultError::WrongPin { left: 9 }
    );
    assert_eq!(app::vault::failures(&account), 1);
    let again = Vault::unlock(&account, "246810").await.unwrap();
    assert_eq!(
        again.open(&sealed).await.unwrap(),
        plain,
        "the right PIN opens what was sealed"
    );
    assert_eq!(app::vault::failures(&account), 0, "a right PIN resets the count");

    for _ in 0..9 {
        let _ = Vault::unlock(&account, "000000").await;
    }
    assert_eq!(
        Vault::unlock(&account, "000000").await.unwrap_err(),
        VaultError::TooManyAttempts
    );
    app::vault::forget(&account);
    assert_eq!(
        Vault::unlock(&account, "246810").await.unwrap_err(),
        VaultError::Missing
    );
}

#[wasm_bindgen_test]
async fn chunks_from_two_writers_all_load_and_compaction_keeps_later_chunks() {
    let storage = DocStorage::open(fresh_vault().await).await.unwrap();
    let id = doc_id();
    let code = "35.07.11.2008".parse().unwrap();
    // Two "tabs" start from the same document and append their own chunks.
    let mut tab_a = VillageDoc::genesis(&code);
    let mut tab_b = VillageDoc::genesis(&code);
    let genesis = tab_a.automerge().save_incremental();
    let _ = tab_b.automerge().save_incremental();
    let first = storage.append(&id, &genesis).await.unwrap();
    let a = tab_a
        .create(
            Person::new(RecordId::random(), "Dari Tab A"),
            &Author::new("u", "a"),
            1,
        )
        .unwrap();
    let chunk_a = storage
        .append(&id, &tab_a.automerge().save_incremental())
        .await
        .unwrap();
    let b = tab_b
        .create(
            Person::new(RecordId::random(), "Dari Tab B"),
            &Author::new("u", "b"),
            2,
        )
        .unwrap();
    let chunk_b = storage
        .append(&id, &tab_b.automerge().save_incremental())
        .await
        .unwrap();

    let load = |chunks: Vec<(String, Vec<u8>)>| {
        let mut doc = AutoCommit::new();
        for (_, c) in &chunks {
            doc.load_incremental(c).unwrap();
        }
        VillageDoc::from_automerge(doc).unwrap().snapshot()
    };
    let chunks = storage.load(&id).await.unwrap();
    assert_eq!(chunks.len(), 3);
    let both = load(chunks);
    assert!(
        both.person(&a).is_some() && both.person(&b).is_some(),
        "neither tab overwrote the other"
    );

    // Tab A compacts what it merged (its own chunks and the genesis) while tab B's chunk stays.
    let mut merged = AutoCommit::new();
    for (_, c) in storage
        .load(&id)
        .await
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != chunk_b)
    {
        merged.load_incremental(c).unwrap();
    }
    storage
        .compact(&id, &merged.save(), &[first, chunk_a])
        .await
        .unwrap();
    let after = storage.load(&id).await.unwrap();
    assert_eq!(after.len(), 2, "one snapshot and tab B's chunk");
    let snap = load(after);
    assert!(snap.person(&a).is_some() && snap.person(&b).is_some());

    // Sync states round-trip; removing the document leaves nothing behind.
    storage.put_meta(&format!("{id}/sync"), &[1, 2, 3]).await.unwrap();
    assert_eq!(
        storage.get_meta(&format!("{id}/sync")).await.unwrap(),
        Some(vec![1, 2, 3])
    );
    storage.remove_doc(&id).await.unwrap();
    assert!(storage.load(&id).await.unwrap().is_empty());
    assert_eq!(storage.get_meta(&format!("{id}/sync")).await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn documents_do_not_see_each_others_chunks() {
    let storage = DocStorage::open(fresh_vault().await).await.unwrap();
    let (one, two) = (doc_id(), doc_id());
    storage.append(&one, b"one").await.unwrap();
    storage.append(&two, b"two").await.unwrap();
    assert_eq!(
        storage
            .load(&one)
            .await
            .unwrap()
            .iter()
            .map(|(_, c)| c.clone())
            .collect::<Vec<_>>(),
        [b"one".to_vec()]
    );
    storage.remove_doc(&one).await.unwrap();
    assert_eq!(storage.load(&two).await.unwrap().len(), 1);
}

/// Waits until `ready` holds, checking every 50 ms, for at most `seconds`.
async fn wait_until(seconds: f64, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = js_sys::Date::now() + seconds * 1000.0;
    while js_sys::Date::now() < deadline {
        if ready() {
            return true;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    ready()
}

/// What the window would see of the documents' worker: the notices, and its own copy of each
/// village's view, following the updates as the window does.
#[derive(Clone, Default)]
struct Window(std::rc::Rc<std::cell::RefCell<WindowState>>);

#[derive(Default)]
struct WindowState {
    views: std::collections::HashMap<String, app::replica::VillageView>,
    status: Option<app::protocol::SyncStatus>,
}

impl Window {
    fn outbox(&self) -> app::worker::Outbox {
        use app::protocol::{self, Notice};
        use app::replica::{ScreenUpdate, VillageView};
        let window = self.clone();
        std::rc::Rc::new(move |notice: Notice| {
            // As posted: through postcard.
            let notice: Notice = protocol::decode(&protocol::encode(&notice)).unwrap();
            let mut state = window.0.borrow_mut();
            match notice {
                Notice::Update { doc, update } => match *update {
                    ScreenUpdate::View(bytes) => {
                        state.views.insert(doc, VillageView::decode(&bytes).unwrap());
                    }
                    ScreenUpdate::Delta(delta) => state
                        .views
                        .get_mut(&doc)
                        .expect("a delta follows a view")
                        .follow(&delta)
                        .expect("the window's copy is in step"),
                    ScreenUpdate::Reference(_) => {}
                },
                Notice::Status(s) => state.status = Some(s),
                _ => {}
            }
        })
    }

    fn view<T>(&self, doc: &str, f: impl FnOnce(&app::replica::VillageView) -> T) -> Option<T> {
        self.0.borrow().views.get(doc).map(f)
    }

    fn status(&self) -> Option<app::protocol::SyncStatus> {
        self.0.borrow().status.clone()
    }
}

/// The documents' side against a real relay that `cargo xtask test` starts (its address and a
/// logged-in session arrive at build time), with a window's copy of the view following it.
#[wasm_bindgen_test]
async fn the_sync_client_downloads_a_village_uploads_an_edit_and_a_fresh_device_receives_it() {
    use app::engine::Connection;
    use app::session::Session;
    use app::worker::Docs;

    let (Some(url), Some(session)) = (
        option_env!("DESMIGRATIF_TEST_SYNC_URL"),
        option_env!("DESMIGRATIF_TEST_SESSION"),
    ) else {
        panic!("run through `cargo xtask test`, which starts a relay and logs in for this test");
    };
    let session: Session = serde_json::from_str(session).unwrap();
    let doc_id = session.villages()[0].doc_id.clone();
    let vault = fresh_vault().await;
    let storage = DocStorage::open(vault.clone()).await.unwrap();
    storage.remove_doc(&doc_id).await.unwrap();

    let window = Window::default();
    let docs = Docs::start(session.clone(), vault.clone(), url.into(), window.outbox())
        .await
        .unwrap();
    assert!(
        wait_until(20.0, || window
            .view(&doc_id, |v| v.snapshot.persons.len() > 10)
            .unwrap_or(false))
        .await,
        "the village arrived from the relay, and the window's copy has it"
    );
    assert_eq!(docs.connection(), Connection::Online);

    let person = Person::new(RecordId::random(), "Dari Tes Wasm");
    let id = person.id.clone();
    docs.apply(&doc_id, &Edit::save(None, &person)).await.unwrap();
    assert!(
        window
            .view(&doc_id, |v| v.snapshot.person(&id).is_some())
            .unwrap(),
        "the window's copy has the edit as soon as it is made"
    );
    let fresh_read = docs.read(&doc_id, |d| d.snapshot()).unwrap();
    assert!(
        docs.with_view(&doc_id, |v| v.snapshot.same_as(&fresh_read))
            .unwrap(),
        "the incremental view equals a full read"
    );
    assert!(
        window.view(&doc_id, |v| v.snapshot.same_as(&fresh_read)).unwrap(),
        "and so does the window's copy"
    );
    assert!(
        wait_until(20.0, || window.status().is_some_and(|s| s.unsynced == 0)).await,
        "the relay confirmed the edit"
    );
    docs.stop();

    // A device with nothing stored gets the edit from the relay.
    storage.remove_doc(&doc_id).await.unwrap();
    let fresh_window = Window::default();
    let fresh = Docs::start(session, vault, url.into(), fresh_window.outbox())
        .await
        .unwrap();
    assert!(
        wait_until(20.0, || fresh_window
            .view(&doc_id, |v| v.snapshot.person(&id).is_some())
            .unwrap_or(false))
        .await,
        "the relay kept the edit"
    );
    fresh.stop();
    storage.remove_doc(&doc_id).await.unwrap();
}

/// The engine compacts a document's chunks by itself once a phone has saved many edits, and
/// nothing is lost: a fresh engine on the same storage reads every record back.
#[wasm_bindgen_test]
async fn many_edits_are_compacted_by_the_engine_and_all_load_again() {
    use app::session::{Grant, Session};
    use app::worker::Docs;

    let Some(session) = option_env!("DESMIGRATIF_TEST_SESSION") else {
        panic!("run through `cargo xtask test`, which logs in for this test");
    };
    let mut session: Session = serde_json::from_str(session).unwrap();
    // A document of its own, and a relay that is not there: the phone is offline.
    let id = doc_id();
    let code = "35.07.11.2008";
    session.documents = vec![Grant {
        doc_id: id.clone(),
        kind: desmigratif_model::DocKind::Village,
        code: code.into(),
        name: "Uji".into(),
        access: desmigratif_model::Access::ReadWrite,
    }];
    let offline = "ws://127.0.0.1:9/sync".to_owned();
    let vault = fresh_vault().await;
    let storage = DocStorage::open(vault.clone()).await.unwrap();
    storage
        .append(&id, &VillageDoc::genesis(&code.parse().unwrap()).save())
        .await
        .unwrap();

    let engine = Docs::start(
        session.clone(),
        vault.clone(),
        offline.clone(),
        Window::default().outbox(),
    )
    .await
    .unwrap();
    let edits = 60;
    for i in 0..edits {
        let person = Person::new(RecordId::random(), format!("Orang {i}"));
        engine.apply(&id, &Edit::save(None, &person)).await.unwrap();
    }
    let deadline = js_sys::Date::now() + 10_000.0;
    let mut chunks = storage.load(&id).await.unwrap().len();
    while chunks > 30 && js_sys::Date::now() < deadline {
        gloo_timers::future::TimeoutFuture::new(50).await;
        chunks = storage.load(&id).await.unwrap().len();
    }
    assert!(
        chunks <= 30,
        "{edits} edits were compacted ({chunks} chunks left)"
    );
    // The village's view is stored when the app is hidden (here: asked directly), to be shown
    // at the next opening.
    engine.store_changed_views_now().await;
    let stored_persons = storage
        .get_meta(&format!("{id}/view"))
        .await
        .unwrap()
        .as_deref()
        .and_then(app::replica::VillageView::decode)
        .map_or(0, |v| v.snapshot.persons.len());
    assert_eq!(stored_persons, edits as usize, "the view was stored");
    engine.stop();

    let again = Docs::start(session, vault, offline, Window::default().outbox())
        .await
        .unwrap();
    assert_eq!(
        again.with_view(&id, |v| v.snapshot.persons.len()),
        Some(edits as usize),
        "the stored view is there as soon as the documents' side starts"
    );
    assert!(
        again.read(&id, |_| ()).is_none(),
        "before the document itself is loaded"
    );
    again.loaded().await;
    let fresh_read = again.read(&id, |d| d.snapshot()).unwrap();
    assert!(
        again.with_view(&id, |v| v.snapshot.same_as(&fresh_read)).unwrap(),
        "every edit loads again after compaction, and the stored view equals a fresh read"
    );
    again.stop();
    storage.remove_doc(&id).await.unwrap();
}
