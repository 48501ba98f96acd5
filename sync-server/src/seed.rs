//! Demo data: on first start, the four Kabupaten Malang villages and their district document
//! are written into an empty store.

use desmigratif_model::demo::{self, DemoVillage};
use desmigratif_model::{DistrictCode, DocumentId, VillageCode};
use samod::storage::StorageKey;
use sha2::{Digest, Sha256};

use crate::accounts::{AccountDb, AccountError, Role};
use crate::store::FileStore;

/// Households generated per demo village, unless configured otherwise.
pub const DEMO_HOUSEHOLDS: usize = 60;

/// A document the store holds, for the start-up banner.
#[derive(Debug, Clone)]
pub struct SeededDoc {
    pub label: String,
    pub code: String,
    pub doc_id: DocumentId,
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

/// Hamlet names for the demo villages beyond the four (their real hamlets are not in the list).
const EXTRA_DUSUN: &[&str] = &["Krajan", "Sumber", "Tegal", "Karangrejo"];

/// The demo villages: the four Desmigratif villages first, then, for a larger district (the
/// benchmark's twenty), other villages of Kabupaten Malang from the official list.
pub fn demo_villages(count: usize) -> Vec<DemoVillage> {
    let mut out: Vec<DemoVillage> = demo::VILLAGES.iter().take(count).copied().collect();
    let district: DistrictCode = "35.07".parse().expect("valid code");
    for (code, name) in crate::regions::villages_of(&district) {
        if out.len() >= count {
            break;
        }
        if out.iter().any(|v| v.code == code) {
            continue;
        }
        let kecamatan = code
            .parse::<VillageCode>()
            .ok()
            .and_then(|c| crate::regions::name(c.kecamatan()))
            .unwrap_or("?");
        out.push(DemoVillage {
            name,
            kecamatan,
            code,
            dusun: EXTRA_DUSUN,
        });
    }
    out
}

/// Writes the four demo villages and the district document where the store has none of them
/// yet. Returns every demo document, whether written now or before.
pub fn seed_demo(store: &FileStore, households: usize) -> std::io::Result<Vec<SeededDoc>> {
    seed_demo_villages(store, households, &demo::VILLAGES)
}

/// [`seed_demo`] for the given villages.
pub fn seed_demo_villages(
    store: &FileStore,
    households: usize,
    villages: &[DemoVillage],
) -> std::io::Result<Vec<SeededDoc>> {
    let mut out = Vec::new();
    for village in villages {
        let code: VillageCode = village.code.parse().expect("demo codes are well formed");
        let id = DocumentId::for_village(&code);
        if !has_document(store, &id) {
            let mut doc = demo::village_doc(village, households);
            put_snapshot(store, &id, doc.automerge())?;
            tracing::info!(village = village.name, "demo village written");
        }
        out.push(seeded(village, id));
    }
    let district: DistrictCode = "35.07".parse().expect("valid code");
    let id = DocumentId::for_district(&district);
    if !has_document(store, &id) {
        put_snapshot(store, &id, demo::district_doc(&district).automerge())?;
    }
    out.push(SeededDoc {
        label: "Disnaker Kabupaten Malang".into(),
        code: district.to_string(),
        doc_id: id,
    });
    Ok(out)
}

fn seeded(v: &DemoVillage, doc_id: DocumentId) -> SeededDoc {
    SeededDoc {
        label: format!("Desa {} (Kec. {})", v.name, v.kecamatan),
        code: v.code.into(),
        doc_id,
    }
}

/// A demo account, printed at start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub scope: Option<String>,
    /// The demo password, if the account still has it.
    pub password: Option<String>,
}

/// The password of every demo account. Demo accounts are for trying the product on one's own
/// machine; the relay listens on 127.0.0.1 unless told otherwise.
pub const DEMO_PASSWORD: &str = "demo-desmigratif";

/// Registers the four demo villages and creates the demo accounts where missing.
pub fn seed_demo_accounts(db: &AccountDb) -> Result<Vec<DemoAccount>, AccountError> {
    seed_demo_accounts_for(db, &demo::VILLAGES)
}

/// [`seed_demo_accounts`] for the given villages: each is registered, the four Desmigratif
/// villages get their `desa-…` accounts.
pub fn seed_demo_accounts_for(
    db: &AccountDb,
    villages: &[DemoVillage],
) -> Result<Vec<DemoAccount>, AccountError> {
    let mut wanted: Vec<(String, Role, Option<String>)> = vec![
        ("admin".into(), Role::Admin, None),
        ("disnaker-malang".into(), Role::District, Some("35.07".into())),
        ("bank-bni".into(), Role::Partner, Some("35.07".into())),
    ];
    for v in villages {
        let code: VillageCode = v.code.parse().expect("demo codes are well formed");
        db.register_village(&code, v.name)?;
        if !demo::VILLAGES.iter().any(|d| d.code == v.code) {
            continue;
        }
        wanted.push((
            format!("desa-{}", v.name.to_lowercase()),
            Role::Village,
            Some(v.code.into()),
        ));
    }
    let mut out = Vec::new();
    for (username, role, scope) in wanted {
        if db.get(&username)?.is_none() {
            db.add(&username, role, scope.as_deref(), DEMO_PASSWORD)?;
        }
        let still_demo = db.login_check(&username, DEMO_PASSWORD)?;
        out.push(DemoAccount {
            username,
            role,
            scope,
            password: still_demo.then(|| DEMO_PASSWORD.to_owned()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_larger_demo_district_adds_official_villages_after_the_four() {
        let twenty = demo_villages(20);
        assert_eq!(twenty.len(), 20);
        let four: Vec<&str> = demo::VILLAGES.iter().map(|v| v.code).collect();
        assert_eq!(twenty[..4].iter().map(|v| v.code).collect::<Vec<_>>(), four);
        let codes: std::collections::BTreeSet<&str> = twenty.iter().map(|v| v.code).collect();
        assert_eq!(codes.len(), 20, "no village twice");
        for v in &twenty {
            assert_eq!(crate::regions::name(v.code), Some(v.name), "an official village");
            assert!(v.code.starts_with("35.07."));
        }
        assert_eq!(demo_villages(2).len(), 2);
    }
}
