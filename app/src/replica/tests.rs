//! The sync core against a simulated relay, natively.

use desmigratif_model::{Author, Person, RecordId};

use automerge::sync::SyncDoc;
use desmigratif_model::wire::WireMessage;

use super::*;

/// Devices and the relay under seeded schedules of faults.
mod simulation;
/// The views: history, stored views resumed, the screens' copy following.
mod views;

const CODE: &str = "35.07.11.2008";

/// The relay's side of one document, as the relay would answer.
struct Relay {
    doc: VillageDoc,
    sync: sync::State,
    /// Documents the relay refuses to share.
    refused: Vec<String>,
}

impl Relay {
    fn new(persons: usize) -> Self {
        let mut doc = VillageDoc::genesis(&CODE.parse().unwrap());
        let by = Author::new("desa", "pc");
        for i in 0..persons {
            doc.create(Person::new(RecordId::random(), format!("Warga {i}")), &by, 1)
                .unwrap();
        }
        Self {
            doc,
            sync: sync::State::new(),
            refused: Vec::new(),
        }
    }

    /// Answers one message from the device; returns the relay's replies.
    fn answer(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        match WireMessage::decode(bytes).unwrap() {
            WireMessage::Join { sender } => vec![
                WireMessage::Peer {
                    sender: "relay".into(),
                    target: sender,
                }
                .encode(),
            ],
            WireMessage::Sync {
                doc, data, sender, ..
            }
            | WireMessage::Request {
                doc, data, sender, ..
            } => {
                if self.refused.contains(&doc) {
                    return vec![
                        WireMessage::DocUnavailable {
                            sender: "relay".into(),
                            target: sender,
                            doc,
                        }
                        .encode(),
                    ];
                }
                let m = sync::Message::decode(&data).unwrap();
                self.doc
                    .automerge()
                    .sync()
                    .receive_sync_message(&mut self.sync, m)
                    .unwrap();
                self.reply(&doc, &sender)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn reply(&mut self, doc: &str, target: &str) -> Vec<Vec<u8>> {
        self.doc
            .automerge()
            .sync()
            .generate_sync_message(&mut self.sync)
            .map(|m| {
                WireMessage::Sync {
                    sender: "relay".into(),
                    target: target.into(),
                    doc: doc.into(),
                    data: m.encode(),
                }
                .encode()
            })
            .into_iter()
            .collect()
    }
}

/// Carries effects between the replica and the relay until both are quiet, like the shell
/// would; returns every effect the replica produced (in order), sends included.
fn pump(replica: &mut Replica, relay: &mut Relay, first: Vec<Effect>) -> Vec<Effect> {
    let mut seen = Vec::new();
    let mut queue: std::collections::VecDeque<Effect> = first.into();
    let mut stored = 0;
    while let Some(effect) = queue.pop_front() {
        seen.push(effect.clone());
        match effect {
            Effect::Open => queue.extend(replica.opened()),
            Effect::Send(bytes) => {
                for reply in relay.answer(&bytes) {
                    queue.extend(replica.received(&reply));
                }
            }
            Effect::Persist { doc, changes, .. } if !changes.is_empty() => {
                stored += 1;
                queue.extend(replica.stored(&doc, format!("{doc}/c/{stored}"), false));
            }
            _ => {}
        }
        assert!(seen.len() < 10_000, "the protocol does not settle");
    }
    seen
}

fn doc_id() -> String {
    "4PHaMdQRVaLDtNMhtEZp7ktNoBEV".into()
}

fn fresh_replica() -> Replica {
    let mut r = Replica::new("desa/hp/tab".into());
    r.add_doc(&doc_id(), true, Vec::new(), None);
    r
}

#[test]
fn a_fresh_device_downloads_the_village_and_stores_changes_with_their_sync_state() {
    let mut relay = Relay::new(25);
    let mut replica = fresh_replica();
    let effects = {
        let first = replica.connect();
        pump(&mut replica, &mut relay, first)
    };
    assert_eq!(
        replica.connection(),
        &Connection::Online {
            relay: "relay".into()
        }
    );
    assert_eq!(replica.view(&doc_id()).unwrap().snapshot.persons.len(), 25);
    // Every chunk of changes is stored in the same effect as the state that covers it, and
    // no state claiming changes is stored before them.
    let persists: Vec<&Effect> = effects
        .iter()
        .filter(|e| matches!(e, Effect::Persist { .. }))
        .collect();
    assert!(!persists.is_empty());
    let first_with_changes = persists
        .iter()
        .position(|e| matches!(e, Effect::Persist { changes, .. } if !changes.is_empty()))
        .expect("the village arrived in a persisted chunk");
    // The first download is stored as the whole document, compressed: smaller (and quicker to
    // load at the next opening) than its changes one by one.
    let Effect::Persist { changes: first, .. } = persists[first_with_changes] else {
        unreachable!()
    };
    let one_by_one = relay.doc.automerge().save_after(&[]);
    assert!(
        first.len() * 2 < one_by_one.len(),
        "stored {} bytes; the changes one by one are {}",
        first.len(),
        one_by_one.len()
    );
    for e in &persists[..first_with_changes] {
        let Effect::Persist { sync_state, .. } = e else {
            unreachable!()
        };
        let state = sync::State::decode(sync_state).unwrap();
        assert!(
            state.shared_heads.is_empty(),
            "a sync state stored before the changes claims nothing"
        );
    }
    // A device restarted from what was persisted has the village and needs nothing new.
    let mut chunks = Vec::new();
    let mut last_state = None;
    for (n, e) in effects.iter().enumerate() {
        if let Effect::Persist {
            changes, sync_state, ..
        } = e
        {
            if !changes.is_empty() {
                chunks.push((format!("k{n}"), changes.clone()));
            }
            last_state = Some(sync_state.clone());
        }
    }
    let mut again = Replica::new("desa/hp/tab2".into());
    again.add_doc(&doc_id(), true, chunks, last_state.as_deref());
    assert_eq!(again.view(&doc_id()).unwrap().snapshot.persons.len(), 25);
    assert_eq!(again.unsynced(), 0);
}

#[test]
fn a_local_edit_counts_as_unsynced_until_the_relay_has_it() {
    let mut relay = Relay::new(3);
    let mut replica = fresh_replica();
    {
        let first = replica.connect();
        pump(&mut replica, &mut relay, first)
    };
    let by = Author::new("desa", "hp");
    let (id, changes, effects) = replica
        .edit(&doc_id(), |d| {
            d.create(Person::new(RecordId::random(), "Baru"), &by, 2)
        })
        .unwrap();
    assert!(!changes.is_empty());
    assert_eq!(effects, vec![Effect::Changed(doc_id())]);
    assert!(replica.view(&doc_id()).unwrap().snapshot.person(&id).is_some());
    assert_eq!(replica.unsynced(), 1, "made, not yet confirmed");
    // Stored on the device: now offered to the relay, which confirms it.
    let offered = replica.stored(&doc_id(), "local-1".into(), true);
    assert!(matches!(offered.as_slice(), [Effect::Send(_)]));
    pump(&mut replica, &mut relay, offered);
    assert_eq!(replica.unsynced(), 0);
    assert!(relay.doc.snapshot().person(&id).is_some());
}

#[test]
fn an_edit_offline_is_sent_on_reconnect_with_backoff_in_between() {
    let mut relay = Relay::new(3);
    let mut replica = fresh_replica();
    {
        let first = replica.connect();
        pump(&mut replica, &mut relay, first)
    };
    // The connection drops: retries wait 1 s, 2 s, 4 s… up to 15 s.
    assert_eq!(replica.closed(), vec![Effect::RetryIn(1_000)]);
    let by = Author::new("desa", "hp");
    let (id, _, _) = replica
        .edit(&doc_id(), |d| {
            d.create(Person::new(RecordId::random(), "Luring"), &by, 3)
        })
        .unwrap();
    assert!(
        replica.stored(&doc_id(), "local-1".into(), true).is_empty(),
        "nothing sent offline"
    );
    let mut delays = Vec::new();
    for _ in 0..6 {
        assert_eq!(replica.connect(), vec![Effect::Open]);
        assert_eq!(replica.connect(), vec![], "one socket at a time");
        // The socket fails before the handshake: the token is checked first.
        assert_eq!(replica.closed(), vec![Effect::CheckToken]);
        match replica.token_checked(None).as_slice() {
            [Effect::RetryIn(ms)] => delays.push(*ms),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, vec![2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    // The network is back: at once, and the backoff starts over.
    let effects = {
        let first = replica.retry_now();
        pump(&mut replica, &mut relay, first)
    };
    assert!(effects.contains(&Effect::Open));
    assert_eq!(replica.unsynced(), 0);
    assert!(relay.doc.snapshot().person(&id).is_some());
    assert_eq!(replica.closed(), vec![Effect::RetryIn(1_000)]);
}

#[test]
fn a_refused_token_stops_retrying_until_the_user_logs_in_again() {
    let mut relay = Relay::new(1);
    let mut replica = fresh_replica();
    assert_eq!(replica.connect(), vec![Effect::Open]);
    assert_eq!(replica.closed(), vec![Effect::CheckToken]);
    assert_eq!(replica.token_checked(Some(false)), vec![]);
    assert_eq!(replica.connection(), &Connection::SessionExpired);
    assert_eq!(replica.connect(), vec![], "no retries with a dead token");
    assert_eq!(replica.closed(), vec![]);
    let effects = {
        let first = replica.renewed();
        pump(&mut replica, &mut relay, first)
    };
    assert!(effects.contains(&Effect::Open));
    assert!(matches!(replica.connection(), Connection::Online { .. }));
}

#[test]
fn a_document_the_relay_will_not_share_is_not_counted_as_unsynced() {
    let mut relay = Relay::new(1);
    let mut replica = fresh_replica();
    let other = "2mTgEbDMx3Rx7DZaqbeoTtfcZfiL".to_owned();
    let genesis = VillageDoc::genesis(&"35.07.11.2003".parse().unwrap()).save();
    replica.add_doc(&other, true, vec![("g".into(), genesis)], None);
    let by = Author::new("desa", "hp");
    replica
        .edit(&other, |d| d.create(Person::new(RecordId::random(), "X"), &by, 1))
        .unwrap();
    assert_eq!(replica.unsynced(), 2, "genesis and the edit");
    relay.refused.push(other.clone());
    {
        let first = replica.connect();
        pump(&mut replica, &mut relay, first)
    };
    assert_eq!(replica.unsynced(), 0);
}

#[test]
fn a_document_with_many_chunks_is_compacted_and_failures_keep_the_chunks() {
    let mut replica = fresh_replica();
    let genesis = VillageDoc::genesis(&CODE.parse().unwrap()).save();
    replica.from_other_tab(&doc_id(), vec![("g".into(), genesis)]);
    let by = Author::new("desa", "hp");
    let mut compact = None;
    for i in 0..COMPACT_AFTER_CHUNKS {
        replica
            .edit(&doc_id(), |d| {
                d.create(Person::new(RecordId::random(), "P"), &by, i as i64)
            })
            .unwrap();
        for e in replica.stored(&doc_id(), format!("c{i}"), true) {
            if let Effect::Compact { snapshot, merged, .. } = e {
                compact = Some((snapshot, merged));
            }
        }
    }
    let (snapshot, merged) = compact.expect("compacted after the 41st chunk");
    assert_eq!(merged.len(), COMPACT_AFTER_CHUNKS + 1);
    let loaded = VillageDoc::load(&snapshot).unwrap();
    assert_eq!(loaded.snapshot().persons.len(), COMPACT_AFTER_CHUNKS);
    // Storage failed: the chunks are still tracked, so the next compaction merges them.
    replica.compacted(&doc_id(), Err(merged));
    let effects = replica.stored(&doc_id(), "one-more".into(), true);
    assert!(
        matches!(effects.last(), Some(Effect::Compact { merged, .. }) if merged.len() == COMPACT_AFTER_CHUNKS + 2)
    );
}

#[test]
fn chunks_from_another_tab_are_merged_once_and_shown() {
    let mut replica = fresh_replica();
    let mut tab = VillageDoc::genesis(&CODE.parse().unwrap());
    let id = tab
        .create(
            Person::new(RecordId::random(), "Dari Tab Lain"),
            &Author::new("desa", "tab2"),
            1,
        )
        .unwrap();
    let chunk = tab.save();
    let effects = replica.from_other_tab(&doc_id(), vec![("k".into(), chunk.clone())]);
    assert_eq!(effects, vec![Effect::Changed(doc_id())]);
    assert!(replica.view(&doc_id()).unwrap().snapshot.person(&id).is_some());
    assert!(
        replica
            .from_other_tab(&doc_id(), vec![("k".into(), chunk)])
            .is_empty()
    );
}

#[test]
fn garbage_from_the_relay_changes_nothing() {
    let mut replica = fresh_replica();
    assert!(replica.received(b"\xff\x00 not cbor").is_empty());
    let bad_sync = WireMessage::Sync {
        sender: "relay".into(),
        target: "desa/hp/tab".into(),
        doc: doc_id(),
        data: vec![1, 2, 3],
    };
    assert!(replica.received(&bad_sync.encode()).is_empty());
    assert!(replica.view(&doc_id()).is_none());
}

#[test]
fn the_device_is_not_synced_until_it_received_what_the_relay_has() {
    let mut relay = Relay::new(3);
    let mut replica = fresh_replica();
    replica.connect();
    let join = replica.opened();
    let [Effect::Send(join)] = join.as_slice() else {
        panic!("the handshake first: {join:?}")
    };
    let mut offers = Vec::new();
    for reply in relay.answer(join) {
        offers.extend(replica.received(&reply));
    }
    assert!(matches!(replica.connection(), Connection::Online { .. }));
    assert_eq!(replica.unsynced(), 0, "nothing to send");
    assert_eq!(replica.receiving(), 1, "but the village has not arrived yet");
    pump(&mut replica, &mut relay, offers);
    assert_eq!(replica.receiving(), 0);
    assert_eq!(replica.view(&doc_id()).unwrap().snapshot.persons.len(), 3);

    // Offline, the question does not arise; on the next connection it is asked again.
    replica.closed();
    assert_eq!(replica.receiving(), 0);
}

#[test]
fn a_new_village_starts_at_its_first_edit_and_two_devices_share_one_document() {
    let code: VillageCode = "35.07.13.2002".parse().unwrap();
    let by = Author::new("desa-sengguruh", "hp");
    let mut changes = Vec::new();
    for name in ["Warga Pertama", "Warga Kedua"] {
        let mut r = fresh_replica();
        // Without the village's code the empty document cannot take an edit.
        let refused = r.edit(&doc_id(), |v| {
            v.create(Person::new(RecordId::random(), name), &by, 1)
        });
        assert!(matches!(refused, Err(EditRefused::NotLoaded)));
        r.set_village_code(&doc_id(), code.clone());
        let (_, bytes, _) = r
            .edit(&doc_id(), |v| {
                v.create(Person::new(RecordId::random(), name), &by, 1)
            })
            .unwrap();
        assert_eq!(r.view(&doc_id()).unwrap().snapshot.persons.len(), 1);
        changes.extend(bytes);
    }
    // Both devices' changes, genesis included, make one village with both persons.
    let merged = VillageDoc::load(&changes).unwrap();
    assert_eq!(merged.code(), Some(code));
    assert_eq!(merged.snapshot().persons.len(), 2);
}
