//! Reading an iCalendar file (a retailer's promotion calendar, an export of ours) as all-day spans:
//! lines unfolded and text unescaped; all-day and timed events; recurrence by RRULE (DAILY, WEEKLY,
//! MONTHLY, YEARLY with INTERVAL, COUNT, UNTIL, BYDAY for weeks, BYMONTHDAY for months), EXDATE and
//! RDATE; every event that cannot be read is reported with its reason, never dropped silently.
//!
//! Times: a promotion runs whole days, so a timed event covers the days of its wall-clock times as
//! written. A time in UTC (`…Z`) is read in China Standard Time (UTC+8), the company's clock; a
//! time with a `TZID` or without a zone is taken as written in its zone.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use crate::locale::Locale;

/// Most occurrences one recurring event may give; more is taken for a mistake and reported.
pub const MAX_OCCURRENCES: usize = 1_000;
/// The company's clock, for times written in UTC.
const CHINA_OFFSET_HOURS: i64 = 8;

/// One occurrence of an event, as days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// Why an event was left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    NoStart,
    BadDate(String),
    EndsBeforeStart,
    /// A recurrence the reader does not follow (the rule part named).
    UnsupportedRule(String),
    TooManyOccurrences,
    /// An event that never ended (no `END:VEVENT`).
    Unterminated,
}

/// An event left out, where it began in the file (counting from 1), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub summary: Option<String>,
    pub reason: Skip,
}

impl Skip {
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (Skip::NoStart, Locale::ZhCn) => "没有开始日期（DTSTART）".into(),
            (Skip::NoStart, Locale::En) => "it has no start (DTSTART)".into(),
            (Skip::BadDate(v), Locale::ZhCn) => format!("日期“{v}”无法识别"),
            (Skip::BadDate(v), Locale::En) => format!("the date “{v}” cannot be read"),
            (Skip::EndsBeforeStart, Locale::ZhCn) => "结束早于开始".into(),
            (Skip::EndsBeforeStart, Locale::En) => "it ends before it starts".into(),
            (Skip::UnsupportedRule(p), Locale::ZhCn) => format!("不支持的重复规则：{p}"),
            (Skip::UnsupportedRule(p), Locale::En) => {
                format!("its repeat rule is not supported: {p}")
            }
            (Skip::TooManyOccurrences, Locale::ZhCn) => {
                format!("重复超过 {MAX_OCCURRENCES} 次（没有结束条件？）")
            }
            (Skip::TooManyOccurrences, Locale::En) => {
                format!("it repeats more than {MAX_OCCURRENCES} times (no end?)")
            }
            (Skip::Unterminated, Locale::ZhCn) => "事件没有结束标记（END:VEVENT）".into(),
            (Skip::Unterminated, Locale::En) => "the event is not closed (END:VEVENT)".into(),
        }
    }
}

/// A property line: name, parameters, value (still escaped).
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The logical lines of a file with the number of the physical line each starts on (RFC 5545 §3.1:
/// a line starting with a space or tab continues the one before).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (at, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match raw.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => {
                if let Some(last) = lines.last_mut() {
                    last.1.push_str(rest);
                }
            }
            _ if raw.is_empty() => {}
            _ => lines.push((at + 1, raw.to_owned())),
        }
    }
    lines
}

fn parse_property(line: &str) -> Option<Property> {
    // The value starts after the first colon outside a quoted parameter value.
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ':' if !quoted => Some(i),
        _ => None,
    })?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim().to_ascii_uppercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((
                k.trim().to_ascii_uppercase(),
                v.trim_matches('"').to_owned(),
            ))
        })
        .collect();
    Some(Property {
        name,
        params,
        value: value.to_owned(),
    })
}

