//! Fuzzing of core's decoders of outside input (issue 17): the push and pull bodies and what the
//! server decides over a push, the pull cursor, clock stamps, the audit trail's filters, the
//! import's CSV and .xlsx reader with its mappings, the org-chart file, the iCalendar reader, and
//! the small parsers of logins, dates and settings. Each takes valid samples mutated
//! (`fuzzing`) and holds: it never panics, errors are values, what an encoder wrote decodes to
//! the same value, and what is accepted encodes again to what decodes the same.
//!
//! The test command runs a few hundred cases per target; `YINGXIAO_FUZZ_SECONDS=600` runs each for
//! that long (see `fuzzing` for the seed and replay). Each crash found is a named test at the end.

mod fuzzing;

use std::collections::BTreeMap;

use fuzzing::{
    cases, mutate_bytes, mutate_json, mutate_text, mutated_body, odd_string,
    push::{a_date, id, push_json, Pool},
    random_char, Rng, Tally,
};
use serde_json::{json, Map, Value};
use yingxiao_core::{
    account::normalise_login,
    audit::{self, AuditQuery},
    base_path::BasePath,
    domain::{Collection, FieldKind},
    embed::FrameAncestors,
    ics,
    import::{
        column_fields, import_table, read_table, refused_rows, remember, remembered, ColumnMap,
        Defaults, Delimiter, Encoding, ImportKind, ImportOptions, ReadOptions, RecordIndex, Source,
        Table, ValueMap,
    },
    locale::Locale,
    org_chart::people::{plan_people, read_people, Existing},
    permission::Permissions,
    scope::{OrgTree, Role},
    sync::{
        history::Cursor,
        hlc::{Hlc, MAX_COUNTER, MAX_MILLIS},
        protocol::{Intent, Outcome, PullRequest, PushRequest, RecordRef},
        push::{
            validate_push, Author, ClientState, PushContext, PushDecision, ServerRecord, Wanted,
        },
    },
    time::{add_days, format_instant, parse_date, parse_instant, Datelike, NaiveDate},
};

/// The server's clock in these cases: 2025-06-15.
const NOW: u64 = 1_750_000_000_000;

/// A server in a map, as the push tests keep one: records, devices and the version counter.
#[derive(Default)]
struct Store {
    records: BTreeMap<RecordRef, ServerRecord>,
    clients: BTreeMap<String, ClientState>,
    version: i64,
}

impl Store {
    /// A company, a region, an administrator and a rep, written by the system as `seed` would.
    fn seeded() -> Store {
        let mut store = Store::default();
        let system = Author {
            user_id: "system".into(),
            role: Role::Admin,
            unit_id: String::new(),
            system: true,
        };
        let seed = json!({"client_id": id(900), "mutations": [
            {"id": 1, "hlc": Hlc::new(NOW - 100_000, 0, id(900)).to_string(), "name": "create",
             "args": {"collection": "org_units", "id": id(1), "fields": {"name": "总公司", "kind": "company"}}},
            {"id": 2, "hlc": Hlc::new(NOW - 100_000, 1, id(900)).to_string(), "name": "create",
             "args": {"collection": "org_units", "id": id(2), "fields": {"name": "华东", "kind": "region", "parent_id": id(1)}}},
            {"id": 3, "hlc": Hlc::new(NOW - 100_000, 2, id(900)).to_string(), "name": "create",
             "args": {"collection": "users", "id": id(3), "fields": {"name": "管理员", "login": "admin", "role": "admin", "unit_id": id(1)}}},
            {"id": 4, "hlc": Hlc::new(NOW - 100_000, 3, id(900)).to_string(), "name": "create",
             "args": {"collection": "users", "id": id(4), "fields": {"name": "业务员", "login": "rep", "role": "sales_rep", "unit_id": id(2)}}},
            {"id": 5, "hlc": Hlc::new(NOW - 100_000, 4, id(900)).to_string(), "name": "create",
             "args": {"collection": "customers", "id": id(5), "fields": {"name": "华锐超市", "kind": "dealer", "region_unit_id": id(2), "owner_id": id(4)}}},
        ]});
        let request: PushRequest = serde_json::from_value(seed).unwrap();
        let writes = store.push(&system, &request).unwrap();
        assert!(
            writes.iter().all(|o| matches!(o, Outcome::Applied { .. })),
            "the seed applies: {writes:?}"
        );
        store
    }

    fn pool(&self) -> Pool {
        let mut pool = Pool::new();
        for (key, row) in &self.records {
            if !row.state.deleted {
                pool.entry(key.collection).or_default().push(key.id.clone());
            }
        }
        pool
    }

    fn org(&self) -> OrgTree {
        OrgTree::new(self.records.iter().filter_map(|(key, row)| {
            let parent = row.state.fields.get("parent_id")?.as_str()?;
            (key.collection == Collection::OrgUnit).then(|| (key.id.clone(), parent.to_owned()))
        }))
    }

    /// Decides and stores a push the way the server does; the outcomes, or why it was refused.
    fn push(&mut self, author: &Author, request: &PushRequest) -> Result<Vec<Outcome>, String> {
        validate_push(request).map_err(|e| e.to_string())?;
        let context = PushContext {
            author: author.clone(),
            org: self.org(),
            permissions: Permissions::defaults(),
            version: self.version,
            now_millis: NOW,
        };
        let client = self.clients.get(&request.client_id);
        let mut decision =
            PushDecision::start(request, client, context).map_err(|e| e.to_string())?;
        let mut rounds = 0;
        while let Some(wanted) = decision.advance() {
            rounds += 1;
            assert!(
                rounds < 10_000,
                "a push that never stops asking: {wanted:?}"
            );
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
            decision.supply(found);
        }
        let writes = decision.finish();
        assert!(writes.version >= self.version, "the version went back");
        self.records.extend(writes.records.iter().cloned());
        self.version = writes.version;
        self.clients.insert(
            request.client_id.clone(),
            ClientState {
                user_id: author.user_id.clone(),
                last_mutation_id: writes.response.last_mutation_id,
            },
        );
        Ok(writes.response.outcomes)
    }
}

#[track_caller]
fn assert_round_trip<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("what was accepted does not decode once encoded: {e}\n{text}"));
    assert_eq!(&back, value, "decode(encode(x)) != x");
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        text,
        "the encoding is not stable"
    );
}

