//! `read_table` on CSV bytes in each encoding and delimiter, and on small workbooks written here.

use std::io::{Cursor, Write};

use super::*;

fn read(input: &[u8]) -> Table {
    read_table(input, &ReadOptions::default()).expect("the file reads")
}

fn read_with(input: &[u8], options: ReadOptions) -> Result<Table, ImportError> {
    read_table(input, &options)
}

fn cells(table: &Table) -> Vec<Vec<&str>> {
    table
        .rows
        .iter()
        .map(|row| row.cells.iter().map(String::as_str).collect())
        .collect()
}

fn lines(table: &Table) -> Vec<u64> {
    table.rows.iter().map(|row| row.line).collect()
}

fn csv_source(table: &Table) -> (Encoding, Delimiter) {
    match table.read_as {
        Source::Csv {
            encoding,
            delimiter,
        } => (encoding, delimiter),
        ref other => panic!("read as {other:?}"),
    }
}

// Encodings.

#[test]
fn utf8_without_bom_is_read_as_utf8() {
    let table = read("客户名称,负责人\n华锐超市,王伟\n".as_bytes());
    assert_eq!(table.headers, ["客户名称", "负责人"]);
    assert_eq!(cells(&table), [["华锐超市", "王伟"]]);
    assert_eq!(csv_source(&table), (Encoding::Utf8, Delimiter::Comma));
}

#[test]
fn a_utf8_bom_is_not_part_of_the_first_header() {
    let table = read("\u{feff}客户名称,负责人\n华锐超市,王伟\n".as_bytes());
    assert_eq!(table.headers, ["客户名称", "负责人"]);
    assert_eq!(csv_source(&table).0, Encoding::Utf8);
}

#[test]
fn gbk_bytes_are_read_as_gb18030() {
    let (gbk, _, _) = encoding_rs::GBK.encode("客户名称,负责人\n华锐超市,王伟\n");
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the test needs non-UTF-8"
    );
    let table = read(&gbk);
    assert_eq!(table.headers, ["客户名称", "负责人"]);
    assert_eq!(cells(&table), [["华锐超市", "王伟"]]);
    assert_eq!(csv_source(&table), (Encoding::Gb18030, Delimiter::Comma));
}

#[test]
fn utf16_le_with_a_bom_is_read_as_utf16() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        "客户名称\t负责人\r\n华锐超市\t王伟\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    let table = read(&bytes);
    assert_eq!(table.headers, ["客户名称", "负责人"]);
    assert_eq!(cells(&table), [["华锐超市", "王伟"]]);
    assert_eq!(lines(&table), [2]);
    assert_eq!(csv_source(&table), (Encoding::Utf16Le, Delimiter::Tab));
}

#[test]
fn utf16_be_without_a_bom_is_read_only_when_chosen() {
    let bytes: Vec<u8> = "name,owner\nA,B\n"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let options = ReadOptions {
        encoding: Encoding::Utf16Be,
        ..ReadOptions::default()
    };
    let table = read_with(&bytes, options).unwrap();
    assert_eq!(table.headers, ["name", "owner"]);
    assert_eq!(cells(&table), [["A", "B"]]);
    assert_eq!(csv_source(&table).0, Encoding::Utf16Be);
}

#[test]
fn a_chosen_encoding_the_bytes_are_not_in_names_the_line() {
    let (gbk, _, _) = encoding_rs::GBK.encode("name,owner\r\nA,B\n华锐超市,王伟\n");
    let options = ReadOptions {
        encoding: Encoding::Utf8,
        ..ReadOptions::default()
    };
    assert_eq!(
        read_with(&gbk, options),
        Err(ImportError::Undecodable {
            encoding: Encoding::Utf8,
            line: 3
        })
    );
}

