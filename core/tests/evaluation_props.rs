//! Properties of promotion evaluation over generated sales: a store whose sales do not change has no
//! uplift and no dip, and a promotion's figures are the sums of its stores'.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use yingxiao_core::evaluation::{evaluate, Amounts, Busy, BusyIndex, Evaluated, Sale, SalesIndex};

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
}

const STORES: [&str; 4] = ["s0", "s1", "s2", "s3"];
const PRODUCTS: [&str; 2] = ["tea", "juice"];

proptest! {
    #[test]
    fn a_store_selling_the_same_every_day_has_no_uplift_and_no_dip(
        units in 0_i64..500,
        price in 1_i64..10_000,
        offset in 56_i64..200,
        length in 1_i64..30,
    ) {
        let first = start() + Duration::days(offset);
        let last = first + Duration::days(length - 1);
        let sales: Vec<Sale> = start()
            .iter_days()
            .take_while(|d| *d <= last + Duration::days(20))
            .map(|day| Sale { store: "s0", product: "tea", day, units, amount: units * price })
            .collect();
        let index = SalesIndex::new(&sales);
        let promotion = Evaluated {
            id: "p", stores: vec!["s0"], products: vec![], first, last, cost: 1_000,
        };
        let e = evaluate(&promotion, &index, &BusyIndex::default(), &|_| Some(price / 2));
        prop_assert_eq!(e.total.uplift(), Amounts::default());
        prop_assert_eq!(e.total.dip(), Amounts::default());
        prop_assert_eq!(e.total.incremental_profit, 0);
    }

    #[test]
    fn a_promotions_figures_are_the_sums_of_its_stores(
        cells in prop::collection::vec((0_usize..4, 0_usize..2, 0_i64..150, 0_i64..50, 1_i64..5_000), 0..400),
        stores in prop::collection::btree_set(0_usize..4, 1..4),
        busy_from in 0_i64..80,
        length in 1_i64..21,
    ) {
        let sales: Vec<Sale> = cells
            .iter()
            .map(|&(s, p, d, units, price)| Sale {
                store: STORES[s], product: PRODUCTS[p], day: start() + Duration::days(d), units,
                amount: units * price,
            })
            .collect();
        let index = SalesIndex::new(&sales);
        let first = start() + Duration::days(70);
        let promotion = Evaluated {
            id: "p",
            stores: stores.iter().map(|&s| STORES[s]).collect(),
            products: vec!["tea"],
            first,
            last: first + Duration::days(length - 1),
            cost: 5_000,
        };
        let busy = [Busy { id: "q", store: "s1", first: start() + Duration::days(busy_from), last: start() + Duration::days(busy_from + 6) }];
        let e = evaluate(&promotion, &index, &BusyIndex::new(&busy), &|p| (p == "tea").then_some(300));
        let sum = |f: fn(&yingxiao_core::evaluation::Figures) -> Amounts| {
            e.stores.iter().fold(Amounts::default(), |a, s| a + f(&s.figures))
        };
        prop_assert_eq!(e.stores.len(), stores.len());
        prop_assert_eq!(e.total.actual, sum(|f| f.actual));
        prop_assert_eq!(e.total.baseline, sum(|f| f.baseline));
        prop_assert_eq!(e.total.uplift(), sum(|f| f.uplift()));
        prop_assert_eq!(e.total.dip(), sum(|f| f.dip()));
        prop_assert_eq!(
            e.total.incremental_profit,
            e.stores.iter().map(|s| s.figures.incremental_profit).sum::<i64>()
        );
    }
}
