//! What can go wrong in an import, worded for the person who made the file, in Chinese and English:
//! `ImportError` stops the whole file (encoding, header, mapping); `RowError` is one bad row.

use serde::{Deserialize, Serialize};

use super::cells::CellError;
use super::lookup::{natural_keys, unique_keys};
use super::table::Encoding;
use crate::domain::{Collection, ValidationError};
use crate::locale::Locale;

/// A problem with the file as a whole or with the mapping; no row is looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// The bytes do not decode in the encoding chosen (or, when none was, in GB18030: not UTF-8
    /// either); `line` is where the first undecodable bytes are.
    Undecodable { encoding: Encoding, line: u64 },
    /// The workbook has no sheet of the name asked for.
    NoSuchSheet { sheet: String, sheets: Vec<String> },
    /// The file is a zip archive but not a workbook calamine can read (a .docx, a damaged .xlsx);
    /// `message` is the reader's own, for whoever looks into it.
    NotAWorkbook { message: String },
    /// An Excel 97–2003 .xls or a password-protected workbook, neither of which is read.
    LegacyWorkbook,
    /// No header line: the file is empty or blank.
    NoHeader,
    /// A column map entry without `=`, or with an empty header.
    ColumnMapSyntax { entry: String },
    /// A value map entry not written `field:value=ours`.
    ValueMapSyntax { entry: String },
    /// The column map names one header twice.
    HeaderMappedTwice { header: String },
    /// The column map names a header the file does not have.
    NoSuchHeader {
        header: String,
        headers: Vec<String>,
    },
    /// Two columns of the file have the same header and the map names it.
    HeaderTwiceInFile { header: String },
    /// A column is mapped to a field the collection does not have (or cannot take from a file).
    UnknownField {
        field: String,
        collection: Collection,
        valid: Vec<&'static str>,
    },
    /// Two columns map to the same field.
    FieldMappedTwice {
        field: &'static str,
        headers: [String; 2],
    },
    /// Required fields no column maps to: every row would fail on them.
    MissingColumns {
        collection: Collection,
        fields: Vec<&'static str>,
    },
    /// The value map names a field that is not a choice or a yes/no field of the collection.
    NotAValueField {
        field: String,
        collection: Collection,
        valid: Vec<&'static str>,
    },
    /// The value map sends a value to something the field does not accept.
    ValueMapTarget {
        field: String,
        value: String,
        allowed: Vec<&'static str>,
    },
    /// The value map gives one file value of one field two meanings.
    ValueMapTwice { field: String, value: String },
    /// The CSV reader gave up (should not happen for UTF-8 text; kept so nothing panics).
    Csv { line: u64, message: String },
    /// A default not written `field=value`.
    DefaultSyntax { entry: String },
    /// Two defaults for one field.
    DefaultTwice { field: &'static str },
    /// The field chosen to identify records is not one a record can be found by.
    NotAKey {
        field: String,
        collection: Collection,
        valid: Vec<&'static str>,
    },
}

fn list(items: &[impl AsRef<str>], locale: Locale) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(match locale {
        Locale::ZhCn => "、",
        Locale::En => ", ",
    })
}

