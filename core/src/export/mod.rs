//! Files users take elsewhere: a list or report as one [`Sheet`] of typed cells, written as a CSV that
//! Excel opens with Chinese text intact (`csv_for_excel`) or as an .xlsx workbook whose amounts,
//! counts and dates Excel can add up and sort (`xlsx_for_excel`).
//!
//! Both files come from the same cells, so they always hold the same columns and rows. A cell's CSV
//! text is the one the exports always wrote (plain yuan `120000.00`, `85%`, the list's own words for
//! yes/no and times); the workbook holds the value behind that text with a number format that shows
//! it the same way.

mod record;
mod xlsx;

use chrono::{NaiveDate, NaiveDateTime};

use crate::money::COMPANY_CURRENCY;

pub use record::{field_cell, CURRENCY_FIELD};
pub use xlsx::{sheet_name, xlsx_for_excel};

/// The byte-order mark that tells Excel the file is UTF-8 (without it, Chinese comes out garbled).
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One cell of an export: its value and type, from which both files write it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A whole number: a rank, a count. `grouped` writes thousands separators (`1,234`), as the
    /// targets pages write their figures.
    Integer {
        value: i64,
        grouped: bool,
    },
    /// A figure with `places` decimals: a score, a ratio, a percentage that its header names.
    Decimal {
        value: f64,
        places: u8,
    },
    /// A ratio (`0.85`) written as a percentage with `places` decimals (`85%`).
    Percent {
        ratio: f64,
        places: u8,
    },
    /// An amount in minor units (分, cents) of `currency` (a `currency` field's code: `CNY`, `USD`,
    /// `EUR`). The CSV writes it plain (`-1234.50`: no sign or separators, so a spreadsheet reads a
    /// number); `whole` rounds it to grouped whole units (`1,235`) as the targets pages do, and the
    /// workbook keeps the exact amount behind that.
    Money {
        minor: i64,
        currency: &'static str,
        whole: bool,
    },
    /// A business day (`2027-03-31`).
    Date(NaiveDate),
    /// An instant at the wall-clock time its list shows it (the browser's time zone), with the text
    /// the list shows, which the CSV keeps; the workbook writes the time as `yyyy-mm-dd hh:mm`.
    Instant {
        local: NaiveDateTime,
        text: String,
    },
    /// Yes or no, with the words the list shows (是/否): both files write the words, which read and
    /// filter alike in a Chinese Excel (a TRUE/FALSE cell would read in English).
    Bool {
        value: bool,
        text: String,
    },
}

impl Cell {
    /// Text, or an empty cell when there is none.
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        if text.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(text)
        }
    }

    pub fn integer(value: i64) -> Cell {
        Cell::Integer {
            value,
            grouped: false,
        }
    }

    /// An amount in 分 of the company's currency (人民币), to the 分.
    pub fn yuan(fen: i64) -> Cell {
        Cell::Money {
            minor: fen,
            currency: COMPANY_CURRENCY,
            whole: false,
        }
    }

    /// A figure with `places` decimals; none (a ratio without a base) is an empty cell.
    pub fn decimal(value: Option<f64>, places: u8) -> Cell {
        value.map_or(Cell::Empty, |value| Cell::Decimal { value, places })
    }

    /// The cell as the CSV writes it (before formula-like text is defused).
    pub fn csv_text(&self) -> String {
        let places = |p: &u8| usize::from(*p);
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) | Cell::Instant { text, .. } | Cell::Bool { text, .. } => text.clone(),
            Cell::Integer {
                value,
                grouped: false,
            } => value.to_string(),
            Cell::Integer {
                value,
                grouped: true,
            } => grouped(*value),
            Cell::Decimal { value, places: p } => format!("{value:.*}", places(p)),
            Cell::Percent { ratio, places: p } => format!("{:.*}%", places(p), ratio * 100.0),
            Cell::Money {
                minor, whole: true, ..
            } => grouped(round_to_whole(*minor)),
            Cell::Money { minor, .. } => plain_yuan(*minor),
            Cell::Date(day) => day.to_string(),
        }
    }
}

