//! Which column of the file feeds which field, and which file values mean which of our choices.
//!
//! Both maps have a one-line text form for the CLI (`--map`, `--values`): entries separated by
//! commas; a backslash takes the next character literally, so a header containing a comma is written
//! `金额\,含税=amount` (and a backslash itself `\\`).

use serde_json::Value;

use super::cells;
use super::error::ImportError;
use super::ImportKind;
use crate::domain::{FieldDef, FieldKind};

/// File header → our field, e.g. `客户名称=name,负责人=owner`. A header mapped to nothing
/// (`备注=`) is ignored even if it would map automatically. Headers compare trimmed and without letter
/// case; fields are wire names (`owner_id`) or reference names without `_id` (`owner`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMap {
    entries: Vec<(String, String)>,
}

impl ColumnMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the CLI form `header=field,header2=field2`. The last unescaped `=` splits an entry, so
    /// a header may contain `=`; empty entries (a trailing comma) are skipped.
    pub fn parse(spec: &str) -> Result<Self, ImportError> {
        let mut map = ColumnMap::new();
        for entry in split_entries(spec) {
            let syntax = || ImportError::ColumnMapSyntax {
                entry: text(&entry),
            };
            let at = rfind(&entry, '=').ok_or_else(syntax)?;
            let header = text(&entry[..at]).trim().to_owned();
            if header.is_empty() {
                return Err(syntax());
            }
            map = map.with(header, text(&entry[at + 1..]).trim());
        }
        Ok(map)
    }

    /// Adds one entry; an empty field means “ignore this column”.
    pub fn with(mut self, header: impl Into<String>, field: impl Into<String>) -> Self {
        self.entries.push((header.into(), field.into()));
        self
    }

    /// The entries in the order given: (header, field).
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }
}

/// One value mapping: in `field`, the file's `from` means our `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueMapping {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// File values → our values for choice and yes/no fields, e.g.
/// `stage:Won=won,stage:Engaging=compare,tier:重点=A,active:在职=yes`. The file's value matches
/// trimmed and without letter case. A cell no entry matches is still taken if it is one of our wire
/// values or the Chinese or English label of one (`赢单`, `Won`, `won`), so a map is needed only for
/// the file's own words. `to` may also be written as a label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueMap {
    entries: Vec<ValueMapping>,
}

impl ValueMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the CLI form `field:value=ours,…`: the first unescaped `:` ends the field, the last
    /// unescaped `=` starts our value, so the file's value may contain either.
    pub fn parse(spec: &str) -> Result<Self, ImportError> {
        let mut map = ValueMap::new();
        for entry in split_entries(spec) {
            let syntax = || ImportError::ValueMapSyntax {
                entry: text(&entry),
            };
            let colon = find(&entry, ':').ok_or_else(syntax)?;
            let equals = rfind(&entry, '=')
                .filter(|&e| e > colon)
                .ok_or_else(syntax)?;
            let field = text(&entry[..colon]).trim().to_owned();
            let from = text(&entry[colon + 1..equals]).trim().to_owned();
            let to = text(&entry[equals + 1..]).trim().to_owned();
            if field.is_empty() || from.is_empty() || to.is_empty() {
                return Err(syntax());
            }
            map = map.with(field, from, to);
        }
        Ok(map)
    }

    pub fn with(
        mut self,
        field: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        self.entries.push(ValueMapping {
            field: field.into(),
            from: from.into(),
            to: to.into(),
        });
        self
    }

    pub fn entries(&self) -> &[ValueMapping] {
        &self.entries
    }
}

/// Values for every row that has none: a field without a column in the file (every customer's
/// owner is 李强) or a column with empty cells (`unit=SH,currency=USD`). Fields are named as in
/// the column map; the value is a cell as it would be written in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defaults {
    entries: Vec<(String, String)>,
}

impl Defaults {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the CLI form `field=value,field2=value2`: the first unescaped `=` ends the field, so
    /// a value may contain `=`; a comma in a value is written `\,`.
    pub fn parse(spec: &str) -> Result<Self, ImportError> {
        let mut defaults = Defaults::new();
        for entry in split_entries(spec) {
            let syntax = || ImportError::DefaultSyntax {
                entry: text(&entry),
            };
            let at = find(&entry, '=').ok_or_else(syntax)?;
            let field = text(&entry[..at]).trim().to_owned();
            let value = text(&entry[at + 1..]).trim().to_owned();
            if field.is_empty() || value.is_empty() {
                return Err(syntax());
            }
            defaults = defaults.with(field, value);
        }
        Ok(defaults)
    }

    pub fn with(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.entries.push((field.into(), value.into()));
        self
    }

    /// (field, value) in the order given.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }
}

/// A character of a map spec and whether a backslash escaped it.
type SpecChar = (char, bool);

