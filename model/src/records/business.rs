//! Pillar 2: a productive business run by a returnee or a migrant's family.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, field, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum BusinessSector {
    Farming,
    Livestock,
    Food,
    Trade,
    Crafts,
    Services,
    Other,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum CapitalSource {
    BankCredit,
    Remittance,
    OwnFunds,
    Grant,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum RevenueBand {
    UpTo1M,
    UpTo5M,
    UpTo10M,
    Above10M,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum BusinessStatus {
    Planned,
    Running,
    Stopped,
}

record! {
    /// A business (usaha produktif).
    pub struct Business in Collection::Businesses {
        pub id: RecordId,
        /// Its owner, a person of the village.
        pub owner: RecordId,
        /// What it makes or sells ("keripik tempe", "toko kelontong").
        pub kind: String,
        pub sector: BusinessSector,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub started: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub capital_source: Option<CapitalSource>,
        /// Whole rupiah, when the capital is a bank loan (KUR).
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub credit_amount: Option<i64>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub revenue: Option<RevenueBand>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub workers: Option<i64>,
        pub status: BusinessStatus,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Business {
    pub fn new(id: RecordId, owner: RecordId, kind: impl Into<String>, sector: BusinessSector) -> Self {
        Self {
            id,
            owner,
            kind: kind.into(),
            sector,
            started: None,
            capital_source: None,
            credit_amount: None,
            revenue: None,
            workers: None,
            status: BusinessStatus::Running,
            deleted: false,
        }
    }
}

pub const BUSINESS_SECTOR: &[Choice] = &[
    choice("Farming", "Pertanian"),
    choice("Livestock", "Peternakan/perikanan"),
    choice("Food", "Makanan/minuman"),
    choice("Trade", "Perdagangan/toko"),
    choice("Crafts", "Kerajinan"),
    choice("Services", "Jasa"),
    choice("Other", "Lainnya"),
];

pub const CAPITAL_SOURCE: &[Choice] = &[
    choice("BankCredit", "Kredit bank (KUR)"),
    choice("Remittance", "Tabungan dari luar negeri"),
    choice("OwnFunds", "Modal sendiri"),
    choice("Grant", "Bantuan/hibah"),
];

pub const REVENUE_BAND: &[Choice] = &[
    choice("UpTo1M", "≤ Rp 1 juta/bulan"),
    choice("UpTo5M", "Rp 1–5 juta/bulan"),
    choice("UpTo10M", "Rp 5–10 juta/bulan"),
    choice("Above10M", "> Rp 10 juta/bulan"),
];

pub const BUSINESS_STATUS: &[Choice] = &[
    choice("Planned", "Rencana"),
    choice("Running", "Berjalan"),
    choice("Stopped", "Berhenti"),
];

impl Described for Business {
    const NAME: Text = Text::new("usaha");
    const SPEC: &'static [FieldSpec] = &[
        required(field("kind", "Jenis usaha", FieldKind::Text)),
        required(field("sector", "Sektor", FieldKind::Choice(BUSINESS_SECTOR))),
        required(field("status", "Status", FieldKind::Choice(BUSINESS_STATUS))),
        field("started", "Mulai usaha", FieldKind::Date),
        field(
            "capital_source",
            "Sumber modal",
            FieldKind::Choice(CAPITAL_SOURCE),
        ),
        field("credit_amount", "Jumlah kredit", FieldKind::Money),
        field("revenue", "Omzet", FieldKind::Choice(REVENUE_BAND)),
        field("workers", "Tenaga kerja", FieldKind::Number),
    ];
}

impl Validate for Business {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.credit_amount.is_some_and(|a| a <= 0) {
            out.push(Issue::error(
                "credit_amount",
                IssueKind::OutOfRange {
                    min: 1,
                    max: i64::MAX,
                },
            ));
        }
        if self.credit_amount.is_some() && self.capital_source != Some(CapitalSource::BankCredit) {
            out.push(Issue::warning("credit_amount", IssueKind::CreditWithoutBank));
        }
        if self.workers.is_some_and(|w| !(0..=1000).contains(&w)) {
            out.push(Issue::error(
                "workers",
                IssueKind::OutOfRange { min: 0, max: 1000 },
            ));
        }
        out
    }
    fn validate_on(&self, today: Date) -> Vec<Issue> {
        self.started
            .map(|d| crate::validate::not_after(today, "started", d))
            .unwrap_or_default()
    }
}
