//! The ranking (销售考核) as the rows of its CSV and .xlsx files, and a metric's figure as a cell.

use super::{actuals::Metric, score::Scorecard};
use crate::{export::Cell, money::COMPANY_CURRENCY};

/// A metric's value as the targets pages write it: amounts in whole yuan (`120,000`: targets are set
/// in yuan), counts as they are, both grouped by thousands.
pub fn figure(metric: Metric, value: i64) -> Cell {
    if metric.is_money() {
        Cell::Money {
            minor: value,
            currency: COMPANY_CURRENCY,
            whole: true,
        }
    } else {
        Cell::Integer {
            value,
            grouped: true,
        }
    }
}

/// One ranked subject's row: its `rank`, `name`, the unit it sits in (`place`) and score, then for
/// each of `metrics` its target, actual, attainment (`—` without a target), weight and points, or
/// five empty cells for a metric it is not assessed on. The header names the columns in this order.
pub fn ranking_row(
    rank: usize,
    name: &str,
    place: &str,
    card: &Scorecard,
    metrics: &[Metric],
) -> Vec<Cell> {
    let mut cells = vec![
        Cell::integer(rank as i64),
        Cell::text(name),
        Cell::text(place),
        Cell::decimal(Some(card.score), 1),
    ];
    for metric in metrics {
        match card.parts.iter().find(|p| p.metric == *metric) {
            Some(p) => cells.extend([
                figure(p.metric, p.target),
                figure(p.metric, p.actual),
                p.attained.map_or_else(
                    || Cell::text("—"),
                    |ratio| Cell::Percent { ratio, places: 0 },
                ),
                Cell::Percent {
                    ratio: f64::from(p.weight) / 100.0,
                    places: 0,
                },
                Cell::decimal(Some(p.points), 1),
            ]),
            None => cells.extend(std::iter::repeat_n(Cell::Empty, 5)),
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::score::Part;

    #[test]
    fn a_ranked_row_writes_its_figures_as_the_ranking_always_did() {
        let card = Scorecard {
            row: 0,
            role: "sales_rep".into(),
            parts: vec![
                Part {
                    metric: Metric::SalesAmount,
                    weight: 57,
                    target: 12_000_050,
                    actual: 10_200_000,
                    attained: Some(0.85),
                    points: 48.46,
                },
                Part {
                    metric: Metric::Visits,
                    weight: 43,
                    target: 0,
                    actual: 1_200,
                    attained: None,
                    points: 0.0,
                },
            ],
            score: 48.46,
        };
        let metrics = [Metric::SalesAmount, Metric::OrderCount, Metric::Visits];
        let row = ranking_row(2, "张三", "华北", &card, &metrics);
        let texts: Vec<String> = row.iter().map(Cell::csv_text).collect();
        assert_eq!(
            texts,
            [
                "2", "张三", "华北", "48.5", "120,001", "102,000", "85%", "57%", "48.5", "", "",
                "", "", "", "0", "1,200", "—", "43%", "0.0",
            ]
        );
        assert_eq!(
            row[4],
            Cell::Money {
                minor: 12_000_050,
                currency: COMPANY_CURRENCY,
                whole: true
            }
        );
    }
}
