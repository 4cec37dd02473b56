//! Why a record was refused, with the message a user reads in zh-CN or English.
//!
//! This is the one place in core where rule texts live: screens and sync rejections show `message`.

use super::{Collection, FieldDef, FieldKind};
use crate::locale::Locale;

/// The first rule a record or patch breaks. `field` is a path: `name`, `store_ids[3]`,
/// `lines[2].quantity` (indexes count from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    UnknownField {
        field: String,
    },
    /// Absent, `null`, or (for text) blank.
    MissingField {
        field: String,
    },
    /// The JSON type is wrong; `expected` is one of the `EXPECT_*` phrases.
    WrongType {
        field: String,
        expected: &'static str,
    },
    TooLong {
        field: String,
        max_chars: u32,
    },
    OutOfRange {
        field: String,
        min: i64,
        max: i64,
    },
    /// `value` is shortened to 50 characters.
    NotAllowed {
        field: String,
        value: String,
        allowed: Vec<&'static str>,
    },
    InvalidDate {
        field: String,
    },
    InvalidInstant {
        field: String,
    },
    InvalidId {
        field: String,
    },
    ControlCharacter {
        field: String,
    },
    /// The field changes only through its named mutation (e.g. `move_opportunity_stage`).
    IntentOnly {
        field: String,
    },
    TooMany {
        field: String,
        max: usize,
    },
    Duplicate {
        field: String,
    },
    /// A rule between fields, or a format beyond the kind; `reason` is one of the `Reason` texts in
    /// English (`message` translates it).
    Invalid {
        field: String,
        reason: String,
    },
}

pub(crate) const EXPECT_TEXT: &str = "a string";
pub(crate) const EXPECT_INTEGER: &str = "an integer";
pub(crate) const EXPECT_MONEY: &str = "an integer amount in minor units (fen)";
pub(crate) const EXPECT_PERCENT: &str = "an integer percentage";
pub(crate) const EXPECT_DATE: &str = "a date string (YYYY-MM-DD)";
pub(crate) const EXPECT_INSTANT: &str = "a UTC time string";
pub(crate) const EXPECT_BOOL: &str = "true or false";
pub(crate) const EXPECT_CHOICE: &str = "a string naming one of the options";
pub(crate) const EXPECT_ID: &str = "a record id string";
pub(crate) const EXPECT_ID_LIST: &str = "an array of record ids";
pub(crate) const EXPECT_LINES: &str = "an array of rows";
pub(crate) const EXPECT_ROW: &str = "an object";
pub(crate) const EXPECT_ATTACHMENT: &str = "a file's SHA-256 (64 lowercase hex digits)";

fn expected_zh(expected: &str) -> &'static str {
    match expected {
        EXPECT_TEXT => "文本",
        EXPECT_INTEGER => "整数",
        EXPECT_MONEY => "以分为单位的整数金额",
        EXPECT_PERCENT => "整数百分比",
        EXPECT_DATE => "日期（YYYY-MM-DD）",
        EXPECT_INSTANT => "UTC 时间",
        EXPECT_BOOL => "是或否（true/false）",
        EXPECT_CHOICE => "选项之一",
        EXPECT_ID => "记录编号",
        EXPECT_ID_LIST => "记录编号列表",
        EXPECT_LINES => "明细行列表",
        EXPECT_ROW => "一行明细（对象）",
        EXPECT_ATTACHMENT => "文件的 SHA-256（64 位小写十六进制）",
        _ => "其他类型",
    }
}

/// A rule beyond a field's kind, in both languages; `ValidationError::Invalid` carries `en`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reason {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Reason {
    pub(crate) fn at(self, field: &str) -> ValidationError {
        ValidationError::Invalid {
            field: field.to_owned(),
            reason: self.en.to_owned(),
        }
    }
}