/// A TEXT value unescaped (§3.3.11).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// A DATE or DATE-TIME value as the day it falls on, and whether it was a time (`T…`).
fn day_of(value: &str) -> Option<(NaiveDate, bool)> {
    let value = value.trim();
    let date = |s: &str| -> Option<NaiveDate> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        NaiveDate::from_ymd_opt(
            s[..4].parse().ok()?,
            s[4..6].parse().ok()?,
            s[6..].parse().ok()?,
        )
    };
    match value.split_once('T') {
        None => Some((date(value)?, false)),
        Some((day, time)) => {
            let mut day = date(day)?;
            let utc = time.ends_with('Z');
            let digits = time.trim_end_matches('Z');
            if digits.len() != 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hour: i64 = digits[..2].parse().ok()?;
            if hour > 23 {
                return None;
            }
            if utc && hour + CHINA_OFFSET_HOURS >= 24 {
                day = day.checked_add_days(Days::new(1))?;
            }
            // A time of exactly midnight that ends an event belongs to the day before; the caller
            // knows whether it is an end.
            let midnight = !utc && digits == "000000"
                || utc && hour + CHINA_OFFSET_HOURS == 24 && digits[2..] == *"0000";
            Some((day, !midnight))
        }
    }
}

/// A duration's whole days (`P3D`, `P2W`, `P1DT12H` rounds up to the days it touches).
fn duration_days(value: &str) -> Option<u64> {
    let rest = value.trim().strip_prefix('+').unwrap_or(value.trim());
    let rest = rest.strip_prefix('P')?;
    let (days_part, time_part) = rest.split_once('T').unwrap_or((rest, ""));
    let mut days = 0u64;
    let mut number = String::new();
    for c in days_part.chars() {
        // Checked: a file may say `P99999999999999999999W`, which is no number of days.
        let weeks_or_days = match c {
            '0'..='9' => {
                number.push(c);
                continue;
            }
            'W' => number.parse::<u64>().ok()?.checked_mul(7)?,
            'D' => number.parse::<u64>().ok()?,
            _ => return None,
        };
        days = days.checked_add(weeks_or_days)?;
        number.clear();
    }
    let timed = time_part.chars().any(|c| c.is_ascii_digit() && c != '0');
    days.checked_add(u64::from(timed))
}

/// The rule of a recurring event.
struct Rule {
    freq: Freq,
    interval: u32,
    count: Option<usize>,
    until: Option<NaiveDate>,
    by_day: Vec<Weekday>,
    by_month_day: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq)]
enum Freq {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn parse_rule(value: &str) -> Result<Rule, Skip> {
    let unsupported = |part: &str| Skip::UnsupportedRule(part.to_owned());
    let mut rule = Rule {
        freq: Freq::Daily,
        interval: 1,
        count: None,
        until: None,
        by_day: Vec::new(),
        by_month_day: Vec::new(),
    };
    let mut freq = None;
    for part in value.split(';').filter(|p| !p.is_empty()) {
        let (key, v) = part.split_once('=').ok_or_else(|| unsupported(part))?;
        match key.to_ascii_uppercase().as_str() {
            "FREQ" => {
                freq = Some(match v {
                    "DAILY" => Freq::Daily,
                    "WEEKLY" => Freq::Weekly,
                    "MONTHLY" => Freq::Monthly,
                    "YEARLY" => Freq::Yearly,
                    _ => return Err(unsupported(part)),
                })
            }
            "INTERVAL" => {
                rule.interval = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| unsupported(part))?
            }
            "COUNT" => rule.count = Some(v.parse().map_err(|_| unsupported(part))?),
            "UNTIL" => rule.until = Some(day_of(v).ok_or_else(|| unsupported(part))?.0),
            "BYDAY" => {
                for code in v.split(',') {
                    // "1MO" (the first Monday) and the like are not followed.
                    rule.by_day
                        .push(weekday(code).ok_or_else(|| unsupported(part))?);
                }
            }
            "BYMONTHDAY" => {
                for day in v.split(',') {
                    let day: u32 = day
                        .parse()
                        .ok()
                        .filter(|d| (1..=31).contains(d))
                        .ok_or_else(|| unsupported(part))?;
                    rule.by_month_day.push(day);
                }
            }
            "WKST" => {}
            _ => return Err(unsupported(part)),
        }
    }
    rule.freq = freq.ok_or_else(|| unsupported("FREQ"))?;
    let fits = match rule.freq {
        Freq::Weekly => rule.by_month_day.is_empty(),
        Freq::Monthly => rule.by_day.is_empty(),
        Freq::Daily | Freq::Yearly => rule.by_day.is_empty() && rule.by_month_day.is_empty(),
    };
    if !fits {
        return Err(unsupported(value));
    }
    Ok(rule)
}

