//! CSV import (导入) of org units, users, customers, products, opportunities, orders and targets into
//! create intents.
//!
//! A pure function from the file's bytes, the mapping and a view of existing records to a report:
//! the rows that would be created, as `Intent::Create` in file order, and every bad row with its line
//! and reason. Nothing is stored here; the server (CLI `import`) or the web app decides whether to
//! apply the valid rows, so a dry run and a real run read the same report.

mod cells;
mod error;
#[cfg(test)]
mod history_tests;
mod lookup;
mod mapping;
pub mod table;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use error::{ImportError, RowError};
pub use lookup::{natural_keys, target_slot, Ambiguous, Figure, Lookup, RecordIndex, TARGET_SLOT};
pub use mapping::{ColumnMap, ValueMap, ValueMapping};

use error::Problem;
use lookup::{key_of, unique_keys, KeyIndex};
use mapping::{Plan, Target};

use crate::domain::{validate_create, Collection, FieldDef, FieldKind, ValidationError};
use crate::id::is_record_id;
use crate::sync::protocol::{CreateArgs, Intent};
use crate::targets::actuals::Metric;
use crate::time::{parse_date, Datelike};

/// What a file holds: one collection per file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// 营销组织, parents before their children.
    OrgUnits,
    /// 人员, managers before their reports. Passwords are not imported.
    Users,
    /// 客户.
    Customers,
    /// 产品.
    Products,
    /// 销售机会, each at its current stage.
    Opportunities,
    /// 订单: sales history (last year's actuals) by its totals; lines are not imported.
    Orders,
    /// 目标: targets, each hung under the target the targets sheet would hang it from.
    Targets,
    /// 历史业绩: last year's actual figures by month, from the company's books.
    PastActuals,
}

impl ImportKind {
    pub const ALL: [ImportKind; 8] = [
        ImportKind::OrgUnits,
        ImportKind::Users,
        ImportKind::Customers,
        ImportKind::Products,
        ImportKind::Opportunities,
        ImportKind::Orders,
        ImportKind::Targets,
        ImportKind::PastActuals,
    ];

    /// The collection the rows become records of.
    pub fn collection(self) -> Collection {
        match self {
            ImportKind::OrgUnits => Collection::OrgUnit,
            ImportKind::Users => Collection::User,
            ImportKind::Customers => Collection::Customer,
            ImportKind::Products => Collection::Product,
            ImportKind::Opportunities => Collection::Opportunity,
            ImportKind::Orders => Collection::Order,
            ImportKind::Targets => Collection::Target,
            ImportKind::PastActuals => Collection::PastActual,
        }
    }

    /// The CLI word, the collection's wire name: `org_units`, `users`, …
    pub fn as_str(self) -> &'static str {
        self.collection().as_str()
    }

    /// The kind for a CLI word (`org_units`, `users`, `customers`, `products`, `opportunities`,
    /// `orders`, `targets`, `past_actuals`).
    pub fn parse(word: &str) -> Option<ImportKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == word.trim())
    }

    /// The names a column may map to, for help texts: wire names, reference names without `_id`
    /// (`unit`, `manager`, `owner`…) and, for opportunities, `entered_at`/`created`.
    pub fn fields(self) -> Vec<&'static str> {
        mapping::targets(self).into_iter().map(|(n, _)| n).collect()
    }
}

impl std::fmt::Display for ImportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The character between cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// Tab if the header line has more tabs than commas (a sheet copied from Excel), else comma.
    #[default]
    Auto,
    Comma,
    Tab,
}

impl Delimiter {
    fn byte(self, text: &str) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
            Delimiter::Auto => {
                let header = text.lines().next().unwrap_or_default();
                let count = |c| header.chars().filter(|&h| h == c).count();
                if count('\t') > count(',') {
                    b'\t'
                } else {
                    b','
                }
            }
        }
    }
}

/// How to read a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    pub kind: ImportKind,
    /// Header → field; headers equal to a field's name, short name or label need no entry.
    pub columns: ColumnMap,
    /// The file's own words for our choices.
    pub values: ValueMap,
    pub delimiter: Delimiter,
    /// When an imported opportunity entered its stage if the file has no `entered_at`/`created`
    /// column: the import's time, RFC 3339 (normalised to UTC like a cell).
    pub now: String,
}