pub(crate) const END_BEFORE_START: Reason = Reason {
    en: "must not be earlier than the start date",
    zh: "不能早于开始日期",
};
pub(crate) const RESOLVED_BEFORE_OPENED: Reason = Reason {
    en: "must not be earlier than the time the ticket was opened",
    zh: "不能早于受理时间",
};
pub(crate) const LOST_NEEDS_REASON: Reason = Reason {
    en: "is required when the opportunity is lost",
    zh: "输单时必须填写",
};
pub(crate) const WON_NEEDS_TIME: Reason = Reason {
    en: "is required when the opportunity is won",
    zh: "赢单时必须填写",
};
pub(crate) const COMPANY_HAS_NO_PARENT: Reason = Reason {
    en: "must be empty for the company, the root of the organisation",
    zh: "公司是组织的最顶层，不能有上级组织",
};
pub(crate) const PERMISSION_OVERRIDE: Reason = Reason {
    en: "must name a role other than the administrator, a collection, one of its actions and an extent",
    zh: "必须填写管理员以外的角色、数据类别、该类别的操作和范围",
};
pub(crate) const UNIT_NEEDS_PARENT: Reason = Reason {
    en: "is required for every unit except the company",
    zh: "除公司外，每个组织都必须有上级组织",
};
/// The login rule itself is `account::normalise_login`; these say it to whoever typed the login.
pub(crate) const LOGIN_CHARACTERS: Reason = Reason {
    en: "may contain only letters and digits of any language, '.', '_' and '-'",
    zh: "只能包含任何语言的字母、数字和 . _ -",
};
pub(crate) const LOGIN_NORMAL_FORM: Reason = Reason {
    en: "must be written in lowercase, without spaces around it, each accented letter as one character",
    zh: "须使用小写，前后不留空格，带重音的字母须为单个字符",
};
pub(crate) const NOT_AN_EMAIL: Reason = Reason {
    en: "is not an email address",
    zh: "不是有效的邮箱地址",
};
pub(crate) const YEAR_STARTS_JANUARY: Reason = Reason {
    en: "a yearly target starts on 1 January",
    zh: "年度目标必须从 1 月 1 日开始",
};
pub(crate) const QUARTER_STARTS: Reason = Reason {
    en: "a quarterly target starts on 1 January, 1 April, 1 July or 1 October",
    zh: "季度目标必须从 1 月、4 月、7 月或 10 月的 1 日开始",
};
pub(crate) const MONTH_STARTS_FIRST: Reason = Reason {
    en: "a monthly target starts on the first day of a month",
    zh: "月度目标必须从当月 1 日开始",
};
pub(crate) const MONTH_IS_FIRST_DAY: Reason = Reason {
    en: "a month is written as its first day",
    zh: "月份请填写当月 1 日",
};
pub(crate) const FUNNEL_SETTINGS_ON_COMPANY: Reason = Reason {
    en: "is set for the whole company, on the company unit only",
    zh: "漏斗设置属于整个公司，只能设置在公司这一级",
};
pub(crate) const DUTIES_ADD_UP: Reason = Reason {
    en: "each role's shares of time must add up to 100%",
    zh: "每个角色的时间分配合计必须为 100%",
};
pub(crate) const WEIGHTS_ADD_UP: Reason = Reason {
    en: "each role's scorecard weights must add up to 100%",
    zh: "每个角色的考核权重合计必须为 100%",
};
pub(crate) const PROBABILITIES_RISE: Reason = Reason {
    en: "must not be below the probability of an earlier stage",
    zh: "不能低于前面阶段的赢单概率",
};

pub(crate) const PROMOTION_OVER: Reason = Reason {
    en: "a finished or cancelled promotion cannot be rescheduled",
    zh: "已结束或已取消的促销不能改期",
};
pub(crate) const STORE_NOT_LISTED: Reason = Reason {
    en: "does not list the store being moved (it changed meanwhile)",
    zh: "已不包含要移走的门店（其间已被修改）",
};
pub(crate) const STATUS_NOT_NEXT: Reason = Reason {
    en: "cannot move to this status from the promotion's current one (it may have changed meanwhile)",
    zh: "不能从促销的当前状态改为此状态（其间可能已被修改）",
};
pub(crate) const COMMENT_REQUIRED: Reason = Reason {
    en: "a comment is required when a plan is sent back or cancelled",
    zh: "退回或取消计划时须填写审批意见",
};
pub(crate) const BREAKDOWN_NOT_NEXT: Reason = Reason {
    en: "cannot move the breakdown to this status from its current one (it may have changed meanwhile)",
    zh: "不能把分解从当前状态改为此状态（其间可能已被修改）",
};
pub(crate) const BREAKDOWN_COMMENT_REQUIRED: Reason = Reason {
    en: "a comment is required when a breakdown is sent back or reopened",
    zh: "退回或重新打开分解时须填写意见",
};
pub(crate) const REPORT_NOT_SUBMITTED: Reason = Reason {
    en: "the report has not been submitted yet, so it cannot be reviewed",
    zh: "报告尚未提交，不能审阅",
};
pub(crate) const BUDGET_BELOW_LINES: Reason = Reason {
    en: "is less than the sum of the budget lines",
    zh: "小于预算明细的合计",
};
pub(crate) const SHIFT_OUTSIDE_DATES: Reason = Reason {
    en: "is not a day of the promotion",
    zh: "不在促销日期内",
};
pub(crate) const SHIFT_STORE_NOT_LISTED: Reason = Reason {
    en: "is not one of the promotion's stores",
    zh: "不是本促销的门店",
};
pub(crate) const SHIFT_PROMOTER_NOT_LISTED: Reason = Reason {
    en: "is not one of the promotion's promoters",
    zh: "不是本促销的促销员",
};
pub(crate) const SHIFT_TWICE: Reason = Reason {
    en: "is already on shift that day",
    zh: "当天已有排班",
};