/// The first days of a recurring event starting on `start`, in order, up to `horizon` (and the
/// rule's COUNT and UNTIL); `Err` past [`MAX_OCCURRENCES`].
fn occurrences(start: NaiveDate, rule: &Rule, horizon: NaiveDate) -> Result<Vec<NaiveDate>, Skip> {
    // No later than the last day a file can write, so an occurrence plus the event's length (itself
    // between two such days) is still a day of the calendar.
    let last_writable = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a real day");
    let end = rule
        .until
        .map_or(horizon, |u| u.min(horizon))
        .min(last_writable);
    let mut out = Vec::new();
    let push = |day: NaiveDate, out: &mut Vec<NaiveDate>| -> Result<bool, Skip> {
        if day < start || day > end {
            return Ok(day <= end);
        }
        if rule.count.is_some_and(|c| out.len() >= c) {
            return Ok(false);
        }
        if out.len() >= MAX_OCCURRENCES {
            return Err(Skip::TooManyOccurrences);
        }
        out.push(day);
        Ok(true)
    };
    let step = rule.interval;
    let mut period = 0u32;
    // Periods from the start; an INTERVAL near u32::MAX passes every date in a step or two.
    while let Some(offset) = period.checked_mul(step) {
        let keep_going = match rule.freq {
            Freq::Daily => {
                let Some(day) = start.checked_add_days(Days::new(u64::from(offset))) else {
                    break;
                };
                push(day, &mut out)?
            }
            Freq::Weekly => {
                let week = start
                    .checked_add_days(Days::new(u64::from(offset) * 7))
                    .map(|d| d - Days::new(u64::from(d.weekday().num_days_from_monday())));
                let Some(week) = week else { break };
                if week > end {
                    break;
                }
                let mut days: Vec<Weekday> = if rule.by_day.is_empty() {
                    vec![start.weekday()]
                } else {
                    rule.by_day.clone()
                };
                days.sort_by_key(|d| d.num_days_from_monday());
                let mut any = true;
                for d in days {
                    let day = week + Days::new(u64::from(d.num_days_from_monday()));
                    any = push(day, &mut out)?;
                    if !any {
                        break;
                    }
                }
                any
            }
            Freq::Monthly => {
                let Some(month) = start
                    .with_day(1)
                    .and_then(|m| m.checked_add_months(Months::new(offset)))
                else {
                    break;
                };
                if month > end {
                    break;
                }
                let mut days = if rule.by_month_day.is_empty() {
                    vec![start.day()]
                } else {
                    rule.by_month_day.clone()
                };
                days.sort_unstable();
                let mut any = true;
                // A day the month does not have (the 31st of April) is skipped, as RFC 5545 says.
                for day in days.into_iter().filter_map(|d| month.with_day(d)) {
                    any = push(day, &mut out)?;
                    if !any {
                        break;
                    }
                }
                any
            }
            Freq::Yearly => {
                let Some(year) = i32::try_from(offset)
                    .ok()
                    .and_then(|o| start.year().checked_add(o))
                else {
                    break;
                };
                match NaiveDate::from_ymd_opt(year, start.month(), start.day()) {
                    Some(day) => push(day, &mut out)?,
                    None if year > end.year() => false,
                    None => true,
                }
            }
        };
        if !keep_going || rule.count.is_some_and(|c| out.len() >= c) {
            break;
        }
        period += 1;
        if period as usize > MAX_OCCURRENCES * 400 {
            break;
        }
    }
    Ok(out)
}

