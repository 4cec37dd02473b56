//! Geometry of the funnel chart (漏斗图): a trapezoid band per stage sized by its value, and labels
//! placed so that none overlaps another and none leaves the drawing.
//!
//! Text is measured by estimate (CJK ≈ 1 em, Latin letters and digits ≈ 0.6 em, wide and narrow
//! ones apart), so a label is laid out with the room its text needs in the widest usual font (DejaVu
//! Sans, which Linux browsers fall back to, is wider than Arial or PingFang's Latin). A band's labels go inside it when they fit, otherwise into a
//! column to the right of the funnel with a leader line; labels in that column are stacked so they
//! never touch, and the drawing grows taller rather than let one leave it. A line too long even for
//! the column wraps at its spaces onto more lines; only a single word wider than the column is
//! shortened with "…" (the full figures are in the chart's table and details panel).

/// Space around the drawing, px.
const MARGIN: f64 = 4.0;
/// Smallest band width and height: a band is a touch target even when its stage is empty.
pub const MIN_BAND: f64 = 44.0;
/// Horizontal room between a band's edge and its text.
const INSET: f64 = 6.0;
/// Vertical room between a band's top or bottom and its text.
const INSET_Y: f64 = 2.0;
/// Between two stacked outside labels.
const STACK_GAP: f64 = 4.0;
/// Room for the leader line between the funnel column and the label column.
const LEADER_ROOM: f64 = 18.0;
/// Gap between two bands when no step label sits in it.
const PLAIN_GAP: f64 = 6.0;
/// The funnel keeps at least this share of the width when labels need a column beside it.
const MIN_FUNNEL_SHARE: f64 = 0.4;
/// Line height as a multiple of the font size.
const LINE_HEIGHT: f64 = 1.35;
const ELLIPSIS: char = '…';

/// The size of the drawing and its text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutSpec {
    /// Width of the drawing, px; the layout never goes wider.
    pub width: f64,
    /// Wished height, px; the layout grows taller when bands or labels need it.
    pub height: f64,
    pub font_px: f64,
}

/// One stage to draw: its value (a count or an amount) and its label lines, first line first.
#[derive(Clone, Debug, PartialEq)]
pub struct BandInput {
    pub value: f64,
    pub lines: Vec<String>,
}

pub use crate::geometry::Rect;

/// One band: a trapezoid centred on `center_x`, from `top` to `bottom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandShape {
    pub top: f64,
    pub bottom: f64,
    pub top_width: f64,
    pub bottom_width: f64,
    pub center_x: f64,
}

impl BandShape {
    /// Corners clockwise from the top left, for an SVG `polygon`.
    pub fn points(&self) -> [(f64, f64); 4] {
        let (t, b) = (self.top_width / 2.0, self.bottom_width / 2.0);
        [
            (self.center_x - t, self.top),
            (self.center_x + t, self.top),
            (self.center_x + b, self.bottom),
            (self.center_x - b, self.bottom),
        ]
    }

    /// The box around the band.
    pub fn bounds(&self) -> Rect {
        let w = self.top_width.max(self.bottom_width);
        Rect {
            x: self.center_x - w / 2.0,
            y: self.top,
            w,
            h: self.bottom - self.top,
        }
    }

    /// The widest box that lies inside the trapezoid over its full height.
    pub fn inner(&self) -> Rect {
        let w = self.top_width.min(self.bottom_width);
        Rect {
            x: self.center_x - w / 2.0,
            y: self.top,
            w,
            h: self.bottom - self.top,
        }
    }

    /// Half the band's width at height `y` (clamped to the band).
    fn half_width_at(&self, y: f64) -> f64 {
        let h = self.bottom - self.top;
        let t = if h > 0.0 {
            ((y - self.top) / h).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (self.top_width + (self.bottom_width - self.top_width) * t) / 2.0
    }
}

/// What a label tells about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelOf {
    /// The band of stage `i` (name, count, amount, dwell).
    Band(usize),
    /// The step conversion from band `i` to band `i + 1`.
    Step(usize),
}

/// A placed label: its lines (maybe shortened), its box, and how it is tied to the funnel.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedLabel {
    pub of: LabelOf,
    pub lines: Vec<String>,
    pub rect: Rect,
    /// Inside its band (or in the gap between two bands): text centred on the funnel's axis.
    /// Otherwise in the column beside the funnel, text starting at the box's left edge.
    pub inside: bool,
    /// For a label beside the funnel: the leader line's points, from the band to the label.
    pub leader: Vec<(f64, f64)>,
}

