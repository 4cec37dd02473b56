//! Crash safety (issue 17): the real server binary, killed with SIGKILL at random moments while
//! devices push over HTTP and started again on the same database, keeps every push it acknowledged,
//! applies none twice and none in part, and leaves a database that passes its integrity check. A
//! device whose push got no answer sends the same push again, as the app does.
//!
//! The short form runs in the test command; `YINGXIAO_CRASH_ROUNDS` (kills, 20),
//! `YINGXIAO_CRASH_DEVICES` (8) and `YINGXIAO_CRASH_SEED` (17) make the long form (README,
//! "Durability"). A power cut cannot be made here: `kill -9` ends the process, not the operating
//! system, whose page cache keeps what was written.

mod common;
#[path = "common/world.rs"]
mod world;

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use common::Backend;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use sqlx::{AnyConnection, Connection, Row};
use tokio::{
    sync::{oneshot, watch},
    task::JoinSet,
};
use world::{demo_site, stamp, Company};
use yingxiao_server::{admin::new_id, demo::DEMO_PASSWORD, storage::SQLITE_FILE};

/// Only a guard against a hung test: a server starts, and a few pushes are answered, within seconds.
const GIVE_UP: Duration = Duration::from_secs(120);
/// Mutations per push: a device's usual handful.
const MAX_BATCH: usize = 12;

on_both_backends!(acknowledged_pushes_survive_kill_9_once_and_whole);

struct Settings {
    kills: usize,
    devices: usize,
    seed: u64,
}

fn settings() -> Settings {
    let number = |name: &str, default: u64| -> u64 {
        std::env::var(name)
            .ok()
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name} must be a number"))
            })
            .unwrap_or(default)
    };
    Settings {
        kills: number("YINGXIAO_CRASH_ROUNDS", 20) as usize,
        devices: number("YINGXIAO_CRASH_DEVICES", 8).max(1) as usize,
        seed: number("YINGXIAO_CRASH_SEED", 17),
    }
}

async fn acknowledged_pushes_survive_kill_9_once_and_whole(backend: Backend) {
    let settings = settings();
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let launch = Launch::seeded(backend).await;
    let http = reqwest::Client::builder().timeout(GIVE_UP).build().unwrap();

    let mut server = launch.start().await;
    let (serving, serving_rx) = watch::channel(Serving {
        generation: 0,
        base: Some(server.base.clone()),
    });
    let (acked, mut acked_rx) = watch::channel(0u64);
    let acked = Arc::new(acked);
    let (done, done_rx) = watch::channel(false);
    let mut devices = JoinSet::new();
    for number in 0..settings.devices {
        let device = Device::sign_in(&http, &server.base, number, settings.seed).await;
        devices.spawn(device.run(
            http.clone(),
            launch.clone(),
            serving_rx.clone(),
            acked.clone(),
            done_rx.clone(),
        ));
    }

    // Each kill comes after a random number of acknowledged pushes and a random fraction of a push,
    // so it lands while other pushes are being read, applied, committed or answered.
    let mut pushes_seen = 0;
    for round in 0..=settings.kills {
        pushes_seen += rng.gen_range(4..=24);
        tokio::select! {
            reached = tokio::time::timeout(GIVE_UP, acked_rx.wait_for(|&n| n >= pushes_seen)) => {
                reached.expect("no pushes answered").unwrap();
            }
            Some(ended) = devices.join_next() => {
                ended.unwrap();
                panic!("a device stopped before the test ended");
            }
        }
        if round == settings.kills {
            break;
        }
        tokio::time::sleep(Duration::from_micros(rng.gen_range(0..8_000))).await;
        serving.send_modify(|s| s.base = None);
        server.kill();
        server = launch.start().await;
        serving.send_modify(|s| {
            s.generation += 1;
            s.base = Some(server.base.clone());
        });
    }
    done.send(true).unwrap();
    let mut finished = Vec::new();
    while let Some(device) = devices.join_next().await {
        finished.push(device.unwrap());
    }

    check_through_the_server(&http, &server.base, &finished).await;
    // Once more, so the direct reads below see a database recovered from a crash.
    server.kill();
    check_the_database(&launch, &finished).await;

    let tally = finished
        .iter()
        .fold(Tally::default(), |a, d| a.add(&d.tally));
    eprintln!(
        "crash safety ({}): {} kills, {} devices, seed {}: {} pushes ({} mutations) acknowledged; \
         {} pushes cut off by a kill, of which {} had been applied (duplicate on retry) and {} had not; \
         {:.1} s",
        launch.backend_name(),
        settings.kills,
        settings.devices,
        settings.seed,
        tally.pushes,
        tally.mutations,
        tally.retried_duplicate + tally.retried_applied,
        tally.retried_duplicate,
        tally.retried_applied,
        started.elapsed().as_secs_f64(),
    );
}

