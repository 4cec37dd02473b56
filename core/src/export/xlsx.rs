//! A sheet as an .xlsx workbook: one tab, a bold frozen header with a filter, columns as wide as
//! their content, and cells Excel can compute with.
//!
//! How each cell is written: counts and figures as numbers (`0`, `#,##0`, `0.0`…); amounts as
//! numbers of yuan (or dollars, euros: the minor units ÷ 100) with the currency's symbol in the
//! number format (`"¥"#,##0.00`), each cell in its own currency's format, so a column that mixes
//! currencies stays readable; percentages as ratios with `0%`; business days as Excel dates
//! `yyyy-mm-dd`; instants as date-times `yyyy-mm-dd hh:mm` at the wall-clock time the list shows
//! (the browser's zone: Excel has no time zones); yes/no and all other text as text. Text is always
//! written as a string, so a name starting with `=` stays a name (the CSV needs its `'` for that;
//! the workbook does not).

use std::collections::HashMap;

use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ColNum, ExcelDateTime, Format, RowNum, Workbook, Worksheet};

use super::{grouped, Cell, Sheet};
use crate::money::symbol;

/// Excel's limits: rows and columns of a sheet, characters (UTF-16 units) in a cell and a tab's name.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
const MAX_CELL_CHARS: usize = 32_767;
const MAX_NAME_CHARS: usize = 31;
/// Widest a column is fitted to (in Excel's character widths); longer text wraps off-screen.
const MAX_WIDTH: usize = 60;

/// The .xlsx file of `sheet`. Writing into memory fails only past Excel's limits, which are kept
/// here: rows past the sheet's last (1,048,575 under the header) are left out and a text longer than
/// a cell holds is cut.
pub fn xlsx_for_excel(sheet: &Sheet) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    let _ = ws.set_name(sheet_name(&sheet.name));
    let columns = sheet.header.len().min(MAX_COLUMNS);
    let mut widths: Vec<usize> = sheet.header[..columns]
        .iter()
        .map(|h| display_width(h))
        .collect();
    let mut formats = Formats::default();
    let bold = Format::new().set_bold();
    for (col, title) in sheet.header[..columns].iter().enumerate() {
        let _ = ws.write_string_with_format(0, col as ColNum, cut(title), &bold);
    }
    let rows = sheet.rows.len().min(MAX_ROWS - 1);
    for (at, row) in sheet.rows[..rows].iter().enumerate() {
        for (col, cell) in row.iter().take(columns).enumerate() {
            let width = write_cell(ws, (at + 1) as RowNum, col as ColNum, cell, &mut formats);
            widths[col] = widths[col].max(width);
        }
    }
    let _ = ws.set_freeze_panes(1, 0);
    if columns > 0 {
        let _ = ws.autofilter(0, 0, rows as RowNum, (columns - 1) as ColNum);
    }
    for (col, width) in widths.into_iter().enumerate() {
        // Room for the filter's button and a margin.
        let _ = ws.set_column_width(col as ColNum, (width + 3).min(MAX_WIDTH) as f64);
    }
    workbook.save_to_buffer().unwrap_or_default()
}

/// A tab name Excel accepts, from a title: `[ ] : * ? / \` become `-`, at most 31 characters, no `'`
/// at either end; an empty title or Excel's reserved `History` becomes `Sheet1`.
pub fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let mut name = String::new();
    let mut units = 0;
    for c in cleaned.trim().trim_start_matches('\'').chars() {
        units += c.len_utf16();
        if units > MAX_NAME_CHARS {
            break;
        }
        name.push(c);
    }
    let name = name.trim_end().trim_end_matches('\'');
    if name.is_empty() || name.eq_ignore_ascii_case("history") {
        "Sheet1".to_owned()
    } else {
        name.to_owned()
    }
}

/// The number formats in use, each made once.
#[derive(Default)]
struct Formats(HashMap<String, Format>);

impl Formats {
    fn get(&mut self, number_format: String) -> &Format {
        self.0
            .entry(number_format)
            .or_insert_with_key(|f| Format::new().set_num_format(f))
    }
}

