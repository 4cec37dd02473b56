//! Deterministic simulation of the sync protocol: no write is lost or applied twice.
//!
//! Three to five devices, each a `DeviceState` driven only through `core::sync::client`, edit one
//! user's customers (create, edit fields, delete) and sync through a simulated network with an
//! in-memory server: its pushes are decided by `core::sync::push`, the code the real server runs, and
//! its pulls are modelled on `server/src/sync/pull.rs`. A seeded PRNG picks every
//! step: user changes (also offline), pushes and pulls, delivery in any order, dropped and duplicated
//! messages, push copies missing their first mutations (so the server sees gaps), pushes committing
//! between the reads of a pull, devices offline for long stretches, reloads that forget every request
//! in flight, server crashes between commit and reply, and (in a third of the seeds) the server
//! restored from one of its earlier backups, which the devices must notice (`sync::history`) and
//! recover from by sending again what it lost (`client::recover`). Devices apply only the reply they wait for;
//! in half the seeds they also apply stale replies that are safe by content. Then the network heals
//! and every device syncs until nothing is pending.
//!
//! Invariants checked for every seed:
//! - the server processes each (client, mutation id) at most once, checked at every step;
//! - a device drops a mutation from pending only once its pulled records hold that mutation's write,
//!   checked at every complete pull;
//! - after healing every device shows exactly the server's live records, fields and stamps;
//! - every mutation ever made was applied once by the server as it ends, or was rejected once and
//!   sits in its device's rejected list with the server's reason (or was rejected and shown before
//!   a restore took the verdict away); nothing is left pending. A mutation is known by its stamp,
//!   which stays when a device numbers its work anew.
//!
//! Over all seeds the run must have seen rejections, duplicates, gaps, stale replies and crashes, so
//! the test cannot pass by exercising nothing.
//!
//! `YINGXIAO_SIM_SEEDS=100000` runs more seeds; `YINGXIAO_SIM_SEED=42` runs one and prints its events.

use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    env, fmt, panic,
    time::Instant,
};

use serde_json::{json, Map, Value};
use yingxiao_core::{
    domain::Collection,
    id::is_record_id,
    permission::Permissions,
    scope::{OrgTree, Role},
    sync::{
        apply::StoredRecord,
        client::{self, DeviceState, RejectedChange},
        clock::{MAX_AGE_MILLIS, MAX_AHEAD_MILLIS},
        history::{self, Cursor, ServerPoint},
        hlc::{Hlc, MAX_MILLIS},
        protocol::{
            CreateArgs, Intent, Mutation, Outcome, PullRequest, PullResponse, PushRequest,
            PushResponse, Record, RecordRef, RejectedMutation, Rejection, SetFieldsArgs,
            DEFAULT_PULL_LIMIT, MAX_MUTATIONS_PER_PUSH, MAX_PULL_LIMIT,
        },
        push::{
            validate_push, Author, ClientState, PushContext, PushDecision, PushRefusal,
            ServerRecord, Wanted,
        },
    },
};

/// Seeds in a plain `cargo test` run.
const DEFAULT_SEEDS: u64 = 1_000;
/// Random steps before the network heals.
const STEPS: u64 = 220;
/// Devices stop creating customers once they know this many, so edits and deletes collide.
const MAX_KNOWN: usize = 6;
/// Events kept for the report of a failing seed.
const TRACE_LEN: usize = 60;

// ---------------------------------------------------------------------------------------------------
// A seeded PRNG (splitmix64): tiny, and the same sequence on every platform.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; the modulo bias is irrelevant here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A lowercase UUID (version 7 layout), as record and client ids must be.
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

// ---------------------------------------------------------------------------------------------------
// The server: pushes decided by `core::sync::push`, the code `server/src/sync/push.rs` runs, over maps
// in place of its tables; pulls as `server/src/sync/pull.rs` answers a user who sees everything.

/// Why the server refused a whole pull; the HTTP status is in the name.
#[derive(Clone, Debug, PartialEq)]
enum PullRefusal {
    /// 422: a client id that is no UUID.
    Unprocessable(String),
    /// 403: the client id belongs to another user.
    Forbidden,
    /// 400: a cursor the server never issued, or a bad limit.
    BadRequest(String),
}

/// What the server decided for one mutation: its audit row.
#[derive(Clone, Debug)]
struct Verdict {
    mutation: Mutation,
    rejection: Option<Rejection>,
    /// The version it wrote, if it changed its record.
    written: Option<i64>,
}

/// Where a concurrent push may commit during a pull.
#[derive(Clone, Copy, Debug, PartialEq)]
enum PullPoint {
    BeforeRows,
    BeforeRejections,
}

/// The system's client, which writes what the server holds before any device syncs.
const SYSTEM_CLIENT: &str = "0190a000-0000-7000-8000-000000000001";

#[derive(Clone)]
struct Server {
    /// The database's identity; a restore keeps it.
    database: String,
    /// Each commit's last version and its mark, as the `history` table keeps them.
    history: BTreeMap<i64, String>,
    /// Marks made so far: a restored server goes on counting, as random marks never repeat.
    marks: u64,
    /// The company's one org unit, the user's unit and the region the customers name.
    company_id: String,
    /// Every record ever written, tombstones included, as `server/src/sync` stores it.
    records: BTreeMap<RecordRef, ServerRecord>,
    /// The same records by version, for pages in version order.
    by_version: BTreeMap<i64, RecordRef>,
    version: i64,
    clients: BTreeMap<String, ClientState>,
    /// (client id, mutation id) → verdict: every mutation processed, applied or rejected.
    audit: BTreeMap<(String, u64), Verdict>,
    /// Keys processed a second time: exactly what exactly-once forbids.
    processed_twice: Vec<(String, u64)>,
    /// Stamps the server's clock corrected.
    clamped: u64,
}

impl Server {
    /// A server holding the company unit and the user's record, written by the system as `seed`
    /// writes them, so the reference rule finds what the devices' customers name.
    fn new(company_id: &str) -> Self {
        let mut server = Self {
            database: "0190a000-0000-7000-8000-0000000000db".into(),
            history: BTreeMap::from([(0, history::FIRST_MARK.to_owned())]),
            marks: 0,
            company_id: company_id.to_owned(),
            records: BTreeMap::new(),
            by_version: BTreeMap::new(),
            version: 0,
            clients: BTreeMap::new(),
            audit: BTreeMap::new(),
            processed_twice: Vec::new(),
            clamped: 0,
        };
        let create = |collection: Collection, id: &str, fields: Value| {
            Intent::Create(CreateArgs {
                collection,
                id: id.to_owned(),
                fields: fields.as_object().cloned().unwrap_or_default(),
            })
        };
        let intents = [
            create(
                Collection::OrgUnit,
                company_id,
                json!({"name": "华东食品", "kind": "company"}),
            ),
            create(
                Collection::User,
                USER,
                json!({"name": "陈静", "login": "chen", "role": Role::HqMarketing.as_str(),
                    "unit_id": company_id}),
            ),
        ];
        let request = PushRequest {
            client_id: SYSTEM_CLIENT.into(),
            mutations: intents
                .into_iter()
                .zip(1..)
                .map(|(intent, id)| Mutation {
                    id,
                    hlc: Hlc::new(WALL_START, id as u32, SYSTEM_CLIENT),
                    intent,
                })
                .collect(),
        };
        let system = Author {
            user_id: "system".into(),
            role: Role::Admin,
            unit_id: String::new(),
            system: true,
        };
        match server.push_as(&system, &request, WALL_START) {
            Ok(reply)
                if reply
                    .outcomes
                    .iter()
                    .all(|o| matches!(o, Outcome::Applied { .. })) => {}
            refused => panic!("the system could not write the company: {refused:?}"),
        }
        server
    }