/// What every start of the server is given: the seeded database and an app to serve.
#[derive(Clone)]
struct Launch {
    dir: Arc<tempfile::TempDir>,
    database_url: Option<String>,
    /// The demo's `hq` login (who pushes) and company unit, for the customers' required fields.
    owner_id: String,
    region_id: String,
}

impl Launch {
    async fn seeded(backend: Backend) -> Self {
        let site = demo_site(backend).await;
        let company = Company::load(&site.storage).await;
        site.storage.close().await;
        Self {
            owner_id: company.user_id("hq"),
            region_id: company.company_unit(),
            dir: Arc::new(site.dir),
            database_url: site.database_url,
        }
    }

    fn backend_name(&self) -> &'static str {
        match self.database_url {
            Some(_) => "PostgreSQL",
            None => "SQLite",
        }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// `yingxiao-server serve` on a port the system picks, once it answers its health check.
    async fn start(&self) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_yingxiao-server"));
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(self.dir.path().join("data"))
            .arg("--dist")
            .arg(self.dir.path().join("dist"))
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        let mut child = command.spawn().expect("the server binary runs");
        // It prints its address once it listens; the rest of stdout is drained so it never blocks.
        let stdout = child.stdout.take().unwrap();
        let (address, address_rx) = oneshot::channel();
        std::thread::spawn(move || {
            let mut address = Some(address);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((_, url)) = line.split_once(" is running at ") {
                    if let Some(address) = address.take() {
                        let _ = address.send(url.trim_end_matches('/').to_owned());
                    }
                }
            }
        });
        // Made at once, so a failed start below kills the process too.
        let mut server = Server {
            child,
            base: String::new(),
        };
        let base = match tokio::time::timeout(GIVE_UP, address_rx).await {
            Ok(Ok(base)) => base,
            _ => panic!("the server did not start; its log:\n{}", self.log_tail()),
        };
        let health = format!("{base}/api/v1/health");
        let answered = tokio::time::timeout(GIVE_UP, async {
            while !reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(answered.is_ok(), "no health answer:\n{}", self.log_tail());
        server.base = base;
        server
    }
}

/// One run of the server binary; killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    /// `http://127.0.0.1:port`.
    base: String,
}

impl Server {
    /// `kill -9`: no shutdown, no checkpoint, connections cut mid-request.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Which server the devices talk to; `base` is `None` from just before a kill until the next start
/// answers.
struct Serving {
    generation: u64,
    base: Option<String>,
}

#[derive(Default)]
struct Tally {
    pushes: u64,
    mutations: u64,
    /// Pushes cut off by a kill and sent again: the retry found them applied (all duplicates) …
    retried_duplicate: u64,
    /// … or not (all applied by the retry).
    retried_applied: u64,
}

impl Tally {
    fn add(self, other: &Tally) -> Tally {
        Tally {
            pushes: self.pushes + other.pushes,
            mutations: self.mutations + other.mutations,
            retried_duplicate: self.retried_duplicate + other.retried_duplicate,
            retried_applied: self.retried_applied + other.retried_applied,
        }
    }
}

/// A signed-in device of the demo's `hq` login that creates customers and edits its own.
struct Device {
    number: usize,
    client_id: String,
    token: String,
    /// The id of its last mutation the server acknowledged.
    last_id: u64,
    /// Every customer it made, with the fields its acknowledged mutations left on it.
    expected: BTreeMap<String, Map<String, Value>>,
    rng: ChaCha8Rng,
    tally: Tally,
}

impl Device {
    async fn sign_in(http: &reqwest::Client, base: &str, number: usize, seed: u64) -> Self {
        let reply = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": "hq", "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success(), "sign-in: {}", reply.status());
        let body: Value = reply.json().await.unwrap();
        Self {
            number,
            client_id: new_id(),
            token: body["token"].as_str().unwrap().to_owned(),
            last_id: 0,
            expected: BTreeMap::new(),
            rng: ChaCha8Rng::seed_from_u64(seed.wrapping_add(1 + number as u64)),
            tally: Tally::default(),
        }
    }

