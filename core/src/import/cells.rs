//! Reading one CSV cell as the value of a field kind: amounts in yuan, dates and times as people and
//! spreadsheets write them, yes/no in both languages. Exact integer arithmetic only.

use chrono::{Datelike, NaiveDate, TimeDelta, Timelike};

/// Why a cell could not be read as its field's kind; `RowProblem` words it for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CellError {
    NotMoney,
    TooManyDecimals,
    NotInteger,
    NotPercent,
    TooLarge,
    NotDate,
    NotInstant,
    NotBool,
    NotPeriod,
    NotMonth,
}

/// An amount in yuan (`1234.56`, `¥1,234.56`, `1234`, `1234元`) as 分. At most two decimals, except
/// that trailing zeros beyond them change nothing and are accepted (`1.500`). The sign is kept so the
/// record's range check names a negative amount instead of this parser.
pub(super) fn money(text: &str) -> Result<i64, CellError> {
    let mut rest = text.trim();
    let mut negative = false;
    // Currency sign and minus sign come in either order: `-¥5`, `¥-5`.
    loop {
        let before = rest;
        rest = rest.strip_prefix(['¥', '￥']).unwrap_or(rest).trim_start();
        if let Some(r) = rest.strip_prefix('-') {
            if negative {
                return Err(CellError::NotMoney);
            }
            negative = true;
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix('+') {
            rest = r.trim_start();
        }
        if rest == before {
            break;
        }
    }
    let rest = rest.strip_suffix('元').unwrap_or(rest).trim_end();
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err(CellError::NotMoney);
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CellError::NotMoney);
    }
    let whole = if whole.is_empty() {
        0
    } else {
        grouped_digits(whole).ok_or(CellError::NotMoney)??
    };
    let (cents, beyond) = fraction.split_at(fraction.len().min(2));
    if beyond.bytes().any(|b| b != b'0') {
        return Err(CellError::TooManyDecimals);
    }
    let cents = cents.bytes().enumerate().fold(0i64, |n, (i, b)| {
        n + i64::from(b - b'0') * if i == 0 { 10 } else { 1 }
    });
    let fen = whole
        .checked_mul(100)
        .and_then(|n| n.checked_add(cents))
        .ok_or(CellError::TooLarge)?;
    Ok(if negative { -fen } else { fen })
}

/// Digits with optional thousands separators in the right places (`1,234,567`), as a number.
/// `None` when it is not written that way; `Some(Err)` when it does not fit an `i64`.
fn grouped_digits(text: &str) -> Option<Result<i64, CellError>> {
    let mut groups = text.split(',');
    let first = groups.next()?;
    let grouped = text.contains(',');
    if first.is_empty() || (grouped && first.len() > 3) {
        return None;
    }
    let mut digits = String::from(first);
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse::<i64>().map_err(|_| CellError::TooLarge))
}

/// A whole number, optionally signed and with thousands separators.
pub(super) fn integer(text: &str) -> Result<i64, CellError> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let n = grouped_digits(digits).ok_or(CellError::NotInteger)??;
    Ok(if negative { -n } else { n })
}

/// A whole percentage: `15` or `15%`.
pub(super) fn percent(text: &str) -> Result<i64, CellError> {
    let text = text.trim();
    let number = text.strip_suffix(['%', '％']).unwrap_or(text);
    integer(number).map_err(|e| match e {
        CellError::NotInteger => CellError::NotPercent,
        other => other,
    })
}

fn number(text: &str, min_len: usize, max_len: usize) -> Option<u32> {
    let ok = (min_len..=max_len).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse().ok()).flatten()
}

