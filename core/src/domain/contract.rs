//! 合同: a contract with a customer, usually won through an opportunity.

use serde_json::{Map, Value};

use super::error::ValidationError;
use super::validate::dates_in_order;
use super::{
    choices, no_value_rules, Collection, FieldDef, FieldKind::*, Table, CODE_CHARS, CURRENCIES,
    NAME_CHARS, NOTES_CHARS,
};

choices!(CONTRACT_STATUSES, CONTRACT_STATUS_CHOICES {
    "draft" => "草稿", "Draft";
    "active" => "生效中", "Active";
    "expired" => "已到期", "Expired";
    "terminated" => "已终止", "Terminated";
});

pub(super) static CONTRACTS: Table = Table {
    wire: "contracts",
    label_zh: "合同",
    label_en: "Contracts",
    fields: &[
        FieldDef::new("customer_id", Ref(Collection::Customer), "客户", "Customer").required(),
        FieldDef::new("owner_id", Ref(Collection::User), "负责人", "Owner").required(),
        FieldDef::new("unit_id", Ref(Collection::OrgUnit), "所属组织", "Org unit").required(),
        FieldDef::new(
            "opportunity_id",
            Ref(Collection::Opportunity),
            "销售机会",
            "Opportunity",
        ),
        FieldDef::new(
            "contract_no",
            Text {
                max_chars: CODE_CHARS,
            },
            "合同编号",
            "Contract no.",
        )
        .required(),
        FieldDef::new(
            "title",
            Text {
                max_chars: NAME_CHARS,
            },
            "合同名称",
            "Title",
        )
        .required(),
        FieldDef::new("signed_on", Date, "签订日期", "Signed on"),
        FieldDef::new("starts_on", Date, "生效日期", "Starts on"),
        FieldDef::new("ends_on", Date, "到期日期", "Ends on"),
        FieldDef::new("amount", Money, "合同金额", "Amount"),
        FieldDef::new("currency", Enum(CURRENCIES), "币种", "Currency"),
        FieldDef::new("status", Enum(CONTRACT_STATUSES), "状态", "Status").required(),
        FieldDef::new(
            "notes",
            Text {
                max_chars: NOTES_CHARS,
            },
            "备注",
            "Notes",
        ),
    ],
    check_value: no_value_rules,
    check_record: contract_rules,
};

fn contract_rules(fields: &Map<String, Value>) -> Result<(), ValidationError> {
    dates_in_order(fields, "starts_on", "ends_on")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::error::END_BEFORE_START;
    use super::super::validate_record;
    use super::*;

    #[test]
    fn contract_cannot_end_before_it_starts() {
        let mut contract = json!({
            "customer_id": "0193b3c4-7a1e-7000-8000-000000000001",
            "owner_id": "0193b3c4-7a1e-7000-8000-000000000002",
            "unit_id": "0193b3c4-7a1e-7000-8000-000000000003",
            "contract_no": "HT-2026-0042",
            "title": "2027 年度供货框架协议",
            "status": "active",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
        })
        .as_object()
        .unwrap()
        .clone();
        assert_eq!(validate_record(Collection::Contract, &contract), Ok(()));
        contract.insert("ends_on".into(), json!("2027-01-01"));
        assert_eq!(
            validate_record(Collection::Contract, &contract),
            Ok(()),
            "one-day contract"
        );
        contract.insert("ends_on".into(), json!("2026-12-31"));
        assert_eq!(
            validate_record(Collection::Contract, &contract),
            Err(END_BEFORE_START.at("ends_on"))
        );
        contract.remove("starts_on");
        assert_eq!(
            validate_record(Collection::Contract, &contract),
            Ok(()),
            "open start"
        );
    }
}
