//! A job order (lowongan): positions abroad an agency is recruiting for, published by the
//! district so villages can tell a real offer from a broker's.

use crate::date::Date;
use crate::fields::{Described, FieldKind, FieldSpec, Text, field, field_in, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared};

record! {
    /// Positions abroad that a licensed agency recruits for.
    pub struct JobOrder in Collection::JobOrders {
        pub id: RecordId,
        /// The job (pekerja rumah tangga, perawat lansia, operator pabrik…).
        pub position: String,
        pub country: String,
        /// The country's ISO 3166-1 alpha-2 code, set from its name when the list knows it.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub country_code: Option<String>,
        /// The recruiting agency, by name.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub agency: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub openings: Option<i64>,
        pub published: Date,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub closes: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub note: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl JobOrder {
    pub fn new(
        id: RecordId,
        position: impl Into<String>,
        country: impl Into<String>,
        published: Date,
    ) -> Self {
        Self {
            id,
            position: position.into(),
            country: country.into(),
            country_code: None,
            agency: None,
            openings: None,
            published,
            closes: None,
            note: None,
            deleted: false,
        }
    }

    /// Still open on `day`.
    pub fn open_on(&self, day: Date) -> bool {
        self.closes.is_none_or(|c| day <= c)
    }
}

impl Described for JobOrder {
    const NAME: Text = Text::new("lowongan");
    const SPEC: &'static [FieldSpec] = &[
        required(field("position", "Jabatan", FieldKind::Text)),
        required(field("country", "Negara", FieldKind::Text)),
        field_in("Agency", "agency", "P3MI", FieldKind::Text),
        field("openings", "Jumlah lowongan", FieldKind::Number),
        required(field("published", "Diumumkan", FieldKind::Date)),
        field_in("Closes", "closes", "Ditutup", FieldKind::Date),
        field("note", "Keterangan", FieldKind::LongText),
    ];
}

impl Validate for JobOrder {
    /// One spelling per country and its ISO code ([`crate::countries`]).
    fn normalise(&mut self) {
        self.country = crate::countries::canonical_country(&self.country);
        self.country_code = crate::countries::country_code(&self.country);
    }

    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.openings.is_some_and(|n| !(1..=100_000).contains(&n)) {
            out.push(Issue::error(
                "openings",
                IssueKind::OutOfRange { min: 1, max: 100_000 },
            ));
        }
        if self.closes.is_some_and(|c| c < self.published) {
            out.push(Issue::error("closes", IssueKind::BeforeDate));
        }
        out
    }
}
