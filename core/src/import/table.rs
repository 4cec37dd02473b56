//! A file's rows before they mean anything: a CSV (any of the usual delimiters and encodings) or
//! an Excel workbook's sheet, as a header and rows of text cells with their line, and how it was read.
//!
//! Cells are text as a person would have typed them (an Excel date becomes `2026-03-05`, a float
//! `1234.5`), untrimmed: the importer trims and parses them, the same way for both formats.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx, XlsxError};
use serde::{Deserialize, Serialize};

use super::error::ImportError;

/// The character between cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    /// The one of comma, tab, semicolon and pipe that splits the header and the first rows alike.
    #[default]
    Auto,
    Comma,
    Tab,
    Semicolon,
    Pipe,
}

impl Delimiter {
    /// Every choice, `Auto` first, for a person to pick from.
    pub const ALL: [Delimiter; 5] = [
        Delimiter::Auto,
        Delimiter::Comma,
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Pipe,
    ];

    /// The candidates `Auto` tries, in the order that wins a tie.
    const CANDIDATES: [Delimiter; 4] = [
        Delimiter::Comma,
        Delimiter::Tab,
        Delimiter::Semicolon,
        Delimiter::Pipe,
    ];

    /// The word that names it on the command line and in the browser's choice.
    pub fn word(self) -> &'static str {
        match self {
            Delimiter::Auto => "auto",
            Delimiter::Comma => "comma",
            Delimiter::Tab => "tab",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Pipe => "pipe",
        }
    }

    /// The delimiter a word names: its `word`, or the character itself (`\t` for tab).
    pub fn parse(word: &str) -> Option<Delimiter> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "auto" => Delimiter::Auto,
            "comma" | "," => Delimiter::Comma,
            "tab" | "\\t" => Delimiter::Tab,
            "semicolon" | ";" => Delimiter::Semicolon,
            "pipe" | "|" => Delimiter::Pipe,
            _ => return None,
        })
    }

    /// The character itself, to show the person (`None` for `Auto`, which a read never reports).
    pub fn as_char(self) -> Option<char> {
        match self {
            Delimiter::Auto => None,
            Delimiter::Comma => Some(','),
            Delimiter::Tab => Some('\t'),
            Delimiter::Semicolon => Some(';'),
            Delimiter::Pipe => Some('|'),
        }
    }

    /// The byte the CSV reader splits on; `Auto` is resolved before any reader is built.
    fn byte(self) -> u8 {
        match self {
            Delimiter::Auto | Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
            Delimiter::Semicolon => b';',
            Delimiter::Pipe => b'|',
        }
    }
}

/// How a CSV file's bytes become text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// A BOM says UTF-8 or UTF-16; else UTF-8 if the bytes are, else GB18030 (a superset of GBK).
    #[default]
    Auto,
    Utf8,
    /// GB18030, which also reads GBK and GB2312: what Excel in Chinese saves as “CSV”.
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// Every choice, `Auto` first, for a person to pick from.
    pub const ALL: [Encoding; 5] = [
        Encoding::Auto,
        Encoding::Utf8,
        Encoding::Gb18030,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
    ];

    /// The encoding's standard name, the same in every language (`auto` for `Auto`, which a read
    /// never reports).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }

    /// The word that names it on the command line and in the browser's choice.
    pub fn word(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gbk",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    /// The encoding a word names: its `word`, or another usual name (`gb18030`, `utf8`).
    pub fn parse(word: &str) -> Option<Encoding> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "auto" => Encoding::Auto,
            "utf-8" | "utf8" => Encoding::Utf8,
            "gbk" | "gb2312" | "gb18030" => Encoding::Gb18030,
            "utf-16le" | "utf16le" => Encoding::Utf16Le,
            "utf-16be" | "utf16be" => Encoding::Utf16Be,
            _ => return None,
        })
    }

    /// The decoder; `Auto` is resolved before any text is decoded.
    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Auto | Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }

    /// The byte order mark this encoding may start with, dropped before decoding.
    fn bom(self) -> &'static [u8] {
        match self {
            Encoding::Auto | Encoding::Utf8 => b"\xEF\xBB\xBF",
            Encoding::Gb18030 => b"",
            Encoding::Utf16Le => b"\xFF\xFE",
            Encoding::Utf16Be => b"\xFE\xFF",
        }
    }
}

/// How to read a file into a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub delimiter: Delimiter,
    pub encoding: Encoding,
    /// The workbook sheet to read (by name, trimmed, any case); the first sheet when `None` or
    /// blank. Ignored for CSV.
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
    /// The first non-blank row, each name trimmed.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub read_as: Source,
}

