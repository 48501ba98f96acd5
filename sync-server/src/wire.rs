//! The little of the automerge-repo wire format the relay itself reads: which document an
//! outgoing `sync` or `request` message is about and the heads it announces. Everything else
//! is samod's business.

use automerge::ChangeHash;
use minicbor::Decoder;
use minicbor::data::Type;

/// For a `sync` or `request` message: its document id and the sender's heads.
pub fn announced_heads(message: &[u8]) -> Option<(String, Vec<ChangeHash>)> {
    let mut d = Decoder::new(message);
    let entries = d.map().ok()??;
    let (mut kind, mut doc, mut data) = (None, None, None);
    for _ in 0..entries {
        let key = d.str().ok()?;
        match (key, d.datatype().ok()?) {
            ("type", Type::String) => kind = Some(d.str().ok()?),
            ("documentId", Type::String) => doc = Some(d.str().ok()?.to_owned()),
            ("data", Type::Bytes) => data = Some(d.bytes().ok()?),
            _ => d.skip().ok()?,
        }
    }
    if !matches!(kind?, "sync" | "request") {
        return None;
    }
    let sync = automerge::sync::Message::decode(data?).ok()?;
    Some((doc?, sync.heads))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use minicbor::Encoder;

    fn message(kind: &str, doc: &str, data: &[u8]) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        e.map(5).unwrap();
        e.str("type").unwrap().str(kind).unwrap();
        e.str("senderId").unwrap().str("relay").unwrap();
        e.str("targetId").unwrap().str("peer").unwrap();
        e.str("documentId").unwrap().str(doc).unwrap();
        e.str("data").unwrap().bytes(data).unwrap();
        e.into_writer()
    }

    #[test]
    fn reads_heads_of_sync_messages_only() {
        let mut doc = automerge::AutoCommit::new();
        use automerge::transaction::Transactable;
        doc.put(automerge::ROOT, "a", 1).unwrap();
        doc.commit();
        let heads = doc.get_heads();
        let sync = doc
            .sync()
            .generate_sync_message(&mut automerge::sync::State::new())
            .unwrap()
            .encode();
        assert_eq!(
            announced_heads(&message("sync", "doc1", &sync)),
            Some(("doc1".into(), heads.clone()))
        );
        assert_eq!(
            announced_heads(&message("request", "doc1", &sync)).unwrap().1,
            heads
        );
        assert_eq!(announced_heads(&message("ephemeral", "doc1", &sync)), None);
        assert_eq!(announced_heads(b"\xff\x00garbage"), None);
        assert_eq!(
            announced_heads(&message("sync", "doc1", b"not a sync message")),
            None
        );
    }
}
