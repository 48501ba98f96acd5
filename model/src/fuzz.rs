//! Hostile input for the sync path, made without a fuzzing engine: a seeded generator mutates a
//! corpus of real automerge-repo messages (byte flips, cuts, splices, boundary values, and
//! sync payloads mutated inside a well-formed envelope so the inner layers are reached), and
//! [`peer_message`] takes one input through every step a relay or device applies to what a peer
//! sends: the envelope's header, the whole message, the heads it announces, the Automerge sync
//! message, and applying it to a document. Used by `model/tests/fuzz.rs` (a short run in the
//! tests, a long one by `cargo xtask fuzz`) and by the relay's test that sends such input over
//! real sockets.

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, transaction::Transactable};

use crate::wire::WireMessage;

/// Inputs the fuzz runs found, kept as regressions (hex): each once panicked Automerge.
/// - seed 0xde5a11, input 12,702: a sync message whose Bloom filter has entries but no bits
///   (Automerge 0.12 divides by zero checking it).
pub const FOUND: &[&str] = &[
    "a564747970656473796e636873656e64657249646c646573612f68702d312f73316874617267657449646572656c61796a646f63756d656e74496468335a374b6d396450646461746159014743016131f01de73629b9df4bce74c301959b07a0bbc7f5648596958f22319be27f2e000100070300070b479f34019402856f4a83519eb121008902011091ff02c3b6f5d0548bae7e06c180b2bd016531f01de73629b9df4bce74c301959b07a0bbc7f5648596958f22319be27f2e0701020302130423024004430356020a0104020a15512102230b34014204560b571f800102030003017f04020303007f0002017e0001030700010900000103010202020502087607706572736f6e730270300270310270320a62697274685f796561720966756c6c5f6e616d650a62697274685f796561720966756c6c5f6e616d650a62697274685f796561720966756c6c5f6e616d650a00020102037a7c7f047f047f0a0400060104007a246624860124b601bc0f53756d696e69bd0f53757061726d616ebe0f5369746920416d696e61680a0002020284",
];

/// Decodes one of [`FOUND`].
pub fn from_hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .filter_map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// A small fast generator (SplitMix64): the same seed gives the same inputs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Byte values that sit on boundaries of CBOR's and LEB128's encodings.
const INTERESTING: [u8; 10] = [0x00, 0x01, 0x17, 0x18, 0x1f, 0x7f, 0x80, 0x9f, 0xbf, 0xff];

/// Real messages of every kind a peer sends, to mutate: the handshake, requests and sync
/// messages of an empty and of a non-empty document (with changes, and with a bloom filter of
/// what it has), and the other kinds.
pub fn corpus(me: &str, relay: &str, doc_id: &str) -> Vec<Vec<u8>> {
    let (me, relay, doc_id) = (me.to_owned(), relay.to_owned(), doc_id.to_owned());
    let sync_of = |data: Vec<u8>| WireMessage::Sync {
        sender: me.clone(),
        target: relay.clone(),
        doc: doc_id.clone(),
        data,
    };
    let mut doc = AutoCommit::new();
    let mut out = vec![
        WireMessage::Join { sender: me.clone() }.encode(),
        WireMessage::Request {
            sender: me.clone(),
            target: relay.clone(),
            doc: doc_id.clone(),
            data: doc
                .sync()
                .generate_sync_message(&mut sync::State::new())
                .expect("a first message")
                .encode(),
        }
        .encode(),
    ];
    let persons = doc
        .put_object(automerge::ROOT, "persons", automerge::ObjType::Map)
        .expect("put");
    for (i, name) in ["Sumini", "Suparman", "Siti Aminah"].into_iter().enumerate() {
        let p = doc
            .put_object(&persons, format!("p{i}"), automerge::ObjType::Map)
            .expect("put");
        doc.put(&p, "full_name", name).expect("put");
        doc.put(&p, "birth_year", 1980 + i as i64).expect("put");
        doc.commit();
    }
    let mut state = sync::State::new();
    let first = doc.sync().generate_sync_message(&mut state).expect("first");
    out.push(sync_of(first.clone().encode()).encode());
    // The peer answers with what it has, so the next message carries changes.
    let mut other = AutoCommit::new();
    let mut other_state = sync::State::new();
    other
        .sync()
        .receive_sync_message(&mut other_state, first)
        .expect("a valid message");
    let answer = other
        .sync()
        .generate_sync_message(&mut other_state)
        .expect("an answer");
    out.push(sync_of(answer.clone().encode()).encode());
    doc.sync()
        .receive_sync_message(&mut state, answer)
        .expect("a valid message");
    if let Some(with_changes) = doc.sync().generate_sync_message(&mut state) {
        out.push(sync_of(with_changes.encode()).encode());
    }
    out.push(
        WireMessage::DocUnavailable {
            sender: me.clone(),
            target: relay.clone(),
            doc: doc_id.clone(),
        }
        .encode(),
    );
    out.push(
        WireMessage::Other {
            kind: "ephemeral".into(),
            doc: Some(doc_id),
        }
        .encode(),
    );
    out.push(WireMessage::Error { message: "x".into() }.encode());
    out
}

