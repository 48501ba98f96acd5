//! The district's and a village's figures (the dashboard and the monthly report), computed from
//! a village's snapshot: who is abroad, where and in which work, who left and came back month by
//! month, and how current the records are. A district's figures are its villages' figures added
//! up ([`Figures::add`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ModelError;
use crate::date::Date;
use crate::fields::Text;
use crate::history::HistoryIndex;
use crate::query::{Category, CategoryCounts, VillageSnapshot};
use crate::record::{
    Case, CaseStatus, Collection, Consultation, MigrationEpisode, Parenting, Person, Procedural, Scheme,
    Session, Sex, Training,
};

/// How many months the trend covers, ending with the filter's last month.
pub const TREND_MONTHS: u32 = 24;

/// A record is stale when nothing about the person changed for this many days.
pub const STALE_DAYS: i64 = 365;

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    year: u16,
    /// 1–12.
    month: u8,
}

impl Month {
    pub fn new(year: u16, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }
    fn from_index(i: i64) -> Self {
        Self {
            year: (i / 12) as u16,
            month: (i % 12) as u8 + 1,
        }
    }
    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i64) -> Self {
        Self::from_index(self.index() + n)
    }
    /// The last day of the month.
    pub fn last_day(self) -> Date {
        (28..=31)
            .rev()
            .find_map(|d| Date::new(self.year, self.month, d))
            .expect("every month has a 28th")
    }
    /// "Okt 2026" / "Oct 2026".
    pub fn label(self, lang: crate::Lang) -> String {
        const NAMES: [Text; 12] = [
            Text::ctx("short month", "Jan"),
            Text::ctx("short month", "Feb"),
            Text::ctx("short month", "Mar"),
            Text::ctx("short month", "Apr"),
            Text::ctx("short month", "Mei"),
            Text::ctx("short month", "Jun"),
            Text::ctx("short month", "Jul"),
            Text::ctx("short month", "Agu"),
            Text::ctx("short month", "Sep"),
            Text::ctx("short month", "Okt"),
            Text::ctx("short month", "Nov"),
            Text::ctx("short month", "Des"),
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)].get(lang), self.year)
    }
    /// "Oktober 2026" / "October 2026": a report's period.
    pub fn long_label(self, lang: crate::Lang) -> String {
        const NAMES: [Text; 12] = [
            Text::ctx("month", "Januari"),
            Text::ctx("month", "Februari"),
            Text::ctx("month", "Maret"),
            Text::ctx("month", "April"),
            Text::ctx("month", "Mei"),
            Text::ctx("month", "Juni"),
            Text::ctx("month", "Juli"),
            Text::ctx("month", "Agustus"),
            Text::ctx("month", "September"),
            Text::ctx("month", "Oktober"),
            Text::ctx("month", "November"),
            Text::ctx("month", "Desember"),
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)].get(lang), self.year)
    }
}

/// `2026-10`, as in an address.
impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::InvalidDate(s.to_owned());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: u16 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&year) {
            return Err(bad());
        }
        Month::new(year, month).ok_or_else(bad)
    }
}

/// What the figures are about: a period of whole months, and optionally one sex and one
/// destination country (which narrow the migration figures; the country narrows only figures
/// about stays abroad).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardFilter {
    pub from: Month,
    pub to: Month,
    pub sex: Option<Sex>,
    pub country: Option<String>,
}

impl DashboardFilter {
    /// The last twelve months up to and including `today`'s month, everyone, everywhere.
    pub fn last_year(today: Date) -> Self {
        let to = Month::of(today);
        Self {
            from: to.plus(-11),
            to,
            sex: None,
            country: None,
        }
    }

    /// One month, as the monthly report shows it.
    pub fn month(month: Month) -> Self {
        Self {
            from: month,
            to: month,
            sex: None,
            country: None,
        }
    }

    fn in_period(&self, date: Date) -> bool {
        let m = Month::of(date);
        self.from <= m && m <= self.to
    }

    fn person_matches(&self, p: &Person) -> bool {
        self.sex.is_none_or(|s| p.sex == Some(s))
    }

    fn country_matches(&self, e: &MigrationEpisode) -> bool {
        self.country
            .as_deref()
            .is_none_or(|c| same_country(c, &e.destination_country))
    }
}

/// Country names as officers type them: case and spacing do not matter.
fn same_country(a: &str, b: &str) -> bool {
    country_key(a) == country_key(b)
}

fn country_key(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Counts under a few keys, for a chart: formal or informal work, procedural or not…
pub type Tally<K> = BTreeMap<K, usize>;

/// The sector of a stay abroad, as the dashboard groups it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sector {
    Formal,
    Informal,
    Unknown,
}

/// One month of the trend: departures and returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthFlow {
    pub departures: usize,
    pub returns: usize,
}

/// A village's (or, added up, a district's) figures for one filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// Live persons of the chosen sex.
    pub persons: usize,
    pub categories: CategoryCounts,
    /// Persons abroad now (or abroad and out of touch), in the chosen country.
    pub abroad: usize,
    pub abroad_by_country: Tally<String>,
    /// `None`: sex not recorded.
    pub abroad_by_sex: Tally<Option<Sex>>,
    pub abroad_by_sector: Tally<Sector>,
    /// By job as written (trimmed); "" when not recorded.
    pub abroad_by_job: Tally<String>,
    /// `None`: not recorded.
    pub abroad_by_scheme: Tally<Option<Scheme>>,
    /// Departures within the period.
    pub departures: usize,
    pub departures_by_procedure: Tally<Procedural>,
    /// Returns within the period.
    pub returns: usize,
    /// Departures and returns per month, the last [`TREND_MONTHS`] months up to the period's end.
    pub trend: BTreeMap<Month, MonthFlow>,
    /// Live persons (of the chosen sex) whose record, episodes included, changed last more
    /// than [`STALE_DAYS`] ago.
    pub stale: usize,
    /// Cases open now.
    pub open_cases: usize,
    /// Consultations within the period.
    pub consultations: usize,
    /// Safe-migration sessions, trainings and parenting activities within the period.
    pub activities: usize,
}

