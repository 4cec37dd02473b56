//! Where the evaluation chart's marks go: a bar per day of sales, the baseline as a line across, the
//! promotion's days shaded, a scale of round amounts up the side and a date every week along the
//! bottom. Plain geometry for the web app to draw as SVG.

use chrono::NaiveDate;

use super::read::ChartDay;

/// Room for the scale on the left and the dates below.
pub const LEFT: f64 = 64.0;
pub const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 12.0;

/// One day's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub day: NaiveDate,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub during: bool,
    /// 分.
    pub amount: i64,
}

/// The chart's marks in a `width` × `height` box.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartLayout {
    pub bars: Vec<Bar>,
    /// The baseline's height, and its amount (分).
    pub baseline_y: f64,
    pub baseline: i64,
    /// The promotion's days: from `x` over `width`.
    pub shade: Option<(f64, f64)>,
    /// The scale: height and amount (分), from zero up.
    pub ticks: Vec<(f64, i64)>,
    /// Dates along the bottom: the middle of their bar and the day.
    pub dates: Vec<(f64, NaiveDate)>,
    /// The plotting area's bottom (the zero line) and right edge.
    pub floor: f64,
    pub right: f64,
}

/// A round step for about four ticks up to `top` (1, 2 or 5 times a power of ten).
fn step_for(top: i64) -> i64 {
    let rough = (top.max(1) as f64 / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    step.round() as i64
}

/// Lays out `days` in a `width` × `height` box.
pub fn layout(days: &[ChartDay], width: f64, height: f64) -> ChartLayout {
    let (floor, right) = (height - BOTTOM, width - RIGHT);
    if days.is_empty() || right <= LEFT || floor <= TOP {
        return ChartLayout {
            floor,
            right,
            ..ChartLayout::default()
        };
    }
    let baseline = days[0].baseline;
    let highest = days
        .iter()
        .map(|d| d.amount)
        .chain([baseline])
        .max()
        .unwrap_or(0)
        .max(1);
    let step = step_for(highest);
    let top = (highest + step - 1) / step * step;
    let y = |amount: i64| floor - (floor - TOP) * amount.max(0) as f64 / top as f64;
    let slot = (right - LEFT) / days.len() as f64;
    let gap = (slot * 0.2).min(4.0);
    let bars: Vec<Bar> = days
        .iter()
        .enumerate()
        .map(|(at, d)| {
            let top_y = y(d.amount);
            Bar {
                day: d.day,
                x: LEFT + slot * at as f64 + gap / 2.0,
                y: top_y,
                width: slot - gap,
                height: floor - top_y,
                during: d.during,
                amount: d.amount,
            }
        })
        .collect();
    let shade = {
        let during: Vec<usize> = (0..days.len()).filter(|&i| days[i].during).collect();
        during.first().zip(during.last()).map(|(&a, &b)| {
            let x = LEFT + slot * a as f64;
            (x, slot * (b - a + 1) as f64)
        })
    };
    let ticks = (0..=top / step).map(|n| (y(n * step), n * step)).collect();
    let every = ((days.len() as f64 / 6.0).ceil() as usize).max(7);
    let dates = (0..days.len())
        .step_by(every)
        .map(|i| (LEFT + slot * (i as f64 + 0.5), days[i].day))
        .collect();
    ChartLayout {
        bars,
        baseline_y: y(baseline),
        baseline,
        shade,
        ticks,
        dates,
        floor,
        right,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn days(amounts: &[i64], baseline: i64, during: std::ops::Range<usize>) -> Vec<ChartDay> {
        let first = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        amounts
            .iter()
            .enumerate()
            .map(|(i, &amount)| ChartDay {
                day: first + Duration::days(i as i64),
                amount,
                baseline,
                during: during.contains(&i),
            })
            .collect()
    }

    #[test]
    fn bars_stand_on_the_floor_in_proportion_and_the_baseline_crosses_at_its_height() {
        let l = layout(&days(&[100, 400, 0, 200], 200, 1..3), 464.0, 228.0);
        assert_eq!((l.floor, l.right), (200.0, 452.0));
        // Up to 400 in steps of 100: 400 is the top (y = 12), 200 half way.
        assert_eq!(l.ticks.len(), 5);
        assert_eq!(l.ticks.last().unwrap(), &(12.0, 400));
        assert_eq!(l.bars[1].y, 12.0);
        assert_eq!(l.bars[2].height, 0.0);
        assert!((l.baseline_y - 106.0).abs() < 1e-9);
        for bar in &l.bars {
            assert!((bar.y + bar.height - l.floor).abs() < 1e-9);
        }
        // The shade covers days 1 and 2: each slot is (452 − 64) / 4 = 97 wide.
        assert_eq!(l.shade, Some((64.0 + 97.0, 194.0)));
    }

    #[test]
    fn steps_are_round_and_nothing_breaks_on_empty_or_zero_series() {
        assert_eq!(step_for(1_234_567), 500_000);
        assert_eq!(step_for(7), 2);
        assert_eq!(step_for(0), 1);
        assert!(layout(&[], 400.0, 200.0).bars.is_empty());
        let zero = layout(&days(&[0, 0], 0, 0..0), 400.0, 200.0);
        assert!(zero.bars.iter().all(|b| b.height == 0.0));
        assert_eq!(zero.shade, None);
    }
}
