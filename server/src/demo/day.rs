//! A business day of the demo company, and the calendar arithmetic its history needs.

use yingxiao_core::time::{civil_from_days, days_from_civil};

use crate::auth::now_millis;

/// A business day (a plain date in the company's time zone), as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        valid.then(|| Day(days_from_civil(year, month, day)))
    }

    /// `YYYY-MM-DD`, a real calendar day.
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            b[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Day::from_ymd(i64::from(digits(0..4)?), digits(5..7)?, digits(8..10)?)
    }

    /// Today in Asia/Shanghai, the company's default time zone (UTC+8, no daylight saving).
    pub fn today_in_shanghai() -> Day {
        Day((now_millis() + 8 * 3_600_000).div_euclid(86_400_000))
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }

    pub(super) fn plus(self, days: i64) -> Day {
        Day(self.0 + days)
    }

    pub(super) fn days_since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
    }

    pub(super) fn year(self) -> i64 {
        self.ymd().0
    }

    /// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    pub(super) fn weekday(self) -> i64 {
        (self.0 + 3).rem_euclid(7)
    }

    pub(super) fn quarter_start(self) -> Day {
        let (year, month, _) = self.ymd();
        Day(days_from_civil(year, (month - 1) / 3 * 3 + 1, 1))
    }

    pub(super) fn next_quarter_start(self) -> Day {
        self.quarter_start().plus(92).quarter_start()
    }

    /// An instant on this day, `secs` after midnight UTC: `2026-03-05T02:30:00Z`.
    pub(super) fn at(self, secs: i64) -> String {
        let secs = secs.clamp(0, 86_399);
        format!(
            "{self}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Day::parse(text).ok_or_else(|| format!("{text:?} is not a date written YYYY-MM-DD"))
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
