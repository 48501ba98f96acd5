//! What the relay's login reply says about each document an account syncs. The relay decides
//! it (`sync-server/src/access.rs`) and the app reads it (`app/src/session.rs`); one definition
//! keeps the two from disagreeing on a spelling. On the wire and in a device's stored session
//! they are the strings `village`/`district` and `read_write`/`read_only`.

use serde::{Deserialize, Serialize};

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
    }
}
