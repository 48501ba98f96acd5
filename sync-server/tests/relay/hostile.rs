use std::time::Duration;

use automerge::sync::State;
use desmigratif_model::{Author, Person, RecordId};
use sync_server::accounts::Role;

use crate::support::*;

const BRONGKAL: &str = "35.07.33.2006";

/// A relay with the demo villages, a well-behaved phone of Arjowilangun holding its village's
/// document, and a token of a hostile account of the same village (`mallory`, `hp-bad`).
struct Scene {
    relay: TestRelay,
    url: String,
    good_token: String,
    bad_token: String,
    doc_id: String,
    good: Peer,
    doc: desmigratif_model::VillageDoc,
}

impl Scene {
    async fn start(args: sync_server::ServeArgs) -> Self {
        let relay = TestRelay::start_with(args).await;
        let url = relay.ws_url();
        let good_token = relay.token("arjo", Role::Village, Some(ARJO), "hp-good");
        let bad_token = relay.token("mallory", Role::Village, Some(ARJO), "hp-bad");
        let doc_id = village_id(ARJO);
        let mut good = Peer::connect(&url, &good_token, "arjo", "hp-good").await.unwrap();
        let doc = fetch_village(&mut good, &doc_id).await;
        Self {
            relay,
            url,
            good_token,
            bad_token,
            doc_id,
            good,
            doc,
        }
    }

    async fn hostile(&self) -> Peer {
        Peer::connect(&self.url, &self.bad_token, "mallory", "hp-bad")
            .await
            .unwrap()
    }

    /// The good phone's new person reaches a new connection: the document still syncs.
    async fn still_syncs(&mut self, name: &str) {
        let reader = (self.good_token.as_str(), "arjo", "hp-good");
        assert_takes_and_gives(
            &mut self.good,
            &self.doc_id,
            &mut self.doc,
            name,
            reader,
            &self.url,
        )
        .await;
    }
}

/// A sync message with a Bloom filter that made Automerge panic (found by the fuzz run): the
/// relay closes that connection before its sync layer sees it, and the document keeps syncing.
#[tokio::test]
async fn a_sync_message_that_would_crash_automerge_never_reaches_the_document() {
    let dir = temp_dir("hostile-bloom");
    let mut scene = Scene::start(serve_args(&dir)).await;

    let found = desmigratif_model::fuzz::from_hex(desmigratif_model::fuzz::FOUND[0]);
    let desmigratif_model::wire::WireMessage::Sync { data, .. } =
        desmigratif_model::wire::WireMessage::decode(&found).unwrap()
    else {
        panic!("the found input is a sync message");
    };
    let mut bad = scene.hostile().await;
    let hostile = sync_message(&bad.peer_id, &scene.doc_id, &data);
    bad.send_raw(hostile).await;
    assert!(
        bad.closed_within(Duration::from_secs(10)).await,
        "the hostile connection is closed"
    );

    // The document still takes and gives changes, to the same device and to a new one.
    scene.still_syncs("Masih Bisa Sinkron").await;
    scene.relay.stop().await;
}

/// A thousand hostile messages made by the fuzz generator from real messages for the village's
/// document, each on a connection of its own, reach samod's own decoder and the document:
/// afterwards the document syncs as before. `DESMIGRATIF_FUZZ_RELAY_INPUTS` sets the number
/// (`cargo xtask fuzz` sends 20,000).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundreds_of_fuzzed_messages_leave_the_relay_serving() {
    use desmigratif_model::fuzz;
    let dir = temp_dir("hostile-fuzz");
    let mut scene = Scene::start(sync_server::ServeArgs {
        max_connections_per_device: 100_000,
        ..serve_args(&dir)
    })
    .await;
    let relay_id = sync_server::server::RELAY_PEER_ID;
    let corpus = fuzz::corpus("mallory/hp-bad/s1", relay_id, &scene.doc_id);
    let mut rng = fuzz::Rng::new(0x5eed);
    let inputs: usize = std::env::var("DESMIGRATIF_FUZZ_RELAY_INPUTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    for _ in 0..inputs {
        let mut bad = scene.hostile().await;
        bad.send_raw(fuzz::mutate(&mut rng, &corpus)).await;
    }

    scene.still_syncs("Setelah Tiga Ratus").await;
    assert_eq!(http(scene.relay.addr, "GET", "/healthz", &[], "").0, 200);
    scene.relay.stop().await;
}

