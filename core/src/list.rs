//! Record lists as pages show them (客户列表, 机会列表): rows put in order once, then searched and
//! filtered on every keystroke without copying a row, so a list of tens of thousands stays instant.

/// Separates a row's searchable parts, so a search term never matches across two fields.
const PART_BREAK: char = '\u{1}';

/// What the user typed into a list's search box: terms that must all appear in a row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<String>,
}

impl SearchQuery {
    /// Splits on spaces (ASCII or the ideographic space an IME types); each term is normalised like a
    /// row's text, see [`search_text`].
    pub fn parse(typed: &str) -> Self {
        let terms = typed
            .split(char::is_whitespace)
            .map(search_text)
            .filter(|term| !term.is_empty())
            .collect();
        Self { terms }
    }

    /// Nothing typed: every row matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether every term appears in `haystack`, a text made by [`search_haystack`].
    pub fn matches(&self, haystack: &str) -> bool {
        self.terms
            .iter()
            .all(|term| haystack.contains(term.as_str()))
    }
}

/// Text as search compares it: lower case, full-width letters and digits (typed with a Chinese IME)
/// as their ASCII forms, and without spaces, hyphens and dots, so `021 5555` finds `021-5555-0000`.
pub fn search_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            let c = match c {
                // U+FF01..=U+FF5E mirror ASCII 0x21..=0x7E.
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            };
            (!(c.is_whitespace() || matches!(c, '-' | '.' | PART_BREAK))).then_some(c)
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A row's searchable text from its parts (name, city, phone, …), kept apart by a break no term holds.
pub fn search_haystack<'a>(parts: impl IntoIterator<Item = &'a str>) -> Box<str> {
    let mut haystack = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            haystack.push(PART_BREAK);
        }
        haystack.push_str(&search_text(part));
    }
    haystack.into_boxed_str()
}

/// Rows in display order with their searchable text; filtering yields positions, not copies.
#[derive(Clone, Debug, Default)]
pub struct ListIndex<R> {
    rows: Vec<R>,
    haystacks: Vec<Box<str>>,
}