fn split_entries(spec: &str) -> Vec<Vec<SpecChar>> {
    let mut entries = Vec::new();
    let mut entry = Vec::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => entry.push((chars.next().unwrap_or('\\'), true)),
            ',' => entries.push(std::mem::take(&mut entry)),
            _ => entry.push((c, false)),
        }
    }
    entries.push(entry);
    entries
        .into_iter()
        .filter(|e| e.iter().any(|(c, _)| !c.is_whitespace()))
        .collect()
}

fn text(chars: &[SpecChar]) -> String {
    chars.iter().map(|(c, _)| c).collect()
}

fn find(chars: &[SpecChar], wanted: char) -> Option<usize> {
    chars
        .iter()
        .position(|&(c, escaped)| c == wanted && !escaped)
}

fn rfind(chars: &[SpecChar], wanted: char) -> Option<usize> {
    chars
        .iter()
        .rposition(|&(c, escaped)| c == wanted && !escaped)
}

/// Full-width letters, digits and signs (`ＡＢＣ１２３`, typed with a Chinese input method) as
/// their ASCII forms and the ideographic space as a space, trimmed.
pub(super) fn half_width(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Text as people mean it: half-width (`half_width`), letter case ignored.
pub(super) fn fold(text: &str) -> String {
    half_width(text).to_lowercase()
}

/// Equal for people: trimmed, letter case and full or half width ignored.
pub(super) fn same(a: &str, b: &str) -> bool {
    fold(a) == fold(b)
}

/// Equal as labels: also ignoring spaces, so `A类` is the label `A 类`.
fn same_label(label: &str, text: &str) -> bool {
    let squeeze = |s: &str| -> String { fold(s).chars().filter(|c| !c.is_whitespace()).collect() };
    squeeze(label) == squeeze(text)
}

/// Words HR and CRM exports use for our roles besides our own labels: job titles as they are
/// commonly written, in both languages.
const ROLE_WORDS: &[(&str, &str)] = &[
    ("sales representative", "sales_rep"),
    ("sales", "sales_rep"),
    ("salesperson", "sales_rep"),
    ("account manager", "sales_rep"),
    ("销售代表", "sales_rep"),
    ("销售员", "sales_rep"),
    ("客户经理", "sales_rep"),
    ("area manager", "area_supervisor"),
    ("区域经理", "area_supervisor"),
    ("regional director", "regional_manager"),
    ("大区总监", "regional_manager"),
    ("marketing", "hq_marketing"),
    ("市场部", "hq_marketing"),
    ("市场专员", "hq_marketing"),
    ("admin", "admin"),
    ("system administrator", "admin"),
    ("管理员", "admin"),
    ("accountant", "finance"),
    ("会计", "finance"),
    ("customer service", "service_agent"),
    ("客服", "service_agent"),
    ("in-store promoter", "promoter"),
    ("导购", "promoter"),
];

/// A column for the day a deal entered one stage of the funnel (`entered_compare`, 进入比较阶段).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct StageDate {
    pub stage: &'static str,
    pub name: &'static str,
    label_zh: &'static str,
    label_en: &'static str,
}

/// One date column per stage, so a CRM export's “engaged on”, “proposal on” and “closed on”
/// become the deal's stage history and its cycle and dwell times come out as they were.
pub(super) const STAGE_DATES: [StageDate; 6] = [
    StageDate {
        stage: "aware",
        name: "entered_aware",
        label_zh: "进入了解阶段",
        label_en: "Entered aware",
    },
    StageDate {
        stage: "compare",
        name: "entered_compare",
        label_zh: "进入比较阶段",
        label_en: "Entered compare",
    },
    StageDate {
        stage: "negotiate",
        name: "entered_negotiate",
        label_zh: "进入谈判阶段",
        label_en: "Entered negotiate",
    },
    StageDate {
        stage: "commit",
        name: "entered_commit",
        label_zh: "进入确定阶段",
        label_en: "Entered commit",
    },
    StageDate {
        stage: "won",
        name: "entered_won",
        label_zh: "赢单日期",
        label_en: "Won on",
    },
    StageDate {
        stage: "lost",
        name: "entered_lost",
        label_zh: "输单日期",
        label_en: "Lost on",
    },
];