#[test]
fn push_bodies_are_refused_or_decided_never_panic() {
    let client = id(777);
    let author = Author {
        user_id: id(3),
        role: Role::Admin,
        unit_id: id(1),
        system: false,
    };
    let samples: Vec<Vec<u8>> = {
        let mut rng = Rng::new(1);
        (0..4)
            .map(|_| {
                serde_json::to_vec(&push_json(&mut rng, &client, 1, 3, &Pool::new(), NOW)).unwrap()
            })
            .collect()
    };
    let samples: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
    let mut store = Store::seeded();
    let mut next = 1;
    let mut tally = Tally::new("push_bodies");
    for (mut rng, mut case) in cases("push_bodies", 600) {
        let rng = &mut rng;
        let count = rng.between(1, 6);
        let valid = push_json(rng, &client, next, count, &store.pool(), NOW);
        let body = if rng.one_in(3) {
            serde_json::to_vec(&valid).unwrap()
        } else {
            mutated_body(rng, &valid, &samples)
        };
        case.input(&String::from_utf8_lossy(&body));
        let Ok(request) = serde_json::from_slice::<PushRequest>(&body) else {
            tally.add("not a push");
            continue;
        };
        assert_round_trip(&request);
        let Ok(outcomes) = store.push(&author, &request) else {
            tally.add("refused whole");
            continue;
        };
        assert_eq!(outcomes.len(), request.mutations.len(), "one outcome each");
        for outcome in &outcomes {
            tally.add(match outcome {
                Outcome::Applied { .. } => "mutations applied",
                Outcome::Rejected { .. } => "mutations rejected",
                Outcome::Duplicate { .. } => "mutations duplicate",
            });
        }
        if let Some(last) = request.mutations.last() {
            next = next.max(last.id + 1);
        }
        // Exactly once: the same push again changes nothing.
        let again = store.push(&author, &request).unwrap();
        assert!(
            again.iter().all(|o| matches!(o, Outcome::Duplicate { .. })),
            "a retried push did something: {again:?}"
        );
    }
}

#[test]
fn pull_bodies_decode_or_are_refused() {
    let valid = json!({"client_id": id(777), "cursor": Cursor::start(&id(1), 3).encode(),
        "limit": 1000, "last_mutation_id": 12});
    let text = serde_json::to_vec(&valid).unwrap();
    for (mut rng, mut case) in cases("pull_bodies", 1500) {
        let body = mutated_body(&mut rng, &valid, &[&text]);
        case.input(&String::from_utf8_lossy(&body));
        if let Ok(request) = serde_json::from_slice::<PullRequest>(&body) {
            assert_round_trip(&request);
            if let Some(cursor) = request.cursor.as_deref() {
                let _ = Cursor::decode(cursor);
            }
        }
    }
}

fn a_cursor(rng: &mut Rng) -> Cursor {
    let number = |rng: &mut Rng| match rng.below(4) {
        0 => 0,
        1 => i64::MAX,
        _ => (rng.next_u64() >> rng.below(64)) as i64 & i64::MAX,
    };
    let word = |rng: &mut Rng, empty: bool| -> String {
        let len = if empty {
            rng.below(65)
        } else {
            rng.between(1, 64)
        };
        (0..len)
            .map(|_| *rng.pick(b"0123456789abcdefABCDEF-z") as char)
            .collect()
    };
    if rng.one_in(4) {
        Cursor {
            database: None,
            epoch: number(rng),
            version: number(rng),
            mark: None,
            rejections_seen: number(rng),
        }
    } else {
        Cursor {
            database: Some(word(rng, false)),
            epoch: number(rng),
            version: number(rng),
            mark: Some(word(rng, true)),
            rejections_seen: number(rng),
        }
    }
}

#[test]
fn pull_cursors_decode_what_was_encoded_and_refuse_the_rest() {
    let samples: Vec<String> = {
        let mut rng = Rng::new(2);
        (0..8).map(|_| a_cursor(&mut rng).encode()).collect()
    };
    let samples: Vec<&str> = samples.iter().map(String::as_str).collect();
    for (mut rng, mut case) in cases("pull_cursor", 3000) {
        let rng = &mut rng;
        let made = a_cursor(rng);
        case.input(&made);
        assert_eq!(Cursor::decode(&made.encode()), Some(made.clone()));
        let text = mutate_text(rng, &made.encode(), &samples);
        case.input(&text);
        if let Some(read) = Cursor::decode(&text) {
            assert_eq!(Cursor::decode(&read.encode()), Some(read.clone()));
            assert!(read.epoch >= 0 && read.version >= 0 && read.rejections_seen >= 0);
        }
    }
}

#[test]
fn clock_stamps_parse_only_their_one_spelling() {
    for (mut rng, mut case) in cases("hlc", 2000) {
        let rng = &mut rng;
        let node: String = (0..rng.between(1, 64))
            .map(|_| *rng.pick(b"abcdef0123456789-_XYZ") as char)
            .collect();
        let made = Hlc::new(
            rng.next_u64() % (MAX_MILLIS + 1),
            (rng.next_u64() % (u64::from(MAX_COUNTER) + 1)) as u32,
            node,
        );
        assert_eq!(made.to_string().parse::<Hlc>(), Ok(made.clone()));
        let text = mutate_text(rng, &made.to_string(), &["001750000000000-00000-a"]);
        case.input(&text);
        if let Ok(read) = text.parse::<Hlc>() {
            assert_eq!(
                read.to_string(),
                text,
                "an accepted stamp re-encodes as written"
            );
        }
        let json = Value::from(text.clone()).to_string();
        let _ = serde_json::from_str::<Hlc>(&json);
    }
}

#[test]
fn audit_filters_are_read_or_refused() {
    const NAMES: &[&str] = &[
        "collection",
        "record",
        "user",
        "from",
        "until",
        "before",
        "limit",
    ];
    for (mut rng, mut case) in cases("audit_query", 1500) {
        let rng = &mut rng;
        let cursor = audit::Cursor {
            received_at: rng.next_u64() as i64,
            client_id: odd_string(rng),
            mutation_id: rng.next_u64() as i64,
        };
        let text = cursor.to_string();
        let read = AuditQuery::parse([("before", text.as_str())]).unwrap();
        assert_eq!(read.before, Some(cursor));
        let pairs: Vec<(String, String)> = (0..rng.between(1, 5))
            .map(|_| {
                let name = if rng.one_in(8) {
                    odd_string(rng)
                } else {
                    rng.pick(NAMES).to_string()
                };
                let value = match rng.below(4) {
                    0 => odd_string(rng),
                    1 => mutate_text(rng, &text, &[]),
                    2 => mutate_text(rng, "2026-03-31", &[]),
                    _ => mutate_text(rng, "customers", &["200", "1"]),
                };
                (name, value)
            })
            .collect();
        case.input(&pairs);
        if let Ok(query) = AuditQuery::parse(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))) {
            assert!((1..=audit::MAX_LIMIT).contains(&query.limit));
        }
    }
}

