use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use automerge::sync::{State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash};
use desmigratif_model::{Author, Person, RecordId};
use sync_server::accounts::{AccountDb, Role};

use crate::support::*;

#[tokio::test]
async fn a_restart_keeps_everything() {
    let dir = temp_dir("restart");
    let relay = TestRelay::start(&dir).await;
    let token = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let doc_id = village_id(ARJO);
    let mut peer = Peer::connect(&relay.ws_url(), &token, "arjo", "hp-1")
        .await
        .unwrap();
    let mut doc = fetch_village(&mut peer, &doc_id).await;
    let id = doc
        .create(
            Person::new(RecordId::random(), "Sebelum Restart"),
            &Author::new("arjo", "hp-1"),
            5,
        )
        .unwrap();
    peer.sync(&doc_id, doc.automerge(), &mut State::new()).await;
    drop(peer);
    relay.stop().await;

    let relay = TestRelay::start(&dir).await;
    let mut peer = Peer::connect(&relay.ws_url(), &token, "arjo", "hp-1")
        .await
        .expect("sessions survive a restart");
    let again = fetch_village(&mut peer, &doc_id).await;
    assert_eq!(again.snapshot().person(&id).unwrap().full_name, "Sebelum Restart");
    relay.stop().await;
}

/// The relay binary as a child process, so it can be killed with SIGKILL.
struct RelayProcess {
    child: Child,
    url: String,
}

