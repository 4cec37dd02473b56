//! 门店模式: a promoter's day in their stores, as plain functions over the records on the device.
//!
//! - **Today's work** ([`assignments`]): the promotions that are approved or running today and list
//!   the promoter, in the stores of the promoter's shifts today when the promotion has shifts for
//!   them, else in each of its stores the promoter sees.
//! - **The day's report** is one `promotion_reports` record per promotion, store, promoter and day
//!   ([`report_of`]); it is made by the first thing the promoter records.
//! - **Sales** are counted per product ([`count`]): units never below zero, the amount at the
//!   product's list price, and the report's totals written with the lines ([`sales_patch`]).
//! - **Attendance**: check-ins and check-outs with the position or why there is none
//!   ([`attendance_line`]); [`on_floor`] says whether the last one was a check-in.
//! - **The day's state** ([`DayState`]): open, submitted (still editable) or reviewed (closed: the
//!   server refuses a promoter's edit of a reviewed report).

use serde_json::{json, Map, Value};

use crate::records::{Promotion, PromotionReport, SalesLine};
use crate::time::NaiveDate;

/// One promotion the promoter works in one store today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub promotion_id: String,
    pub store_id: String,
    /// The promoter has a shift there today (otherwise the promotion simply lists them).
    pub on_shift: bool,
}

/// Whether a promotion is worked in stores on `day`: approved or running, and the day within its dates.
pub fn live_on(promotion: &Promotion, day: NaiveDate) -> bool {
    matches!(promotion.status.as_str(), "approved" | "running")
        && promotion.starts_on <= day
        && day <= promotion.ends_on
}

/// The promoter's work on `day`, by store then promotion (`promotions` in the order wanted within a
/// store). `sees_store` says which stores the promoter sees (their device holds them).
pub fn assignments<'a>(
    promotions: impl IntoIterator<Item = (&'a str, &'a Promotion)>,
    promoter: &str,
    day: NaiveDate,
    sees_store: impl Fn(&str) -> bool,
) -> Vec<Assignment> {
    let mut out = Vec::new();
    for (id, promotion) in promotions {
        if !live_on(promotion, day)
            || !promotion
                .promoter_ids
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|p| p == promoter)
        {
            continue;
        }
        let mine: Vec<_> = promotion
            .promoter_shifts
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|s| s.promoter_id == promoter)
            .collect();
        let stores: Vec<(&str, bool)> = if mine.is_empty() {
            promotion
                .store_ids
                .as_deref()
                .unwrap_or_default()
                .iter()
                .filter(|s| sees_store(s))
                .map(|s| (s.as_str(), false))
                .collect()
        } else {
            mine.iter()
                .filter(|s| s.day == day)
                .map(|s| (s.store_id.as_str(), true))
                .collect()
        };
        for (store, on_shift) in stores {
            out.push(Assignment {
                promotion_id: id.to_owned(),
                store_id: store.to_owned(),
                on_shift,
            });
        }
    }
    // Stable: promotions keep their given order within a store.
    out.sort_by(|a, b| a.store_id.cmp(&b.store_id));
    out
}

/// The stores of the day's work, each once, in the assignments' order.
pub fn stores_of(assignments: &[Assignment]) -> Vec<&str> {
    let mut stores: Vec<&str> = Vec::new();
    for a in assignments {
        if !stores.contains(&a.store_id.as_str()) {
            stores.push(&a.store_id);
        }
    }
    stores
}

/// The id of the promoter's report of `promotion` in `store` on `day`, if there is one.
pub fn report_of<'a>(
    reports: impl IntoIterator<Item = (&'a str, &'a PromotionReport)>,
    promotion: &str,
    store: &str,
    promoter: &str,
    day: NaiveDate,
) -> Option<&'a str> {
    reports
        .into_iter()
        .filter(|(_, r)| {
            r.promotion_id == promotion
                && r.store_id == store
                && r.promoter_id == promoter
                && r.report_date == day
        })
        .map(|(id, _)| id)
        .min()
}

/// The fields a new report starts with.
pub fn new_report(
    promotion: &str,
    store: &str,
    promoter: &str,
    day: NaiveDate,
) -> Map<String, Value> {
    let fields = json!({
        "promotion_id": promotion,
        "store_id": store,
        "promoter_id": promoter,
        "report_date": day.to_string(),
    });
    fields.as_object().cloned().unwrap_or_default()
}

