//! The little of the automerge-repo wire format the relay itself reads: which document an
//! outgoing `sync` or `request` message is about and the heads it announces. Everything else
//! is samod's business.

use automerge::ChangeHash;
use desmigratif_model::wire::WireMessage;

/// For a `sync` or `request` message: its document id and the sender's heads.
pub fn announced_heads(message: &[u8]) -> Option<(String, Vec<ChangeHash>)> {
    let decoded = WireMessage::decode(message).ok()?;
    decoded
        .announced_heads()
        .map(|(doc, heads)| (doc.to_owned(), heads))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;

    #[test]
    fn reads_heads_of_sync_messages_only() {
        let mut doc = automerge::AutoCommit::new();
        doc.put(automerge::ROOT, "a", 1).unwrap();
        doc.commit();
        let heads = doc.get_heads();
        let data = doc
            .sync()
            .generate_sync_message(&mut automerge::sync::State::new())
            .unwrap()
            .encode();
        let msg = |kind: &str, data: Vec<u8>| {
            let (sender, target, doc) = ("relay".to_owned(), "peer".to_owned(), "doc1".to_owned());
            WireMessage::sync_or_request(kind == "request", sender, target, doc, data).encode()
        };
        assert_eq!(
            announced_heads(&msg("sync", data.clone())),
            Some(("doc1".into(), heads.clone()))
        );
        assert_eq!(announced_heads(&msg("request", data)).unwrap().1, heads);
        assert_eq!(
            announced_heads(
                &WireMessage::Other {
                    kind: "ephemeral".into(),
                    doc: Some("doc1".into())
                }
                .encode()
            ),
            None
        );
        assert_eq!(announced_heads(b"\xff\x00garbage"), None);
        assert_eq!(
            announced_heads(&msg("sync", b"not a sync message".to_vec())),
            None
        );
    }
}