impl PlacedLabel {
    /// Where to write each line: `(x, y)` of the line's centre on the axis the text is anchored to
    /// (`text-anchor: middle` inside, `start` beside) and `dominant-baseline: central`.
    pub fn line_anchors(&self, line_height: f64) -> Vec<(f64, f64)> {
        let x = if self.inside {
            self.rect.x + self.rect.w / 2.0
        } else {
            self.rect.x
        };
        (0..self.lines.len())
            .map(|i| (x, self.rect.y + line_height * (i as f64 + 0.5)))
            .collect()
    }
}

/// The whole drawing: its view box, the bands in funnel order, and every label.
#[derive(Clone, Debug, PartialEq)]
pub struct FunnelLayout {
    pub width: f64,
    pub height: f64,
    pub line_height: f64,
    pub bands: Vec<BandShape>,
    pub labels: Vec<PlacedLabel>,
}

impl FunnelLayout {
    /// The view box, `0 0 width height`.
    pub fn view_box(&self) -> Rect {
        Rect {
            x: 0.0,
            y: 0.0,
            w: self.width,
            h: self.height,
        }
    }
}

/// Estimated advance of one character in em, rounded up from DejaVu Sans: CJK, arrows and other wide
/// characters 1, digits 0.64, most letters 0.6 (capitals 0.72, `m` `w` `%` nearly 1, `i` `l` `.`
/// about 0.3), anything else 0.8.
fn char_em(c: char) -> f64 {
    match c {
        ' ' | 'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 0.32,
        'f' | 'r' | 't' | '(' | ')' | '[' | ']' | '-' | '/' => 0.45,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.95,
        '0'..='9' => 0.64,
        c if c.is_ascii_uppercase() => 0.72,
        c if c.is_ascii() => 0.6,
        '\u{2190}'..='\u{21FF}' => 1.0,
        c if is_wide(c) => 1.0,
        _ => 0.8,
    }
}

/// CJK ideographs, kana, hangul and full-width forms: one em each.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Estimated width of a line of text, px.
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().map(char_em).sum::<f64>() * font_px
}

/// The text, shortened with "…" if needed so its estimated width is at most `max_w`; empty when not
/// even the ellipsis fits.
pub(crate) fn fit_line(text: &str, max_w: f64, font_px: f64) -> String {
    if text_width(text, font_px) <= max_w {
        return text.to_owned();
    }
    let mut used = char_em(ELLIPSIS) * font_px;
    if used > max_w {
        return String::new();
    }
    let mut kept = String::new();
    for c in text.chars() {
        let w = char_em(c) * font_px;
        if used + w > max_w {
            break;
        }
        used += w;
        kept.push(c);
    }
    kept.push(ELLIPSIS);
    kept
}

/// The text broken at its spaces into lines of estimated width at most `max_w` (as few as will do);
/// a word wider than that on its own is shortened with "…".
fn wrap_line(text: &str, max_w: f64, font_px: f64) -> Vec<String> {
    if text_width(text, font_px) <= max_w {
        return vec![text.to_owned()];
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let joined = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&joined, font_px) <= max_w {
            line = joined;
        } else {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = fit_line(word, max_w, font_px);
        }
    }
    lines.push(line);
    lines.retain(|l| !l.is_empty());
    lines
}

/// A label still to place: what it is, its lines, and the box its text needs.
struct Pending {
    of: LabelOf,
    lines: Vec<String>,
    w: f64,
    h: f64,
}

fn pending(of: LabelOf, lines: &[String], font_px: f64, line_height: f64) -> Option<Pending> {
    let lines: Vec<String> = lines.iter().filter(|l| !l.is_empty()).cloned().collect();
    if lines.is_empty() {
        return None;
    }
    let w = lines
        .iter()
        .map(|l| text_width(l, font_px))
        .fold(0.0, f64::max);
    Some(Pending {
        of,
        h: line_height * lines.len() as f64,
        lines,
        w,
    })
}

/// The bands for a funnel column `column_w` wide starting at `MARGIN`.
fn shapes(values: &[f64], column_w: f64, band_h: f64, gap: f64) -> Vec<BandShape> {
    let min_w = MIN_BAND.min(column_w);
    let clean: Vec<f64> = values
        .iter()
        .map(|v| if v.is_finite() && *v > 0.0 { *v } else { 0.0 })
        .collect();
    let max = clean.iter().copied().fold(0.0, f64::max);
    let width = |v: f64| {
        if max > 0.0 {
            min_w + (column_w - min_w) * (v / max)
        } else {
            min_w
        }
    };
    let widths: Vec<f64> = clean.iter().map(|v| width(*v)).collect();
    let center_x = MARGIN + column_w / 2.0;
    widths
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            // Narrowing into the next band reads as a funnel; a band never widens past its own value.
            let bottom_width = match widths.get(i + 1) {
                Some(&next) => w.min(next),
                None => (w * 0.75).max(min_w),
            };
            let top = MARGIN + i as f64 * (band_h + gap);
            BandShape {
                top,
                bottom: top + band_h,
                top_width: w,
                bottom_width,
                center_x,
            }
        })
        .collect()
}