/// One VEVENT's lines, read into its occurrences.
fn read_event(props: &[Property], horizon: NaiveDate) -> Result<Vec<Imported>, Skip> {
    let get = |name: &str| props.iter().find(|p| p.name == name);
    let start = get("DTSTART").ok_or(Skip::NoStart)?;
    let (first, _) = day_of(&start.value).ok_or_else(|| Skip::BadDate(start.value.clone()))?;
    let all_day = start.param("VALUE") == Some("DATE") || !start.value.contains('T');
    // The last day: an all-day end is exclusive; a timed end is the day it falls on (midnight ends
    // the day before).
    let last = if let Some(end) = get("DTEND") {
        let (day, timed) = day_of(&end.value).ok_or_else(|| Skip::BadDate(end.value.clone()))?;
        let exclusive = all_day || !timed;
        match exclusive {
            // An end on the start day itself (a zero-length event) still covers that day.
            true if day == first => first,
            true => day.checked_sub_days(Days::new(1)).unwrap_or(day),
            false => day,
        }
    } else if let Some(duration) = get("DURATION") {
        // Days a file can write as dates (years 0000–9999), so every occurrence's end is a date too.
        let bad = || Skip::BadDate(duration.value.clone());
        let days = duration_days(&duration.value).ok_or_else(bad)?;
        first
            .checked_add_days(Days::new(days.saturating_sub(1)))
            .filter(|last| last.year() <= 9999)
            .ok_or_else(bad)?
    } else {
        first
    };
    if last < first {
        return Err(Skip::EndsBeforeStart);
    }
    let length = (last - first).num_days() as u64;
    let text = |name: &str| get(name).map(|p| unescape(&p.value));
    let uid = text("UID").unwrap_or_default();
    let mut starts: BTreeSet<NaiveDate> = match get("RRULE") {
        Some(rule) => occurrences(first, &parse_rule(&rule.value)?, horizon)?
            .into_iter()
            .collect(),
        None => BTreeSet::from([first]),
    };
    let dates_of = |name: &str| -> Result<Vec<NaiveDate>, Skip> {
        let mut out = Vec::new();
        for p in props.iter().filter(|p| p.name == name) {
            for v in p.value.split(',') {
                out.push(day_of(v).ok_or_else(|| Skip::BadDate(v.to_owned()))?.0);
            }
        }
        Ok(out)
    };
    starts.extend(dates_of("RDATE")?);
    for day in dates_of("EXDATE")? {
        starts.remove(&day);
    }
    if starts.len() > MAX_OCCURRENCES {
        return Err(Skip::TooManyOccurrences);
    }
    let recurring = starts.len() > 1;
    Ok(starts
        .into_iter()
        .map(|day| Imported {
            // Each occurrence gets a UID of its own, stable across imports of the same file.
            uid: if recurring {
                format!("{uid}#{day}")
            } else {
                uid.clone()
            },
            summary: text("SUMMARY").unwrap_or_default(),
            description: text("DESCRIPTION").filter(|d| !d.is_empty()),
            location: text("LOCATION").filter(|l| !l.is_empty()),
            first: day,
            last: day + Days::new(length),
        })
        .collect())
}

/// Every event of `text` as promotions' days, and every event left out with its reason; a
/// recurring event without an end repeats up to `horizon`.
pub fn read(text: &str, horizon: NaiveDate) -> (Vec<Imported>, Vec<Skipped>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let mut event: Option<(usize, Vec<Property>)> = None;
    for (line, text) in unfold(text) {
        let Some(property) = parse_property(&text) else {
            continue;
        };
        match (property.name.as_str(), property.value.trim()) {
            ("BEGIN", "VEVENT") => {
                if let Some((at, props)) = event.take() {
                    skipped.push(skip(at, &props, Skip::Unterminated));
                }
                event = Some((line, Vec::new()));
            }
            ("END", "VEVENT") => {
                if let Some((at, props)) = event.take() {
                    match read_event(&props, horizon) {
                        Ok(occurrences) => found.extend(occurrences),
                        Err(reason) => skipped.push(skip(at, &props, reason)),
                    }
                }
            }
            _ => {
                if let Some((_, props)) = event.as_mut() {
                    props.push(property);
                }
            }
        }
    }
    if let Some((at, props)) = event {
        skipped.push(skip(at, &props, Skip::Unterminated));
    }
    (found, skipped)
}

