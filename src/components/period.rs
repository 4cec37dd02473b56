//! The period a page's figures are for (this month, quarter, year, the last 12 months, or chosen
//! dates), in the device's time zone.

use yingxiao_core::{
    funnel::Period,
    time::{parse_date, Datelike},
};

use crate::i18n::Key;

/// Which period the figures are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PeriodChoice {
    Month,
    Quarter,
    Year,
    Last12,
    Custom,
}

impl PeriodChoice {
    pub(crate) const ALL: [(PeriodChoice, &'static str, Key); 5] = [
        (PeriodChoice::Month, "month", Key::FunnelPeriodMonth),
        (PeriodChoice::Quarter, "quarter", Key::FunnelPeriodQuarter),
        (PeriodChoice::Year, "year", Key::FunnelPeriodYear),
        (PeriodChoice::Last12, "last12", Key::FunnelPeriodLast12),
        (PeriodChoice::Custom, "custom", Key::FunnelPeriodCustom),
    ];

    pub(crate) fn parse(wire: &str) -> PeriodChoice {
        Self::ALL
            .iter()
            .find(|(_, w, _)| *w == wire)
            .map_or(PeriodChoice::Month, |(c, _, _)| *c)
    }
}

/// Local midnight of a calendar day (the month may run past 11 or below 0: the Date rolls it over).
fn local_day_ms(year: u32, month0: i32, day: i32) -> i64 {
    js_sys::Date::new_with_year_month_day(year, month0, day).get_time() as i64
}

/// A date input's `"2026-11-27"` as (year, month0, day), the arguments of a local `Date`.
fn parse_day(text: &str) -> Option<(u32, i32, i32)> {
    let day = parse_date(text)?;
    Some((day.year() as u32, day.month0() as i32, day.day() as i32))
}

/// The chosen period in the device's time zone, and the name it gives an exported file; `None` for
/// custom dates not (yet) filled in or the wrong way round.
pub(crate) fn chosen_period(
    choice: PeriodChoice,
    from: &str,
    to: &str,
) -> Option<(Period, String)> {
    let today = js_sys::Date::new_0();
    let (year, month0) = (today.get_full_year(), today.get_month() as i32);
    Some(match choice {
        PeriodChoice::Month => (
            Period::new(
                local_day_ms(year, month0, 1),
                local_day_ms(year, month0 + 1, 1),
            ),
            format!("{year}-{:02}", month0 + 1),
        ),
        PeriodChoice::Quarter => {
            let first = month0 / 3 * 3;
            (
                Period::new(
                    local_day_ms(year, first, 1),
                    local_day_ms(year, first + 3, 1),
                ),
                format!("{year}-Q{}", first / 3 + 1),
            )
        }
        PeriodChoice::Year => (
            Period::new(local_day_ms(year, 0, 1), local_day_ms(year + 1, 0, 1)),
            year.to_string(),
        ),
        PeriodChoice::Last12 => (
            Period::new(
                local_day_ms(year, month0 - 11, 1),
                local_day_ms(year, month0 + 1, 1),
            ),
            format!("{year}-{:02}-12m", month0 + 1),
        ),
        PeriodChoice::Custom => {
            let (fy, fm, fd) = parse_day(from)?;
            let (ty, tm, td) = parse_day(to)?;
            let period = Period::new(local_day_ms(fy, fm, fd), local_day_ms(ty, tm, td + 1));
            if period.start_ms >= period.end_ms {
                return None;
            }
            (period, format!("{from}_{to}"))
        }
    })
}