fn spawn_relay(dir: &std::path::Path) -> RelayProcess {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(["--static-dir"])
        .arg(dir.join("no-static"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("listening on http://") {
            return RelayProcess {
                child,
                url: format!("ws://{url}/sync"),
            };
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the relay did not start");
}

/// Heads the relay announced in its sync messages: changes it told us it holds.
fn acknowledged(state: &State) -> Vec<ChangeHash> {
    state.their_heads.clone().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_burst_loses_no_acknowledged_change() {
    let dir = temp_dir("kill9");
    let mut relay = spawn_relay(&dir);
    let db = AccountDb::open(&dir.join("accounts.sqlite3")).unwrap();
    let token = token_for(&db, "arjo", Role::Village, Some(ARJO), "hp-1");
    let doc_id = village_id(ARJO);
    let mut peer = Peer::connect(&relay.url, &token, "arjo", "hp-1").await.unwrap();
    let mut doc: AutoCommit = fetch(&mut peer, &doc_id).await.unwrap();
    let mut state = State::new();
    peer.sync(&doc_id, &mut doc, &mut state).await;
    let initial = doc.get_heads();

    // A burst: one change after another, each offered at once, replies read as they come. Once
    // the relay has acknowledged part of it, it is killed right after the next change is sent,
    // with that change still in flight.
    let mut acked: Vec<ChangeHash> = Vec::new();
    let mut killed = false;
    for i in 0..10_000 {
        doc.put(automerge::ROOT, format!("burst-{i}"), i as i64).unwrap();
        doc.commit();
        let Some(msg) = doc.sync().generate_sync_message(&mut state) else {
            continue;
        };
        peer.send_raw(sync_message(&peer.peer_id, &doc_id, &msg.encode()))
            .await;
        if i >= 200 && !acked.is_empty() && acked != initial {
            relay.child.kill().unwrap(); // SIGKILL
            relay.child.wait().unwrap();
            killed = true;
            break;
        }
        while let Some(reply) = peer.recv(Duration::from_millis(5)).await {
            if reply.kind == "sync" {
                let m = automerge::sync::Message::decode(&reply.data.unwrap()).unwrap();
                doc.sync().receive_sync_message(&mut state, m).unwrap();
                acked = acknowledged(&state);
            }
        }
    }
    assert!(killed, "the relay was killed during the burst");
    assert!(
        !acked.is_empty() && acked != initial,
        "the relay acknowledged part of the burst before it died"
    );

    let relay = spawn_relay(&dir);
    let mut peer = Peer::connect(&relay.url, &token, "arjo", "hp-1").await.unwrap();
    let mut stored = fetch(&mut peer, &doc_id).await.unwrap();
    for head in &acked {
        assert!(
            stored.get_change_by_hash(head).is_some(),
            "acknowledged change {head} was lost"
        );
    }
    let mut relay = relay;
    relay.child.kill().unwrap();
    relay.child.wait().unwrap();
}
/// With a slow disk, the relay's reply that announces a change arrives only once the change is
/// on disk: a second store opened on the same directory already finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_relay_announces_a_change_only_after_it_is_on_disk() {
    let dir = temp_dir("gate");
    let relay = TestRelay::start(&dir).await;
    let token = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let doc_id = village_id(ARJO);
    let mut peer = Peer::connect(&relay.ws_url(), &token, "arjo", "hp-1")
        .await
        .unwrap();
    let mut doc: AutoCommit = fetch(&mut peer, &doc_id).await.unwrap();
    let mut state = State::new();
    peer.sync(&doc_id, &mut doc, &mut state).await;

    relay.store.delay_writes(Duration::from_millis(400));
    doc.put(automerge::ROOT, "gate", 1).unwrap();
    let change = doc.commit().unwrap();
    let msg = doc.sync().generate_sync_message(&mut state).unwrap();
    peer.send_raw(sync_message(&peer.peer_id, &doc_id, &msg.encode()))
        .await;
    loop {
        let reply = peer
            .recv(Duration::from_secs(10))
            .await
            .expect("the relay replies");
        if reply.kind != "sync" {
            continue;
        }
        let m = automerge::sync::Message::decode(&reply.data.unwrap()).unwrap();
        if m.heads.contains(&change) {
            let mut stored = on_disk(&dir, &doc_id);
            assert!(
                stored.get_change_by_hash(&change).is_some(),
                "announced before it was on disk"
            );
            break;
        }
        // The relay asks for the change; send it.
        doc.sync().receive_sync_message(&mut state, m).unwrap();
        if let Some(out) = doc.sync().generate_sync_message(&mut state) {
            peer.send_raw(sync_message(&peer.peer_id, &doc_id, &out.encode()))
                .await;
        }
    }
    relay.store.delay_writes(Duration::ZERO);
    relay.stop().await;
}

/// A document as another process reading the relay's directory finds it on disk.
fn on_disk(dir: &std::path::Path, doc_id: &str) -> AutoCommit {
    let store = sync_server::FileStore::open_read_only(dir.join("docs")).unwrap();
    let prefix = samod::storage::StorageKey::from_parts([doc_id]).unwrap();
    let mut stored = AutoCommit::new();
    for bytes in store.load_range_sync(&prefix).values() {
        stored.load_incremental(bytes).unwrap();
    }
    stored
}

/// `/healthz` as an operator's monitor reads it.
async fn health(addr: std::net::SocketAddr) -> (u16, String) {
    tokio::task::spawn_blocking(move || http(addr, "GET", "/healthz", &[], ""))
        .await
        .unwrap()
}

/// A disk that refuses writes (full, failing): `/healthz` says so, no reply announces the change
/// the relay could not store, and once the disk takes writes again the change is stored,
/// announced and `/healthz` is ok.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_disk_is_reported_and_the_change_is_stored_once_it_recovers() {
    let dir = temp_dir("disk-full");
    let relay = TestRelay::start(&dir).await;
    let token = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let doc_id = village_id(ARJO);
    let mut peer = Peer::connect(&relay.ws_url(), &token, "arjo", "hp-1")
        .await
        .unwrap();
    let mut doc: AutoCommit = fetch(&mut peer, &doc_id).await.unwrap();
    let mut state = State::new();
    peer.sync(&doc_id, &mut doc, &mut state).await;
    assert_eq!(health(relay.addr).await, (200, "ok".to_owned()));

    relay.store.fail_writes(true);
    doc.put(automerge::ROOT, "disk_full", 1).unwrap();
    let change = doc.commit().unwrap();

    // Sync until the relay tries to store the change: /healthz then reports the failure, and
    // nothing the relay says meanwhile claims the change.
    let announced = |reply: Option<Wire>, doc: &mut AutoCommit, state: &mut State| -> Option<bool> {
        let reply = reply?;
        if reply.kind != "sync" {
            return Some(false);
        }
        let m = automerge::sync::Message::decode(&reply.data.unwrap()).unwrap();
        let has = m.heads.contains(&change);
        doc.sync().receive_sync_message(state, m).unwrap();
        Some(has)
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let cause = loop {
        if let Some(out) = doc.sync().generate_sync_message(&mut state) {
            peer.send_raw(sync_message(&peer.peer_id, &doc_id, &out.encode()))
                .await;
        }
        let has = announced(peer.recv(Duration::from_millis(200)).await, &mut doc, &mut state);
        assert_ne!(has, Some(true), "announced a change the disk refused");
        let (status, body) = health(relay.addr).await;
        if status == 503 {
            break body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/healthz stayed {status}: {body}"
        );
    };
    assert!(cause.contains("no space left"), "{cause}");
    while let Some(has) = announced(peer.recv(Duration::from_millis(300)).await, &mut doc, &mut state) {
        assert!(!has, "announced a change the disk refused");
    }

    relay.store.fail_writes(false);
    loop {
        if let Some(out) = doc.sync().generate_sync_message(&mut state) {
            peer.send_raw(sync_message(&peer.peer_id, &doc_id, &out.encode()))
                .await;
        }
        let reply = peer.recv(Duration::from_secs(15)).await;
        assert!(reply.is_some(), "the relay announces the change once stored");
        if announced(reply, &mut doc, &mut state) == Some(true) {
            break;
        }
    }
    assert!(
        relay.store.wait_health(true, Duration::from_secs(10)).await,
        "writes recovered"
    );
    assert_eq!(health(relay.addr).await, (200, "ok".to_owned()));
    let mut stored = on_disk(&dir, &doc_id);
    assert!(
        stored.get_change_by_hash(&change).is_some(),
        "the change is on disk"
    );
    relay.stop().await;
}

/// A relay restarted while 50 devices are connected: every device comes back at once with its
/// session, pushes what it wrote while the relay was down, and every device ends with every
/// device's changes; nothing acknowledged before the restart is lost.
#[tokio::test]
async fn a_restart_with_fifty_devices_connected_loses_nothing_and_all_converge() {
    const DEVICES: usize = 50;
    let dir = temp_dir("restart-fifty");
    let relay = TestRelay::start(&dir).await;
    let doc_id = village_id(ARJO);
    struct Device {
        user: String,
        device: String,
        token: String,
        doc: desmigratif_model::VillageDoc,
        state: State,
    }
    let mut devices = Vec::new();
    let mut peers = Vec::new();
    for i in 0..DEVICES {
        let (user, device) = (format!("arjo-{i}"), format!("hp-{i}"));
        let token = relay.token(&user, Role::Village, Some(ARJO), &device);
        let mut peer = Peer::connect(&relay.ws_url(), &token, &user, &device)
            .await
            .unwrap();
        let mut doc = fetch_village(&mut peer, &doc_id).await;
        doc.create(
            Person::new(RecordId::random(), format!("Sebelum {i}")),
            &Author::new(&user, &device),
            1,
        )
        .unwrap();
        let mut state = State::new();
        peer.sync(&doc_id, doc.automerge(), &mut state).await;
        devices.push(Device {
            user,
            device,
            token,
            doc,
            state,
        });
        peers.push(peer);
    }
    // Stopped with all fifty connected; each device writes once more while it is down.
    relay.stop().await;
    drop(peers);
    for (i, d) in devices.iter_mut().enumerate() {
        d.doc
            .create(
                Person::new(RecordId::random(), format!("Saat mati {i}")),
                &Author::new(&d.user, &d.device),
                2,
            )
            .unwrap();
    }

    let relay = TestRelay::start(&dir).await;
    let url = relay.ws_url();
    let peers = futures::future::join_all(
        devices
            .iter()
            .map(|d| Peer::connect(&url, &d.token, &d.user, &d.device)),
    )
    .await;
    let mut peers: Vec<Peer> = peers
        .into_iter()
        .map(|p| p.expect("every session survives the restart"))
        .collect();
    let names = |doc: &desmigratif_model::VillageDoc| -> std::collections::BTreeSet<String> {
        doc.snapshot()
            .persons
            .values()
            .map(|p| p.full_name.clone())
            .filter(|n| n.starts_with("Sebelum ") || n.starts_with("Saat mati "))
            .collect()
    };
    // Each pushes what the relay lacks (a new connection starts a new sync state, as the
    // app's does).
    for (peer, d) in peers.iter_mut().zip(devices.iter_mut()) {
        d.state = State::new();
        peer.sync(&doc_id, d.doc.automerge(), &mut d.state).await;
    }
    drop(peers);
    // Then each, connecting again, takes what the others pushed.
    for (i, d) in devices.iter_mut().enumerate() {
        let mut peer = Peer::connect(&url, &d.token, &d.user, &d.device).await.unwrap();
        peer.sync(&doc_id, d.doc.automerge(), &mut State::new()).await;
        assert_eq!(
            names(&d.doc).len(),
            2 * DEVICES,
            "device {i} has every device's changes"
        );
    }
    // A device that was never there gets all of it from the relay's store.
    let token = relay.token("arjo-new", Role::Village, Some(ARJO), "hp-new");
    let mut fresh = Peer::connect(&url, &token, "arjo-new", "hp-new").await.unwrap();
    assert_eq!(
        names(&fetch_village(&mut fresh, &doc_id).await).len(),
        2 * DEVICES
    );
    relay.stop().await;
}