/// Files of each kind as people send them, in the encodings and delimiters Excel writes.
fn csv_samples() -> Vec<Vec<u8>> {
    let customers = "客户名称,客户类型,所属区域,负责人,客户等级,外部编号\n华锐超市,经销商,华东,rep,重点,C-001\n\"东方, 百货\",dealer,华东,admin,A,C-002\n\"多行\n名称\",KA,SH,rep,B,\n";
    let users =
        "login;name;role;unit;manager\nwang;王伟;sales_rep;华东;admin\nli;李强;区域主管;SH;wang\n";
    let deals = "external_id\tcustomer\tname\tamount\tstage\texpected_close\nD-1\t华锐超市\t年货\t1234.50\t赢单\t2026-03-05\nD-2\tC-002\t饮料\t-1\tlost\t2026/13/40\n";
    let orders = "order_no|customer|ordered_on|amount|status\nO-1|华锐超市|2026-01-02|100|已完成\n";
    let units = "code,name,kind,parent\nSH,上海,area,华东\nHD,华东,region,\n";
    let targets = "subject,metric,period,amount\n华东,revenue,2026-03,1000000\nrep,deals,2026,12\n";
    let people = "工号,姓名,职务,部门,上级工号\n1001,张总,总经理,总公司,\n1002,王经理,大区经理,华东大区,1001\n1003,李主管,主管,上海,1002\n1004,赵,业务,上海,1003\n";
    let mut samples: Vec<Vec<u8>> = [customers, users, deals, orders, units, targets, people]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let (gbk, _, _) = encoding_rs::GBK.encode(customers);
    samples.push(gbk.into_owned());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(deals.encode_utf16().flat_map(u16::to_le_bytes));
    samples.push(utf16);
    let mut utf16_be = vec![0xFE, 0xFF];
    utf16_be.extend(people.encode_utf16().flat_map(u16::to_be_bytes));
    samples.push(utf16_be);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(units.as_bytes());
    samples.push(bom);
    samples
}

/// The natural keys of the stored records (`record_index`), as a file would name them.
const KNOWN_KEYS: &[&str] = &[
    "HQ",
    "HD",
    "华东",
    "总公司",
    "admin",
    "rep",
    "1004",
    "华锐超市",
    "C-001",
    "T-1",
    "绿茶",
];

/// A cell for the field `name` of `kind` as a person would type it: usually one the import
/// reads, sometimes a near miss or nothing at all.
fn cell_for(rng: &mut Rng, kind: ImportKind, name: &str) -> String {
    if rng.one_in(15) {
        return odd_string(rng);
    }
    let collection = kind.collection();
    let def = collection
        .field(name)
        .or_else(|| collection.field(&format!("{name}_id")))
        .or_else(|| collection.field(&format!("{name}_ids")));
    let Some(def) = def else {
        // Stage dates, `created`, `closed`, `subject`…: a date, or a key.
        return match rng.below(3) {
            0 => rng.pick(KNOWN_KEYS).to_string(),
            1 => rng
                .pick(&["2026-03-05", "2026/3/5", "2026-03-05 08:30", "46086", "yes"])
                .to_string(),
            _ => a_date(rng).to_string(),
        };
    };
    match def.kind {
        FieldKind::Text { .. } => (0..rng.between(1, 12)).map(|_| random_char(rng)).collect(),
        FieldKind::Integer { min, max } => {
            let n = min.saturating_add((rng.next_u64() % 1000) as i64).min(max);
            n.to_string()
        }
        FieldKind::Money => rng
            .pick(&[
                "1234.50",
                "1,234.5",
                "¥100",
                "100元",
                "-1",
                "0",
                "9007199254740.99",
                "1e3",
            ])
            .to_string(),
        FieldKind::Percent => rng.pick(&["50", "50%", "0.5", "100", "101"]).to_string(),
        FieldKind::Date => match rng.below(3) {
            0 => rng
                .pick(&[
                    "2026/3/5",
                    "2026年3月5日",
                    "20260305",
                    "2026-02-30",
                    "46086",
                ])
                .to_string(),
            _ => a_date(rng).to_string(),
        },
        FieldKind::Instant => rng
            .pick(&[
                "2026-03-05T08:30:00Z",
                "2026-03-05 08:30",
                "2026-03-05T08:30:00+08:00",
                "2026-03-05",
            ])
            .to_string(),
        FieldKind::Bool => rng
            .pick(&["是", "否", "yes", "no", "TRUE", "0", "1", "在职"])
            .to_string(),
        FieldKind::Enum(_) => {
            let choices = def.choices().unwrap_or_default();
            match (rng.below(3), choices.is_empty()) {
                (_, true) => odd_string(rng),
                (0, _) => rng.pick(choices).label_zh.to_owned(),
                (1, _) => rng.pick(choices).label_en.to_uppercase(),
                _ => rng.pick(choices).value.to_owned(),
            }
        }
        FieldKind::Ref(_) | FieldKind::RefList(_) => match rng.below(6) {
            0 => id(rng.between(1, 6) as u64),
            1 => format!("{}、{}", rng.pick(KNOWN_KEYS), rng.pick(KNOWN_KEYS)),
            _ => rng.pick(KNOWN_KEYS).to_string(),
        },
        FieldKind::Lines(_) | FieldKind::Attachment => String::new(),
    }
}

/// A header of some of `kind`'s fields (now and then a column it does not know) and rows of cells
/// for them, some rows repeating another's key, some short, some blank.
fn import_rows(rng: &mut Rng, kind: ImportKind) -> (Vec<String>, Vec<Vec<String>>) {
    let fields = kind.fields();
    let collection = kind.collection();
    let mut headers = Vec::new();
    for field in &fields {
        // A reference is named by its field (`owner_id`) or its short name (`owner`), not both.
        let long = [format!("{field}_id"), format!("{field}_ids")];
        if long.iter().any(|l| collection.field(l).is_some()) {
            continue;
        }
        let required = collection.field(field).is_some_and(|d| d.required);
        if rng.one_in(if required { 40 } else { 2 }) != required {
            let short = field
                .strip_suffix("_ids")
                .or_else(|| field.strip_suffix("_id"));
            match short.filter(|s| fields.contains(s) && rng.one_in(2)) {
                Some(short) => headers.push(short.to_owned()),
                None => headers.push(field.to_string()),
            }
        }
    }
    if rng.one_in(5) {
        headers.push(odd_string(rng));
    }
    let rows = (0..rng.length(40))
        .map(|_| {
            let mut row: Vec<String> = headers.iter().map(|h| cell_for(rng, kind, h)).collect();
            match rng.below(40) {
                0 => row.truncate(rng.below(row.len() + 1)),
                1 => row.iter_mut().for_each(|c| c.clear()),
                _ => {}
            }
            row
        })
        .collect();
    (headers, rows)
}