/// Every reason, for translating `Invalid` back to Chinese.
pub(crate) const REASONS: &[Reason] = &[
    END_BEFORE_START,
    RESOLVED_BEFORE_OPENED,
    LOST_NEEDS_REASON,
    WON_NEEDS_TIME,
    COMPANY_HAS_NO_PARENT,
    UNIT_NEEDS_PARENT,
    LOGIN_CHARACTERS,
    LOGIN_NORMAL_FORM,
    NOT_AN_EMAIL,
    YEAR_STARTS_JANUARY,
    QUARTER_STARTS,
    MONTH_STARTS_FIRST,
    MONTH_IS_FIRST_DAY,
    FUNNEL_SETTINGS_ON_COMPANY,
    PROBABILITIES_RISE,
    DUTIES_ADD_UP,
    WEIGHTS_ADD_UP,
    PERMISSION_OVERRIDE,
    PROMOTION_OVER,
    STORE_NOT_LISTED,
    STATUS_NOT_NEXT,
    COMMENT_REQUIRED,
    BREAKDOWN_NOT_NEXT,
    BREAKDOWN_COMMENT_REQUIRED,
    REPORT_NOT_SUBMITTED,
    BUDGET_BELOW_LINES,
    SHIFT_OUTSIDE_DATES,
    SHIFT_STORE_NOT_LISTED,
    SHIFT_PROMOTER_NOT_LISTED,
    SHIFT_TWICE,
];

impl ValidationError {
    /// The path of the field the error is about.
    pub fn field(&self) -> &str {
        use ValidationError::*;
        match self {
            UnknownField { field }
            | MissingField { field }
            | WrongType { field, .. }
            | TooLong { field, .. }
            | OutOfRange { field, .. }
            | NotAllowed { field, .. }
            | InvalidDate { field }
            | InvalidInstant { field }
            | InvalidId { field }
            | ControlCharacter { field }
            | IntentOnly { field }
            | TooMany { field, .. }
            | Duplicate { field }
            | Invalid { field, .. } => field,
        }
    }

    /// The message for a user, naming the field by its wire path (`lines[2].quantity`).
    pub fn message(&self, locale: Locale) -> String {
        let allowed = match self {
            ValidationError::NotAllowed { allowed, .. } => {
                allowed.iter().map(|v| (*v).to_owned()).collect()
            }
            _ => Vec::new(),
        };
        self.render(locale, self.field(), &allowed)
    }

    /// The message for a user, naming the field and the options by their labels in `collection`
    /// (“订单明细第 3 行的数量…”); falls back to wire names where the path is not in the table.
    pub fn message_for(&self, collection: Collection, locale: Locale) -> String {
        let (field, def) = labelled_path(collection.fields(), self.field(), locale)
            .unwrap_or_else(|| (self.field().to_owned(), None));
        let allowed: Vec<String> = match self {
            ValidationError::NotAllowed { allowed, .. } => allowed
                .iter()
                .map(|v| {
                    def.and_then(|d| d.choice_label(v, locale))
                        .unwrap_or(v)
                        .to_owned()
                })
                .collect(),
            _ => Vec::new(),
        };
        self.render(locale, &field, &allowed)
    }

