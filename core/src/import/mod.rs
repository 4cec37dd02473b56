//! Import (导入) of org units, users, customers, products, opportunities, orders, targets and past
//! actuals from a CSV file or an Excel sheet, into the intents that create or update them.
//!
//! A pure function from the file's bytes, the mapping and a view of the stored records to a report:
//! what would be created and updated, as intents in an order that applies (a manager before her
//! reports, wherever the file has them), how many rows change nothing, and every bad row with its
//! line and reason. Nothing is stored here; the server (CLI `import`) or the web app decides whether
//! to apply, so a dry run and a real run read the same report.
//!
//! A row updates the stored record its identity names (`identity_keys`: an org unit's code, a
//! person's login, a customer's external id or name…), so importing a file again changes what
//! changed and creates nothing twice.

mod cells;
mod describe;
mod error;
#[cfg(test)]
mod history_tests;
mod lookup;
mod mapping;
mod refused;
mod remember;
#[cfg(test)]
mod rules_tests;
pub mod table;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use describe::{describe, FieldDescription, KindDescription, Reference, ValueKind};
pub use error::{ImportError, RowError};
pub use lookup::{natural_keys, target_slot, Ambiguous, Figure, Lookup, RecordIndex, TARGET_SLOT};
pub use mapping::{column_fields, ColumnMap, Defaults, ValueMap, ValueMapping};
pub use refused::refused_rows;
pub use remember::{remember, remembered, MAX_REMEMBERED};
pub use table::{read_plain, read_table, Delimiter, Encoding, ReadOptions, Row, Source, Table};

use error::Problem;
use lookup::{key_of, unique_keys, KeyIndex};
use mapping::{Plan, Target};

use crate::domain::{
    validate_create, validate_patch, validate_record, Collection, FieldAccess, FieldDef, FieldKind,
    ValidationError,
};
use crate::id::is_record_id;
use crate::sync::protocol::{CreateArgs, Intent, MoveStageArgs, SetFieldsArgs};
use crate::targets::actuals::Metric;
use crate::time::{parse_date, Datelike};

/// What a file holds: one collection per file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// 营销组织, in any order: a unit may come before its parent.
    OrgUnits,
    /// 人员, in any order: a person may come before her manager. Passwords are not imported.
    Users,
    /// 客户.
    Customers,
    /// 产品.
    Products,
    /// 销售机会, each at its current stage with its stage history.
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
    /// (`unit`, `manager`, `owner`…) and, for opportunities, the stage dates.
    pub fn fields(self) -> Vec<&'static str> {
        mapping::targets(self).into_iter().map(|(n, _)| n).collect()
    }

    /// The stored records a file of this kind is read against: the collections it may refer to
    /// (units, people, customers, products) and its own, whose records its rows update, must not
    /// repeat, or hang from (a target's parent).
    pub fn reads(self) -> Vec<Collection> {
        let mut collections = vec![
            Collection::OrgUnit,
            Collection::User,
            Collection::Customer,
            Collection::Product,
        ];
        if !collections.contains(&self.collection()) {
            collections.push(self.collection());
        }
        collections
    }

    /// The keys that say which stored record a row updates, in order of preference: a row is
    /// identified by the first of them it has. An org unit by its code, else its name; a person by
    /// login, else employee no.; a customer by external id, else name; a product by SKU, else
    /// name; a deal by its external id (without one, every deal row is new); an order by its
    /// number; a target or past actual by its slot (subject, metric and period).
    pub fn identity_keys(self) -> &'static [&'static str] {
        match self {
            ImportKind::OrgUnits => &["code", "name"],
            ImportKind::Users => &["login", "employee_no"],
            ImportKind::Customers => &["external_id", "name"],
            ImportKind::Products => &["sku", "name"],
            ImportKind::Opportunities => &["external_id"],
            ImportKind::Orders => &["order_no"],
            ImportKind::Targets | ImportKind::PastActuals => &[TARGET_SLOT],
        }
    }
}

/// Whether a role brings spreadsheets in through the browser (导入数据): administrators and HQ, who
/// set a company up. Each row still needs the role's grant to create or change its record, checked
/// by the server like any change.
pub fn may_import(role: crate::scope::Role) -> bool {
    matches!(
        role,
        crate::scope::Role::Admin | crate::scope::Role::HqMarketing
    )
}