    /// A push by the simulation's user (HQ marketing, who sees and may change every customer).
    fn push(
        &mut self,
        user_id: &str,
        request: &PushRequest,
        now: u64,
    ) -> Result<PushResponse, PushRefusal> {
        let author = Author {
            user_id: user_id.to_owned(),
            role: Role::HqMarketing,
            unit_id: self.company_id.clone(),
            system: false,
        };
        self.push_as(&author, request, now)
    }

    /// What `server/src/sync/push.rs` does, with maps for tables: validate, decide reading what the
    /// decision asks for, then store its writes at once (one transaction there).
    fn push_as(
        &mut self,
        author: &Author,
        request: &PushRequest,
        now: u64,
    ) -> Result<PushResponse, PushRefusal> {
        validate_push(request)?;
        let (org, permissions) = self.company();
        let context = PushContext {
            author: author.clone(),
            org,
            permissions,
            version: self.version,
            now_millis: now,
        };
        let client = self.clients.get(&request.client_id);
        let mut decision = PushDecision::start(request, client, context)?;
        while let Some(wanted) = decision.advance() {
            let found = self.read(&wanted);
            decision.supply(found);
        }
        let writes = decision.finish();
        for verdict in writes.verdicts {
            if verdict.hlc != verdict.mutation.hlc {
                self.clamped += 1;
            }
            let key = (request.client_id.clone(), verdict.mutation.id);
            let audit = Verdict {
                mutation: verdict.mutation.clone(),
                rejection: verdict.rejection,
                written: verdict.version,
            };
            if self.audit.insert(key.clone(), audit).is_some() {
                self.processed_twice.push(key);
            }
        }
        for (key, row) in writes.records {
            self.store(key, row);
        }
        if writes.version > self.version {
            self.marks += 1;
            self.history
                .insert(writes.version, format!("{:016x}", self.marks));
        }
        self.version = writes.version;
        // The client row appears with its first push and advances in the same transaction.
        self.clients.insert(
            request.client_id.clone(),
            ClientState {
                user_id: author.user_id.clone(),
                last_mutation_id: writes.response.last_mutation_id,
            },
        );
        Ok(writes.response)
    }

    /// The org tree and the permission table, as the server loads them from the org units.
    fn company(&self) -> (OrgTree, Permissions) {
        let mut parents = Vec::new();
        let mut permissions = Permissions::defaults();
        for (key, row) in &self.records {
            if key.collection != Collection::OrgUnit || row.state.deleted {
                continue;
            }
            match row.state.fields.get("parent_id").and_then(Value::as_str) {
                Some(parent) => parents.push((key.id.clone(), parent.to_owned())),
                None => permissions = Permissions::from_company(&row.state.fields),
            }
        }
        (OrgTree::new(parents), permissions)
    }

    /// The stored rows a decision asks for.
    fn read(&self, wanted: &Wanted) -> Vec<(RecordRef, ServerRecord)> {
        match wanted {
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
        }
    }

    /// Stores a record's new state under its new version, which moves it to the end of the pages.
    fn store(&mut self, key: RecordRef, row: ServerRecord) {
        if let Some(old) = self.records.get(&key) {
            self.by_version.remove(&old.version);
        }
        self.by_version.insert(row.version, key.clone());
        self.records.insert(key, row);
    }

    /// The real pull reads in several statements, not from one snapshot, so another device's push
    /// may commit between them: `meanwhile` runs at each such point and may change the server.
    fn pull(
        &mut self,
        user_id: &str,
        request: &PullRequest,
        mut meanwhile: impl FnMut(&mut Self, PullPoint),
    ) -> Result<PullResponse, PullRefusal> {
        if !is_record_id(&request.client_id) {
            return Err(PullRefusal::Unprocessable(
                "client_id must be a UUID".into(),
            ));
        }
        let limit = request.limit.unwrap_or(DEFAULT_PULL_LIMIT);
        if limit == 0 || limit > MAX_PULL_LIMIT {
            return Err(PullRefusal::BadRequest(format!("limit {limit}")));
        }
        let given = match request.cursor.as_deref() {
            None => None,
            Some(text) => Some(
                Cursor::decode(text)
                    .ok_or_else(|| PullRefusal::BadRequest(format!("cursor {text:?}")))?,
            ),
        };
        // Read before the records, as the server does: a mutation it confirms is in the page.
        let last_mutation_id = match self.clients.get(&request.client_id) {
            Some(row) if row.user_id != user_id => return Err(PullRefusal::Forbidden),
            Some(row) => row.last_mutation_id,
            None => 0,
        };
        let mark_at_cursor = given
            .as_ref()
            .and_then(|cursor| self.mark_at(cursor.version));
        let point = ServerPoint {
            database: &self.database,
            mark_at_cursor: mark_at_cursor.as_deref(),
            last_mutation_id,
        };
        if history::rewound(
            given.as_ref(),
            request.last_mutation_id.unwrap_or(0),
            &point,
        ) {
            let client = request.client_id.clone();
            return Ok(PullResponse {
                rewound: true,
                reset: true,
                records: Vec::new(),
                deleted: Vec::new(),
                removed: Vec::new(),
                cursor: Cursor::start(&self.database, 0).encode(),
                has_more: true,
                last_mutation_id,
                rejections: self.rejections(&client, 0),
            });
        }
        let from = given.unwrap_or_else(|| Cursor::start(&self.database, 0));
        meanwhile(self, PullPoint::BeforeRows);
        let rows: Vec<&RecordRef> = self
            .by_version
            .range(from.version + 1..)
            .take(limit as usize)
            .map(|(_, key)| key)
            .collect();
        let has_more = rows.len() == limit as usize;
        let mut page_end = from.version;
        let mut records = Vec::new();
        let mut deleted = Vec::new();
        for key in rows {
            let ServerRecord { version, state, .. } = &self.records[key];
            page_end = *version;
            if state.deleted {
                // A first sync has nothing to delete.
                if from.version > 0 {
                    deleted.push(key.clone());
                }
                continue;
            }
            records.push(Record {
                collection: key.collection,
                id: key.id.clone(),
                version: *version,
                fields: state.fields.clone(),
                stamps: state.stamps.clone(),
            });
        }
        meanwhile(self, PullPoint::BeforeRejections);
        let rejections = self.rejections(&request.client_id, from.rejections_seen as u64);
        let rejections_seen = rejections
            .last()
            .map_or(from.rejections_seen, |r| r.mutation_id as i64);
        Ok(PullResponse {
            rewound: false,
            reset: false,
            records,
            deleted,
            removed: Vec::new(),
            cursor: Cursor {
                mark: Some(self.mark_at(page_end).unwrap_or_default()),
                version: page_end,
                rejections_seen,
                ..from
            }
            .encode(),
            has_more,
            last_mutation_id,
            rejections,
        })
    }

