//! Identifiers: village and district codes, record ids, and the automerge-repo document ids
//! derived from the codes.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::ModelError;

/// A village code `PP.RR.DD.VVVV` (province, regency, district, village), e.g. `35.07.11.2008`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VillageCode(String);

/// A regency (kabupaten/kota) code `PP.RR`, e.g. `35.07` for Kabupaten Malang. The district
/// office (Disnaker) of a regency publishes one district document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DistrictCode(String);

fn is_code(s: &str, groups: &[usize]) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == groups.len()
        && parts
            .iter()
            .zip(groups)
            .all(|(p, n)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
}

impl VillageCode {
    /// The regency this village belongs to (`35.07.11.2008` → `35.07`).
    pub fn district(&self) -> DistrictCode {
        DistrictCode(self.0[..5].to_owned())
    }
    /// The kecamatan (sub-district) part, `35.07.11`.
    pub fn kecamatan(&self) -> &str {
        &self.0[..8]
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl DistrictCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for VillageCode {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_code(s, &[2, 2, 2, 4]) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ModelError::InvalidCode(s.to_owned()))
        }
    }
}

impl FromStr for DistrictCode {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_code(s, &[2, 2]) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ModelError::InvalidCode(s.to_owned()))
        }
    }
}

macro_rules! string_newtype_conversions {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = ModelError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl From<$t> for String {
            fn from(c: $t) -> String {
                c.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_newtype_conversions!(VillageCode);
string_newtype_conversions!(DistrictCode);

/// An automerge-repo document id: 16 bytes, shown as bs58check text.
///
/// Ids are derived from the village or district code, so every device computes the same id
/// for the same village without asking anyone. The bytes carry UUID version-4 and variant bits
/// because automerge-repo accepts only ids that look like UUIDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

impl DocumentId {
    fn derive(namespace: &str, code: &str) -> Self {
        let digest = Sha256::digest(format!("desmigratif/{namespace}/{code}").as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Self(bytes)
    }

    /// The id of a village's document.
    pub fn for_village(code: &VillageCode) -> Self {
        Self::derive("village", code.as_str())
    }

    /// The id of a district's reference-data document.
    pub fn for_district(code: &DistrictCode) -> Self {
        Self::derive("district", code.as_str())
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:` URL a stock automerge-repo client opens.
    pub fn to_url(&self) -> String {
        format!("automerge:{self}")
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl FromStr for DocumentId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|_| ModelError::InvalidDocumentId(s.to_owned()))?;
        let bytes: [u8; 16] = bytes
            .try_into()
            .map_err(|_| ModelError::InvalidDocumentId(s.to_owned()))?;
        Ok(Self(bytes))
    }
}

impl serde::Serialize for DocumentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DocumentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The id of a record (person, episode) inside a village document: 16 random bytes as hex,
/// generated on the device that creates the record, so offline devices never collide.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct RecordId(String);

impl RecordId {
    /// A fresh random id.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).expect("the platform has a random source");
        Self::from_bytes(bytes)
    }

    /// An id from given bytes (demo data and tests use this to stay deterministic).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RecordId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(ModelError::InvalidRecordId(s.to_owned()))
        }
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl autosurgeon::Reconcile for RecordId {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(&self.0)
    }
}

impl autosurgeon::Hydrate for RecordId {
    fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
        s.parse()
            .map_err(|_| autosurgeon::HydrateError::unexpected("a record id", s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_codes_parse_and_know_their_district() {
        let code: VillageCode = "35.07.11.2008".parse().unwrap();
        assert_eq!(code.district().as_str(), "35.07");
        assert_eq!(code.kecamatan(), "35.07.11");
        assert!("35.07.11.208".parse::<VillageCode>().is_err());
        assert!("35-07-11-2008".parse::<VillageCode>().is_err());
        assert!("35.07".parse::<DistrictCode>().is_ok());
    }

    #[test]
    fn document_ids_are_deterministic_distinct_and_round_trip() {
        let a: VillageCode = "35.07.11.2008".parse().unwrap();
        let b: VillageCode = "35.07.11.2007".parse().unwrap();
        let id = DocumentId::for_village(&a);
        assert_eq!(id, DocumentId::for_village(&a));
        assert_ne!(id, DocumentId::for_village(&b));
        assert_ne!(id, DocumentId::for_district(&a.district()));
        let text = id.to_string();
        assert_eq!(text.parse::<DocumentId>().unwrap(), id);
        assert_eq!(id.to_url().parse::<DocumentId>().unwrap(), id);
        // UUID version 4 and RFC 4122 variant, as automerge-repo requires.
        assert_eq!(id.as_bytes()[6] >> 4, 4);
        assert_eq!(id.as_bytes()[8] >> 6, 0b10);
    }

    #[test]
    fn corrupt_document_ids_are_refused() {
        let id = DocumentId::for_village(&"35.07.11.2008".parse().unwrap()).to_string();
        let mut corrupt = id.clone().into_bytes();
        corrupt[3] = if corrupt[3] == b'2' { b'3' } else { b'2' };
        assert!(String::from_utf8(corrupt).unwrap().parse::<DocumentId>().is_err());
        assert!("".parse::<DocumentId>().is_err());
    }
}
