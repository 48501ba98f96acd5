//! An announcement from the district office to its villages.

use crate::date::Date;
use crate::fields::{Described, FieldKind, FieldSpec, Text, field, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared};

record! {
    /// A notice every village of the district reads (pengumuman).
    pub struct Announcement in Collection::Announcements {
        pub id: RecordId,
        pub title: String,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub body: Option<String>,
        pub date: Date,
        /// Shown until this day; kept (and listed as past) after.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub until: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Announcement {
    pub fn new(id: RecordId, title: impl Into<String>, date: Date) -> Self {
        Self {
            id,
            title: title.into(),
            body: None,
            date,
            until: None,
            deleted: false,
        }
    }

    /// Current on `day`: published and not yet past its end.
    pub fn current_on(&self, day: Date) -> bool {
        self.date <= day && self.until.is_none_or(|u| day <= u)
    }
}

impl Described for Announcement {
    const NAME: Text = Text::new("pengumuman");
    const SPEC: &'static [FieldSpec] = &[
        required(field("title", "Judul", FieldKind::Text)),
        field("body", "Isi", FieldKind::LongText),
        required(field("date", "Tanggal", FieldKind::Date)),
        field("until", "Berlaku sampai", FieldKind::Date),
    ];
}

impl Validate for Announcement {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.until.is_some_and(|u| u < self.date) {
            out.push(Issue::error("until", IssueKind::BeforeDate));
        }
        out
    }
}