    /// The mark of the commit that wrote `version` (the empty mark at 0), as `pull.rs` reads it.
    fn mark_at(&self, version: i64) -> Option<String> {
        if version == 0 {
            return Some(String::new());
        }
        self.history
            .range(version..)
            .next()
            .map(|(_, mark)| mark.clone())
    }

    /// A client's rejections after mutation id `seen`.
    fn rejections(&self, client: &str, seen: u64) -> Vec<RejectedMutation> {
        let client = client.to_owned();
        self.audit
            .range((client.clone(), seen + 1)..=(client, u64::MAX))
            .filter_map(|((_, id), verdict)| {
                Some(RejectedMutation {
                    mutation_id: *id,
                    reason: verdict.rejection.clone()?,
                })
            })
            .collect()
    }

    fn live(&self) -> impl Iterator<Item = (&RecordRef, &StoredRecord)> {
        self.records
            .iter()
            .filter(|(_, row)| !row.state.deleted)
            .map(|(key, row)| (key, &row.state))
    }
}

// ---------------------------------------------------------------------------------------------------
// The careful client: what a device adds around `DeviceState` to talk over an unreliable network.

/// The mutations a device pushes (`client::push_batch`), and whether they start after a hole.
fn push_batch(pending: &[Mutation]) -> (Vec<Mutation>, bool) {
    let batch = client::push_batch(pending);
    let hole = batch.first().map(|m| m.id) != pending.first().map(|m| m.id);
    (batch.to_vec(), hole)
}

struct Device {
    state: DeviceState,
    /// The one request this device waits for; a reload forgets it, and any other reply is stale.
    waiting: Option<u64>,
    /// Offline until this step: what it sends and what is sent to it is lost.
    offline_until: u64,
    /// How far its wall clock is ahead of the simulation's, in milliseconds.
    skew: u64,
    /// A clock far off the server's, kept across reloads: hours or centuries ahead (a hostile device
    /// stamping the year 2286), or months behind. Zero for most devices.
    clock_fault: i64,
}

#[derive(Clone, Debug)]
enum Payload {
    Push(PushRequest),
    Pull(PullRequest),
    PushReply(Result<PushResponse, PushRefusal>),
    /// A pull page with the cursor it was asked from, as the device's HTTP call knows it.
    PullReply {
        asked_from: Option<String>,
        page: Result<PullResponse, PullRefusal>,
    },
}

#[derive(Clone, Debug)]
struct Message {
    device: usize,
    /// Which request this is, or answers.
    ticket: u64,
    payload: Payload,
}

// ---------------------------------------------------------------------------------------------------
// The simulation.

/// What happened in a run, summed over seeds for the report and for the teeth check.
#[derive(Clone, Debug, Default)]
struct Tally {
    seeds: u64,
    /// Stamps the server clamped because the device's clock was far off.
    clamped: u64,
    mutations: u64,
    invalid_refused_on_device: u64,
    applied: u64,
    rejected: u64,
    duplicates: u64,
    gaps: u64,
    /// Pushes made when the pending log had a hole (sending it whole would earn a 422).
    holes: u64,
    stale_replies_ignored: u64,
    stale_replies_applied: u64,
    crashes: u64,
    dropped: u64,
    duplicated: u64,
    truncated: u64,
    reloads: u64,
    timeouts: u64,
    pages: u64,
    big_pushes: u64,
    /// Servers restored to an earlier snapshot, devices that found out and started over, and the
    /// confirmed mutations they sent again.
    restores: u64,
    recoveries: u64,
    resent: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.seeds += other.seeds;
        self.clamped += other.clamped;
        self.mutations += other.mutations;
        self.invalid_refused_on_device += other.invalid_refused_on_device;
        self.applied += other.applied;
        self.rejected += other.rejected;
        self.duplicates += other.duplicates;
        self.gaps += other.gaps;
        self.holes += other.holes;
        self.stale_replies_ignored += other.stale_replies_ignored;
        self.stale_replies_applied += other.stale_replies_applied;
        self.crashes += other.crashes;
        self.dropped += other.dropped;
        self.duplicated += other.duplicated;
        self.truncated += other.truncated;
        self.reloads += other.reloads;
        self.timeouts += other.timeouts;
        self.pages += other.pages;
        self.big_pushes += other.big_pushes;
        self.restores += other.restores;
        self.recoveries += other.recoveries;
        self.resent += other.resent;
    }
}

const USER: &str = "0190a000-0000-7000-8000-0000000000aa";
const CITIES: [&str; 4] = ["上海", "杭州", "苏州", "南京"];
const WALL_START: u64 = 1_750_000_000_000;

struct Sim {
    seed: u64,
    rng: Rng,
    step: u64,
    server: Server,
    devices: Vec<Device>,
    network: Vec<Message>,
    next_ticket: u64,
    /// Every mutation any device made, as made.
    made: Vec<(usize, Mutation)>,
    /// Devices in this seed also apply stale replies that are still safe to apply (any push reply; a
    /// page asked from their current cursor), which tests that `client.rs` tolerates them.
    lenient: bool,
    /// One seed in a few has one burst of hundreds of edits; more would only slow the run.
    burst_left: bool,
    region_unit_id: String,
    /// Backups of the server taken so far (the first as it was set up); a restore goes back to one.
    backups: Vec<Server>,
    /// This seed restores its server now and then.
    restores: bool,
    tally: Tally,
    trace: VecDeque<String>,
    verbose: bool,
}

impl Sim {
    fn new(seed: u64, verbose: bool) -> Self {
        // Spread consecutive seeds over the PRNG's whole state.
        let mut rng = Rng::new(Rng::new(seed).next());
        let count = 3 + rng.below(3);
        let devices = (0..count)
            .map(|_| Device {
                state: DeviceState::new(rng.uuid()),
                waiting: None,
                offline_until: 0,
                skew: rng.below(5_000) as u64,
                clock_fault: 0,
            })
            .collect::<Vec<Device>>();
        let mut devices = devices;
        // One seed in three has a device whose clock is far off the server's.
        if rng.percent(33) {
            let d = rng.below(devices.len());
            devices[d].clock_fault = match rng.below(3) {
                0 => 3_600_000 + rng.below(10_000_000) as i64,
                1 => (MAX_MILLIS - WALL_START) as i64 - 1_000_000,
                _ => -(MAX_AGE_MILLIS as i64) - rng.below(10_000_000) as i64,
            };
        }
        let lenient = rng.percent(50);
        let burst_left = rng.percent(4);
        let region_unit_id = rng.uuid();
        let restores = rng.percent(30);
        let server = Server::new(&region_unit_id);
        Self {
            seed,
            rng,
            step: 0,
            backups: vec![server.clone()],
            restores,
            server,
            devices,
            network: Vec::new(),
            next_ticket: 1,
            made: Vec::new(),
            lenient,
            burst_left,
            region_unit_id,
            tally: Tally {
                seeds: 1,
                ..Tally::default()
            },
            trace: VecDeque::new(),
            verbose,
        }
    }

