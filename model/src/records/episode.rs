//! One stay abroad (or a planned one) of a person.

use autosurgeon::{Hydrate, Reconcile};

use crate::date::Date;
use crate::fields::{Choice, Described, FieldKind, FieldSpec, Text, choice, field, field_in, required};
use crate::ids::RecordId;
use crate::record::{Collection, record};
use crate::validate::{Issue, IssueKind, Validate, text};

/// Whether a departure went through the official procedure (a licensed P3MI, a placement decree).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Reconcile,
    Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Procedural {
    Yes,
    No,
    Unknown,
}

/// Where a migration episode stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Reconcile, Hydrate, serde::Serialize, serde::Deserialize,
)]
pub enum EpisodeState {
    Planned,
    Abroad,
    Returned,
    Missing,
    Deceased,
}

/// How a worker was placed (UU 18/2017): by the government (G to G), by the government with a
/// private employer abroad (G to P), through a licensed agency (P to P), or on their own.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Reconcile,
    Hydrate,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Scheme {
    GToG,
    GToP,
    PToP,
    Individual,
}

fn procedural_unknown() -> Procedural {
    Procedural::Unknown
}

record! {
    /// One stay abroad (or a planned one) of a person: a person who leaves, returns and leaves
    /// again has several.
    pub struct MigrationEpisode in Collection::Episodes {
        pub id: RecordId,
        pub person: RecordId,
        pub destination_country: String,
        /// The country's ISO 3166-1 alpha-2 code, set from its name when the list knows it.
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub destination_country_code: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub sector: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub occupation: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub employer: Option<String>,
        /// The placement agency (P3MI).
        #[autosurgeon(missing = "Default::default")]
        pub agency: Option<String>,
        #[autosurgeon(missing = "procedural_unknown")]
        #[serde(default = "procedural_unknown")]
        pub procedural: Procedural,
        /// Added after the first version: older records have none.
        #[autosurgeon(missing = "Default::default")]
        pub scheme: Option<Scheme>,
        #[autosurgeon(missing = "Default::default")]
        pub departure_date: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub contract_end: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub return_date: Option<Date>,
        #[autosurgeon(missing = "Default::default")]
        pub passport_number: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub placement_decree_number: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        pub insurance: Option<String>,
        pub state: EpisodeState,
        #[autosurgeon(missing = "Default::default")]
        pub return_reason: Option<String>,
        #[autosurgeon(missing = "Default::default")]
        #[serde(default)]
        pub deleted: bool,
    }
}

impl MigrationEpisode {
    /// A new episode with the required fields; every other field empty.
    pub fn new(
        id: RecordId,
        person: RecordId,
        destination_country: impl Into<String>,
        state: EpisodeState,
    ) -> Self {
        Self {
            id,
            person,
            destination_country: destination_country.into(),
            destination_country_code: None,
            sector: None,
            occupation: None,
            employer: None,
            agency: None,
            procedural: Procedural::Unknown,
            scheme: None,
            departure_date: None,
            contract_end: None,
            return_date: None,
            passport_number: None,
            placement_decree_number: None,
            insurance: None,
            state,
            return_reason: None,
            deleted: false,
        }
    }
}

/// Words that mark household work, the informal sector of migrant work (domestic workers and
/// caregivers in private homes), in a sector or a job as officers write them.
const INFORMAL_WORDS: &[&str] = &[
    "rumah tangga",
    "plrt",
    "pembantu",
    "asisten rumah",
    "perawat lansia",
    "pengasuh",
    "domestic",
    "household",
    "caregiver",
    "housemaid",
];

impl MigrationEpisode {
    /// Whether the work is in the informal sector (household work), read from the sector and
    /// job as written; `None` when neither is known.
    pub fn informal(&self) -> Option<bool> {
        let words: Vec<String> = [&self.sector, &self.occupation]
            .into_iter()
            .flatten()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        if words.is_empty() {
            return None;
        }
        Some(words.iter().any(|w| INFORMAL_WORDS.iter().any(|i| w.contains(i))))
    }

    /// Whether the person is abroad in this episode (or abroad and out of touch).
    pub fn is_abroad(&self) -> bool {
        matches!(self.state, EpisodeState::Abroad | EpisodeState::Missing)
    }
}