impl ImportError {
    pub fn message(&self, locale: Locale) -> String {
        use ImportError::*;
        let zh = locale == Locale::ZhCn;
        match self {
            Undecodable { encoding, line } if zh => format!(
                "文件无法按 {} 编码读取：第 {line} 行起无法识别（请选择其他编码，或另存为“CSV UTF-8”）",
                encoding.name()
            ),
            Undecodable { encoding, line } => format!(
                "the file cannot be read as {0}: line {line} has bytes that are not {0} (choose \
                 another encoding, or save as CSV UTF-8)",
                encoding.name()
            ),
            NoSuchSheet { sheet, sheets } if zh => format!(
                "工作簿中没有名为“{sheet}”的工作表；工作表有：{}",
                list(sheets, locale)
            ),
            NoSuchSheet { sheet, sheets } => format!(
                "the workbook has no sheet “{sheet}”; its sheets are: {}",
                list(sheets, locale)
            ),
            NotAWorkbook { message } if zh => {
                format!("文件不是可读取的 Excel 工作簿（.xlsx）：{message}")
            }
            NotAWorkbook { message } => {
                format!("the file is not a readable Excel workbook (.xlsx): {message}")
            }
            LegacyWorkbook if zh => "文件是旧版 Excel（.xls）或带密码的工作簿，无法读取：\
                请去掉密码后另存为 .xlsx 或“CSV UTF-8”"
                .to_owned(),
            LegacyWorkbook => "the file is an old Excel workbook (.xls) or has a password, which \
                cannot be read: save it without a password as .xlsx or CSV UTF-8"
                .to_owned(),
            NoHeader if zh => "文件为空：第一行应为列名".to_owned(),
            NoHeader => "the file is empty: its first line must name the columns".to_owned(),
            ColumnMapSyntax { entry } if zh => {
                format!("列映射中的“{entry}”格式应为 表头=字段")
            }
            ColumnMapSyntax { entry } => {
                format!("“{entry}” in the column map is not written header=field")
            }
            ValueMapSyntax { entry } if zh => {
                format!("值映射中的“{entry}”格式应为 字段:文件中的值=系统值")
            }
            ValueMapSyntax { entry } => {
                format!("“{entry}” in the value map is not written field:value=ours")
            }
            HeaderMappedTwice { header } if zh => {
                format!("列映射中表头“{header}”出现了两次")
            }
            HeaderMappedTwice { header } => {
                format!("the column map names the header “{header}” twice")
            }
            NoSuchHeader { header, headers } if zh => format!(
                "文件中没有“{header}”列；文件的列为：{}",
                list(headers, locale)
            ),
            NoSuchHeader { header, headers } => format!(
                "the file has no column “{header}”; its columns are: {}",
                list(headers, locale)
            ),
            HeaderTwiceInFile { header } if zh => {
                format!("文件中有两列都叫“{header}”，请重命名其中一列")
            }
            HeaderTwiceInFile { header } => {
                format!("the file has two columns named “{header}”; rename one")
            }
            UnknownField {
                field,
                collection,
                valid,
            } if zh => format!(
                "“{field}”不是{}的字段；可用字段：{}",
                collection.label(locale),
                list(valid, locale)
            ),
            UnknownField {
                field,
                collection,
                valid,
            } => format!(
                "“{field}” is not a field of {collection}; valid fields: {}",
                list(valid, locale)
            ),
            FieldMappedTwice {
                field,
                headers: [a, b],
            } if zh => format!(
                "“{a}”和“{b}”两列都对应字段“{field}”；请把其中一列映射为空（如“{b}=”）或其他字段"
            ),
            FieldMappedTwice {
                field,
                headers: [a, b],
            } => format!(
                "columns “{a}” and “{b}” both map to “{field}”; map one of them to nothing (“{b}=”) \
                 or to another field"
            ),
            MissingColumns { collection, fields } if zh => format!(
                "{}的必填字段没有对应的列：{}",
                collection.label(locale),
                list(fields, locale)
            ),
            MissingColumns { collection, fields } => format!(
                "no column maps to these required fields of {collection}: {}",
                list(fields, locale)
            ),
            NotAValueField {
                field,
                collection,
                valid,
            } if zh => format!(
                "值映射中的“{field}”不是{}的选项或是/否字段；可映射的字段：{}",
                collection.label(locale),
                list(valid, locale)
            ),
            NotAValueField {
                field,
                collection,
                valid,
            } => format!(
                "the value map names “{field}”, which is not a choice or yes/no field of \
                 {collection}; such fields: {}",
                list(valid, locale)
            ),
            ValueMapTarget {
                field,
                value,
                allowed,
            } if zh => format!(
                "值映射把“{field}”映射为“{value}”，该值无效；可选：{}",
                list(allowed, locale)
            ),
            ValueMapTarget {
                field,
                value,
                allowed,
            } => format!(
                "the value map sends “{field}” to “{value}”, which is not one of: {}",
                list(allowed, locale)
            ),
            ValueMapTwice { field, value } if zh => {
                format!("值映射中“{field}:{value}”对应了两个不同的值")
            }
            ValueMapTwice { field, value } => {
                format!("the value map gives “{field}:{value}” two different meanings")
            }
            Csv { line, message } if zh => format!("第 {line} 行无法按 CSV 读取：{message}"),
            Csv { line, message } => format!("line {line} cannot be read as CSV: {message}"),
            DefaultSyntax { entry } if zh => format!("默认值“{entry}”格式应为 字段=值"),
            DefaultSyntax { entry } => format!("the default “{entry}” is not written field=value"),
            DefaultTwice { field } if zh => format!("“{field}”给了两个默认值"),
            DefaultTwice { field } => format!("“{field}” is given two default values"),
            NotAKey {
                field,
                collection,
                valid,
            } if zh => format!(
                "{}不能按“{field}”识别；可用：{}",
                collection.label(locale),
                list(valid, locale)
            ),
            NotAKey {
                field,
                collection,
                valid,
            } => format!(
                "{collection} records cannot be identified by “{field}”; use one of: {}",
                list(valid, locale)
            ),
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

impl std::error::Error for ImportError {}

/// One problem of one row of the file; a row may have several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The physical line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// Our field (wire name) the problem is about, if it is about one.
    pub field: Option<String>,
    /// The cell as the file has it (trimmed), if the problem is about one.
    pub value: Option<String>,
    pub message_en: String,
    pub message_zh: String,
}

impl RowError {
    pub(super) fn new(
        line: u64,
        field: Option<&str>,
        value: Option<&str>,
        problem: &Problem,
    ) -> RowError {
        let name = field.unwrap_or_default();
        let cell = value.unwrap_or_default();
        RowError {
            line,
            field: field.map(str::to_owned),
            value: value.map(str::to_owned),
            message_en: problem.message(Locale::En, name, cell),
            message_zh: problem.message(Locale::ZhCn, name, cell),
        }
    }

    /// The message in `locale`.
    pub fn message(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.message_zh,
            Locale::En => &self.message_en,
        }
    }
}

/// Why a row cannot be imported; worded with the field and cell it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Problem {
    Cell(CellError),
    /// A rule of the record, with the record's own message.
    Invalid(ValidationError),
    NotFound {
        collection: Collection,
        /// The file's own collection: earlier rows were searched too.
        own: bool,
    },
    Ambiguous {
        collection: Collection,
        matches: usize,
    },
    /// The key names a row of the file that cannot be imported.
    BadRow {
        line: u64,
    },
    /// Rows of the file refer to each other in a loop (a manager of her own manager).
    Loop {
        lines: Vec<u64>,
    },
    /// Another row of the file updates the same record.
    SameRecord {
        line: u64,
    },
    /// A deal's stage dates are out of order: this stage entered after its current stage.
    StageAfterCurrent {
        stage: &'static str,
        current: String,
    },
    /// Two columns give the current stage's entry different times.
    StageDatesDisagree,
    /// A date in the stage history after the import's time.
    InFuture,
    DuplicateInFile {
        line: u64,
    },
    AlreadyExists,
    ExtraCells {
        cells: usize,
        columns: usize,
    },
    OnlyWhenLost {
        stage: String,
    },
    NotImportable,
    /// A target's period start is a full date and the file has no period column to say which.
    PeriodMissing,
    /// A target's period column and its start's form disagree (`year` and `2026-03`).
    PeriodDisagrees {
        given: String,
    },
    /// A target's start cell names another period than its period cell (`2026` and `2027`).
    StartDisagrees {
        period: String,
    },
    /// No org unit, person or dealer answers to a target's subject.
    NoSubject,
    /// More than one kind of subject answers to it (a unit and a person both named 华东).
    SubjectUnclear {
        kinds: Vec<&'static str>,
    },
    /// A past actual would count what another of the same metric and month counts (a unit's and
    /// its people's), on an earlier line or stored.
    Overlaps {
        line: Option<u64>,
    },
    /// A target (or past actual) for the same subject, metric and period is on an earlier line,
    /// or stored.
    SameSlot {
        collection: Collection,
        line: Option<u64>,
    },
}