    fn note(&mut self, event: fmt::Arguments<'_>) {
        let line = format!("#{:<4} {event}", self.step);
        if self.verbose {
            println!("{line}");
        }
        if self.trace.len() == TRACE_LEN {
            self.trace.pop_front();
        }
        self.trace.push_back(line);
    }

    fn fail(&self, what: impl fmt::Display) -> ! {
        let trace: Vec<&str> = self.trace.iter().map(String::as_str).collect();
        panic!(
            "seed {} failed (rerun with YINGXIAO_SIM_SEED={}): {what}\nlast events:\n{}",
            self.seed,
            self.seed,
            trace.join("\n")
        );
    }

    fn run(mut self) -> Tally {
        for step in 1..=STEPS {
            self.step = step;
            self.random_step();
            self.check_exactly_once();
        }
        self.step += 1;
        self.heal();
        self.check_converged();
        self.check_every_mutation_accounted_for();
        self.check_no_stamp_beyond_the_server_clock();
        self.tally.clamped = self.server.clamped;
        self.tally
    }

    fn random_step(&mut self) {
        let d = self.rng.below(self.devices.len());
        match self.rng.below(100) {
            0..=23 => self.user_change(d),
            24..=35 => self.start_push(d),
            36..=47 => self.start_pull(d),
            48..=77 => self.deliver_any(false),
            78..=80 => self.deliver_any(true),
            81..=84 => self.drop_any(),
            85..=89 => self.duplicate_any(),
            90..=91 => self.truncate_any(),
            92..=93 => self.go_offline(d),
            94..=95 => self.reload(d),
            96 if self.burst_left => self.burst_of_edits(d),
            97 if self.restores => self.back_up(),
            98 if self.restores && self.rng.percent(40) => self.restore(),
            _ => self.user_change(d),
        }
    }

    fn offline(&self, d: usize) -> bool {
        self.step < self.devices[d].offline_until
    }

    fn wall(&self, d: usize) -> u64 {
        let device = &self.devices[d];
        let wall = (WALL_START + self.step * 40 + device.skew) as i64 + device.clock_fault;
        wall.max(0) as u64
    }

    /// The server's own clock.
    fn server_now(&self) -> u64 {
        WALL_START + self.step * 40
    }

    fn client_id(&self, d: usize) -> String {
        self.devices[d].state.client_id.clone()
    }

    // --- user changes ---------------------------------------------------------------------------

    /// The customers a device knows of: canonical ones and those its pending mutations name (the
    /// company and its user, pulled too, are not the user's to edit).
    fn known(&self, d: usize) -> Vec<RecordRef> {
        let state = &self.devices[d].state;
        let known: BTreeSet<RecordRef> = state
            .canonical
            .keys()
            .cloned()
            .chain(state.pending.iter().map(|m| m.intent.target()))
            .filter(|key| key.collection == Collection::Customer)
            .collect();
        known.into_iter().collect()
    }

    /// A random record the device's user sees; replays only until one is found, as replay is the
    /// slow part of the run.
    fn pick_visible(&mut self, d: usize, known: &[RecordRef]) -> Option<RecordRef> {
        let start = self.rng.below(known.len().max(1));
        (0..known.len())
            .map(|i| &known[(start + i) % known.len()])
            .find(|key| self.devices[d].state.view(key).is_some())
            .cloned()
    }

    fn new_customer(&mut self) -> Intent {
        let mut fields = Map::new();
        fields.insert(
            "name".into(),
            json!(format!("客户{}", self.rng.below(1_000))),
        );
        fields.insert("kind".into(), json!("dealer"));
        fields.insert("tier".into(), json!(*self.rng.pick(&["A", "B", "C"])));
        fields.insert("region_unit_id".into(), json!(self.region_unit_id));
        fields.insert("owner_id".into(), json!(USER));
        Intent::Create(CreateArgs {
            collection: Collection::Customer,
            id: self.rng.uuid(),
            fields,
        })
    }

    fn edit_fields(&mut self) -> Map<String, Value> {
        let mut fields = Map::new();
        for _ in 0..1 + self.rng.below(2) {
            let (field, value) = match self.rng.below(4) {
                0 => ("name", json!(format!("客户{}", self.rng.below(1_000)))),
                1 => ("tier", json!(*self.rng.pick(&["A", "B", "C"]))),
                2 if self.rng.percent(20) => ("city", Value::Null),
                2 => ("city", json!(*self.rng.pick(&CITIES))),
                _ if self.rng.percent(20) => ("notes", Value::Null),
                _ => ("notes", json!(format!("跟进 {}", self.rng.below(100)))),
            };
            fields.insert(field.into(), value);
        }
        fields
    }

    fn set_fields(&mut self, target: &RecordRef) -> Intent {
        Intent::SetFields(SetFieldsArgs {
            collection: target.collection,
            id: target.id.clone(),
            fields: self.edit_fields(),
        })
    }

    fn user_change(&mut self, d: usize) {
        let known = self.known(d);
        let roll = self.rng.below(100);
        let target = if roll < 15 && known.len() < MAX_KNOWN {
            None
        } else {
            self.pick_visible(d, &known)
        };
        let intent = match target {
            None => self.new_customer(),
            Some(target) => match roll {
                15..=26 => Intent::Delete(target),
                27..=29 => return self.refused_edit(d, &target),
                _ => self.set_fields(&target),
            },
        };
        self.make(d, intent);
    }

    /// A malformed edit (clearing a required field) is refused on the device and takes no id.
    fn refused_edit(&mut self, d: usize, target: &RecordRef) {
        let mut fields = Map::new();
        fields.insert("name".into(), Value::Null);
        let intent = Intent::SetFields(SetFieldsArgs {
            collection: target.collection,
            id: target.id.clone(),
            fields,
        });
        let wall = self.wall(d);
        let next_id = self.devices[d].state.outbox.next_id;
        if self.devices[d].state.mutate(intent, wall).is_ok() {
            self.fail(format!(
                "device {d} accepted a change clearing a required field"
            ));
        }
        if self.devices[d].state.outbox.next_id != next_id {
            self.fail(format!("device {d} spent an id on a refused change"));
        }
        self.tally.invalid_refused_on_device += 1;
    }

    fn make(&mut self, d: usize, intent: Intent) {
        let wall = self.wall(d);
        if let Err(error) = self.devices[d].state.mutate(intent, wall) {
            self.fail(format!("device {d} refused a valid change: {error:?}"));
        }
        let mutation = self.devices[d].state.pending.last().cloned().unwrap();
        self.note(format_args!(
            "d{d} makes #{} {}",
            mutation.id,
            describe(&mutation.intent)
        ));
        self.tally.mutations += 1;
        self.made.push((d, mutation));
    }

    /// Many edits of one record at once (autosave while typing offline), so a push needs several rounds.
    fn burst_of_edits(&mut self, d: usize) {
        let known = self.known(d);
        let Some(target) = self.pick_visible(d, &known) else {
            return;
        };
        self.burst_left = false;
        let count = MAX_MUTATIONS_PER_PUSH / 2 + self.rng.below(MAX_MUTATIONS_PER_PUSH);
        for _ in 0..count {
            let intent = self.set_fields(&target);
            self.make(d, intent);
        }
    }

