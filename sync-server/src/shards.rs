//! The sync layer, in shards.
//!
//! After every event (each message in, each write done) samod's hub walks every pair of a
//! connection and a document it holds (`ensure_connections` in samod-core 0.16). With one samod
//! instance, a district of hundreds of villages with hundreds of devices connected spends
//! nearly all the relay's CPU there: with 512 devices on 512 documents the relay stopped
//! answering (see BENCHMARKS.md, the relay under load). So the relay runs several samod
//! instances over the one store, each holding the documents whose id hashes to it, and a
//! device's connection reaches each instance it needs through a connection of its own (see
//! [`crate::sync`]). A document lives in exactly one shard, so its writes and its sync
//! states are never split.
//!
//! One more instance, the lobby, holds no document: it answers each device's handshake (and
//! any message naming no document). Were that a document shard, every device would be paired
//! with each of its documents, and a shard's hub walks every pair after every event: with 512
//! devices, 512 × 32 pairs in one shard.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use crate::accounts::AccountDb;
use crate::{FileStore, access};

/// The relay's own peer id in the automerge-repo protocol (every shard's).
pub const RELAY_PEER_ID: &str = "desmigratif-relay";

#[derive(Clone)]
pub struct Shards(Arc<[Shard]>);

struct Shard {
    repo: samod::Repo,
    acceptor: samod::AcceptorHandle,
}

impl Shards {
    /// Starts `count` samod instances holding documents (at least one) and the lobby on
    /// `store`, deciding access through one shared cache of decisions.
    pub async fn start(count: usize, store: &FileStore, db: &AccountDb) -> anyhow::Result<Self> {
        let decisions = access::Decisions::default();
        let mut shards = Vec::new();
        // One after another: the first writes the store's id, the others read it.
        for _ in 0..=count.max(1) {
            let repo = samod::Repo::build_tokio()
                .with_storage(store.clone())
                .with_peer_id(samod::PeerId::from(RELAY_PEER_ID))
                .with_share_policy(access::share_policy(db.clone(), decisions.clone()))
                .load()
                .await;
            let acceptor = repo
                .make_acceptor(samod::Url::parse("ws://relay/sync").expect("a valid url"))
                .map_err(|_| anyhow::anyhow!("the sync layer stopped while starting"))?;
            shards.push(Shard { repo, acceptor });
        }
        Ok(Self(shards.into()))
    }

    /// How many shards hold documents (the lobby comes after them).
    fn document_shards(&self) -> usize {
        self.0.len() - 1
    }

    /// The shard holding a document.
    pub fn index_of(&self, doc_id: &str) -> usize {
        shard_of(doc_id, self.document_shards())
    }

    /// The instance that holds no document and answers handshakes.
    pub fn lobby(&self) -> usize {
        self.document_shards()
    }

    /// The samod instance holding a document.
    pub fn repo_for(&self, doc_id: &str) -> &samod::Repo {
        &self.0[self.index_of(doc_id)].repo
    }

    pub fn acceptor(&self, index: usize) -> &samod::AcceptorHandle {
        &self.0[index].acceptor
    }

    /// Stops every instance, flushing its pending writes.
    pub async fn stop(&self) {
        for shard in self.0.iter() {
            shard.repo.stop().await;
        }
    }
}

/// Which of `count` shards holds a document (the same in every run: `DefaultHasher::new` has
/// fixed keys).
pub fn shard_of(doc_id: &str, count: usize) -> usize {
    let mut h = DefaultHasher::new();
    doc_id.hash(&mut h);
    (h.finish() % count.max(1) as u64) as usize
}

impl std::fmt::Debug for Shards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Shards").field(&self.0.len()).finish()
    }
}
