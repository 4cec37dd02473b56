//! What of the chart a screen shows: the pan and zoom (`View`), and a grid of buckets that answers
//! "which cards and connectors are inside this rectangle" without looking at the other thousands.

use super::layout::{Layout, Rect};

/// Smallest and largest zoom.
pub const MIN_SCALE: f64 = 0.02;
pub const MAX_SCALE: f64 = 2.5;
/// From this zoom on, cards are readable and drawn as elements with text; below it, as boxes.
pub const READABLE_SCALE: f64 = 0.45;

/// The chart's pan and zoom: a chart point (x, y) is on screen at ((x − left)·scale,
/// (y − top)·scale).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub left: f64,
    pub top: f64,
    pub scale: f64,
}

impl Default for View {
    fn default() -> Self {
        View {
            left: 0.0,
            top: 0.0,
            scale: 1.0,
        }
    }
}

impl View {
    /// The part of the chart on a screen `width` × `height` px.
    pub fn visible(&self, width: f64, height: f64) -> Rect {
        Rect {
            x: self.left,
            y: self.top,
            w: width / self.scale,
            h: height / self.scale,
        }
    }

    /// The whole of `bounds` on the screen, centred, with `margin` px around it, never zoomed in past
    /// 1.
    pub fn fit(bounds: &Rect, width: f64, height: f64, margin: f64) -> View {
        let room_w = (width - 2.0 * margin).max(1.0);
        let room_h = (height - 2.0 * margin).max(1.0);
        let scale = (room_w / bounds.w.max(1.0))
            .min(room_h / bounds.h.max(1.0))
            .clamp(MIN_SCALE, 1.0);
        View::centred(bounds.centre_x(), bounds.centre_y(), scale, width, height)
    }

    /// `scale`, with the chart point (x, y) in the middle of the screen.
    pub fn centred(x: f64, y: f64, scale: f64, width: f64, height: f64) -> View {
        let scale = scale.clamp(MIN_SCALE, MAX_SCALE);
        View {
            left: x - width / 2.0 / scale,
            top: y - height / 2.0 / scale,
            scale,
        }
    }

    /// Zoomed by `factor` about the screen point (sx, sy), which stays where it is.
    pub fn zoomed(&self, factor: f64, sx: f64, sy: f64) -> View {
        let scale = (self.scale * factor).clamp(MIN_SCALE, MAX_SCALE);
        let (x, y) = (self.left + sx / self.scale, self.top + sy / self.scale);
        View {
            left: x - sx / scale,
            top: y - sy / scale,
            scale,
        }
    }

    /// Moved by (dx, dy) screen px.
    pub fn panned(&self, dx: f64, dy: f64) -> View {
        View {
            left: self.left - dx / self.scale,
            top: self.top - dy / self.scale,
            scale: self.scale,
        }
    }
}

/// Rectangles sorted into square buckets of the chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    cell: f64,
    columns: usize,
    rows: usize,
    buckets: Vec<Vec<u32>>,
    rects: Vec<Option<Rect>>,
}

impl Grid {
    /// Buckets `cell` px square over `bounds` (which start at 0, 0); `rects` by index, `None` for
    /// nothing to find.
    pub fn new(rects: Vec<Option<Rect>>, bounds: &Rect, cell: f64) -> Grid {
        let cell = cell.max(1.0);
        let columns = ((bounds.right() / cell).ceil() as usize).max(1);
        let rows = ((bounds.bottom() / cell).ceil() as usize).max(1);
        let mut buckets = vec![Vec::new(); columns * rows];
        for (i, rect) in rects.iter().enumerate() {
            let Some(rect) = rect else { continue };
            let (c0, c1, r0, r1) = span(rect, cell, columns, rows);
            for row in r0..=r1 {
                for column in c0..=c1 {
                    buckets[row * columns + column].push(i as u32);
                }
            }
        }
        Grid {
            cell,
            columns,
            rows,
            buckets,
            rects,
        }
    }

    /// Every rectangle that overlaps or touches `area`, by index, each once, in index order.
    pub fn find(&self, area: &Rect) -> Vec<usize> {
        let (c0, c1, r0, r1) = span(area, self.cell, self.columns, self.rows);
        let mut found: Vec<usize> = Vec::new();
        for row in r0..=r1 {
            for column in c0..=c1 {
                for &i in &self.buckets[row * self.columns + column] {
                    let i = i as usize;
                    if self.rects[i].is_some_and(|r| touches(&r, area)) {
                        found.push(i);
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

fn touches(a: &Rect, b: &Rect) -> bool {
    a.x <= b.right() && b.x <= a.right() && a.y <= b.bottom() && b.y <= a.bottom()
}

/// The buckets a rectangle covers, clamped to the grid.
fn span(rect: &Rect, cell: f64, columns: usize, rows: usize) -> (usize, usize, usize, usize) {
    let clamp = |v: f64, most: usize| (v / cell).floor().clamp(0.0, (most - 1) as f64) as usize;
    (
        clamp(rect.x, columns),
        clamp(rect.right(), columns),
        clamp(rect.y, rows),
        clamp(rect.bottom(), rows),
    )
}

/// The box around a connector's points.
pub fn around(points: &[(f64, f64)]) -> Rect {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in points {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    Rect {
        x: x0,
        y: y0,
        w: (x1 - x0).max(0.0),
        h: (y1 - y0).max(0.0),
    }
}

/// Every connector's box, by link index, for a `Grid`.
pub fn link_boxes(layout: &Layout) -> Vec<Option<Rect>> {
    layout
        .links
        .iter()
        .map(|link| layout.elbow(link).map(|points| around(&points)))
        .collect()
}
