//! 营销组织 and 人员: the org units (company → region → area → store/team) and the people in them.

use serde_json::{Map, Value};

use crate::account::{normalise_login, MAX_LOGIN_CHARS};

use super::error::{
    ValidationError, COMPANY_HAS_NO_PARENT, DUTIES_ADD_UP, FUNNEL_SETTINGS_ON_COMPANY,
    LOGIN_CHARACTERS, LOGIN_NORMAL_FORM, PERMISSION_OVERRIDE, PROBABILITIES_RISE,
    UNIT_NEEDS_PARENT, WEIGHTS_ADD_UP,
};
use super::validate::{check_email, present, text_of};
use super::{
    choices, no_record_rules, no_value_rules, Collection, FieldDef, FieldKind::*, Table,
    ADDRESS_CHARS, CODE_CHARS, EMAIL_CHARS, NAME_CHARS, PHONE_CHARS, SHORT_CHARS,
};

choices!(ORG_KINDS, ORG_KIND_CHOICES {
    "company" => "公司", "Company";
    "region" => "大区", "Region";
    "area" => "区域", "Area";
    "store" => "门店", "Store";
    "team" => "团队", "Team";
});

/// The org unit kind of a store (门店): promoters work in one, and the targets sheet counts them in
/// the store's area.
pub const STORE: &str = "store";

choices!(ROLES, ROLE_CHOICES {
    "admin" => "系统管理员", "Administrator";
    "hq_marketing" => "总部市场部", "HQ marketing";
    "regional_manager" => "大区经理", "Regional manager";
    "area_supervisor" => "区域主管", "Area supervisor";
    "sales_rep" => "业务员", "Sales rep";
    "promoter" => "促销员", "Promoter";
    "finance" => "财务", "Finance";
    "service_agent" => "客服专员", "Service agent";
});

choices!(EXTENTS, EXTENT_CHOICES {
    "none" => "不允许", "Not allowed";
    "own" => "本人", "Own";
    "subtree" => "本组织及下级", "Own unit and below";
    "all" => "全部", "All";
});

/// One line of the company's adjustments to the permission table (`crate::permission`).
const PERMISSION_OVERRIDE_LINE: &[FieldDef] = &[
    FieldDef::new("role", Enum(ROLES), "角色", "Role").required(),
    FieldDef::new("collection", Text { max_chars: 64 }, "数据", "Collection").required(),
    FieldDef::new("action", Text { max_chars: 64 }, "操作", "Action").required(),
    FieldDef::new("extent", Enum(EXTENTS), "范围", "Extent").required(),
];

/// One line of the company's responsibilities per role (岗位职责): a duty and its share of the role's
/// time. A role's lines add up to 100%.
const ROLE_DUTY_LINE: &[FieldDef] = &[
    FieldDef::new("role", Enum(ROLES), "角色", "Role").required(),
    FieldDef::new(
        "duty",
        Text {
            max_chars: SHORT_CHARS,
        },
        "职责",
        "Duty",
    )
    .required(),
    FieldDef::new("share", Percent, "时间占比（%）", "Share of time (%)").required(),
];

/// The company unit's field holding each role's duties and time split.
pub const ROLE_DUTIES_FIELD: &str = "role_duties";

/// The company unit's field holding each role's scorecard weights (销售考核): which metrics a
/// role is assessed on and how much each counts (`targets::score`).
pub const SCORE_WEIGHTS_FIELD: &str = "score_weights";

/// The company unit's field holding how its spreadsheet columns were mapped on import (导入映射):
/// per kind of import and column header, the field it fed, or none (`core::import::remember`), so
/// the next export from the same CRM or HR system maps itself.
pub const IMPORT_MAPPINGS_FIELD: &str = "import_mappings";

/// One remembered column: a kind of import (`ImportKind::as_str`), a header as the file wrote it,
/// and the field it feeds (empty: the column is not imported).
const IMPORT_MAPPING_LINE: &[FieldDef] = &[
    FieldDef::new("kind", Text { max_chars: 40 }, "导入类型", "Import kind").required(),
    FieldDef::new(
        "header",
        Text {
            max_chars: NAME_CHARS,
        },
        "列名",
        "Column",
    )
    .required(),
    FieldDef::new("field", Text { max_chars: 60 }, "字段", "Field"),
];

/// One line of the scorecard weights: a metric a role is assessed on and its weight. A role's
/// lines add up to 100%.
const SCORE_WEIGHT_LINE: &[FieldDef] = &[
    FieldDef::new("role", Enum(ROLES), "角色", "Role").required(),
    FieldDef::new("metric", Enum(super::target::METRICS), "考核指标", "Metric").required(),
    FieldDef::new("weight", Percent, "权重（%）", "Weight (%)").required(),
];

