use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::*;
use crate::{
    domain::{Collection, ValidationError},
    permission::{Action, Denial},
    sync::protocol::{CreateArgs, Intent, RejectCode, SetFieldsArgs},
};

const NOW: u64 = 1_750_000_000_000;

fn id(n: u64) -> String {
    format!("0190a000-0000-7000-8000-{n:012x}")
}

const COMPANY: u64 = 1;
const REGION: u64 = 2;
const ADMIN: u64 = 10;
const REP: u64 = 11;
const OTHER_REP: u64 = 12;
const CUSTOMER: u64 = 20;
const OTHER_CUSTOMER: u64 = 21;
const CONTACT: u64 = 30;

fn key(collection: Collection, n: u64) -> RecordRef {
    RecordRef {
        collection,
        id: id(n),
    }
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

fn create(collection: Collection, n: u64, value: Value) -> Intent {
    Intent::Create(CreateArgs {
        collection,
        id: id(n),
        fields: fields(value),
    })
}

fn set(collection: Collection, n: u64, value: Value) -> Intent {
    Intent::SetFields(SetFieldsArgs {
        collection,
        id: id(n),
        fields: fields(value),
    })
}

fn author(n: u64, role: Role, unit: u64) -> Author {
    Author {
        user_id: id(n),
        role,
        unit_id: id(unit),
        system: false,
    }
}

fn system() -> Author {
    Author {
        user_id: "system".into(),
        role: Role::Admin,
        unit_id: String::new(),
        system: true,
    }
}

/// What a push wrote: each verdict as (mutation id, version written, rejected).
#[derive(Debug, PartialEq)]
struct Written {
    response: PushResponse,
    verdicts: Vec<(u64, Option<i64>, bool)>,
    records: Vec<(RecordRef, ServerRecord)>,
    moves: Vec<ScopeMove>,
    epochs: EpochBumps,
    version: i64,
}

/// A server in a map: what the real one keeps in its tables, read and written the way it does.
#[derive(Default)]
struct Store {
    records: BTreeMap<RecordRef, ServerRecord>,
    clients: BTreeMap<String, ClientState>,
    version: i64,
    /// What the last push asked to read, in order.
    asked: Vec<Wanted>,
}

impl Store {
    /// The demo of these tests: a company, a region, an admin, two reps, a customer of each rep and
    /// a contact of the first, written by the system as `seed` would.
    fn seeded() -> Self {
        let mut store = Store::default();
        let user = |n: u64, role: &str, unit: u64| {
            create(
                Collection::User,
                n,
                json!({"name": "人员", "login": format!("u{n}"), "role": role, "unit_id": id(unit)}),
            )
        };
        let customer = |n: u64, owner: u64| {
            create(
                Collection::Customer,
                n,
                json!({"name": "客户", "kind": "dealer", "region_unit_id": id(REGION), "owner_id": id(owner)}),
            )
        };
        store.apply(
            &system(),
            vec![
                create(
                    Collection::OrgUnit,
                    COMPANY,
                    json!({"name": "总公司", "kind": "company"}),
                ),
                create(
                    Collection::OrgUnit,
                    REGION,
                    json!({"name": "华东", "kind": "region", "parent_id": id(COMPANY)}),
                ),
                user(ADMIN, "admin", COMPANY),
                user(REP, "sales_rep", REGION),
                user(OTHER_REP, "sales_rep", REGION),
                customer(CUSTOMER, REP),
                customer(OTHER_CUSTOMER, OTHER_REP),
                create(
                    Collection::Contact,
                    CONTACT,
                    json!({"customer_id": id(CUSTOMER), "name": "王经理"}),
                ),
            ],
        );
        store
    }

    fn org(&self) -> OrgTree {
        OrgTree::new(self.records.iter().filter_map(|(key, row)| {
            let parent = row.state.fields.get("parent_id")?.as_str()?;
            (key.collection == Collection::OrgUnit).then(|| (key.id.clone(), parent.to_owned()))
        }))
    }

    /// `intents` as one push from a new device of `author`, made a second after the last one.
    fn apply(&mut self, author: &Author, intents: Vec<Intent>) -> Written {
        let pushes = self.clients.len() as u64;
        let client_id = id(1000 + pushes);
        let mutations = intents
            .into_iter()
            .enumerate()
            .map(|(i, intent)| Mutation {
                id: i as u64 + 1,
                hlc: Hlc::new(NOW + pushes * 1000, i as u32, client_id.as_str()),
                intent,
            })
            .collect();
        let request = PushRequest {
            client_id,
            mutations,
        };
        self.push(author, &request).unwrap()
    }

    fn push(&mut self, author: &Author, request: &PushRequest) -> Result<Written, PushRefusal> {
        validate_push(request)?;
        let context = PushContext {
            author: author.clone(),
            org: self.org(),
            permissions: Permissions::defaults(),
            version: self.version,
            now_millis: NOW,
        };
        let client = self.clients.get(&request.client_id);
        let mut decision = PushDecision::start(request, client, context)?;
        self.asked.clear();
        while let Some(wanted) = decision.advance() {
            let found: Vec<(RecordRef, ServerRecord)> = match &wanted {
                Wanted::Records(keys) => keys
                    .iter()
                    .filter_map(|key| Some((key.clone(), self.records.get(key)?.clone())))
                    .collect(),
                scan => self
                    .records
                    .iter()
                    .filter(|(key, row)| scan.answers(key, row))
                    .map(|(key, row)| (key.clone(), row.clone()))
                    .collect(),
            };
            self.asked.push(wanted);
            decision.supply(found);
        }
        let writes = decision.finish();
        self.records.extend(writes.records.iter().cloned());
        self.version = writes.version;
        self.clients.insert(
            request.client_id.clone(),
            ClientState {
                user_id: author.user_id.clone(),
                last_mutation_id: writes.response.last_mutation_id,
            },
        );
        Ok(Written {
            verdicts: writes
                .verdicts
                .iter()
                .map(|v| (v.mutation.id, v.version, v.rejection.is_some()))
                .collect(),
            response: writes.response,
            records: writes.records,
            moves: writes.moves,
            epochs: writes.epochs,
            version: writes.version,
        })
    }

    fn scope(&self, collection: Collection, n: u64) -> &ScopeFacts {
        &self.records[&key(collection, n)].scope
    }
}

#[test]
fn a_push_reads_the_records_it_names_then_the_customers_they_hang_from_then_decides() {
    let mut store = Store::seeded();
    let writes = store.apply(
        &author(REP, Role::SalesRep, REGION),
        vec![set(
            Collection::Contact,
            CONTACT,
            json!({"title": "采购经理"}),
        )],
    );
    assert_eq!(
        store.asked,
        vec![
            Wanted::Records(vec![key(Collection::Contact, CONTACT)]),
            Wanted::Records(vec![key(Collection::Customer, CUSTOMER)]),
        ]
    );
    assert_eq!(
        writes.response.outcomes,
        vec![Outcome::Applied { id: 1 }],
        "the rep sees the contact through the customer they own"
    );
    assert_eq!(writes.records.len(), 1);
    assert_eq!(writes.version, 9);
    assert!(writes.moves.is_empty());
}

#[test]
fn a_customer_changing_hands_takes_its_contacts_along_each_with_its_own_version_and_move() {
    let mut store = Store::seeded();
    let before = store.scope(Collection::Contact, CONTACT).clone();
    let writes = store.apply(
        &author(ADMIN, Role::Admin, COMPANY),
        vec![set(
            Collection::Customer,
            CUSTOMER,
            json!({"owner_id": id(OTHER_REP)}),
        )],
    );
    assert_eq!(writes.response.outcomes, [Outcome::Applied { id: 1 }]);
    assert_eq!(
        store.asked.last(),
        Some(&Wanted::ChildrenOf(id(CUSTOMER))),
        "the records hanging from the customer are read when it moves, not before"
    );
    let versions: Vec<(RecordRef, i64)> = writes
        .records
        .iter()
        .map(|(key, row)| (key.clone(), row.version))
        .collect();
    assert_eq!(
        versions,
        vec![
            (key(Collection::Customer, CUSTOMER), 9),
            (key(Collection::Contact, CONTACT), 10),
        ]
    );
    assert_eq!(
        store.scope(Collection::Contact, CONTACT).user_ids,
        [id(OTHER_REP)]
    );
    assert_eq!(writes.moves.len(), 2);
    assert_eq!(writes.moves[1].old_scope, before);
    assert_eq!(writes.verdicts, [(1, Some(9), false)]);
}

#[test]
fn a_record_moved_to_another_customer_earlier_in_the_push_stays_with_it() {
    let mut store = Store::seeded();
    let writes = store.apply(
        &author(ADMIN, Role::Admin, COMPANY),
        vec![
            set(
                Collection::Contact,
                CONTACT,
                json!({"customer_id": id(OTHER_CUSTOMER)}),
            ),
            set(
                Collection::Customer,
                CUSTOMER,
                json!({"owner_id": id(ADMIN)}),
            ),
        ],
    );
    assert_eq!(writes.version, 10, "the contact is written once");
    assert_eq!(
        store.scope(Collection::Contact, CONTACT).user_ids,
        [id(OTHER_REP)],
        "it follows the customer it now hangs from"
    );
}

#[test]
fn a_rejected_mutation_writes_nothing_and_the_next_one_still_applies() {
    let mut store = Store::seeded();
    let writes = store.apply(
        &author(REP, Role::SalesRep, REGION),
        vec![
            set(Collection::Customer, CUSTOMER, json!({"tier": "A"})),
            set(Collection::Customer, CUSTOMER, json!({"notes": "每周拜访"})),
        ],
    );
    let Outcome::Rejected { reason, .. } = &writes.response.outcomes[0] else {
        panic!("a rep may not set a customer's tier: {:?}", writes.response);
    };
    assert!(matches!(
        reason.denial,
        Some(Denial::Action {
            action: Action::Field("tier"),
            ..
        })
    ));
    assert_eq!(writes.response.outcomes[1], Outcome::Applied { id: 2 });
    assert_eq!(writes.response.last_mutation_id, 2);
    let customer = &store.records[&key(Collection::Customer, CUSTOMER)].state;
    assert_eq!(customer.fields.get("tier"), None);
    assert_eq!(customer.fields["notes"], "每周拜访");
    assert_eq!(
        writes.version, 9,
        "one write: the rejected mutation took no version"
    );
    assert_eq!(writes.verdicts, [(1, None, true), (2, Some(9), false)]);
}

#[test]
fn a_device_may_name_only_records_it_sees_while_the_system_names_any_in_any_order() {
    let mut store = Store::seeded();
    let writes = store.apply(
        &author(REP, Role::SalesRep, REGION),
        vec![create(
            Collection::Contact,
            40,
            json!({"customer_id": id(OTHER_CUSTOMER), "name": "李总"}),
        )],
    );
    assert!(
        matches!(&writes.response.outcomes[0], Outcome::Rejected { reason, .. }
            if reason.code == RejectCode::Forbidden),
        "{:?}",
        writes.response
    );
    let writes = store.apply(
        &system(),
        vec![
            create(
                Collection::OrgUnit,
                3,
                json!({"name": "上海", "kind": "area", "parent_id": id(REGION), "manager_id": id(13)}),
            ),
            create(
                Collection::User,
                13,
                json!({"name": "主管", "login": "u13", "role": "area_supervisor", "unit_id": id(3)}),
            ),
        ],
    );
    assert_eq!(
        writes.response.outcomes,
        [Outcome::Applied { id: 1 }, Outcome::Applied { id: 2 }]
    );
}

#[test]
fn retries_are_duplicates_and_a_gap_or_another_users_device_is_refused_whole() {
    let mut store = Store::seeded();
    let rep = author(REP, Role::SalesRep, REGION);
    let mutation = |n: u64, notes: &str| Mutation {
        id: n,
        hlc: Hlc::new(NOW + 100_000, n as u32, "device"),
        intent: set(Collection::Customer, CUSTOMER, json!({ "notes": notes })),
    };
    let request = |mutations: Vec<Mutation>| PushRequest {
        client_id: id(2000),
        mutations,
    };
    store
        .push(&rep, &request(vec![mutation(1, "一"), mutation(2, "二")]))
        .unwrap();
    let version = store.version;

    let retry = store
        .push(
            &rep,
            &request(vec![
                mutation(1, "一"),
                mutation(2, "二"),
                mutation(3, "三"),
            ]),
        )
        .unwrap();
    assert_eq!(
        retry.response.outcomes,
        [
            Outcome::Duplicate { id: 1 },
            Outcome::Duplicate { id: 2 },
            Outcome::Applied { id: 3 }
        ]
    );
    assert_eq!(retry.verdicts.len(), 1, "only the new mutation is audited");

    assert_eq!(
        store.push(&rep, &request(vec![mutation(5, "五")])),
        Err(PushRefusal::Gap {
            expected: 4,
            got: 5
        })
    );
    assert_eq!(
        store.push(
            &author(OTHER_REP, Role::SalesRep, REGION),
            &request(vec![mutation(4, "四")])
        ),
        Err(PushRefusal::ForeignClient)
    );
    assert_eq!(store.version, version + 1, "refused pushes wrote nothing");
}

#[test]
fn a_malformed_push_is_refused_with_what_to_fix() {
    let mutation = |n: u64, intent: Intent| Mutation {
        id: n,
        hlc: Hlc::new(NOW, 0, "device"),
        intent,
    };
    let notes = || set(Collection::Customer, CUSTOMER, json!({"notes": "x"}));
    let request = |mutations: Vec<Mutation>| PushRequest {
        client_id: id(3000),
        mutations,
    };
    let refusal = |request: PushRequest| validate_push(&request).unwrap_err().to_string();
    assert_eq!(
        refusal(request(vec![mutation(1, notes()), mutation(3, notes())])),
        "mutation ids must increase by one within a push: 3 follows 1"
    );
    let out_of_range = "mutation ids start at 1 and stay at most 9223372036854775807";
    assert_eq!(refusal(request(vec![mutation(0, notes())])), out_of_range);
    // The server stores ids as signed 64-bit numbers; the top of u64 is refused, not overflowed.
    assert_eq!(
        refusal(request(vec![mutation(1 << 63, notes())])),
        out_of_range
    );
    assert_eq!(
        refusal(request(vec![
            mutation(u64::MAX, notes()),
            mutation(0, notes())
        ])),
        "mutation ids must increase by one within a push: 0 follows 18446744073709551615"
    );
    assert!(refusal(request(vec![
        mutation(1, notes()),
        mutation(2, set(Collection::Customer, CUSTOMER, json!({"tier": "Z"})))
    ]))
    .starts_with("mutation 2: "));
    assert_eq!(
        refusal(PushRequest {
            client_id: "device-1".into(),
            mutations: Vec::new()
        }),
        "client_id must be a UUID made on the device"
    );
}

#[test]
fn a_promotion_is_rescheduled_within_the_rules_of_an_edit_and_never_once_it_has_finished() {
    use crate::sync::protocol::{DecideArgs, RescheduleArgs, StoreMove};
    const PROMOTION: u64 = 50;
    let mut store = Store::seeded();
    store.apply(
        &system(),
        vec![create(
            Collection::Promotion,
            PROMOTION,
            json!({"name": "暑期特价", "kind": "discount", "unit_id": id(REGION),
                "store_ids": [id(CUSTOMER)], "starts_on": "2025-07-01", "ends_on": "2025-07-07",
                "status": "planned"}),
        )],
    );
    let reschedule = |to: Option<u64>| {
        Intent::ReschedulePromotion(RescheduleArgs {
            id: id(PROMOTION),
            starts_on: "2025-07-08".into(),
            ends_on: "2025-07-16".into(),
            move_store: to.map(|to| StoreMove {
                from: id(CUSTOMER),
                to: id(to),
            }),
        })
    };
    let refusal = |writes: &Written| match &writes.response.outcomes[0] {
        Outcome::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    };

    // Finance reads the region's promotions but may not move them.
    let writes = store.apply(&author(15, Role::Finance, REGION), vec![reschedule(None)]);
    let reason = refusal(&writes).expect("finance's reschedule is refused");
    assert!(
        matches!(
            reason.denial,
            Some(Denial::Action {
                action: Action::Edit,
                ..
            })
        ),
        "{reason:?}"
    );

    // The region's manager moves it a week on and to the other rep's store.
    let manager = author(14, Role::RegionalManager, REGION);
    let writes = store.apply(&manager, vec![reschedule(Some(OTHER_CUSTOMER))]);
    assert_eq!(refusal(&writes), None);
    let fields = &store.records[&key(Collection::Promotion, PROMOTION)]
        .state
        .fields;
    assert_eq!(fields["starts_on"], "2025-07-08");
    assert_eq!(fields["ends_on"], "2025-07-16");
    assert_eq!(fields["store_ids"], json!([id(OTHER_CUSTOMER)]));
    assert_eq!(fields["name"], "暑期特价");

    // A store that is no longer listed cannot be moved again; one that does not exist cannot be named.
    let writes = store.apply(&manager, vec![reschedule(Some(CUSTOMER))]);
    assert_eq!(refusal(&writes).map(|r| r.code), Some(RejectCode::Invalid));
    store.apply(
        &system(),
        vec![set(
            Collection::Promotion,
            PROMOTION,
            json!({"store_ids": [id(CUSTOMER)]}),
        )],
    );
    let writes = store.apply(&manager, vec![reschedule(Some(99))]);
    let reason = refusal(&writes).expect("an unknown store is refused");
    assert!(
        matches!(reason.denial, Some(Denial::Reference { .. })),
        "{reason:?}"
    );

    // Finished is final.
    let decide = |status: &str| {
        Intent::DecidePromotion(DecideArgs {
            id: id(PROMOTION),
            status: status.into(),
            comment: None,
        })
    };
    let writes = store.apply(
        &manager,
        vec![decide("approved"), decide("running"), decide("finished")],
    );
    assert_eq!(refusal(&writes), None);
    let writes = store.apply(&manager, vec![reschedule(None)]);
    let reason = refusal(&writes).expect("a finished promotion stays where it is");
    assert_eq!(reason.code, RejectCode::Invalid);
    assert!(
        reason.message.contains("cannot be rescheduled"),
        "{reason:?}"
    );
}

#[test]
fn a_promotion_moves_through_its_statuses_by_decisions_of_those_who_approve() {
    use crate::sync::protocol::DecideArgs;
    const PROMOTION: u64 = 52;
    let mut store = Store::seeded();
    store.apply(
        &system(),
        vec![create(
            Collection::Promotion,
            PROMOTION,
            json!({"name": "国庆买赠", "kind": "gift", "unit_id": id(REGION),
                "starts_on": "2025-10-01", "ends_on": "2025-10-07", "status": "planned"}),
        )],
    );
    let decide = |status: &str, comment: Option<&str>| {
        Intent::DecidePromotion(DecideArgs {
            id: id(PROMOTION),
            status: status.into(),
            comment: comment.map(str::to_owned),
        })
    };
    let refusal = |writes: &Written| match &writes.response.outcomes[0] {
        Outcome::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    let fields = |store: &Store| {
        store.records[&key(Collection::Promotion, PROMOTION)]
            .state
            .fields
            .clone()
    };

    // Finance sees the region's promotion but may not approve it; a plain edit of the status is
    // refused as malformed whoever sends it.
    let writes = store.apply(
        &author(15, Role::Finance, REGION),
        vec![decide("approved", None)],
    );
    let reason = refusal(&writes).expect("finance's approval is refused");
    assert!(
        matches!(
            reason.denial,
            Some(Denial::Action {
                action: Action::Approve,
                ..
            })
        ),
        "{reason:?}"
    );
    let manager = author(14, Role::RegionalManager, REGION);
    assert!(matches!(
        set(
            Collection::Promotion,
            PROMOTION,
            json!({"status": "approved"})
        )
        .validate(),
        Err(ValidationError::IntentOnly { .. })
    ));

    // The region's manager sends it back only with a comment, then approves it.
    let writes = store.apply(&manager, vec![decide("approved", Some("  预算合理 "))]);
    assert_eq!(refusal(&writes), None);
    let approved = fields(&store);
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decision_comment"], "预算合理");
    assert!(approved["decided_at"]
        .as_str()
        .is_some_and(|at| at.ends_with('Z')));
    let writes = store.apply(&manager, vec![decide("planned", Some(" "))]);
    let reason = refusal(&writes).expect("sending back needs a comment");
    assert!(reason.message.contains("comment is required"), "{reason:?}");
    let writes = store.apply(
        &manager,
        vec![decide("planned", Some("门店数太多，请缩减"))],
    );
    assert_eq!(refusal(&writes), None);
    assert_eq!(fields(&store)["status"], "planned");

    // A planned promotion cannot skip to running or finished; approving twice changes nothing.
    for status in ["running", "finished"] {
        let writes = store.apply(&manager, vec![decide(status, None)]);
        let reason = refusal(&writes).expect("a skipped step is refused");
        assert!(
            reason.message.contains("cannot move to this status"),
            "{reason:?}"
        );
    }
    let writes = store.apply(&manager, vec![decide("approved", None)]);
    assert_eq!(refusal(&writes), None);
    assert_eq!(fields(&store).get("decision_comment"), None);
    let written = fields(&store);
    store.apply(&manager, vec![decide("approved", None)]);
    assert_eq!(fields(&store), written);

    // Cancelled is final.
    store.apply(&manager, vec![decide("cancelled", Some("渠道调整"))]);
    let writes = store.apply(&manager, vec![decide("approved", None)]);
    assert_eq!(refusal(&writes).map(|r| r.code), Some(RejectCode::Invalid));
    assert_eq!(fields(&store)["status"], "cancelled");
}

#[test]
fn a_promotion_takes_its_stores_units_so_their_promoters_see_it() {
    const STORE_UNIT: u64 = 4;
    const STORE: u64 = 22;
    const PROMOTION: u64 = 51;
    let mut store = Store::seeded();
    store.apply(
        &system(),
        vec![
            create(
                Collection::OrgUnit,
                STORE_UNIT,
                json!({"name": "联华一店", "kind": "store", "parent_id": id(REGION)}),
            ),
            create(
                Collection::Customer,
                STORE,
                json!({"name": "联华一店", "kind": "retail_store", "region_unit_id": id(STORE_UNIT),
                    "owner_id": id(REP)}),
            ),
        ],
    );
    // Written by the region's manager in a push of its own: the store is read to learn its unit.
    let writes = store.apply(
        &author(14, Role::RegionalManager, REGION),
        vec![create(
            Collection::Promotion,
            PROMOTION,
            json!({"name": "周末试吃", "kind": "tasting", "unit_id": id(REGION),
                "store_ids": [id(STORE), id(CUSTOMER)], "starts_on": "2025-07-01",
                "ends_on": "2025-07-02", "status": "planned"}),
        )],
    );
    assert_eq!(writes.response.outcomes, [Outcome::Applied { id: 1 }]);
    assert_eq!(
        store.scope(Collection::Promotion, PROMOTION).store_units,
        [id(REGION), id(STORE_UNIT)]
    );
    let promoter = Viewer {
        user_id: id(40),
        role: Role::Promoter,
        unit_id: id(STORE_UNIT),
        own_customers: Default::default(),
    };
    assert!(promoter.can_see(
        Collection::Promotion,
        store.scope(Collection::Promotion, PROMOTION),
        &store.org()
    ));
    // Another edit keeps them, reading the stores again.
    store.apply(
        &system(),
        vec![set(
            Collection::Promotion,
            PROMOTION,
            json!({"name": "周末试吃（加场）"}),
        )],
    );
    assert_eq!(
        store.scope(Collection::Promotion, PROMOTION).store_units,
        [id(REGION), id(STORE_UNIT)]
    );
}

#[test]
fn a_submitted_report_is_reviewed_in_the_reviewers_name_and_then_closed_to_the_promoter() {
    use crate::sync::protocol::ReviewArgs;
    const PROMOTER: u64 = 16;
    const PROMOTION: u64 = 53;
    const REPORT: u64 = 54;
    let mut store = Store::seeded();
    store.apply(
        &system(),
        vec![
            create(
                Collection::User,
                PROMOTER,
                json!({"name": "促销员", "login": "p16", "role": "promoter", "unit_id": id(REGION)}),
            ),
            create(
                Collection::Promotion,
                PROMOTION,
                json!({"name": "试饮", "kind": "tasting", "unit_id": id(REGION),
                    "store_ids": [id(CUSTOMER)], "promoter_ids": [id(PROMOTER)],
                    "starts_on": "2025-06-10", "ends_on": "2025-06-12", "status": "running"}),
            ),
        ],
    );
    let promoter = author(PROMOTER, Role::Promoter, REGION);
    let supervisor = author(17, Role::AreaSupervisor, REGION);
    let refusal = |writes: &Written| match &writes.response.outcomes[0] {
        Outcome::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    let review = |reviewer: u64, flags: &[&str], comment: Option<&str>| {
        Intent::ReviewReport(ReviewArgs {
            id: id(REPORT),
            reviewer_id: id(reviewer),
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
            comment: comment.map(str::to_owned),
        })
    };
    let writes = store.apply(
        &promoter,
        vec![create(
            Collection::PromotionReport,
            REPORT,
            json!({"promotion_id": id(PROMOTION), "store_id": id(CUSTOMER),
                "promoter_id": id(PROMOTER), "report_date": "2025-06-10", "units_sold": 12}),
        )],
    );
    assert_eq!(refusal(&writes), None);

    // Not submitted yet: nothing to review.
    let writes = store.apply(&supervisor, vec![review(17, &["stock_out"], None)]);
    let reason = refusal(&writes).expect("an open report is not reviewed");
    assert_eq!(reason.code, RejectCode::Invalid);
    assert!(reason.message.contains("not been submitted"), "{reason:?}");

    let writes = store.apply(
        &promoter,
        vec![set(
            Collection::PromotionReport,
            REPORT,
            json!({"submitted_at": "2025-06-10T10:00:00Z"}),
        )],
    );
    assert_eq!(refusal(&writes), None);
    // The promoter may not review their own report, nor anyone review in another's name.
    let writes = store.apply(&promoter, vec![review(PROMOTER, &[], Some("很好"))]);
    assert!(refusal(&writes).is_some_and(|r| r.code == RejectCode::Forbidden));
    let writes = store.apply(&supervisor, vec![review(ADMIN, &[], None)]);
    assert!(refusal(&writes).is_some_and(|r| r.code == RejectCode::Forbidden));

    // The supervisor flags two problems (each once, in the table's order) and comments.
    let writes = store.apply(
        &supervisor,
        vec![review(
            17,
            &["stock_out", "display_missing", "stock_out"],
            Some(" 端架没有摆出来 "),
        )],
    );
    assert_eq!(refusal(&writes), None);
    let report = store.records[&key(Collection::PromotionReport, REPORT)]
        .state
        .fields
        .clone();
    assert_eq!(
        report["review_flags"],
        json!([{"flag": "display_missing"}, {"flag": "stock_out"}])
    );
    assert_eq!(report["review_comment"], "端架没有摆出来");
    assert_eq!(report["reviewer_id"], json!(id(17)));
    assert!(report["reviewed_at"].is_string());

    // Closed to the promoter now; the supervisor may still correct it.
    let writes = store.apply(
        &promoter,
        vec![set(
            Collection::PromotionReport,
            REPORT,
            json!({"units_sold": 30}),
        )],
    );
    let reason = refusal(&writes).expect("a reviewed report is closed to the promoter");
    assert!(
        matches!(
            reason.denial,
            Some(Denial::Action {
                action: Action::Approve,
                ..
            })
        ),
        "{reason:?}"
    );
    let writes = store.apply(
        &supervisor,
        vec![set(
            Collection::PromotionReport,
            REPORT,
            json!({"units_sold": 13}),
        )],
    );
    assert_eq!(refusal(&writes), None);
}

/// The region of the seeded store with two areas, a store unit in the first and a region beside it;
/// a regional manager; and a rep of the first area with a customer there (and its contact), a
/// store's customer, an open deal and a won one.
mod reassign {
    use super::*;

    const AREA_A: u64 = 3;
    const AREA_B: u64 = 4;
    const STORE: u64 = 5;
    const WEST: u64 = 6;
    const WEST_AREA: u64 = 7;
    const MANAGER: u64 = 13;
    const MOVER: u64 = 14;
    const AREA_CUSTOMER: u64 = 22;
    const STORE_CUSTOMER: u64 = 23;
    const AREA_CONTACT: u64 = 31;
    const OPEN_DEAL: u64 = 40;
    const WON_DEAL: u64 = 41;

    fn deal(n: u64, stage: &str) -> Intent {
        let mut deal = json!({"customer_id": id(AREA_CUSTOMER), "owner_id": id(MOVER),
            "unit_id": id(AREA_A), "name": "冷柜更新", "amount": 1_000_000, "stage": stage,
            "stage_history": [{"stage": stage, "entered_at": "2026-09-01T01:00:00Z"}]});
        if stage == "won" {
            deal["won_at"] = json!("2026-09-01T01:00:00Z");
        }
        create(Collection::Opportunity, n, deal)
    }

    fn store() -> Store {
        let mut store = Store::seeded();
        let unit = |n: u64, kind: &str, parent: u64| {
            create(
                Collection::OrgUnit,
                n,
                json!({"name": format!("单位{n}"), "kind": kind, "parent_id": id(parent)}),
            )
        };
        let customer = |n: u64, unit: u64| {
            create(
                Collection::Customer,
                n,
                json!({"name": format!("客户{n}"), "kind": "dealer", "region_unit_id": id(unit),
                    "owner_id": id(MOVER)}),
            )
        };
        store.apply(
            &system(),
            vec![
                unit(AREA_A, "area", REGION),
                unit(AREA_B, "area", REGION),
                unit(STORE, "store", AREA_A),
                unit(WEST, "region", COMPANY),
                unit(WEST_AREA, "area", WEST),
                create(
                    Collection::User,
                    MANAGER,
                    json!({"name": "经理", "login": "manager", "role": "regional_manager",
                        "unit_id": id(REGION)}),
                ),
                create(
                    Collection::User,
                    MOVER,
                    json!({"name": "张伟", "login": "zhangwei", "role": "sales_rep",
                        "unit_id": id(AREA_A), "manager_id": id(MANAGER)}),
                ),
                customer(AREA_CUSTOMER, AREA_A),
                customer(STORE_CUSTOMER, STORE),
                create(
                    Collection::Contact,
                    AREA_CONTACT,
                    json!({"customer_id": id(AREA_CUSTOMER), "name": "王经理"}),
                ),
                deal(OPEN_DEAL, "negotiate"),
                deal(WON_DEAL, "won"),
            ],
        );
        store
    }

    fn manager() -> Author {
        author(MANAGER, Role::RegionalManager, REGION)
    }

    fn unit_of(store: &Store, collection: Collection, n: u64) -> Option<String> {
        store.scope(collection, n).unit_id.clone()
    }

    fn denied_action(writes: &Written) -> Option<Action> {
        match &writes.response.outcomes[0] {
            Outcome::Rejected { reason, .. } => match &reason.denial {
                Some(Denial::Action { action, .. }) => Some(*action),
                _ => None,
            },
            _ => None,
        }
    }

    #[test]
    fn a_person_moved_between_areas_takes_their_area_customers_and_open_deals_along() {
        let mut store = store();
        let writes = store.apply(
            &manager(),
            vec![set(
                Collection::User,
                MOVER,
                json!({"unit_id": id(AREA_B), "manager_id": null}),
            )],
        );
        assert_eq!(writes.response.outcomes, [Outcome::Applied { id: 1 }]);
        assert!(store.asked.contains(&Wanted::OwnedBy(id(MOVER))));
        let b = Some(id(AREA_B));
        let a = Some(id(AREA_A));
        assert_eq!(unit_of(&store, Collection::Customer, AREA_CUSTOMER), b);
        assert_eq!(
            store.records[&key(Collection::Customer, AREA_CUSTOMER)]
                .state
                .fields["region_unit_id"],
            json!(id(AREA_B))
        );
        assert_eq!(
            unit_of(&store, Collection::Contact, AREA_CONTACT),
            b,
            "the contact follows its customer"
        );
        assert_eq!(unit_of(&store, Collection::Opportunity, OPEN_DEAL), b);
        assert_eq!(
            unit_of(&store, Collection::Opportunity, WON_DEAL),
            a,
            "a won deal stays where it was booked"
        );
        assert_eq!(
            unit_of(&store, Collection::Customer, STORE_CUSTOMER),
            Some(id(STORE)),
            "a store's customer stays with the store"
        );
        // The person, the customer, its contact and the open deal: each a version and, but the
        // person (reference data), a move for those who saw them before.
        assert_eq!(writes.records.len(), 4);
        let moved: Vec<&RecordRef> = writes.moves.iter().map(|m| &m.record).collect();
        assert!(moved.contains(&&key(Collection::Customer, AREA_CUSTOMER)));
        assert!(moved.contains(&&key(Collection::Contact, AREA_CONTACT)));
        assert!(moved.contains(&&key(Collection::Opportunity, OPEN_DEAL)));
        assert!(
            writes.epochs.users.contains(&id(MOVER)),
            "the person's own scope changed"
        );

        // Moving back (the chart's undo) brings them back the same way.
        let back = store.apply(
            &manager(),
            vec![set(
                Collection::User,
                MOVER,
                json!({"unit_id": id(AREA_A), "manager_id": id(MANAGER)}),
            )],
        );
        assert_eq!(back.response.outcomes, [Outcome::Applied { id: 1 }]);
        assert_eq!(unit_of(&store, Collection::Customer, AREA_CUSTOMER), a);
        assert_eq!(unit_of(&store, Collection::Contact, AREA_CONTACT), a);
        assert_eq!(unit_of(&store, Collection::Opportunity, OPEN_DEAL), a);
    }

    #[test]
    fn a_manager_may_not_move_a_person_out_of_their_region_and_a_rep_may_not_move_anyone() {
        let mut store = store();
        let out = store.apply(
            &manager(),
            vec![set(
                Collection::User,
                MOVER,
                json!({"unit_id": id(WEST_AREA)}),
            )],
        );
        assert_eq!(denied_action(&out), Some(Action::Reassign));
        assert_eq!(
            unit_of(&store, Collection::Customer, AREA_CUSTOMER),
            Some(id(AREA_A))
        );
        let rep = store.apply(
            &author(REP, Role::SalesRep, REGION),
            vec![set(Collection::User, MOVER, json!({"unit_id": id(AREA_B)}))],
        );
        assert_eq!(denied_action(&rep), Some(Action::Reassign));
        // An admin may: the customer follows across regions.
        let admin = store.apply(
            &author(ADMIN, Role::Admin, COMPANY),
            vec![set(
                Collection::User,
                MOVER,
                json!({"unit_id": id(WEST_AREA)}),
            )],
        );
        assert_eq!(admin.response.outcomes, [Outcome::Applied { id: 1 }]);
        assert_eq!(
            unit_of(&store, Collection::Customer, AREA_CUSTOMER),
            Some(id(WEST_AREA))
        );
    }

    #[test]
    fn a_regional_manager_moves_units_within_the_region_but_not_the_region_nor_into_itself() {
        let mut store = store();
        let moved = store.apply(
            &manager(),
            vec![set(
                Collection::OrgUnit,
                STORE,
                json!({"parent_id": id(AREA_B)}),
            )],
        );
        assert_eq!(moved.response.outcomes, [Outcome::Applied { id: 1 }]);
        assert!(moved.epochs.everyone, "every subtree may have changed");
        assert!(store.org().is_within(&id(STORE), &id(AREA_B)));

        let cycle = store.apply(
            &manager(),
            vec![set(
                Collection::OrgUnit,
                AREA_B,
                json!({"parent_id": id(STORE)}),
            )],
        );
        let Outcome::Rejected { reason, .. } = &cycle.response.outcomes[0] else {
            panic!("a unit below itself: {:?}", cycle.response);
        };
        assert_eq!(reason.code, RejectCode::Invalid);

        let region = store.apply(
            &manager(),
            vec![set(
                Collection::OrgUnit,
                REGION,
                json!({"parent_id": id(WEST)}),
            )],
        );
        assert_eq!(
            denied_action(&region),
            Some(Action::Reassign),
            "their own region is not theirs to move"
        );
        let away = store.apply(
            &manager(),
            vec![set(
                Collection::OrgUnit,
                AREA_B,
                json!({"parent_id": id(WEST)}),
            )],
        );
        assert_eq!(
            denied_action(&away),
            Some(Action::Reassign),
            "nor may a unit leave the region"
        );
    }
}

#[test]
fn a_region_is_broken_down_by_its_manager_and_approved_at_the_company_once_it_adds_up() {
    use crate::sync::protocol::DecideArgs;
    const AREA: u64 = 3;
    const AREA_B: u64 = 4;
    const COMPANY_TARGET: u64 = 60;
    const REGION_TARGET: u64 = 61;
    const AREA_TARGET: u64 = 62;
    const AREA_B_TARGET: u64 = 63;
    let mut store = Store::seeded();
    let target = |subject: u64, value: i64, parent: Option<u64>| {
        let mut fields = json!({"period": "year", "period_start": "2027-01-01",
            "subject_kind": "unit", "subject_id": id(subject), "metric": "sales_amount",
            "value": value, "unit_id": id(subject)});
        if let Some(parent) = parent {
            fields["parent_id"] = json!(id(parent));
        }
        fields
    };
    store.apply(
        &system(),
        vec![
            create(
                Collection::OrgUnit,
                AREA,
                json!({"name": "苏州区", "kind": "area", "parent_id": id(REGION)}),
            ),
            create(
                Collection::OrgUnit,
                AREA_B,
                json!({"name": "无锡区", "kind": "area", "parent_id": id(REGION)}),
            ),
            create(
                Collection::Target,
                COMPANY_TARGET,
                target(COMPANY, 1_000, None),
            ),
            create(
                Collection::Target,
                REGION_TARGET,
                target(REGION, 1_000, Some(COMPANY_TARGET)),
            ),
        ],
    );
    let decide = |n: u64, status: &str, comment: Option<&str>| {
        Intent::DecideBreakdown(DecideArgs {
            id: id(n),
            status: status.into(),
            comment: comment.map(str::to_owned),
        })
    };
    let refusal = |writes: &Written| match &writes.response.outcomes[0] {
        Outcome::Rejected { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    let status = |store: &Store, n: u64| {
        store.records[&key(Collection::Target, n)].state.fields["breakdown_status"].clone()
    };
    let hq = author(16, Role::HqMarketing, COMPANY);
    let manager = author(14, Role::RegionalManager, REGION);

    // The region's own target is the company's share to set, not its manager's.
    let writes = store.apply(
        &manager,
        vec![set(
            Collection::Target,
            REGION_TARGET,
            json!({"value": 900}),
        )],
    );
    let reason = refusal(&writes).expect("the manager's own target is refused");
    assert!(
        matches!(
            reason.denial,
            Some(Denial::Action {
                action: Action::Field("value"),
                ..
            })
        ),
        "{reason:?}"
    );
    // The manager breaks the region down (100 short), and may not slip in another metric.
    let writes = store.apply(
        &manager,
        vec![
            create(
                Collection::Target,
                AREA_TARGET,
                target(AREA, 600, Some(REGION_TARGET)),
            ),
            create(
                Collection::Target,
                AREA_B_TARGET,
                target(AREA_B, 300, Some(REGION_TARGET)),
            ),
            decide(REGION_TARGET, "submitted", None),
        ],
    );
    assert_eq!(writes.verdicts.iter().filter(|v| v.2).count(), 0);
    assert_eq!(status(&store, REGION_TARGET), "submitted");
    let mut visits = target(AREA, 5, Some(REGION_TARGET));
    visits["metric"] = json!("visits");
    let writes = store.apply(&manager, vec![create(Collection::Target, 64, visits)]);
    assert_eq!(refusal(&writes).map(|r| r.code), Some(RejectCode::Invalid));

    // The region's breakdown is decided one unit up: not by its own manager.
    let writes = store.apply(&manager, vec![decide(REGION_TARGET, "approved", None)]);
    assert!(
        matches!(
            refusal(&writes).and_then(|r| r.denial),
            Some(Denial::Action {
                action: Action::Approve,
                ..
            })
        ),
        "{writes:?}"
    );
    // HQ may not approve it while it falls short, and is told by how much.
    let writes = store.apply(&hq, vec![decide(REGION_TARGET, "approved", None)]);
    let reason = refusal(&writes).expect("a breakdown that does not add up is refused");
    assert_eq!(reason.code, RejectCode::Invalid);
    assert!(reason.message.contains("100 short"), "{}", reason.message);
    assert_eq!(status(&store, REGION_TARGET), "submitted");
    assert!(
        store.asked.contains(&Wanted::Breakdown(id(REGION_TARGET))),
        "{:?}",
        store.asked
    );

    // Once it adds up, HQ approves; then the set is frozen, for the manager and HQ alike.
    let writes = store.apply(
        &manager,
        vec![set(
            Collection::Target,
            AREA_B_TARGET,
            json!({"value": 400}),
        )],
    );
    assert_eq!(refusal(&writes), None);
    let writes = store.apply(&hq, vec![decide(REGION_TARGET, "approved", None)]);
    assert_eq!(refusal(&writes), None);
    assert_eq!(status(&store, REGION_TARGET), "approved");
    for (who, n) in [(&manager, AREA_B_TARGET), (&hq, REGION_TARGET)] {
        let writes = store.apply(who, vec![set(Collection::Target, n, json!({"value": 401}))]);
        let reason = refusal(&writes).expect("an approved set is frozen");
        assert_eq!(reason.code, RejectCode::Invalid, "{reason:?}");
    }
    let writes = store.apply(
        &manager,
        vec![Intent::Delete(key(Collection::Target, AREA_TARGET))],
    );
    assert!(refusal(&writes).is_some());
    // Notes are not the breakdown: they stay open.
    let writes = store.apply(
        &manager,
        vec![set(
            Collection::Target,
            AREA_TARGET,
            json!({"notes": "含新店"}),
        )],
    );
    assert_eq!(refusal(&writes), None);

    // Reopening says why, and opens the set to its manager again.
    let writes = store.apply(&hq, vec![decide(REGION_TARGET, "draft", None)]);
    assert!(refusal(&writes).is_some());
    let writes = store.apply(&hq, vec![decide(REGION_TARGET, "draft", Some("新店并入"))]);
    assert_eq!(refusal(&writes), None);
    let writes = store.apply(
        &manager,
        vec![set(
            Collection::Target,
            AREA_B_TARGET,
            json!({"value": 401}),
        )],
    );
    assert_eq!(refusal(&writes), None);
}