impl ImportOptions {
    /// Automatic columns and values, delimiter detected.
    pub fn new(kind: ImportKind, now: impl Into<String>) -> Self {
        ImportOptions {
            kind,
            columns: ColumnMap::new(),
            values: ValueMap::new(),
            delimiter: Delimiter::Auto,
            now: now.into(),
        }
    }
}

/// What an import would do, and what stops which rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (blank rows are skipped and not counted).
    pub rows_read: usize,
    /// The rows that pass every check, as creates in file order with their line: applying them in
    /// this order creates parents and managers before the rows that refer to them.
    pub valid: Vec<(u64, Intent)>,
    /// Every problem of every bad row, in file order; a bad row has at least one entry.
    pub errors: Vec<RowError>,
    /// Headers of columns that no field takes, in file order.
    pub ignored_headers: Vec<String>,
    /// Header → field for the columns read, in file order (`entered_at` for an opportunity's
    /// `created` column).
    pub mapped_headers: Vec<(String, String)>,
}

/// Reads a CSV file of `options.kind` into create intents and row errors.
///
/// `input` is UTF-8 with or without a BOM (anything else is `ImportError::NotUtf8`); the first
/// non-blank line names the columns. References (a user's unit and manager, a customer's owner, an
/// opportunity's customer, an org unit's parent…) are written as codes, names, logins, employee
/// numbers, SKUs or ids and resolved through `lookup` and through the rows above in the same file;
/// a new record's id comes from `new_id` (UUIDv7 in the server, a counter in tests) and only valid
/// rows take one. Keys that must be unique (code, login, employee no., SKU) may not repeat in the
/// file or name an existing record.
///
/// The function is pure: the same input, lookup and id sequence give the same report, so there is no
/// separate dry run. The caller shows the report and decides whether to apply `valid`.
pub fn import_csv<L: Lookup + ?Sized>(
    input: &[u8],
    options: &ImportOptions,
    lookup: &L,
    new_id: impl FnMut() -> String,
) -> Result<ImportReport, ImportError> {
    let text = decode(input)?;
    let lines = LineIndex::new(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter.byte(text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let csv_error = |e: csv::Error| ImportError::Csv {
        line: e.position().map_or(1, |p| lines.line_of(p.byte())),
        message: e.to_string(),
    };
    let header = loop {
        match records.next() {
            None => return Err(ImportError::NoHeader),
            Some(record) => {
                let record = record.map_err(csv_error)?;
                if !is_blank(&record) {
                    break record;
                }
            }
        }
    };
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let plan = mapping::plan(options.kind, &headers, &options.columns, &options.values)?;

    let mut run = Run {
        kind: options.kind,
        collection: options.kind.collection(),
        header_len: headers.len(),
        now: cells::instant(&options.now).unwrap_or_else(|_| options.now.clone()),
        plan: &plan,
        lookup,
        new_id,
        rows: KeyIndex::default(),
        figures: HashMap::new(),
        report: ImportReport {
            ignored_headers: plan.ignored.clone(),
            mapped_headers: plan
                .columns
                .iter()
                .map(|c| (c.header.clone(), c.target.name().to_owned()))
                .collect(),
            ..ImportReport::default()
        },
    };
    for record in records {
        let record = record.map_err(csv_error)?;
        if is_blank(&record) {
            continue;
        }
        let start = record.position().map_or(0, |p| p.byte());
        run.row(lines.line_of(start), &record);
    }
    Ok(run.report)
}

/// The text of a UTF-8 file without its BOM.
fn decode(input: &[u8]) -> Result<&str, ImportError> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    std::str::from_utf8(input).map_err(|e| ImportError::NotUtf8 {
        line: LineIndex::count(&input[..e.valid_up_to()]) + 1,
    })
}

fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|cell| cell.trim().is_empty())
}

/// Byte offset → physical line, counting `\n`, `\r\n` and a lone `\r` as one line break each, so a
/// cell spanning lines moves the count like the file does in an editor.
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in text.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { text, starts }
    }

    fn count(bytes: &[u8]) -> u64 {
        let mut n = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                n += 1;
            }
        }
        n
    }

    /// The line of a record that the CSV reader says starts at `byte`; its position may point at
    /// blank lines it skipped on the way, so line breaks there are stepped over.
    fn line_of(&self, byte: u64) -> u64 {
        let mut at = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        self.starts.partition_point(|&s| s <= at) as u64
    }
}

/// An earlier row of the file as later rows see it: its line and, if it is valid, its new id.
#[derive(Clone, Debug, PartialEq)]
struct FileRow {
    line: u64,
    id: Option<String>,
}