/// What a read found out about the file, for the person to check before importing: “read as
/// GB18030, separated by |”, or which sheet of which were read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// CSV text, with the encoding and delimiter used (never `Auto`).
    Csv {
        encoding: Encoding,
        delimiter: Delimiter,
    },
    /// An .xlsx workbook: the sheet read and all its sheet names, in workbook order.
    Xlsx { sheet: String, sheets: Vec<String> },
}

impl Default for Source {
    /// What a table built in code claims to be: plain UTF-8 CSV.
    fn default() -> Self {
        Source::Csv {
            encoding: Encoding::Utf8,
            delimiter: Delimiter::Comma,
        }
    }
}

/// Reads the same bytes the plainest way, for benchmarks to set `read_table` beside: every CSV
/// record of UTF-8 text split on commas as a `csv::StringRecord`, or calamine's first sheet with
/// every cell made a string; no decoding, sniffing, trimming or blank-row rules. The rows read.
pub fn read_plain(input: &[u8]) -> usize {
    if input.starts_with(ZIP_MAGIC) {
        let Ok(mut workbook) = calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(input))
        else {
            return 0;
        };
        let Some(name) = workbook.sheet_names().first().cloned() else {
            return 0;
        };
        let Ok(range) = workbook.worksheet_range(&name) else {
            return 0;
        };
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| row.iter().map(ToString::to_string).collect())
            .collect();
        return rows.len();
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let records: Vec<csv::StringRecord> = reader.records().map_while(Result::ok).collect();
    records.len()
}

/// Reads a CSV file or an .xlsx workbook (told apart by their first bytes).
///
/// The header is the first non-blank row; blank rows (every cell whitespace) are skipped. A row's
/// `line` is the physical line where a CSV record starts, or the sheet's row number.
pub fn read_table(input: &[u8], options: &ReadOptions) -> Result<Table, ImportError> {
    if input.starts_with(ZIP_MAGIC) {
        read_xlsx(input, options)
    } else if input.starts_with(OLE_MAGIC) {
        Err(ImportError::LegacyWorkbook)
    } else {
        read_csv(input, options)
    }
}

/// An .xlsx workbook is a zip archive, whose first entry starts with this.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// An Excel 97–2003 .xls or a password-protected workbook (an OLE compound file): never CSV.
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn read_csv(input: &[u8], options: &ReadOptions) -> Result<Table, ImportError> {
    let (text, encoding) = decode(input, options.encoding)?;
    let delimiter = match options.delimiter {
        Delimiter::Auto => sniff_delimiter(&text),
        chosen => chosen,
    };
    let mut reader = csv_reader(&text, delimiter);
    let mut lines = LineCounter::new(&text);
    let mut record = csv::StringRecord::new();
    let mut headers = None;
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(ImportError::Csv {
                    line: e.position().map_or(1, |p| lines.line_of(p.byte())),
                    message: e.to_string(),
                })
            }
        }
        if is_blank(record.iter()) {
            continue;
        }
        if headers.is_none() {
            headers = Some(record.iter().map(|h| h.trim().to_owned()).collect());
            continue;
        }
        let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
        rows.push(Row {
            line,
            cells: record.iter().map(str::to_owned).collect(),
        });
    }
    Ok(Table {
        headers: headers.ok_or(ImportError::NoHeader)?,
        rows,
        read_as: Source::Csv {
            encoding,
            delimiter,
        },
    })
}

fn csv_reader(text: &str, delimiter: Delimiter) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .from_reader(text.as_bytes())
}

/// The file's text (borrowed when it is UTF-8 already, without its BOM) and the encoding used.
fn decode(input: &[u8], chosen: Encoding) -> Result<(Cow<'_, str>, Encoding), ImportError> {
    let encoding = match chosen {
        Encoding::Auto => match [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be]
            .into_iter()
            .find(|e| input.starts_with(e.bom()))
        {
            Some(marked) => marked,
            None => match std::str::from_utf8(input) {
                Ok(text) => return Ok((Cow::Borrowed(text), Encoding::Utf8)),
                Err(_) => Encoding::Gb18030,
            },
        },
        chosen => chosen,
    };
    let bytes = input.strip_prefix(encoding.bom()).unwrap_or(input);
    let codec = encoding.codec();
    match codec.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text, encoding)),
        None => Err(ImportError::Undecodable {
            encoding,
            line: first_undecodable_line(bytes, codec),
        }),
    }
}