/// What a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    Field(&'static FieldDef),
    /// When an imported opportunity entered its current stage (`entered_at`); not a field itself,
    /// it becomes the stage history's last entry and the won/closed time.
    EnteredAt,
    /// When an imported record was made (`created`, 创建时间, 建档日期): the time in its id, which
    /// is when new customers count (`targets::actuals`); for a deal also when it entered the
    /// funnel, the first entry of its stage history.
    Created,
    /// When an imported deal was won or lost (`closed`, 关闭时间).
    Closed,
    /// When an imported deal entered one stage.
    EnteredStage(&'static StageDate),
    /// A field whose cell is read once the row's other cells are: a target's subject (by its kind),
    /// value (yuan or a count, by its metric) and period start (which may give the period).
    Later(&'static FieldDef),
}

impl Target {
    pub(super) fn name(self) -> &'static str {
        match self {
            Target::Field(def) | Target::Later(def) => def.name,
            Target::EnteredAt => "entered_at",
            Target::Created => "created",
            Target::Closed => "closed",
            Target::EnteredStage(date) => date.name,
        }
    }

    pub(super) fn labels(self, kind: ImportKind) -> [&'static str; 2] {
        match self {
            Target::Field(def) | Target::Later(def) => [def.label_zh, def.label_en],
            Target::EnteredAt => ["进入当前阶段时间", "Entered stage at"],
            Target::Created if kind == ImportKind::Customers => ["建档日期", "Created"],
            Target::Created => ["创建时间", "Created"],
            Target::Closed => ["关闭时间", "Closed at"],
            Target::EnteredStage(date) => [date.label_zh, date.label_en],
        }
    }

    /// The field whose values it takes, if it is one.
    pub(super) fn def(self) -> Option<&'static FieldDef> {
        match self {
            Target::Field(def) | Target::Later(def) => Some(def),
            _ => None,
        }
    }
}

/// Fields read after the rest of the row (`Target::Later`): a target's and a past actual's subject
/// and value, a target's period (a choice such as `月度`, or the period itself, `2026-03`) and
/// start, a past actual's month.
fn later_fields(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Targets => &["period", "period_start", "subject_id", "value"],
        ImportKind::PastActuals => &["month", "subject_id", "value"],
        _ => &[],
    }
}

/// Required fields a kind derives when the file has no column for them: an opportunity starts at
/// the first stage; an order sits in its owner's unit and, being history, was delivered; a
/// target's period may be read from its start (`2026-03`), its subject's kind from the subject,
/// and its unit from the subject.
fn derived_when_missing(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Opportunities => &["stage"],
        ImportKind::Orders => &["unit_id", "status"],
        // A target's period and start come from either column (`2026-03` says both).
        ImportKind::Targets => &["period", "period_start", "subject_kind", "unit_id"],
        ImportKind::PastActuals => &["subject_kind", "unit_id"],
        _ => &[],
    }
}

/// Optional fields of the record that an import needs all the same: an order's total (its lines
/// are not imported, so the total is what it sold).
fn needed_by_import(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Orders => &["total"],
        _ => &[],
    }
}

/// Opportunity fields an import derives instead of reading: the history and the closing times.
const DERIVED: &[&str] = &["stage_history", "won_at", "closed_at"];

/// Every name a column may map to, with what it feeds: each field's wire name, and for references
/// also the name without `_id` (`unit` for `unit_id`); for opportunities `entered_at` and `created`.
pub(super) fn targets(kind: ImportKind) -> Vec<(&'static str, Target)> {
    let collection = kind.collection();
    let mut out = Vec::new();
    for def in collection.fields() {
        if matches!(def.kind, FieldKind::Lines(_) | FieldKind::Attachment)
            || (kind == ImportKind::Opportunities && DERIVED.contains(&def.name))
            || (kind == ImportKind::Targets
                && (def.access == crate::domain::FieldAccess::IntentOnly
                    || def.name == "parent_id"))
        {
            continue;
        }
        if later_fields(kind).contains(&def.name) {
            out.push((def.name, Target::Later(def)));
            if def.name == "subject_id" {
                out.push(("subject", Target::Later(def)));
            }
            continue;
        }
        out.push((def.name, Target::Field(def)));
        if let FieldKind::Ref(_) | FieldKind::RefList(_) = def.kind {
            let short = def
                .name
                .strip_suffix("_ids")
                .or_else(|| def.name.strip_suffix("_id"));
            if let Some(short) = short {
                out.push((short, Target::Field(def)));
            }
        }
    }
    if kind == ImportKind::Opportunities {
        out.push(("entered_at", Target::EnteredAt));
        out.push(("created", Target::Created));
        out.push(("closed", Target::Closed));
        out.push(("closed_at", Target::Closed));
        for date in &STAGE_DATES {
            out.push((date.name, Target::EnteredStage(date)));
        }
    }
    if kind == ImportKind::Customers {
        out.push(("created", Target::Created));
    }
    out
}

fn target_named(kind: ImportKind, name: &str) -> Option<Target> {
    targets(kind)
        .into_iter()
        .find(|(n, _)| same(n, name))
        .map(|(_, t)| t)
}

