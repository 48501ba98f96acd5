//! What the district tells villages about a destination country (a moratorium, a warning).

use crate::fields::{Described, FieldKind, FieldSpec, Text, field, field_in, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, Validate, check_declared};

record! {
    /// A destination country with the district's note on it.
    pub struct CountryNote in Collection::Countries {
        pub id: RecordId,
        pub country: String,
        /// The country's ISO 3166-1 alpha-2 code, set from its name when the list knows it.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub country_code: Option<String>,
        /// Placement there is stopped (wholly or for some jobs): the note says which.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub moratorium: bool,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub note: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl CountryNote {
    pub fn new(id: RecordId, country: impl Into<String>) -> Self {
        Self {
            id,
            country: country.into(),
            country_code: None,
            moratorium: false,
            note: None,
            deleted: false,
        }
    }
}

impl Described for CountryNote {
    const NAME: Text = Text::new("negara tujuan");
    const SPEC: &'static [FieldSpec] = &[
        required(field("country", "Negara", FieldKind::Text)),
        field(
            "moratorium",
            "Moratorium (penempatan dihentikan)",
            FieldKind::Flag,
        ),
        field_in("Note", "note", "Catatan", FieldKind::LongText),
    ];
}

impl Validate for CountryNote {
    /// One spelling per country and its ISO code ([`crate::countries`]).
    fn normalise(&mut self) {
        self.country = crate::countries::canonical_country(&self.country);
        self.country_code = crate::countries::country_code(&self.country);
    }

    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
}