    // --- requests -------------------------------------------------------------------------------

    /// A device sends only when it waits for nothing, or gives up on what it waits for (a timeout).
    fn may_send(&mut self, d: usize) -> bool {
        if self.devices[d].waiting.is_none() {
            return true;
        }
        if self.rng.percent(25) {
            self.devices[d].waiting = None;
            self.tally.timeouts += 1;
            return true;
        }
        false
    }

    fn send(&mut self, d: usize, payload: Payload) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.devices[d].waiting = Some(ticket);
        let what = match &payload {
            Payload::Push(request) => format!("push {}", ids(&request.mutations)),
            Payload::Pull(request) => format!("pull from {:?}", request.cursor),
            _ => unreachable!("devices send requests"),
        };
        if self.offline(d) {
            self.tally.dropped += 1;
            self.note(format_args!("d{d} t{ticket} {what}: offline, lost"));
            return;
        }
        self.note(format_args!("d{d} t{ticket} {what}"));
        self.network.push(Message {
            device: d,
            ticket,
            payload,
        });
    }

    fn start_push(&mut self, d: usize) {
        if !self.may_send(d) {
            return;
        }
        let (mutations, hole) = push_batch(&self.devices[d].state.pending);
        if mutations.is_empty() {
            return;
        }
        self.tally.holes += u64::from(hole);
        let client_id = self.client_id(d);
        self.send(
            d,
            Payload::Push(PushRequest {
                client_id,
                mutations,
            }),
        );
    }

    fn start_pull(&mut self, d: usize) {
        if self.may_send(d) {
            let request = self.pull_request(d);
            self.send(d, Payload::Pull(request));
        }
    }

    /// Small random pages, so pulls often take several.
    fn pull_request(&mut self, d: usize) -> PullRequest {
        let limit = 1 + self.rng.below(8) as u32;
        self.devices[d].state.pull_request(Some(limit))
    }

    // --- the network ----------------------------------------------------------------------------

    fn deliver_any(&mut self, crash: bool) {
        if !self.network.is_empty() {
            let index = self.rng.below(self.network.len());
            self.deliver(index, crash);
        }
    }

    fn drop_any(&mut self) {
        if !self.network.is_empty() {
            let index = self.rng.below(self.network.len());
            let message = self.network.swap_remove(index);
            self.tally.dropped += 1;
            self.note(format_args!(
                "lost: d{} t{}",
                message.device, message.ticket
            ));
        }
    }

    fn duplicate_any(&mut self) {
        if !self.network.is_empty() {
            let index = self.rng.below(self.network.len());
            let copy = self.network[index].clone();
            self.tally.duplicated += 1;
            self.note(format_args!("copied: d{} t{}", copy.device, copy.ticket));
            self.network.push(copy);
        }
    }

    /// A copy of a push that lost its first mutations on the way: the server must see a gap.
    fn truncate_any(&mut self) {
        let pushes: Vec<usize> = (0..self.network.len())
            .filter(
                |&i| matches!(&self.network[i].payload, Payload::Push(r) if r.mutations.len() > 1),
            )
            .collect();
        if pushes.is_empty() {
            return;
        }
        let mut copy = self.network[*self.rng.pick(&pushes)].clone();
        if let Payload::Push(request) = &mut copy.payload {
            let cut = 1 + self.rng.below(request.mutations.len() - 1);
            request.mutations.drain(..cut);
            self.note(format_args!(
                "truncated copy: d{} t{} now {}",
                copy.device,
                copy.ticket,
                ids(&request.mutations)
            ));
        }
        self.tally.truncated += 1;
        self.network.push(copy);
    }

    /// Delivers one message; with `crash`, the server commits a push but its reply is never sent.
    fn deliver(&mut self, index: usize, crash: bool) {
        let Message {
            device: d,
            ticket,
            payload,
        } = self.network.swap_remove(index);
        if self.offline(d) {
            self.tally.dropped += 1;
            self.note(format_args!("d{d} t{ticket}: device offline, lost"));
            return;
        }
        match payload {
            Payload::Push(request) => {
                let now = self.server_now();
                let reply = self.server.push(USER, &request, now);
                self.count_push(&request, &reply);
                if crash {
                    self.tally.crashes += 1;
                    self.note(format_args!(
                        "server crashed after committing d{d} t{ticket}"
                    ));
                    return;
                }
                self.network.push(Message {
                    device: d,
                    ticket,
                    payload: Payload::PushReply(reply),
                });
            }
            Payload::Pull(request) => {
                let page = self.pull_with_concurrent_push(&request);
                self.network.push(Message {
                    device: d,
                    ticket,
                    payload: Payload::PullReply {
                        asked_from: request.cursor,
                        page,
                    },
                });
            }
            Payload::PushReply(reply) => self.on_push_reply(d, ticket, reply),
            Payload::PullReply { asked_from, page } => {
                self.on_pull_reply(d, ticket, asked_from, page)
            }
        }
    }

    /// Serves a pull; sometimes a push still in the network commits part-way through it.
    fn pull_with_concurrent_push(
        &mut self,
        request: &PullRequest,
    ) -> Result<PullResponse, PullRefusal> {
        let pushes: Vec<usize> = (0..self.network.len())
            .filter(|&i| matches!(self.network[i].payload, Payload::Push(_)))
            .filter(|&i| !self.offline(self.network[i].device))
            .collect();
        if pushes.is_empty() || !self.rng.percent(25) {
            return self.server.pull(USER, request, |_, _| {});
        }
        let concurrent = self.network.swap_remove(*self.rng.pick(&pushes));
        let Payload::Push(push) = &concurrent.payload else {
            unreachable!("picked among pushes")
        };
        let point = *self
            .rng
            .pick(&[PullPoint::BeforeRows, PullPoint::BeforeRejections]);
        let mut reply = None;
        let now = self.server_now();
        let page = self.server.pull(USER, request, |server, at| {
            if at == point {
                reply = Some(server.push(USER, push, now));
            }
        });
        // A pull answered `rewound` stops before reading records: the push stays in the network.
        let Some(reply) = reply else {
            self.network.push(concurrent);
            return page;
        };
        self.note(format_args!(
            "server: d{} t{} commits {point:?} of a pull",
            concurrent.device, concurrent.ticket
        ));
        self.count_push(push, &reply);
        self.network.push(Message {
            device: concurrent.device,
            ticket: concurrent.ticket,
            payload: Payload::PushReply(reply),
        });
        page
    }

    fn count_push(&mut self, request: &PushRequest, reply: &Result<PushResponse, PushRefusal>) {
        let summary = match reply {
            Ok(response) => {
                let (mut applied, mut duplicate, mut rejected) = (0, 0, 0);
                for outcome in &response.outcomes {
                    match outcome {
                        Outcome::Applied { .. } => applied += 1,
                        Outcome::Duplicate { .. } => duplicate += 1,
                        Outcome::Rejected { .. } => rejected += 1,
                    }
                }
                self.tally.applied += applied;
                self.tally.duplicates += duplicate;
                self.tally.rejected += rejected;
                if request.mutations.len() > MAX_MUTATIONS_PER_PUSH / 2 {
                    self.tally.big_pushes += 1;
                }
                format!("applied {applied}, duplicate {duplicate}, rejected {rejected}")
            }
            Err(PushRefusal::Gap { expected, got }) => {
                self.tally.gaps += 1;
                format!("409: expected {expected}, got {got}")
            }
            Err(refusal) => self.fail(format!("a careful device's push was refused: {refusal:?}")),
        };
        self.note(format_args!(
            "server: push {} from {} -> {summary}",
            ids(&request.mutations),
            short(&request.client_id)
        ));
    }

    // --- the device's side of replies -----------------------------------------------------------

    fn on_push_reply(&mut self, d: usize, ticket: u64, reply: Result<PushResponse, PushRefusal>) {
        let awaited = self.devices[d].waiting == Some(ticket);
        if awaited {
            self.devices[d].waiting = None;
        }
        match reply {
            // A 409 changed nothing on the server; the device pulls and pushes again later.
            Err(refusal) => self.note(format_args!("d{d} t{ticket} refused: {refusal:?}")),
            // A push reply only moves rejected mutations out of pending, and a rejection is final,
            // so even a stale one is safe; the strict device still ignores it.
            Ok(response) if awaited || self.lenient => {
                if !awaited {
                    self.tally.stale_replies_applied += 1;
                }
                self.note(format_args!(
                    "d{d} t{ticket} applies push reply (last {}){}",
                    response.last_mutation_id,
                    if awaited { "" } else { ", stale" }
                ));
                self.devices[d].state.apply_push(&response);
            }
            Ok(_) => {
                self.tally.stale_replies_ignored += 1;
                self.note(format_args!("d{d} t{ticket} ignores a stale push reply"));
            }
        }
    }

    fn on_pull_reply(
        &mut self,
        d: usize,
        ticket: u64,
        asked_from: Option<String>,
        page: Result<PullResponse, PullRefusal>,
    ) {
        let awaited = self.devices[d].waiting == Some(ticket);
        if awaited {
            self.devices[d].waiting = None;
        }
        let page = match page {
            Ok(page) => page,
            Err(refusal) => self.fail(format!("a careful device's pull was refused: {refusal:?}")),
        };
        // A page continues the device's records only from the cursor it was asked from; one asked from
        // another cursor can leave a record older than the cursor says. The strict device also wants
        // its ticket.
        let fits = asked_from == self.devices[d].state.cursor;
        if !fits || !(awaited || self.lenient) {
            self.tally.stale_replies_ignored += 1;
            self.note(format_args!("d{d} t{ticket} ignores a stale page"));
            return;
        }
        if !awaited {
            self.tally.stale_replies_applied += 1;
        }
        self.note(format_args!(
            "d{d} t{ticket} applies page {} -> {} ({} records, {} deleted, {} rejections, last {}{})",
            asked_from.as_deref().unwrap_or("start"),
            page.cursor,
            page.records.len(),
            page.deleted.len(),
            page.rejections.len(),
            page.last_mutation_id,
            if page.has_more { ", more" } else { "" }
        ));
        self.tally.pages += 1;
        let (has_more, last) = (page.has_more, page.last_mutation_id);
        self.apply_page(d, page);
        if !has_more {
            self.check_confirmed_writes_pulled(d, last);
        }
        // The device goes on to the next page at once, as long as it is the one pulling.
        if has_more && awaited {
            let request = self.pull_request(d);
            self.send(d, Payload::Pull(request));
        }
    }

    /// A device takes in a page; a `rewound` one makes it start over under a new client id. Its
    /// requests of the old sequence are gone by then: the app syncs one request at a time, so none
    /// is in flight when a pull answers.
    fn apply_page(&mut self, d: usize, page: PullResponse) {
        let now = self.wall(d);
        if !page.rewound {
            self.devices[d].state.apply_page(page, now);
            return;
        }
        let has = page.last_mutation_id;
        let resent = self.devices[d]
            .state
            .kept
            .iter()
            .flat_map(|batch| &batch.mutations)
            .filter(|m| m.id > has)
            .count();
        self.devices[d].state.apply_page(page, now);
        let before = self.network.len();
        self.network.retain(|message| {
            message.device != d || !matches!(message.payload, Payload::Push(_) | Payload::Pull(_))
        });
        self.tally.dropped += (before - self.network.len()) as u64;
        self.tally.recoveries += 1;
        self.tally.resent += resent as u64;
        let pending = ids(&self.devices[d].state.pending);
        self.note(format_args!(
            "d{d} starts over after {has}: sends {pending} again ({resent} confirmed)"
        ));
    }

    // --- the server's operator ------------------------------------------------------------------

    fn back_up(&mut self) {
        self.backups.push(self.server.clone());
        let (backup, version) = (self.backups.len() - 1, self.server.version);
        self.note(format_args!("backup {backup} at version {version}"));
    }

    /// The server is stopped and restored from a backup: what was in flight to or from it is lost.
    fn restore(&mut self) {
        let which = self.rng.below(self.backups.len());
        let marks = self.server.marks;
        let mut restored = self.backups[which].clone();
        restored.marks = marks;
        restored.clamped = self.server.clamped;
        self.server = restored;
        self.tally.dropped += self.network.len() as u64;
        self.network.clear();
        self.tally.restores += 1;
        let version = self.server.version;
        self.note(format_args!(
            "server restored from backup {which}, version {version}"
        ));
    }

    // --- devices --------------------------------------------------------------------------------

    fn go_offline(&mut self, d: usize) {
        let until = self.step + 20 + self.rng.below(150) as u64;
        self.devices[d].offline_until = until;
        self.note(format_args!("d{d} offline until #{until}"));
    }

    /// The page reloads: what is in storage (`DeviceState`) stays, requests in flight are forgotten,
    /// and the wall clock may have been corrected meanwhile, even backwards.
    fn reload(&mut self, d: usize) {
        self.devices[d].waiting = None;
        self.devices[d].skew = self.rng.below(5_000) as u64;
        self.tally.reloads += 1;
        self.note(format_args!("d{d} reloads"));
    }

    // --- healing --------------------------------------------------------------------------------

    /// The network turns reliable: everything in flight arrives (in any order), then every device
    /// pushes and pulls until nothing is pending, then pulls once more to see the others' last work.
    fn heal(&mut self) {
        self.note(format_args!("heal"));
        for device in &mut self.devices {
            device.offline_until = 0;
        }
        while !self.network.is_empty() {
            self.deliver_any(false);
            self.check_exactly_once();
        }
        for d in 0..self.devices.len() {
            self.devices[d].waiting = None;
            let mut rounds = 0;
            while !self.devices[d].state.pending.is_empty() {
                rounds += 1;
                if rounds > 50 {
                    self.fail(format!(
                        "device {d} still has {} pending after {rounds} push/pull rounds",
                        self.devices[d].state.pending.len()
                    ));
                }
                self.push_now(d);
                self.pull_to_end(d);
            }
        }
        for d in 0..self.devices.len() {
            self.pull_to_end(d);
        }
    }

    fn push_now(&mut self, d: usize) {
        let (mutations, hole) = push_batch(&self.devices[d].state.pending);
        self.tally.holes += u64::from(hole);
        let request = PushRequest {
            client_id: self.client_id(d),
            mutations,
        };
        let now = self.server_now();
        let reply = self.server.push(USER, &request, now);
        self.count_push(&request, &reply);
        self.check_exactly_once();
        match reply {
            Ok(response) => self.devices[d].state.apply_push(&response),
            // The server was restored behind what the device was told; the pull finds out.
            Err(PushRefusal::Gap { .. }) if self.tally.restores > 0 => {}
            Err(refusal) => self.fail(format!("push while healing refused: {refusal:?}")),
        }
    }

    fn pull_to_end(&mut self, d: usize) {
        for _ in 0..10_000 {
            let request = self.pull_request(d);
            let page = match self.server.pull(USER, &request, |_, _| {}) {
                Ok(page) => page,
                Err(refusal) => self.fail(format!("pull while healing refused: {refusal:?}")),
            };
            self.tally.pages += 1;
            let (has_more, last) = (page.has_more, page.last_mutation_id);
            self.apply_page(d, page);
            if !has_more {
                self.check_confirmed_writes_pulled(d, last);
                return;
            }
        }
        self.fail(format!("device {d} never reached the end of its pull"));
    }

    // --- invariants -----------------------------------------------------------------------------

    fn check_exactly_once(&self) {
        if let Some((client, id)) = self.server.processed_twice.first() {
            self.fail(format!(
                "mutation {id} of client {} was processed twice",
                short(client)
            ));
        }
    }

    /// A mutation leaves pending only once its effect is in the device's records, so the view never
    /// flickers back: every write of a confirmed mutation is at or below the device's cursor.
    fn check_confirmed_writes_pulled(&self, d: usize, confirmed_up_to: u64) {
        let state = &self.devices[d].state;
        let cursor = state.cursor.as_deref().and_then(Cursor::decode);
        let seen = cursor.unwrap_or_default().version;
        let client = &state.client_id;
        let confirmed = self
            .server
            .audit
            .range((client.clone(), 0)..=(client.clone(), confirmed_up_to));
        for ((_, id), verdict) in confirmed {
            if verdict.written.is_some_and(|written| written > seen) {
                self.fail(format!(
                    "device {d} confirmed mutation {id}, which wrote version {:?}, at cursor {seen}",
                    verdict.written
                ));
            }
        }
    }

    /// However far off a device's clock, nothing stored is stamped beyond what the server admits, so
    /// no field is frozen by a stamp from the future.
    fn check_no_stamp_beyond_the_server_clock(&self) {
        let latest = self.server_now() + MAX_AHEAD_MILLIS;
        for (key, row) in &self.server.records {
            for (field, stamp) in &row.state.stamps {
                if stamp.millis > latest {
                    self.fail(format!(
                        "{}.{field} is stamped {stamp}, beyond the server's clock",
                        short(&key.id)
                    ));
                }
            }
        }
    }

    fn check_converged(&self) {
        let live: BTreeMap<&RecordRef, &StoredRecord> = self.server.live().collect();
        for (d, device) in self.devices.iter().enumerate() {
            let state = &device.state;
            if !state.pending.is_empty() {
                self.fail(format!("device {d} has pending {}", ids(&state.pending)));
            }
            for (key, server_state) in &live {
                match state.view(key) {
                    Some(seen)
                        if seen.fields == server_state.fields
                            && seen.stamps == server_state.stamps
                            && !seen.deleted => {}
                    seen => self.fail(format!(
                        "device {d} shows {} as {:?}, the server has {:?}",
                        short(&key.id),
                        seen.map(|s| s.fields),
                        server_state.fields
                    )),
                }
            }
            for key in state.canonical.keys() {
                if !live.contains_key(key) && state.view(key).is_some() {
                    self.fail(format!(
                        "device {d} still shows {}, which the server does not have live",
                        short(&key.id)
                    ));
                }
            }
        }
    }

    /// Every mutation made was processed once by the server as it is now (applied, or refused and
    /// shown on its device with the server's reason), or was refused and shown before a restore
    /// took the verdict away. A mutation is known by its stamp, which stays when a device starts
    /// over and numbers its work anew.
    fn check_every_mutation_accounted_for(&self) {
        let mut verdicts: BTreeMap<&Hlc, Vec<&Verdict>> = BTreeMap::new();
        for verdict in self.server.audit.values() {
            verdicts
                .entry(&verdict.mutation.hlc)
                .or_default()
                .push(verdict);
        }
        for (d, mutation) in &self.made {
            let state = &self.devices[*d].state;
            let shown: Vec<&RejectedChange> = state
                .rejected
                .iter()
                .filter(|r| r.mutation.hlc == mutation.hlc)
                .collect();
            if shown.iter().any(|r| r.mutation.intent != mutation.intent) {
                self.fail(format!("device {d} shows {} altered", mutation.hlc));
            }
            let processed = verdicts.get(&mutation.hlc).map_or(&[][..], Vec::as_slice);
            if let Some(altered) = processed
                .iter()
                .find(|v| v.mutation.intent != mutation.intent)
            {
                self.fail(format!(
                    "device {d}'s mutation {} reached the server altered: {:?}",
                    mutation.hlc, altered.mutation
                ));
            }
            match (processed, shown.as_slice()) {
                ([applied], []) if applied.rejection.is_none() => {}
                ([refused], [shown]) if refused.rejection.as_ref() == Some(&shown.reason) => {}
                ([], [_]) if self.tally.restores > 0 => {}
                ([], []) => self.fail(format!(
                    "device {d}'s mutation {} ({}) was lost",
                    mutation.hlc,
                    describe(&mutation.intent)
                )),
                (processed, shown) => self.fail(format!(
                    "device {d}'s mutation {}: the server processed it {} times ({:?}), the device shows {shown:?}",
                    mutation.hlc,
                    processed.len(),
                    processed.iter().map(|v| &v.rejection).collect::<Vec<_>>()
                )),
            }
        }
        for (d, device) in self.devices.iter().enumerate() {
            let mut seen = BTreeSet::new();
            for shown in &device.state.rejected {
                if !seen.insert(&shown.mutation.hlc) {
                    self.fail(format!("device {d} shows {} twice", shown.mutation.hlc));
                }
            }
        }
        let made: BTreeSet<&Hlc> = self.made.iter().map(|(_, m)| &m.hlc).collect();
        for verdict in self.server.audit.values() {
            let system = verdict.mutation.hlc.node == SYSTEM_CLIENT;
            if !system && !made.contains(&verdict.mutation.hlc) {
                self.fail(format!(
                    "the server processed {} that nobody made",
                    verdict.mutation.hlc
                ));
            }
        }
    }
}

