//! Documents on the device, in IndexedDB.
//!
//! Each document is a set of chunks under `doc_id/`: saved changes (`c/…`) appended after every
//! edit or received sync message, and snapshots (`s/…`) written by compaction. Chunks are never
//! overwritten, and compaction deletes only the chunks it merged, so two tabs writing the same
//! document never lose each other's work. Sync states live under `meta`.
//!
//! Every value is sealed by the account's [`Vault`] before it is written and opened after it is
//! read; keys (document ids, which are hashes of village codes, and chunk names) stay clear.
//! Sealing happens before a transaction opens (IndexedDB commits a transaction that waits on
//! anything else), so "stored together" still means one transaction.

use std::rc::Rc;

use idb::{Database, DatabaseEvent, KeyRange, ObjectStoreParams, Query, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use crate::vault::{Vault, VaultError, is_sealed};

const DB_NAME: &str = "desmigratif";
const CHUNKS: &str = "chunks";
const META: &str = "meta";

/// Failures of the device's storage.
#[derive(Debug, Clone)]
pub struct StorageError(pub String);

impl From<idb::Error> for StorageError {
    fn from(e: idb::Error) -> Self {
        StorageError(e.to_string())
    }
}

impl From<VaultError> for StorageError {
    fn from(e: VaultError) -> Self {
        StorageError(format!("{e:?}"))
    }
}

/// The app's IndexedDB database.
#[derive(Clone, Debug)]
pub struct DocStorage {
    db: Rc<Database>,
    /// `None` when opened only to remove an account's data (no PIN at hand).
    vault: Option<Vault>,
}

fn bytes(value: &JsValue) -> Vec<u8> {
    Uint8Array::new(value).to_vec()
}

fn prefix_range(prefix: &str) -> Result<Query, StorageError> {
    let lower = JsValue::from_str(prefix);
    let upper = JsValue::from_str(&format!("{prefix}\u{ffff}"));
    Ok(Query::from(KeyRange::bound(
        &lower,
        &upper,
        Some(false),
        Some(false),
    )?))
}

/// A new chunk's key: `doc_id/kind/time-random`, so keys sort by time and never collide.
fn chunk_key(doc_id: &str, kind: &str) -> String {
    format!(
        "{doc_id}/{kind}/{}-{}",
        js_sys::Date::now() as u64,
        crate::session::random_id()
    )
}

impl DocStorage {
    /// Opens (creating if needed) the database, reading and writing through `vault`.
    pub async fn open(vault: Vault) -> Result<Self, StorageError> {
        Ok(Self {
            vault: Some(vault),
            ..Self::open_locked().await?
        })
    }

    /// Opens the database without a vault: only [`Self::remove_doc`] works (a wipe after too
    /// many wrong PINs, a forgotten PIN, a revoked device).
    pub async fn open_locked() -> Result<Self, StorageError> {
        let factory = idb::Factory::new()?;
        let mut request = factory.open(DB_NAME, Some(1))?;
        request.on_upgrade_needed(|event| {
            if let Ok(db) = event.database() {
                for name in [CHUNKS, META] {
                    if !db.store_names().iter().any(|n| n == name) {
                        let _ = db.create_object_store(name, ObjectStoreParams::new());
                    }
                }
            }
        });
        Ok(Self {
            db: Rc::new(request.await?),
            vault: None,
        })
    }

    fn vault(&self) -> Result<&Vault, StorageError> {
        self.vault
            .as_ref()
            .ok_or_else(|| StorageError("the device's storage is locked".into()))
    }

    async fn seal(&self, plain: &[u8]) -> Result<Uint8Array, StorageError> {
        Ok(Uint8Array::from(self.vault()?.seal(plain).await?.as_slice()))
    }

    async fn open_value(&self, stored: &JsValue) -> Result<Vec<u8>, StorageError> {
        Ok(self.vault()?.open(&bytes(stored)).await?)
    }

    /// Encrypts in place every value written before the vault existed (a device upgraded from
    /// a version that stored them in the clear). Returns how many values it sealed.
    pub async fn seal_plaintext(&self) -> Result<usize, StorageError> {
        let mut sealed = 0;
        for name in [CHUNKS, META] {
            let (keys, values) = {
                let tx = self.db.transaction(&[name], TransactionMode::ReadOnly)?;
                let store = tx.object_store(name)?;
                (
                    store.get_all_keys(None, None)?.await?,
                    store.get_all(None, None)?.await?,
                )
            };
            let mut rewritten = Vec::new();
            for (key, value) in keys.into_iter().zip(values) {
                let plain = bytes(&value);
                if !is_sealed(&plain) {
                    rewritten.push((key, self.seal(&plain).await?));
                }
            }
            if rewritten.is_empty() {
                continue;
            }
            let tx = self.db.transaction(&[name], TransactionMode::ReadWrite)?;
            let store = tx.object_store(name)?;
            for (key, value) in &rewritten {
                store.put(&value.clone().into(), Some(key))?.await?;
            }
            tx.commit()?.await?;
            sealed += rewritten.len();
        }
        Ok(sealed)
    }

    /// Every chunk of a document, with its key.
    pub async fn load(&self, doc_id: &str) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let tx = self.db.transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(CHUNKS)?;
        let range = prefix_range(&format!("{doc_id}/"))?;
        let keys = store.get_all_keys(Some(range.clone()), None)?.await?;
        let values = store.get_all(Some(range), None)?.await?;
        let mut chunks = Vec::with_capacity(values.len());
        for (key, value) in keys.iter().filter_map(|k| k.as_string()).zip(&values) {
            chunks.push((key, self.open_value(value).await?));
        }
        Ok(chunks)
    }

    /// Appends a chunk; resolves once IndexedDB has committed it. Returns its key.
    pub async fn append(&self, doc_id: &str, chunk: &[u8]) -> Result<String, StorageError> {
        let key = chunk_key(doc_id, "c");
        self.put(CHUNKS, &key, chunk).await?;
        Ok(key)
    }

    /// Appends a chunk and writes a meta value (the sync state that covers the chunk) in one
    /// transaction: both are stored or neither is. Returns the chunk's key.
    pub async fn append_with_meta(
        &self,
        doc_id: &str,
        chunk: &[u8],
        meta_key: &str,
        meta: &[u8],
    ) -> Result<String, StorageError> {
        let key = chunk_key(doc_id, "c");
        let (chunk, meta) = (self.seal(chunk).await?, self.seal(meta).await?);
        let tx = self.db.transaction(&[CHUNKS, META], TransactionMode::ReadWrite)?;
        tx.object_store(CHUNKS)?
            .put(&chunk.into(), Some(&JsValue::from_str(&key)))?
            .await?;
        tx.object_store(META)?
            .put(&meta.into(), Some(&JsValue::from_str(meta_key)))?
            .await?;
        tx.commit()?.await?;
        Ok(key)
    }

    /// Replaces the chunks `merged` by one snapshot, in one transaction.
    pub async fn compact(
        &self,
        doc_id: &str,
        snapshot: &[u8],
        merged: &[String],
    ) -> Result<String, StorageError> {
        let key = chunk_key(doc_id, "s");
        let snapshot = self.seal(snapshot).await?;
        let tx = self.db.transaction(&[CHUNKS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(CHUNKS)?;
        store
            .put(&snapshot.into(), Some(&JsValue::from_str(&key)))?
            .await?;
        for old in merged {
            store.delete(Query::from(JsValue::from_str(old)))?.await?;
        }
        tx.commit()?.await?;
        Ok(key)
    }

    async fn put(&self, store_name: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        let value = self.seal(value).await?;
        let tx = self.db.transaction(&[store_name], TransactionMode::ReadWrite)?;
        let store = tx.object_store(store_name)?;
        store.put(&value.into(), Some(&JsValue::from_str(key)))?.await?;
        tx.commit()?.await?;
        Ok(())
    }

    pub async fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.put(META, key, value).await
    }

    pub async fn get_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let value = tx
            .object_store(META)?
            .get(Query::from(JsValue::from_str(key)))?
            .await?;
        match value.filter(|v| !v.is_undefined() && !v.is_null()) {
            Some(v) => Ok(Some(self.open_value(&v).await?)),
            None => Ok(None),
        }
    }

    /// Removes a document and its sync state from the device.
    pub async fn remove_doc(&self, doc_id: &str) -> Result<(), StorageError> {
        let tx = self.db.transaction(&[CHUNKS, META], TransactionMode::ReadWrite)?;
        tx.object_store(CHUNKS)?
            .delete(prefix_range(&format!("{doc_id}/"))?)?
            .await?;
        tx.object_store(META)?
            .delete(prefix_range(&format!("{doc_id}/"))?)?
            .await?;
        tx.commit()?.await?;
        Ok(())
    }
}
