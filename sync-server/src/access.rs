//! Who may read or write which document. This is the one place access is decided; the sync
//! layer asks it through samod's `SharePolicy` for every (document, peer) pair, and the login
//! API uses it to tell a device which documents it has.
//!
//! A connection's peer id is `username/device/session`; the WebSocket upgrade checks the token
//! and binds the connection to that peer id (samod closes a connection whose handshake claims
//! another), so the username part can be trusted here.

use desmigratif_model::{DistrictCode, DocumentId, VillageCode};
use samod::{ShareAccess, ShareConfig};
use serde::Serialize;

use crate::accounts::{Account, AccountDb, Role};

/// A document an account may sync, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub doc_id: DocumentId,
    /// `village` or `district`.
    pub kind: &'static str,
    pub code: String,
    pub name: String,
    /// `read_write` or `read_only`.
    pub access: &'static str,
}

/// The documents an account may sync. Only registered villages and their districts have
/// documents at all: a peer cannot make the relay store a document nobody registered.
pub fn grants(db: &AccountDb, account: &Account) -> Vec<Grant> {
    let villages = db.villages().unwrap_or_default();
    let district_grant = |code: &DistrictCode, access| Grant {
        doc_id: DocumentId::for_district(code),
        kind: "district",
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
                    kind: "village",
                    code: code.to_string(),
                    name,
                    access: "read_write",
                },
                district_grant(&code.district(), "read_only"),
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
                    kind: "village",
                    code: v.code.to_string(),
                    name: v.name,
                    access: "read_write",
                })
                .collect();
            out.push(district_grant(&district, "read_write"));
            out
        }
        _ => Vec::new(),
    }
}

/// The username a peer id belongs to (`username/device/session`).
pub fn username_of(peer_id: &str) -> &str {
    peer_id.split('/').next().unwrap_or("")
}

/// The sharing decision for one document and peer.
pub fn decide(db: &AccountDb, doc_id: &str, peer_id: &str) -> ShareConfig {
    let Ok(Some(account)) = db.get(username_of(peer_id)) else {
        return ShareConfig::none();
    };
    let Some(grant) = grants(db, &account)
        .into_iter()
        .find(|g| g.doc_id.to_string() == doc_id)
    else {
        return ShareConfig::none();
    };
    let access = if grant.access == "read_write" {
        ShareAccess::ReadWrite
    } else {
        ShareAccess::ReadOnly
    };
    // Clients ask for their documents; the relay does not push documents nobody asked for.
    ShareConfig {
        access,
        announce: false,
    }
}

/// The policy samod consults.
pub fn share_policy(db: AccountDb) -> impl samod::SharePolicy {
    move |doc_id: samod::DocumentId, peer_id: samod::PeerId| {
        let decision = decide(&db, &doc_id.to_string(), peer_id.as_str());
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

        assert_eq!(
            decide(&db, &v(&arjo), &peer("desa-arjo")).access,
            ShareAccess::ReadWrite
        );
        assert_eq!(decide(&db, &d, &peer("desa-arjo")).access, ShareAccess::ReadOnly);
        assert_eq!(
            decide(&db, &v(&brong), &peer("desa-arjo")).access,
            ShareAccess::None
        );
        assert_eq!(
            decide(&db, &v(&brong), &peer("disnaker")).access,
            ShareAccess::ReadWrite
        );
        assert_eq!(
            decide(&db, &v(&arjo), &peer("disnaker")).access,
            ShareAccess::ReadWrite
        );
        assert_eq!(decide(&db, &d, &peer("disnaker")).access, ShareAccess::ReadWrite);
        assert_eq!(
            decide(&db, &v(&other), &peer("disnaker")).access,
            ShareAccess::None,
            "another district"
        );
        assert_eq!(decide(&db, &v(&arjo), &peer("bank")).access, ShareAccess::None);
        assert_eq!(decide(&db, &v(&arjo), &peer("nobody")).access, ShareAccess::None);
        assert_eq!(
            decide(&db, "garbage", &peer("disnaker")).access,
            ShareAccess::None
        );
    }
}
