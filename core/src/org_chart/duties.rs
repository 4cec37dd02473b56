//! 岗位职责: what each role is responsible for and how its time divides, as the seed documents set
//! them out. A company keeps its own on the company unit (`role_duties`, set by administrators);
//! until it does, these defaults hold.

use serde_json::{Map, Value};

use crate::domain::ROLE_DUTIES_FIELD;

/// One duty: its name in both languages as the defaults have them (a company's own duties are in
/// its own words, the same in both), and its share of the role's time, %.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duty {
    pub zh: String,
    pub en: String,
    pub share: u8,
}

/// A duty as the defaults write it: Chinese, English, share %.
pub type DefaultDuty = (&'static str, &'static str, u8);

/// The seed documents' figures: 大区经理 30/30/40, 区域主管 10/10/30/50, 业务员 60/20/20.
pub const DEFAULT_DUTIES: &[(&str, &[DefaultDuty])] = &[
    (
        "regional_manager",
        &[
            ("策略规划", "Strategic planning", 30),
            ("业务管理", "Business management", 30),
            ("客户工作", "Work with customers", 40),
        ],
    ),
    (
        "area_supervisor",
        &[
            ("分解目标", "Breaking down targets", 10),
            ("制定计划", "Making plans", 10),
            ("监督检查", "Supervision and checks", 30),
            ("拜访客户", "Visiting customers", 50),
        ],
    ),
    (
        "sales_rep",
        &[
            ("渠道管理", "Channel management", 60),
            ("信息反馈", "Market feedback", 20),
            ("队伍管理", "Team management", 20),
        ],
    ),
];

/// The defaults as the company unit's `role_duties` lines (what the settings form starts from).
pub fn default_lines() -> Value {
    Value::Array(
        DEFAULT_DUTIES
            .iter()
            .flat_map(|(role, duties)| {
                duties.iter().map(move |(zh, _, share)| {
                    serde_json::json!({"role": role, "duty": zh, "share": share})
                })
            })
            .collect(),
    )
}

/// A role's duties: the company's own if it set any (for any role), else the defaults.
pub fn duties_of(company: Option<&Map<String, Value>>, role: &str) -> Vec<Duty> {
    let own = company
        .and_then(|c| c.get(ROLE_DUTIES_FIELD))
        .and_then(Value::as_array)
        .filter(|lines| !lines.is_empty());
    match own {
        Some(lines) => lines
            .iter()
            .filter(|l| l.get("role").and_then(Value::as_str) == Some(role))
            .map(|l| {
                let duty = l
                    .get("duty")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                Duty {
                    en: duty.clone(),
                    zh: duty,
                    share: l
                        .get("share")
                        .and_then(Value::as_u64)
                        .map_or(0, |s| s.min(100) as u8),
                }
            })
            .collect(),
        None => DEFAULT_DUTIES
            .iter()
            .filter(|(r, _)| *r == role)
            .flat_map(|(_, duties)| duties.iter())
            .map(|(zh, en, share)| Duty {
                zh: (*zh).to_owned(),
                en: (*en).to_owned(),
                share: *share,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::{validate_patch, validate_record, Collection};

    #[test]
    fn the_defaults_add_up_and_pass_the_companys_rule() {
        for (role, duties) in DEFAULT_DUTIES {
            let total: u32 = duties.iter().map(|d| u32::from(d.2)).sum();
            assert_eq!(total, 100, "{role}");
        }
        let company = json!({"name": "公司", "kind": "company", "role_duties": default_lines()});
        assert_eq!(
            validate_record(Collection::OrgUnit, company.as_object().unwrap()),
            Ok(())
        );
        let shares: Vec<u8> = duties_of(None, "area_supervisor")
            .iter()
            .map(|d| d.share)
            .collect();
        assert_eq!(shares, vec![10, 10, 30, 50]);
        assert!(duties_of(None, "promoter").is_empty());
    }

    #[test]
    fn a_companys_own_duties_must_add_up_to_a_hundred_and_replace_the_defaults() {
        let lines = json!([
            {"role": "sales_rep", "duty": "开发新客户", "share": 70},
            {"role": "sales_rep", "duty": "回款", "share": 20},
        ]);
        let patch = json!({"role_duties": lines});
        let refused = validate_patch(Collection::OrgUnit, patch.as_object().unwrap());
        assert!(refused.is_err(), "{refused:?}");
        let lines = json!([
            {"role": "sales_rep", "duty": "开发新客户", "share": 70},
            {"role": "sales_rep", "duty": "回款", "share": 30},
            {"role": "promoter", "duty": "门店陈列", "share": 100},
        ]);
        let company = json!({"name": "公司", "kind": "company", "role_duties": lines});
        let company = company.as_object().unwrap();
        assert_eq!(validate_record(Collection::OrgUnit, company), Ok(()));
        let rep: Vec<(String, u8)> = duties_of(Some(company), "sales_rep")
            .into_iter()
            .map(|d| (d.zh, d.share))
            .collect();
        assert_eq!(rep, vec![("开发新客户".into(), 70), ("回款".into(), 30)]);
        assert!(
            duties_of(Some(company), "regional_manager").is_empty(),
            "the company's own replace all"
        );
        // Only the company carries them.
        let region = json!({"name": "华东", "kind": "region", "parent_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "role_duties": [{"role": "promoter", "duty": "陈列", "share": 100}]});
        assert!(validate_record(Collection::OrgUnit, region.as_object().unwrap()).is_err());
    }
}
