use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ROOT, sync};
use sync_server::accounts::Role;
use sync_server::backup;

use crate::support::*;

const WAIT: Duration = Duration::from_secs(20);

struct Device {
    peer: Peer,
    doc: AutoCommit,
    state: sync::State,
}

impl Device {
    async fn join(relay: &TestRelay, n: usize, doc_id: &str) -> Self {
        let user = format!("arjo-{n}");
        let device = format!("hp-{n}");
        let token = relay.token(&user, Role::Village, Some(ARJO), &device);
        let mut peer = Peer::connect(&relay.ws_url(), &token, &user, &device)
            .await
            .unwrap();
        let mut doc = AutoCommit::new();
        let mut state = sync::State::new();
        peer.exchange(doc_id, &mut doc, &mut state, WAIT).await;
        Self { peer, doc, state }
    }

    /// One edit, sent and acknowledged (the relay announced it: it is on the relay's disk).
    async fn edit(&mut self, doc_id: &str, key: String) -> ChangeHash {
        self.doc.put(ROOT, key, 1).unwrap();
        let change = self.doc.commit().unwrap();
        self.peer
            .exchange(doc_id, &mut self.doc, &mut self.state, WAIT)
            .await;
        change
    }
}

/// A backup taken while three devices keep writing: restored into an empty directory, the relay
/// there serves every change acknowledged before the backup began, and the devices, once they
/// reconnect, give it what it lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_writes_restores_every_acknowledged_change_and_devices_fill_in_the_rest() {
    let source = temp_dir("backup-source");
    let relay = TestRelay::start(&source).await;
    let doc_id = village_id(ARJO);
    let mut devices = Vec::new();
    for n in 0..3 {
        devices.push(Device::join(&relay, n, &doc_id).await);
    }
    let mut before = Vec::new();
    for (n, d) in devices.iter_mut().enumerate() {
        for k in 0..3 {
            before.push(d.edit(&doc_id, format!("before-{n}-{k}")).await);
        }
    }

    let file = temp_dir("backup-file").join("relay.tar");
    let backup_task = {
        let (source, file) = (source.clone(), file.clone());
        tokio::task::spawn_blocking(move || backup::backup(&source, &file))
    };
    let mut later = Vec::new();
    let mut round = 0;
    while !backup_task.is_finished() || round < 2 {
        for (n, d) in devices.iter_mut().enumerate() {
            later.push(d.edit(&doc_id, format!("during-{n}-{round}")).await);
        }
        round += 1;
    }
    let summary = backup_task.await.unwrap().unwrap();
    assert!(
        summary.documents >= 5,
        "four villages and the district: {summary:?}"
    );
    for (n, d) in devices.iter_mut().enumerate() {
        later.push(d.edit(&doc_id, format!("after-{n}")).await);
    }
    relay.stop().await;

    let target = temp_dir("backup-target").join("data");
    let report = backup::restore(&file, &target).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.documents, summary.documents);
    assert!(report.accounts >= 3);
    assert!(
        backup::restore(&file, &target).is_err(),
        "restoring over a data directory is refused"
    );

    let restored = TestRelay::start(&target).await;
    let mut fresh = Device::join(&restored, 9, &doc_id).await;
    for change in &before {
        assert!(
            fresh.doc.get_change_by_hash(change).is_some(),
            "a change acknowledged before the backup began is in it"
        );
    }
    // The devices reconnect to the restored relay (their accounts came back with it) and
    // push what it lacks.
    for (n, d) in devices.iter_mut().enumerate() {
        let user = format!("arjo-{n}");
        let token = restored.token(&user, Role::Village, Some(ARJO), &format!("hp-{n}"));
        d.peer = Peer::connect(&restored.ws_url(), &token, &user, &format!("hp-{n}"))
            .await
            .unwrap();
        d.state = sync::State::new();
        d.peer.exchange(&doc_id, &mut d.doc, &mut d.state, WAIT).await;
    }
    fresh.state = sync::State::new();
    let token = restored.token("arjo-9", Role::Village, Some(ARJO), "hp-9");
    fresh.peer = Peer::connect(&restored.ws_url(), &token, "arjo-9", "hp-9")
        .await
        .unwrap();
    fresh
        .peer
        .exchange(&doc_id, &mut fresh.doc, &mut fresh.state, WAIT)
        .await;
    for change in before.iter().chain(&later) {
        assert!(fresh.doc.get_change_by_hash(change).is_some(), "nothing is lost");
    }
    restored.stop().await;
}

/// `verify` says in plain words what is wrong: a damaged document file, a write left half done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_names_a_damaged_document_and_an_interrupted_write() {
    let dir = temp_dir("verify");
    let relay = TestRelay::start(&dir).await;
    relay.stop().await;
    let clean = backup::verify(&dir).unwrap();
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    assert!(clean.documents >= 5);

    let chunk = first_file_under(&dir.join("docs"));
    std::fs::write(&chunk, b"not an automerge chunk").unwrap();
    std::fs::write(chunk.with_file_name("half.1.2.tmp"), b"x").unwrap();
    let report = backup::verify(&dir).unwrap();
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(report.problems.iter().any(|p| p.contains("damaged")));
    assert!(report.problems.iter().any(|p| p.contains("interrupted")));
}

fn first_file_under(dir: &std::path::Path) -> std::path::PathBuf {
    find_file(dir).unwrap_or_else(|| panic!("no file under {}", dir.display()))
}

fn find_file(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).collect();
    entries.sort();
    entries
        .into_iter()
        .find_map(|e| if e.is_file() { Some(e) } else { find_file(&e) })
}
