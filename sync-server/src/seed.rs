//! Demo data: on first start, the four Kabupaten Malang villages and their district document
//! are written into an empty store.

use desmigratif_model::demo::{self, DemoVillage};
use desmigratif_model::{DistrictCode, DistrictDoc, DocumentId, VillageCode};
use samod::storage::StorageKey;
use sha2::{Digest, Sha256};

use crate::store::FileStore;

/// Households generated per demo village.
pub const DEMO_HOUSEHOLDS: usize = 60;

/// A document the store holds, for the start-up banner.
#[derive(Debug, Clone)]
pub struct SeededDoc {
    pub label: String,
    pub code: String,
    pub doc_id: DocumentId,
    pub code_confirmed: bool,
}

/// Stores a whole document as one snapshot, named as automerge-repo names compacted snapshots
/// (the SHA-256 of its heads), so the sync layer loads it like any other.
pub fn put_snapshot(
    store: &FileStore,
    id: &DocumentId,
    doc: &mut automerge::AutoCommit,
) -> std::io::Result<()> {
    let mut hasher = Sha256::new();
    for head in doc.get_heads() {
        hasher.update(head.as_ref());
    }
    let name: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let key = StorageKey::from_parts([id.to_string(), "snapshot".into(), name]).expect("valid key parts");
    store.put_sync(&key, &doc.save())
}

/// Whether the store holds anything for a document.
pub fn has_document(store: &FileStore, id: &DocumentId) -> bool {
    let prefix = StorageKey::from_parts([id.to_string()]).expect("valid key parts");
    !store.load_range_sync(&prefix).is_empty()
}

/// Writes the demo villages and the district document where the store has none of them yet.
/// Returns every demo document, whether written now or before.
pub fn seed_demo(store: &FileStore) -> std::io::Result<Vec<SeededDoc>> {
    let mut out = Vec::new();
    for village in &demo::VILLAGES {
        let code: VillageCode = village.code.parse().expect("demo codes are well formed");
        let id = DocumentId::for_village(&code);
        if !has_document(store, &id) {
            let mut doc = demo::village_doc(village, DEMO_HOUSEHOLDS);
            put_snapshot(store, &id, doc.automerge())?;
            tracing::info!(village = village.name, "demo village written");
        }
        out.push(seeded(village, id));
    }
    let district: DistrictCode = "35.07".parse().expect("valid code");
    let id = DocumentId::for_district(&district);
    if !has_document(store, &id) {
        put_snapshot(store, &id, DistrictDoc::genesis(&district).automerge())?;
    }
    out.push(SeededDoc {
        label: "Disnaker Kabupaten Malang".into(),
        code: district.to_string(),
        doc_id: id,
        code_confirmed: true,
    });
    Ok(out)
}

fn seeded(v: &DemoVillage, doc_id: DocumentId) -> SeededDoc {
    SeededDoc {
        label: format!("Desa {} (Kec. {})", v.name, v.kecamatan),
        code: v.code.into(),
        doc_id,
        code_confirmed: v.code_confirmed,
    }
}
