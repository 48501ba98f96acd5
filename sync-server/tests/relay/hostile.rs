use std::time::Duration;

use automerge::sync::State;
use desmigratif_model::{Author, Person, RecordId};
use sync_server::accounts::Role;

use crate::support::*;

const ARJO: &str = "35.07.11.2008";

/// A well-behaved device edits and syncs while hostile connections misbehave around it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_peers_are_cut_off_and_a_good_peer_keeps_syncing() {
    let dir = temp_dir("hostile");
    let relay = TestRelay::start(&dir).await;
    let url = relay.ws_url();
    let good_token = relay.token("arjo", Role::Village, Some(ARJO), "hp-good");
    let bad_token = relay.token("mallory", Role::Village, Some(ARJO), "hp-bad");
    let doc_id = village_id(ARJO);
    let mut good = Peer::connect(&url, &good_token, "arjo", "hp-good").await.unwrap();
    let mut doc = fetch_village(&mut good, &doc_id).await;
    let mut state = State::new();
    good.sync(&doc_id, doc.automerge(), &mut state).await;

    // Garbage instead of CBOR.
    let mut garbage = Peer::connect(&url, &bad_token, "mallory", "hp-bad")
        .await
        .unwrap();
    garbage.send_raw(vec![0xff, 0x00, 0x13, 0x37, 0xde, 0xad]).await;
    // Truncated CBOR: a map that promises five entries and stops.
    let mut truncated = Peer::connect(&url, &bad_token, "mallory", "hp-bad")
        .await
        .unwrap();
    truncated.send_raw(vec![0xa5, 0x64, b't', b'y', b'p', b'e']).await;
    // A well-formed message whose sync payload is not a sync message.
    let mut bad_sync = Peer::connect(&url, &bad_token, "mallory", "hp-bad")
        .await
        .unwrap();
    let bad = sync_message(&bad_sync.peer_id, &doc_id, b"\x42definitely not automerge");
    bad_sync.send_raw(bad).await;
    // A text frame.
    let mut text = Peer::connect(&url, &bad_token, "mallory", "hp-bad")
        .await
        .unwrap();
    text.send_text("{\"type\":\"sync\"}").await;
    // A frame over the size limit (1 MiB in tests).
    let mut oversized = Peer::connect(&url, &bad_token, "mallory", "hp-bad")
        .await
        .unwrap();
    oversized.send_raw(vec![0u8; 2 * 1024 * 1024]).await;
    // A flood: far more messages than the rate limit allows.
    let mut flood = Peer::connect(&url, &bad_token, "mallory", "hp-bad")
        .await
        .unwrap();
    let flooding = tokio::spawn(async move {
        for _ in 0..5_000 {
            flood.send_raw(vec![0xa0]).await; // an empty CBOR map
        }
        flood.closed_within(Duration::from_secs(10)).await
    });

    // Meanwhile the good device keeps working.
    let by = Author::new("arjo", "hp-good");
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            doc.create(
                Person::new(RecordId::random(), format!("Tetap Jalan {i}")),
                &by,
                10 + i,
            )
            .unwrap(),
        );
        good.sync(&doc_id, doc.automerge(), &mut state).await;
    }

    for (name, peer) in [
        ("garbage", &mut garbage),
        ("truncated", &mut truncated),
        ("text", &mut text),
        ("oversized", &mut oversized),
    ] {
        assert!(
            peer.closed_within(Duration::from_secs(5)).await,
            "{name} connection was closed"
        );
    }
    assert!(flooding.await.unwrap(), "the flooding connection was closed");
    // A sync message that does not decode changes nothing; its connection may stay or go.
    drop(bad_sync);

    // What the good device wrote is stored; what was there before is intact.
    let t_dinas = relay.token("dinas", Role::District, Some("35.07"), "pc-1");
    let mut office = Peer::connect(&url, &t_dinas, "dinas", "pc-1").await.unwrap();
    let seen = fetch_village(&mut office, &doc_id).await.snapshot();
    for id in &ids {
        assert!(seen.person(id).is_some());
    }
    assert_eq!(seen.persons.len(), doc.snapshot().persons.len());
    assert!(seen.damaged.is_empty());
    relay.stop().await;
}