pub(super) static ORG_UNITS: Table = Table {
    wire: "org_units",
    label_zh: "营销组织",
    label_en: "Org units",
    fields: &[
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "组织名称",
            "Name",
        )
        .required(),
        FieldDef::new("kind", Enum(ORG_KINDS), "组织层级", "Level").required(),
        FieldDef::new(
            "parent_id",
            Ref(Collection::OrgUnit),
            "上级组织",
            "Parent unit",
        ),
        FieldDef::new(
            "code",
            Text {
                max_chars: CODE_CHARS,
            },
            "组织编码",
            "Code",
        ),
        FieldDef::new("manager_id", Ref(Collection::User), "负责人", "Manager"),
        FieldDef::new(
            "address",
            Text {
                max_chars: ADDRESS_CHARS,
            },
            "地址",
            "Address",
        ),
        FieldDef::new("active", Bool, "启用", "Active"),
        // The company's funnel settings (漏斗设置), on the company unit only: win probability per
        // open stage for the weighted forecast, and days in a stage before a deal counts as stalled.
        FieldDef::new(
            "win_probability_aware",
            Percent,
            "了解阶段赢单概率（%）",
            "Win probability at Aware (%)",
        ),
        FieldDef::new(
            "win_probability_compare",
            Percent,
            "比较阶段赢单概率（%）",
            "Win probability at Compare (%)",
        ),
        FieldDef::new(
            "win_probability_negotiate",
            Percent,
            "谈判阶段赢单概率（%）",
            "Win probability at Negotiate (%)",
        ),
        FieldDef::new(
            "win_probability_commit",
            Percent,
            "确定阶段赢单概率（%）",
            "Win probability at Commit (%)",
        ),
        FieldDef::new(
            "stall_days_aware",
            STALL_DAYS,
            "了解阶段停滞天数",
            "Stalled after days at Aware",
        ),
        FieldDef::new(
            "stall_days_compare",
            STALL_DAYS,
            "比较阶段停滞天数",
            "Stalled after days at Compare",
        ),
        FieldDef::new(
            "stall_days_negotiate",
            STALL_DAYS,
            "谈判阶段停滞天数",
            "Stalled after days at Negotiate",
        ),
        FieldDef::new(
            "stall_days_commit",
            STALL_DAYS,
            "确定阶段停滞天数",
            "Stalled after days at Commit",
        ),
        // The company's exchange rates (汇率), with the funnel settings: what one unit of another
        // currency is in 分, for figures over deals in several currencies (`money::Rates`).
        FieldDef::new(
            "rate_usd",
            Money,
            "美元汇率（1 美元折合人民币）",
            "USD rate (CNY per US$1)",
        ),
        FieldDef::new(
            "rate_eur",
            Money,
            "欧元汇率（1 欧元折合人民币）",
            "EUR rate (CNY per €1)",
        ),
        // The company's adjustments to the permission table, on the company unit only; set by
        // administrators.
        FieldDef::new(
            "permission_overrides",
            Lines(PERMISSION_OVERRIDE_LINE),
            "权限调整",
            "Permission overrides",
        ),
        // Each role's responsibilities and time split, on the company unit only; set by
        // administrators (the defaults are `org_chart::duties::DEFAULT_DUTIES`).
        FieldDef::new(
            ROLE_DUTIES_FIELD,
            Lines(ROLE_DUTY_LINE),
            "岗位职责与时间分配",
            "Duties and time split",
        ),
        // Each role's scorecard weights, on the company unit only; set by HQ (the defaults are
        // `targets::score::DEFAULT_WEIGHTS`).
        FieldDef::new(
            SCORE_WEIGHTS_FIELD,
            Lines(SCORE_WEIGHT_LINE),
            "考核权重",
            "Scorecard weights",
        ),
        // How the company's import files map to fields, on the company unit only; kept by the
        // browser's import for administrators and HQ.
        FieldDef::new(
            IMPORT_MAPPINGS_FIELD,
            Lines(IMPORT_MAPPING_LINE),
            "导入映射",
            "Import mappings",
        ),
    ],
    check_value: org_unit_value_rules,
    check_record: org_unit_rules,
};

/// A stall limit: at least a day, at most ten years.
const STALL_DAYS: super::FieldKind = Integer { min: 1, max: 3650 };

/// The company's funnel settings fields, in funnel order.
pub const WIN_PROBABILITY_FIELDS: [&str; 4] = [
    "win_probability_aware",
    "win_probability_compare",
    "win_probability_negotiate",
    "win_probability_commit",
];
pub const STALL_DAYS_FIELDS: [&str; 4] = [
    "stall_days_aware",
    "stall_days_compare",
    "stall_days_negotiate",
    "stall_days_commit",
];