fn skip(line: usize, props: &[Property], reason: Skip) -> Skipped {
    Skipped {
        line,
        summary: props
            .iter()
            .find(|p| p.name == "SUMMARY")
            .map(|p| unescape(&p.value)),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{calendar, Event};
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn horizon() -> NaiveDate {
        day(2027, 12, 31)
    }

    fn one(file: &str) -> Vec<(NaiveDate, NaiveDate)> {
        let (found, skipped) = read(file, horizon());
        assert_eq!(skipped, [], "{file}");
        found.iter().map(|e| (e.first, e.last)).collect()
    }

    fn vevent(lines: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:年货节\r\n{lines}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    }

    #[test]
    fn an_export_reads_back_as_the_same_promotions() {
        let long = "「春节」年货节，满 300 减 50；含换行\n与反斜杠\\".repeat(4);
        let events = [
            Event {
                id: "0193b3c4-7a1e-7000-8000-000000000001",
                summary: &long,
                description: Some("折扣 · 已批准"),
                location: Some("联华一店、联华二店"),
                first: day(2026, 2, 10),
                last: day(2026, 2, 17),
            },
            Event {
                id: "0193b3c4-7a1e-7000-8000-000000000002",
                summary: "一日试吃",
                description: None,
                location: None,
                first: day(2026, 12, 31),
                last: day(2026, 12, 31),
            },
        ];
        let file = calendar("促销日历", &events, "20261201T000000Z");
        let (found, skipped) = read(&file, horizon());
        assert_eq!(skipped, []);
        let back: Vec<Imported> = events
            .iter()
            .map(|e| Imported {
                uid: format!("{}@yingxiao", e.id),
                summary: e.summary.to_owned(),
                description: e.description.map(str::to_owned),
                location: e.location.map(str::to_owned),
                first: e.first,
                last: e.last,
            })
            .collect();
        assert_eq!(found, back);
    }

    #[test]
    fn all_day_and_timed_events_and_durations_become_days() {
        assert_eq!(
            one(&vevent(
                "DTSTART;VALUE=DATE:20260301\r\nDTEND;VALUE=DATE:20260304"
            )),
            [(day(2026, 3, 1), day(2026, 3, 3))]
        );
        assert_eq!(
            one(&vevent("DTSTART;VALUE=DATE:20260301")),
            [(day(2026, 3, 1), day(2026, 3, 1))]
        );
        assert_eq!(
            one(&vevent("DTSTART;VALUE=DATE:20260301\r\nDURATION:P1W")),
            [(day(2026, 3, 1), day(2026, 3, 7))]
        );
        // Timed, in its own zone: 3 March 09:00 to 5 March 18:00 covers three days.
        assert_eq!(
            one(&vevent(
                "DTSTART;TZID=Asia/Shanghai:20260303T090000\r\nDTEND;TZID=Asia/Shanghai:20260305T180000"
            )),
            [(day(2026, 3, 3), day(2026, 3, 5))]
        );
        // Ending at midnight ends the day before.
        assert_eq!(
            one(&vevent("DTSTART:20260303T090000\r\nDTEND:20260304T000000")),
            [(day(2026, 3, 3), day(2026, 3, 3))]
        );
        // UTC read in China time: 2 March 20:00 UTC is 3 March 04:00 in Shanghai.
        assert_eq!(
            one(&vevent(
                "DTSTART:20260302T200000Z\r\nDTEND:20260303T100000Z"
            )),
            [(day(2026, 3, 3), day(2026, 3, 3))]
        );
    }

    #[test]
    fn recurrences_expand_to_hand_counted_occurrences() {
        let starts = |rule: &str| -> Vec<NaiveDate> {
            let (found, skipped) = read(&vevent(rule), horizon());
            assert_eq!(skipped, [], "{rule}");
            found.iter().map(|e| e.first).collect()
        };
        // Every Saturday and Sunday of March 2026: 7/8, 14/15, 21/22, 28/29.
        let weekends =
            starts("DTSTART;VALUE=DATE:20260307\r\nRRULE:FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260331");
        assert_eq!(weekends.len(), 8);
        assert_eq!(weekends[7], day(2026, 3, 29));
        // Every other week, 5 times, from 2 March: 2, 16, 30 March, 13, 27 April.
        assert_eq!(
            starts("DTSTART;VALUE=DATE:20260302\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5"),
            [
                day(2026, 3, 2),
                day(2026, 3, 16),
                day(2026, 3, 30),
                day(2026, 4, 13),
                day(2026, 4, 27)
            ]
        );
        // The 31st of each month in 2026: January, March, May, July, August, October, December.
        assert_eq!(
            starts("DTSTART;VALUE=DATE:20260131\r\nRRULE:FREQ=MONTHLY;UNTIL=20261231").len(),
            7
        );
        // 18th of each month, minus June, plus an extra day: 12 − 1 + 1.
        let monthly = starts(
            "DTSTART;VALUE=DATE:20260118\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=18;COUNT=12\r\nEXDATE;VALUE=DATE:20260618\r\nRDATE;VALUE=DATE:20261111",
        );
        assert_eq!(monthly.len(), 12);
        assert!(!monthly.contains(&day(2026, 6, 18)));
        assert!(monthly.contains(&day(2026, 11, 11)));
        // Daily for ten days, every third: 1, 4, 7, 10.
        assert_eq!(
            starts("DTSTART;VALUE=DATE:20260401\r\nRRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20260410")
                .len(),
            4
        );
        // Yearly on 29 February: only leap years (2028 is past the horizon).
        assert_eq!(
            starts("DTSTART;VALUE=DATE:20240229\r\nRRULE:FREQ=YEARLY").len(),
            1
        );
        // Without an end, up to the horizon: weekly from 1 January 2027 to 31 December 2027.
        assert_eq!(
            starts("DTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=WEEKLY").len(),
            53
        );
        // Each occurrence keeps its length and has a UID of its own.
        let (found, _) = read(
            &vevent("DTSTART;VALUE=DATE:20260301\r\nDTEND;VALUE=DATE:20260303\r\nRRULE:FREQ=WEEKLY;COUNT=2"),
            horizon(),
        );
        assert_eq!(found[1].first, day(2026, 3, 8));
        assert_eq!(found[1].last, day(2026, 3, 9));
        assert_eq!(found[1].uid, "u1#2026-03-08");
    }

    #[test]
    fn events_that_cannot_be_read_are_reported_with_their_reason() {
        let file = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:无日期\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:坏日期\nDTSTART;VALUE=DATE:2026-03-01\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:每月第一个周一\nDTSTART;VALUE=DATE:20260302\nRRULE:FREQ=MONTHLY;BYDAY=1MO\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:倒着\nDTSTART;VALUE=DATE:20260305\nDTEND;VALUE=DATE:20260301\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:每天\nDTSTART;VALUE=DATE:20000101\nRRULE:FREQ=DAILY\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:好的\nDTSTART;VALUE=DATE:20260301\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:没结束\nDTSTART;VALUE=DATE:20260301\nEND:VCALENDAR\n";
        let (found, skipped) = read(file, horizon());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].summary, "好的");
        let reasons: Vec<(usize, Skip)> = skipped.into_iter().map(|s| (s.line, s.reason)).collect();
        assert_eq!(
            reasons,
            [
                (2, Skip::NoStart),
                (5, Skip::BadDate("2026-03-01".into())),
                (9, Skip::UnsupportedRule("BYDAY=1MO".into())),
                (14, Skip::EndsBeforeStart),
                (19, Skip::TooManyOccurrences),
                (28, Skip::Unterminated),
            ]
        );
        assert_eq!(
            Skip::UnsupportedRule("BYDAY=1MO".into()).message(Locale::ZhCn),
            "不支持的重复规则：BYDAY=1MO"
        );
    }
}
