//! How numbers, amounts and times are written for people, in the user's language: one place, so every
//! page writes ¥1,234.50, 12%, and a local time the same way.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use wasm_bindgen::JsValue;
use yingxiao_core::{domain::Collection, locale::Locale};

/// An amount in yuan as typed (`50000`, `1,234.5`, `¥88.80`) in 分; `None` if it is not one or has
/// more than two decimals. The range is the domain's rule, checked later.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let text = text
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .trim();
    let text: String = text.chars().filter(|c| *c != ',' && *c != '，').collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 2
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fen: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fen)
}

/// 分 as the text of an amount input: `500000` → `5000`, `123456` → `1234.56`.
pub(crate) fn yuan_input(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, (fen % 100).abs())
    }
}

/// Today on the device's calendar (its time zone, not UTC).
pub(crate) fn local_today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

/// 分 for reading: `123456789` → `¥1,234,567.89`.
pub fn format_yuan(fen: i64) -> String {
    yingxiao_core::money::format_money(fen, None)
}

/// An instant as the user's clock and language write it.
pub(crate) fn local_date_time(instant: &str, locale: Locale) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(instant));
    if date.get_time().is_nan() {
        return instant.to_owned();
    }
    let options = js_sys::Object::new();
    for (name, value) in [
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    String::from(date.to_locale_string(locale.tag(), &options))
}

/// An instant's wall-clock time in the browser's time zone: the time `local_date_time` shows.
pub(crate) fn local_wall_time(at: DateTime<Utc>) -> NaiveDateTime {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    // Minutes from local time to UTC at that instant (so daylight saving is the instant's own).
    at.naive_utc() - TimeDelta::minutes(date.get_timezone_offset() as i64)
}

/// A rate as a whole percentage, or "—".
pub(crate) fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

/// An amount in 分 written short for the chart, in the language's way (¥12万, ¥120K).
pub(crate) fn compact_yuan(fen: i64, locale: Locale) -> String {
    thread_local! {
        /// The browser's formatter, made once per language: making one costs tens of
        /// microseconds, and a funnel page writes dozens of amounts after each filter change.
        static FORMAT: std::cell::RefCell<Option<(Locale, js_sys::Function)>> =
            const { std::cell::RefCell::new(None) };
    }
    let format = FORMAT.with_borrow_mut(|made| match made {
        Some((for_locale, format)) if *for_locale == locale => format.clone(),
        _ => {
            let format = compact_yuan_format(locale);
            *made = Some((locale, format.clone()));
            format
        }
    });
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(fen as f64 / 100.0))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format_yuan(fen))
}

fn compact_yuan_format(locale: Locale) -> js_sys::Function {
    let options = js_sys::Object::new();
    for (name, value) in [
        ("style", "currency"),
        ("currency", "CNY"),
        ("currencyDisplay", "narrowSymbol"),
        ("notation", "compact"),
    ] {
        let _ = js_sys::Reflect::set(&options, &name.into(), &value.into());
    }
    let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &1.into());
    let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
    js_sys::Intl::NumberFormat::new(&locales, &options).format()
}

/// A stage's name for people (了解 / Aware); the wire value when it is unknown.
pub fn stage_label(wire: &str, locale: Locale) -> &str {
    Collection::Opportunity
        .field("stage")
        .and_then(|def| def.choice_label(wire, locale))
        .unwrap_or(wire)
}

/// Days with one decimal, or "—".
pub(crate) fn days_text(days: Option<f64>) -> String {
    days.map_or_else(|| "—".to_owned(), |d| format!("{d:.1}"))
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn amounts_in_yuan_become_exact_fen() {
        assert_eq!(parse_yuan("50000"), Some(5_000_000));
        assert_eq!(parse_yuan("¥1,234.5"), Some(123_450));
        assert_eq!(parse_yuan("0.07元"), Some(7));
        assert_eq!(parse_yuan(".5"), Some(50));
        assert_eq!(
            parse_yuan("1.234"),
            None,
            "a third decimal is refused, not rounded"
        );
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(parse_yuan("."), None);
    }

    #[wasm_bindgen_test]
    fn fen_read_back_as_yuan() {
        assert_eq!(yuan_input(5_000_000), "50000");
        assert_eq!(yuan_input(123_450), "1234.50");
        assert_eq!(format_yuan(123_456_789), "¥1,234,567.89");
        assert_eq!(format_yuan(7), "¥0.07");
        assert_eq!(parse_yuan(&yuan_input(123_405)), Some(123_405));
    }
}