impl std::fmt::Display for ImportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    /// Values for fields the file leaves empty or has no column for.
    pub defaults: Defaults,
    /// The one key that identifies the stored record a row updates (`name`), instead of the kind's
    /// `identity_keys`; one of the collection's `natural_keys`.
    pub key: Option<String>,
    /// Delimiter, encoding and sheet.
    pub read: ReadOptions,
    /// When the import happens, RFC 3339 (normalised to UTC like a cell): when an imported deal
    /// entered its stage if the file does not say, and the latest time a date may be.
    pub now: String,
}

impl ImportOptions {
    /// Automatic columns and values, delimiter, encoding and identity; the first sheet.
    pub fn new(kind: ImportKind, now: impl Into<String>) -> Self {
        ImportOptions {
            kind,
            columns: ColumnMap::new(),
            values: ValueMap::new(),
            defaults: Defaults::new(),
            key: None,
            read: ReadOptions::default(),
            now: now.into(),
        }
    }
}

/// What an import would do, and what stops which rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (blank rows are skipped and not counted).
    pub rows_read: usize,
    /// The changes of the rows that pass every check, with their line, in an order that applies:
    /// a record after the records of the file it refers to, else in file order. A new record is
    /// one `Create`; a stored one that changes is a `SetFields` and, for a deal that moves, a
    /// `MoveOpportunityStage`.
    pub valid: Vec<(u64, Intent)>,
    /// Rows that would create a record.
    pub created: usize,
    /// Rows that would change a stored record.
    pub updated: usize,
    /// Rows whose stored record already holds what they say.
    pub unchanged: usize,
    /// Every problem of every bad row, in file order; a bad row has at least one entry.
    pub errors: Vec<RowError>,
    /// Headers of columns that no field takes, in file order.
    pub ignored_headers: Vec<String>,
    /// Header → field for the columns read, in file order.
    pub mapped_headers: Vec<(String, String)>,
}

impl ImportReport {
    /// The lines of the bad rows, each once, in order.
    pub fn bad_lines(&self) -> BTreeSet<u64> {
        self.errors.iter().map(|e| e.line).collect()
    }
}

/// Reads a CSV file or an .xlsx workbook (`read_table`) and imports its rows (`import_table`).
pub fn import_file<L: Lookup + ?Sized>(
    input: &[u8],
    options: &ImportOptions,
    lookup: &L,
    new_id: impl FnMut() -> String,
) -> Result<ImportReport, ImportError> {
    let table = read_table(input, &options.read)?;
    import_table(&table, options, lookup, new_id)
}

/// Imports the rows of a table of `options.kind` into create and update intents and row errors.
///
/// The header names the columns. References (a user's unit and manager, a customer's owner, an
/// opportunity's customer, an org unit's parent…) are written as codes, names, logins, employee
/// numbers, SKUs or ids and resolved through `lookup` and through the other rows of the file, in
/// any order; rows that refer to each other in a loop are refused. A new record's id comes from
/// `new_id` (UUIDv7 in the server, a counter in tests). Keys that must be unique (code, login,
/// employee no., SKU, external id) may not repeat in the file or name another stored record.
///
/// The function is pure: the same table, lookup and id sequence give the same report, so there is
/// no separate dry run. The caller shows the report and decides whether to apply `valid`.
pub fn import_table<L: Lookup + ?Sized>(
    table: &Table,
    options: &ImportOptions,
    lookup: &L,
    new_id: impl FnMut() -> String,
) -> Result<ImportReport, ImportError> {
    let kind = options.kind;
    let collection = kind.collection();
    let plan = mapping::plan(
        kind,
        &table.headers,
        &options.columns,
        &options.values,
        &options.defaults,
    )?;
    let identity: Vec<&'static str> = match options.key.as_deref().map(str::trim) {
        None | Some("") => kind.identity_keys().to_vec(),
        Some(key) => {
            let known = lookup::natural_keys(collection);
            let found = known.iter().find(|k| mapping::same(k, key));
            vec![*found.ok_or_else(|| ImportError::NotAKey {
                field: key.to_owned(),
                collection,
                valid: known.to_vec(),
            })?]
        }
    };
    let mut run = Run {
        kind,
        collection,
        header_len: table.headers.len(),
        now: cells::instant(&options.now).unwrap_or_else(|_| options.now.clone()),
        plan: &plan,
        identity,
        lookup,
        new_id,
        rows: KeyIndex::default(),
        updating: HashMap::new(),
        figures: HashMap::new(),
    };
    let mut rows: Vec<Pending> = table.rows.iter().map(|row| run.read(row)).collect();
    let creators: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, row)| row.existing.is_none())
        .filter_map(|(at, row)| Some((row.id.clone()?, at)))
        .collect();
    for row in &mut rows {
        run.link(row, &creators);
    }
    let mut report = ImportReport {
        rows_read: rows.len(),
        ignored_headers: plan.ignored.clone(),
        mapped_headers: plan
            .columns
            .iter()
            .map(|c| (c.header.clone(), c.target.name().to_owned()))
            .collect(),
        ..ImportReport::default()
    };
    for at in order(&mut rows) {
        let row = &mut rows[at];
        match row.change.take() {
            Some(Change::Create(intent)) => {
                report.created += 1;
                report.valid.push((row.line, intent));
            }
            Some(Change::Update(intents)) if intents.is_empty() => report.unchanged += 1,
            Some(Change::Update(intents)) => {
                report.updated += 1;
                report
                    .valid
                    .extend(intents.into_iter().map(|intent| (row.line, intent)));
            }
            None => {}
        }
    }
    report.errors = rows.into_iter().flat_map(|row| row.errors).collect();
    Ok(report)
}