#[test]
fn a_chosen_gb18030_reads_gbk_and_ascii() {
    let (gbk, _, _) = encoding_rs::GBK.encode("客户名称;负责人\n华锐超市;王伟\n");
    let options = ReadOptions {
        encoding: Encoding::Gb18030,
        ..ReadOptions::default()
    };
    let table = read_with(&gbk, options).unwrap();
    assert_eq!(cells(&table), [["华锐超市", "王伟"]]);
    assert_eq!(
        csv_source(&table),
        (Encoding::Gb18030, Delimiter::Semicolon)
    );
}

// Delimiters.

#[test]
fn the_delimiter_that_splits_every_row_alike_is_found() {
    for (text, delimiter) in [
        ("客户|负责人|金额\n华锐|王伟|100\n", Delimiter::Pipe),
        ("客户;负责人;金额\n华锐;王伟;1,5\n", Delimiter::Semicolon),
        ("客户\t负责人\t金额\n华锐\t王伟\t1,500\n", Delimiter::Tab),
        ("客户,负责人,金额\n华锐,王伟,100\n", Delimiter::Comma),
    ] {
        let table = read(text.as_bytes());
        assert_eq!(table.headers, ["客户", "负责人", "金额"], "{text:?}");
        assert_eq!(cells(&table)[0][..2], ["华锐", "王伟"], "{text:?}");
        assert_eq!(csv_source(&table).1, delimiter, "{text:?}");
    }
}

#[test]
fn commas_inside_quotes_do_not_make_a_pipe_file_comma_separated() {
    // The header alone has more commas than pipes; quoted, they split nothing.
    let text = "客户|\"省, 市, 区, 街道\"|负责人\n\
                华锐超市|\"北京市, 朝阳区\"|王伟\n\
                东方百货|上海市|李娜\n";
    let table = read(text.as_bytes());
    assert_eq!(csv_source(&table).1, Delimiter::Pipe);
    assert_eq!(table.headers, ["客户", "省, 市, 区, 街道", "负责人"]);
    assert_eq!(
        cells(&table),
        [
            ["华锐超市", "北京市, 朝阳区", "王伟"],
            ["东方百货", "上海市", "李娜"]
        ]
    );
}

#[test]
fn rows_that_disagree_fall_back_to_comma() {
    // An unquoted comma in a cell: no delimiter splits every row alike.
    let table = read("客户,负责人\n华锐,王伟\n东方百货,上海,李娜\n".as_bytes());
    assert_eq!(csv_source(&table).1, Delimiter::Comma);
    assert_eq!(cells(&table)[1], ["东方百货", "上海", "李娜"]);
}

#[test]
fn a_chosen_delimiter_wins_over_the_detected_one() {
    let text = "客户;备注,说明\n华锐;甲,乙\n";
    assert_eq!(csv_source(&read(text.as_bytes())).1, Delimiter::Comma);
    let options = ReadOptions {
        delimiter: Delimiter::Semicolon,
        ..ReadOptions::default()
    };
    let table = read_with(text.as_bytes(), options).unwrap();
    assert_eq!(table.headers, ["客户", "备注,说明"]);
    assert_eq!(cells(&table), [["华锐", "甲,乙"]]);
    assert_eq!(csv_source(&table).1, Delimiter::Semicolon);
}

#[test]
fn a_file_without_any_delimiter_is_one_column() {
    let table = read("客户名称\n华锐超市\n东方百货\n".as_bytes());
    assert_eq!(table.headers, ["客户名称"]);
    assert_eq!(cells(&table), [["华锐超市"], ["东方百货"]]);
    assert_eq!(csv_source(&table).1, Delimiter::Comma);
}

// Lines, blank rows, headers and cells.

#[test]
fn a_row_after_a_cell_spanning_lines_has_its_own_line() {
    for text in [
        "客户,备注\n华锐,\"第一行\n第二行\"\n东方,无\n",
        "客户,备注\r\n华锐,\"第一行\r\n第二行\"\r\n东方,无\r\n",
        "客户,备注\r华锐,\"第一行\r第二行\"\r东方,无\r",
    ] {
        let table = read(text.as_bytes());
        assert_eq!(lines(&table), [2, 4], "{text:?}");
        assert_eq!(cells(&table)[1], ["东方", "无"], "{text:?}");
        assert!(cells(&table)[0][1].starts_with("第一行"), "{text:?}");
    }
}

