//! A file's rows before they mean anything: a CSV (any of the usual delimiters and encodings) or
//! an Excel workbook's sheet, as a header and rows of trimmed-later text cells with their line.
//!
//! (Being written: see `read_table`.)

use super::error::ImportError;

/// The character between cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// The one of comma, tab, semicolon and pipe that splits the header and the first rows alike.
    #[default]
    Auto,
    Comma,
    Tab,
    Semicolon,
    Pipe,
}

/// How a CSV file's bytes become text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// A BOM says UTF-8 or UTF-16; else UTF-8 if the bytes are, else GB18030 (a superset of GBK).
    #[default]
    Auto,
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

/// How to read a file into a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub delimiter: Delimiter,
    pub encoding: Encoding,
    /// The workbook sheet to read (by name); the first sheet when `None`. Ignored for CSV.
    pub sheet: Option<String>,
}

/// One data row: its line in the file (a sheet's row number) and its cells as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

/// A file read: its header, its non-blank data rows, and how it was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads a CSV file or an .xlsx workbook (told apart by their first bytes).
pub fn read_table(_input: &[u8], _options: &ReadOptions) -> Result<Table, ImportError> {
    Err(ImportError::NoHeader)
}