/// A calendar day written `2026-11-27`, `2026/11/27`, `2026.11.27`, `2026-1-5`, `20261127` or
/// `2026年11月27日`, if the day exists: the import's lenient front end to the business date.
fn calendar_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let (year, month, day) = if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        (
            number(&text[..4], 4, 4)?,
            number(&text[4..6], 2, 2)?,
            number(&text[6..], 2, 2)?,
        )
    } else if let Some((year, rest)) = text.split_once('年') {
        let (month, rest) = rest.split_once('月')?;
        let day = rest.strip_suffix('日').unwrap_or(rest);
        (
            number(year.trim(), 4, 4)?,
            number(month.trim(), 1, 2)?,
            number(day.trim(), 1, 2)?,
        )
    } else {
        let separator = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        let mut parts = text.split(separator);
        let parts = (parts.next()?, parts.next()?, parts.next()?, parts.next());
        match parts {
            (year, month, day, None) => (
                number(year, 4, 4)?,
                number(month, 1, 2)?,
                number(day, 1, 2)?,
            ),
            _ => return None,
        }
    };
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year as i32, month, day)
}

/// A business day in any of `calendar_day`'s spellings, as the wire writes it (`YYYY-MM-DD`).
pub(super) fn date(text: &str) -> Result<String, CellError> {
    Ok(calendar_day(text).ok_or(CellError::NotDate)?.to_string())
}

/// The calendar period a cell names, for targets: `2026`, `2026年` or `2026年度` is the year;
/// `2026-03`, `2026/3`, `202603` or `2026年3月` a month; `2026Q2`, `2026-Q2` or `2026年第2季度` a
/// quarter. Returns the period's first day and the period (`year`, `quarter`, `month`); a full date
/// in any of `date`'s spellings gives its day and no period (the file must say which).
pub(super) fn period(text: &str) -> Result<(NaiveDate, Option<&'static str>), CellError> {
    let text = text.trim();
    if let Some(day) = calendar_day(text) {
        return Ok((day, None));
    }
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let digits_at_start = squeezed.bytes().take_while(u8::is_ascii_digit).count();
    // Digits straight after the year are its month, two of them (`202603`).
    if !matches!(digits_at_start, 4 | 6) {
        return Err(CellError::NotPeriod);
    }
    let (year, rest) = squeezed.split_at(4);
    let year = number(year, 4, 4)
        .filter(|&y| y > 0)
        .ok_or(CellError::NotPeriod)? as i32;
    let separated = rest.trim_start_matches(['-', '/', '.']);
    // A separator with nothing after it (`2026-`) names no period.
    if separated.is_empty() && !rest.is_empty() {
        return Err(CellError::NotPeriod);
    }
    let rest = separated.trim_start_matches('年');
    let first = |month: u32, period| {
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(|day| (day, Some(period)))
            .ok_or(CellError::NotPeriod)
    };
    if rest.is_empty() || rest == "度" {
        return first(1, "year");
    }
    let quarter = rest
        .strip_prefix('Q')
        .or_else(|| rest.strip_prefix('第').and_then(|q| q.strip_suffix("季度")))
        .or_else(|| rest.strip_suffix("季度"));
    if let Some(q) = quarter {
        return match number(q, 1, 1) {
            Some(q @ 1..=4) => first(q * 3 - 2, "quarter"),
            _ => Err(CellError::NotPeriod),
        };
    }
    match number(rest.strip_suffix('月').unwrap_or(rest), 1, 2) {
        Some(month @ 1..=12) => first(month, "month"),
        _ => Err(CellError::NotPeriod),
    }
}

/// A UTC instant as the protocol writes it, from RFC 3339 (`2026-11-27T16:30:00+08:00`,
/// `2026-11-27 08:30:00.5Z`; any offset, converted to UTC; fractions kept to the millisecond) or from
/// a date in any of `date`'s spellings (midnight UTC). A time without a zone is refused: the file does
/// not say which day it was in UTC.
pub(super) fn instant(text: &str) -> Result<String, CellError> {
    let text = text.trim();
    if let Some(day) = calendar_day(text) {
        return Ok(format!("{day}T00:00:00Z"));
    }
    rfc3339(text).ok_or(CellError::NotInstant)
}