fn short(id: &str) -> &str {
    &id[..8.min(id.len())]
}

fn ids(mutations: &[Mutation]) -> String {
    match (mutations.first(), mutations.last()) {
        (Some(first), Some(last)) if first.id == last.id => format!("[{}]", first.id),
        (Some(first), Some(last)) => format!("[{}..{}]", first.id, last.id),
        _ => "[]".into(),
    }
}

fn describe(intent: &Intent) -> String {
    match intent {
        Intent::Create(args) => format!("create {}", short(&args.id)),
        Intent::SetFields(args) => {
            let fields: Vec<&str> = args.fields.keys().map(String::as_str).collect();
            format!("set {} {}", short(&args.id), fields.join(","))
        }
        Intent::Delete(target) => format!("delete {}", short(&target.id)),
        Intent::MoveOpportunityStage(args) => format!("move {}", short(&args.id)),
        Intent::ReschedulePromotion(args) => format!("reschedule {}", short(&args.id)),
        Intent::DecidePromotion(args) | Intent::DecideBreakdown(args) => {
            format!("decide {} {}", short(&args.id), args.status)
        }
        Intent::ReviewReport(args) => format!("review {}", short(&args.id)),
    }
}

fn run_seed(seed: u64, verbose: bool) -> Tally {
    Sim::new(seed, verbose).run()
}