impl<R> ListIndex<R> {
    /// `rows` must already be in display order; `parts` names each row's searchable texts.
    pub fn new<const N: usize>(rows: Vec<R>, parts: impl Fn(&R) -> [&str; N]) -> Self {
        let haystacks = rows.iter().map(|row| search_haystack(parts(row))).collect();
        Self { rows, haystacks }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row at a position returned by [`ListIndex::filter`].
    pub fn row(&self, position: u32) -> &R {
        &self.rows[position as usize]
    }

    /// Positions of the rows that match `query` and `keep`, in display order or reversed.
    pub fn filter(
        &self,
        query: &SearchQuery,
        keep: impl Fn(&R) -> bool,
        reversed: bool,
    ) -> Vec<u32> {
        let matching = |&i: &u32| {
            let i = i as usize;
            keep(&self.rows[i]) && (query.is_empty() || query.matches(&self.haystacks[i]))
        };
        let all = 0..self.rows.len() as u32;
        if reversed {
            all.rev().filter(matching).collect()
        } else {
            all.filter(matching).collect()
        }
    }
}

/// The rows a scrolled list draws: those in view plus `overscan` on each side, so a fast flick
/// never shows a blank. Rows have one height; the list above the first drawn row is empty space.
pub fn visible_window(
    scroll_top: f64,
    viewport_height: f64,
    row_height: f64,
    rows: usize,
    overscan: usize,
) -> std::ops::Range<usize> {
    if rows == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let in_view = (viewport_height.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(rows);
    let end = first.saturating_add(in_view + overscan).min(rows);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Customer {
        name: &'static str,
        city: &'static str,
        phone: &'static str,
        tier: char,
    }

    fn customers() -> ListIndex<Customer> {
        let rows = vec![
            Customer {
                name: "上海华联超市",
                city: "上海",
                phone: "021-5555-0101",
                tier: 'A',
            },
            Customer {
                name: "北京物美",
                city: "北京",
                phone: "010 6666 0202",
                tier: 'B',
            },
            Customer {
                name: "Walmart China",
                city: "深圳",
                phone: "0755-8888-0303",
                tier: 'A',
            },
            Customer {
                name: "海北经销部",
                city: "西宁",
                phone: "",
                tier: 'C',
            },
        ];
        ListIndex::new(rows, |c| [c.name, c.city, c.phone])
    }

    fn names(list: &ListIndex<Customer>, positions: &[u32]) -> Vec<&'static str> {
        positions.iter().map(|&p| list.row(p).name).collect()
    }

    #[test]
    fn an_empty_search_keeps_every_row_in_display_order_or_reversed() {
        let list = customers();
        let all = list.filter(&SearchQuery::parse("  "), |_| true, false);
        assert_eq!(all, vec![0, 1, 2, 3]);
        assert_eq!(
            list.filter(&SearchQuery::default(), |_| true, true),
            vec![3, 2, 1, 0]
        );
    }

    #[test]
    fn every_term_must_appear_in_the_row() {
        let list = customers();
        let found = list.filter(&SearchQuery::parse("上海 华联"), |_| true, false);
        assert_eq!(names(&list, &found), ["上海华联超市"]);
        assert!(list
            .filter(&SearchQuery::parse("上海 物美"), |_| true, false)
            .is_empty());
    }

    #[test]
    fn search_ignores_case_full_width_forms_and_phone_punctuation() {
        let list = customers();
        for typed in ["walmart", "ＷＡＬＭＡＲＴ", "0755 8888", "07558888"] {
            let found = list.filter(&SearchQuery::parse(typed), |_| true, false);
            assert_eq!(names(&list, &found), ["Walmart China"], "{typed}");
        }
        // An ideographic space (U+3000) separates terms like an ASCII one.
        let found = list.filter(&SearchQuery::parse("北京\u{3000}6666"), |_| true, false);
        assert_eq!(names(&list, &found), ["北京物美"]);
    }

    #[test]
    fn a_term_never_matches_across_two_fields() {
        let list = customers();
        // "市上" would span the name's end and the city's start of 上海华联超市 / 上海 if the parts ran on.
        assert!(list
            .filter(&SearchQuery::parse("市上"), |_| true, false)
            .is_empty());
        let found = list.filter(&SearchQuery::parse("海北"), |_| true, false);
        assert_eq!(names(&list, &found), ["海北经销部"]);
    }

    #[test]
    fn facets_and_search_combine() {
        let list = customers();
        let tier_a = list.filter(&SearchQuery::default(), |c| c.tier == 'A', true);
        assert_eq!(names(&list, &tier_a), ["Walmart China", "上海华联超市"]);
        let tier_a_in_shenzhen = list.filter(&SearchQuery::parse("深圳"), |c| c.tier == 'A', false);
        assert_eq!(names(&list, &tier_a_in_shenzhen), ["Walmart China"]);
    }

    #[test]
    fn a_window_covers_the_rows_in_view_and_some_either_side() {
        // 64 px rows, a 640 px viewport scrolled to row 100.
        assert_eq!(visible_window(6_400.0, 640.0, 64.0, 50_000, 5), 95..116);
        assert_eq!(visible_window(0.0, 640.0, 64.0, 50_000, 5), 0..16);
        // Half a row scrolled: the partly hidden first row is still drawn.
        assert_eq!(visible_window(32.0, 640.0, 64.0, 50_000, 0), 0..11);
    }

    #[test]
    fn a_window_never_runs_past_the_list() {
        assert_eq!(visible_window(6_400.0, 640.0, 64.0, 3, 5), 3..3);
        assert_eq!(visible_window(0.0, 640.0, 64.0, 3, 5), 0..3);
        assert_eq!(visible_window(-50.0, 640.0, 64.0, 0, 5), 0..0);
        assert_eq!(visible_window(100.0, 640.0, 0.0, 10, 5), 0..0);
    }
}
