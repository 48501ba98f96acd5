//! The automerge-repo wire protocol (version 1) as far as Desmigratif peers use it: CBOR maps
//! with a `type` field. Pure encoding and decoding; moving the bytes is the caller's job.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

/// One protocol message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireMessage {
    /// A client introduces itself.
    Join {
        sender: String,
    },
    /// The server's answer to `Join`.
    Peer {
        sender: String,
        target: String,
    },
    /// Asks for a document the sender does not have yet (`data` is a sync message).
    Request {
        sender: String,
        target: String,
        doc: String,
        data: Vec<u8>,
    },
    /// An Automerge sync message for one document.
    Sync {
        sender: String,
        target: String,
        doc: String,
        data: Vec<u8>,
    },
    /// The document does not exist or may not be shared with the requester.
    DocUnavailable {
        sender: String,
        target: String,
        doc: String,
    },
    Error {
        message: String,
    },
    /// Any other message type (ephemeral, remote heads…), ignored by Desmigratif peers; with
    /// the document it is about, if it names one.
    Other {
        kind: String,
        doc: Option<String>,
    },
}

/// Why a message could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("not an automerge-repo message: {0}")]
pub struct WireError(String);

impl WireMessage {
    /// A `request` (the sender has nothing of the document yet) or a `sync` message.
    pub fn sync_or_request(
        request: bool,
        sender: String,
        target: String,
        doc: String,
        data: Vec<u8>,
    ) -> Self {
        if request {
            WireMessage::Request {
                sender,
                target,
                doc,
                data,
            }
        } else {
            WireMessage::Sync {
                sender,
                target,
                doc,
                data,
            }
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut e = Encoder::new(&mut buf);
        let result: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
            match self {
                WireMessage::Join { sender } => {
                    e.map(4)?;
                    e.str("type")?.str("join")?;
                    e.str("senderId")?.str(sender)?;
                    e.str("peerMetadata")?.map(1)?.str("isEphemeral")?.bool(false)?;
                    e.str("supportedProtocolVersions")?.array(1)?.str("1")?;
                }
                WireMessage::Peer { sender, target } => {
                    e.map(4)?;
                    e.str("type")?.str("peer")?;
                    e.str("senderId")?.str(sender)?;
                    e.str("targetId")?.str(target)?;
                    e.str("selectedProtocolVersion")?.str("1")?;
                }
                WireMessage::Request {
                    sender,
                    target,
                    doc,
                    data,
                }
                | WireMessage::Sync {
                    sender,
                    target,
                    doc,
                    data,
                } => {
                    let kind = if matches!(self, WireMessage::Request { .. }) {
                        "request"
                    } else {
                        "sync"
                    };
                    e.map(5)?;
                    e.str("type")?.str(kind)?;
                    e.str("senderId")?.str(sender)?;
                    e.str("targetId")?.str(target)?;
                    e.str("documentId")?.str(doc)?;
                    e.str("data")?.bytes(data)?;
                }
                WireMessage::DocUnavailable { sender, target, doc } => {
                    e.map(4)?;
                    e.str("type")?.str("doc-unavailable")?;
                    e.str("senderId")?.str(sender)?;
                    e.str("targetId")?.str(target)?;
                    e.str("documentId")?.str(doc)?;
                }
                WireMessage::Error { message } => {
                    e.map(2)?;
                    e.str("type")?.str("error")?;
                    e.str("message")?.str(message)?;
                }
                WireMessage::Other { kind, doc } => {
                    e.map(1 + u64::from(doc.is_some()))?;
                    e.str("type")?.str(kind)?;
                    if let Some(doc) = doc {
                        e.str("documentId")?.str(doc)?;
                    }
                }
            }
            Ok(())
        })();
        result.expect("encoding into a Vec cannot fail");
        buf
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, WireError> {
        Self::decode_fields(bytes, true)
    }

    /// A message's type and the document it is about, without copying its data: what a relay
    /// needs to route it. Sync messages keep an empty `data`.
    pub fn decode_header(bytes: &[u8]) -> Result<Self, WireError> {
        Self::decode_fields(bytes, false)
    }

    /// The document a message is about, if it names one (every message but the handshake,
    /// errors and subscription changes does).
    pub fn document(&self) -> Option<&str> {
        match self {
            WireMessage::Request { doc, .. }
            | WireMessage::Sync { doc, .. }
            | WireMessage::DocUnavailable { doc, .. } => Some(doc),
            WireMessage::Other { doc, .. } => doc.as_deref(),
            _ => None,
        }
    }

