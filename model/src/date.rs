//! Calendar dates: stored as ISO 8601 (`2024-03-05`), shown as `05-03-2024`.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};

use crate::ModelError;

/// A calendar date without a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists in the Gregorian calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Self {
            year,
            month,
            day,
        })
    }
    pub fn year(&self) -> u16 {
        self.year
    }
    pub fn month(&self) -> u8 {
        self.month
    }
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_from_epoch(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (before it, if negative), within years 1–9999.
    pub fn from_days_from_epoch(days: i64) -> Option<Self> {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok().filter(|y| (1..=9999).contains(y))?,
            month as u8,
            day as u8,
        )
    }

    /// Days from `earlier` to `self` (negative if `earlier` is later).
    pub fn days_since(&self, earlier: Date) -> i64 {
        self.days_from_epoch() - earlier.days_from_epoch()
    }

    /// `DD-MM-YYYY`, as the UI shows dates.
    pub fn to_display(&self) -> String {
        format!("{:02}-{:02}-{:04}", self.day, self.month, self.year)
    }

    /// Parses `DD-MM-YYYY` (the UI's form; `-`, `/`, `.` or spaces between the parts, or none:
    /// `17081990`) or ISO `YYYY-MM-DD`.
    pub fn parse_display(s: &str) -> Result<Self, ModelError> {
        let s = s.trim();
        let bad = || ModelError::InvalidDate(s.to_owned());
        // Eight digits typed without separators: DDMMYYYY, or YYYYMMDD when that is no date.
        if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
            let num = |r: std::ops::Range<usize>| s[r].parse::<u16>().unwrap_or(0);
            return Date::new(num(4..8), num(2..4) as u8, num(0..2) as u8)
                .or_else(|| Date::new(num(0..4), num(4..6) as u8, num(6..8) as u8))
                .ok_or_else(bad);
        }
        let parts: Vec<&str> = s.split(['-', '/', '.', ' ']).filter(|p| !p.is_empty()).collect();
        if parts.len() != 3 || parts.iter().any(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(bad());
        }
        let (y, m, d) = if parts[0].len() == 4 {
            (parts[0], parts[1], parts[2])
        } else if parts[2].len() == 4 {
            (parts[2], parts[1], parts[0])
        } else {
            return Err(bad());
        };
        Date::new(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        )
        .ok_or_else(bad)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    /// ISO 8601, the stored form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = ModelError;
    /// Parses the stored ISO form `YYYY-MM-DD` only.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ModelError::InvalidDate(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        Date::new(
            s[0..4].parse().map_err(|_| bad())?,
            s[5..7].parse().map_err(|_| bad())?,
            s[8..10].parse().map_err(|_| bad())?,
        )
        .ok_or_else(bad)
    }
}

impl Reconcile for Date {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(self.to_string())
    }
}

impl Hydrate for Date {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        s.parse()
            .map_err(|_| HydrateError::unexpected("an ISO 8601 date", s.to_owned()))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_days_across_months_leap_years_and_the_epoch() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(d("1970-01-01").days_from_epoch(), 0);
        assert_eq!(d("2000-03-01").days_since(d("2000-02-28")), 2);
        assert_eq!(d("2026-03-01").days_since(d("2026-02-28")), 1);
        assert_eq!(d("2026-11-28").days_since(d("2025-11-28")), 365);
        assert_eq!(d("1969-12-31").days_from_epoch(), -1);
    }

    #[test]
    fn parses_both_forms_and_refuses_impossible_dates() {
        let d = Date::new(2024, 2, 29).unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(d.to_display(), "29-02-2024");
        assert_eq!(Date::parse_display("29-02-2024").unwrap(), d);
        assert_eq!(Date::parse_display("2024-02-29").unwrap(), d);
        assert_eq!("2024-02-29".parse::<Date>().unwrap(), d);
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::parse_display("31-04-2024").is_err());
        assert!(Date::parse_display("12/13/2024").is_err());
        assert!("29-02-2024".parse::<Date>().is_err());
        assert!(Date::parse_display("aa-bb-cccc").is_err());
    }

    #[test]
    fn accepts_the_ways_people_type_a_date() {
        let d = Date::new(1990, 8, 17).unwrap();
        for typed in [
            "17081990",
            "17.08.1990",
            "17 08 1990",
            "17-8-1990",
            "17/08/1990",
            " 17.8.1990 ",
            "19900817",
        ] {
            assert_eq!(Date::parse_display(typed).ok(), Some(d), "{typed:?}");
        }
        for refused in [
            "1708199",
            "170819900",
            "17-08-90",
            "32081990",
            "17.13.1990",
            "17..08.1990x",
        ] {
            assert!(Date::parse_display(refused).is_err(), "{refused:?}");
        }
    }
}