fn env_number(name: &str) -> Option<u64> {
    let text = env::var(name).ok()?;
    Some(
        text.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {text:?}")),
    )
}

// ---------------------------------------------------------------------------------------------------

#[test]
fn no_write_is_lost_or_applied_twice_through_drops_duplicates_reloads_crashes_and_restores() {
    let (seeds, verbose) = match env_number("YINGXIAO_SIM_SEED") {
        Some(seed) => (seed..seed + 1, true),
        None => (
            0..env_number("YINGXIAO_SIM_SEEDS").unwrap_or(DEFAULT_SEEDS),
            false,
        ),
    };
    let started = Instant::now();
    let mut total = Tally::default();
    for seed in seeds {
        match panic::catch_unwind(|| run_seed(seed, verbose)) {
            Ok(tally) => total.add(&tally),
            Err(cause) => {
                eprintln!("seed {seed} failed; rerun with YINGXIAO_SIM_SEED={seed}");
                panic::resume_unwind(cause);
            }
        }
    }
    println!("{total:#?}\nin {:.1?}", started.elapsed());
    if total.seeds >= 100 {
        // The run must have met what it claims to survive.
        for (what, count) in [
            ("rejections", total.rejected),
            ("duplicates", total.duplicates),
            ("gaps", total.gaps),
            ("pushes after a hole", total.holes),
            ("stale replies ignored", total.stale_replies_ignored),
            ("stale replies applied", total.stale_replies_applied),
            ("crashes", total.crashes),
            ("pushes of more than half the limit", total.big_pushes),
            ("clocks far off the server's", total.clamped),
            ("servers restored from a backup", total.restores),
            ("devices that started over", total.recoveries),
            ("confirmed changes sent again", total.resent),
        ] {
            assert!(count > 0, "no {what} in {} seeds", total.seeds);
        }
    }
}