    fn decode_fields(bytes: &[u8], with_data: bool) -> Result<Self, WireError> {
        let bad = |what: &str| WireError(what.to_owned());
        let mut d = Decoder::new(bytes);
        let entries = d
            .map()
            .map_err(|e| bad(&e.to_string()))?
            .ok_or_else(|| bad("indefinite map"))?;
        let (mut kind, mut sender, mut target, mut doc, mut data, mut message) =
            (None, None, None, None, None, None);
        for _ in 0..entries {
            let key = d.str().map_err(|e| bad(&e.to_string()))?;
            let ty = d.datatype().map_err(|e| bad(&e.to_string()))?;
            let text = |d: &mut Decoder<'_>| d.str().map(str::to_owned).map_err(|e| bad(&e.to_string()));
            match (key, ty) {
                ("type", Type::String) => kind = Some(text(&mut d)?),
                ("senderId", Type::String) => sender = Some(text(&mut d)?),
                ("targetId", Type::String) => target = Some(text(&mut d)?),
                ("documentId", Type::String) => doc = Some(text(&mut d)?),
                ("message", Type::String) => message = Some(text(&mut d)?),
                ("data", Type::Bytes) => {
                    let bytes = d.bytes().map_err(|e| bad(&e.to_string()))?;
                    data = Some(if with_data { bytes.to_vec() } else { Vec::new() });
                }
                _ => d.skip().map_err(|e| bad(&e.to_string()))?,
            }
        }
        let kind = kind.ok_or_else(|| bad("no type"))?;
        let need = |v: Option<String>, f: &str| v.ok_or_else(|| bad(&format!("{kind} without {f}")));
        Ok(match kind.as_str() {
            "join" => WireMessage::Join {
                sender: need(sender, "senderId")?,
            },
            "peer" => WireMessage::Peer {
                sender: need(sender, "senderId")?,
                target: need(target, "targetId")?,
            },
            "request" | "sync" => {
                let (sender, target, doc) = (
                    need(sender, "senderId")?,
                    need(target, "targetId")?,
                    need(doc, "documentId")?,
                );
                let data = data.ok_or_else(|| bad("no data"))?;
                WireMessage::sync_or_request(kind == "request", sender, target, doc, data)
            }
            "doc-unavailable" => WireMessage::DocUnavailable {
                sender: need(sender, "senderId")?,
                target: need(target, "targetId")?,
                doc: need(doc, "documentId")?,
            },
            "error" => WireMessage::Error {
                message: message.unwrap_or_default(),
            },
            _ => WireMessage::Other { kind, doc },
        })
    }

    /// What a `sync` or `request` message's payload is, decoded once: whether Automerge may be
    /// given it, and whether it brings changes.
    ///
    /// A payload must not reach Automerge when it is not a sync message, or when it carries a
    /// Bloom filter that Automerge 0.12 cannot check without panicking (no bits: a division by
    /// zero) or without allocating and looping once per probe (a count of probes near 2³²:
    /// gigabytes, then an abort). Both come only from a broken or hostile peer (Automerge
    /// writes 7 probes, 10 bits per entry); the fuzz tests found the first.
    pub fn payload(&self) -> Payload {
        let (WireMessage::Request { data, .. } | WireMessage::Sync { data, .. }) = self else {
            return Payload::NotSync;
        };
        let Ok(message) = automerge::sync::Message::decode(data) else {
            return Payload::Unsafe("its payload is not an Automerge sync message");
        };
        match message
            .have
            .iter()
            .find_map(|have| unsafe_bloom(&have.bloom.to_bytes()))
        {
            Some(reason) => Payload::Unsafe(reason),
            None => Payload::Sync {
                changes: !message.changes.is_empty(),
            },
        }
    }

    /// Why a `sync` or `request` message must not reach Automerge, if it must not
    /// ([`Self::payload`]).
    pub fn unsafe_payload(&self) -> Option<&'static str> {
        match self.payload() {
            Payload::Unsafe(reason) => Some(reason),
            _ => None,
        }
    }

    /// Whether a `sync` or `request` message brings changes (a safe Automerge sync message with
    /// any); `false` for anything else.
    pub fn carries_changes(&self) -> bool {
        matches!(self.payload(), Payload::Sync { changes: true })
    }

    /// For `sync` and `request` messages: the document and the heads the sender announces.
    pub fn announced_heads(&self) -> Option<(&str, Vec<automerge::ChangeHash>)> {
        match self {
            WireMessage::Request { doc, data, .. } | WireMessage::Sync { doc, data, .. } => {
                let m = automerge::sync::Message::decode(data).ok()?;
                Some((doc.as_str(), m.heads))
            }
            _ => None,
        }
    }
}

/// What a `sync` or `request` message carries ([`WireMessage::payload`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// Not a `sync` or `request` message.
    NotSync,
    /// A payload Automerge must not be given, and why.
    Unsafe(&'static str),
    /// A sync message Automerge can take; whether it brings changes.
    Sync { changes: bool },
}