/// The target a header names by itself: a field's name or short name, or its Chinese or English label.
fn automatic_target(kind: ImportKind, header: &str) -> Option<Target> {
    target_named(kind, header)
        .or_else(|| {
            targets(kind)
                .into_iter()
                .map(|(_, t)| t)
                .find(|t| t.labels(kind).iter().any(|l| same_label(l, header)))
        })
        .or_else(|| {
            let (_, _, name) = HEADER_WORDS
                .iter()
                .find(|(k, word, _)| *k == kind && same_label(word, header))?;
            target_named(kind, name)
        })
}

/// Headers common CRM, ERP and HR exports use for our fields, beyond our names and labels, so
/// their files map without a column map: (kind, header, our field).
const HEADER_WORDS: &[(ImportKind, &str, &str)] = {
    use ImportKind::*;
    &[
        (Opportunities, "opportunity id", "external_id"),
        (Opportunities, "deal id", "external_id"),
        (Opportunities, "id", "external_id"),
        (Opportunities, "商机编号", "external_id"),
        (Opportunities, "机会编号", "external_id"),
        (Opportunities, "opportunity name", "name"),
        (Opportunities, "deal name", "name"),
        (Opportunities, "deal", "name"),
        (Opportunities, "商机名称", "name"),
        (Opportunities, "account name", "customer_id"),
        (Opportunities, "account", "customer_id"),
        (Opportunities, "company", "customer_id"),
        (Opportunities, "客户名称", "customer_id"),
        (Opportunities, "opportunity owner", "owner_id"),
        (Opportunities, "deal owner", "owner_id"),
        (Opportunities, "销售负责人", "owner_id"),
        (Opportunities, "deal stage", "stage"),
        (Opportunities, "sales stage", "stage"),
        (Opportunities, "销售阶段", "stage"),
        (Opportunities, "deal value", "amount"),
        (Opportunities, "value", "amount"),
        (Opportunities, "金额", "amount"),
        (Opportunities, "opportunity currency", "currency"),
        (Opportunities, "close date", "expected_close"),
        (Opportunities, "lead source", "source"),
        (Opportunities, "created date", "created"),
        (Opportunities, "create date", "created"),
        (Opportunities, "创建日期", "created"),
        (Opportunities, "closed date", "closed"),
        (Opportunities, "成交日期", "closed"),
        (Customers, "account id", "external_id"),
        (Customers, "customer id", "external_id"),
        (Customers, "客户编号", "external_id"),
        (Customers, "客户编码", "external_id"),
        (Customers, "account name", "name"),
        (Customers, "company name", "name"),
        (Customers, "customer name", "name"),
        (Customers, "account owner", "owner_id"),
        (Customers, "billing city", "city"),
        (Customers, "account type", "kind"),
        (Customers, "region", "region_unit_id"),
        (Customers, "created date", "created"),
        (Users, "employee id", "employee_no"),
        (Users, "employee number", "employee_no"),
        (Users, "员工编号", "employee_no"),
        (Users, "full name", "name"),
        (Users, "姓名", "name"),
        (Users, "username", "login"),
        (Users, "user name", "login"),
        (Users, "账号", "login"),
        (Users, "登录名", "login"),
        (Users, "e-mail", "email"),
        (Users, "邮箱", "email"),
        (Users, "job title", "title"),
        (Users, "职位", "title"),
        (Users, "职务", "title"),
        (Users, "岗位", "title"),
        (Users, "department", "unit_id"),
        (Users, "部门", "unit_id"),
        (Users, "reports to", "manager_id"),
        (Users, "直属上级", "manager_id"),
        (Users, "上级", "manager_id"),
        (Products, "product code", "sku"),
        (Products, "item code", "sku"),
        (Products, "物料编码", "sku"),
        (Products, "product name", "name"),
        (Products, "price", "list_price"),
        (Orders, "order number", "order_no"),
        (Orders, "order id", "order_no"),
        (Orders, "单号", "order_no"),
        (Orders, "order date", "ordered_on"),
        (Orders, "amount", "total"),
    ]
};

/// One column the import reads.
#[derive(Clone, Debug)]
pub(super) struct Column {
    pub index: usize,
    pub header: String,
    pub target: Target,
}

/// The mapping checked against the file's header and the collection: what each row is read by.
#[derive(Clone, Debug)]
pub(super) struct Plan {
    pub columns: Vec<Column>,
    /// Headers of the columns no field takes, in file order.
    pub ignored: Vec<String>,
    /// (field, folded file value, our value) for choice and yes/no fields.
    pub values: Vec<(&'static str, String, Value)>,
    /// The value of each field given one for every row that has none.
    pub defaults: Vec<(Target, String)>,
}

impl Plan {
    pub(super) fn reads(&self, field: &str) -> bool {
        self.columns.iter().any(|c| c.target.name() == field)
    }