fn customer(id: &str, region_unit_id: &str) -> Intent {
    let mut fields = Map::new();
    fields.insert("name".into(), json!("上海百货"));
    fields.insert("kind".into(), json!("dealer"));
    fields.insert("region_unit_id".into(), json!(region_unit_id));
    fields.insert("owner_id".into(), json!(USER));
    Intent::Create(CreateArgs {
        collection: Collection::Customer,
        id: id.to_owned(),
        fields,
    })
}

#[test]
fn the_server_model_answers_retries_as_duplicates_and_refuses_gaps_without_change() {
    let mut rng = Rng::new(7);
    let mut device = DeviceState::new(rng.uuid());
    let (id, company) = (rng.uuid(), rng.uuid());
    device.mutate(customer(&id, &company), WALL_START).unwrap();
    let target = RecordRef {
        collection: Collection::Customer,
        id,
    };
    device
        .mutate(Intent::Delete(target.clone()), WALL_START)
        .unwrap();
    device.mutate(Intent::Delete(target), WALL_START).unwrap();
    let mut server = Server::new(&company);
    let written_by_the_system = server.version;
    let push = |mutations: &[Mutation]| PushRequest {
        client_id: device.client_id.clone(),
        mutations: mutations.to_vec(),
    };

    let gap = server.push(USER, &push(&device.pending[1..]), WALL_START);
    assert_eq!(
        gap,
        Err(PushRefusal::Gap {
            expected: 1,
            got: 2
        })
    );
    assert!(!server.clients.contains_key(&device.client_id));
    assert_eq!(server.version, written_by_the_system);

    let first = server
        .push(USER, &push(&device.pending[..2]), WALL_START)
        .unwrap();
    assert_eq!(first.last_mutation_id, 2);
    let retry = server
        .push(USER, &push(&device.pending), WALL_START)
        .unwrap();
    assert_eq!(
        retry.outcomes,
        vec![
            Outcome::Duplicate { id: 1 },
            Outcome::Duplicate { id: 2 },
            // Deleting a tombstone changes nothing and is still applied.
            Outcome::Applied { id: 3 },
        ]
    );
    assert_eq!(
        server.version,
        written_by_the_system + 2,
        "a create and a delete wrote; nothing else"
    );
    assert!(server.processed_twice.is_empty());
    assert_eq!(
        server
            .pull(
                USER,
                &PullRequest {
                    client_id: device.client_id.clone(),
                    cursor: None,
                    limit: None,
                    last_mutation_id: None,
                },
                |_, _| {}
            )
            .map(|page| (
                page.records.len(),
                page.deleted.len(),
                page.last_mutation_id
            )),
        Ok((2, 0, 3)),
        "a first pull has the company and its user, and nothing to delete"
    );
    assert_eq!(
        server.push("someone-else", &push(&device.pending), WALL_START),
        Err(PushRefusal::ForeignClient)
    );
}

#[test]
fn a_push_starts_after_the_last_hole_in_the_pending_log() {
    let mut rng = Rng::new(11);
    let mut device = DeviceState::new(rng.uuid());
    let company = rng.uuid();
    for _ in 0..5 {
        let id = rng.uuid();
        device.mutate(customer(&id, &company), WALL_START).unwrap();
    }
    let (all, hole) = push_batch(&device.pending);
    assert_eq!((ids(&all), hole), ("[1..5]".to_owned(), false));
    let mut server = Server::new(&company);
    let push = |mutations: Vec<Mutation>| PushRequest {
        client_id: device.client_id.clone(),
        mutations,
    };
    server
        .push(USER, &push(all[..3].to_vec()), WALL_START)
        .unwrap();
    // Say mutation 3 was rejected: it leaves pending before 1 and 2 are confirmed by a pull.
    device.pending.remove(2);
    let whole = server.push(USER, &push(device.pending.clone()), WALL_START);
    assert!(
        matches!(whole, Err(PushRefusal::NotConsecutive { .. })),
        "the server refuses ids that skip one"
    );
    let (tail, hole) = push_batch(&device.pending);
    assert_eq!((ids(&tail), hole), ("[4..5]".to_owned(), true));
    let reply = server.push(USER, &push(tail), WALL_START).unwrap();
    assert_eq!(reply.last_mutation_id, 5);
}