/// The line of the first bytes `codec` cannot decode: one more than the line breaks decoded before
/// them. Decoded in small pieces, as only the count is wanted.
fn first_undecodable_line(bytes: &[u8], codec: &'static encoding_rs::Encoding) -> u64 {
    let mut decoder = codec.new_decoder_without_bom_handling();
    let mut piece = [0u8; 4096];
    let mut breaks = LineBreaks::default();
    let mut rest = bytes;
    loop {
        let (result, read, written) =
            decoder.decode_to_utf8_without_replacement(rest, &mut piece, true);
        breaks.feed(&piece[..written]);
        rest = &rest[read..];
        match result {
            encoding_rs::DecoderResult::OutputFull => {}
            encoding_rs::DecoderResult::Malformed(..) | encoding_rs::DecoderResult::InputEmpty => {
                return breaks.count + 1
            }
        }
    }
}

/// The delimiter of comma, tab, semicolon and pipe that splits the header into the most cells and
/// the first rows into as many; comma when none splits anything consistently. Each candidate is
/// tried with the CSV reader itself, so quoted cells count as they will be read.
fn sniff_delimiter(text: &str) -> Delimiter {
    const SAMPLE_ROWS: usize = 20;
    let mut best = (Delimiter::Comma, 1);
    let mut record = csv::StringRecord::new();
    for candidate in Delimiter::CANDIDATES {
        let mut reader = csv_reader(text, candidate);
        let mut width = None;
        let mut sampled = 0;
        let mut consistent = true;
        while sampled < SAMPLE_ROWS && matches!(reader.read_record(&mut record), Ok(true)) {
            if is_blank(record.iter()) {
                continue;
            }
            sampled += 1;
            match width {
                None => width = Some(record.len()),
                Some(width) if width != record.len() => {
                    consistent = false;
                    break;
                }
                Some(_) => {}
            }
        }
        match width {
            Some(width) if consistent && width > best.1 => best = (candidate, width),
            _ => {}
        }
    }
    best.0
}

fn is_blank<'a>(mut cells: impl Iterator<Item = &'a str>) -> bool {
    cells.all(|cell| cell.trim().is_empty())
}

/// Counts line breaks as an editor does: `\n`, `\r\n` and a lone `\r` are one each, also when
/// the text arrives in pieces that split a `\r\n`.
#[derive(Default)]
struct LineBreaks {
    count: u64,
    after_cr: bool,
}

impl LineBreaks {
    fn feed(&mut self, text: &[u8]) {
        for &b in text {
            match b {
                b'\r' => self.count += 1,
                b'\n' if !self.after_cr => self.count += 1,
                _ => {}
            }
            self.after_cr = b == b'\r';
        }
    }
}

/// Byte offset → physical line, for offsets asked in increasing order (the CSV reader's record
/// starts): each asks only for the breaks since the one before, so a file costs one pass.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    breaks: LineBreaks,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            at: 0,
            breaks: LineBreaks::default(),
        }
    }

    /// The line of a record that the CSV reader says starts at `byte`; its position may point at
    /// blank lines it skipped on the way, so line breaks there are stepped over.
    fn line_of(&mut self, byte: u64) -> u64 {
        let mut to = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(to), Some(b'\r' | b'\n')) {
            to += 1;
        }
        if to < self.at {
            (self.at, self.breaks) = (0, LineBreaks::default());
        }
        self.breaks.feed(&self.text[self.at..to]);
        self.at = to;
        self.breaks.count + 1
    }
}

/// Excel's sheet. A cell past it comes from a broken or hostile file (calamine hands on whatever
/// position its reference spells, wrapped past `u32` in release builds: calamine#694), and would
/// make rows of millions of empty cells.
const SHEET_ROWS: u32 = 1_048_576;
const SHEET_COLUMNS: u32 = 16_384;