/// Each permission override names a real role (not the administrator), collection and action; each
/// role's duties add up to 100%.
fn org_unit_value_rules(name: &str, value: &Value) -> Result<(), ValidationError> {
    if name == ROLE_DUTIES_FIELD || name == SCORE_WEIGHTS_FIELD {
        let part = if name == ROLE_DUTIES_FIELD {
            "share"
        } else {
            "weight"
        };
        let mut shares: std::collections::BTreeMap<&str, i64> = Default::default();
        for line in value.as_array().into_iter().flatten() {
            let role = line.get("role").and_then(Value::as_str).unwrap_or("");
            *shares.entry(role).or_default() += line.get(part).and_then(Value::as_i64).unwrap_or(0);
        }
        return match shares.values().all(|&total| total == 100) {
            true => Ok(()),
            false if name == ROLE_DUTIES_FIELD => Err(DUTIES_ADD_UP.at(name)),
            false => Err(WEIGHTS_ADD_UP.at(name)),
        };
    }
    if name != crate::permission::OVERRIDES_FIELD {
        return Ok(());
    }
    for (i, line) in value.as_array().into_iter().flatten().enumerate() {
        if let Err(part) = crate::permission::Override::from_line(line) {
            return Err(PERMISSION_OVERRIDE.at(&format!("{name}[{i}].{part}")));
        }
    }
    Ok(())
}

/// Only the company, the root, has no parent; cycles and level order need the whole tree (server).
/// The funnel settings belong to the company, and a later stage is never less likely to be won.
fn org_unit_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    let is_company = text_of(fields, "kind") == Some("company");
    match (is_company, present(fields, "parent_id").is_some()) {
        (true, true) => return Err(COMPANY_HAS_NO_PARENT.at("parent_id")),
        (false, false) => return Err(UNIT_NEEDS_PARENT.at("parent_id")),
        _ => {}
    }
    let overrides = [
        crate::permission::OVERRIDES_FIELD,
        ROLE_DUTIES_FIELD,
        SCORE_WEIGHTS_FIELD,
        IMPORT_MAPPINGS_FIELD,
    ];
    let rates = crate::money::RATE_FIELDS.map(|(_, field)| field);
    let settings = WIN_PROBABILITY_FIELDS
        .iter()
        .chain(&STALL_DAYS_FIELDS)
        .chain(&rates)
        .chain(&overrides);
    if let Some(field) = settings.into_iter().find(|f| present(fields, f).is_some()) {
        if !is_company {
            return Err(FUNNEL_SETTINGS_ON_COMPANY.at(field));
        }
    }
    let mut highest = 0;
    for field in WIN_PROBABILITY_FIELDS {
        if let Some(percent) = present(fields, field).and_then(Value::as_i64) {
            if percent < highest {
                return Err(PROBABILITIES_RISE.at(field));
            }
            highest = percent;
        }
    }
    Ok(())
}

/// People who sign in. Credentials are not a field: they live on the server only.
pub(super) static USERS: Table = Table {
    wire: "users",
    label_zh: "人员",
    label_en: "Users",
    fields: &[
        FieldDef::new(
            "name",
            Text {
                max_chars: NAME_CHARS,
            },
            "姓名",
            "Name",
        )
        .required(),
        FieldDef::new(
            "login",
            Text {
                max_chars: MAX_LOGIN_CHARS as u32,
            },
            "登录名",
            "Login",
        )
        .required(),
        FieldDef::new("role", Enum(ROLES), "角色", "Role").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new("manager_id", Ref(Collection::User), "直属上级", "Manager"),
        FieldDef::new(
            "title",
            Text {
                max_chars: SHORT_CHARS,
            },
            "职务",
            "Job title",
        ),
        FieldDef::new(
            "phone",
            Text {
                max_chars: PHONE_CHARS,
            },
            "手机",
            "Mobile",
        ),
        FieldDef::new(
            "email",
            Text {
                max_chars: EMAIL_CHARS,
            },
            "邮箱",
            "Email",
        ),
        FieldDef::new(
            "employee_no",
            Text {
                max_chars: CODE_CHARS,
            },
            "工号",
            "Employee no.",
        ),
        FieldDef::new("active", Bool, "启用", "Active"),
    ],
    check_value: user_value_rules,
    check_record: no_record_rules,
};