    fn render(&self, locale: Locale, field: &str, allowed: &[String]) -> String {
        use ValidationError::*;
        match locale {
            Locale::En => match self {
                UnknownField { .. } => format!("“{field}” is not a field of this record"),
                MissingField { .. } => format!("“{field}” is required"),
                WrongType { expected, .. } => format!("“{field}” must be {expected}"),
                TooLong { max_chars, .. } => {
                    format!("“{field}” is longer than {max_chars} characters")
                }
                OutOfRange { min, max, .. } => {
                    format!("“{field}” must be between {min} and {max}")
                }
                NotAllowed { value, .. } => format!(
                    "“{field}” cannot be “{value}”; choose one of: {}",
                    allowed.join(", ")
                ),
                InvalidDate { .. } => {
                    format!("“{field}” must be a real date written YYYY-MM-DD")
                }
                InvalidInstant { .. } => {
                    format!("“{field}” must be a UTC time written like 2026-11-27T08:30:00Z")
                }
                InvalidId { .. } => format!("“{field}” must be a record id (a UUID)"),
                ControlCharacter { .. } => format!(
                    "“{field}” contains a control character; only line breaks and tabs are allowed"
                ),
                IntentOnly { .. } => format!(
                    "“{field}” cannot be edited directly; it changes only through its own action"
                ),
                TooMany { max, .. } => format!("“{field}” has more than {max} entries"),
                Duplicate { .. } => format!("“{field}” repeats an earlier entry"),
                Invalid { reason, .. } => format!("“{field}” {reason}"),
            },
            Locale::ZhCn => match self {
                UnknownField { .. } => format!("“{field}”不是该记录的字段"),
                MissingField { .. } => format!("“{field}”为必填项"),
                WrongType { expected, .. } => {
                    format!("“{field}”应为{}", expected_zh(expected))
                }
                TooLong { max_chars, .. } => format!("“{field}”不能超过 {max_chars} 个字"),
                OutOfRange { min, max, .. } => {
                    format!("“{field}”必须在 {min} 到 {max} 之间")
                }
                NotAllowed { value, .. } => {
                    format!("“{field}”不能为“{value}”，可选：{}", allowed.join("、"))
                }
                InvalidDate { .. } => format!("“{field}”不是有效日期（格式 YYYY-MM-DD）"),
                InvalidInstant { .. } => {
                    format!("“{field}”不是有效的 UTC 时间（格式 2026-11-27T08:30:00Z）")
                }
                InvalidId { .. } => format!("“{field}”不是有效的记录编号"),
                ControlCharacter { .. } => {
                    format!("“{field}”含有控制字符，只允许换行和制表符")
                }
                IntentOnly { .. } => {
                    format!("“{field}”不能直接修改，只能通过相应的操作变更")
                }
                TooMany { max, .. } => format!("“{field}”最多 {max} 项"),
                Duplicate { .. } => format!("“{field}”与前面的项重复"),
                Invalid { reason, .. } => {
                    let zh = REASONS
                        .iter()
                        .find(|r| r.en == reason)
                        .map_or(reason.as_str(), |r| r.zh);
                    format!("“{field}”{zh}")
                }
            },
        }
    }
}