    /// Our value for a cell of a choice or yes/no field, by the value map.
    pub(super) fn mapped_value(&self, field: &str, cell: &str) -> Option<&Value> {
        let cell = fold(cell);
        self.values
            .iter()
            .find(|(f, from, _)| *f == field && *from == cell)
            .map(|(_, _, to)| to)
    }
}

/// The fields every row of `kind` needs from a column or a default: the record's required fields
/// the import does not derive, and the ones it needs all the same (an order's total); for targets
/// the period's start, which a period column may give instead.
pub(super) fn required_fields(kind: ImportKind) -> Vec<&'static str> {
    let mut fields: Vec<&'static str> = kind
        .collection()
        .fields()
        .iter()
        .filter(|def| {
            (def.required && !derived_when_missing(kind).contains(&def.name))
                || needed_by_import(kind).contains(&def.name)
        })
        .map(|def| def.name)
        .collect();
    if kind == ImportKind::Targets {
        fields.insert(0, "period_start");
    }
    fields
}

/// Our wire value for `text` in an enum field: a wire value or a label, letter case ignored.
pub(super) fn choice(def: &FieldDef, text: &str) -> Option<&'static str> {
    let FieldKind::Enum(values) = def.kind else {
        return None;
    };
    values
        .iter()
        .copied()
        .find(|v| same(v, text))
        .or_else(|| {
            def.choices()?
                .iter()
                .find(|c| same_label(c.label_zh, text) || same_label(c.label_en, text))
                .map(|c| c.value)
        })
        .or_else(|| {
            let words = if def.name == "role" { ROLE_WORDS } else { &[] };
            let word = words.iter().find(|(w, _)| same_label(w, text))?.1;
            values.iter().copied().find(|v| *v == word)
        })
}

/// Matches the maps to the file's header and the kind's fields; every mistake in them is an error
/// here, before any row is read.
/// The field each header feeds, in header order (`None`: the column is not read): what `columns`
/// says, else the field its header names by itself (`automatic_target`), unless `columns` sends
/// another header there. What the mapping screen shows before anything is imported.
pub fn column_fields(
    kind: ImportKind,
    headers: &[String],
    columns: &ColumnMap,
) -> Result<Vec<Option<&'static str>>, ImportError> {
    Ok(choose(kind, headers, columns)?
        .into_iter()
        .map(|t| t.map(Target::name))
        .collect())
}

/// The target of each header (see `column_fields`); a field fed by two columns is an error.
fn choose(
    kind: ImportKind,
    headers: &[String],
    columns: &ColumnMap,
) -> Result<Vec<Option<Target>>, ImportError> {
    let collection = kind.collection();
    // Per column: None = not decided yet, Some(None) = explicitly ignored, Some(Some(t)) = mapped.
    let mut chosen: Vec<Option<Option<Target>>> = vec![None; headers.len()];
    for (header, field) in columns.entries() {
        let matching: Vec<usize> = (0..headers.len())
            .filter(|&i| same(&headers[i], header))
            .collect();
        let index = match matching.as_slice() {
            [] => {
                return Err(ImportError::NoSuchHeader {
                    header: header.clone(),
                    headers: headers.to_vec(),
                })
            }
            [index] => *index,
            _ => {
                return Err(ImportError::HeaderTwiceInFile {
                    header: header.clone(),
                })
            }
        };
        if chosen[index].is_some() {
            return Err(ImportError::HeaderMappedTwice {
                header: header.clone(),
            });
        }
        let target = if field.trim().is_empty() {
            None
        } else {
            Some(
                target_named(kind, field).ok_or_else(|| ImportError::UnknownField {
                    field: field.clone(),
                    collection,
                    valid: targets(kind).into_iter().map(|(n, _)| n).collect(),
                })?,
            )
        };
        chosen[index] = Some(target);
    }
    let explicit: Vec<Target> = chosen.iter().flatten().flatten().copied().collect();
    let mut out: Vec<Option<Target>> = Vec::with_capacity(headers.len());
    for (index, header) in headers.iter().enumerate() {
        let target = match chosen[index] {
            Some(target) => target,
            // An automatic match gives way to a column the map sends to the same field.
            None => automatic_target(kind, header).filter(|t| !explicit.contains(t)),
        };
        if let Some(target) = target {
            if let Some(first) = out.iter().position(|t| *t == Some(target)) {
                return Err(ImportError::FieldMappedTwice {
                    field: target.name(),
                    headers: [headers[first].clone(), header.clone()],
                });
            }
        }
        out.push(target);
    }
    Ok(out)
}