/// The state of one import while its rows are read.
struct Run<'p, L: ?Sized, F> {
    kind: ImportKind,
    collection: Collection,
    header_len: usize,
    now: String,
    plan: &'p Plan,
    lookup: &'p L,
    new_id: F,
    /// Rows read so far by their natural keys, for references and duplicates.
    rows: KeyIndex<FileRow>,
    /// Valid past actuals above, by (metric, month), with their lines.
    figures: HashMap<(String, String), Vec<(u64, Figure)>>,
    report: ImportReport,
}

impl<L: Lookup + ?Sized, F: FnMut() -> String> Run<'_, L, F> {
    fn row(&mut self, line: u64, record: &csv::StringRecord) {
        self.report.rows_read += 1;
        let mut errors = Vec::new();
        let extra = record.iter().skip(self.header_len);
        if extra.clone().any(|cell| !cell.trim().is_empty()) {
            let problem = Problem::ExtraCells {
                cells: self.header_len + extra.count(),
                columns: self.header_len,
            };
            errors.push(RowError::new(line, None, None, &problem));
        }

        let mut fields = Map::new();
        // The file's text of each field, for naming it in errors.
        let mut texts: Vec<(&'static str, &str)> = Vec::new();
        let mut entered_at = None;
        let mut created = None;
        // Cells read once the rest of the row is (`Target::Later`).
        let mut later: Vec<(&'static str, &str)> = Vec::new();
        for column in &self.plan.columns {
            let cell = record.get(column.index).unwrap_or_default().trim();
            if cell.is_empty() {
                continue;
            }
            let name = column.target.name();
            texts.push((name, cell));
            let value = match column.target {
                Target::EnteredAt => cells::instant(cell).map_err(Problem::Cell).map(|at| {
                    entered_at = Some(at);
                }),
                Target::Created => cells::instant(cell).map_err(Problem::Cell).map(|at| {
                    created = Some(at);
                }),
                Target::Field(def) => self.convert(def, cell).map(|value| {
                    fields.insert(def.name.to_owned(), value);
                }),
                Target::Later(def) => {
                    later.push((def.name, cell));
                    Ok(())
                }
            };
            if let Err(problem) = value {
                errors.push(RowError::new(line, Some(name), Some(cell), &problem));
            }
        }
        let cell_of = |name: &str| texts.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);

        let placed = match self.kind {
            ImportKind::Opportunities => self.open_at_stage(&mut fields, entered_at),
            ImportKind::Orders => self.place_order(&mut fields),
            ImportKind::Targets | ImportKind::PastActuals => {
                self.place_measured(&mut fields, &later)
            }
            _ => Vec::new(),
        };
        for (field, problem) in placed {
            errors.push(RowError::new(line, Some(field), cell_of(field), &problem));
        }
        for (field, problem) in self.duplicates(&fields) {
            errors.push(RowError::new(line, Some(field), cell_of(field), &problem));
        }
        if errors.is_empty() {
            if let Err(error) = validate_create(self.collection, &fields) {
                let path = error.field();
                let top = path.split(['.', '[']).next().unwrap_or(path).to_owned();
                let problem = Problem::Invalid(error);
                errors.push(RowError::new(line, Some(&top), cell_of(&top), &problem));
            }
        }

        let id = errors.is_empty().then(|| {
            let id = (self.new_id)();
            // Taken on before today: made then, so it is not a new customer of this month. Never
            // later than the import.
            let at = created.as_deref().and_then(crate::time::parse_instant);
            let now = crate::time::parse_instant(&self.now);
            match (at, now) {
                (Some(at), Some(now)) => {
                    crate::id::remade_at(&id, at.min(now).timestamp_millis()).unwrap_or(id)
                }
                _ => id,
            }
        });
        let row = FileRow {
            line,
            id: id.clone(),
        };
        self.rows.add(self.collection, &fields, &row);
        if let (Some(_), Some((key, figure))) = (&id, figure_of(self.kind, &fields)) {
            self.figures.entry(key).or_default().push((line, figure));
        }
        match id {
            Some(id) => self.report.valid.push((
                line,
                Intent::Create(CreateArgs {
                    collection: self.collection,
                    id,
                    fields,
                }),
            )),
            None => self.report.errors.extend(errors),
        }
    }

    /// One non-empty, trimmed cell as the JSON value of its field.
    fn convert(&self, def: &'static FieldDef, cell: &str) -> Result<Value, Problem> {
        let number = |n: Result<i64, cells::CellError>| n.map(Value::from).map_err(Problem::Cell);
        match def.kind {
            // The server keeps logins lowercased; the record does too.
            FieldKind::Text { .. }
                if self.collection == Collection::User && def.name == "login" =>
            {
                Ok(Value::from(cell.to_lowercase()))
            }
            // A line break inside a cell is `\n`, whatever the file's own line ends are.
            FieldKind::Text { .. } => {
                Ok(Value::from(cell.replace("\r\n", "\n").replace('\r', "\n")))
            }
            FieldKind::Integer { .. } => number(cells::integer(cell)),
            FieldKind::Money => number(cells::money(cell)),
            FieldKind::Percent => number(cells::percent(cell)),
            FieldKind::Date => cells::date(cell).map(Value::from).map_err(Problem::Cell),
            FieldKind::Instant => cells::instant(cell).map(Value::from).map_err(Problem::Cell),
            FieldKind::Bool => match self.plan.mapped_value(def.name, cell) {
                Some(value) => Ok(value.clone()),
                None => cells::boolean(cell).map(Value::Bool).map_err(Problem::Cell),
            },
            FieldKind::Enum(allowed) => match self.plan.mapped_value(def.name, cell) {
                Some(value) => Ok(value.clone()),
                None => mapping::choice(def, cell).map(Value::from).ok_or_else(|| {
                    Problem::Invalid(ValidationError::NotAllowed {
                        field: def.name.to_owned(),
                        value: cell.chars().take(50).collect(),
                        allowed: allowed.to_vec(),
                    })
                }),
            },
            FieldKind::Ref(target) => self.resolve(target, cell).map(Value::from),
            FieldKind::RefList(target) => cell
                .split([';', '；'])
                .map(str::trim)
                .filter(|key| !key.is_empty())
                .map(|key| self.resolve(target, key).map(Value::from))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            FieldKind::Lines(_) | FieldKind::Attachment => Err(Problem::NotImportable),
        }
    }

    /// The id of the record `key` names: an existing one (through the lookup) or, for references
    /// within the file's own collection, a valid row above this one.
    fn resolve(&self, target: Collection, key: &str) -> Result<String, Problem> {
        let lowered = key.to_ascii_lowercase();
        let key = if is_record_id(&lowered) {
            &lowered
        } else {
            key
        };
        let own = target == self.collection;
        let mut ids: Vec<String> = Vec::new();
        let mut bad_lines: Vec<u64> = Vec::new();
        if own {
            for row in self.rows.matches(target, key) {
                match row.id {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => bad_lines.push(row.line),
                }
            }
        }
        match self.lookup.resolve(target, key) {
            Err(Ambiguous { matches }) => {
                return Err(Problem::Ambiguous {
                    collection: target,
                    matches: matches + ids.len() + bad_lines.len(),
                })
            }
            Ok(Some(id)) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
        }
        match (ids.len() + bad_lines.len(), ids.pop(), bad_lines.first()) {
            (0, _, _) => Err(Problem::NotFound {
                collection: target,
                own,
            }),
            (1, Some(id), _) => Ok(id),
            (1, None, Some(&line)) => Err(Problem::BadEarlierRow { line }),
            (matches, _, _) => Err(Problem::Ambiguous {
                collection: target,
                matches,
            }),
        }
    }

    /// Problems with keys that must be unique: used on an earlier line or by an existing record.
    /// A target's slot is named by its subject's cell.
    fn duplicates(&self, fields: &Map<String, Value>) -> Vec<(&'static str, Problem)> {
        let mut found = Vec::new();
        for &field in unique_keys(self.collection) {
            let Some(key) = key_of(self.collection, fields, field) else {
                continue;
            };
            let slot = field == TARGET_SLOT;
            let named = if slot { "subject_id" } else { field };
            let earlier = self
                .rows
                .get(self.collection, field, &key)
                .first()
                .map(|row| row.line);
            let stored = || !matches!(self.lookup.resolve(self.collection, &key), Ok(None));
            let problem = match (slot, earlier) {
                (true, line @ Some(_)) => Problem::SameSlot {
                    collection: self.collection,
                    line,
                },
                (false, Some(line)) => Problem::DuplicateInFile { line },
                (true, None) if stored() => Problem::SameSlot {
                    collection: self.collection,
                    line: None,
                },
                (false, None) if stored() => Problem::AlreadyExists,
                _ => continue,
            };
            found.push((named, problem));
        }
        found
    }

    /// Places an imported order: in its owner's unit and delivered unless the file says (a sales
    /// history lists what was sold). Its total is what it sold: every row needs one.
    fn place_order(&self, fields: &mut Map<String, Value>) -> Vec<(&'static str, Problem)> {
        if !fields.contains_key("status") {
            fields.insert("status".into(), Value::from("delivered"));
        }
        if !fields.contains_key("unit_id") {
            let owner = fields.get("owner_id").and_then(Value::as_str);
            if let Some(unit) = owner.and_then(|o| self.lookup.unit_of(Collection::User, o)) {
                fields.insert("unit_id".into(), Value::from(unit));
            }
        }
        if fields.contains_key("total") {
            return Vec::new();
        }
        vec![(
            "total",
            Problem::Invalid(ValidationError::MissingField {
                field: "total".to_owned(),
            }),
        )]
    }

    /// Reads the later cells of a target or a past actual and places it: a target's period from
    /// its period and start cells, a past actual's month; its subject by its kind (or whichever
    /// of unit, person and dealer answers to the name), its value in 分 or as a count by its
    /// metric, its unit from its subject, and a target's parent where the targets sheet would hang
    /// it (`targets::sheet::write_cell`): a month's or quarter's under the same subject's year, a
    /// year's under the year of the unit above.
    fn place_measured(
        &self,
        fields: &mut Map<String, Value>,
        later: &[(&'static str, &str)],
    ) -> Vec<(&'static str, Problem)> {
        let cell = |name: &str| later.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
        let text = |fields: &Map<String, Value>, name: &str| {
            fields.get(name).and_then(Value::as_str).map(str::to_owned)
        };
        let mut problems = Vec::new();
        if self.kind == ImportKind::Targets {
            problems.extend(self.target_period(fields, cell("period"), cell("period_start")));
        } else if let Some(month) = cell("month") {
            // A month (`2025-03`, `2025年3月`) or its first day; not a year or a quarter.
            match cells::period(month) {
                Ok((day, None | Some("month"))) => {
                    fields.insert("month".into(), Value::from(day.to_string()));
                }
                _ => problems.push(("month", Problem::Cell(cells::CellError::NotMonth))),
            }
        }
        if let Some(key) = cell("subject_id") {
            match self.subject(text(fields, "subject_kind").as_deref(), key) {
                Ok((kind, id)) => {
                    fields.insert("subject_kind".into(), Value::from(kind));
                    fields.insert("subject_id".into(), Value::from(id));
                }
                Err(problem) => problems.push(("subject_id", problem)),
            }
        }
        if !fields.contains_key("unit_id") {
            let subject = (text(fields, "subject_kind"), text(fields, "subject_id"));
            if let (Some(kind), Some(id)) = subject {
                if let Some(unit) = self.subject_unit(&kind, &id) {
                    fields.insert("unit_id".into(), Value::from(unit));
                }
            }
        }
        if let Some(value) = cell("value") {
            let metric = text(fields, "metric").and_then(|m| Metric::parse(&m));
            if let Some(metric) = metric {
                let read = if metric.is_money() {
                    cells::money(value)
                } else {
                    cells::integer(value)
                };
                match read {
                    Ok(n) => {
                        fields.insert("value".into(), Value::from(n));
                    }
                    Err(e) => problems.push(("value", Problem::Cell(e))),
                }
            }
        }
        if problems.is_empty() {
            if let Some((key, figure)) = figure_of(self.kind, fields) {
                if let Some(problem) = self.overlap(&key, &figure) {
                    problems.push(("subject_id", problem));
                }
            }
        }
        if self.kind == ImportKind::Targets
            && problems.is_empty()
            && !fields.contains_key("parent_id")
        {
            if let Some(parent) = self.parent_target(fields) {
                fields.insert("parent_id".into(), Value::from(parent));
            }
        }
        problems
    }

    /// A target's period and start from the period cell (a choice such as `month` or `月度`, or the
    /// period itself such as `2026-03`) and the start cell (`2026-03`, `2026`, or a first day).
    fn target_period(
        &self,
        fields: &mut Map<String, Value>,
        period: Option<&str>,
        start: Option<&str>,
    ) -> Vec<(&'static str, Problem)> {
        let def = Collection::Target.field("period");
        let mut given: Option<String> = None;
        // (the field read, the day and the period its form implies).
        let mut read: Option<(&'static str, chrono::NaiveDate, Option<&'static str>)> = None;
        if let Some(cell) = period {
            let choice = self
                .plan
                .mapped_value("period", cell)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    def.and_then(|d| mapping::choice(d, cell))
                        .map(str::to_owned)
                });
            match (choice, cells::period(cell)) {
                (Some(choice), _) => given = Some(choice),
                (None, Ok((day, implied))) => read = Some(("period", day, implied)),
                (None, Err(_)) => {
                    return vec![(
                        "period",
                        Problem::Invalid(ValidationError::NotAllowed {
                            field: "period".to_owned(),
                            value: cell.chars().take(50).collect(),
                            allowed: match def.map(|d| d.kind) {
                                Some(FieldKind::Enum(values)) => values.to_vec(),
                                _ => Vec::new(),
                            },
                        }),
                    )]
                }
            }
        }
        if let Some(cell) = start {
            match cells::period(cell) {
                Ok((day, implied)) => {
                    // Written as a period in both cells: the same period, said twice.
                    if let (Some((_, from_period, kind)), Some(period)) = (read, period) {
                        if from_period != day {
                            return vec![(
                                "period_start",
                                Problem::StartDisagrees {
                                    period: period.to_owned(),
                                },
                            )];
                        }
                        given = kind.map(str::to_owned);
                    }
                    read = Some(("period_start", day, implied));
                }
                Err(e) => return vec![("period_start", Problem::Cell(e))],
            }
        }
        let Some((field, day, implied)) = read else {
            // No start: the period as given, and the record's rule asks for the start.
            if let Some(given) = given {
                fields.insert("period".into(), Value::from(given));
            }
            return Vec::new();
        };
        fields.insert("period_start".into(), Value::from(day.to_string()));
        match (given, implied) {
            (Some(given), Some(implied)) if given != implied => {
                vec![(field, Problem::PeriodDisagrees { given })]
            }
            (Some(given), _) => {
                fields.insert("period".into(), Value::from(given));
                Vec::new()
            }
            (None, Some(implied)) => {
                fields.insert("period".into(), Value::from(implied));
                Vec::new()
            }
            (None, None) => vec![(field, Problem::PeriodMissing)],
        }
    }

    /// Whether a past actual would count sales already counted by another of the same metric and
    /// month (above in the file, or stored): a unit's figure holds everything inside the unit, so
    /// neither a figure inside it nor one of a unit around it may stand beside it; a person's and a
    /// dealer's figures overlap when one's unit holds the other's (the dealer's sales were some
    /// person's). People beside people, and dealers beside dealers, never overlap.
    fn overlap(&self, key: &(String, String), new: &Figure) -> Option<Problem> {
        let within = |inner: &str, outer: &str| {
            let mut at = Some(inner.to_owned());
            // An org tree has no loops; the bound only keeps a damaged one from hanging the import.
            for _ in 0..64 {
                match at {
                    Some(unit) if unit == outer => return true,
                    Some(unit) => at = self.lookup.unit_of(Collection::OrgUnit, &unit),
                    None => return false,
                }
            }
            false
        };
        // The units a figure lies in: its own; a promoter's also the store she works in, though
        // she counts in the store's area (a store's figure holds hers).
        let places = |f: &Figure| {
            let mut units = vec![f.cover().to_owned()];
            if f.subject_kind == "user" {
                units.extend(self.lookup.unit_of(Collection::User, &f.subject_id));
            }
            units
        };
        let holds =
            |unit: &Figure, other: &Figure| places(other).iter().any(|u| within(u, unit.cover()));
        let clash = |old: &Figure| {
            let (a, b) = (new.subject_kind.as_str(), old.subject_kind.as_str());
            // The same subject again is a repeat (`SameSlot`), not an overlap.
            let same = a == b && old.subject_id == new.subject_id;
            let nested = (a == "unit" && holds(new, old))
                || (b == "unit" && holds(old, new))
                || (a != "unit"
                    && b != "unit"
                    && a != b
                    && (within(new.cover(), old.cover()) || within(old.cover(), new.cover())));
            !same && nested
        };
        let above = self
            .figures
            .get(key)
            .and_then(|rows| rows.iter().find(|(_, old)| clash(old)));
        if let Some((line, _)) = above {
            return Some(Problem::Overlaps { line: Some(*line) });
        }
        self.lookup
            .past_actuals(&key.0, &key.1)
            .iter()
            .any(clash)
            .then_some(Problem::Overlaps { line: None })
    }

    /// The subject a target's cell names: of `kind` if the row says, else the one unit, person or
    /// dealer that answers to it.
    fn subject(&self, kind: Option<&str>, key: &str) -> Result<(&'static str, String), Problem> {
        const KINDS: [&str; 3] = ["unit", "user", "dealer"];
        let guessed = kind.is_none();
        let mut found = Vec::new();
        for each in KINDS.into_iter().filter(|k| kind.is_none_or(|g| g == *k)) {
            let Some(collection) = crate::domain::subject_collection(each) else {
                continue;
            };
            match self.resolve(collection, key) {
                Ok(id) => found.push((each, id)),
                // Not a unit's name may well be a person's: only the given kind must answer.
                Err(Problem::NotFound { .. }) if guessed => {}
                Err(problem) => return Err(problem),
            }
        }
        match found.len() {
            0 => Err(Problem::NoSubject),
            1 => Ok(found.remove(0)),
            _ => Err(Problem::SubjectUnclear {
                kinds: found.iter().map(|(k, _)| *k).collect(),
            }),
        }
    }

    /// The unit a target of this subject belongs to, as the targets sheet places it: a unit is its
    /// own, a person's is their unit (a store's promoters: the store's area), a dealer's its region.
    fn subject_unit(&self, kind: &str, id: &str) -> Option<String> {
        match kind {
            "unit" => Some(id.to_owned()),
            "user" => {
                let unit = self.lookup.unit_of(Collection::User, id)?;
                if self.lookup.is_store(&unit) {
                    self.lookup
                        .unit_of(Collection::OrgUnit, &unit)
                        .or(Some(unit))
                } else {
                    Some(unit)
                }
            }
            "dealer" => self.lookup.unit_of(Collection::Customer, id),
            _ => None,
        }
    }

    /// The target an imported one hangs from, if it exists (stored or valid above in the file).
    fn parent_target(&self, fields: &Map<String, Value>) -> Option<String> {
        let text = |name: &str| fields.get(name).and_then(Value::as_str);
        let kind = text("subject_kind")?;
        let id = text("subject_id")?;
        let metric = text("metric")?;
        let start = parse_date(text("period_start")?)?;
        let year_start = format!("{:04}-01-01", start.year());
        let slot = match text("period")? {
            "year" => {
                let above = match kind {
                    "unit" => self.lookup.unit_of(Collection::OrgUnit, id)?,
                    _ => text("unit_id")?.to_owned(),
                };
                target_slot("unit", &above, metric, "year", &year_start)
            }
            _ => target_slot(kind, id, metric, "year", &year_start),
        };
        self.resolve(Collection::Target, &slot).ok()
    }

    /// Makes an imported opportunity a deal that entered its stage once: the stage (first stage if
    /// the file has no stage column), a one-entry stage history, and the won/closed time for a closed
    /// deal. The lost reason is required by the record's own rules.
    fn open_at_stage(
        &self,
        fields: &mut Map<String, Value>,
        entered_at: Option<String>,
    ) -> Vec<(&'static str, Problem)> {
        if !self.plan.reads("stage") {
            fields.insert("stage".into(), Value::from("aware"));
        }
        let Some(stage) = fields
            .get("stage")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Vec::new();
        };
        let at = entered_at.unwrap_or_else(|| self.now.clone());
        crate::domain::enter_first_stage(fields, &at);
        if stage == "lost" {
            return Vec::new();
        }
        ["lost_reason", "lost_note"]
            .into_iter()
            .filter(|f| fields.contains_key(*f))
            .map(|f| {
                (
                    f,
                    Problem::OnlyWhenLost {
                        stage: stage.clone(),
                    },
                )
            })
            .collect()
    }
}

/// A past actual's (metric, month) and whom it is for, once its fields are placed.
fn figure_of(kind: ImportKind, fields: &Map<String, Value>) -> Option<((String, String), Figure)> {
    if kind != ImportKind::PastActuals {
        return None;
    }
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    Some((
        (text("metric")?, text("month")?),
        Figure {
            subject_kind: text("subject_kind")?,
            subject_id: text("subject_id")?,
            unit_id: text("unit_id")?,
        },
    ))
}