/// One hostile input made from the corpus.
pub fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut bytes = corpus[rng.below(corpus.len())].clone();
    // Two times in three, mutate a sync message's payload and keep the envelope well formed,
    // so the input reaches Automerge instead of stopping at CBOR.
    if rng.below(3) != 0
        && let Ok(WireMessage::Sync {
            sender,
            target,
            doc,
            mut data,
        }) = WireMessage::decode(&bytes)
    {
        for _ in 0..=rng.below(2) {
            mutate_bytes(rng, &mut data, corpus);
        }
        return WireMessage::Sync {
            sender,
            target,
            doc,
            data,
        }
        .encode();
    }
    for _ in 0..=rng.below(4) {
        mutate_bytes(rng, &mut bytes, corpus);
    }
    bytes
}

fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    if bytes.is_empty() {
        bytes.push(rng.next_u64() as u8);
        return;
    }
    let at = rng.below(bytes.len());
    match rng.below(7) {
        0 => bytes[at] ^= 1 << rng.below(8),
        1 => bytes[at] = INTERESTING[rng.below(INTERESTING.len())],
        2 => bytes.insert(at, rng.next_u64() as u8),
        3 => {
            let end = (at + 1 + rng.below(16)).min(bytes.len());
            bytes.drain(at..end);
        }
        4 => bytes.truncate(at),
        5 => {
            // Repeat a slice: lengths and counts then disagree with what follows.
            let end = (at + 1 + rng.below(32)).min(bytes.len());
            let slice = bytes[at..end].to_vec();
            bytes.splice(at..at, slice);
        }
        _ => {
            // Splice in the tail of another message.
            let other = &corpus[rng.below(corpus.len())];
            let from = rng.below(other.len().max(1));
            bytes.truncate(at);
            bytes.extend_from_slice(&other[from..]);
        }
    }
}

/// How far one input got: what a peer's message is worth to the layers that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reached {
    /// Not an automerge-repo message.
    Nothing,
    /// A message, but not a sync message with an Automerge payload.
    Envelope,
    /// An Automerge sync message, which the document refused.
    SyncMessage,
    /// Applied to the document.
    Applied,
}

/// Takes one input through every step a peer's message goes through; never panics on any
/// input (that is what the fuzz runs check). `base` is the document a receiving side holds.
pub fn peer_message(bytes: &[u8], base: &AutoCommit) -> Reached {
    // Routing reads only the header; the durability gate reads the heads.
    let header = WireMessage::decode_header(bytes);
    let _ = header.as_ref().map(WireMessage::document);
    let Ok(message) = WireMessage::decode(bytes) else {
        return Reached::Nothing;
    };
    let _ = message.announced_heads();
    // What the relay refuses before its sync layer sees it.
    if message.unsafe_payload().is_some() {
        return Reached::Envelope;
    }
    let (WireMessage::Sync { data, .. } | WireMessage::Request { data, .. }) = message else {
        return Reached::Envelope;
    };
    let Ok(sync_message) = sync::Message::decode(&data) else {
        return Reached::Envelope;
    };
    let mut doc = base.clone();
    let mut state = sync::State::new();
    if doc.sync().receive_sync_message(&mut state, sync_message).is_err() {
        return Reached::SyncMessage;
    }
    // The answer a receiving side would send.
    let _ = doc.sync().generate_sync_message(&mut state);
    Reached::Applied
}