fn read_xlsx(input: &[u8], options: &ReadOptions) -> Result<Table, ImportError> {
    let unreadable = |e: XlsxError| ImportError::NotAWorkbook {
        message: e.to_string(),
    };
    let mut workbook = Xlsx::new(Cursor::new(input)).map_err(unreadable)?;
    let sheets = workbook.sheet_names();
    let sheet = match options.sheet.as_deref().map(str::trim) {
        Some(wanted) if !wanted.is_empty() => {
            let wanted_lower = wanted.to_lowercase();
            sheets
                .iter()
                .find(|s| s.trim().to_lowercase() == wanted_lower)
                .ok_or_else(|| ImportError::NoSuchSheet {
                    sheet: wanted.to_owned(),
                    sheets: sheets.clone(),
                })?
        }
        _ => sheets.first().ok_or(ImportError::NoHeader)?,
    }
    .clone();

    // Cells as they come, kept only if they hold something; a sheet lists them by row, but not
    // every writer keeps that order, so they are sorted when needed.
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    match workbook.worksheet_cells_reader(&sheet) {
        Ok(mut reader) => {
            while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                let (row, column) = cell.get_position();
                if row >= SHEET_ROWS || column >= SHEET_COLUMNS {
                    return Err(ImportError::NotAWorkbook {
                        message: format!(
                            "a cell at row {}, column {} lies outside the sheet ({SHEET_ROWS} rows, \
                             {SHEET_COLUMNS} columns)",
                            u64::from(row) + 1,
                            u64::from(column) + 1
                        ),
                    });
                }
                let text = cell_text(cell.get_value());
                if !text.is_empty() {
                    cells.push((row, column, text));
                }
            }
        }
        // A chart sheet: nothing to read.
        Err(XlsxError::NotAWorksheet(_)) => {}
        Err(e) => return Err(unreadable(e)),
    }
    if !cells.is_sorted_by_key(|&(row, column, _)| (row, column)) {
        cells.sort_by_key(|&(row, column, _)| (row, column));
    }

    // Columns before the first one used anywhere are dropped, as if the sheet started there.
    let first_column = cells
        .iter()
        .map(|&(_, column, _)| column)
        .min()
        .unwrap_or(0);
    let mut rows: Vec<Row> = Vec::new();
    for (row, column, text) in cells {
        let line = u64::from(row) + 1;
        let row = match rows.last_mut() {
            Some(last) if last.line == line => last,
            _ => {
                rows.push(Row {
                    line,
                    cells: Vec::new(),
                });
                rows.last_mut().expect("a row was just pushed")
            }
        };
        let at = (column - first_column) as usize;
        if row.cells.len() <= at {
            row.cells.resize(at + 1, String::new());
        }
        row.cells[at] = text;
    }

    let mut rows = rows
        .into_iter()
        .filter(|row| !is_blank(row.cells.iter().map(String::as_str)));
    let header = rows.next().ok_or(ImportError::NoHeader)?;
    Ok(Table {
        headers: header.cells.iter().map(|h| h.trim().to_owned()).collect(),
        rows: rows.collect(),
        read_as: Source::Xlsx { sheet, sheets },
    })
}

/// A cell as a person would have typed it, so the importer's cell parsers read both formats
/// alike. Error cells (`#N/A`, `#DIV/0!`) read as empty: they hold no value to import.
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::String(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Float(value) => number_text(*value),
        DataRef::Int(value) => value.to_string(),
        DataRef::Bool(value) => value.to_string(),
        DataRef::DateTime(value) => date_time_text(value),
        DataRef::DateTimeIso(text) => text.strip_suffix("T00:00:00").unwrap_or(text).to_owned(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// A number without binary noise: Excel shows at most 15 significant digits, so a formula's
/// `0.30000000000000004` is the `0.3` the person saw. Shortest round-trip otherwise (`3`, `1234.5`).
fn number_text(value: f64) -> String {
    if value == 0.0 {
        // Also -0, which nobody types.
        return "0".to_owned();
    }
    let text = value.to_string();
    let significant = text
        .trim_start_matches(['-', '0', '.'])
        .trim_end_matches(['0', '.']);
    if significant.bytes().filter(u8::is_ascii_digit).count() <= 15 {
        return text;
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    rounded.to_string()
}

/// An Excel date (`2026-03-05`), date and time (`2026-03-05T12:00:00`, no zone: the importer
/// decides what a zoneless time means), time of day (`08:30:00`) or duration (`26:30:00`).
fn date_time_text(value: &ExcelDateTime) -> String {
    if value.is_duration() {
        return duration_text(value.as_f64());
    }
    let (year, month, day, hour, minute, second, milli) = value.to_ymd_hms_milli();
    let time = if milli == 0 {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else {
        format!("{hour:02}:{minute:02}:{second:02}.{milli:03}")
    };
    if (0.0..1.0).contains(&value.as_f64()) {
        // Day zero is no date: the cell is a time of day.
        time
    } else if (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}T{time}")
    }
}

/// A duration in days as Excel's `[h]:mm:ss` shows it.
fn duration_text(days: f64) -> String {
    let millis = (days * 86_400_000.0).round() as i64;
    let sign = if millis < 0 { "-" } else { "" };
    let millis = millis.unsigned_abs();
    let (hours, minutes, seconds) = (millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60);
    match millis % 1000 {
        0 => format!("{sign}{hours:02}:{minutes:02}:{seconds:02}"),
        milli => format!("{sign}{hours:02}:{minutes:02}:{seconds:02}.{milli:03}"),
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
