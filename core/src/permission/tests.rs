use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::*;
use crate::domain::Stage;
use crate::scope::{scope_facts, OrgTree, Role, Viewer};
use crate::sync::protocol::{CreateArgs, MoveStageArgs, RecordRef, SetFieldsArgs};

const ID: &str = "0193b3c4-7a1e-7000-8000-000000000001";

fn org() -> OrgTree {
    OrgTree::new([
        ("east".to_owned(), "hq".to_owned()),
        ("shanghai".to_owned(), "east".to_owned()),
        ("store-1".to_owned(), "shanghai".to_owned()),
        ("west".to_owned(), "hq".to_owned()),
    ])
}

fn viewer(role: Role, unit: &str) -> Viewer {
    Viewer {
        user_id: "me".into(),
        role,
        unit_id: unit.into(),
        own_customers: HashSet::from(["my-customer".to_owned()]),
    }
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

fn customer(owner: &str, unit: &str) -> Map<String, Value> {
    map(
        json!({"name": "联华超市", "kind": "retail_store", "region_unit_id": unit, "owner_id": owner}),
    )
}

fn edit(collection: Collection, patch: Value) -> Intent {
    Intent::SetFields(SetFieldsArgs {
        collection,
        id: ID.into(),
        fields: map(patch),
    })
}

fn check_edit(
    who: &Viewer,
    collection: Collection,
    before: &Map<String, Value>,
    patch: Value,
) -> Result<(), Denial> {
    let facts = scope_facts(collection, before, None);
    Permissions::defaults().check(
        who,
        &org(),
        &edit(collection, patch),
        Some((before, &facts)),
        None,
    )
}

fn check_create(who: &Viewer, collection: Collection, fields: Value) -> Result<(), Denial> {
    let fields = map(fields);
    let facts = scope_facts(collection, &fields, None);
    let intent = Intent::Create(CreateArgs {
        collection,
        id: ID.into(),
        fields,
    });
    Permissions::defaults().check(who, &org(), &intent, None, Some(&facts))
}

#[test]
fn a_rep_edits_their_own_customer_but_not_its_owner_credit_limit_or_tier() {
    let rep = viewer(Role::SalesRep, "shanghai");
    let mine = customer("me", "shanghai");
    assert_eq!(
        check_edit(
            &rep,
            Collection::Customer,
            &mine,
            json!({"address": "南京路 1 号"})
        ),
        Ok(())
    );
    for patch in [
        json!({"owner_id": "other"}),
        json!({"credit_limit": 9_007_199_254_740_991i64}),
        json!({"tier": "A"}),
        json!({"region_unit_id": "west"}),
    ] {
        assert!(
            check_edit(&rep, Collection::Customer, &mine, patch.clone()).is_err(),
            "{patch}"
        );
    }
}

#[test]
fn an_unchanged_sensitive_field_sent_with_an_edit_is_not_a_change() {
    let rep = viewer(Role::SalesRep, "shanghai");
    let mut mine = customer("me", "shanghai");
    mine.insert("tier".into(), json!("B"));
    let patch = json!({"tier": "B", "owner_id": "me", "notes": "周三送货"});
    assert_eq!(check_edit(&rep, Collection::Customer, &mine, patch), Ok(()));
}

#[test]
fn a_rep_cannot_edit_a_colleagues_customer_in_the_same_area() {
    let rep = viewer(Role::SalesRep, "shanghai");
    let theirs = customer("colleague", "shanghai");
    // A rep does not even see it; the table refuses it as well.
    assert!(check_edit(&rep, Collection::Customer, &theirs, json!({"notes": "x"})).is_err());
}

#[test]
fn a_rep_creates_own_customers_only_inside_their_unit() {
    let rep = viewer(Role::SalesRep, "shanghai");
    let ok = json!({"name": "新店", "kind": "retail_store", "region_unit_id": "store-1", "owner_id": "me"});
    assert_eq!(check_create(&rep, Collection::Customer, ok), Ok(()));
    let elsewhere =
        json!({"name": "新店", "kind": "retail_store", "region_unit_id": "west", "owner_id": "me"});
    assert!(check_create(&rep, Collection::Customer, elsewhere).is_err());
    let with_credit = json!({"name": "新店", "kind": "retail_store", "region_unit_id": "shanghai",
        "owner_id": "me", "credit_limit": 100});
    assert!(matches!(
        check_create(&rep, Collection::Customer, with_credit),
        Err(Denial::Action {
            action: Action::Field("credit_limit"),
            ..
        })
    ));
}

#[test]
fn a_rep_reads_targets_and_cannot_change_or_create_them() {
    let rep = viewer(Role::SalesRep, "shanghai");
    let target = map(
        json!({"period": "month", "period_start": "2027-01-01", "subject_kind": "user",
        "subject_id": "me", "metric": "revenue", "value": 100, "unit_id": "shanghai"}),
    );
    assert!(check_edit(&rep, Collection::Target, &target, json!({"value": 1})).is_err());
    assert!(check_create(&rep, Collection::Target, Value::Object(target)).is_err());
}

#[test]
fn finance_changes_a_credit_limit_without_the_right_to_edit_the_customer() {
    let finance = viewer(Role::Finance, "east");
    let theirs = customer("rep", "shanghai");
    assert_eq!(
        check_edit(
            &finance,
            Collection::Customer,
            &theirs,
            json!({"credit_limit": 5_000_000})
        ),
        Ok(())
    );
    assert!(check_edit(
        &finance,
        Collection::Customer,
        &theirs,
        json!({"name": "改名"})
    )
    .is_err());
}

#[test]
fn finance_cannot_move_a_deal_and_a_rep_moves_only_their_own() {
    let deal = map(
        json!({"customer_id": "c", "owner_id": "me", "unit_id": "shanghai", "name": "x",
        "amount": 1, "currency": "CNY", "stage": "aware"}),
    );
    let facts = scope_facts(Collection::Opportunity, &deal, None);
    let intent = Intent::MoveOpportunityStage(MoveStageArgs {
        id: ID.into(),
        stage: Stage::Won,
        lost_reason: None,
        lost_note: None,
    });
    let table = Permissions::defaults();
    let finance = viewer(Role::Finance, "east");
    assert!(table
        .check(&finance, &org(), &intent, Some((&deal, &facts)), None)
        .is_err());
    let rep = viewer(Role::SalesRep, "shanghai");
    assert_eq!(
        table.check(&rep, &org(), &intent, Some((&deal, &facts)), None),
        Ok(())
    );
}

#[test]
fn a_service_agent_cannot_touch_a_budget_and_finance_approves_it() {
    let budget = map(
        json!({"unit_id": "east", "period_start": "2027-01-01", "period_end": "2027-03-31",
        "cost_item": "promotion", "amount": 10_000_000, "status": "submitted"}),
    );
    let agent = viewer(Role::ServiceAgent, "east");
    assert!(check_edit(&agent, Collection::Budget, &budget, json!({"amount": 1})).is_err());
    let finance = viewer(Role::Finance, "east");
    assert_eq!(
        check_edit(
            &finance,
            Collection::Budget,
            &budget,
            json!({"status": "approved"})
        ),
        Ok(())
    );
    let manager = viewer(Role::RegionalManager, "east");
    assert!(matches!(
        check_edit(
            &manager,
            Collection::Budget,
            &budget,
            json!({"status": "approved"})
        ),
        Err(Denial::Action {
            action: Action::Approve,
            ..
        })
    ));
}

#[test]
fn a_promoter_writes_her_store_reports_and_nothing_else() {
    let promoter = viewer(Role::Promoter, "store-1");
    let report = json!({"promotion_id": ID, "store_id": "my-store", "promoter_id": "me",
        "report_date": "2026-11-30"});
    let mut fields = map(report);
    let store = ScopeFacts {
        unit_id: Some("store-1".into()),
        user_ids: vec!["rep".into()],
        customer_id: None,
        store_units: Vec::new(),
    };
    let facts = scope_facts(Collection::PromotionReport, &fields, Some(&store));
    let intent = Intent::Create(CreateArgs {
        collection: Collection::PromotionReport,
        id: ID.into(),
        fields: fields.clone(),
    });
    let table = Permissions::defaults();
    assert_eq!(
        table.check(&promoter, &org(), &intent, None, Some(&facts)),
        Ok(())
    );
    let store_customer = customer("rep", "store-1");
    assert!(check_edit(
        &promoter,
        Collection::Customer,
        &store_customer,
        json!({"owner_id": "me"})
    )
    .is_err());
    assert!(check_edit(
        &promoter,
        Collection::Customer,
        &store_customer,
        json!({"credit_limit": 1})
    )
    .is_err());
    let budget = json!({"unit_id": "store-1", "period_start": "2027-01-01", "period_end": "2027-01-31",
        "cost_item": "promotion", "amount": 9_007_199_254_740_991i64});
    assert!(check_create(&promoter, Collection::Budget, budget).is_err());
    fields.insert("promoter_id".into(), json!("someone-else"));
    let facts = scope_facts(Collection::PromotionReport, &fields, Some(&store));
    let theirs = Intent::Create(CreateArgs {
        collection: Collection::PromotionReport,
        id: ID.into(),
        fields,
    });
    assert!(table
        .check(&promoter, &org(), &theirs, None, Some(&facts))
        .is_err());
}

#[test]
fn managers_reach_their_subtree_and_not_beside_it() {
    let manager = viewer(Role::RegionalManager, "east");
    assert_eq!(
        check_edit(
            &manager,
            Collection::Customer,
            &customer("rep", "store-1"),
            json!({"owner_id": "rep2"})
        ),
        Ok(())
    );
    assert!(check_edit(
        &manager,
        Collection::Customer,
        &customer("rep", "west"),
        json!({"notes": "x"})
    )
    .is_err());
}

#[test]
fn only_the_administrator_changes_people_and_the_permission_table() {
    let user =
        map(json!({"name": "王伟", "login": "wang", "role": "sales_rep", "unit_id": "shanghai"}));
    for role in table_roles() {
        assert!(check_edit(
            &viewer(role, "hq"),
            Collection::User,
            &user,
            json!({"role": "admin"})
        )
        .is_err());
    }
    assert_eq!(
        check_edit(
            &viewer(Role::Admin, "hq"),
            Collection::User,
            &user,
            json!({"role": "admin"})
        ),
        Ok(())
    );
    let company = map(json!({"name": "示例公司", "kind": "company"}));
    let patch = json!({"permission_overrides": [{"role": "sales_rep", "collection": "targets",
        "action": "edit", "extent": "own"}]});
    assert!(check_edit(
        &viewer(Role::HqMarketing, "hq"),
        Collection::OrgUnit,
        &company,
        patch.clone()
    )
    .is_err());
    assert_eq!(
        check_edit(
            &viewer(Role::Admin, "hq"),
            Collection::OrgUnit,
            &company,
            patch
        ),
        Ok(())
    );
    let funnel = json!({"win_probability_commit": 80});
    assert_eq!(
        check_edit(
            &viewer(Role::HqMarketing, "hq"),
            Collection::OrgUnit,
            &company,
            funnel.clone()
        ),
        Ok(())
    );
    assert!(check_edit(
        &viewer(Role::RegionalManager, "hq"),
        Collection::OrgUnit,
        &company,
        funnel
    )
    .is_err());
}

#[test]
fn a_company_override_grants_and_takes_away_but_never_from_the_administrator() {
    let lines = json!([
        {"role": "sales_rep", "collection": "customers", "action": "field:tier", "extent": "own"},
        {"role": "sales_rep", "collection": "customers", "action": "delete", "extent": "none"},
    ]);
    let mut company = map(json!({"name": "示例公司", "kind": "company"}));
    company.insert(OVERRIDES_FIELD.into(), lines);
    let table = Permissions::from_company(&company);
    assert_eq!(
        table.extent(Role::SalesRep, Collection::Customer, Action::Field("tier")),
        Some(Extent::Own)
    );
    assert_eq!(
        table.extent(Role::SalesRep, Collection::Customer, Action::Delete),
        None
    );
    assert_eq!(
        table.extent(Role::SalesRep, Collection::Customer, Action::Edit),
        Some(Extent::Own)
    );
    assert!(
        Override::from_line(&json!({"role": "admin", "collection": "customers",
        "action": "edit", "extent": "none"}))
        .is_err()
    );
    assert!(
        Override::from_line(&json!({"role": "sales_rep", "collection": "customers",
        "action": "field:amount", "extent": "all"}))
        .is_err(),
        "a field of another collection"
    );
    let round = Override::from_line(&json!({"role": "finance", "collection": "budgets",
        "action": "field:amount", "extent": "subtree"}))
    .unwrap();
    assert_eq!(Override::from_line(&round.to_line()), Ok(round));
}

#[test]
fn overrides_are_validated_and_live_on_the_company_only() {
    let bad = map(json!({"name": "示例公司", "kind": "company",
        "permission_overrides": [{"role": "admin", "collection": "customers", "action": "edit", "extent": "none"}]}));
    assert!(crate::domain::validate_create(Collection::OrgUnit, &bad).is_err());
    let region = map(json!({"name": "华东", "kind": "region", "parent_id": ID,
        "permission_overrides": [{"role": "sales_rep", "collection": "customers", "action": "edit", "extent": "none"}]}));
    assert!(crate::domain::validate_record(Collection::OrgUnit, &region).is_err());
}

#[test]
fn refusals_read_in_both_languages() {
    let denial = Denial::Action {
        role: Role::SalesRep,
        collection: Collection::Customer,
        action: Action::Field("credit_limit"),
        extent: None,
    };
    assert_eq!(
        denial.message(Locale::ZhCn),
        "你的角色（业务员）不能修改客户的「信用额度」。"
    );
    assert!(denial.message(Locale::En).contains("Sales rep"));
    assert!(denial.message(Locale::En).contains("credit limit"));
    let wire = serde_json::to_value(&denial).unwrap();
    assert_eq!(wire["action"], "field:credit_limit");
    assert_eq!(serde_json::from_value::<Denial>(wire).unwrap(), denial);
    let own = Denial::Action {
        role: Role::SalesRep,
        collection: Collection::Customer,
        action: Action::Edit,
        extent: Some(Extent::Own),
    };
    assert!(own.message(Locale::ZhCn).contains("本人"));
}

#[test]
fn references_list_every_id_a_mutation_names() {
    let fields = map(json!({"name": "春节", "kind": "discount", "unit_id": "u",
        "store_ids": ["s1", "s2"], "product_ids": ["p1"]}));
    let refs = references(Collection::Promotion, &fields);
    assert_eq!(refs.len(), 4);
    assert!(refs.contains(&("store_ids", Collection::Customer, "s2".to_owned())));
}

#[test]
fn contact_data_of_people_reaches_only_those_who_manage_them() {
    let org = org();
    let rep = viewer(Role::SalesRep, "shanghai");
    assert!(may_read_private(&rep, &org, "me", Some("shanghai")));
    assert!(!may_read_private(&rep, &org, "colleague", Some("shanghai")));
    assert!(!may_read_private(
        &viewer(Role::Promoter, "store-1"),
        &org,
        "x",
        Some("store-1")
    ));
    assert!(may_read_private(
        &viewer(Role::AreaSupervisor, "shanghai"),
        &org,
        "x",
        Some("store-1")
    ));
    assert!(!may_read_private(
        &viewer(Role::AreaSupervisor, "shanghai"),
        &org,
        "x",
        Some("west")
    ));
    assert!(may_read_private(
        &viewer(Role::HqMarketing, "hq"),
        &org,
        "x",
        Some("west")
    ));
}

#[test]
fn every_sensitive_field_and_approval_field_exists_in_its_collection() {
    // Two pseudo-fields name grants that are not one stored field: the funnel settings' group and
    // a person's sign-in account, which lives on the server only.
    for (collection, field) in SENSITIVE_FIELDS {
        if *field != FUNNEL_SETTINGS && *field != ACCOUNT_FIELD {
            assert!(collection.field(field).is_some(), "{collection}.{field}");
        }
    }
    for (collection, field, first) in APPROVAL_FIELDS {
        let def = collection.field(field).expect("approval field");
        assert!(
            def.choice_label(first, Locale::En).is_some(),
            "{collection}.{field}"
        );
    }
    for field in PLACEMENT_FIELDS {
        assert!(
            Collection::ALL.iter().any(|c| c.field(field).is_some()),
            "{field}"
        );
    }
}

#[test]
fn the_readme_shows_the_shipped_matrix() {
    let readme = include_str!("../../../README.md");
    let matrix = matrix_markdown();
    assert!(
        readme.contains(&matrix),
        "README.md's permission matrix differs from the table; paste this:\n{matrix}"
    );
}

#[test]
fn deleting_needs_the_delete_grant_over_the_record() {
    let rep = viewer(Role::SalesRep, "shanghai");
    let theirs = customer("colleague", "store-1");
    let facts = scope_facts(Collection::Customer, &theirs, None);
    let intent = Intent::Delete(RecordRef {
        collection: Collection::Customer,
        id: ID.into(),
    });
    let table = Permissions::defaults();
    assert!(table
        .check(&rep, &org(), &intent, Some((&theirs, &facts)), None)
        .is_err());
    let manager = viewer(Role::AreaSupervisor, "shanghai");
    assert_eq!(
        table.check(&manager, &org(), &intent, Some((&theirs, &facts)), None),
        Ok(())
    );
}

fn company_with(lines: Value) -> Map<String, Value> {
    map(json!({"kind": "company", "name": "公司", "permission_overrides": lines}))
}

#[test]
fn a_cell_set_back_to_its_default_leaves_no_override_line() {
    let current = Permissions::from_company(&company_with(json!([
        {"role": "sales_rep", "collection": "opportunities", "action": "delete", "extent": "none"}
    ])));
    let mut draft = Draft::new();
    draft.insert(
        (Role::SalesRep, Collection::Opportunity, Action::Delete),
        Some(Extent::Own),
    );
    assert!(current.override_lines(&draft).is_empty());
}

#[test]
fn a_new_cell_joins_the_override_lines_already_in_force() {
    let current = Permissions::from_company(&company_with(json!([
        {"role": "finance", "collection": "customers", "action": "field:credit_limit", "extent": "all"}
    ])));
    let mut draft = Draft::new();
    draft.insert(
        (Role::SalesRep, Collection::Opportunity, Action::Delete),
        None,
    );
    let lines: Vec<Value> = current
        .override_lines(&draft)
        .iter()
        .map(Override::to_line)
        .collect();
    assert_eq!(
        lines,
        [
            json!({"role": "sales_rep", "collection": "opportunities", "action": "delete", "extent": "none"}),
            json!({"role": "finance", "collection": "customers", "action": "field:credit_limit", "extent": "all"}),
        ]
    );
}

#[test]
fn resetting_a_role_touches_only_that_role() {
    let current = Permissions::from_company(&company_with(json!([
        {"role": "sales_rep", "collection": "customers", "action": "edit", "extent": "none"},
        {"role": "finance", "collection": "customers", "action": "field:credit_limit", "extent": "all"}
    ])));
    let draft = current.reset_role(Role::SalesRep);
    assert_eq!(draft.len(), 1);
    let lines = current.override_lines(&draft);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].role, Role::Finance);
}

#[test]
fn every_shipped_grant_is_one_a_change_can_need() {
    for (role, collection, action, _) in Permissions::defaults().grants() {
        assert!(
            action.applies_to(collection),
            "{role:?} {collection} {}",
            action.as_string()
        );
    }
    assert!(!Action::MoveStage.applies_to(Collection::Customer));
    assert!(!Action::Reassign.applies_to(Collection::Product));
    assert!(Action::Approve.applies_to(Collection::Budget));
    assert!(Action::Approve.applies_to(Collection::Target));
    assert!(!Action::Approve.applies_to(Collection::Customer));
}

#[test]
fn a_new_record_needs_more_than_create_only_for_sensitive_and_approval_fields() {
    let c = Collection::Promotion;
    assert_eq!(Action::create_needs(c, "status", &json!("planned")), None);
    assert_eq!(
        Action::create_needs(c, "status", &json!("approved")),
        Some(Action::Approve)
    );
    assert_eq!(
        Action::create_needs(c, "budget", &json!(100)),
        Some(Action::Field("budget"))
    );
    assert_eq!(Action::create_needs(c, "budget", &Value::Null), None);
    assert_eq!(Action::create_needs(c, "unit_id", &json!("u")), None);
}