/// A table to export: a tab named `name` (the list's or report's title), the header, the rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A whole number with thousands separators: `-1234567` → `-1,234,567`; every page and export
/// writes grouped figures this way.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Minor units as a plain amount with two decimals: `12000000` → `120000.00`, `-105` → `-1.05`.
fn plain_yuan(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

/// Minor units rounded to whole units, halves away from zero (as Excel's `#,##0` shows them).
fn round_to_whole(minor: i64) -> i64 {
    (minor + minor.signum() * 50) / 100
}

/// A CSV file of `sheet` for Excel: UTF-8 with a byte-order mark, CRLF line ends, fields quoted
/// where needed. A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a
/// leading `'`, so a customer named `=HYPERLINK(…)` stays a name; numbers stay numbers.
pub fn csv_for_excel(sheet: &Sheet) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(UTF8_BOM.to_vec());
    // Writing into memory cannot fail.
    let _ = writer.write_record(&sheet.header);
    for row in &sheet.rows {
        let _ = writer.write_record(row.iter().map(|cell| defuse(cell.csv_text())));
    }
    writer.into_inner().unwrap_or_default()
}

fn defuse(cell: String) -> String {
    let formula_like = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_like && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    fn sheet(header: &[&str], rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: "测试".into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        }
    }

    #[test]
    fn excel_gets_a_byte_order_mark_and_crlf_lines() {
        let file = csv_for_excel(&sheet(
            &["机会名称", "金额"],
            vec![vec![Cell::text("冷柜更新"), Cell::yuan(36_000_000)]],
        ));
        assert!(file.starts_with(UTF8_BOM));
        assert_eq!(text(&file[3..]), "机会名称,金额\r\n冷柜更新,360000.00\r\n");
    }

    #[test]
    fn commas_quotes_and_line_breaks_stay_inside_their_cell() {
        let file = csv_for_excel(&sheet(
            &["备注"],
            vec![vec![Cell::text("价格, \"含税\"\n下周再谈")]],
        ));
        assert_eq!(
            text(&file[3..]),
            "备注\r\n\"价格, \"\"含税\"\"\n下周再谈\"\r\n"
        );
    }

    #[test]
    fn formula_like_text_is_defused_but_negative_numbers_are_not() {
        let file = csv_for_excel(&sheet(
            &["a", "b", "c", "d"],
            vec![vec![
                Cell::text("=HYPERLINK(\"http://x\")"),
                Cell::Decimal {
                    value: -12.5,
                    places: 1,
                },
                Cell::text("@SUM(A1)"),
                Cell::yuan(-105),
            ]],
        ));
        assert_eq!(
            text(&file[3..]),
            "a,b,c,d\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.5,'@SUM(A1),-1.05\r\n"
        );
    }

    #[test]
    fn each_kind_of_cell_writes_the_text_the_exports_always_wrote() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let cases = [
            (Cell::Empty, ""),
            (Cell::integer(-7), "-7"),
            (
                Cell::Integer {
                    value: 1_234_567,
                    grouped: true,
                },
                "1,234,567",
            ),
            (Cell::decimal(Some(87.26), 1), "87.3"),
            (Cell::decimal(None, 2), ""),
            (
                Cell::Percent {
                    ratio: 0.29,
                    places: 0,
                },
                "29%",
            ),
            (Cell::yuan(12_000_000), "120000.00"),
            (
                Cell::Money {
                    minor: 12_345_650,
                    currency: "USD",
                    whole: true,
                },
                "123,457",
            ),
            (
                Cell::Money {
                    minor: -150,
                    currency: "CNY",
                    whole: true,
                },
                "-2",
            ),
            (Cell::Date(day), "2027-03-31"),
            (
                Cell::Bool {
                    value: true,
                    text: "是".into(),
                },
                "是",
            ),
            (
                Cell::Instant {
                    local: day.and_hms_opt(8, 30, 0).unwrap(),
                    text: "2027年3月31日 08:30".into(),
                },
                "2027年3月31日 08:30",
            ),
        ];
        for (cell, expected) in cases {
            assert_eq!(cell.csv_text(), expected, "{cell:?}");
        }
    }

    #[test]
    fn grouped_separates_thousands_and_keeps_the_sign() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(-1_234_567), "-1,234,567");
        assert_eq!(grouped(i64::MIN), "-9,223,372,036,854,775,808");
    }
}