fn rfc3339(text: &str) -> Option<String> {
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    if !date.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let day = calendar_day(date)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hour, minute, second) = (
        number(rest.get(..2)?, 2, 2)?,
        number(rest.get(3..5)?, 2, 2)?,
        number(rest.get(6..8)?, 2, 2)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut millis = None;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let ms = format!("{:0<3}", &fraction[..digits.min(3)]);
        millis = Some(ms.parse::<u32>().ok()?);
        rest = &fraction[digits..];
    }
    let offset_minutes: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            let (h, m) = (number(&rest[1..3], 2, 2)?, number(&rest[4..6], 2, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * i64::from(h * 60 + m)
        }
    };
    let local = day.and_hms_opt(hour, minute, second)?;
    let utc = local.checked_sub_signed(TimeDelta::minutes(offset_minutes))?;
    if !(1..=9999).contains(&utc.year()) {
        return None;
    }
    let clock = format!(
        "{}T{:02}:{:02}:{:02}",
        utc.date(),
        utc.hour(),
        utc.minute(),
        utc.second()
    );
    Some(match millis {
        Some(ms) => format!("{clock}.{ms:03}Z"),
        None => format!("{clock}Z"),
    })
}

/// Yes or no: `true`/`false`, `yes`/`no`, `y`/`n`, `是`/`否`, `1`/`0`, any letter case.
pub(super) fn boolean(text: &str) -> Result<bool, CellError> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "是" | "1" => Ok(true),
        "false" | "no" | "n" | "否" | "0" => Ok(false),
        _ => Err(CellError::NotBool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_yuan_becomes_exact_fen() {
        for (text, fen) in [
            ("1234.56", 123_456),
            ("¥1,234.56", 123_456),
            ("￥1,234.56", 123_456),
            ("1234", 123_400),
            (" 1234.5 ", 123_450),
            ("0.01", 1),
            (".5", 50),
            ("7.", 700),
            ("1,000,000", 100_000_000),
            ("1234元", 123_400),
            ("1.500", 150),
            ("0", 0),
            ("90071992547409.91", 9_007_199_254_740_991),
        ] {
            assert_eq!(money(text), Ok(fen), "{text}");
        }
    }

    #[test]
    fn a_period_is_read_from_how_people_write_years_quarters_and_months() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (text, start, kind) in [
            ("2026", day(2026, 1, 1), Some("year")),
            ("2026年", day(2026, 1, 1), Some("year")),
            ("2026 年度", day(2026, 1, 1), Some("year")),
            ("2026-03", day(2026, 3, 1), Some("month")),
            ("2026/3", day(2026, 3, 1), Some("month")),
            ("202612", day(2026, 12, 1), Some("month")),
            ("2026年3月", day(2026, 3, 1), Some("month")),
            ("2026年3", day(2026, 3, 1), Some("month")),
            ("2026Q2", day(2026, 4, 1), Some("quarter")),
            ("2026-q4", day(2026, 10, 1), Some("quarter")),
            ("2026年第3季度", day(2026, 7, 1), Some("quarter")),
            ("2026年2季度", day(2026, 4, 1), Some("quarter")),
            ("2026-03-01", day(2026, 3, 1), None),
            ("2026/4/15", day(2026, 4, 15), None),
        ] {
            assert_eq!(period(text), Ok((start, kind)), "{text}");
        }
        for text in [
            "",
            "26",
            "2026-13",
            "2026Q5",
            "2026Q0",
            "2026-00",
            "二〇二六",
            "0000",
            "12345",
            "20261",
            "2026-",
            "2026/",
            "2026123",
        ] {
            assert_eq!(period(text), Err(CellError::NotPeriod), "{text}");
        }
    }

    #[test]
    fn money_with_a_third_decimal_is_refused_not_rounded() {
        assert_eq!(money("1.005"), Err(CellError::TooManyDecimals));
        assert_eq!(money("0.001"), Err(CellError::TooManyDecimals));
        assert_eq!(money("19.999"), Err(CellError::TooManyDecimals));
    }

    #[test]
    fn money_keeps_a_minus_sign_for_the_range_check() {
        assert_eq!(money("-5"), Ok(-500));
        assert_eq!(money("¥-5.10"), Ok(-510));
        assert_eq!(money("-¥5.10"), Ok(-510));
        assert_eq!(money("--5"), Err(CellError::NotMoney));
    }

    #[test]
    fn money_refuses_what_is_not_an_amount() {
        for text in [
            "", "¥", ".", "12,34", "1,2345", "1234,567", "1.2.3", "1e3", "12a", "1 234", "五百",
            "1.-5", "$12",
        ] {
            assert_eq!(money(text), Err(CellError::NotMoney), "{text:?}");
        }
        assert_eq!(money("99999999999999999999"), Err(CellError::TooLarge));
        assert_eq!(money("999999999999999999"), Err(CellError::TooLarge));
    }

    #[test]
    fn integers_and_percentages_are_whole_numbers() {
        assert_eq!(integer("1,200"), Ok(1200));
        assert_eq!(integer("-3"), Ok(-3));
        assert_eq!(integer("+3"), Ok(3));
        assert_eq!(integer("3.0"), Err(CellError::NotInteger));
        assert_eq!(integer("x"), Err(CellError::NotInteger));
        assert_eq!(percent("15%"), Ok(15));
        assert_eq!(percent("15％"), Ok(15));
        assert_eq!(percent("15"), Ok(15));
        assert_eq!(percent("15.5%"), Err(CellError::NotPercent));
    }

    #[test]
    fn dates_are_read_in_the_usual_spellings() {
        for text in [
            "2026-11-27",
            "2026/11/27",
            "2026.11.27",
            "20261127",
            "2026年11月27日",
            " 2026-11-27 ",
        ] {
            assert_eq!(date(text).as_deref(), Ok("2026-11-27"), "{text}");
        }
        assert_eq!(date("2026-1-5").as_deref(), Ok("2026-01-05"));
        assert_eq!(date("2028-02-29").as_deref(), Ok("2028-02-29"));
    }

    #[test]
    fn dates_that_do_not_exist_or_are_ambiguous_are_refused() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-11-31",
            "27/11/2026",
            "11/27/2026",
            "2026-11",
            "2026-11-27-1",
            "2026/11-27",
            "261127",
            "0000-01-01",
            "",
        ] {
            assert_eq!(date(text), Err(CellError::NotDate), "{text:?}");
        }
    }

    #[test]
    fn instants_with_an_offset_are_converted_to_utc() {
        assert_eq!(
            instant("2026-11-27T16:30:00+08:00").as_deref(),
            Ok("2026-11-27T08:30:00Z")
        );
        assert_eq!(
            instant("2026-01-01 02:00:00+08:00").as_deref(),
            Ok("2025-12-31T18:00:00Z"),
            "crosses the year back"
        );
        assert_eq!(
            instant("2026-02-28T20:00:00-05:00").as_deref(),
            Ok("2026-03-01T01:00:00Z")
        );
        assert_eq!(
            instant("2026-11-27T08:30:00.123456Z").as_deref(),
            Ok("2026-11-27T08:30:00.123Z")
        );
        assert_eq!(
            instant("2026-11-27t08:30:00.5z").as_deref(),
            Ok("2026-11-27T08:30:00.500Z")
        );
    }

    #[test]
    fn an_instant_may_be_a_date_at_midnight_utc() {
        assert_eq!(instant("2026/11/27").as_deref(), Ok("2026-11-27T00:00:00Z"));
        assert_eq!(instant("20261127").as_deref(), Ok("2026-11-27T00:00:00Z"));
    }

    #[test]
    fn an_instant_without_a_zone_or_with_a_bad_clock_is_refused() {
        for text in [
            "2026-11-27 08:30",
            "2026-11-27T08:30:00",
            "2026-11-27T24:00:00Z",
            "2026-11-27T08:60:00Z",
            "2026-11-27T08:30:00+8",
            "2026-11-27T08:30:00.Z",
            "0001-01-01T00:00:00+01:00",
        ] {
            assert_eq!(instant(text), Err(CellError::NotInstant), "{text:?}");
        }
    }

    #[test]
    fn yes_and_no_in_both_languages() {
        for text in ["true", "TRUE", "yes", "Y", "是", "1"] {
            assert_eq!(boolean(text), Ok(true), "{text}");
        }
        for text in ["false", "No", "n", "否", "0"] {
            assert_eq!(boolean(text), Ok(false), "{text}");
        }
        assert_eq!(boolean("maybe"), Err(CellError::NotBool));
    }
}