/// A document over `--max-document-bytes` takes no more changes (the connection sending them is
/// closed) but can still be read, and a document under it is untouched by the cap.
#[tokio::test]
async fn a_document_over_its_size_cap_takes_no_changes_but_can_be_read() {
    let dir = temp_dir("hostile-size");
    // Each demo village is stored as one snapshot: cap between the two villages' sizes.
    let seeded = TestRelay::start(&dir).await;
    let (arjo_bytes, brong_bytes) = (
        seeded.store.stored_bytes(&village_id(ARJO)),
        seeded.store.stored_bytes(&village_id(BRONGKAL)),
    );
    seeded.stop().await;
    assert_ne!(arjo_bytes, brong_bytes, "the demo villages differ in size");
    let relay = TestRelay::start_with(sync_server::ServeArgs {
        max_document_bytes: arjo_bytes.min(brong_bytes),
        ..serve_args(&dir)
    })
    .await;
    let url = relay.ws_url();
    let over = if arjo_bytes > brong_bytes { ARJO } else { BRONGKAL };
    let under = if over == ARJO { BRONGKAL } else { ARJO };
    let t_over = relay.token("penuh", Role::Village, Some(over), "hp-1");
    let t_under = relay.token("lega", Role::Village, Some(under), "hp-2");

    // Over the cap: readable, but a change closes the connection and is not kept.
    let mut phone = Peer::connect(&url, &t_over, "penuh", "hp-1").await.unwrap();
    let mut doc = fetch_village(&mut phone, &village_id(over)).await;
    let id = doc
        .create(
            Person::new(RecordId::random(), "Tidak Muat"),
            &Author::new("penuh", "hp-1"),
            10,
        )
        .unwrap();
    phone
        .sync(&village_id(over), doc.automerge(), &mut State::new())
        .await;
    assert!(
        phone.closed_within(Duration::from_secs(10)).await,
        "the connection sending changes is closed"
    );
    let mut fresh = Peer::connect(&url, &t_over, "penuh", "hp-1").await.unwrap();
    let seen = fetch_village(&mut fresh, &village_id(over)).await;
    assert!(seen.snapshot().person(&id).is_none(), "the change was not kept");

    // Under the cap: takes changes as before.
    let mut other = Peer::connect(&url, &t_under, "lega", "hp-2").await.unwrap();
    let mut doc = fetch_village(&mut other, &village_id(under)).await;
    let reader = (t_under.as_str(), "lega", "hp-2");
    assert_takes_and_gives(
        &mut other,
        &village_id(under),
        &mut doc,
        "Masih Muat",
        reader,
        &url,
    )
    .await;
    relay.stop().await;
}

/// A well-behaved device edits and syncs while hostile connections misbehave around it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_peers_are_cut_off_and_a_good_peer_keeps_syncing() {
    let dir = temp_dir("hostile");
    let Scene {
        relay,
        url,
        good_token: _,
        bad_token,
        doc_id,
        mut good,
        mut doc,
    } = Scene::start(serve_args(&dir)).await;
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