pub(super) fn plan(
    kind: ImportKind,
    headers: &[String],
    columns: &ColumnMap,
    values: &ValueMap,
    defaults: &Defaults,
) -> Result<Plan, ImportError> {
    let collection = kind.collection();
    let mut plan = Plan {
        columns: Vec::new(),
        ignored: Vec::new(),
        values: Vec::new(),
        defaults: Vec::new(),
    };
    for (index, (header, target)) in headers
        .iter()
        .zip(choose(kind, headers, columns)?)
        .enumerate()
    {
        match target {
            Some(target) => plan.columns.push(Column {
                index,
                header: header.clone(),
                target,
            }),
            None => plan.ignored.push(header.clone()),
        }
    }

    for (field, value) in defaults.entries() {
        let target = automatic_target(kind, field).ok_or_else(|| ImportError::UnknownField {
            field: field.clone(),
            collection,
            valid: targets(kind).into_iter().map(|(n, _)| n).collect(),
        })?;
        if plan.defaults.iter().any(|(t, _)| *t == target) {
            return Err(ImportError::DefaultTwice {
                field: target.name(),
            });
        }
        plan.defaults.push((target, value.clone()));
    }

    let missing: Vec<&'static str> = required_fields(kind)
        .into_iter()
        .filter(|name| {
            let given = |n: &str| plan.reads(n) || plan.defaults.iter().any(|(t, _)| t.name() == n);
            // A target's period and start: either says both (`2026-03`).
            match *name {
                "period_start" if kind == ImportKind::Targets => {
                    !given("period_start") && !given("period")
                }
                _ => !given(name),
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            collection,
            fields: missing,
        });
    }

    for mapping in values.entries() {
        let value_field = |t: Target| match t {
            Target::Field(def) | Target::Later(def)
                if matches!(def.kind, FieldKind::Enum(_) | FieldKind::Bool) =>
            {
                Some(def)
            }
            _ => None,
        };
        let def = target_named(kind, &mapping.field)
            .and_then(value_field)
            .ok_or_else(|| ImportError::NotAValueField {
                field: mapping.field.clone(),
                collection,
                valid: targets(kind)
                    .into_iter()
                    .filter(|(_, t)| value_field(*t).is_some())
                    .map(|(n, _)| n)
                    .collect(),
            })?;
        let to = match def.kind {
            FieldKind::Bool => cells::boolean(&mapping.to).ok().map(Value::Bool),
            _ => choice(def, &mapping.to).map(Value::from),
        };
        let to = to.ok_or_else(|| ImportError::ValueMapTarget {
            field: mapping.field.clone(),
            value: mapping.to.clone(),
            allowed: match def.kind {
                FieldKind::Enum(values) => values.to_vec(),
                _ => vec!["true", "false"],
            },
        })?;
        let from = fold(&mapping.from);
        match plan
            .values
            .iter()
            .find(|(f, v, _)| *f == def.name && *v == from)
        {
            Some((_, _, earlier)) if *earlier != to => {
                return Err(ImportError::ValueMapTwice {
                    field: mapping.field.clone(),
                    value: mapping.from.clone(),
                })
            }
            Some(_) => {}
            None => plan.values.push((def.name, from, to)),
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Collection;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn mapped(plan: &Plan) -> Vec<(&str, &str)> {
        plan.columns
            .iter()
            .map(|c| (c.header.as_str(), c.target.name()))
            .collect()
    }

    #[test]
    fn column_map_reads_the_cli_form_with_chinese_headers() {
        let map = ColumnMap::parse("客户名称=name, 负责人 = owner ,等级=tier,").unwrap();
        assert_eq!(
            map.entries(),
            [
                ("客户名称".to_owned(), "name".to_owned()),
                ("负责人".to_owned(), "owner".to_owned()),
                ("等级".to_owned(), "tier".to_owned()),
            ]
        );
    }

    #[test]
    fn a_backslash_escapes_commas_and_the_last_equals_sign_splits() {
        let map = ColumnMap::parse(r"金额\,含税=amount,a=b=name,back\\slash=notes,备注=").unwrap();
        assert_eq!(
            map.entries(),
            [
                ("金额,含税".to_owned(), "amount".to_owned()),
                ("a=b".to_owned(), "name".to_owned()),
                (r"back\slash".to_owned(), "notes".to_owned()),
                ("备注".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn a_column_map_entry_needs_a_header_and_an_equals_sign() {
        assert_eq!(
            ColumnMap::parse("name,客户=name"),
            Err(ImportError::ColumnMapSyntax {
                entry: "name".into()
            })
        );
        assert_eq!(
            ColumnMap::parse("=name"),
            Err(ImportError::ColumnMapSyntax {
                entry: "=name".into()
            })
        );
        assert_eq!(
            ColumnMap::parse(r"a\=name"),
            Err(ImportError::ColumnMapSyntax {
                entry: "a=name".into()
            })
        );
    }

    #[test]
    fn value_map_reads_field_value_and_ours() {
        let map =
            ValueMap::parse("stage:Won=won, stage:Engaging=compare,tier:重点=A,x:a:b=c=d").unwrap();
        let entries: Vec<_> = map
            .entries()
            .iter()
            .map(|m| (m.field.as_str(), m.from.as_str(), m.to.as_str()))
            .collect();
        assert_eq!(
            entries,
            [
                ("stage", "Won", "won"),
                ("stage", "Engaging", "compare"),
                ("tier", "重点", "A"),
                ("x", "a:b=c", "d"),
            ]
        );
        for bad in [
            "stage=won",
            "stage:Won",
            ":Won=won",
            "stage:=won",
            "stage:Won=",
        ] {
            assert!(
                matches!(
                    ValueMap::parse(bad),
                    Err(ImportError::ValueMapSyntax { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn headers_equal_to_a_field_name_short_name_or_label_map_themselves() {
        let plan = plan(
            ImportKind::Users,
            &headers(&["name", "LOGIN", "角色", "unit", "Manager", "工号", "生日"]),
            &ColumnMap::new(),
            &ValueMap::new(),
            &Defaults::new(),
        )
        .unwrap();
        assert_eq!(
            mapped(&plan),
            [
                ("name", "name"),
                ("LOGIN", "login"),
                ("角色", "role"),
                ("unit", "unit_id"),
                ("Manager", "manager_id"),
                ("工号", "employee_no"),
            ]
        );
        assert_eq!(plan.ignored, ["生日"]);
    }

    #[test]
    fn an_explicit_mapping_wins_over_an_automatic_one() {
        let plan = plan(
            ImportKind::Products,
            &headers(&["sku", "name", "品名", "list_price"]),
            &ColumnMap::new().with("品名", "name"),
            &ValueMap::new(),
            &Defaults::new(),
        )
        .unwrap();
        assert_eq!(
            mapped(&plan),
            [
                ("sku", "sku"),
                ("品名", "name"),
                ("list_price", "list_price")
            ]
        );
        assert_eq!(plan.ignored, ["name"]);
    }

    #[test]
    fn a_column_mapped_to_nothing_is_ignored() {
        let plan = plan(
            ImportKind::Products,
            &headers(&["sku", "name", "list_price", "unit"]),
            &ColumnMap::parse("unit=").unwrap(),
            &ValueMap::new(),
            &Defaults::new(),
        )
        .unwrap();
        assert_eq!(plan.ignored, ["unit"]);
    }

    #[test]
    fn mapping_to_an_unknown_field_names_it_and_the_valid_fields() {
        let error = plan(
            ImportKind::Customers,
            &headers(&["客户名称", "颜色"]),
            &ColumnMap::parse("颜色=colour").unwrap(),
            &ValueMap::new(),
            &Defaults::new(),
        )
        .unwrap_err();
        let ImportError::UnknownField {
            field,
            collection,
            valid,
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(field, "colour");
        assert_eq!(*collection, Collection::Customer);
        assert!(valid.contains(&"owner") && valid.contains(&"owner_id") && valid.contains(&"tier"));
        let en = error.message(crate::locale::Locale::En);
        assert!(
            en.contains("colour") && en.contains("customers") && en.contains("region_unit_id"),
            "{en}"
        );
    }

    #[test]
    fn mapping_a_header_the_file_lacks_lists_the_headers_it_has() {
        assert_eq!(
            plan(
                ImportKind::Products,
                &headers(&["sku", "name"]),
                &ColumnMap::parse("价格=list_price").unwrap(),
                &ValueMap::new(),
                &Defaults::new(),
            )
            .unwrap_err(),
            ImportError::NoSuchHeader {
                header: "价格".into(),
                headers: headers(&["sku", "name"])
            }
        );
    }

    #[test]
    fn two_columns_for_one_field_are_refused() {
        assert_eq!(
            plan(
                ImportKind::Users,
                &headers(&["unit", "unit_id", "name", "login", "role"]),
                &ColumnMap::new(),
                &ValueMap::new(),
                &Defaults::new(),
            )
            .unwrap_err(),
            ImportError::FieldMappedTwice {
                field: "unit_id",
                headers: ["unit".into(), "unit_id".into()]
            }
        );
        assert_eq!(
            plan(
                ImportKind::Products,
                &headers(&["sku", "编码", "名称", "价格"]),
                &ColumnMap::parse("编码=sku,名称=name,价格=list_price,sku=sku").unwrap(),
                &ValueMap::new(),
                &Defaults::new(),
            )
            .unwrap_err(),
            ImportError::FieldMappedTwice {
                field: "sku",
                headers: ["sku".into(), "编码".into()]
            }
        );
    }

    #[test]
    fn a_duplicated_header_cannot_be_mapped() {
        assert_eq!(
            plan(
                ImportKind::Products,
                &headers(&["sku", "name", "价格", "价格"]),
                &ColumnMap::parse("价格=list_price").unwrap(),
                &ValueMap::new(),
                &Defaults::new(),
            )
            .unwrap_err(),
            ImportError::HeaderTwiceInFile {
                header: "价格".into()
            }
        );
    }

    #[test]
    fn required_fields_without_a_column_are_named_before_any_row_is_read() {
        assert_eq!(
            plan(
                ImportKind::Users,
                &headers(&["name", "title"]),
                &ColumnMap::new(),
                &ValueMap::new(),
                &Defaults::new(),
            )
            .unwrap_err(),
            ImportError::MissingColumns {
                collection: Collection::User,
                fields: vec!["login", "role", "unit_id"]
            }
        );
    }

    #[test]
    fn value_map_fields_must_be_choices_and_targets_allowed() {
        let products = headers(&["sku", "name", "list_price"]);
        assert!(matches!(
            plan(
                ImportKind::Products,
                &products,
                &ColumnMap::new(),
                &ValueMap::parse("name:x=y").unwrap(),
                &Defaults::new(),
            ),
            Err(ImportError::NotAValueField { ref valid, .. }) if valid == &["active"]
        ));
        let deals = headers(&["customer", "owner", "unit", "name"]);
        assert_eq!(
            plan(
                ImportKind::Opportunities,
                &deals,
                &ColumnMap::new(),
                &ValueMap::parse("stage:Engaging=engaged").unwrap(),
                &Defaults::new(),
            )
            .unwrap_err(),
            ImportError::ValueMapTarget {
                field: "stage".into(),
                value: "engaged".into(),
                allowed: vec!["aware", "compare", "negotiate", "commit", "won", "lost"]
            }
        );
        assert!(matches!(
            plan(
                ImportKind::Opportunities,
                &deals,
                &ColumnMap::new(),
                &ValueMap::parse("stage:Hot=commit,stage:HOT=won").unwrap(),
                &Defaults::new(),
            ),
            Err(ImportError::ValueMapTwice { .. })
        ));
        let plan = plan(
            ImportKind::Opportunities,
            &deals,
            &ColumnMap::new(),
            &ValueMap::parse("stage:Engaging=比较,stage:engaging=compare").unwrap(),
            &Defaults::new(),
        )
        .unwrap();
        assert_eq!(
            plan.mapped_value("stage", " ENGAGING "),
            Some(&Value::from("compare")),
            "a label is accepted as the target"
        );
    }

    #[test]
    fn choices_match_wire_values_and_labels_in_both_languages() {
        let stage = Collection::Opportunity.field("stage").unwrap();
        for text in ["won", "WON", "Won", "赢单", " 赢单 "] {
            assert_eq!(choice(stage, text), Some("won"), "{text}");
        }
        assert_eq!(choice(stage, "Engaging"), None);
        let tier = Collection::Customer.field("tier").unwrap();
        assert_eq!(choice(tier, "a"), Some("A"));
        assert_eq!(choice(tier, "A类"), Some("A"));
        assert_eq!(choice(tier, "Tier B"), Some("B"));
    }

    #[test]
    fn names_and_labels_lead_to_one_target_each_in_every_kind() {
        for kind in ImportKind::ALL {
            let all = targets(kind);
            for (name, target) in &all {
                assert_eq!(target_named(kind, name), Some(*target), "{kind:?}.{name}");
                for label in target.labels(kind) {
                    assert_eq!(
                        automatic_target(kind, label),
                        Some(*target),
                        "{kind:?}: label {label} of {name}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_headers_of_common_exports_map_without_a_column_map() {
        for (kind, word, name) in HEADER_WORDS {
            assert!(
                target_named(*kind, name).is_some(),
                "{kind}: {word} → {name}"
            );
        }
        let crm = headers(&[
            "Opportunity ID",
            "Opportunity Name",
            "Account Name",
            "Opportunity Owner",
            "Stage",
            "Amount",
            "Close Date",
            "Created Date",
            "Lead Source",
        ]);
        let plan = plan(
            ImportKind::Opportunities,
            &crm,
            &ColumnMap::new(),
            &ValueMap::new(),
            &Defaults::new().with("unit", "HD"),
        )
        .unwrap();
        assert_eq!(
            mapped(&plan),
            [
                ("Opportunity ID", "external_id"),
                ("Opportunity Name", "name"),
                ("Account Name", "customer_id"),
                ("Opportunity Owner", "owner_id"),
                ("Stage", "stage"),
                ("Amount", "amount"),
                ("Close Date", "expected_close"),
                ("Created Date", "created"),
                ("Lead Source", "source"),
            ]
        );
        assert!(plan.ignored.is_empty());
    }
}