/// Where the promoter stood when checking in or out, or why it is not known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Position {
    Located {
        latitude: f64,
        longitude: f64,
        accuracy_m: f64,
    },
    /// The promoter (or the browser's settings) refused to tell.
    Refused,
    /// The device could not tell (no sensor, a timeout, an insecure page).
    Unavailable,
}

/// A check-in (`check_out: false`) or check-out line at `at` (a UTC instant).
pub fn attendance_line(check_out: bool, at: &str, position: Position) -> Value {
    let event = if check_out { "check_out" } else { "check_in" };
    match position {
        Position::Located {
            latitude,
            longitude,
            accuracy_m,
        } => json!({
            "event": event, "at": at, "position": "located",
            "latitude_e6": (latitude.clamp(-90.0, 90.0) * 1e6).round() as i64,
            "longitude_e6": (longitude.clamp(-180.0, 180.0) * 1e6).round() as i64,
            "accuracy_m": accuracy_m.clamp(0.0, 100_000.0).round() as i64,
        }),
        Position::Refused => json!({"event": event, "at": at, "position": "refused"}),
        Position::Unavailable => json!({"event": event, "at": at, "position": "unavailable"}),
    }
}

/// True when the report's last attendance line is a check-in.
pub fn on_floor(report: &PromotionReport) -> bool {
    report
        .attendance
        .as_deref()
        .and_then(<[_]>::last)
        .is_some_and(|a| a.event == "check_in")
}

/// Adds `delta` units of `product` to the day's lines (never below zero); the amount follows at
/// `unit_price` 分 when the product has one. A product counted down to zero keeps its line, so the
/// form does not jump under the promoter's finger.
pub fn count(lines: &mut Vec<SalesLine>, product: &str, delta: i64, unit_price: Option<i64>) {
    set_units(
        lines,
        product,
        units_of(lines, product).saturating_add(delta),
        unit_price,
    );
}

/// Sets the units of `product` (clamped to `0..=MAX_COUNT`).
pub fn set_units(lines: &mut Vec<SalesLine>, product: &str, units: i64, unit_price: Option<i64>) {
    let units = units.clamp(0, crate::domain::MAX_COUNT);
    let amount = unit_price.map(|p| p.saturating_mul(units).min(crate::domain::MAX_MONEY));
    match lines.iter_mut().find(|l| l.product_id == product) {
        Some(line) => {
            line.units = units;
            line.amount = amount;
        }
        None => lines.push(SalesLine {
            product_id: product.to_owned(),
            units,
            amount,
        }),
    }
}

/// The units counted for `product` so far.
pub fn units_of(lines: &[SalesLine], product: &str) -> i64 {
    lines
        .iter()
        .find(|l| l.product_id == product)
        .map_or(0, |l| l.units)
}

/// The day's totals: units and amount (分) over all lines.
pub fn totals(lines: &[SalesLine]) -> (i64, i64) {
    lines
        .iter()
        .fold((0, 0), |(u, a), l| (u + l.units, a + l.amount.unwrap_or(0)))
}

/// The fields to write after a count: the lines and the report's totals with them.
pub fn sales_patch(lines: &[SalesLine]) -> Map<String, Value> {
    let (units, amount) = totals(lines);
    let rows: Vec<Value> = lines
        .iter()
        .map(|l| {
            let mut row = json!({"product_id": l.product_id, "units": l.units});
            if let Some(amount) = l.amount {
                row["amount"] = json!(amount);
            }
            row
        })
        .collect();
    let patch = json!({"sales_lines": rows, "units_sold": units, "sales_amount": amount});
    patch.as_object().cloned().unwrap_or_default()
}

/// Where the day's report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayState {
    /// Being recorded; not yet submitted.
    Open,
    /// Submitted; the promoter may still correct it until it is reviewed.
    Submitted,
    /// The supervisor reviewed it: closed for the promoter.
    Reviewed,
}

impl DayState {
    pub fn of(report: &PromotionReport) -> Self {
        if report.reviewed_at.is_some() {
            DayState::Reviewed
        } else if report.submitted_at.is_some() {
            DayState::Submitted
        } else {
            DayState::Open
        }
    }

    /// Whether the promoter may still change the report.
    pub fn editable(self) -> bool {
        self != DayState::Reviewed
    }
}

