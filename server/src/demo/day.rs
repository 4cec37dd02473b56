//! A business day of the demo company, and the calendar arithmetic its history needs.

use yingxiao_core::time::{add_days, parse_date, quarter_start, DateTime, Datelike, NaiveDate};

use crate::auth::now_millis;

/// A business day (a plain date in the company's time zone): core's date with the demo's arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(NaiveDate);

impl Day {
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Day> {
        let year = i32::try_from(year)
            .ok()
            .filter(|y| (1..=9999).contains(y))?;
        NaiveDate::from_ymd_opt(year, month, day).map(Day)
    }

    /// `YYYY-MM-DD`, a real calendar day.
    pub fn parse(text: &str) -> Option<Day> {
        parse_date(text).map(Day)
    }

    /// Today in Asia/Shanghai, the company's default time zone (UTC+8, no daylight saving).
    pub fn today_in_shanghai() -> Day {
        let shanghai = DateTime::from_timestamp_millis(now_millis() + 8 * 3_600_000);
        Day(shanghai
            .expect("the clock is within chrono's calendar")
            .date_naive())
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        (self.year(), self.0.month(), self.0.day())
    }

    pub(super) fn plus(self, days: i64) -> Day {
        Day(add_days(self.0, days).expect("demo dates stay near today"))
    }

    pub(super) fn days_since(self, earlier: Day) -> i64 {
        self.0.signed_duration_since(earlier.0).num_days()
    }

    pub(super) fn year(self) -> i64 {
        i64::from(self.0.year())
    }

    /// 0 = Monday … 6 = Sunday.
    pub(super) fn weekday(self) -> i64 {
        i64::from(self.0.weekday().num_days_from_monday())
    }

    pub(super) fn quarter_start(self) -> Day {
        Day(quarter_start(self.0))
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
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Day::parse(text).ok_or_else(|| format!("{text:?} is not a date written YYYY-MM-DD"))
    }
}