#[test]
fn blank_rows_are_skipped_and_keep_the_line_count() {
    let text = "\n  \n客户,金额\n\n , \nA,1\n\t\nB,2\n";
    let table = read(text.as_bytes());
    assert_eq!(table.headers, ["客户", "金额"]);
    assert_eq!(cells(&table), [["A", "1"], ["B", "2"]]);
    assert_eq!(lines(&table), [6, 8]);
}

#[test]
fn headers_are_trimmed_and_cells_are_kept_as_read() {
    let table = read(" 客户 ,金额\t\n 华锐 , 1 \n".as_bytes());
    assert_eq!(table.headers, ["客户", "金额"]);
    assert_eq!(cells(&table), [[" 华锐 ", " 1 "]]);
}

#[test]
fn a_header_alone_is_a_table_without_rows() {
    let table = read("客户,金额\n\n".as_bytes());
    assert_eq!(table.headers, ["客户", "金额"]);
    assert!(table.rows.is_empty());
}

#[test]
fn an_empty_or_blank_file_has_no_header() {
    for input in [&b""[..], b"\xEF\xBB\xBF", b" \r\n\n , \n"] {
        assert_eq!(
            read_table(input, &ReadOptions::default()),
            Err(ImportError::NoHeader),
            "{input:?}"
        );
    }
}

// Workbooks.

