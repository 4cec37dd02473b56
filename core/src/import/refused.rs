//! The rows an import refused, as a file to fix and import again.

use super::{ImportReport, Table};
use crate::locale::Locale;

/// The header and each refused row as the file had it, with the reasons in a last column, in
/// `locale`: CSV in UTF-8 with a BOM, so Excel opens it with its Chinese intact. Rows that were
/// imported are left out, so importing the fixed file adds only them.
pub fn refused_rows(table: &Table, report: &ImportReport, locale: Locale) -> Vec<u8> {
    let reason = match locale {
        Locale::ZhCn => "未导入原因",
        Locale::En => "Why not imported",
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(&mut out);
    let mut header: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    header.push(reason);
    // Writing to memory cannot fail.
    let _ = writer.write_record(&header);
    let width = table.headers.len();
    let mut errors = report.errors.iter().peekable();
    for row in &table.rows {
        let mut messages = Vec::new();
        while let Some(error) = errors.next_if(|e| e.line <= row.line) {
            if error.line == row.line {
                messages.push(error.message(locale));
            }
        }
        if messages.is_empty() {
            continue;
        }
        let mut cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
        // Extra cells stay (they are one of the reasons); short rows are padded to the header.
        if cells.len() < width {
            cells.resize(width, "");
        }
        let joined = messages.join("；");
        cells.push(&joined);
        let _ = writer.write_record(&cells);
    }
    let _ = writer.flush();
    drop(writer);
    out
}
