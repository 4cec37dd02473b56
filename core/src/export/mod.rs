//! Files users take elsewhere: a list as CSV that Excel opens with Chinese text intact.

/// The byte-order mark that tells Excel the file is UTF-8 (without it, Chinese comes out garbled).
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file of `header` and `rows` for Excel: UTF-8 with a byte-order mark, CRLF line ends, fields
/// quoted where needed. A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
/// first) gets a leading `'`, so a customer named `=HYPERLINK(…)` stays a name; numbers stay numbers.
pub fn csv_for_excel<R, C>(header: &[&str], rows: R) -> Vec<u8>
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(UTF8_BOM.to_vec());
    // Writing into memory cannot fail.
    let _ = writer.write_record(header);
    for row in rows {
        let cells: Vec<String> = row.into_iter().map(defuse).collect();
        let _ = writer.write_record(&cells);
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

    #[test]
    fn excel_gets_a_byte_order_mark_and_crlf_lines() {
        let file = csv_for_excel(
            &["机会名称", "金额"],
            [vec!["冷柜更新".to_owned(), "360000.00".to_owned()]],
        );
        assert!(file.starts_with(UTF8_BOM));
        assert_eq!(text(&file[3..]), "机会名称,金额\r\n冷柜更新,360000.00\r\n");
    }

    #[test]
    fn commas_quotes_and_line_breaks_stay_inside_their_cell() {
        let file = csv_for_excel(&["备注"], [vec!["价格, \"含税\"\n下周再谈".to_owned()]]);
        assert_eq!(
            text(&file[3..]),
            "备注\r\n\"价格, \"\"含税\"\"\n下周再谈\"\r\n"
        );
    }

    #[test]
    fn formula_like_text_is_defused_but_negative_numbers_are_not() {
        let file = csv_for_excel(
            &["a", "b", "c"],
            [vec![
                "=HYPERLINK(\"http://x\")".to_owned(),
                "-12.5".to_owned(),
                "@SUM(A1)".to_owned(),
            ]],
        );
        assert_eq!(
            text(&file[3..]),
            "a,b,c\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-12.5,'@SUM(A1)\r\n"
        );
    }
}
