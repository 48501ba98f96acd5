//! What a person decided about two records the duplicates screen paired: two different people.
//! (The other answers change the persons themselves: "the same person" removes one record,
//! "moved" marks the old one; see [`crate::Person::moved_to`].)

use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::fields::{Described, FieldKind, FieldSpec, Text, field};
use crate::ids::{RecordId, VillageCode};
use crate::record::{Collection, record};
use crate::validate::{Issue, Validate, check_declared};

record! {
    /// Two person records someone looked at side by side and found to be two people: the
    /// duplicates screen does not ask about them again. Its id follows from the pair, so two
    /// officers deciding the same pair offline write one record, not two.
    pub struct DistinctPersons in Collection::Distinct {
        pub id: RecordId,
        /// One of the two, as [`DistinctPersons::key`]; `a` sorts before `b`.
        pub a: String,
        pub b: String,
        pub decided_on: Date,
        /// The account that decided.
        pub decided_by: String,
        /// Withdrawn: the pair is shown again.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl DistinctPersons {
    /// The decision that `x` and `y` (each as [`DistinctPersons::key`]) are two people.
    pub fn new(x: String, y: String, decided_on: Date, decided_by: impl Into<String>) -> Self {
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        Self {
            id: Self::id_of(&a, &b),
            a,
            b,
            decided_on,
            decided_by: decided_by.into(),
            deleted: false,
        }
    }

    /// A person record wherever it lives: its village's code and its id. A document without a
    /// code (another client's) gives an empty code.
    pub fn key(village: Option<&VillageCode>, id: &RecordId) -> String {
        format!("{}/{id}", village.map_or("", VillageCode::as_str))
    }

    /// The record id of the decision about the pair (`a` sorted before `b`).
    fn id_of(a: &str, b: &str) -> RecordId {
        let digest = Sha256::digest(format!("desmigratif/distinct/{a}|{b}").as_bytes());
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest[..16]);
        RecordId::from_bytes(bytes)
    }
}

impl Described for DistinctPersons {
    const NAME: Text = Text::new("keputusan bukan duplikat");
    const SPEC: &'static [FieldSpec] = &[field("decided_on", "Tanggal keputusan", FieldKind::Date)];
}

impl Validate for DistinctPersons {
    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
}