pub const EPISODE_STATE: &[Choice] = &[
    choice("Planned", "Rencana berangkat"),
    choice("Abroad", "Di luar negeri"),
    choice("Returned", "Sudah pulang"),
    choice("Missing", "Hilang kontak"),
    choice("Deceased", "Meninggal"),
];

pub const PROCEDURAL: &[Choice] = &[
    choice("Yes", "Prosedural"),
    choice("No", "Non-prosedural"),
    choice("Unknown", "Tidak diketahui"),
];

pub const SCHEME: &[Choice] = &[
    choice("GToG", "G to G (antarpemerintah)"),
    choice("GToP", "G to P (pemerintah ke swasta)"),
    choice("PToP", "P to P (melalui P3MI)"),
    choice("Individual", "Perseorangan/mandiri"),
];

impl Described for MigrationEpisode {
    const NAME: Text = Text::new("riwayat migrasi");
    const SPEC: &'static [FieldSpec] = &[
        required(field_in(
            "Destination country",
            "destination_country",
            "Negara tujuan",
            FieldKind::Text,
        )),
        required(field("state", "Status", FieldKind::Choice(EPISODE_STATE))),
        field("sector", "Sektor", FieldKind::Text),
        field("occupation", "Jabatan/pekerjaan", FieldKind::Text),
        field("employer", "Pemberi kerja", FieldKind::Text),
        field("agency", "P3MI (perusahaan penempatan)", FieldKind::Text),
        field("procedural", "Keberangkatan", FieldKind::Choice(PROCEDURAL)),
        field("scheme", "Skema penempatan", FieldKind::Choice(SCHEME)),
        field("departure_date", "Tanggal berangkat", FieldKind::Date),
        field("contract_end", "Kontrak berakhir", FieldKind::Date),
        field("return_date", "Tanggal pulang", FieldKind::Date),
        field("passport_number", "No. paspor", FieldKind::Text),
        field("placement_decree_number", "No. SK/ID PMI", FieldKind::Text),
        field("insurance", "Asuransi", FieldKind::Text),
        field("return_reason", "Alasan pulang", FieldKind::Text),
    ];
}

impl Validate for MigrationEpisode {
    /// One spelling per country ([`crate::countries::canonical_country`]) and per job
    /// ([`crate::jobs::canonical_job`]).
    fn normalise(&mut self) {
        self.destination_country = crate::countries::canonical_country(&self.destination_country);
        self.destination_country_code = crate::countries::country_code(&self.destination_country);
        if let Some(job) = &self.occupation {
            self.occupation = Some(crate::jobs::canonical_job(job)).filter(|j| !j.is_empty());
        }
    }

    fn validate(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        if self.destination_country.trim().is_empty() {
            out.push(Issue::error("destination_country", IssueKind::Required));
        }
        for (f, v) in [
            ("destination_country", Some(&self.destination_country)),
            ("sector", self.sector.as_ref()),
            ("occupation", self.occupation.as_ref()),
            ("employer", self.employer.as_ref()),
            ("agency", self.agency.as_ref()),
            ("passport_number", self.passport_number.as_ref()),
            ("placement_decree_number", self.placement_decree_number.as_ref()),
            ("insurance", self.insurance.as_ref()),
            ("return_reason", self.return_reason.as_ref()),
        ] {
            text(&mut out, f, v.map(String::as_str));
        }
        if let Some(dep) = self.departure_date {
            for (f, d) in [
                ("contract_end", self.contract_end),
                ("return_date", self.return_date),
            ] {
                if d.is_some_and(|d| d < dep) {
                    out.push(Issue::error(f, IssueKind::BeforeDeparture));
                }
            }
        }
        match (self.state, self.return_date) {
            (EpisodeState::Returned, None) => {
                out.push(Issue::warning("return_date", IssueKind::ReturnedWithoutDate))
            }
            (EpisodeState::Planned | EpisodeState::Abroad, Some(_)) => {
                out.push(Issue::warning("return_date", IssueKind::ReturnDateButNotReturned))
            }
            _ => {}
        }
        out
    }

    fn validate_on(&self, today: Date) -> Vec<Issue> {
        let mut out = Vec::new();
        if self.state != EpisodeState::Planned && self.departure_date.is_some_and(|d| d > today) {
            out.push(Issue::error("departure_date", IssueKind::DepartureInFuture));
        }
        if self.return_date.is_some_and(|d| d > today) {
            out.push(Issue::error("return_date", IssueKind::InFuture));
        }
        out
    }
}