fn user_value_rules(name: &str, value: &Value) -> Result<(), ValidationError> {
    match name {
        // The record holds the login as sign-in compares it, so a lookup by login finds it.
        "login" => {
            let login = value.as_str().unwrap_or_default();
            match normalise_login(login) {
                Ok(stored) if stored == login => Ok(()),
                Ok(_) => Err(LOGIN_NORMAL_FORM.at(name)),
                Err(_) => Err(LOGIN_CHARACTERS.at(name)),
            }
        }
        "email" => check_email(name, value),
        _ => no_value_rules(name, value),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{validate_create, validate_patch, validate_record};
    use super::*;

    const ID: &str = "0193b3c4-7a1e-7000-8000-000000000001";

    fn unit(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn company_has_no_parent() {
        let company = unit(json!({"name": "华锐食品集团", "kind": "company"}));
        assert_eq!(validate_create(Collection::OrgUnit, &company), Ok(()));
        let mut with_parent = company.clone();
        with_parent.insert("parent_id".into(), json!(ID));
        assert_eq!(
            validate_record(Collection::OrgUnit, &with_parent),
            Err(COMPANY_HAS_NO_PARENT.at("parent_id"))
        );
    }

    #[test]
    fn every_unit_but_the_company_has_a_parent() {
        let region = unit(json!({"name": "华东大区", "kind": "region", "parent_id": ID}));
        assert_eq!(validate_create(Collection::OrgUnit, &region), Ok(()));
        let orphan = unit(json!({"name": "华东大区", "kind": "region", "parent_id": null}));
        assert_eq!(
            validate_record(Collection::OrgUnit, &orphan),
            Err(UNIT_NEEDS_PARENT.at("parent_id"))
        );
    }

    #[test]
    fn a_login_is_letters_and_digits_of_any_language_dot_underscore_dash() {
        for good in ["wang.wei", "li_na-02", "françois", "张伟", "josé.garcía-2"] {
            assert_eq!(
                validate_patch(Collection::User, &unit(json!({"login": good}))),
                Ok(()),
                "{good}"
            );
        }
        for bad in ["wang wei", "wang@wei", "li/na", "a b"] {
            assert_eq!(
                validate_patch(Collection::User, &unit(json!({"login": bad}))),
                Err(LOGIN_CHARACTERS.at("login")),
                "{bad}"
            );
        }
        let long = "a".repeat(65);
        assert_eq!(
            validate_patch(Collection::User, &unit(json!({"login": long}))),
            Err(ValidationError::TooLong {
                field: "login".into(),
                max_chars: 64
            })
        );
    }

    #[test]
    fn a_login_is_held_in_the_form_sign_in_compares() {
        // Upper case, a decomposed accent, or spaces around it: sign-in would never find it.
        for not_stored_form in ["François", "ZHANG3", "franc\u{327}ois", " wang.wei"] {
            assert_eq!(
                validate_patch(Collection::User, &unit(json!({"login": not_stored_form}))),
                Err(LOGIN_NORMAL_FORM.at("login")),
                "{not_stored_form:?}"
            );
        }
        let error = LOGIN_NORMAL_FORM.at("login");
        assert!(error.message(crate::locale::Locale::ZhCn).contains("小写"));
    }

    #[test]
    fn a_user_needs_a_unit_and_a_role() {
        let user =
            unit(json!({"name": "王伟", "login": "wang.wei", "role": "sales_rep", "unit_id": ID}));
        assert_eq!(validate_create(Collection::User, &user), Ok(()));
        let mut no_unit = user.clone();
        no_unit.remove("unit_id");
        assert_eq!(
            validate_create(Collection::User, &no_unit),
            Err(ValidationError::MissingField {
                field: "unit_id".into()
            })
        );
        assert!(
            Collection::User.field("password").is_none(),
            "credentials stay on the server"
        );
    }

    #[test]
    fn funnel_settings_live_on_the_company_and_probabilities_never_fall() {
        let company = |extra: serde_json::Value| {
            let mut fields = json!({"name": "示例公司", "kind": "company"});
            fields
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            fields.as_object().unwrap().clone()
        };
        let rising = company(
            json!({"win_probability_aware": 10, "win_probability_negotiate": 60,
            "win_probability_commit": 60, "stall_days_commit": 14}),
        );
        assert_eq!(validate_record(Collection::OrgUnit, &rising), Ok(()));
        let falling =
            company(json!({"win_probability_compare": 40, "win_probability_negotiate": 30}));
        assert_eq!(
            validate_record(Collection::OrgUnit, &falling),
            Err(PROBABILITIES_RISE.at("win_probability_negotiate"))
        );
        let team = json!({"name": "一组", "kind": "team", "parent_id": ID, "stall_days_aware": 30});
        assert_eq!(
            validate_record(Collection::OrgUnit, team.as_object().unwrap()),
            Err(FUNNEL_SETTINGS_ON_COMPANY.at("stall_days_aware"))
        );
        let too_sure = company(json!({"win_probability_commit": 101}));
        assert!(validate_record(Collection::OrgUnit, &too_sure).is_err());
    }
}