/// Whether a label fits in its place on the funnel: a band's inside, or the gap below a band.
fn fits_inside(label: &Pending, bands: &[BandShape], column_w: f64, gap: f64) -> bool {
    match label.of {
        LabelOf::Band(i) => {
            let inner = bands[i].inner();
            label.w <= inner.w - 2.0 * INSET && label.h <= inner.h - 2.0 * INSET_Y
        }
        LabelOf::Step(_) => label.w <= column_w - 2.0 * INSET && label.h <= gap,
    }
}

/// Where a label would sit on the funnel, centred on its band or gap.
fn inside_rect(label: &Pending, bands: &[BandShape], gap: f64) -> Rect {
    let (center_x, center_y) = match label.of {
        LabelOf::Band(i) => (bands[i].center_x, (bands[i].top + bands[i].bottom) / 2.0),
        LabelOf::Step(i) => (bands[i].center_x, bands[i].bottom + gap / 2.0),
    };
    Rect {
        x: center_x - label.w / 2.0,
        y: center_y - label.h / 2.0,
        w: label.w,
        h: label.h,
    }
}

/// Lays out a funnel of `bands` top to bottom, with `steps[i]` (the conversion from band `i` to
/// `i + 1`, empty for none) between them. See the module doc for the rules.
pub fn layout_funnel(bands: &[BandInput], steps: &[String], spec: &LayoutSpec) -> FunnelLayout {
    let font = if spec.font_px.is_finite() && spec.font_px > 0.0 {
        spec.font_px
    } else {
        12.0
    };
    let line_height = font * LINE_HEIGHT;
    let width = if spec.width.is_finite() {
        spec.width.max(MIN_BAND + 2.0 * MARGIN)
    } else {
        MIN_BAND + 2.0 * MARGIN
    };
    let n = bands.len();
    let steps: Vec<&str> = (0..n.saturating_sub(1))
        .map(|i| steps.get(i).map_or("", String::as_str))
        .collect();
    let gap = if steps.iter().any(|s| !s.is_empty()) {
        line_height + 2.0
    } else {
        PLAIN_GAP
    };
    let wished = if spec.height.is_finite() {
        spec.height
    } else {
        0.0
    };
    let gaps = gap * n.saturating_sub(1) as f64;
    let band_h = ((wished - 2.0 * MARGIN - gaps) / n.max(1) as f64).max(MIN_BAND);
    let mut height = wished.max(2.0 * MARGIN + band_h * n as f64 + gaps);

    // Labels in reading order: band, step, band, … — the order they stack in beside the funnel.
    let mut labels: Vec<Pending> = Vec::new();
    for (i, band) in bands.iter().enumerate() {
        labels.extend(pending(LabelOf::Band(i), &band.lines, font, line_height));
        if let Some(step) = steps.get(i).filter(|s| !s.is_empty()) {
            labels.extend(pending(
                LabelOf::Step(i),
                &[step.to_string()],
                font,
                line_height,
            ));
        }
    }
    let values: Vec<f64> = bands.iter().map(|b| b.value).collect();
    let full = width - 2.0 * MARGIN;

    // Widen the label column until the labels that do not fit on the funnel fit in it (or the funnel
    // would get too narrow); narrowing the funnel can push more labels out, hence the few rounds.
    let max_column = (full - (full * MIN_FUNNEL_SHARE).max(MIN_BAND.min(full))).max(0.0);
    let mut column = 0.0_f64;
    for _ in 0..4 {
        let funnel_w = full - column;
        let bands = shapes(&values, funnel_w, band_h, gap);
        let needed = labels
            .iter()
            .filter(|l| !fits_inside(l, &bands, funnel_w, gap))
            .map(|l| l.w + LEADER_ROOM)
            .fold(0.0, f64::max);
        if needed <= column {
            break;
        }
        column = needed.min(max_column);
        if column >= max_column {
            break;
        }
    }
    let funnel_w = full - column;
    let shapes = shapes(&values, funnel_w, band_h, gap);
    let column_x = MARGIN + funnel_w + LEADER_ROOM;
    let column_w = (width - MARGIN - column_x).max(0.0);

    let mut placed = Vec::with_capacity(labels.len());
    let mut beside: Vec<(Pending, f64)> = Vec::new();
    for label in labels {
        if fits_inside(&label, &shapes, funnel_w, gap) {
            let rect = inside_rect(&label, &shapes, gap);
            placed.push(PlacedLabel {
                of: label.of,
                lines: label.lines,
                rect,
                inside: true,
                leader: Vec::new(),
            });
        } else if column_w > 0.0 {
            let lines: Vec<String> = label
                .lines
                .iter()
                .flat_map(|l| wrap_line(l, column_w, font))
                .collect();
            let w = lines
                .iter()
                .map(|l| text_width(l, font))
                .fold(0.0, f64::max);
            let want = inside_rect(&label, &shapes, gap);
            beside.push((
                Pending {
                    of: label.of,
                    h: line_height * lines.len() as f64,
                    lines,
                    w,
                },
                want.y + want.h / 2.0,
            ));
        }
        // With no room for a column at all the label is left out; the table and panel still tell.
    }

    // Stack the column: each label as near its band as the ones above allow, then pushed back up
    // from the bottom; when they cannot all fit, the drawing grows.
    let mut tops: Vec<f64> = Vec::with_capacity(beside.len());
    let mut floor = MARGIN;
    for (label, center) in &beside {
        let top = (center - label.h / 2.0).max(floor);
        tops.push(top);
        floor = top + label.h + STACK_GAP;
    }
    let mut ceiling = height - MARGIN;
    for (i, (label, _)) in beside.iter().enumerate().rev() {
        tops[i] = tops[i].min(ceiling - label.h);
        ceiling = tops[i] - STACK_GAP;
    }
    if tops.first().is_some_and(|t| *t < MARGIN) {
        let mut floor = MARGIN;
        for (i, (label, _)) in beside.iter().enumerate() {
            tops[i] = floor;
            floor += label.h + STACK_GAP;
        }
        height = height.max(floor - STACK_GAP + MARGIN);
    }
    for ((label, center), top) in beside.into_iter().zip(tops) {
        let rect = Rect {
            x: column_x,
            y: top,
            w: label.w,
            h: label.h,
        };
        let (band, y) = match label.of {
            LabelOf::Band(i) => (&shapes[i], center),
            LabelOf::Step(i) => (&shapes[i], shapes[i].bottom),
        };
        // Out of the band at its own height, along to the funnel column's edge, then to the label:
        // the slanted part runs where no band is.
        let leader = vec![
            (band.center_x + band.half_width_at(y), center),
            (MARGIN + funnel_w + 2.0, center),
            (column_x - 3.0, top + label.h / 2.0),
        ];
        placed.push(PlacedLabel {
            of: label.of,
            lines: label.lines,
            rect,
            inside: false,
            leader,
        });
    }

    FunnelLayout {
        width,
        height,
        line_height,
        bands: shapes,
        labels: placed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(value: f64, lines: &[&str]) -> BandInput {
        BandInput {
            value,
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn text_width_counts_cjk_as_one_em_and_latin_by_its_usual_advance() {
        assert_eq!(text_width("了解", 10.0), 20.0);
        assert!((text_width("12", 10.0) - 12.8).abs() < 1e-9);
        // A wide letter takes more room than a narrow one; an arrow as much as a CJK character.
        assert!(text_width("m", 10.0) > 2.0 * text_width("i", 10.0));
        assert_eq!(text_width("↓", 10.0), 10.0);
    }

    #[test]
    fn band_widths_follow_values_with_a_tappable_minimum() {
        let bands = [band(100.0, &[]), band(50.0, &[]), band(0.0, &[])];
        let spec = LayoutSpec {
            width: 408.0,
            height: 300.0,
            font_px: 12.0,
        };
        let layout = layout_funnel(&bands, &[], &spec);
        // No labels: the funnel takes the whole width less the margins.
        assert_eq!(layout.bands[0].top_width, 400.0);
        assert_eq!(layout.bands[1].top_width, 44.0 + 356.0 / 2.0);
        assert_eq!(layout.bands[2].top_width, MIN_BAND);
        // A band narrows into the next one; the last tapers but stays tappable.
        assert_eq!(layout.bands[0].bottom_width, layout.bands[1].top_width);
        assert_eq!(layout.bands[2].bottom_width, MIN_BAND);
        assert_eq!(layout.bands[0].center_x, 204.0);
        assert_eq!(layout.height, 300.0);
    }

    #[test]
    fn labels_that_fit_sit_inside_their_band_centred() {
        let bands = [band(10.0, &["了解", "10"]), band(8.0, &["比较", "8"])];
        let steps = ["80%".to_string()];
        let spec = LayoutSpec {
            width: 400.0,
            height: 200.0,
            font_px: 12.0,
        };
        let layout = layout_funnel(&bands, &steps, &spec);
        assert!(layout.labels.iter().all(|l| l.inside));
        let first = &layout.labels[0];
        assert_eq!(first.of, LabelOf::Band(0));
        assert_eq!(first.rect.w, 24.0);
        assert_eq!(first.rect.x + first.rect.w / 2.0, layout.bands[0].center_x);
        // The step label sits in the gap between the two bands.
        let step = layout
            .labels
            .iter()
            .find(|l| l.of == LabelOf::Step(0))
            .unwrap();
        assert!(step.rect.y >= layout.bands[0].bottom);
        assert!(step.rect.bottom() <= layout.bands[1].top);
    }

    #[test]
    fn a_tiny_band_puts_its_labels_beside_the_funnel_with_a_leader() {
        let bands = [
            band(1000.0, &["了解 1000", "¥1,000,000"]),
            band(1.0, &["比较 1", "¥1,000"]),
        ];
        let spec = LayoutSpec {
            width: 360.0,
            height: 200.0,
            font_px: 12.0,
        };
        let layout = layout_funnel(&bands, &[], &spec);
        let small = layout
            .labels
            .iter()
            .find(|l| l.of == LabelOf::Band(1))
            .unwrap();
        assert!(!small.inside);
        assert_eq!(small.leader.len(), 3);
        assert!(small.rect.x >= layout.bands[0].bounds().right());
        assert!(layout.view_box().contains(&small.rect));
    }

    #[test]
    fn many_outside_labels_grow_the_drawing_instead_of_overlapping() {
        let bands: Vec<BandInput> = (0..5)
            .map(|i| {
                band(
                    if i == 0 { 1e9 } else { 0.0 },
                    &["一二三", "四五六", "七八九", "十"],
                )
            })
            .collect();
        let spec = LayoutSpec {
            width: 200.0,
            height: 100.0,
            font_px: 14.0,
        };
        let layout = layout_funnel(&bands, &[], &spec);
        assert!(layout.height > 100.0);
        for (i, a) in layout.labels.iter().enumerate() {
            assert!(layout.view_box().contains(&a.rect));
            for b in &layout.labels[i + 1..] {
                assert!(!a.rect.intersects(&b.rect), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_line_too_long_for_the_column_wraps_at_spaces_and_keeps_every_word() {
        // "Median cycle 55.4 d" at 14 px is about 148 px: in a 100 px column it takes two lines.
        let lines = wrap_line("Median cycle 55.4 d", 100.0, 14.0);
        assert_eq!(lines, ["Median cycle", "55.4 d"]);
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 100.0));
        assert_eq!(
            wrap_line("了解 · 3 个机会", 500.0, 14.0),
            ["了解 · 3 个机会"]
        );
        // Only a word wider than the column on its own loses its end.
        assert_eq!(
            wrap_line("停留中位数十二天 5", 50.0, 10.0),
            ["停留中位…", "5"]
        );
    }

    #[test]
    fn a_narrow_funnel_wraps_long_labels_beside_it_instead_of_cutting_them() {
        let bands = [
            band(1000.0, &["Aware · 1000 deals", "¥1.0M"]),
            band(1.0, &["Won · 1 deal", "¥80K", "Median cycle 55.4 d"]),
        ];
        let spec = LayoutSpec {
            width: 220.0,
            height: 120.0,
            font_px: 12.0,
        };
        let layout = layout_funnel(&bands, &[], &spec);
        let won = layout
            .labels
            .iter()
            .find(|l| l.of == LabelOf::Band(1))
            .unwrap();
        assert!(!won.inside);
        assert!(
            won.lines.iter().all(|l| !l.contains(ELLIPSIS)),
            "{:?}",
            won.lines
        );
        assert_eq!(won.lines.join(" "), "Won · 1 deal ¥80K Median cycle 55.4 d");
        assert_eq!(won.rect.h, layout.line_height * won.lines.len() as f64);
        for (i, a) in layout.labels.iter().enumerate() {
            assert!(layout.view_box().contains(&a.rect), "{a:?}");
            for b in &layout.labels[i + 1..] {
                assert!(!a.rect.intersects(&b.rect), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn a_line_too_long_for_the_column_is_shortened_with_an_ellipsis() {
        assert_eq!(fit_line("停留中位数十二天", 50.0, 10.0), "停留中位…");
        assert_eq!(fit_line("short", 100.0, 10.0), "short");
        assert_eq!(fit_line("了解", 5.0, 10.0), "");
    }
}
