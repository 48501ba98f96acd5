//! The district document: reference data a district office (Disnaker) publishes to every
//! village of its regency: licensed agencies, job orders, announcements. Its records come in
//! later work; the document and its root maps exist from genesis so every device shares them.

use automerge::AutoCommit;

use crate::ModelError;
use crate::doc::{genesis, load_kind, meta_str};
use crate::ids::DistrictCode;

/// The root maps of a district document.
pub const DISTRICT_COLLECTIONS: [&str; 3] = ["agencies", "job_orders", "announcements"];

#[derive(Debug, Clone)]
pub struct DistrictDoc {
    doc: AutoCommit,
}

impl DistrictDoc {
    /// A new, empty district document: the deterministic genesis change only.
    pub fn genesis(code: &DistrictCode) -> Self {
        Self {
            doc: genesis("district", code.as_str(), &DISTRICT_COLLECTIONS),
        }
    }

    pub fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        Ok(Self {
            doc: load_kind(bytes, "district")?,
        })
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    pub fn code(&self) -> Option<DistrictCode> {
        meta_str(&self.doc, "code")?.parse().ok()
    }

    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VillageDoc;

    #[test]
    fn genesis_is_identical_on_every_device_and_kinds_are_checked() {
        let code: DistrictCode = "35.07".parse().unwrap();
        let mut a = DistrictDoc::genesis(&code);
        let mut b = DistrictDoc::genesis(&code);
        assert_eq!(a.automerge().get_heads(), b.automerge().get_heads());
        let bytes = a.save();
        assert_eq!(DistrictDoc::load(&bytes).unwrap().code(), Some(code));
        assert!(matches!(
            VillageDoc::load(&bytes),
            Err(ModelError::WrongKind { .. })
        ));
        assert!(matches!(
            DistrictDoc::load(b"not automerge"),
            Err(ModelError::Load(_))
        ));
    }
}
