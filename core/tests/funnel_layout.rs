//! Funnel chart layout properties over random values, texts and sizes: labels never overlap and never
//! leave the drawing, and bands stay in order, tappable and apart.

use proptest::prelude::*;
use yingxiao_core::funnel::*;

/// Values as the funnel meets them: zeros, ordinary counts, huge amounts, all at once.
fn arb_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        0.0..10.0f64,
        0.0..1_000.0f64,
        Just(1e12),
        (1u32..=1_000_000).prop_map(f64::from),
    ]
}

/// Label lines mixing Chinese and ASCII, some long, some empty.
fn arb_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[了解比较谈判确定赢单]{1,4}",
        "[0-9,.¥%]{1,14}",
        "[a-zA-Z ]{1,24}",
        "[停留中位天数 0-9.]{1,16}",
    ]
}

fn arb_bands() -> impl Strategy<Value = Vec<BandInput>> {
    prop::collection::vec(
        (arb_value(), prop::collection::vec(arb_line(), 0..5))
            .prop_map(|(value, lines)| BandInput { value, lines }),
        1..7,
    )
}

fn arb_spec() -> impl Strategy<Value = LayoutSpec> {
    (
        prop_oneof![60.0..200.0f64, 200.0..1200.0f64],
        0.0..700.0f64,
        10.0..18.0f64,
    )
        .prop_map(|(width, height, font_px)| LayoutSpec {
            width,
            height,
            font_px,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn no_two_labels_overlap(
        bands in arb_bands(),
        steps in prop::collection::vec(arb_line(), 0..7),
        spec in arb_spec(),
    ) {
        let layout = layout_funnel(&bands, &steps, &spec);
        for (i, a) in layout.labels.iter().enumerate() {
            for b in &layout.labels[i + 1..] {
                prop_assert!(!a.rect.intersects(&b.rect), "{:?} overlaps {:?}", a, b);
            }
        }
    }

    #[test]
    fn every_label_stays_inside_the_drawing(
        bands in arb_bands(),
        steps in prop::collection::vec(arb_line(), 0..7),
        spec in arb_spec(),
    ) {
        let layout = layout_funnel(&bands, &steps, &spec);
        prop_assert!(layout.width <= spec.width.max(MIN_BAND + 8.0) + 1e-9);
        prop_assert!(layout.height >= spec.height);
        for label in &layout.labels {
            prop_assert!(layout.view_box().contains(&label.rect), "{:?} leaves {:?}", label, layout.view_box());
            // The box is as wide as its longest line is estimated to be.
            let widest = label.lines.iter().map(|l| text_width(l, spec.font_px)).fold(0.0, f64::max);
            prop_assert!(widest <= label.rect.w + 1e-6);
            prop_assert!(label.rect.h + 1e-6 >= layout.line_height * label.lines.len() as f64);
            for &(x, y) in &label.leader {
                prop_assert!((0.0..=layout.width).contains(&x) && (0.0..=layout.height).contains(&y));
            }
        }
    }

    #[test]
    fn labels_on_the_funnel_sit_in_their_band_and_others_keep_clear_of_every_band(
        bands in arb_bands(),
        steps in prop::collection::vec(arb_line(), 0..7),
        spec in arb_spec(),
    ) {
        let layout = layout_funnel(&bands, &steps, &spec);
        for label in &layout.labels {
            match (label.inside, label.of) {
                (true, LabelOf::Band(i)) => {
                    prop_assert!(layout.bands[i].inner().contains(&label.rect));
                }
                (true, LabelOf::Step(i)) => {
                    prop_assert!(label.rect.y >= layout.bands[i].bottom - 1e-9);
                    prop_assert!(label.rect.bottom() <= layout.bands[i + 1].top + 1e-9);
                }
                (false, _) => {
                    for band in &layout.bands {
                        prop_assert!(!band.bounds().intersects(&label.rect));
                    }
                }
            }
        }
    }

    #[test]
    fn bands_are_ordered_apart_tappable_and_inside(
        bands in arb_bands(),
        spec in arb_spec(),
    ) {
        let layout = layout_funnel(&bands, &[], &spec);
        prop_assert_eq!(layout.bands.len(), bands.len());
        for band in &layout.bands {
            prop_assert!(band.bottom - band.top >= MIN_BAND - 1e-9);
            prop_assert!(band.top_width >= MIN_BAND - 1e-9 && band.bottom_width >= MIN_BAND - 1e-9);
            prop_assert!(layout.view_box().contains(&band.bounds()));
        }
        for pair in layout.bands.windows(2) {
            prop_assert!(pair[0].bottom < pair[1].top);
        }
        // A larger value never draws a narrower band.
        for (a, b) in bands.iter().zip(&layout.bands) {
            for (c, d) in bands.iter().zip(&layout.bands) {
                if a.value > c.value {
                    prop_assert!(b.top_width >= d.top_width);
                }
            }
        }
    }
}