impl Figures {
    /// Adds another village's figures (a district's figures are its villages' sums).
    pub fn add(&mut self, other: &Figures) {
        fn merge<K: Ord + Clone>(into: &mut Tally<K>, from: &Tally<K>) {
            for (k, n) in from {
                *into.entry(k.clone()).or_default() += n;
            }
        }
        self.persons += other.persons;
        merge(&mut self.categories.0, &other.categories.0);
        self.abroad += other.abroad;
        merge(&mut self.abroad_by_country, &other.abroad_by_country);
        merge(&mut self.abroad_by_sex, &other.abroad_by_sex);
        merge(&mut self.abroad_by_sector, &other.abroad_by_sector);
        merge(&mut self.abroad_by_job, &other.abroad_by_job);
        merge(&mut self.abroad_by_scheme, &other.abroad_by_scheme);
        self.departures += other.departures;
        merge(&mut self.departures_by_procedure, &other.departures_by_procedure);
        self.returns += other.returns;
        for (m, f) in &other.trend {
            let into = self.trend.entry(*m).or_default();
            into.departures += f.departures;
            into.returns += f.returns;
        }
        self.stale += other.stale;
        self.open_cases += other.open_cases;
        self.consultations += other.consultations;
        self.activities += other.activities;
    }
}

fn tally<K: Ord>(t: &mut Tally<K>, k: K) {
    *t.entry(k).or_default() += 1;
}

impl VillageSnapshot {
    /// The village's figures for a filter, on `today`; `history` tells when records last
    /// changed (for the stale figure).
    pub fn figures(&self, filter: &DashboardFilter, today: Date, history: &HistoryIndex) -> Figures {
        let mut f = Figures::default();
        let trend_from = filter.to.plus(-(i64::from(TREND_MONTHS) - 1));
        for m in 0..TREND_MONTHS {
            f.trend
                .insert(trend_from.plus(i64::from(m)), MonthFlow::default());
        }
        let stale_before = (today.days_from_epoch() - STALE_DAYS) * 86_400;
        for p in self
            .persons
            .values()
            .filter(|p| !p.deleted && filter.person_matches(p))
        {
            f.persons += 1;
            if let Some(c) = self.category(&p.id) {
                f.categories.add(c);
            }
            let episodes = self.episodes_of(&p.id);
            // The stay that makes the person a PMI now: the latest one abroad.
            if self.category(&p.id) == Some(Category::Pmi)
                && let Some(e) = episodes.iter().rev().find(|e| e.is_abroad())
                && filter.country_matches(e)
            {
                f.abroad += 1;
                tally(
                    &mut f.abroad_by_country,
                    crate::countries::canonical_country(&e.destination_country),
                );
                tally(&mut f.abroad_by_sex, p.sex);
                tally(
                    &mut f.abroad_by_sector,
                    match e.informal() {
                        Some(true) => Sector::Informal,
                        Some(false) => Sector::Formal,
                        None => Sector::Unknown,
                    },
                );
                // Jobs written before the list, in one spelling each.
                tally(
                    &mut f.abroad_by_job,
                    crate::jobs::canonical_job(e.occupation.as_deref().unwrap_or("")),
                );
                tally(&mut f.abroad_by_scheme, e.scheme);
            }
            for e in episodes.iter().filter(|e| filter.country_matches(e)) {
                if let Some(d) = e.departure_date {
                    if filter.in_period(d) {
                        f.departures += 1;
                        tally(&mut f.departures_by_procedure, e.procedural);
                    }
                    if let Some(flow) = f.trend.get_mut(&Month::of(d)) {
                        flow.departures += 1;
                    }
                }
                if let Some(d) = e.return_date {
                    if filter.in_period(d) {
                        f.returns += 1;
                    }
                    if let Some(flow) = f.trend.get_mut(&Month::of(d)) {
                        flow.returns += 1;
                    }
                }
            }
            let last = std::iter::once(history.last_time(Collection::Persons, &p.id))
                .chain(
                    self.all_episode_ids(&p.id)
                        .map(|e| history.last_time(Collection::Episodes, e)),
                )
                .flatten()
                .max();
            if last.is_none_or(|t| t < stale_before) {
                f.stale += 1;
            }
        }
        let pillars = &self.pillars;
        let logs = pillars.case_logs();
        f.open_cases = pillars
            .live::<Case>()
            .filter(|c| logs.get(&c.id).is_some_and(|l| l.status() != CaseStatus::Closed))
            .count();
        f.consultations = pillars
            .live::<Consultation>()
            .filter(|c| filter.in_period(c.date))
            .count();
        f.activities = pillars
            .live::<Session>()
            .filter(|s| filter.in_period(s.date))
            .count()
            + pillars
                .live::<Training>()
                .filter(|t| filter.in_period(t.start))
                .count()
            + pillars
                .live::<Parenting>()
                .filter(|a| filter.in_period(a.date))
                .count();
        f
    }
}
