//! Pillar 4: cooperative and village-enterprise (BUMDes) members and their savings and loans.
//! Every payment is its own [`LedgerEntry`], so two officers recording payments offline both
//! keep theirs; balances are always derived from the entries, never stored. Amounts are whole
//! rupiah.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{
    Choice, Described, FieldKind, FieldSpec, Text, choice, choice_in, field, field_in, required,
};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, check_declared};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum MembershipStatus {
    Active,
    Left,
}

record! {
    /// A person's membership of a cooperative or BUMDes.
    pub struct Membership in Collection::Memberships {
        pub id: RecordId,
        pub member: RecordId,
        /// The cooperative ("Koperasi Posdaya Purna TKI Senang Hati").
        pub cooperative: String,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub joined: Option<Date>,
        pub status: MembershipStatus,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum LedgerKind {
    Deposit,
    Withdrawal,
    LoanDisbursed,
    Repayment,
}

record! {
    /// One dated payment of a membership.
    pub struct LedgerEntry in Collection::Ledger {
        pub id: RecordId,
        pub membership: RecordId,
        pub date: Date,
        pub kind: LedgerKind,
        /// Whole rupiah, more than zero.
        pub amount: i64,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub note: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl Membership {
    pub fn new(id: RecordId, member: RecordId, cooperative: impl Into<String>) -> Self {
        Self {
            id,
            member,
            cooperative: cooperative.into(),
            joined: None,
            status: MembershipStatus::Active,
            deleted: false,
        }
    }
}

impl LedgerEntry {
    pub fn new(id: RecordId, membership: RecordId, date: Date, kind: LedgerKind, amount: i64) -> Self {
        Self {
            id,
            membership,
            date,
            kind,
            amount,
            note: None,
            deleted: false,
        }
    }
}

/// Balances derived from live ledger entries, in whole rupiah.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balance {
    pub savings: i64,
    /// Loans disbursed and not yet repaid.
    pub loans: i64,
}

impl Balance {
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a LedgerEntry>) -> Self {
        let mut b = Balance::default();
        for e in entries.into_iter().filter(|e| !e.deleted) {
            match e.kind {
                LedgerKind::Deposit => b.savings = b.savings.saturating_add(e.amount),
                LedgerKind::Withdrawal => b.savings = b.savings.saturating_sub(e.amount),
                LedgerKind::LoanDisbursed => b.loans = b.loans.saturating_add(e.amount),
                LedgerKind::Repayment => b.loans = b.loans.saturating_sub(e.amount),
            }
        }
        b
    }
}

/// Rupiah as people write them: `Rp 1.500.000`.
pub fn rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{}Rp {out}", if amount < 0 { "-" } else { "" })
}

pub const MEMBERSHIP_STATUS: &[Choice] = &[choice("Active", "Aktif"), choice_in("Left", "Left", "Keluar")];

pub const LEDGER_KIND: &[Choice] = &[
    choice("Deposit", "Setoran simpanan"),
    choice("Withdrawal", "Penarikan simpanan"),
    choice("LoanDisbursed", "Pinjaman diberikan"),
    choice("Repayment", "Angsuran pinjaman"),
];

impl Described for Membership {
    const NAME: Text = Text::new("anggota koperasi");
    const SPEC: &'static [FieldSpec] = &[
        required(field("cooperative", "Koperasi/BUMDes", FieldKind::Text)),
        field("joined", "Bergabung", FieldKind::Date),
        required(field("status", "Status", FieldKind::Choice(MEMBERSHIP_STATUS))),
    ];
}

impl Described for LedgerEntry {
    const NAME: Text = Text::new("transaksi");
    const SPEC: &'static [FieldSpec] = &[
        required(field("kind", "Jenis", FieldKind::Choice(LEDGER_KIND))),
        required(field("date", "Tanggal", FieldKind::Date)),
        required(field_in("Amount", "amount", "Jumlah", FieldKind::Money)),
        field_in("Note", "note", "Catatan", FieldKind::Text),
    ];
}

impl Validate for Membership {
    fn validate(&self) -> Vec<Issue> {
        check_declared(self)
    }
}

impl Validate for LedgerEntry {
    fn validate(&self) -> Vec<Issue> {
        let mut out = check_declared(self);
        if self.amount <= 0 {
            out.push(Issue::error(
                "amount",
                IssueKind::OutOfRange {
                    min: 1,
                    max: i64::MAX,
                },
            ));
        }
        out
    }
    fn validate_on(&self, today: Date) -> Vec<Issue> {
        crate::validate::not_after(today, "date", self.date)
    }
}