/// Writes `cell` and returns how wide it shows.
fn write_cell(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
    formats: &mut Formats,
) -> usize {
    let decimals = |places: u8| {
        let places = usize::from(places.min(10));
        if places == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(places))
        }
    };
    let (number, format) = match cell {
        Cell::Empty => return 0,
        Cell::Text(text) | Cell::Bool { text, .. } => {
            let _ = ws.write_string(row, col, cut(text));
            return display_width(text);
        }
        Cell::Integer { value, grouped } => (
            *value as f64,
            if *grouped { "#,##0" } else { "0" }.to_owned(),
        ),
        Cell::Decimal { value, places } => (*value, format!("0{}", decimals(*places))),
        Cell::Percent { ratio, places } => (*ratio, format!("0{}%", decimals(*places))),
        Cell::Money {
            minor,
            currency,
            whole,
        } => (
            *minor as f64 / 100.0,
            format!(
                "\"{}\"#,##0{}",
                symbol(currency),
                decimals(if *whole { 0 } else { 2 })
            ),
        ),
        Cell::Date(day) => {
            let date = u16::try_from(day.year()).ok().and_then(|year| {
                ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8).ok()
            });
            return match date {
                Some(date) => {
                    let _ = ws.write_datetime_with_format(
                        row,
                        col,
                        &date,
                        formats.get("yyyy-mm-dd".into()),
                    );
                    10
                }
                // Before 1900 (or after 9999) Excel has no date: the text, as the CSV writes it.
                None => write_text(ws, row, col, &cell.csv_text()),
            };
        }
        Cell::Instant { local, text } => {
            let at = u16::try_from(local.year()).ok().and_then(|year| {
                ExcelDateTime::from_ymd(year, local.month() as u8, local.day() as u8)
                    .and_then(|d| {
                        d.and_hms(local.hour() as u16, local.minute() as u8, local.second())
                    })
                    .ok()
            });
            return match at {
                Some(at) => {
                    let _ = ws.write_datetime_with_format(
                        row,
                        col,
                        &at,
                        formats.get("yyyy-mm-dd hh:mm".into()),
                    );
                    16
                }
                None => write_text(ws, row, col, text),
            };
        }
    };
    if !number.is_finite() {
        return write_text(ws, row, col, &cell.csv_text());
    }
    let _ = ws.write_number_with_format(row, col, number, formats.get(format));
    shown_width(cell)
}

fn write_text(ws: &mut Worksheet, row: RowNum, col: ColNum, text: &str) -> usize {
    let _ = ws.write_string(row, col, cut(text));
    display_width(text)
}

/// How wide a number shows in its format: its CSV text, with the separators and symbol Excel adds.
fn shown_width(cell: &Cell) -> usize {
    match cell {
        Cell::Money {
            minor,
            currency,
            whole,
        } => {
            let units = grouped(minor / 100).len() + usize::from(*minor < 0 && *minor > -100);
            units + symbol(currency).chars().count() + if *whole { 0 } else { 3 }
        }
        _ => cell.csv_text().len(),
    }
}

/// `text` cut to what a cell holds (Excel counts UTF-16 units).
fn cut(text: &str) -> &str {
    if text.len() <= MAX_CELL_CHARS {
        return text;
    }
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CELL_CHARS {
            return &text[..at];
        }
    }
    text
}