/// The order in which the good rows apply: each after the rows it refers to, else in file order.
/// Rows that refer to a bad row, or to each other in a loop, get an error and drop out.
fn order(rows: &mut [Pending]) -> Vec<usize> {
    // Who refers to whom, among rows that make new records.
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    for (at, row) in rows.iter().enumerate() {
        for dep in &row.deps {
            referrers[dep.row].push(at);
        }
    }
    // A bad row takes every row that refers to it (and theirs) down with it.
    let mut bad: Vec<bool> = rows.iter().map(|row| !row.errors.is_empty()).collect();
    let mut fallen: Vec<usize> = (0..rows.len()).filter(|&at| bad[at]).collect();
    while let Some(at) = fallen.pop() {
        for &referrer in &referrers[at] {
            if bad[referrer] {
                continue;
            }
            bad[referrer] = true;
            fallen.push(referrer);
            let line = rows[at].line;
            let dep = rows[referrer].deps.iter().find(|d| d.row == at).cloned();
            if let Some(dep) = dep {
                rows[referrer].fail(dep.field, Some(&dep.cell), &Problem::BadRow { line });
            }
        }
    }
    // Kahn's order, the earliest ready row first.
    let mut waiting: Vec<usize> = rows
        .iter()
        .map(|row| {
            row.deps
                .iter()
                .map(|d| d.row)
                .collect::<BTreeSet<_>>()
                .len()
        })
        .collect();
    let mut ready: BinaryHeap<std::cmp::Reverse<usize>> = (0..rows.len())
        .filter(|&at| !bad[at] && waiting[at] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut done = vec![false; rows.len()];
    let mut out = Vec::new();
    while let Some(std::cmp::Reverse(at)) = ready.pop() {
        done[at] = true;
        out.push(at);
        let mut seen = BTreeSet::new();
        for &referrer in &referrers[at] {
            if seen.insert(referrer) && !bad[referrer] {
                waiting[referrer] -= 1;
                if waiting[referrer] == 0 {
                    ready.push(std::cmp::Reverse(referrer));
                }
            }
        }
    }
    // What is left waits on a loop: name the loop for the rows on it.
    let stuck: Vec<usize> = (0..rows.len())
        .filter(|&at| !bad[at] && !done[at])
        .collect();
    for &at in &stuck {
        let mut path = vec![at];
        let mut next = at;
        let start = loop {
            let Some(dep) = rows[next].deps.iter().find(|d| !bad[d.row] && !done[d.row]) else {
                break None;
            };
            next = dep.row;
            if let Some(start) = path.iter().position(|&p| p == next) {
                break Some(start);
            }
            path.push(next);
        };
        let Some(dep) = rows[at]
            .deps
            .iter()
            .find(|d| !bad[d.row] && !done[d.row])
            .cloned()
        else {
            continue;
        };
        let problem = match start {
            Some(0) => {
                let mut lines: Vec<u64> = path.iter().map(|&p| rows[p].line).collect();
                lines.push(rows[at].line);
                Problem::Loop { lines }
            }
            _ => Problem::BadRow {
                line: rows[dep.row].line,
            },
        };
        rows[at].fail(dep.field, Some(&dep.cell), &problem);
    }
    out
}

/// A row of the file as later rows see it: its line and the id of its record (a new one if the
/// row is good so far, or the stored record it updates), `None` for a bad new row.
#[derive(Clone, Debug, PartialEq)]
struct FileRow {
    line: u64,
    id: Option<String>,
}

/// A reference from one row to another row of the file that makes a new record.
#[derive(Clone, Debug)]
struct Dep {
    row: usize,
    field: &'static str,
    cell: String,
}

/// What a good row does.
#[derive(Debug)]
enum Change {
    Create(Intent),
    /// The changes to its stored record; none if it already holds what the row says.
    Update(Vec<Intent>),
}

/// One row between the passes: read, then linked to the other rows.
struct Pending<'t> {
    line: u64,
    fields: Map<String, Value>,
    /// The file's text of each field it gives, for naming it in errors and telling what an update
    /// changes.
    texts: Vec<(&'static str, &'t str)>,
    /// References to records of the file's own collection, resolved once every row is read.
    own: Vec<(&'static FieldDef, &'t str)>,
    /// The stored record the row updates.
    existing: Option<String>,
    /// The record's id: a new one, or the stored record's.
    id: Option<String>,
    deps: Vec<Dep>,
    errors: Vec<RowError>,
    change: Option<Change>,
}