/// A cell of a test workbook, by its A1 reference.
enum Cell {
    /// An inline string (`t="inlineStr"`), as Excel's exporters and many tools write.
    Text(&'static str),
    /// A string of the shared strings table, as Excel itself writes.
    Shared(&'static str),
    /// A number as the file writes it.
    Number(&'static str),
    /// A number with the built-in date format 14: an Excel date serial.
    Date(&'static str),
    Bool(bool),
    /// An error value such as `#N/A`.
    Error(&'static str),
}

/// A minimal .xlsx workbook: the parts calamine and Excel need, one worksheet per `(name,
/// cells)`, cells in row order. Texts keep their spaces, as Excel writes them (`xml:space`), and
/// are not escaped.
fn workbook(sheets: &[(&str, Vec<(&str, Cell)>)]) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    let mut shared: Vec<&str> = Vec::new();
    let mut worksheets = Vec::new();
    for (_, cells) in sheets {
        let mut xml = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
        let mut open_row = None;
        for (at, cell) in cells {
            let row = at.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            if open_row != Some(row) {
                if open_row.is_some() {
                    xml.push_str("</row>");
                }
                xml.push_str(&format!("<row r=\"{row}\">"));
                open_row = Some(row);
            }
            xml.push_str(&match cell {
                Cell::Text(text) => {
                    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{text}</t></is></c>")
                }
                Cell::Shared(text) => {
                    shared.push(text);
                    format!("<c r=\"{at}\" t=\"s\"><v>{}</v></c>", shared.len() - 1)
                }
                Cell::Number(value) => format!("<c r=\"{at}\"><v>{value}</v></c>"),
                Cell::Date(serial) => format!("<c r=\"{at}\" s=\"1\"><v>{serial}</v></c>"),
                Cell::Bool(value) => format!("<c r=\"{at}\" t=\"b\"><v>{}</v></c>", u8::from(*value)),
                Cell::Error(value) => format!("<c r=\"{at}\" t=\"e\"><v>{value}</v></c>"),
            });
        }
        if open_row.is_some() {
            xml.push_str("</row>");
        }
        xml.push_str("</sheetData></worksheet>");
        worksheets.push(xml);
    }

    let sheet_list: String = (1..)
        .zip(sheets)
        .map(|(i, (name, _))| format!("<sheet name=\"{name}\" sheetId=\"{i}\" r:id=\"rId{i}\"/>"))
        .collect();
    let sheet_rels: String = (1..=sheets.len())
        .map(|i| {
            format!(
                "<Relationship Id=\"rId{i}\" Type=\"{DOC_RELS}/worksheet\" \
                 Target=\"worksheets/sheet{i}.xml\"/>"
            )
        })
        .collect();
    let strings: String = shared
        .iter()
        .map(|s| format!("<si><t xml:space=\"preserve\">{s}</t></si>"))
        .collect();
    let mut parts = vec![
        (
            "[Content_Types].xml".to_owned(),
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" \
             ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/\
             vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>"
                .to_owned(),
        ),
        (
            "_rels/.rels".to_owned(),
            format!(
                "<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" \
                 Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml".to_owned(),
            format!(
                "<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\"><sheets>{sheet_list}</sheets>\
                 </workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_owned(),
            format!(
                "<Relationships xmlns=\"{RELS}\">{sheet_rels}\
                 <Relationship Id=\"rIdS\" Type=\"{DOC_RELS}/styles\" Target=\"styles.xml\"/>\
                 <Relationship Id=\"rIdT\" Type=\"{DOC_RELS}/sharedStrings\" \
                 Target=\"sharedStrings.xml\"/></Relationships>"
            ),
        ),
        // Style 1 is the built-in date format 14 (yyyy/m/d in a Chinese Excel).
        (
            "xl/styles.xml".to_owned(),
            format!(
                "<styleSheet xmlns=\"{MAIN}\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/>\
                 <xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
            ),
        ),
        (
            "xl/sharedStrings.xml".to_owned(),
            format!(
                "<sst xmlns=\"{MAIN}\" count=\"{0}\" uniqueCount=\"{0}\">{strings}</sst>",
                shared.len()
            ),
        ),
    ];
    parts.extend(
        (1..)
            .zip(worksheets)
            .map(|(i, xml)| (format!("xl/worksheets/sheet{i}.xml"), xml)),
    );
    zip_of(&parts)
}

fn zip_of(parts: &[(String, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (path, content) in parts {
        zip.start_file(path, stored).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Two sheets: 客户 with a header, a blank row 3 and typed cells; Deals starting at B2.
fn customers_and_deals() -> Vec<u8> {
    use Cell::*;
    workbook(&[
        (
            "客户",
            vec![
                ("A1", Shared("客户名称")),
                ("B1", Shared("签约日期")),
                ("C1", Text(" 金额 ")),
                ("D1", Text("人数")),
                ("E1", Text("启用")),
                ("F1", Text("备注")),
                ("A2", Shared("华锐超市")),
                ("B2", Date("46086")),
                ("C2", Number("1234.5")),
                ("D2", Number("3")),
                ("E2", Bool(true)),
                ("F2", Error("#N/A")),
                ("A3", Text("  ")),
                ("A4", Text(" 东方百货 ")),
                ("B4", Date("46086.5")),
                ("C4", Number("0.30000000000000004")),
                ("D4", Number("13800138000")),
                ("E4", Bool(false)),
            ],
        ),
        (
            "Deals",
            vec![
                ("B2", Text("Deal")),
                ("C2", Text("Amount")),
                ("C3", Number("100")),
                ("B5", Text("Renewal")),
                ("C5", Number("-2.5")),
            ],
        ),
    ])
}

fn xlsx_source(table: &Table) -> (&str, Vec<&str>) {
    match &table.read_as {
        Source::Xlsx { sheet, sheets } => (sheet, sheets.iter().map(String::as_str).collect()),
        other => panic!("read as {other:?}"),
    }
}

#[test]
fn the_first_sheet_is_read_unless_one_is_named() {
    let table = read(&customers_and_deals());
    assert_eq!(
        table.headers,
        ["客户名称", "签约日期", "金额", "人数", "启用", "备注"]
    );
    assert_eq!(xlsx_source(&table), ("客户", vec!["客户", "Deals"]));
}

#[test]
fn workbook_cells_read_as_a_person_would_type_them() {
    let table = read(&customers_and_deals());
    assert_eq!(
        cells(&table),
        [
            vec!["华锐超市", "2026-03-05", "1234.5", "3", "true"],
            vec![
                " 东方百货 ",
                "2026-03-05T12:00:00",
                "0.3",
                "13800138000",
                "false"
            ],
        ]
    );
}

#[test]
fn workbook_rows_keep_their_sheet_row_numbers() {
    assert_eq!(lines(&read(&customers_and_deals())), [2, 4]);
}

#[test]
fn a_sheet_is_named_in_any_case_with_spaces_around() {
    let options = ReadOptions {
        sheet: Some("  deals ".into()),
        ..ReadOptions::default()
    };
    let table = read_with(&customers_and_deals(), options).unwrap();
    assert_eq!(xlsx_source(&table).0, "Deals");
    // The sheet starts at B2: its row numbers are the sheet's, its columns start at B.
    assert_eq!(table.headers, ["Deal", "Amount"]);
    assert_eq!(cells(&table), [vec!["", "100"], vec!["Renewal", "-2.5"]]);
    assert_eq!(lines(&table), [3, 5]);
}

#[test]
fn a_blank_sheet_name_means_the_first_sheet() {
    let options = ReadOptions {
        sheet: Some(" ".into()),
        ..ReadOptions::default()
    };
    let table = read_with(&customers_and_deals(), options).unwrap();
    assert_eq!(xlsx_source(&table).0, "客户");
}

#[test]
fn a_missing_sheet_is_an_error_listing_the_sheets() {
    let options = ReadOptions {
        sheet: Some("订单".into()),
        ..ReadOptions::default()
    };
    assert_eq!(
        read_with(&customers_and_deals(), options),
        Err(ImportError::NoSuchSheet {
            sheet: "订单".into(),
            sheets: vec!["客户".into(), "Deals".into()],
        })
    );
}

#[test]
fn a_sheet_without_values_has_no_header() {
    let input = workbook(&[(
        "空",
        vec![("A1", Cell::Text(" ")), ("B2", Cell::Error("#REF!"))],
    )]);
    assert_eq!(
        read_with(&input, ReadOptions::default()),
        Err(ImportError::NoHeader)
    );
}

#[test]
fn a_zip_that_is_not_a_workbook_says_so() {
    let input = zip_of(&[("word/document.xml".into(), "<document/>".into())]);
    assert!(matches!(
        read_with(&input, ReadOptions::default()),
        Err(ImportError::NotAWorkbook { .. })
    ));
}

#[test]
fn an_old_xls_workbook_is_not_read_as_text() {
    let mut input = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    input.resize(512, 0);
    assert_eq!(
        read_with(&input, ReadOptions::default()),
        Err(ImportError::LegacyWorkbook)
    );
}

// Cell text of the value kinds a test workbook cannot easily hold.

#[test]
fn numbers_lose_binary_noise_but_not_digits() {
    assert_eq!(number_text(3.0), "3");
    assert_eq!(number_text(-0.0), "0");
    assert_eq!(number_text(1234.5), "1234.5");
    assert_eq!(number_text(1234.5 - 1e-12), "1234.5");
    assert_eq!(number_text(0.1 + 0.2), "0.3");
    assert_eq!(number_text(123_456_789_012_345.0), "123456789012345");
    assert_eq!(number_text(0.000_012_5), "0.0000125");
    assert_eq!(number_text(1e20), "100000000000000000000");
}

#[test]
fn excel_times_and_durations_read_as_clock_text() {
    use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
    let text = |value, kind| date_time_text(&ExcelDateTime::new(value, kind, false));
    assert_eq!(text(46086.0, DateTime), "2026-03-05");
    assert_eq!(text(46086.25, DateTime), "2026-03-05T06:00:00");
    assert_eq!(text(0.5, DateTime), "12:00:00");
    assert_eq!(text(1.0 + 2.5 / 24.0, TimeDelta), "26:30:00");
    // 1904-based workbooks (old Mac Excel) count from 1904-01-01.
    assert_eq!(
        date_time_text(&ExcelDateTime::new(44624.0, DateTime, true)),
        "2026-03-05"
    );
}
