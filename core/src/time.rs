//! Business dates and instants as the protocol writes them, on chrono's calendar, without a clock.
//!
//! A business day (a `Date` field: 预计成交日期, 下单日期…) is a [`NaiveDate`] in the company's time
//! zone, written `YYYY-MM-DD`; an instant (an `Instant` field, a clock stamp) is a UTC
//! [`DateTime`] written `YYYY-MM-DDTHH:MM:SS.mmmZ`. These are the one reader and writer of both
//! forms; the import's looser spellings end in the same types. chrono is re-exported so the web app
//! and the server use the same calendar without a dependency of their own.

pub use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono::{TimeDelta, Timelike};

/// A business day written exactly `YYYY-MM-DD`, years 0001–9999, a day that exists.
///
/// Stricter than chrono's parser on purpose: the wire form has one spelling, so dates compare and
/// sort as text on the server and in IndexedDB.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])?;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// An instant written `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ`: UTC only, no leap
/// second, so every stored instant compares as text in time order.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let millis = match b.len() {
        20 => 0,
        24 if b[19] == b'.' => digits(&b[20..23])?,
        _ => return None,
    };
    if b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[b.len() - 1] != b'Z' {
        return None;
    }
    let date = parse_date(text.get(..10)?)?;
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    // chrono reads second 60 as a leap second; the protocol has none.
    if second > 59 {
        return None;
    }
    Some(
        date.and_hms_milli_opt(hour, minute, second, millis)?
            .and_utc(),
    )
}

/// Milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_instant(millis: u64) -> String {
    // Clock stamps stop at the year 2286 (`Hlc`); chrono's calendar reaches far beyond it.
    let at = i64::try_from(millis)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        at.date_naive(),
        at.hour(),
        at.minute(),
        at.second(),
        at.timestamp_subsec_millis()
    )
}

/// The day `days` after `date` (before it when negative); `None` beyond chrono's calendar.
pub fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(TimeDelta::try_days(days)?)
}

/// The first day of the calendar quarter `date` is in (季度初).
pub fn quarter_start(date: NaiveDate) -> NaiveDate {
    let month = date.month0() / 3 * 3 + 1;
    NaiveDate::from_ymd_opt(date.year(), month, 1).expect("the 1st of a quarter's first month")
}

/// ASCII digits as a number; `None` for anything else (signs, spaces, full-width digits).
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn epoch_and_known_instants_format_exactly() {
        assert_eq!(format_instant(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_instant(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            format_instant(1_796_466_645_123),
            "2026-12-05T10:30:45.123Z"
        );
    }

    #[test]
    fn dates_must_be_written_yyyy_mm_dd() {
        for bad in [
            "2026-1-5",
            "2026/01/05",
            "2026-13-01",
            "2026-04-31",
            "2026-00-10",
            "2026-01-00",
            "0000-01-01",
            "２０２６-01-05",
            "2026-01-05T00:00:00Z",
            "",
            "+2026-01-05",
            "2026-01-+5",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2026-12-31"), Some(day(2026, 12, 31)));
        assert_eq!(parse_date("0001-01-01"), Some(day(1, 1, 1)));
        assert_eq!(parse_date("2000-02-29"), Some(day(2000, 2, 29)));
        assert_eq!(parse_date("2100-02-29"), None, "divisible by 100, not 400");
    }

    #[test]
    fn instants_are_utc_with_z_and_optional_milliseconds() {
        assert_eq!(
            parse_instant("2026-11-27T08:30:00Z").map(|at| at.timestamp_millis()),
            Some(1_795_768_200_000)
        );
        assert_eq!(
            parse_instant("2026-11-27T08:30:00.123Z").map(|at| at.timestamp_millis()),
            Some(1_795_768_200_123)
        );
        for bad in [
            "2026-11-27T08:30:00+08:00",
            "2026-11-27T08:30:00+00:00",
            "2026-11-27T08:30:00",
            "2026-11-27 08:30:00Z",
            "2026-11-27T08:30:00z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T08:60:00Z",
            "2026-11-27T08:30:60Z",
            "2026-11-27T23:59:60Z",
            "2026-11-27T08:30:00.12Z",
            "2026-11-27T08:30:00.123456Z",
            "2027-02-29T08:30:00Z",
            "2026-11-27",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_are_added_across_months_and_years() {
        assert_eq!(add_days(day(2026, 12, 31), 1), Some(day(2027, 1, 1)));
        assert_eq!(add_days(day(2028, 3, 1), -1), Some(day(2028, 2, 29)));
        assert_eq!(add_days(day(2026, 3, 5), 0), Some(day(2026, 3, 5)));
        assert_eq!(add_days(day(2026, 3, 5), i64::MAX), None);
    }

    #[test]
    fn a_quarter_starts_on_the_first_of_january_april_july_or_october() {
        assert_eq!(quarter_start(day(2026, 1, 1)), day(2026, 1, 1));
        assert_eq!(quarter_start(day(2026, 3, 31)), day(2026, 1, 1));
        assert_eq!(quarter_start(day(2026, 5, 17)), day(2026, 4, 1));
        assert_eq!(quarter_start(day(2026, 12, 31)), day(2026, 10, 1));
    }

    proptest! {
        #[test]
        fn every_real_date_round_trips_and_the_day_after_month_end_does_not_parse(
            year in 1i32..=9999, month in 1u32..=12, day in 1u32..=31
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}");
            let real = NaiveDate::from_ymd_opt(year, month, day);
            prop_assert_eq!(parse_date(&text), real, "{}", text);
            if let Some(real) = real {
                prop_assert_eq!(real.to_string(), text);
            }
        }

        #[test]
        fn dates_order_like_their_text(
            a in (1u32..=9999, 1u32..=12, 1u32..=28), b in (1u32..=9999, 1u32..=12, 1u32..=28)
        ) {
            let text = |(y, m, d): (u32, u32, u32)| format!("{y:04}-{m:02}-{d:02}");
            let (ta, tb) = (text(a), text(b));
            prop_assert_eq!(parse_date(&ta).cmp(&parse_date(&tb)), ta.cmp(&tb));
        }

        #[test]
        fn instants_written_by_the_server_read_back_to_the_same_millisecond(
            millis in 0u64..=9_999_999_999_999
        ) {
            let text = format_instant(millis);
            prop_assert_eq!(
                parse_instant(&text).map(|at| at.timestamp_millis()),
                Some(millis as i64)
            );
        }
    }
}
