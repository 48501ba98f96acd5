//! Documents on the device, in IndexedDB.
//!
//! Each document is a set of chunks under `doc_id/`: saved changes (`c/…`) appended after every
//! edit or received sync message, and snapshots (`s/…`) written by compaction. Chunks are never
//! overwritten, and compaction deletes only the chunks it merged, so two tabs writing the same
//! document never lose each other's work. Sync states live under `meta`.

use std::rc::Rc;

use idb::{Database, DatabaseEvent, KeyRange, ObjectStoreParams, Query, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

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

/// The app's IndexedDB database.
#[derive(Clone, Debug)]
pub struct DocStorage {
    db: Rc<Database>,
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
    /// Opens (creating if needed) the database.
    pub async fn open() -> Result<Self, StorageError> {
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
        })
    }

    /// Every chunk of a document, with its key.
    pub async fn load(&self, doc_id: &str) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let tx = self.db.transaction(&[CHUNKS], TransactionMode::ReadOnly)?;
        let store = tx.object_store(CHUNKS)?;
        let range = prefix_range(&format!("{doc_id}/"))?;
        let keys = store.get_all_keys(Some(range.clone()), None)?.await?;
        let values = store.get_all(Some(range), None)?.await?;
        Ok(keys
            .iter()
            .filter_map(|k| k.as_string())
            .zip(values.iter().map(bytes))
            .collect())
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
        let tx = self.db.transaction(&[CHUNKS, META], TransactionMode::ReadWrite)?;
        tx.object_store(CHUNKS)?
            .put(&Uint8Array::from(chunk).into(), Some(&JsValue::from_str(&key)))?
            .await?;
        tx.object_store(META)?
            .put(&Uint8Array::from(meta).into(), Some(&JsValue::from_str(meta_key)))?
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
        let tx = self.db.transaction(&[CHUNKS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(CHUNKS)?;
        store
            .put(&Uint8Array::from(snapshot).into(), Some(&JsValue::from_str(&key)))?
            .await?;
        for old in merged {
            store.delete(Query::from(JsValue::from_str(old)))?.await?;
        }
        tx.commit()?.await?;
        Ok(key)
    }

    async fn put(&self, store_name: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        let tx = self.db.transaction(&[store_name], TransactionMode::ReadWrite)?;
        let store = tx.object_store(store_name)?;
        store
            .put(&Uint8Array::from(value).into(), Some(&JsValue::from_str(key)))?
            .await?;
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
        Ok(value
            .filter(|v| !v.is_undefined() && !v.is_null())
            .map(|v| bytes(&v)))
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