/// The largest number of probes a Bloom filter may ask for (Automerge uses 7).
const MAX_BLOOM_PROBES: u64 = 64;

/// Checks a Bloom filter as Automerge serialises it: nothing (empty), or the number of
/// entries, bits per entry and probes (LEB128) followed by the bits.
fn unsafe_bloom(bytes: &[u8]) -> Option<&'static str> {
    if bytes.is_empty() {
        return None;
    }
    let mut at = 0;
    let mut uleb = || -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *bytes.get(at)?;
            at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    };
    let (Some(_entries), Some(_bits_per_entry), Some(probes)) = (uleb(), uleb(), uleb()) else {
        return Some("a Bloom filter that ends early");
    };
    if at >= bytes.len() {
        return Some("a Bloom filter without bits");
    }
    if probes == 0 || probes > MAX_BLOOM_PROBES {
        return Some("a Bloom filter with an impossible number of probes");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_filters_automerge_cannot_check_are_refused() {
        // entries 1, 10 bits per entry, 7 probes, two bytes of bits: as Automerge writes them.
        assert_eq!(unsafe_bloom(&[1, 10, 7, 0xaa, 0xbb]), None);
        assert_eq!(unsafe_bloom(&[]), None);
        assert!(unsafe_bloom(&[1, 0, 7]).is_some(), "no bits: a division by zero");
        let huge_probes = [1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xaa];
        assert!(unsafe_bloom(&huge_probes).is_some(), "2^32 - 1 probes");
        assert!(unsafe_bloom(&[1, 10, 0, 0xaa]).is_some(), "no probes");
        assert!(unsafe_bloom(&[0x81]).is_some(), "ends early");

        // A real sync message with a filter passes; the fuzz run's crashing input does not.
        let mut doc = automerge::AutoCommit::new();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "a", 1).unwrap();
        doc.commit();
        let mut state = automerge::sync::State::new();
        use automerge::sync::SyncDoc;
        let first = doc.sync().generate_sync_message(&mut state).unwrap();
        let sync = |data: Vec<u8>| WireMessage::Sync {
            sender: "p".into(),
            target: "r".into(),
            doc: "d".into(),
            data,
        };
        assert_eq!(sync(first.clone().encode()).unsafe_payload(), None);
        assert!(sync(b"garbage".to_vec()).unsafe_payload().is_some());

        // The first message names heads only; once the other side says what it lacks, the
        // next one brings the change.
        assert!(!sync(first.clone().encode()).carries_changes());
        let mut other = automerge::AutoCommit::new();
        let mut other_state = automerge::sync::State::new();
        other
            .sync()
            .receive_sync_message(&mut other_state, first)
            .unwrap();
        let answer = other.sync().generate_sync_message(&mut other_state).unwrap();
        doc.sync().receive_sync_message(&mut state, answer).unwrap();
        let with_changes = doc.sync().generate_sync_message(&mut state).unwrap();
        assert!(sync(with_changes.encode()).carries_changes());
        assert!(!sync(b"garbage".to_vec()).carries_changes());
    }

    #[test]
    fn messages_round_trip_and_garbage_is_an_error() {
        let all = [
            WireMessage::Join {
                sender: "a/b/c".into(),
            },
            WireMessage::Peer {
                sender: "relay".into(),
                target: "a/b/c".into(),
            },
            WireMessage::Request {
                sender: "a".into(),
                target: "r".into(),
                doc: "d".into(),
                data: vec![1, 2],
            },
            WireMessage::Sync {
                sender: "a".into(),
                target: "r".into(),
                doc: "d".into(),
                data: vec![3],
            },
            WireMessage::DocUnavailable {
                sender: "r".into(),
                target: "a".into(),
                doc: "d".into(),
            },
            WireMessage::Error { message: "no".into() },
            WireMessage::Other {
                kind: "ephemeral".into(),
                doc: Some("d".into()),
            },
            WireMessage::Other {
                kind: "remote-subscription-change".into(),
                doc: None,
            },
        ];
        for m in all {
            assert_eq!(WireMessage::decode(&m.encode()).unwrap(), m);
            // The header names the same document, without the data.
            let header = WireMessage::decode_header(&m.encode()).unwrap();
            assert_eq!(header.document(), m.document());
            assert!(!matches!(header, WireMessage::Sync { ref data, .. } if !data.is_empty()));
        }
        assert_eq!(
            WireMessage::Sync {
                sender: "a".into(),
                target: "r".into(),
                doc: "d".into(),
                data: vec![3],
            }
            .document(),
            Some("d")
        );
        assert!(WireMessage::decode(b"\xff\x00").is_err());
        assert!(WireMessage::decode(&[0xa5, 0x64, b't', b'y', b'p', b'e']).is_err());
        assert!(WireMessage::decode(&[0xa0]).is_err(), "no type");
    }
}