/// A target subject kind's label: 组织 / org unit, 人员 / person, 经销商 / dealer.
fn subject_kind_label(kind: &str, locale: Locale) -> &'static str {
    target_choice("subject_kind", kind, locale)
}

/// A target period's label: 年度 / Year, 季度 / Quarter, 月度 / Month.
fn period_label(period: &str, locale: Locale) -> &'static str {
    target_choice("period", period, locale)
}

fn target_choice(field: &str, value: &str, locale: Locale) -> &'static str {
    crate::domain::Collection::Target
        .field(field)
        .and_then(|def| def.choice_label(value, locale))
        .unwrap_or("")
}

/// “Code or Name”, “组织编码或组织名称”: the keys a reference may use.
fn keys(collection: Collection, fields: &[&str], locale: Locale) -> String {
    let mut labels: Vec<&str> = fields
        .iter()
        .filter_map(|f| collection.field(f))
        .map(|f| f.label(locale))
        .collect();
    if labels.is_empty() {
        labels.push(match locale {
            Locale::ZhCn => "记录编号",
            Locale::En => "id",
        });
    }
    labels.join(match locale {
        Locale::ZhCn => "、",
        Locale::En => ", ",
    })
}

impl Problem {
    fn message(&self, locale: Locale, f: &str, v: &str) -> String {
        use CellError::*;
        use Problem::*;
        let zh = locale == Locale::ZhCn;
        match self {
            Cell(NotMoney) if zh => {
                format!("“{f}”：“{v}”不是以元为单位的金额（如 1234.56 或 ¥1,234.56）")
            }
            Cell(NotMoney) => {
                format!("“{f}”: “{v}” is not an amount in yuan such as 1234.56 or ¥1,234.56")
            }
            Cell(TooManyDecimals) if zh => format!("“{f}”：“{v}”超过两位小数"),
            Cell(TooManyDecimals) => format!("“{f}”: “{v}” has more than 2 decimal places"),
            Cell(NotInteger) if zh => format!("“{f}”：“{v}”不是整数"),
            Cell(NotInteger) => format!("“{f}”: “{v}” is not a whole number"),
            Cell(NotPercent) if zh => format!("“{f}”：“{v}”不是整数百分比（如 15 或 15%）"),
            Cell(NotPercent) => {
                format!("“{f}”: “{v}” is not a whole percentage such as 15 or 15%")
            }
            Cell(TooLarge) if zh => format!("“{f}”：“{v}”数值过大"),
            Cell(TooLarge) => format!("“{f}”: “{v}” is too large"),
            Cell(NotDate) if zh => {
                format!("“{f}”：“{v}”不是日期（如 2026-11-27、2026/11/27 或 20261127）")
            }
            Cell(NotDate) => {
                format!("“{f}”: “{v}” is not a date such as 2026-11-27, 2026/11/27 or 20261127")
            }
            Cell(NotInstant) if zh => {
                format!("“{f}”：“{v}”不是带时区的时间（如 2026-11-27T08:30:00+08:00），也不是日期")
            }
            Cell(NotInstant) => format!(
                "“{f}”: “{v}” is neither a time with its zone such as \
                 2026-11-27T08:30:00+08:00 nor a date"
            ),
            Cell(NotBool) if zh => {
                format!("“{f}”：“{v}”应为是或否（是/否、yes/no、true/false、1/0）")
            }
            Cell(NotBool) => {
                format!("“{f}”: “{v}” is not yes or no (是/否, yes/no, true/false, 1/0)")
            }
            Cell(NotMonth) if zh => {
                format!("“{f}”：“{v}”不是月份（如 2025-03 或 2025年3月）")
            }
            Cell(NotMonth) => format!("“{f}”: “{v}” is not a month such as 2025-03"),
            Cell(NotPeriod) if zh => format!(
                "“{f}”：“{v}”不是期间（年如 2026，月如 2026-03 或 2026年3月，季度如 2026Q2）"
            ),
            Cell(NotPeriod) => format!(
                "“{f}”: “{v}” is not a period: a year such as 2026, a month such as 2026-03 or a \
                 quarter such as 2026Q2"
            ),
            Invalid(error) => error.message(locale),
            NotFound { collection, own } => {
                let keys = keys(*collection, natural_keys(*collection), locale);
                match (zh, own) {
                    (true, true) => format!(
                        "“{f}”：在已有的{}和本文件的其他行中都找不到“{v}”（按{keys}或记录编号查找）",
                        collection.label(locale)
                    ),
                    (true, false) => format!(
                        "“{f}”：已有的{}中找不到“{v}”（按{keys}或记录编号查找）",
                        collection.label(locale)
                    ),
                    (false, true) => format!(
                        "“{f}”: no existing {collection} record nor any row of this file is \
                         “{v}” (looked up by {keys} or id)"
                    ),
                    (false, false) => format!(
                        "“{f}”: no existing {collection} record is “{v}” (looked up by {keys} or id)"
                    ),
                }
            }
            Ambiguous {
                collection,
                matches,
            } => {
                let keys = keys(*collection, unique_keys(*collection), locale);
                if zh {
                    format!(
                        "“{f}”：“{v}”对应 {matches} 条{}记录，请改用唯一的{keys}",
                        collection.label(locale)
                    )
                } else {
                    format!(
                        "“{f}”: “{v}” matches {matches} records of {collection}; write its \
                         {keys} instead"
                    )
                }
            }
            BadRow { line } if zh => {
                format!("“{f}”：“{v}”是第 {line} 行，而该行有错误、未能导入")
            }
            BadRow { line } => format!(
                "“{f}”: “{v}” is the row on line {line}, which has errors and is not imported"
            ),
            Loop { lines } => {
                let path: Vec<String> = lines.iter().map(u64::to_string).collect();
                if zh {
                    format!("“{f}”：“{v}”形成循环引用（第 {} 行）", path.join(" → "))
                } else {
                    format!(
                        "“{f}”: “{v}” closes a loop of references (lines {})",
                        path.join(" → ")
                    )
                }
            }
            SameRecord { line } if zh => {
                format!("“{f}”：“{v}”与第 {line} 行更新的是同一条已有记录")
            }
            SameRecord { line } => format!(
                "“{f}”: “{v}” names the same existing record that line {line} updates"
            ),
            StageAfterCurrent { stage, current } => {
                let def = Collection::Opportunity.field("stage");
                let label = |s: &str| {
                    def.and_then(|d| d.choice_label(s, locale))
                        .unwrap_or("")
                        .to_owned()
                };
                if zh {
                    format!(
                        "“{f}”：进入“{}”的时间“{v}”晚于进入当前阶段“{}”的时间",
                        label(stage),
                        label(current)
                    )
                } else {
                    format!(
                        "“{f}”: “{v}”, when it entered {}, is after it entered its current \
                         stage {}",
                        label(stage),
                        label(current)
                    )
                }
            }
            StageDatesDisagree if zh => {
                format!("“{f}”：“{v}”与另一列给出的进入当前阶段时间不一致")
            }
            StageDatesDisagree => format!(
                "“{f}”: “{v}” disagrees with another column's time for entering the current stage"
            ),
            InFuture if zh => format!("“{f}”：“{v}”晚于导入时间"),
            InFuture => format!("“{f}”: “{v}” is later than the import"),
            DuplicateInFile { line } if zh => format!("“{f}”：“{v}”与第 {line} 行重复"),
            DuplicateInFile { line } => format!("“{f}”: “{v}” is already used on line {line}"),
            AlreadyExists if zh => format!("“{f}”：“{v}”已被已有记录使用"),
            AlreadyExists => format!("“{f}”: “{v}” is already used by an existing record"),
            ExtraCells { cells, columns } if zh => format!(
                "该行有 {cells} 个单元格，但表头只有 {columns} 列；含分隔符的值请加英文双引号"
            ),
            ExtraCells { cells, columns } => format!(
                "the row has {cells} cells but the header has {columns}; quote values that \
                 contain the delimiter"
            ),
            OnlyWhenLost { stage } if zh => {
                format!("“{f}”：“{v}”只在输单时填写，该机会的阶段是“{stage}”")
            }
            OnlyWhenLost { stage } => format!(
                "“{f}”: “{v}” is only for lost opportunities; this one's stage is “{stage}”"
            ),
            NotImportable if zh => format!("“{f}”：“{v}”无法从 CSV 单元格导入"),
            NotImportable => format!("“{f}”: “{v}” cannot be imported from a CSV cell"),
            PeriodMissing if zh => format!(
                "“{f}”：“{v}”是某一天，请写成期间（2026、2026-03、2026Q2），或加一列“目标周期”"
            ),
            PeriodMissing => format!(
                "“{f}”: “{v}” is a day; write the period (2026, 2026-03, 2026Q2) or add a \
                 period column"
            ),
            PeriodDisagrees { given } if zh => format!(
                "“{f}”：“{v}”与目标周期“{}”不符",
                period_label(given, locale)
            ),
            PeriodDisagrees { given } => {
                format!("“{f}”: “{v}” is not the start of a {given}")
            }
            StartDisagrees { period } if zh => {
                format!("“{f}”：“{v}”不是目标周期“{period}”的开始")
            }
            StartDisagrees { period } => {
                format!("“{f}”: “{v}” is not the start of the period “{period}”")
            }
            NoSubject if zh => format!(
                "“{f}”：已有的组织、人员和客户中都找不到“{v}”（按编码、名称、工号、登录名或记录编号查找）"
            ),
            NoSubject => format!(
                "“{f}”: no existing org unit, person or customer is “{v}” (looked up by code, \
                 name, employee no., login or id)"
            ),
            SubjectUnclear { kinds } if zh => format!(
                "“{f}”：“{v}”同时是{}，请加一列“责任对象类型”（组织、人员或经销商）",
                kinds
                    .iter()
                    .map(|k| subject_kind_label(k, locale))
                    .collect::<Vec<_>>()
                    .join("和")
            ),
            SubjectUnclear { kinds } => format!(
                "“{f}”: “{v}” is both {}; add a subject kind column (unit, user or dealer)",
                kinds
                    .iter()
                    .map(|k| subject_kind_label(k, locale))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Overlaps { line: Some(line) } if zh => format!(
                "“{f}”：“{v}”与第 {line} 行是同一指标、同一月份的上下级业绩，会重复计算；请只导入一级"
            ),
            Overlaps { line: Some(line) } => format!(
                "“{f}”: “{v}” and line {line} are figures of one metric and month where one holds \
                 the other (a unit's and its people's), which would count twice; import one level"
            ),
            Overlaps { line: None } if zh => format!(
                "“{f}”：“{v}”与已有的同一指标、同一月份的上下级业绩重复计算；请只导入一级"
            ),
            Overlaps { line: None } => format!(
                "“{f}”: “{v}” and a stored figure of one metric and month hold one another (a \
                 unit's and its people's), which would count twice; import one level"
            ),
            SameSlot {
                collection,
                line: Some(line),
            } if zh => format!(
                "“{f}”：“{v}”同一指标、同一期间的{}已在第 {line} 行",
                collection.label(locale)
            ),
            SameSlot {
                collection,
                line: Some(line),
            } => format!(
                "“{f}”: “{v}” has {} for this metric and period on line {line} already",
                collection.label(locale).to_lowercase()
            ),
            SameSlot {
                collection,
                line: None,
            } if zh => format!(
                "“{f}”：“{v}”同一指标、同一期间已有{0}；请在“{0}”页修改",
                collection.label(locale)
            ),
            SameSlot {
                collection,
                line: None,
            } => format!(
                "“{f}”: “{v}” has {0} for this metric and period already; change them on the \
                 {0} page",
                collection.label(locale).to_lowercase()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_problem() -> Vec<Problem> {
        let mut all: Vec<Problem> = [
            CellError::NotMoney,
            CellError::TooManyDecimals,
            CellError::NotInteger,
            CellError::NotPercent,
            CellError::TooLarge,
            CellError::NotDate,
            CellError::NotInstant,
            CellError::NotBool,
            CellError::NotPeriod,
            CellError::NotMonth,
        ]
        .into_iter()
        .map(Problem::Cell)
        .collect();
        all.extend([
            Problem::NotFound {
                collection: Collection::OrgUnit,
                own: true,
            },
            Problem::NotFound {
                collection: Collection::User,
                own: false,
            },
            Problem::Ambiguous {
                collection: Collection::Customer,
                matches: 2,
            },
            Problem::BadRow { line: 3 },
            Problem::DuplicateInFile { line: 3 },
            Problem::AlreadyExists,
            Problem::OnlyWhenLost {
                stage: "won".into(),
            },
            Problem::NotImportable,
            Problem::PeriodMissing,
            Problem::PeriodDisagrees {
                given: "year".into(),
            },
            Problem::StartDisagrees {
                period: "2026".into(),
            },
            Problem::NoSubject,
            Problem::SubjectUnclear {
                kinds: vec!["unit", "user"],
            },
            Problem::Overlaps { line: Some(3) },
            Problem::Overlaps { line: None },
            Problem::SameSlot {
                collection: Collection::Target,
                line: Some(3),
            },
            Problem::SameSlot {
                collection: Collection::PastActual,
                line: None,
            },
        ]);
        all
    }

    #[test]
    fn every_row_problem_names_field_and_value_in_both_languages() {
        for problem in every_problem() {
            let error = RowError::new(7, Some("amount"), Some("¥1.005"), &problem);
            for locale in Locale::ALL {
                let message = error.message(locale);
                assert!(
                    message.contains("amount") && message.contains("¥1.005"),
                    "{problem:?}: {message}"
                );
            }
            assert_ne!(error.message_en, error.message_zh);
            assert!(!error.message_zh.is_ascii(), "{}", error.message_zh);
        }
    }

    #[test]
    fn every_file_error_has_both_languages() {
        let errors = [
            ImportError::Undecodable {
                encoding: Encoding::Gb18030,
                line: 2,
            },
            ImportError::NoSuchSheet {
                sheet: "x".into(),
                sheets: vec!["a".into()],
            },
            ImportError::NotAWorkbook {
                message: "x".into(),
            },
            ImportError::LegacyWorkbook,
            ImportError::NoHeader,
            ImportError::ColumnMapSyntax { entry: "x".into() },
            ImportError::ValueMapSyntax { entry: "x".into() },
            ImportError::HeaderMappedTwice { header: "x".into() },
            ImportError::NoSuchHeader {
                header: "x".into(),
                headers: vec!["a".into()],
            },
            ImportError::HeaderTwiceInFile { header: "x".into() },
            ImportError::UnknownField {
                field: "x".into(),
                collection: Collection::Customer,
                valid: vec!["name"],
            },
            ImportError::FieldMappedTwice {
                field: "name",
                headers: ["a".into(), "b".into()],
            },
            ImportError::MissingColumns {
                collection: Collection::Customer,
                fields: vec!["name"],
            },
            ImportError::NotAValueField {
                field: "x".into(),
                collection: Collection::Customer,
                valid: vec!["tier"],
            },
            ImportError::ValueMapTarget {
                field: "x".into(),
                value: "y".into(),
                allowed: vec!["A"],
            },
            ImportError::ValueMapTwice {
                field: "x".into(),
                value: "y".into(),
            },
            ImportError::Csv {
                line: 2,
                message: "x".into(),
            },
        ];
        for error in errors {
            let (en, zh) = (error.message(Locale::En), error.message(Locale::ZhCn));
            assert_ne!(en, zh);
            assert!(!zh.is_ascii(), "{zh}");
            assert_eq!(error.to_string(), en);
        }
    }
}