    /// Pushes until the test is done, each push sent again until it is answered.
    async fn run(
        mut self,
        http: reqwest::Client,
        launch: Launch,
        mut serving: watch::Receiver<Serving>,
        acked: Arc<watch::Sender<u64>>,
        done: watch::Receiver<bool>,
    ) -> Self {
        while !*done.borrow() {
            let (mutations, effects) = self.next_push(&launch);
            self.push_until_answered(&http, &mut serving, mutations)
                .await;
            self.last_id += effects.len() as u64;
            for (id, fields) in effects {
                self.expected.entry(id).or_default().extend(fields);
            }
            acked.send_modify(|n| *n += 1);
        }
        self
    }

    /// A push of new customers and edits of this device's customers (made earlier or in this push),
    /// and each mutation's effect: the record and the fields it sets.
    #[allow(clippy::type_complexity)]
    fn next_push(&mut self, launch: &Launch) -> (Vec<Value>, Vec<(String, Map<String, Value>)>) {
        let size = self.rng.gen_range(1..=MAX_BATCH);
        let mut mine: Vec<String> = self.expected.keys().cloned().collect();
        let mut mutations = Vec::with_capacity(size);
        let mut effects = Vec::with_capacity(size);
        for n in 0..size as u64 {
            let id = self.last_id + 1 + n;
            let note = format!("device {} mutation {id}", self.number);
            let tier = ["A", "B", "C"][self.rng.gen_range(0..3)];
            let (name, record, fields) = if mine.is_empty() || self.rng.gen_bool(0.3) {
                let record = new_id();
                mine.push(record.clone());
                let fields = json!({"name": format!("崩溃演练客户 {note}"), "kind": "dealer",
                    "tier": tier, "region_unit_id": launch.region_id,
                    "owner_id": launch.owner_id, "notes": note});
                ("create", record, fields)
            } else {
                let record = mine[self.rng.gen_range(0..mine.len())].clone();
                ("set_fields", record, json!({"notes": note, "tier": tier}))
            };
            mutations.push(
                json!({"id": id, "hlc": stamp(&self.client_id), "name": name,
                "args": {"collection": "customers", "id": record, "fields": fields}}),
            );
            effects.push((record, fields.as_object().unwrap().clone()));
        }
        (mutations, effects)
    }