/// The table as CSV bytes, as Excel would save it: quoted where it must be, in one of the
/// encodings and delimiters the reader takes.
fn csv_bytes(rng: &mut Rng, headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let delimiter = *rng.pick(&[',', ',', '\t', ';', '|']);
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .map(|c| {
                if c.contains([delimiter, '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(&delimiter.to_string())
    };
    let newline = *rng.pick(&["\n", "\r\n", "\r"]);
    let mut text = line(headers) + newline;
    for row in rows {
        text.push_str(&line(row));
        text.push_str(newline);
    }
    match rng.below(6) {
        0 => encoding_rs::GB18030.encode(&text).0.into_owned(),
        1 => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        2 => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        3 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        _ => text.into_bytes(),
    }
}

fn read_options(rng: &mut Rng) -> ReadOptions {
    if rng.below(4) > 0 {
        return ReadOptions::default();
    }
    let word = |rng: &mut Rng, words: &[&str]| -> String {
        if rng.one_in(5) {
            odd_string(rng)
        } else {
            rng.pick(words).to_string()
        }
    };
    ReadOptions {
        delimiter: Delimiter::parse(&word(
            rng,
            &[
                "auto",
                "comma",
                "tab",
                "semicolon",
                "pipe",
                ",",
                "\t",
                ";",
                "|",
            ],
        ))
        .unwrap_or_default(),
        encoding: Encoding::parse(&word(
            rng,
            &["auto", "utf-8", "gbk", "gb18030", "utf-16le", "utf-16be"],
        ))
        .unwrap_or_default(),
        sheet: match rng.below(3) {
            0 => None,
            1 => Some(word(rng, &["客户", "Sheet1", " deals ", ""])),
            _ => Some(odd_string(rng)),
        },
    }
}

/// The stored records an import is read against: units, people, a customer, a product.
fn record_index() -> RecordIndex {
    let mut index = RecordIndex::new();
    let fields = |v: Value| v.as_object().cloned().unwrap();
    index.add(
        Collection::OrgUnit,
        &id(1),
        &fields(json!({"name": "总公司", "code": "HQ", "kind": "company"})),
    );
    index.add(
        Collection::OrgUnit,
        &id(2),
        &fields(json!({"name": "华东", "code": "HD", "kind": "region", "parent_id": id(1)})),
    );
    index.add(
        Collection::User,
        &id(3),
        &fields(json!({"name": "管理员", "login": "admin", "role": "admin", "unit_id": id(1)})),
    );
    index.add(
        Collection::User,
        &id(4),
        &fields(
            json!({"name": "业务员", "login": "rep", "role": "sales_rep", "unit_id": id(2), "employee_no": "1004"}),
        ),
    );
    index.add(
        Collection::Customer,
        &id(5),
        &fields(
            json!({"name": "华锐超市", "kind": "dealer", "region_unit_id": id(2), "owner_id": id(4), "external_id": "C-001"}),
        ),
    );
    index.add(
        Collection::Product,
        &id(6),
        &fields(json!({"name": "绿茶", "sku": "T-1"})),
    );
    index
}

/// Imports `table` with mappings made from samples, the way the CLI and the browser call it, and
/// checks what it hands on: intents the server accepts, refused rows it can write.
fn import_and_check(
    rng: &mut Rng,
    kind: ImportKind,
    table: &Table,
    index: &RecordIndex,
    tally: &mut Tally,
) -> String {
    // Mostly the kind the file was made for; now and then another.
    let kind = if rng.one_in(6) {
        *rng.pick(&ImportKind::ALL)
    } else {
        kind
    };
    let spec = |rng: &mut Rng, sample: &str| -> String {
        match rng.below(6) {
            0 => sample.to_owned(),
            1 => mutate_text(rng, sample, &[]),
            _ => String::new(),
        }
    };
    let fields = kind.fields();
    let mut own = Vec::new();
    for header in &table.headers {
        if rng.one_in(4) {
            let header = header
                .replace('\\', "\\\\")
                .replace(',', "\\,")
                .replace('=', "\\=");
            let field = match rng.below(4) {
                0 => "",
                1 => rng.pick(&fields),
                _ => header.as_str(),
            };
            own.push(format!("{header}={field}"));
        }
    }
    let columns = match rng.below(4) {
        0 => own.join(","),
        1 => spec(rng, "客户名称=name,负责人=owner,金额\\,含税=amount,备注="),
        _ => String::new(),
    };
    let values = spec(
        rng,
        "stage:Won=won,tier:重点=A,active:在职=yes,kind:经销商=dealer",
    );
    let defaults = spec(rng, "unit=HD,currency=CNY,owner=rep");
    let described = format!("{kind:?} map={columns:?} values={values:?} defaults={defaults:?}");
    let mut options = ImportOptions::new(
        kind,
        match rng.below(4) {
            0 => odd_string(rng),
            _ => "2026-03-15T08:00:00Z".to_owned(),
        },
    );
    let (Ok(columns), Ok(values), Ok(defaults)) = (
        ColumnMap::parse(&columns),
        ValueMap::parse(&values),
        Defaults::parse(&defaults),
    ) else {
        tally.add("mapping refused");
        return described;
    };
    options.columns = columns;
    options.values = values;
    options.defaults = defaults;
    options.key = match rng.below(4) {
        0 => Some(odd_string(rng)),
        1 => Some(
            rng.pick(&["name", "code", "login", "sku", " Name "])
                .to_string(),
        ),
        _ => None,
    };
    let _ = column_fields(kind, &table.headers, &options.columns);
    let mut n = 0;
    let report = import_table(table, &options, index, || {
        n += 1;
        id(10_000 + n)
    });
    if let Ok(report) = &report {
        tally.add("imported");
        if !report.valid.is_empty() {
            tally.add("with valid rows");
        }
        for (line, intent) in &report.valid {
            assert!(
                intent.validate().is_ok(),
                "line {line}: the import made an intent the server refuses: {:?}\n{intent:?}",
                intent.validate()
            );
            let text = serde_json::to_string(intent).unwrap();
            assert_eq!(&serde_json::from_str::<Intent>(&text).unwrap(), intent);
        }
        let locale = *rng.pick(&[Locale::ZhCn, Locale::En]);
        let _ = refused_rows(table, report, locale);
    } else if let Err(e) = &report {
        let name: &'static str = Box::leak(
            format!(
                "refused {}",
                format!("{e:?}").split([' ', '{', '(']).next().unwrap()
            )
            .into_boxed_str(),
        );
        tally.add(name);
    }
    // The company's remembered choices: whatever the synced record holds.
    let company = match rng.below(3) {
        0 => Map::new(),
        1 => json!({"import_mappings": [{"kind": kind.as_str(), "header": "客户名称", "field": "name"}]})
            .as_object()
            .cloned()
            .unwrap(),
        _ => {
            let mut value =
                json!({"import_mappings": [{"kind": kind.as_str(), "header": "x", "field": "y"}]});
            mutate_json(rng, &mut value);
            value.as_object().cloned().unwrap_or_default()
        }
    };
    let merged = remember(&company, kind, &options.columns);
    let mut company = company;
    company.insert("import_mappings".into(), merged);
    let _ = remembered(&company, kind, &table.headers);
    described
}

/// A table as read: a header, then rows each on a later line than the one before and not blank.
#[track_caller]
fn assert_table_shape(table: &Table) {
    assert!(
        table.headers.iter().all(|h| h.trim() == h),
        "untrimmed header"
    );
    let mut previous = 0;
    for row in &table.rows {
        assert!(row.line > previous, "lines out of order: {table:?}");
        previous = row.line;
        assert!(
            row.cells.iter().any(|c| !c.trim().is_empty()),
            "a blank row was kept"
        );
    }
    if let Source::Csv {
        encoding,
        delimiter,
    } = &table.read_as
    {
        assert_ne!(*encoding, Encoding::Auto);
        assert_ne!(*delimiter, Delimiter::Auto);
    }
}

#[test]
fn csv_imports_with_their_mappings_never_panic() {
    let samples = csv_samples();
    let sample_slices: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
    let index = record_index();
    let mut tally = Tally::new("import_csv");
    for (mut rng, mut case) in cases("import_csv", 400) {
        let rng = &mut rng;
        let kind = *rng.pick(&ImportKind::ALL);
        let mut bytes = if rng.one_in(5) {
            rng.pick(&samples).clone()
        } else {
            let (headers, rows) = import_rows(rng, kind);
            csv_bytes(rng, &headers, &rows)
        };
        if rng.one_in(3) {
            mutate_bytes(rng, &mut bytes, &sample_slices);
        }
        let options = read_options(rng);
        case.input(&(String::from_utf8_lossy(&bytes), &options));
        let table = match read_table(&bytes, &options) {
            Ok(table) => table,
            Err(e) => {
                let name: &'static str = Box::leak(
                    format!(
                        "unreadable {}",
                        format!("{e:?}").split([' ', '{', '(']).next().unwrap()
                    )
                    .into_boxed_str(),
                );
                tally.add(name);
                continue;
            }
        };
        assert_table_shape(&table);
        let described = import_and_check(rng, kind, &table, &index, &mut tally);
        case.input(&(String::from_utf8_lossy(&bytes), &options, described));
    }
}

/// One cell of a generated sheet: where, and its XML.
fn sheet_cell(rng: &mut Rng, row: usize, column: usize) -> String {
    let reference = match rng.below(30) {
        0 => String::new(),
        1 => odd_string(rng),
        2 => format!("{}{}", column_name(column).to_lowercase(), row),
        3 => "XFD1048576".to_owned(),
        4 => format!(
            "A{}",
            rng.pick(&["0", "1048577", "4294967295", "4294967296", "99999999999"])
        ),
        // Past Excel's last column (XFD), up to past what a u32 holds.
        5 => format!(
            "{}{}",
            rng.pick(&[
                "XFE",
                "ZZZZ",
                "AAAAAA",
                "ZZZZZZ",
                "ZZZZZZZ",
                "ZZZZZZZZZZZZZ"
            ]),
            row
        ),
        _ => format!("{}{}", column_name(column), row),
    };
    let r = if reference.is_empty() {
        String::new()
    } else {
        format!(" r=\"{}\"", xml_text(&reference))
    };
    let number = |rng: &mut Rng| -> String {
        match rng.below(6) {
            0 => fuzzing::odd_number(rng).to_string(),
            1 => rng
                .pick(&[
                    "NaN", "inf", "-inf", "1e309", "-0", "", "abc", "0x10", "1,5",
                ])
                .to_string(),
            _ => format!(
                "{}",
                (rng.next_u64() % 100_000) as f64 / rng.between(1, 100) as f64
            ),
        }
    };
    match rng.below(8) {
        0 | 1 => format!(
            "<c{r} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
            xml_text(&odd_string(rng))
        ),
        2 => format!(
            "<c{r} t=\"s\"><v>{}</v></c>",
            rng.pick(&["0", "1", "2", "3", "99", "-1", "4294967296", "x"])
        ),
        3 => format!("<c{r}><v>{}</v></c>", number(rng)),
        4 => format!(
            "<c{r} s=\"{}\"><v>{}</v></c>",
            rng.pick(&["1", "2", "7", "-1"]),
            number(rng)
        ),
        5 => format!(
            "<c{r} t=\"b\"><v>{}</v></c>",
            rng.pick(&["0", "1", "2", "true"])
        ),
        6 => format!("<c{r} t=\"e\"><v>#N/A</v></c>"),
        _ => format!(
            "<c{r} t=\"{}\"><v>{}</v></c>",
            rng.pick(&["str", "d", "n", "z", ""]),
            xml_text(&odd_string(rng))
        ),
    }
}

fn column_name(mut column: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

/// Text as XML writes it; characters XML 1.0 cannot hold are left in, as a broken writer would.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A workbook of generated sheets, with its parts mutated before they are zipped.
fn generated_workbook(rng: &mut Rng, kind: ImportKind) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let sheets = rng.between(1, 3);
    let mut names = Vec::new();
    let mut parts: Vec<(String, String)> = Vec::new();
    for i in 1..=sheets {
        names.push(match rng.below(3) {
            0 => xml_text(&odd_string(rng)),
            _ => rng.pick(&["客户", "Sheet1", "Deals", "客户"]).to_string(),
        });
        let mut xml = format!("<worksheet xmlns=\"{MAIN}\"><sheetData>");
        if !rng.one_in(4) {
            // A sheet of the kind's columns, typed as Excel types them.
            let (headers, rows) = import_rows(rng, kind);
            let top = rng.between(1, 3);
            let left = rng.below(3);
            for (at, cells) in std::iter::once(&headers).chain(&rows).enumerate() {
                let row = top + at;
                xml.push_str(&format!("<row r=\"{row}\">"));
                for (column, text) in cells.iter().enumerate() {
                    let r = format!("{}{row}", column_name(left + column));
                    xml.push_str(&match text.parse::<f64>() {
                        Ok(_) if at > 0 => format!("<c r=\"{r}\"><v>{text}</v></c>"),
                        _ => format!(
                            "<c r=\"{r}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                            xml_text(text)
                        ),
                    });
                }
                xml.push_str("</row>");
            }
            xml.push_str("</sheetData></worksheet>");
            parts.push((format!("xl/worksheets/sheet{i}.xml"), xml));
            continue;
        }
        for row in 1..=rng.length(30) {
            let row = if rng.one_in(15) {
                rng.between(1, 40)
            } else {
                row
            };
            xml.push_str(&format!("<row r=\"{row}\">"));
            for column in 0..rng.length(12) {
                xml.push_str(&sheet_cell(rng, row, column));
            }
            xml.push_str("</row>");
        }
        xml.push_str("</sheetData></worksheet>");
        parts.push((format!("xl/worksheets/sheet{i}.xml"), xml));
    }
    let sheet_list: String = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                "<sheet name=\"{name}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                i + 1,
                i + 1
            )
        })
        .collect();
    let sheet_rels: String = (1..=sheets)
        .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"{DOC}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        .collect();
    let strings: String = (0..rng.between(0, 4))
        .map(|_| format!("<si><t>{}</t></si>", xml_text(&odd_string(rng))))
        .collect();
    parts.extend([
        ("[Content_Types].xml".to_owned(), "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>".to_owned()),
        ("_rels/.rels".to_owned(), format!("<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
        ("xl/workbook.xml".to_owned(), format!("<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC}\">{}<sheets>{sheet_list}</sheets></workbook>",
            if rng.one_in(4) { "<workbookPr date1904=\"1\"/>" } else { "" })),
        ("xl/_rels/workbook.xml.rels".to_owned(), format!("<Relationships xmlns=\"{RELS}\">{sheet_rels}<Relationship Id=\"rIdS\" Type=\"{DOC}/styles\" Target=\"styles.xml\"/><Relationship Id=\"rIdT\" Type=\"{DOC}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>")),
        ("xl/styles.xml".to_owned(), format!("<styleSheet xmlns=\"{MAIN}\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"[h]:mm:ss\"/></numFmts><cellXfs count=\"3\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>")),
        ("xl/sharedStrings.xml".to_owned(), format!("<sst xmlns=\"{MAIN}\">{strings}</sst>")),
    ]);
    // Now and then a part's XML itself is broken.
    if rng.one_in(6) {
        let at = rng.below(parts.len());
        parts[at].1 = mutate_text(rng, &parts[at].1, &[]);
    }
    if rng.one_in(10) {
        parts.remove(rng.below(parts.len()));
    }
    zip_of(&parts, rng.one_in(2))
}

fn zip_of(parts: &[(String, String)], deflated: bool) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if deflated {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (path, content) in parts {
        zip.start_file(path, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A workbook as Excel's own writer would make it (styles, dates, shared strings, deflate).
fn written_workbook() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("客户").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (c, header) in ["客户名称", "签约日期", "金额", "启用"].iter().enumerate() {
        sheet.write_string(0, c as u16, *header).unwrap();
    }
    for r in 1..20u32 {
        sheet.write_string(r, 0, format!("客户{r}")).unwrap();
        sheet
            .write_number_with_format(r, 1, 46_000.0 + f64::from(r), &date)
            .unwrap();
        sheet.write_number(r, 2, f64::from(r) * 1234.5).unwrap();
        sheet.write_boolean(r, 3, r % 2 == 0).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn xlsx_imports_never_panic() {
    let written = written_workbook();
    let index = record_index();
    let mut tally = Tally::new("import_xlsx");
    for (mut rng, mut case) in cases("import_xlsx", 300) {
        let rng = &mut rng;
        let kind = *rng.pick(&ImportKind::ALL);
        let mut bytes = if rng.one_in(4) {
            written.clone()
        } else {
            generated_workbook(rng, kind)
        };
        if rng.one_in(5) {
            let other = written.clone();
            mutate_bytes(rng, &mut bytes, &[&other]);
        }
        let options = read_options(rng);
        case.input(&(&bytes, &options));
        let table = match read_table(&bytes, &options) {
            Ok(table) => table,
            Err(e) => {
                let name: &'static str = Box::leak(
                    format!(
                        "unreadable {}",
                        format!("{e:?}").split([' ', '{', '(']).next().unwrap()
                    )
                    .into_boxed_str(),
                );
                tally.add(name);
                continue;
            }
        };
        assert_table_shape(&table);
        import_and_check(rng, kind, &table, &index, &mut tally);
    }
}

#[test]
fn org_chart_files_are_planned_or_refused() {
    let samples = csv_samples();
    let people = samples[6].clone();
    let sample_slices: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
    let existing = Existing {
        units: vec![(id(1), "总公司".into(), "HQ".into(), "company".into(), id(3))],
        people: vec![(id(3), "1001".into(), "admin".into())],
    };
    for (mut rng, mut case) in cases("org_people", 600) {
        let rng = &mut rng;
        let mut bytes = people.clone();
        mutate_bytes(rng, &mut bytes, &sample_slices);
        case.input(&String::from_utf8_lossy(&bytes));
        let Ok(rows) = read_people(&bytes) else {
            continue;
        };
        let mut n = 0;
        if let Ok(plan) = plan_people(&rows, &existing, || {
            n += 1;
            id(20_000 + n)
        }) {
            for intent in &plan.intents {
                assert!(
                    intent.validate().is_ok(),
                    "the org file made an intent the server refuses: {:?}\n{intent:?}",
                    intent.validate()
                );
            }
        }
    }
}

fn calendar_samples() -> Vec<String> {
    let rules = [
        "DTSTART;VALUE=DATE:20260307\r\nRRULE:FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20260331",
        "DTSTART;VALUE=DATE:20260302\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=5",
        "DTSTART;VALUE=DATE:20260131\r\nRRULE:FREQ=MONTHLY;UNTIL=20261231",
        "DTSTART;VALUE=DATE:20260118\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=18;COUNT=12\r\nEXDATE;VALUE=DATE:20260618\r\nRDATE;VALUE=DATE:20261111",
        "DTSTART;VALUE=DATE:20240229\r\nRRULE:FREQ=YEARLY",
        "DTSTART;TZID=Asia/Shanghai:20260303T090000\r\nDTEND;TZID=Asia/Shanghai:20260305T180000",
        "DTSTART:20260302T200000Z\r\nDTEND:20260303T100000Z",
        "DTSTART;VALUE=DATE:20260301\r\nDURATION:P1W2DT3H",
    ];
    let mut samples: Vec<String> = rules
        .iter()
        .map(|lines| format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:年货节\\, 满减\r\n{lines}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
        .collect();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    samples.push(ics::calendar(
        "促销日历",
        &[ics::Event {
            id: "0193b3c4-7a1e-7000-8000-000000000001",
            summary: "「春节」年货节，满 300 减 50；含换行\n与反斜杠\\",
            description: Some("折扣 · 已批准"),
            location: Some("联华一店、联华二店"),
            first: day(2, 10),
            last: day(2, 17),
        }],
        "20261201T000000Z",
    ));
    samples
}

/// Rule parts at the edges of their numbers, which the samples' mutations rarely reach.
fn odd_rule(rng: &mut Rng) -> String {
    let freq = rng.pick(&["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]);
    let number = rng.pick(&[
        "0",
        "1",
        "400",
        "11000",
        "2147483000",
        "2147483648",
        "3000000000",
        "4294967295",
        "4294967296",
    ]);
    let part = rng.pick(&["INTERVAL", "COUNT", "BYMONTHDAY"]);
    let start = rng.pick(&["00000101", "20260301", "99991231"]);
    let extra = match rng.below(4) {
        0 => format!(
            "\r\nDURATION:P{}D",
            rng.pick(&["95000000", "18446744073709551615", "3000000000000000000"])
        ),
        1 => format!("\r\nDURATION:P{}W", rng.pick(&["3000000000000000000", "1"])),
        2 => "\r\nRDATE;VALUE=DATE:99991231,00010101".to_owned(),
        _ => String::new(),
    };
    format!("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{start}\r\nRRULE:FREQ={freq};{part}={number}{extra}\r\nEND:VEVENT\r\n")
}

#[test]
fn calendars_are_read_or_their_events_skipped_never_panic() {
    let samples = calendar_samples();
    let sample_refs: Vec<&str> = samples.iter().map(String::as_str).collect();
    for (mut rng, mut case) in cases("ics_import", 1500) {
        let rng = &mut rng;
        let text = match rng.below(5) {
            0 => odd_rule(rng),
            _ => {
                let sample = *rng.pick(&sample_refs);
                mutate_text(rng, sample, &sample_refs)
            }
        };
        let horizon = match rng.below(4) {
            0 => NaiveDate::MAX,
            1 => NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
            _ => NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
        };
        case.input(&(&text, horizon));
        let (found, _skipped) = ics::read(&text, horizon);
        for event in &found {
            assert!(event.first <= event.last, "{event:?}");
        }
    }
}

#[test]
fn calendars_we_write_read_back_as_the_same_events() {
    for (mut rng, mut case) in cases("ics_round_trip", 800) {
        let rng = &mut rng;
        let texts: Vec<(String, Option<String>, Option<String>, String)> = (0..rng.between(1, 4))
            .map(|_| {
                let text = |rng: &mut Rng| -> String {
                    (0..rng.length(200))
                        .map(|_| random_char(rng))
                        .filter(|c| *c != '\r')
                        .collect()
                };
                let id = format!(
                    "{:032x}",
                    u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64())
                );
                (
                    text(rng),
                    Some(text(rng)).filter(|t| !t.is_empty()),
                    Some(text(rng)).filter(|t| !t.is_empty()),
                    id,
                )
            })
            .collect();
        let days: Vec<(NaiveDate, NaiveDate)> = texts
            .iter()
            .map(|_| {
                let year = NaiveDate::from_ymd_opt(rng.between(1, 9998) as i32, 1, 1).unwrap();
                let first = add_days(year, rng.below(365) as i64).unwrap();
                (first, add_days(first, rng.below(60) as i64).unwrap())
            })
            .collect();
        let events: Vec<ics::Event> = texts
            .iter()
            .zip(&days)
            .map(
                |((summary, description, location, id), (first, last))| ics::Event {
                    id,
                    summary,
                    description: description.as_deref(),
                    location: location.as_deref(),
                    first: *first,
                    last: *last,
                },
            )
            .collect();
        case.input(&events);
        let name = odd_string(rng);
        let file = ics::calendar(&name, &events, "20261201T000000Z");
        let (found, skipped) = ics::read(&file, NaiveDate::MAX);
        assert_eq!(skipped, [], "{file}");
        let back: Vec<ics::Imported> = events
            .iter()
            .map(|e| ics::Imported {
                uid: format!("{}@{}", e.id, ics::UID_DOMAIN),
                summary: e.summary.to_owned(),
                description: e.description.map(str::to_owned),
                location: e.location.map(str::to_owned),
                first: e.first,
                last: e.last,
            })
            .collect();
        assert_eq!(found, back, "{file}");
    }
}

#[test]
fn logins_dates_and_settings_parse_to_one_form() {
    for (mut rng, mut case) in cases("small_parsers", 600) {
        let rng = &mut rng;
        let text = match rng.below(4) {
            0 => odd_string(rng),
            1 => mutate_text(rng, "François.Wang_1", &["张伟", "İstanbul"]),
            2 => mutate_text(
                rng,
                "2026-02-28T23:59:59.999Z",
                &["0001-01-01", "9999-12-31"],
            ),
            _ => mutate_text(
                rng,
                "/yingxiao/",
                &["https://*.portal.example.com:8443", "http://[::1]"],
            ),
        };
        case.input(&text);
        if let Ok(login) = normalise_login(&text) {
            assert_eq!(
                normalise_login(&login),
                Ok(login.clone()),
                "a stored login normalises to itself"
            );
        }
        if let Some(date) = parse_date(&text) {
            assert_eq!(date.to_string(), text);
            assert!((1..=9999).contains(&date.year()));
        }
        if let Some(at) = parse_instant(&text) {
            let millis = u64::try_from(at.timestamp_millis()).ok();
            if let Some(millis) = millis.filter(|m| *m <= MAX_MILLIS) {
                assert_eq!(parse_instant(&format_instant(millis)), Some(at));
            }
        }
        let _ = Collection::parse(&text);
        let _ = Role::parse(&text);
        let _ = ImportKind::parse(&text);
        let _ = yingxiao_core::list::SearchQuery::parse(&text).matches("华锐超市 huarui");
        if let Ok(base) = BasePath::parse(&text) {
            assert_eq!(BasePath::parse(base.as_str()).as_ref(), Ok(&base));
        }
        if let Ok(ancestors) = FrameAncestors::parse(&text) {
            let _ = ancestors.allows(&text);
            let _ = ancestors.csp_sources();
        }
        let _ = yingxiao_core::attachment::sniff(text.as_bytes());
        let _ = audit::device_label(&text);
        let millis = rng.next_u64() % (MAX_MILLIS + 1);
        let at = format_instant(millis);
        assert_eq!(
            parse_instant(&at).map(|t| t.timestamp_millis()),
            Some(millis as i64),
            "{at}"
        );
    }
}

// Crashes the fuzzer found, each kept as the case that shows it.

/// Two mutations numbered `u64::MAX` then anything: `validate_push` added one to the first id to
/// check the second, which overflowed (a panic in debug builds, a wrap to 0 in release). Found by
/// the fuzzer's long form; fixed in `core/src/sync/push/mod.rs`.
#[test]
fn push_ids_at_the_top_of_u64_are_refused_not_overflowed() {
    let client = id(777);
    let hlc = Hlc::new(NOW, 0, client.as_str()).to_string();
    let body = json!({"client_id": client, "mutations": [
        {"id": u64::MAX, "hlc": hlc, "name": "delete", "args": {"collection": "customers", "id": id(5)}},
        {"id": 1, "hlc": hlc, "name": "delete", "args": {"collection": "customers", "id": id(5)}},
    ]});
    let request: PushRequest = serde_json::from_value(body).unwrap();
    assert!(validate_push(&request).is_err());
}

/// A workbook whose cell reference spells a column past Excel's last (`ZZZZZZ` is column
/// 321,272,406): the reader made a row of that many empty cells (about 8 GB) before this refusal.
#[test]
fn a_workbook_cell_past_the_sheet_is_refused_not_allocated() {
    for reference in ["ZZZZZZ1", "XFE1", "A1048577", "ZZZZZZZZZZ1", "A99999999999"] {
        let sheet = format!(
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>客户名称</t></is></c>\
             <c r=\"{reference}\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
        );
        let read = read_table(&one_sheet_workbook(&sheet), &ReadOptions::default());
        assert!(
            matches!(
                read,
                Err(yingxiao_core::import::ImportError::NotAWorkbook { .. })
            ),
            "{reference}: {read:?}"
        );
    }
    let last = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>h</t></is></c></row>\
        <row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>";
    let table = read_table(&one_sheet_workbook(last), &ReadOptions::default()).unwrap();
    assert_eq!(
        table.rows[0].line, 1_048_576,
        "the sheet's last cell is read"
    );
    assert_eq!(table.rows[0].cells.len(), 16_384);
}

/// A workbook of one sheet whose `<sheetData>` holds `rows`.
fn one_sheet_workbook(rows: &str) -> Vec<u8> {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let part = |path: &str, xml: String| (path.to_owned(), xml);
    zip_of(
        &[
            part(
                "[Content_Types].xml",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>"
                    .to_owned(),
            ),
            part(
                "_rels/.rels",
                format!("<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
            ),
            part(
                "xl/workbook.xml",
                format!("<workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC}\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
            ),
            part(
                "xl/_rels/workbook.xml.rels",
                format!("<Relationships xmlns=\"{RELS}\"><Relationship Id=\"rId1\" Type=\"{DOC}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
            ),
            part(
                "xl/worksheets/sheet1.xml",
                format!("<worksheet xmlns=\"{MAIN}\"><sheetData>{rows}</sheetData></worksheet>"),
            ),
        ],
        false,
    )
}

fn vevent(lines: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nSUMMARY:s\r\n{lines}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
}

/// `FREQ=YEARLY;INTERVAL=3000000000`: the reader multiplied the period by the interval in `u32`
/// and added it to the year in `i32`, and both overflowed (a panic in debug builds).
#[test]
fn a_rule_with_an_interval_near_u32_max_ends_without_overflow() {
    let horizon = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
    for interval in ["2147483000", "2147483648", "3000000000", "4294967295"] {
        for freq in ["YEARLY", "MONTHLY", "WEEKLY", "DAILY"] {
            let file = vevent(&format!(
                "DTSTART;VALUE=DATE:20260301\r\nRRULE:FREQ={freq};INTERVAL={interval}"
            ));
            let (found, skipped) = ics::read(&file, horizon);
            assert_eq!(skipped, [], "{freq} {interval}");
            assert_eq!(
                found.len(),
                1,
                "{freq} {interval}: only the first occurrence"
            );
        }
    }
}

/// `DURATION:P3000000000000000000W` overflowed the day count (a panic in debug builds, a wrong
/// length in release), and one that ran past chrono's calendar silently became a one-day event.
#[test]
fn a_duration_no_calendar_holds_is_a_bad_date() {
    let horizon = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
    for duration in [
        "P3000000000000000000W",
        "P18446744073709551615D1D",
        "P18446744073709551615DT1H",
        "P95000000D",
    ] {
        let file = vevent(&format!(
            "DTSTART;VALUE=DATE:20260301\r\nDURATION:{duration}"
        ));
        let (found, skipped) = ics::read(&file, horizon);
        assert_eq!(found, [], "{duration}");
        let reasons: Vec<&ics::Skip> = skipped.iter().map(|s| &s.reason).collect();
        assert_eq!(reasons, [&ics::Skip::BadDate(duration.to_owned())]);
    }
}

/// An event ten thousand years long from the year 0, every thousand years up to chrono's last
/// day: an occurrence plus the length ran past the calendar, where `day + Days` panics.
#[test]
fn an_occurrence_and_its_length_stay_inside_the_calendar() {
    let file = vevent(
        "DTSTART;VALUE=DATE:00000101\r\nDTEND;VALUE=DATE:99991231\r\n\
         RRULE:FREQ=YEARLY;INTERVAL=1000\r\nRDATE;VALUE=DATE:99991231",
    );
    let (found, skipped) = ics::read(&file, NaiveDate::MAX);
    assert_eq!(skipped, []);
    assert!(found
        .iter()
        .all(|e| e.first.year() <= 9999 && e.first <= e.last));
    assert_eq!(found.len(), 11, "years 0, 1000, … 9000 and the RDATE");
}

/// A title of 300 characters (or a name or department past its field's limit) was planned into a
/// user the server refuses, so the whole org file's push failed with one mutation's error; now it
/// is a problem of its line, like a missing cell.
#[test]
fn an_org_file_cell_past_its_field_limit_is_a_problem_of_its_line() {
    let existing = Existing::default();
    for (title, department) in [
        ("主".repeat(300), "华东".to_owned()),
        ("主管".to_owned(), "部".repeat(300)),
    ] {
        let file = format!("工号,姓名,职务,部门,上级工号\n1001,张总,总经理,总公司,\n1002,王,{title},{department},1001\n");
        let rows = read_people(file.as_bytes()).unwrap();
        let mut n = 0;
        let problems = plan_people(&rows, &existing, || {
            n += 1;
            id(n)
        })
        .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 3);
        let expected = if title.len() > 100 {
            "Job title"
        } else {
            "department: “Name”"
        };
        assert!(problems[0].en.contains(expected), "{problems:?}");
    }
}