/// Connection caps: per device (its tabs), per account, and for the whole relay (503 before the
/// upgrade); a place freed by a closed connection can be taken again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_per_device_per_account_and_in_all() {
    let dir = temp_dir("caps");
    let mut args = serve_args(&dir);
    args.max_connections = 3;
    args.max_connections_per_account = 2;
    args.max_connections_per_device = 1;
    let relay = TestRelay::start_with(args).await;
    let url = relay.ws_url();
    let hp1 = relay.token("arjo", Role::Village, Some(ARJO), "hp-1");
    let hp2 = relay.token("arjo", Role::Village, Some(ARJO), "hp-2");
    let hp3 = relay.token("arjo", Role::Village, Some(ARJO), "hp-3");
    let office = relay.token("dinas", Role::District, Some("35.07"), "pc-1");
    let office2 = relay.token("dinas", Role::District, Some("35.07"), "pc-2");
    let refused = |r: Result<Peer, ConnectError>| match r {
        Err(ConnectError::Refused(status)) => status,
        Ok(_) => 0,
        Err(e) => panic!("{e:?}"),
    };

    let first = Peer::connect(&url, &hp1, "arjo", "hp-1").await.unwrap();
    assert_eq!(
        refused(Peer::connect(&url, &hp1, "arjo", "hp-1").await),
        429,
        "a second tab of hp-1"
    );
    let _second = Peer::connect(&url, &hp2, "arjo", "hp-2").await.unwrap();
    assert_eq!(
        refused(Peer::connect(&url, &hp3, "arjo", "hp-3").await),
        429,
        "a third device of arjo"
    );
    let _third = Peer::connect(&url, &office, "dinas", "pc-1").await.unwrap();
    assert_eq!(
        refused(Peer::connect(&url, &office2, "dinas", "pc-2").await),
        503,
        "the relay is full"
    );

    // hp-1 closes; once the relay has let it go, its place is free again.
    drop(first);
    assert!(
        relay
            .connections
            .wait_open_at_most(2, Duration::from_secs(10))
            .await
    );
    Peer::connect(&url, &hp1, "arjo", "hp-1")
        .await
        .expect("hp-1 gets back in");
    relay.stop().await;
}

/// A connection that sends more bytes per second than allowed, in valid messages, is cut off;
/// what it sent before is kept and another device goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_over_its_byte_rate_is_cut_off() {
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    let dir = temp_dir("byte-rate");
    let mut args = serve_args(&dir);
    args.bytes_per_second = 16 * 1024;
    let relay = TestRelay::start_with(args).await;
    let url = relay.ws_url();
    let doc_id = village_id(ARJO);
    let heavy_token = relay.token("arjo", Role::Village, Some(ARJO), "hp-heavy");
    let mut heavy = Peer::connect(&url, &heavy_token, "arjo", "hp-heavy")
        .await
        .unwrap();
    let mut doc = fetch(&mut heavy, &doc_id).await.unwrap();
    let mut state = State::new();
    heavy.sync(&doc_id, &mut doc, &mut state).await;
    // Bursts up to twice the largest message (2 MiB here) pass; a 600 KB change sent again and
    // again (duplicates are harmless) soon goes beyond at 16 KiB/s.
    doc.put(automerge::ROOT, "blob", "x".repeat(600 * 1024)).unwrap();
    doc.commit();
    // The first message announces the change; the relay's answer asks for it.
    let first = doc.sync().generate_sync_message(&mut state).unwrap().encode();
    heavy
        .send_raw(sync_message(&heavy.peer_id, &doc_id, &first))
        .await;
    let message = loop {
        let reply = heavy
            .recv(Duration::from_secs(10))
            .await
            .expect("the relay answers");
        if reply.kind == "sync" {
            let m = automerge::sync::Message::decode(&reply.data.unwrap()).unwrap();
            doc.sync().receive_sync_message(&mut state, m).unwrap();
        }
        if let Some(m) = doc.sync().generate_sync_message(&mut state) {
            let bytes = m.encode();
            if bytes.len() > 600 * 1024 {
                break bytes;
            }
        }
    };
    assert!(message.len() > 600 * 1024, "the message carries the change");
    for _ in 0..6 {
        heavy
            .send_raw(sync_message(&heavy.peer_id, &doc_id, &message))
            .await;
    }
    assert!(
        heavy.closed_within(Duration::from_secs(10)).await,
        "the heavy connection was closed"
    );
    let token = relay.token("arjo", Role::Village, Some(ARJO), "hp-2");
    let mut other = Peer::connect(&url, &token, "arjo", "hp-2").await.unwrap();
    let seen = fetch_village(&mut other, &doc_id).await.snapshot();
    assert!(!seen.persons.is_empty(), "the village is intact");
    relay.stop().await;
}