/// One day's reports as a supervisor works through them: those submitted and waiting for review
/// first, then those still being recorded, then those reviewed; within each, by store then id.
pub fn review_queue<'a>(
    reports: impl IntoIterator<Item = (&'a str, &'a PromotionReport)>,
    day: NaiveDate,
) -> Vec<(&'a str, &'a PromotionReport)> {
    let rank = |r: &PromotionReport| match DayState::of(r) {
        DayState::Submitted => 0,
        DayState::Open => 1,
        DayState::Reviewed => 2,
    };
    let mut queue: Vec<(&str, &PromotionReport)> = reports
        .into_iter()
        .filter(|(_, r)| r.report_date == day)
        .collect();
    queue.sort_by(|a, b| (rank(a.1), &a.1.store_id, a.0).cmp(&(rank(b.1), &b.1.store_id, b.0)));
    queue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::PromotionReport;

    /// Ids as the validation wants them, for the tests that validate.
    const PROMO: &str = "0193b3c4-7a1e-7000-8000-000000000001";
    const STORE: &str = "0193b3c4-7a1e-7000-8000-000000000002";
    const ME: &str = "0193b3c4-7a1e-7000-8000-000000000003";
    const P1: &str = "0193b3c4-7a1e-7000-8000-000000000004";
    const P2: &str = "0193b3c4-7a1e-7000-8000-000000000005";
    const P3: &str = "0193b3c4-7a1e-7000-8000-000000000006";

    fn day(text: &str) -> NaiveDate {
        crate::time::parse_date(text).unwrap()
    }

    fn promotion(fields: Value) -> Promotion {
        let mut base = json!({
            "name": "双十二", "kind": "discount", "unit_id": "u", "status": "running",
            "starts_on": "2026-12-01", "ends_on": "2026-12-03",
            "store_ids": ["s1", "s2", "s3"], "promoter_ids": ["me", "other"],
        });
        for (k, v) in fields.as_object().unwrap() {
            base[k] = v.clone();
        }
        Promotion::from_fields(base.as_object().unwrap()).unwrap()
    }

    #[test]
    fn todays_work_is_live_promotions_listing_me_in_my_shift_stores_or_the_stores_i_see() {
        let plain = promotion(json!({}));
        let shifted = promotion(json!({"promoter_shifts": [
            {"day": "2026-12-01", "store_id": "s3", "promoter_id": "me"},
            {"day": "2026-12-02", "store_id": "s1", "promoter_id": "me"},
            {"day": "2026-12-01", "store_id": "s1", "promoter_id": "other"},
        ]}));
        let planned = promotion(json!({"status": "planned"}));
        let not_mine = promotion(json!({"promoter_ids": ["other"]}));
        let over = promotion(json!({"ends_on": "2026-12-01"}));
        let sees = |s: &str| s != "s2";
        let today = day("2026-12-01");
        let work = assignments(
            [
                ("a", &plain),
                ("b", &shifted),
                ("c", &planned),
                ("d", &not_mine),
                ("e", &over),
            ],
            "me",
            today,
            sees,
        );
        let pairs: Vec<_> = work
            .iter()
            .map(|a| (a.store_id.as_str(), a.promotion_id.as_str(), a.on_shift))
            .collect();
        assert_eq!(
            pairs,
            [
                ("s1", "a", false),
                ("s1", "e", false),
                ("s3", "a", false),
                ("s3", "b", true),
                ("s3", "e", false),
            ]
        );
        assert_eq!(stores_of(&work), ["s1", "s3"]);
        // The next day the shifted promotion moves me to s1; the one that ended is gone.
        let next = assignments(
            [("b", &shifted), ("e", &over)],
            "me",
            day("2026-12-02"),
            sees,
        );
        assert_eq!(next.len(), 1);
        assert_eq!((next[0].store_id.as_str(), next[0].on_shift), ("s1", true));
        assert!(assignments([("a", &plain)], "me", day("2026-12-04"), sees).is_empty());
    }

    #[test]
    fn counting_never_goes_below_zero_and_prices_the_amount() {
        let mut lines = Vec::new();
        count(&mut lines, P1, 1, Some(1_990));
        count(&mut lines, P1, 1, Some(1_990));
        count(&mut lines, P2, 3, None);
        count(&mut lines, P2, -5, None);
        assert_eq!(units_of(&lines, P1), 2);
        assert_eq!(units_of(&lines, P2), 0);
        assert_eq!(lines.len(), 2, "a line counted down to zero stays");
        set_units(&mut lines, P3, 12, Some(500));
        assert_eq!(totals(&lines), (14, 2 * 1_990 + 12 * 500));
        let patch = sales_patch(&lines);
        assert_eq!(patch["units_sold"], json!(14));
        assert_eq!(patch["sales_amount"], json!(9_980));
        assert_eq!(
            patch["sales_lines"][0],
            json!({"product_id": P1, "units": 2, "amount": 3_980})
        );
        assert_eq!(
            patch["sales_lines"][1],
            json!({"product_id": P2, "units": 0})
        );
        // The patch is a valid edit of a report.
        let mut report = new_report(PROMO, STORE, ME, day("2026-12-01"));
        report.extend(patch);
        assert_eq!(
            crate::domain::validate_create(crate::domain::Collection::PromotionReport, &report),
            Ok(())
        );
    }

    #[test]
    fn attendance_keeps_the_position_or_why_there_is_none() {
        let at = "2026-12-01T01:30:00Z";
        let located = attendance_line(
            false,
            at,
            Position::Located {
                latitude: 31.230_416,
                longitude: 121.473_701,
                accuracy_m: 24.6,
            },
        );
        assert_eq!(
            located,
            json!({"event": "check_in", "at": at, "position": "located",
                   "latitude_e6": 31_230_416, "longitude_e6": 121_473_701, "accuracy_m": 25})
        );
        let refused = attendance_line(true, at, Position::Refused);
        assert_eq!(
            refused,
            json!({"event": "check_out", "at": at, "position": "refused"})
        );
        let mut report = new_report(PROMO, STORE, ME, day("2026-12-01"));
        assert_eq!(
            DayState::of(&PromotionReport::from_fields(&report).unwrap()),
            DayState::Open
        );
        report.insert("attendance".into(), json!([located]));
        assert_eq!(
            crate::domain::validate_create(crate::domain::Collection::PromotionReport, &report),
            Ok(())
        );
        let typed = PromotionReport::from_fields(&report).unwrap();
        assert!(on_floor(&typed));
        report.insert("attendance".into(), json!([located, refused]));
        assert!(!on_floor(&PromotionReport::from_fields(&report).unwrap()));
    }

    #[test]
    fn a_submitted_day_stays_editable_until_reviewed() {
        let mut report = new_report("a", "s1", "me", day("2026-12-01"));
        report.insert("submitted_at".into(), json!("2026-12-01T10:00:00Z"));
        let state = DayState::of(&PromotionReport::from_fields(&report).unwrap());
        assert_eq!(state, DayState::Submitted);
        assert!(state.editable());
        report.insert("reviewed_at".into(), json!("2026-12-01T12:00:00Z"));
        let state = DayState::of(&PromotionReport::from_fields(&report).unwrap());
        assert_eq!(state, DayState::Reviewed);
        assert!(!state.editable());
    }

    #[test]
    fn the_days_report_is_found_by_promotion_store_promoter_and_day() {
        let r1 =
            PromotionReport::from_fields(&new_report("a", "s1", "me", day("2026-12-01"))).unwrap();
        let r2 =
            PromotionReport::from_fields(&new_report("a", "s1", "me", day("2026-11-30"))).unwrap();
        let r3 =
            PromotionReport::from_fields(&new_report("a", "s3", "me", day("2026-12-01"))).unwrap();
        let reports = [("r1", &r1), ("r2", &r2), ("r3", &r3)];
        assert_eq!(
            report_of(reports, "a", "s1", "me", day("2026-12-01")),
            Some("r1")
        );
        assert_eq!(report_of(reports, "a", "s2", "me", day("2026-12-01")), None);
        assert_eq!(
            report_of(reports, "a", "s1", "other", day("2026-12-01")),
            None
        );
    }

    #[test]
    fn a_days_review_queue_puts_waiting_reports_first_and_leaves_other_days_out() {
        let with = |store: &str, on: &str, fields: &[(&str, &str)]| {
            let mut r = new_report("a", store, "me", day(on));
            for (name, value) in fields {
                r.insert((*name).into(), json!(value));
            }
            PromotionReport::from_fields(&r).unwrap()
        };
        let submitted = [("submitted_at", "2026-12-01T10:00:00Z")];
        let reviewed = [
            ("submitted_at", "2026-12-01T10:00:00Z"),
            ("reviewed_at", "2026-12-01T12:00:00Z"),
        ];
        let reports = [
            ("r1", with("s1", "2026-12-01", &reviewed)),
            ("r2", with("s2", "2026-12-01", &[])),
            ("r3", with("s2", "2026-12-01", &submitted)),
            ("r4", with("s1", "2026-12-01", &submitted)),
            ("r5", with("s1", "2026-11-30", &submitted)),
        ];
        let queue = review_queue(reports.iter().map(|(id, r)| (*id, r)), day("2026-12-01"));
        let ids: Vec<&str> = queue.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, ["r4", "r3", "r2", "r1"]);
    }
}
