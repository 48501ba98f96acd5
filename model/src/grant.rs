//! What the relay's login reply says about an account and each document it syncs. The relay
//! decides it (`sync-server/src/accounts/`, `access.rs`) and the app reads it
//! (`app/src/session.rs`); one definition keeps the two from disagreeing on a spelling. On the
//! wire and in a device's stored session they are the strings `village`/`district`/`partner`/
//! `admin` and `read_write`/`read_only`.

use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A village field worker: their own village's document, and their district's to read.
    Village,
    /// A district office (Disnaker): every village of the district, and the district document.
    District,
    /// A partner (bank, association): its district's aggregate figures only, no documents.
    Partner,
    /// Manages accounts; no documents.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Village, Role::District, Role::Partner, Role::Admin];

    /// The role's name on the wire, in the account database and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Village => "village",
            Role::District => "district",
            Role::Partner => "partner",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the account keeps and syncs documents (village and district accounts).
    pub fn has_documents(self) -> bool {
        matches!(self, Role::Village | Role::District)
    }
}

/// What a document holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// One village's records.
    Village,
    /// A district's reference data (agencies, job orders, announcements).
    District,
}

/// What an account may do with a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

impl Access {
    pub fn can_write(self) -> bool {
        self == Access::ReadWrite
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: impl Serialize) -> String {
        serde_json::to_string(&v).unwrap()
    }

    #[test]
    fn spelled_as_the_relay_always_sent_them() {
        assert_eq!(json(DocKind::Village), "\"village\"");
        assert_eq!(json(DocKind::District), "\"district\"");
        assert_eq!(json(Access::ReadWrite), "\"read_write\"");
        assert_eq!(json(Access::ReadOnly), "\"read_only\"");
        // A session stored by an earlier version still reads.
        let kind: DocKind = serde_json::from_str("\"district\"").unwrap();
        assert_eq!(kind, DocKind::District);
        assert!(
            serde_json::from_str::<Access>("\"read_write\"")
                .unwrap()
                .can_write()
        );
        assert!(!Access::ReadOnly.can_write());
        for role in Role::ALL {
            assert_eq!(json(role), format!("\"{}\"", role.as_str()));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(json(Role::District), "\"district\"");
        assert_eq!(Role::parse("District"), None);
    }
}
