//! The org chart as a standalone SVG file (to save, or to print on A4/A3 landscape): the connectors,
//! block frames and every card laid out, with its texts, in fixed print colours (a file has no style
//! sheet and paper has no dark theme). Texts too long for a card end in "…", measured as the funnel's
//! labels are.

use std::fmt::Write;

use super::layout::{Layout, Rect};
use crate::funnel::fit_line;

/// What a card says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CardLabel {
    /// 大区, 区域… on a unit's card; empty on a person's.
    pub level: String,
    pub name: String,
    pub sub: String,
    pub unit: bool,
}

const MARGIN: f64 = 24.0;
const NAME_PX: f64 = 14.0;
const SMALL_PX: f64 = 11.0;
const PAD: f64 = 8.0;

/// Escapes text for XML content and attributes.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// The whole layout as an SVG document, `title` as its title. `label` gives each laid-out card's
/// texts (`None`: the card is left out).
pub fn chart_svg(
    layout: &Layout,
    title: &str,
    label: impl Fn(usize) -> Option<CardLabel>,
) -> String {
    let Rect { w, h, .. } = layout.bounds;
    let (width, height) = (w + 2.0 * MARGIN, h + 2.0 * MARGIN);
    let mut out = String::with_capacity(256 + layout.cards.len() * 320);
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif"><title>{}</title><rect width="100%" height="100%" fill="#ffffff"/><g transform="translate({MARGIN} {MARGIN})">"##,
        xml(title)
    );
    for block in &layout.blocks {
        let r = block.rect;
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="#f3f5f8"/>"##,
            r.x - 6.0,
            r.y - 6.0,
            r.w + 12.0,
            r.h + 12.0
        );
    }
    out.push_str(r##"<path fill="none" stroke="#9aa4b2" stroke-width="1.25" d=""##);
    for link in &layout.links {
        if let Some(points) = layout.elbow(link) {
            let _ = write!(out, "M{:.1} {:.1}", points[0].0, points[0].1);
            for (x, y) in &points[1..] {
                let _ = write!(out, "L{x:.1} {y:.1}");
            }
        }
    }
    out.push_str(r#""/>"#);
    for (at, card) in layout.cards.iter().enumerate() {
        let (Some(r), Some(text)) = (card, label(at)) else {
            continue;
        };
        let (fill, edge) = if text.unit {
            ("#f3f7ff", "#c8102e")
        } else {
            ("#ffffff", "#8fa3bf")
        };
        let room = r.w - 2.0 * PAD - 4.0;
        let _ = write!(
            out,
            r##"<g><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{fill}" stroke="#dfe2e8"/><rect x="{:.1}" y="{:.1}" width="4" height="{:.1}" fill="{edge}"/>"##,
            r.x, r.y, r.w, r.h, r.x, r.y, r.h
        );
        let x = r.x + PAD + 4.0;
        let mut y = r.y + PAD;
        if !text.level.is_empty() {
            y += SMALL_PX;
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{y:.1}" font-size="{SMALL_PX}" font-weight="600" fill="#c8102e">{}</text>"##,
                xml(&fit_line(&text.level, room, SMALL_PX))
            );
            y += 3.0;
        }
        y += NAME_PX;
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="{NAME_PX}" font-weight="700" fill="#1d2129">{}</text>"##,
            xml(&fit_line(&text.name, room, NAME_PX))
        );
        y += SMALL_PX + 5.0;
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="{SMALL_PX}" fill="#5c6470">{}</text></g>"##,
            xml(&fit_line(&text.sub, room, SMALL_PX))
        );
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::super::layout::{layout, Shape, Size, Spacing};
    use super::*;

    #[test]
    fn every_card_is_drawn_with_its_texts_escaped_and_shortened() {
        let children = vec![vec![1, 2], vec![], vec![]];
        let sizes = vec![
            Size { w: 200.0, h: 70.0 },
            Size { w: 160.0, h: 56.0 },
            Size { w: 160.0, h: 56.0 },
        ];
        let laid = layout(
            &Shape {
                children: &children,
                sizes: &sizes,
                roots: &[0],
                packable: &[],
            },
            &Spacing::default(),
        );
        let svg = chart_svg(&laid, "华东 <大区>", |at| {
            Some(CardLabel {
                level: if at == 0 {
                    "大区".into()
                } else {
                    String::new()
                },
                name: match at {
                    0 => "华东大区".into(),
                    1 => "R&D \"张\"".into(),
                    _ => "一个名字非常非常非常非常非常长的人".into(),
                },
                sub: "业务代表 · 上海区域".into(),
                unit: at == 0,
            })
        });
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("<title>华东 &lt;大区&gt;</title>"));
        assert!(svg.contains("R&amp;D &quot;张&quot;"));
        assert!(svg.contains('…'), "the long name is shortened");
        assert_eq!(svg.matches("<g><rect").count(), 3);
        assert_eq!(
            svg.matches('M').count() - svg.matches("Microsoft").count(),
            2,
            "two connectors"
        );
        // The page size is the layout plus its margins.
        let width = laid.bounds.w + 2.0 * MARGIN;
        assert!(svg.contains(&format!("width=\"{width:.0}\"")));
    }
}
