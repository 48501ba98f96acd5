//! Who may read or write which document. This is the one place access is decided; the sync
//! layer asks it through samod's `SharePolicy` for every (document, peer) pair, and the login
//! API uses it to tell a device which documents it has.
//!
//! A connection's peer id is `username/device/session`; the WebSocket upgrade checks the token
//! and binds the connection to that peer id (samod closes a connection whose handshake claims
//! another), so the username part can be trusted here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use desmigratif_model::{Access, DistrictCode, DocKind, DocumentId, VillageCode};
use samod::{ShareAccess, ShareConfig};
use serde::Serialize;

use crate::accounts::{Account, AccountDb, Role};

/// A document an account may sync, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub doc_id: DocumentId,
    pub kind: DocKind,
    pub code: String,
    pub name: String,
    pub access: Access,
}

/// The documents an account may sync. Only registered villages and their districts have
/// documents at all: a peer cannot make the relay store a document nobody registered.
pub fn grants(db: &AccountDb, account: &Account) -> Vec<Grant> {
    let villages = db.villages().unwrap_or_default();
    let district_grant = |code: &DistrictCode, access| Grant {
        doc_id: DocumentId::for_district(code),
        kind: DocKind::District,
        code: code.to_string(),
        name: crate::regions::name(code.as_str()).map_or_else(|| format!("Kabupaten {code}"), str::to_owned),
        access,
    };
    match (account.role, account.scope.as_deref()) {
        (Role::Village, Some(scope)) => {
            let Ok(code) = scope.parse::<VillageCode>() else {
                return Vec::new();
            };
            let name = villages
                .iter()
                .find(|v| v.code == code)
                .map_or_else(|| code.to_string(), |v| v.name.clone());
            vec![
                Grant {
                    doc_id: DocumentId::for_village(&code),
                    kind: DocKind::Village,
                    code: code.to_string(),
                    name,
                    access: Access::ReadWrite,
                },
                district_grant(&code.district(), Access::ReadOnly),
            ]
        }
        (Role::District, Some(scope)) => {
            let Ok(district) = scope.parse::<DistrictCode>() else {
                return Vec::new();
            };
            let mut out: Vec<Grant> = villages
                .into_iter()
                .filter(|v| v.code.district() == district)
                .map(|v| Grant {
                    doc_id: v.doc_id,
                    kind: DocKind::Village,
                    code: v.code.to_string(),
                    name: v.name,
                    access: Access::ReadWrite,
                })
                .collect();
            out.push(district_grant(&district, Access::ReadWrite));
            out
        }
        _ => Vec::new(),
    }
}

/// The username a peer id belongs to (`username/device/session`).
pub fn username_of(peer_id: &str) -> &str {
    peer_id.split('/').next().unwrap_or("")
}

/// What one account may do with each of its documents, by document id.
type AccountAccess = HashMap<String, ShareAccess>;

fn account_access(db: &AccountDb, username: &str) -> AccountAccess {
    let Ok(Some(account)) = db.get(username) else {
        return AccountAccess::new();
    };
    grants(db, &account)
        .into_iter()
        .map(|g| {
            let access = match g.access {
                Access::ReadWrite => ShareAccess::ReadWrite,
                Access::ReadOnly => ShareAccess::ReadOnly,
            };
            (g.doc_id.to_string(), access)
        })
        .collect()
}

/// The sharing decisions of every account, read from the database once and kept until
/// [`AccountDb::grants_version`] moves. samod asks for a decision for every pair of a
/// connection and a document it holds, so without it each connection or document added cost a
/// database query per pair (see BENCHMARKS.md, the relay under load).
#[derive(Clone, Debug, Default)]
pub struct Decisions(Arc<Mutex<Cached>>);

#[derive(Debug, Default)]
struct Cached {
    version: u64,
    accounts: HashMap<String, Arc<AccountAccess>>,
}

impl Decisions {
    /// The sharing decision for one document and peer.
    pub fn decide(&self, db: &AccountDb, doc_id: &str, peer_id: &str) -> ShareConfig {
        let username = username_of(peer_id);
        // Read the version before the database: a change made while reading moves it past
        // what is stored, so the next decision reads again.
        let version = db.grants_version();
        let known = {
            let mut cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if cached.version != version {
                cached.accounts.clear();
                cached.version = version;
            }
            cached.accounts.get(username).cloned()
        };
        let access = match known {
            Some(access) => access,
            None => {
                let access = Arc::new(account_access(db, username));
                let mut cached = self.0.lock().unwrap_or_else(|p| p.into_inner());
                if cached.version == version {
                    cached.accounts.insert(username.to_owned(), access.clone());
                }
                access
            }
        };
        match access.get(doc_id) {
            // Clients ask for their documents; the relay does not push documents nobody
            // asked for.
            Some(&access) => ShareConfig {
                access,
                announce: false,
            },
            None => ShareConfig::none(),
        }
    }
}

