//! iCalendar files (RFC 5545) of promotions, for calendar apps: all-day events from a first to a last
//! day, with stable UIDs, text escaped, lines folded at 75 octets, CRLF line ends. `import` reads a
//! retailer's calendar back as days to plan promotions on.

mod import;

use chrono::{Datelike, Days, NaiveDate};

pub use import::{read, Imported, Skip, Skipped};

/// Where UIDs live, so a calendar app recognises the same promotion in every export.
pub const UID_DOMAIN: &str = "yingxiao";
/// RFC 5545 §3.1: lines longer than this many octets are folded.
const LINE_OCTETS: usize = 75;

/// One all-day event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// The record id; the UID is made from it, so it is stable across exports.
    pub id: &'a str,
    pub summary: &'a str,
    pub description: Option<&'a str>,
    pub location: Option<&'a str>,
    /// First and last day, both included (the file says the day after the last, as RFC 5545 wants).
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// The whole file: a calendar named `name` holding `events`, stamped `stamp` (UTC, e.g. the moment
/// of the export as `20261130T080000Z`).
pub fn calendar(name: &str, events: &[Event], stamp: &str) -> String {
    let mut out = String::new();
    let mut line = |text: &str| fold_into(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Yingxiao//Promotions//ZH");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(name)));
    for event in events {
        let end = event
            .last
            .max(event.first)
            .checked_add_days(Days::new(1))
            .unwrap_or(event.last);
        line("BEGIN:VEVENT");
        line(&format!("UID:{}@{UID_DOMAIN}", event.id));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;VALUE=DATE:{}", basic(event.first)));
        line(&format!("DTEND;VALUE=DATE:{}", basic(end)));
        line(&format!("SUMMARY:{}", escape(event.summary)));
        if let Some(description) = event.description.filter(|d| !d.is_empty()) {
            line(&format!("DESCRIPTION:{}", escape(description)));
        }
        if let Some(location) = event.location.filter(|l| !l.is_empty()) {
            line(&format!("LOCATION:{}", escape(location)));
        }
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// A DTSTAMP for the instant `millis` (UTC): `20261201T080000Z`.
pub fn stamp(millis: u64) -> String {
    let at = crate::time::format_instant(millis);
    // 2026-12-01T08:00:00.000Z → 20261201T080000Z
    let basic: String = at[..19]
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    format!("{basic}Z")
}

/// What a calendar app shows beside a promotion's name: its kind, status and budget, in `locale`.
pub fn promotion_description(
    kind: &str,
    status: &str,
    budget: Option<i64>,
    locale: crate::locale::Locale,
) -> String {
    use crate::domain::Collection;
    let label = |field: &str, value: &str| {
        Collection::Promotion
            .field(field)
            .and_then(|d| d.choice_label(value, locale))
            .unwrap_or(value)
            .to_owned()
    };
    let mut parts = vec![label("kind", kind), label("status", status)];
    if let Some(fen) = budget {
        let name = Collection::Promotion
            .field("budget")
            .map_or("budget", |d| d.label(locale));
        parts.push(format!("{name} {}", crate::calendar::yuan(fen)));
    }
    parts.join(" · ")
}

/// A DATE value: `20261230`.
fn basic(day: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", day.year(), day.month(), day.day())
}

/// A TEXT value as RFC 5545 §3.3.11 writes it: backslash, semicolon and comma escaped, line breaks
/// as `\n`, carriage returns dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` to `out` with CRLF, folded so no physical line is over 75 octets and no UTF-8
/// character is split (continuation lines start with a space, which counts).
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    /// The logical lines: folds undone (RFC 5545 §3.1), CRLF split.
    fn unfold(file: &str) -> Vec<String> {
        file.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn an_all_day_event_ends_the_day_after_its_last_day() {
        let event = Event {
            id: "0193b3c4-7a1e-7000-8000-000000000001",
            summary: "年终特惠",
            description: None,
            location: Some("徐汇店"),
            first: day(12, 30),
            last: day(12, 31),
        };
        let file = calendar("促销日历", &[event], "20261130T080000Z");
        let lines = unfold(&file);
        assert!(lines.contains(&"DTSTART;VALUE=DATE:20261230".to_owned()));
        assert!(lines.contains(&"DTEND;VALUE=DATE:20270101".to_owned()));
        assert!(lines.contains(&"UID:0193b3c4-7a1e-7000-8000-000000000001@yingxiao".to_owned()));
        assert!(lines.contains(&"LOCATION:徐汇店".to_owned()));
        assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
        assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
        // Every line ends in CRLF, none in a bare LF.
        assert!(file.ends_with("\r\n"));
        assert_eq!(file.matches('\n').count(), file.matches("\r\n").count());
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("买一送一; 限量,每人\\一份\r\n第二行"),
            "买一送一\\; 限量\\,每人\\\\一份\\n第二行"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let summary =
            "华东大区春节饮料促销：茉莉绿茶、乌龙茶、橙汁买二送一，门店试饮与堆头陈列同步进行"
                .repeat(3);
        let event = Event {
            id: "p",
            summary: &summary,
            description: None,
            location: None,
            first: day(1, 1),
            last: day(1, 1),
        };
        let file = calendar("c", &[event], "20261130T080000Z");
        for physical in file.split("\r\n") {
            assert!(
                physical.len() <= 75,
                "{} octets: {physical}",
                physical.len()
            );
        }
        let summary_line = unfold(&file)
            .into_iter()
            .find(|l| l.starts_with("SUMMARY:"))
            .unwrap();
        assert_eq!(summary_line, format!("SUMMARY:{summary}"));
    }

    #[test]
    fn a_stamp_is_basic_utc_and_a_description_names_kind_status_and_budget() {
        // 2026-12-01T08:00:00Z.
        assert_eq!(stamp(1_796_112_000_000), "20261201T080000Z");
        use crate::locale::Locale;
        assert_eq!(
            promotion_description("discount", "approved", Some(500_000), Locale::ZhCn),
            "折扣 · 已批准 · 促销预算 ¥5000.00"
        );
        assert_eq!(
            promotion_description("tasting", "planned", None, Locale::En),
            "Tasting · Planned"
        );
    }
}