    /// Sends the push until a server answers it, and checks the answer: on the first send every
    /// mutation is applied; a push sent again after a kill was applied whole by the killed server
    /// (every mutation a duplicate) or not at all (every one applied now).
    async fn push_until_answered(
        &mut self,
        http: &reqwest::Client,
        serving: &mut watch::Receiver<Serving>,
        mutations: Vec<Value>,
    ) {
        let body = json!({"client_id": self.client_id, "mutations": mutations});
        let last = self.last_id + mutations.len() as u64;
        let mut cut_off = false;
        let mut errors_on_a_live_server = 0;
        loop {
            let (generation, base) = {
                let s = serving.wait_for(|s| s.base.is_some()).await.unwrap();
                (s.generation, s.base.clone().unwrap())
            };
            let reply = match send(http, &base, &self.token, &body).await {
                Ok(reply) => reply,
                Err(error) => {
                    let s = serving.borrow();
                    if s.generation == generation && s.base.is_some() {
                        // Not a kill: loopback should not fail, but allow a few.
                        errors_on_a_live_server += 1;
                        assert!(errors_on_a_live_server < 10, "push failed: {error}");
                    }
                    cut_off = true;
                    continue;
                }
            };
            let (status, answer) = reply;
            if status == 503 {
                // The write queue is full: nothing was applied; try again shortly.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(
                status, 200,
                "device {}: push of mutations up to {last} answered {status} {answer} \
                 (409: an acknowledged push was lost)",
                self.number
            );
            assert_eq!(answer["last_mutation_id"], last, "{answer}");
            let outcomes: Vec<&str> = answer["outcomes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["outcome"].as_str().unwrap())
                .collect();
            assert_eq!(outcomes.len(), mutations.len(), "{answer}");
            if outcomes.iter().all(|&o| o == "applied") {
                self.tally.retried_applied += u64::from(cut_off);
            } else if cut_off && outcomes.iter().all(|&o| o == "duplicate") {
                self.tally.retried_duplicate += 1;
            } else {
                panic!("device {}: a push applied in part: {answer}", self.number);
            }
            self.tally.pushes += 1;
            self.tally.mutations += mutations.len() as u64;
            return;
        }
    }
}

/// POSTs a push; the status and JSON answer, or an error if the connection broke.
async fn send(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: &Value,
) -> Result<(u16, Value), reqwest::Error> {
    let reply = http
        .post(format!("{base}/api/v1/sync/push"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = reply.status().as_u16();
    let answer = reply.json().await.unwrap_or(Value::Null);
    Ok((status, answer))
}

/// A new device of the same login pulls everything: each customer carries the fields the
/// acknowledged mutations set, the last one winning.
async fn check_through_the_server(http: &reqwest::Client, base: &str, devices: &[Device]) {
    let client_id = new_id();
    let mut cursor: Option<String> = None;
    let mut customers: BTreeMap<String, Value> = BTreeMap::new();
    loop {
        let reply = http
            .post(format!("{base}/api/v1/sync/pull"))
            .bearer_auth(&devices[0].token)
            .json(&json!({"client_id": client_id, "cursor": cursor, "limit": 5000}))
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_success(), "pull: {}", reply.status());
        let page: Value = reply.json().await.unwrap();
        for record in page["records"].as_array().unwrap() {
            if record["collection"] == "customers" {
                customers.insert(
                    record["id"].as_str().unwrap().to_owned(),
                    record["fields"].clone(),
                );
            }
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    for device in devices {
        for (id, expected) in &device.expected {
            let pulled = customers
                .get(id)
                .unwrap_or_else(|| panic!("device {}: customer {id} is missing", device.number));
            for (field, value) in expected {
                assert_eq!(&pulled[field], value, "customer {id}: {field}");
            }
        }
    }
}

/// Straight from the database: one mutation row per acknowledged mutation, applied in order; each
/// customer at the version of its last mutation with that mutation's fields; the version counter at
/// or above every record's and every mutation's version; and SQLite's integrity and foreign key
/// checks clean.
async fn check_the_database(launch: &Launch, devices: &[Device]) {
    let url = match &launch.database_url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}?mode=rw",
            launch.dir.path().join("data").join(SQLITE_FILE).display()
        ),
    };
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    if launch.database_url.is_none() {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert_eq!(integrity, ["ok"]);
        let broken_references = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        assert!(broken_references.is_empty());
    }
    let counter: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = 'version'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let highest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM records")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert!(
        highest <= counter,
        "a record at {highest}, the counter at {counter}"
    );
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mutations m LEFT JOIN records r
           ON r.collection = m.collection AND r.id = m.record_id
         WHERE m.outcome = 'applied' AND (r.id IS NULL OR m.version > r.version OR m.version > $1)",
    )
    .bind(counter)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "applied mutations without their record's write");

    for device in devices {
        let last: i64 =
            sqlx::query_scalar("SELECT last_mutation_id FROM clients WHERE client_id = $1")
                .bind(&device.client_id)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(last as u64, device.last_id, "device {}", device.number);
        let rows = sqlx::query(
            "SELECT mutation_id, outcome, version, record_id FROM mutations
             WHERE client_id = $1 ORDER BY mutation_id",
        )
        .bind(&device.client_id)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(
            ids,
            (1..=device.last_id as i64).collect::<Vec<_>>(),
            "device {}: one row per mutation",
            device.number
        );
        let mut last_version: BTreeMap<String, i64> = BTreeMap::new();
        let mut previous = 0;
        for row in &rows {
            assert_eq!(row.get::<String, _>(1), "applied");
            let version: i64 = row.get(2);
            assert!(version > previous, "device {}: out of order", device.number);
            previous = version;
            last_version.insert(row.get(3), version);
        }
        for (id, expected) in &device.expected {
            let record = sqlx::query(
                "SELECT version, fields FROM records WHERE collection = 'customers' AND id = $1",
            )
            .bind(id)
            .fetch_one(&mut conn)
            .await
            .unwrap();
            assert_eq!(record.get::<i64, _>(0), last_version[id], "customer {id}");
            let fields: Map<String, Value> =
                serde_json::from_str(&record.get::<String, _>(1)).unwrap();
            for (field, value) in expected {
                assert_eq!(&fields[field], value, "customer {id}: {field}");
            }
        }
    }
    conn.close().await.unwrap();
}