/// The policy samod consults; every shard of the sync layer shares one set of decisions.
pub fn share_policy(db: AccountDb, decisions: Decisions) -> impl samod::SharePolicy {
    move |doc_id: samod::DocumentId, peer_id: samod::PeerId| {
        let decision = decisions.decide(&db, &doc_id.to_string(), peer_id.as_str());
        if decision.access == ShareAccess::None {
            tracing::debug!(peer = username_of(peer_id.as_str()), "document access denied");
        }
        futures::stream::once(futures::future::ready(decision))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn each_role_gets_exactly_its_documents() {
        let db = AccountDb::open(Path::new(":memory:")).unwrap();
        let arjo: VillageCode = "35.07.11.2008".parse().unwrap();
        let brong: VillageCode = "35.07.33.2006".parse().unwrap();
        let other: VillageCode = "35.08.01.2001".parse().unwrap();
        db.register_village(&brong, "Brongkal").unwrap();
        db.register_village(&other, "Elsewhere").unwrap();
        db.add("desa-arjo", Role::Village, Some(arjo.as_str()), "rahasia-123")
            .unwrap();
        db.add("disnaker", Role::District, Some("35.07"), "rahasia-123")
            .unwrap();
        db.add("bank", Role::Partner, Some("35.07"), "rahasia-123")
            .unwrap();
        let v = |c: &VillageCode| DocumentId::for_village(c).to_string();
        let d = DocumentId::for_district(&"35.07".parse().unwrap()).to_string();
        let peer = |u: &str| format!("{u}/device/1");
        let decisions = Decisions::default();
        let decide = |doc: &str, peer: &str| decisions.decide(&db, doc, peer);

        assert_eq!(
            decide(&v(&arjo), &peer("desa-arjo")).access,
            ShareAccess::ReadWrite
        );
        assert_eq!(decide(&d, &peer("desa-arjo")).access, ShareAccess::ReadOnly);
        assert_eq!(decide(&v(&brong), &peer("desa-arjo")).access, ShareAccess::None);
        assert_eq!(
            decide(&v(&brong), &peer("disnaker")).access,
            ShareAccess::ReadWrite
        );
        assert_eq!(
            decide(&v(&arjo), &peer("disnaker")).access,
            ShareAccess::ReadWrite
        );
        assert_eq!(decide(&d, &peer("disnaker")).access, ShareAccess::ReadWrite);
        assert_eq!(
            decide(&v(&other), &peer("disnaker")).access,
            ShareAccess::None,
            "another district"
        );
        assert_eq!(decide(&v(&arjo), &peer("bank")).access, ShareAccess::None);
        assert_eq!(decide(&v(&arjo), &peer("nobody")).access, ShareAccess::None);
        assert_eq!(decide("garbage", &peer("disnaker")).access, ShareAccess::None);
    }

    #[test]
    fn remembered_decisions_follow_new_villages_and_accounts() {
        let db = AccountDb::open(Path::new(":memory:")).unwrap();
        db.add("disnaker", Role::District, Some("35.07"), "rahasia-123")
            .unwrap();
        let decisions = Decisions::default();
        let new: VillageCode = "35.07.33.2006".parse().unwrap();
        let doc = DocumentId::for_village(&new).to_string();
        let decide = |peer: &str| decisions.decide(&db, &doc, peer).access;
        assert_eq!(decide("disnaker/pc/1"), ShareAccess::None, "not registered yet");
        assert_eq!(decide("desa-baru/hp/1"), ShareAccess::None, "no such account yet");
        db.add("desa-baru", Role::Village, Some(new.as_str()), "rahasia-123")
            .unwrap();
        assert_eq!(
            decide("disnaker/pc/1"),
            ShareAccess::ReadWrite,
            "registered with its account"
        );
        assert_eq!(decide("desa-baru/hp/1"), ShareAccess::ReadWrite);
    }
}