impl Pending<'_> {
    fn cell_of(&self, name: &str) -> Option<&str> {
        self.texts.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    fn fail(&mut self, field: &str, cell: Option<&str>, problem: &Problem) {
        self.errors
            .push(RowError::new(self.line, Some(field), cell, problem));
        self.change = None;
    }
}

/// When a deal entered its stages, as the file says.
#[derive(Default)]
struct StageDates<'t> {
    /// (column, cell, instant) of each date given.
    entered_at: Option<(&'t str, String)>,
    created: Option<(&'t str, String)>,
    closed: Option<(&'t str, String)>,
    stages: Vec<(&'static str, &'static str, &'t str, String)>,
}

/// The state of one import while its rows are read.
struct Run<'p, L: ?Sized, F> {
    kind: ImportKind,
    collection: Collection,
    header_len: usize,
    now: String,
    plan: &'p Plan,
    /// The keys that identify a stored record, in order of preference.
    identity: Vec<&'static str>,
    lookup: &'p L,
    new_id: F,
    /// Every row read so far by its natural keys, for references and duplicates.
    rows: KeyIndex<FileRow>,
    /// Stored records already updated by a row above, with its line.
    updating: HashMap<String, u64>,
    /// Valid past actuals above, by (metric, month), with their lines.
    figures: HashMap<(String, String), Vec<(u64, Figure)>>,
}

impl<'p, L: Lookup + ?Sized, F: FnMut() -> String> Run<'p, L, F> {
    /// The first pass over a row: its cells (and defaults) as fields, all but references to its
    /// own collection; its identity; and an id if it is good so far.
    fn read<'t>(&mut self, row: &'t Row) -> Pending<'t>
    where
        'p: 't,
    {
        let line = row.line;
        let mut pending = Pending {
            line,
            fields: Map::new(),
            texts: Vec::new(),
            own: Vec::new(),
            existing: None,
            id: None,
            deps: Vec::new(),
            errors: Vec::new(),
            change: None,
        };
        let extra = row.cells.iter().skip(self.header_len);
        if extra.clone().any(|cell| !cell.trim().is_empty()) {
            let problem = Problem::ExtraCells {
                cells: self.header_len + extra.count(),
                columns: self.header_len,
            };
            pending
                .errors
                .push(RowError::new(line, None, None, &problem));
        }

        let mut cells: Vec<(Target, &'t str)> = Vec::new();
        for column in &self.plan.columns {
            let cell = row.cells.get(column.index).map_or("", |c| c.trim());
            if !cell.is_empty() {
                cells.push((column.target, cell));
            }
        }
        for (target, value) in &self.plan.defaults {
            if !cells.iter().any(|(t, _)| t == target) {
                cells.push((*target, value.as_str()));
            }
        }

        let mut dates = StageDates::default();
        // Cells read once the rest of the row is (`Target::Later`).
        let mut later: Vec<(&'static str, &str)> = Vec::new();
        let mut problems: Vec<(&'static str, &'t str, Problem)> = Vec::new();
        for (target, cell) in cells {
            let name = target.name();
            pending.texts.push((name, cell));
            let instant = || cells::instant(cell).map_err(Problem::Cell);
            let read = match target {
                Target::EnteredAt => instant().map(|at| dates.entered_at = Some((cell, at))),
                Target::Created => instant().map(|at| dates.created = Some((cell, at))),
                Target::Closed => instant().map(|at| dates.closed = Some((cell, at))),
                Target::EnteredStage(date) => {
                    instant().map(|at| dates.stages.push((date.stage, date.name, cell, at)))
                }
                Target::Field(def) if self.refers_to_own(def) => {
                    pending.own.push((def, cell));
                    Ok(())
                }
                Target::Field(def) => self.convert(def, cell).map(|value| {
                    pending.fields.insert(def.name.to_owned(), value);
                }),
                Target::Later(def) => {
                    later.push((def.name, cell));
                    Ok(())
                }
            };
            if let Err(problem) = read {
                problems.push((name, cell, problem));
            }
        }
        for (name, cell, problem) in problems {
            pending
                .errors
                .push(RowError::new(line, Some(name), Some(cell), &problem));
        }

        let placed = match self.kind {
            ImportKind::Opportunities => self.open_at_stage(&mut pending.fields, &dates),
            ImportKind::Orders => without_cells(self.place_order(&mut pending.fields)),
            ImportKind::Targets | ImportKind::PastActuals => {
                without_cells(self.place_measured(&mut pending.fields, &later))
            }
            _ => Vec::new(),
        };
        for (field, cell, problem) in placed {
            let cell = cell.or_else(|| pending.cell_of(field));
            pending
                .errors
                .push(RowError::new(line, Some(field), cell, &problem));
        }
        match self.identify(&pending.fields) {
            Ok(existing) => pending.existing = existing,
            Err((field, problem)) => {
                let cell = pending.cell_of(field);
                pending
                    .errors
                    .push(RowError::new(line, Some(field), cell, &problem));
            }
        }
        for (field, problem) in self.duplicates(&pending.fields, pending.existing.as_deref()) {
            let named = if field == TARGET_SLOT {
                "subject_id"
            } else {
                field
            };
            let cell = pending.cell_of(named);
            pending
                .errors
                .push(RowError::new(line, Some(named), cell, &problem));
        }

        pending.id = match &pending.existing {
            Some(id) => {
                self.updating.entry(id.clone()).or_insert(line);
                Some(id.clone())
            }
            None if pending.errors.is_empty() => Some(self.new_record_id(&dates)),
            None => None,
        };
        let file_row = FileRow {
            line,
            id: pending.id.clone(),
        };
        self.rows.add(self.collection, &pending.fields, &file_row);
        if pending.errors.is_empty() {
            if let Some((key, figure)) = figure_of(self.kind, &pending.fields) {
                self.figures.entry(key).or_default().push((line, figure));
            }
        }
        pending
    }

    /// A new record's id. One taken on before today was made then, so it is not a new customer of
    /// this month; never later than the import.
    fn new_record_id(&mut self, dates: &StageDates) -> String {
        let id = (self.new_id)();
        let at = dates
            .created
            .as_ref()
            .and_then(|(_, at)| crate::time::parse_instant(at));
        let now = crate::time::parse_instant(&self.now);
        match (at, now) {
            (Some(at), Some(now)) => {
                crate::id::remade_at(&id, at.min(now).timestamp_millis()).unwrap_or(id)
            }
            _ => id,
        }
    }

    fn refers_to_own(&self, def: &FieldDef) -> bool {
        matches!(def.kind, FieldKind::Ref(c) | FieldKind::RefList(c) if c == self.collection)
    }

    /// The stored record a row updates: the one its first identity key names.
    fn identify(
        &self,
        fields: &Map<String, Value>,
    ) -> Result<Option<String>, (&'static str, Problem)> {
        let Some((field, key)) = self
            .identity
            .iter()
            .find_map(|&field| Some((field, key_of(self.collection, fields, field)?)))
        else {
            return Ok(None);
        };
        self.lookup
            .find(self.collection, field, &key)
            .map_err(|Ambiguous { matches }| {
                (
                    field,
                    Problem::Ambiguous {
                        collection: self.collection,
                        matches,
                    },
                )
            })
    }

    /// The second pass over a row, once every row is read: its references to rows of the file,
    /// a target's parent, the record's rules, and what it changes.
    fn link(&self, row: &mut Pending, creators: &HashMap<String, usize>) {
        let own = std::mem::take(&mut row.own);
        for (def, cell) in own {
            let keys: Vec<&str> = match def.kind {
                FieldKind::RefList(_) => cell
                    .split([';', '；'])
                    .map(str::trim)
                    .filter(|key| !key.is_empty())
                    .collect(),
                _ => vec![cell],
            };
            let mut ids = Vec::new();
            for key in keys {
                match self.resolve(self.collection, key) {
                    Ok(id) => {
                        if let Some(&at) = creators.get(&id) {
                            row.deps.push(Dep {
                                row: at,
                                field: def.name,
                                cell: cell.to_owned(),
                            });
                        }
                        ids.push(Value::from(id));
                    }
                    Err(problem) => {
                        row.errors.push(RowError::new(
                            row.line,
                            Some(def.name),
                            Some(cell),
                            &problem,
                        ));
                    }
                }
            }
            let value = match def.kind {
                FieldKind::RefList(_) => Value::Array(ids),
                _ => ids.pop().unwrap_or(Value::Null),
            };
            row.fields.insert(def.name.to_owned(), value);
        }
        if self.kind == ImportKind::Targets && !row.fields.contains_key("parent_id") {
            if let Some(parent) = self.parent_target(&row.fields) {
                if let Some(&at) = creators.get(&parent) {
                    let cell = row.cell_of("subject_id").unwrap_or_default().to_owned();
                    row.deps.push(Dep {
                        row: at,
                        field: "subject_id",
                        cell,
                    });
                }
                row.fields.insert("parent_id".into(), Value::from(parent));
            }
        }
        if !row.errors.is_empty() {
            return;
        }
        let (Some(id), fields) = (row.id.clone(), std::mem::take(&mut row.fields)) else {
            return;
        };
        let change = match &row.existing {
            None => validate_create(self.collection, &fields).map(|()| {
                Change::Create(Intent::Create(CreateArgs {
                    collection: self.collection,
                    id,
                    fields,
                }))
            }),
            Some(_) => self.update(&id, row, &fields).map(Change::Update),
        };
        match change {
            Ok(change) => row.change = Some(change),
            Err(error) => {
                let path = error.field();
                let top = path.split(['.', '[']).next().unwrap_or(path).to_owned();
                let cell = row.cell_of(&top).map(str::to_owned);
                row.fail(&top, cell.as_deref(), &Problem::Invalid(error));
            }
        }
    }

    /// The changes a row makes to the stored record `id`: the fields it gives that differ, as one
    /// `SetFields`, and a deal's new stage as a stage move (its history is the record's own, so
    /// the file's stage dates are not applied to a stored deal).
    fn update(
        &self,
        id: &str,
        row: &Pending,
        fields: &Map<String, Value>,
    ) -> Result<Vec<Intent>, ValidationError> {
        let stored = self.lookup.stored(self.collection, id);
        let differs = |name: &str, value: &Value| stored.and_then(|s| s.get(name)) != Some(value);
        let mut patch = Map::new();
        let mut moves = None;
        for (name, _) in &row.texts {
            let Some(def) = self.collection.field(name) else {
                continue;
            };
            let Some(value) = fields.get(def.name) else {
                continue;
            };
            if !differs(def.name, value) || patch.contains_key(def.name) {
                continue;
            }
            if self.collection == Collection::Opportunity && def.name == "stage" {
                let text = |n: &str| fields.get(n).and_then(Value::as_str).map(str::to_owned);
                moves = value
                    .as_str()
                    .and_then(crate::domain::Stage::parse)
                    .map(|stage| MoveStageArgs {
                        id: id.to_owned(),
                        stage,
                        lost_reason: text("lost_reason"),
                        lost_note: text("lost_note"),
                    });
            } else if def.access != FieldAccess::IntentOnly {
                patch.insert(def.name.to_owned(), value.clone());
            }
        }
        validate_patch(self.collection, &patch)?;
        if let Some(stored) = stored {
            let mut merged = stored.clone();
            merged.extend(patch.clone());
            if let Some(stage) = &moves {
                merged.insert("stage".into(), Value::from(stage.stage.as_str()));
                for (name, value) in [
                    ("lost_reason", &stage.lost_reason),
                    ("lost_note", &stage.lost_note),
                ] {
                    if let Some(value) = value {
                        merged.insert(name.into(), Value::from(value.as_str()));
                    }
                }
                crate::domain::enter_first_stage(&mut merged, &self.now);
            }
            validate_record(self.collection, &merged)?;
        }
        let mut intents = Vec::new();
        if !patch.is_empty() {
            intents.push(Intent::SetFields(SetFieldsArgs {
                collection: self.collection,
                id: id.to_owned(),
                fields: patch,
            }));
        }
        intents.extend(moves.map(Intent::MoveOpportunityStage));
        Ok(intents)
    }

    /// One non-empty, trimmed cell as the JSON value of its field.
    fn convert(&self, def: &'static FieldDef, cell: &str) -> Result<Value, Problem> {
        let number = |n: Result<i64, cells::CellError>| n.map(Value::from).map_err(Problem::Cell);
        match def.kind {
            // Logins are kept in one form (`account::normalise_login`); the record's rule says
            // what is wrong with one that has no such form.
            FieldKind::Text { .. }
                if self.collection == Collection::User && def.name == "login" =>
            {
                Ok(Value::from(lookup::normalise("login", cell)))
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

    /// The id of the record `key` names: a stored one (through the lookup) or, for references
    /// within the file's own collection, a row of the file.
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
            (1, None, Some(&line)) => Err(Problem::BadRow { line }),
            (matches, _, _) => Err(Problem::Ambiguous {
                collection: target,
                matches,
            }),
        }
    }

    /// Problems with keys that must be unique: used on an earlier line, by another stored record
    /// than the one the row updates, or the same stored record updated by an earlier line. A
    /// target's slot is named by its subject's cell.
    fn duplicates(
        &self,
        fields: &Map<String, Value>,
        existing: Option<&str>,
    ) -> Vec<(&'static str, Problem)> {
        let mut found = Vec::new();
        // The identity key the row uses must not repeat in the file either (two customers of one
        // name, without external ids, are one customer).
        let used = self
            .identity
            .iter()
            .copied()
            .find(|&f| key_of(self.collection, fields, f).is_some());
        let mut keys: Vec<&'static str> = unique_keys(self.collection).to_vec();
        keys.extend(used.filter(|f| !keys.contains(f)));
        for field in keys {
            let Some(key) = key_of(self.collection, fields, field) else {
                continue;
            };
            let slot = field == TARGET_SLOT;
            let earlier = self
                .rows
                .get(self.collection, field, &key)
                .first()
                .map(|row| row.line);
            let problem = match (slot, earlier) {
                (true, line @ Some(_)) => Problem::SameSlot {
                    collection: self.collection,
                    line,
                },
                (false, Some(line)) => Problem::DuplicateInFile { line },
                (_, None) => {
                    let other = match self.lookup.find(self.collection, field, &key) {
                        Ok(Some(id)) => existing != Some(id.as_str()),
                        Ok(None) => false,
                        Err(_) => Some(field) != used,
                    };
                    match (other, slot) {
                        (false, _) => continue,
                        (true, true) => Problem::SameSlot {
                            collection: self.collection,
                            line: None,
                        },
                        (true, false) => Problem::AlreadyExists,
                    }
                }
            };
            found.push((field, problem));
        }
        if let (Some(id), Some(field)) = (existing, used) {
            if let Some(&line) = self.updating.get(id) {
                if found.is_empty() {
                    found.push((field, Problem::SameRecord { line }));
                }
            }
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
    /// metric, and its unit from its subject. A target's parent is found once every row is read
    /// (`parent_target`).
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

    /// Makes an imported opportunity a deal at its stage (the first stage if the file has no stage
    /// column) with the stage history its dates tell, and the won/closed time of a closed deal:
    /// - each stage date (`entered_compare`…) is an entry of the history;
    /// - the current stage was entered at `entered_at`, at its own stage date, at the closing date
    ///   (won or lost), else at the creation date, else at the import's time;
    /// - a deal created before all of that entered the funnel's first stage when it was created,
    ///   so its cycle runs from then.
    ///
    /// Entries are in time order with the current stage last, and none is after the import. The
    /// lost reason is required by the record's own rules.
    fn open_at_stage<'t>(
        &self,
        fields: &mut Map<String, Value>,
        dates: &StageDates<'t>,
    ) -> Vec<(&'static str, Option<&'t str>, Problem)> {
        if !self.plan.reads("stage") && !fields.contains_key("stage") {
            fields.insert("stage".into(), Value::from("aware"));
        }
        let Some(stage) = fields
            .get("stage")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        let time = |at: &str| crate::time::parse_instant(at);
        let own = dates
            .stages
            .iter()
            .find(|(s, ..)| *s == stage)
            .map(|(_, name, cell, at)| (*name, *cell, at.clone()));
        let closing = matches!(stage.as_str(), "won" | "lost")
            .then(|| dates.closed.clone())
            .flatten()
            .map(|(cell, at)| ("closed", cell, at));
        let said: Vec<(&'static str, &'t str, String)> = [
            dates
                .entered_at
                .clone()
                .map(|(cell, at)| ("entered_at", cell, at)),
            own,
            closing,
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some((first, rest)) = said.split_first() {
            for (name, cell, at) in rest {
                if time(at) != time(&first.2) {
                    problems.push((*name, Some(*cell), Problem::StageDatesDisagree));
                }
            }
        }
        let current_at = said
            .first()
            .map(|(_, _, at)| at.clone())
            .or_else(|| dates.created.as_ref().map(|(_, at)| at.clone()))
            .unwrap_or_else(|| self.now.clone());

        // (stage, column, cell, instant) of the entries before the current stage's.
        let mut before: Vec<(&'static str, &'static str, &'t str, String)> = dates
            .stages
            .iter()
            .filter(|(s, ..)| *s != stage)
            .cloned()
            .collect();
        if let Some((cell, created)) = &dates.created {
            let first = mapping::STAGE_DATES[0].stage;
            let earliest = before
                .iter()
                .map(|(.., at)| at.as_str())
                .chain([current_at.as_str()])
                .all(|at| time(created) <= time(at));
            let unsaid = stage != first && !before.iter().any(|(s, ..)| *s == first);
            if unsaid && earliest && time(created) < time(&current_at) {
                before.push((first, "created", cell, created.clone()));
            }
        }
        for (_, name, cell, at) in &before {
            if time(at) > time(&current_at) {
                let entered = before.iter().find(|(.., a)| a == at).map_or("", |b| b.0);
                problems.push((
                    *name,
                    Some(*cell),
                    Problem::StageAfterCurrent {
                        stage: entered,
                        current: stage.clone(),
                    },
                ));
            }
        }
        let late = |at: &str| time(at) > time(&self.now);
        for (_, name, cell, at) in &before {
            if late(at) {
                problems.push((*name, Some(*cell), Problem::InFuture));
            }
        }
        if let Some((name, cell, at)) = said.first() {
            if late(at) {
                problems.push((*name, Some(*cell), Problem::InFuture));
            }
        }
        let order = |s: &str| mapping::STAGE_DATES.iter().position(|d| d.stage == s);
        before.sort_by(|a, b| {
            time(&a.3)
                .cmp(&time(&b.3))
                .then(order(a.0).cmp(&order(b.0)))
        });
        let mut history: Vec<Value> = before
            .iter()
            .map(|(s, _, _, at)| serde_json::json!({"stage": s, "entered_at": at}))
            .collect();
        history.push(serde_json::json!({"stage": stage, "entered_at": current_at}));
        fields.insert("stage_history".into(), Value::Array(history));
        crate::domain::enter_first_stage(fields, &current_at);
        if stage != "lost" {
            for field in ["lost_reason", "lost_note"] {
                if fields.contains_key(field) {
                    let problem = Problem::OnlyWhenLost {
                        stage: stage.clone(),
                    };
                    problems.push((field, None, problem));
                }
            }
        }
        problems
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

/// Problems named by their field alone: the row's cell of that field is shown with them.
fn without_cells<'t>(
    problems: Vec<(&'static str, Problem)>,
) -> Vec<(&'static str, Option<&'t str>, Problem)> {
    problems.into_iter().map(|(f, p)| (f, None, p)).collect()
}