/// `lines[2].quantity` → ("订单明细第 3 行的数量", the `quantity` def); `None` if a step is unknown.
fn labelled_path(
    defs: &'static [FieldDef],
    path: &str,
    locale: Locale,
) -> Option<(String, Option<&'static FieldDef>)> {
    let mut defs = defs;
    let mut out = String::new();
    let mut last = None;
    for (depth, step) in path.split('.').enumerate() {
        let (name, index) = match step.split_once('[') {
            Some((name, rest)) => (name, Some(rest.strip_suffix(']')?.parse::<usize>().ok()?)),
            None => (step, None),
        };
        let def = defs.iter().find(|d| d.name == name)?;
        if depth > 0 {
            out.push_str(if locale == Locale::ZhCn {
                "的"
            } else {
                " › "
            });
        }
        out.push_str(def.label(locale));
        if let Some(index) = index {
            match locale {
                Locale::ZhCn => out.push_str(&format!("第 {} 项", index + 1)),
                Locale::En => out.push_str(&format!(" #{}", index + 1)),
            }
        }
        if let FieldKind::Lines(inner) = def.kind {
            defs = inner;
        }
        last = Some(def);
    }
    Some((out, last))
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_names_its_field_in_both_languages() {
        let field = || "lines[2].quantity".to_owned();
        let errors = [
            ValidationError::UnknownField { field: field() },
            ValidationError::MissingField { field: field() },
            ValidationError::WrongType {
                field: field(),
                expected: EXPECT_INTEGER,
            },
            ValidationError::TooLong {
                field: field(),
                max_chars: 9,
            },
            ValidationError::OutOfRange {
                field: field(),
                min: 1,
                max: 9,
            },
            ValidationError::NotAllowed {
                field: field(),
                value: "x".into(),
                allowed: vec!["a", "b"],
            },
            ValidationError::InvalidDate { field: field() },
            ValidationError::InvalidInstant { field: field() },
            ValidationError::InvalidId { field: field() },
            ValidationError::ControlCharacter { field: field() },
            ValidationError::IntentOnly { field: field() },
            ValidationError::TooMany {
                field: field(),
                max: 500,
            },
            ValidationError::Duplicate { field: field() },
            END_BEFORE_START.at(&field()),
        ];
        for error in errors {
            assert_eq!(error.field(), "lines[2].quantity");
            let en = error.message(Locale::En);
            let zh = error.message(Locale::ZhCn);
            assert!(
                en.contains("lines[2].quantity") && zh.contains("lines[2].quantity"),
                "{en} / {zh}"
            );
            assert_ne!(en, zh);
            assert!(!zh.is_ascii(), "{zh} is not Chinese");
            assert_eq!(error.to_string(), en);
        }
    }

    #[test]
    fn every_wrong_type_phrase_has_a_chinese_translation() {
        for expected in [
            EXPECT_TEXT,
            EXPECT_INTEGER,
            EXPECT_MONEY,
            EXPECT_PERCENT,
            EXPECT_DATE,
            EXPECT_INSTANT,
            EXPECT_BOOL,
            EXPECT_CHOICE,
            EXPECT_ID,
            EXPECT_ID_LIST,
            EXPECT_LINES,
            EXPECT_ROW,
            EXPECT_ATTACHMENT,
        ] {
            assert_ne!(expected_zh(expected), "其他类型", "{expected}");
        }
    }

    #[test]
    fn cross_field_reasons_are_translated() {
        for reason in REASONS {
            let error = reason.at("ends_on");
            assert!(error.message(Locale::ZhCn).contains(reason.zh));
            assert!(error.message(Locale::En).contains(reason.en));
        }
        let unknown = ValidationError::Invalid {
            field: "x".into(),
            reason: "is odd".into(),
        };
        assert!(
            unknown.message(Locale::ZhCn).contains("is odd"),
            "untranslated reasons still show"
        );
    }

    #[test]
    fn not_allowed_lists_the_options() {
        let error = ValidationError::NotAllowed {
            field: "tier".into(),
            value: "D".into(),
            allowed: vec!["A", "B", "C"],
        };
        assert_eq!(
            error.message(Locale::En),
            "“tier” cannot be “D”; choose one of: A, B, C"
        );
        assert_eq!(
            error.message(Locale::ZhCn),
            "“tier”不能为“D”，可选：A、B、C"
        );
    }

    #[test]
    fn message_for_a_collection_uses_labels() {
        let error = ValidationError::OutOfRange {
            field: "lines[2].quantity".into(),
            min: 1,
            max: 9,
        };
        assert_eq!(
            error.message_for(Collection::Order, Locale::ZhCn),
            "“订单明细第 3 项的数量”必须在 1 到 9 之间"
        );
        assert_eq!(
            error.message_for(Collection::Order, Locale::En),
            "“Order lines #3 › Quantity” must be between 1 and 9"
        );
        let stage = ValidationError::NotAllowed {
            field: "stage".into(),
            value: "maybe".into(),
            allowed: vec!["aware", "compare", "negotiate", "commit", "won", "lost"],
        };
        assert_eq!(
            stage.message_for(Collection::Opportunity, Locale::ZhCn),
            "“阶段”不能为“maybe”，可选：了解、比较、谈判、确定、赢单、输单"
        );
        let unknown = ValidationError::UnknownField {
            field: "colour".into(),
        };
        assert_eq!(
            unknown.message_for(Collection::Order, Locale::En),
            unknown.message(Locale::En),
            "an unknown path keeps its wire name"
        );
    }
}