/// How many of Excel's character widths `text` takes on its widest line: Chinese, Japanese and
/// Korean characters and full-width forms count two. A column's width, not text layout, so the
/// main East Asian wide blocks are enough (no width tables in the bundle).
fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| {
            line.chars()
                .map(|c| if is_wide(c) { 2 } else { 1 })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    /// Every kind of cell, as the openpyxl check (`scripts/check-xlsx.py`) expects them.
    fn sample() -> Sheet {
        let day = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        Sheet {
            name: "销售机会: 2027/03 [导出]".into(),
            header: [
                "机会名称",
                "预计金额（元）",
                "预计成交日期",
                "拜访次数",
                "创建时间",
                "达成率",
                "得分",
                "主要联系人",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![
                vec![
                    Cell::text("=HYPERLINK(\"http://x\")"),
                    Cell::yuan(12_000_050),
                    Cell::Date(day),
                    Cell::integer(42),
                    Cell::Instant {
                        local: day.and_hms_opt(8, 30, 0).unwrap(),
                        text: "2027年3月31日 08:30".into(),
                    },
                    Cell::Percent {
                        ratio: 0.85,
                        places: 0,
                    },
                    Cell::decimal(Some(87.5), 1),
                    Cell::Bool {
                        value: true,
                        text: "是".into(),
                    },
                ],
                vec![
                    Cell::text("冷柜更新（华联超市徐汇店二期）"),
                    Cell::Money {
                        minor: 99_900,
                        currency: "USD",
                        whole: false,
                    },
                    Cell::Empty,
                    Cell::integer(-3),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::decimal(None, 1),
                    Cell::Bool {
                        value: false,
                        text: "否".into(),
                    },
                ],
            ],
        }
    }

    fn zip_entry(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        archive
            .by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn a_workbook_is_a_zip_holding_the_named_sheet() {
        let bytes = xlsx_for_excel(&sample());
        assert!(bytes.starts_with(b"PK"), "an .xlsx is a zip file");
        let workbook = zip_entry(&bytes, "xl/workbook.xml");
        assert!(
            workbook.contains(r#"<sheet name="销售机会- 2027-03 -导出-""#),
            "{workbook}"
        );
        let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(r#"topLeftCell="A2""#),
            "the header is frozen"
        );
        assert!(sheet.contains("<autoFilter"), "the header has a filter");
        assert!(!sheet.contains("<f>"), "no cell is a formula");
        let styles = zip_entry(&bytes, "xl/styles.xml");
        for format in [
            "&quot;¥&quot;#,##0.00",
            "&quot;US$&quot;#,##0.00",
            "yyyy-mm-dd",
            "yyyy-mm-dd hh:mm",
            "0%",
            "0.0",
        ] {
            assert!(styles.contains(format), "{format} in {styles}");
        }
    }

    #[test]
    fn an_empty_sheet_still_makes_a_workbook() {
        let bytes = xlsx_for_excel(&Sheet::default());
        assert!(bytes.starts_with(b"PK"));
        assert!(zip_entry(&bytes, "xl/workbook.xml").contains(r#"<sheet name="Sheet1""#));
    }

    #[test]
    fn a_tab_name_is_one_excel_accepts() {
        assert_eq!(sheet_name("排名与考核"), "排名与考核");
        assert_eq!(sheet_name("a/b\\c[d]:e*f?g"), "a-b-c-d--e-f-g");
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name("  "), "Sheet1");
        assert_eq!(sheet_name("History"), "Sheet1");
        let long = "促销评估-".to_owned() + &"长".repeat(40);
        assert_eq!(sheet_name(&long).chars().count(), 31);
        assert_eq!(sheet_name(&"😀".repeat(20)).chars().count(), 15);
    }

    #[test]
    fn a_column_is_as_wide_as_its_content_with_chinese_counting_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("华联超市"), 8);
        assert_eq!(display_width("第一行\nlonger line"), 11);
        assert_eq!(
            shown_width(&Cell::yuan(12_000_050)),
            "¥120,000.50".chars().count()
        );
        assert_eq!(shown_width(&Cell::yuan(-5)), "-¥0.05".chars().count());
        let dollars = Cell::Money {
            minor: 99_900,
            currency: "USD",
            whole: false,
        };
        assert_eq!(shown_width(&dollars), "US$999.00".len());
    }

    /// Writes the sample to `$YINGXIAO_XLSX_OUT` and what openpyxl must read in it beside it (the same
    /// path ending `.json`), for the test command's `scripts/check-xlsx.py`; without the variable it
    /// only builds the workbook.
    #[test]
    fn sample_workbook_for_openpyxl() {
        let bytes = xlsx_for_excel(&sample());
        let Some(path) = std::env::var_os("YINGXIAO_XLSX_OUT") else {
            return;
        };
        let path = std::path::PathBuf::from(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        let first = serde_json::json!({"机会名称": "=HYPERLINK(\"http://x\")"});
        let expected = serde_json::json!({
            "sheet": "销售机会- 2027-03 -导出-",
            "header": sample().header,
            "rows": 2,
            // Counted double, the Chinese name needs 30; counted once it would get 18.
            "widths": {"机会名称": 30},
            "cells": [
                {"row": first, "column": "机会名称", "kind": "text", "value": "=HYPERLINK(\"http://x\")"},
                {"row": first, "column": "预计金额（元）", "kind": "money", "symbol": "¥", "value": 120000.5},
                {"row": 3, "column": "预计金额（元）", "kind": "money", "symbol": "US$", "value": 999.0},
                {"row": first, "column": "预计成交日期", "kind": "date", "value": "2027-03-31"},
                {"row": 3, "column": "预计成交日期", "kind": "empty"},
                {"row": first, "column": "拜访次数", "kind": "integer", "value": 42},
                {"row": 3, "column": "拜访次数", "kind": "integer", "value": -3},
                {"row": first, "column": "创建时间", "kind": "datetime", "value": "2027-03-31 08:30"},
                {"row": first, "column": "达成率", "kind": "percent", "value": 0.85},
                {"row": first, "column": "得分", "kind": "number", "format": "0.0", "value": 87.5},
                {"row": first, "column": "主要联系人", "kind": "text", "value": "是"},
            ],
        });
        std::fs::write(path.with_extension("json"), expected.to_string()).unwrap();
    }
}
